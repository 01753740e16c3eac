-- +goose Up
-- The daily loop of bookings (issue 13): check-in and no-shows, and a
-- waitlist for windows that are taken.
--
-- A booking not checked in within its venue's grace period after the start
-- becomes NO_SHOW, which no longer holds the venue (booking_no_overlap and
-- venue_busy only count PENDING and APPROVED), so the rest of its time is
-- free again. A venue without a grace period (NULL) never marks no-shows.
ALTER TABLE booking DROP CONSTRAINT booking_status_check;
ALTER TABLE booking ADD CONSTRAINT booking_status_check
  CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'CANCELLED', 'COMPLETED', 'NO_SHOW'));
ALTER TABLE booking ADD COLUMN checked_in_at timestamptz;
ALTER TABLE venue ADD COLUMN no_show_grace_minutes integer DEFAULT 15 CHECK (no_show_grace_minutes BETWEEN 1 AND 1440);

-- A committee waiting for a window of a venue that is taken. When the
-- holding booking is cancelled or rejected, the first waiting entry (by
-- when it joined) whose window is free is OFFERED: the window is held for
-- that committee until offer_expires_at; then it expires and the next is
-- offered. TAKEN once the committee books it, LEFT if it leaves.
CREATE TABLE waitlist_entry (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  seq                bigint GENERATED ALWAYS AS IDENTITY,
  subdistrict_id     uuid NOT NULL REFERENCES subdistrict (id),
  venue_id           uuid NOT NULL,
  committee_id       uuid NOT NULL,
  during             tstzrange NOT NULL CHECK (NOT isempty(during)),
  purpose            text NOT NULL CHECK (btrim(purpose) <> ''),
  expected_attendees integer NOT NULL CHECK (expected_attendees >= 1),
  status             text NOT NULL DEFAULT 'WAITING' CHECK (status IN ('WAITING', 'OFFERED', 'TAKEN', 'LEFT', 'EXPIRED')),
  offered_at         timestamptz,
  offer_expires_at   timestamptz,
  requested_by       uuid,
  demo               boolean NOT NULL DEFAULT false,
  created_at         timestamptz NOT NULL DEFAULT cogov_now(),
  UNIQUE (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, venue_id) REFERENCES venue (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, committee_id) REFERENCES committee (subdistrict_id, id),
  CONSTRAINT waitlist_offer CHECK (status <> 'OFFERED' OR offer_expires_at IS NOT NULL)
);
CREATE INDEX waitlist_entry_venue_idx ON waitlist_entry USING gist (venue_id, during) WHERE status IN ('WAITING', 'OFFERED');
CREATE UNIQUE INDEX waitlist_entry_once ON waitlist_entry (venue_id, committee_id, during) WHERE status IN ('WAITING', 'OFFERED');
CREATE INDEX waitlist_entry_committee_idx ON waitlist_entry (committee_id, created_at);

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON waitlist_entry FOR EACH ROW EXECUTE FUNCTION audit_row();
ALTER TABLE waitlist_entry ENABLE ROW LEVEL SECURITY;
ALTER TABLE waitlist_entry FORCE ROW LEVEL SECURITY;
CREATE POLICY own ON waitlist_entry FOR ALL USING (cogov_in_subdistrict(subdistrict_id)) WITH CHECK (cogov_in_subdistrict(subdistrict_id));
GRANT SELECT, INSERT, UPDATE ON waitlist_entry TO cogov_app;

-- +goose Down
DROP TABLE waitlist_entry;
ALTER TABLE venue DROP COLUMN no_show_grace_minutes;
ALTER TABLE booking DROP COLUMN checked_in_at;
UPDATE booking SET status = 'CANCELLED' WHERE status = 'NO_SHOW';
ALTER TABLE booking DROP CONSTRAINT booking_status_check;
ALTER TABLE booking ADD CONSTRAINT booking_status_check
  CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'CANCELLED', 'COMPLETED'));
