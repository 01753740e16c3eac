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

-- The bookings that hold any venue near a search's window, by time alone:
-- the search hashes them once instead of probing venue_busy_idx for each
-- candidate venue (internal/store venueSearch).
CREATE INDEX venue_busy_held_idx ON venue_busy USING gist (held);

-- +goose Down
DROP INDEX venue_busy_held_idx;
DROP INDEX venue_hours_day_idx;
DROP INDEX venue_order_idx;
