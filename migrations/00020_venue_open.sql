-- +goose Up
-- The venue directory's order (the smallest venue that fits first, then by
-- name; internal/store venueSearch) as an index, so that a page of the
-- search walks the venues in order and stops after the page instead of
-- sorting every match of the city.
CREATE INDEX venue_order_idx ON venue (((lpad(capacity::text, 7, '0') || name) COLLATE "C"), id) WHERE active;

-- Whether a venue is open for a window is asked of each candidate venue:
-- the weekly hours of one weekday by a btree probe (the exclusion
-- constraint's gist index answers it several times slower).
CREATE INDEX venue_hours_day_idx ON venue_hours (venue_id, weekday, opens_min, closes_min);

-- What a booking keeps a search's window from: reach is its held range
-- widened at the start by its venue's buffer, since a new booking of
-- [f, t) would hold [f, t + buffer) — the two overlap exactly when reach
-- overlaps [f, t). So the venues taken for a window are one probe of
-- venue_busy_reach_idx, which the search hashes once (internal/store
-- venueSearch) instead of probing venue_busy_idx for each candidate venue.
-- Kept with the booking (venue_busy_sync) and the venue's buffer.
ALTER TABLE venue_busy ADD COLUMN reach tstzrange;
-- +goose StatementBegin
DO $$
BEGIN
  PERFORM set_config('cogov.viewer_ready', 'on', true), set_config('cogov.system', 'on', true); -- venue is behind row-level security
  UPDATE venue_busy b SET reach = tstzrange(lower(b.held) - make_interval(mins => v.buffer_minutes), upper(b.held))
    FROM venue v WHERE v.id = b.venue_id;
END
$$;
-- +goose StatementEnd
ALTER TABLE venue_busy ALTER COLUMN reach SET NOT NULL;
CREATE INDEX venue_busy_reach_idx ON venue_busy USING gist (reach);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION venue_busy_sync() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status IN ('PENDING', 'APPROVED') AND NEW.status IN ('PENDING', 'APPROVED')
     AND OLD.held = NEW.held AND OLD.venue_id = NEW.venue_id THEN
    RETURN NULL;
  END IF;
  DELETE FROM venue_busy WHERE booking_id = NEW.id;
  IF NEW.status IN ('PENDING', 'APPROVED') THEN
    INSERT INTO venue_busy (booking_id, venue_id, held, reach)
      SELECT NEW.id, NEW.venue_id, NEW.held, tstzrange(lower(NEW.held) - make_interval(mins => v.buffer_minutes), upper(NEW.held))
      FROM venue v WHERE v.id = NEW.venue_id;
  END IF;
  RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION venue_busy_buffer() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  UPDATE venue_busy SET reach = tstzrange(lower(held) - make_interval(mins => NEW.buffer_minutes), upper(held))
    WHERE venue_id = NEW.id;
  RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER venue_busy_buffer AFTER UPDATE OF buffer_minutes ON venue FOR EACH ROW
  WHEN (OLD.buffer_minutes IS DISTINCT FROM NEW.buffer_minutes) EXECUTE FUNCTION venue_busy_buffer();

-- +goose Down
DROP TRIGGER venue_busy_buffer ON venue;
DROP FUNCTION venue_busy_buffer();
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION venue_busy_sync() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
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
ALTER TABLE venue_busy DROP COLUMN reach;
DROP INDEX venue_hours_day_idx;
DROP INDEX venue_order_idx;
