-- +goose Up
-- Live updates: a change to a venue's bookings, hours, exceptions or
-- closures notifies channel cogov_venue with the venue's id when the
-- transaction commits, for GraphQL subscriptions (venueChanged) to refresh
-- calendars. The payload names only the venue; subscribers read what
-- changed with their own rights. PostgreSQL folds identical notifications of
-- one transaction, so a series of bookings notifies once.

-- +goose StatementBegin
CREATE FUNCTION venue_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r jsonb := to_jsonb(coalesce(NEW, OLD));
BEGIN
  PERFORM pg_notify('cogov_venue', r ->> coalesce(TG_ARGV[0], 'venue_id'));
  RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER notify AFTER INSERT OR UPDATE ON booking FOR EACH ROW EXECUTE FUNCTION venue_notify();
CREATE TRIGGER notify AFTER INSERT OR UPDATE OR DELETE ON venue_closure FOR EACH ROW EXECUTE FUNCTION venue_notify();
CREATE TRIGGER notify AFTER INSERT OR UPDATE OR DELETE ON venue_hours FOR EACH ROW EXECUTE FUNCTION venue_notify();
CREATE TRIGGER notify AFTER INSERT OR UPDATE OR DELETE ON venue_exception FOR EACH ROW EXECUTE FUNCTION venue_notify();
CREATE TRIGGER notify AFTER UPDATE ON venue FOR EACH ROW EXECUTE FUNCTION venue_notify('id');

-- +goose Down
DROP TRIGGER notify ON venue;
DROP TRIGGER notify ON venue_exception;
DROP TRIGGER notify ON venue_hours;
DROP TRIGGER notify ON venue_closure;
DROP TRIGGER notify ON booking;
DROP FUNCTION venue_notify();
