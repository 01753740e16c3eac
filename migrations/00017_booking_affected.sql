-- +goose Up
-- A closure hitting a booking (issue 13): a pending or approved booking
-- that a maintenance closure of its venue overlaps is marked affected, with
-- the closure that hit it and when, until the booking is moved clear of it,
-- cancelled or rejected, or the closure is lifted. The committee sees it in
-- its inbox (BOOKING_AFFECTED) and moves or cancels it in one step.
--
-- Only a booking that holds its time can be affected: the store clears the
-- mark when a booking stops holding (booking_affected_holds keeps it so).
-- The foreign key has no ON DELETE action on purpose: lifting a closure
-- re-points or clears its bookings first, in the same transaction.
ALTER TABLE booking ADD COLUMN affected_by uuid REFERENCES venue_closure (id);
ALTER TABLE booking ADD COLUMN affected_at timestamptz;
ALTER TABLE booking ADD CONSTRAINT booking_affected_pair CHECK ((affected_by IS NULL) = (affected_at IS NULL));
ALTER TABLE booking ADD CONSTRAINT booking_affected_holds CHECK (affected_by IS NULL OR status IN ('PENDING', 'APPROVED'));
CREATE INDEX booking_affected_idx ON booking (affected_by) WHERE affected_by IS NOT NULL;

-- +goose Down
DROP INDEX booking_affected_idx;
ALTER TABLE booking DROP CONSTRAINT booking_affected_holds;
ALTER TABLE booking DROP CONSTRAINT booking_affected_pair;
ALTER TABLE booking DROP COLUMN affected_at;
ALTER TABLE booking DROP COLUMN affected_by;
