-- +goose Up
-- Free/busy for the venue search. Row-level security keeps PostgreSQL from
-- using a non-leakproof operator such as && inside an index scan of a
-- protected table, so the availability filter over booking read every
-- booking of every candidate venue. venue_busy holds only what free/busy
-- shows anyone — a venue and the time it is held — kept in step with
-- booking by a trigger in the same transaction, and is searched through its
-- own GiST index. It holds no organisation data, so it has no policies; the
-- exclusion constraint on booking stays the invariant.
CREATE TABLE venue_busy (
  booking_id uuid PRIMARY KEY REFERENCES booking (id) ON DELETE CASCADE,
  venue_id   uuid NOT NULL,
  held       tstzrange NOT NULL
);
CREATE INDEX venue_busy_idx ON venue_busy USING gist (venue_id, held);

-- +goose StatementBegin
CREATE FUNCTION venue_busy_sync() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status IN ('PENDING', 'APPROVED') AND NEW.status IN ('PENDING', 'APPROVED')
     AND OLD.held = NEW.held AND OLD.venue_id = NEW.venue_id THEN
    RETURN NULL;
  END IF;
  DELETE FROM venue_busy WHERE booking_id = NEW.id;
  IF NEW.status IN ('PENDING', 'APPROVED') THEN
    INSERT INTO venue_busy (booking_id, venue_id, held) VALUES (NEW.id, NEW.venue_id, NEW.held);
  END IF;
  RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER venue_busy AFTER INSERT OR UPDATE ON booking FOR EACH ROW EXECUTE FUNCTION venue_busy_sync();

-- Bookings that exist already.
-- +goose StatementBegin
DO $$
BEGIN
  PERFORM set_config('cogov.viewer_ready', 'on', true), set_config('cogov.system', 'on', true);
  INSERT INTO venue_busy (booking_id, venue_id, held)
    SELECT id, venue_id, held FROM booking WHERE status IN ('PENDING', 'APPROVED');
END
$$;
-- +goose StatementEnd

GRANT SELECT ON venue_busy TO cogov_app;

-- +goose Down
DROP TRIGGER venue_busy ON booking;
DROP FUNCTION venue_busy_sync();
DROP TABLE venue_busy;
