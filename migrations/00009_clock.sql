-- +goose Up
-- The present is an input. The store tells each transaction what time it is
-- (cogov.now, from the clock the services are given) beside who is asking,
-- and SQL that needs "today" — which terms are current, how much of a period
-- has passed — asks cogov_now() instead of now(). Outside a request it falls
-- back to the transaction's start, so ad-hoc SQL keeps working. Record
-- timestamps (created_at, updated_at, at) default to it too: when a need was
-- posted or a project launched is part of the figures, which must agree with
-- the clock that placed everything else.

-- +goose StatementBegin
CREATE FUNCTION cogov_now() RETURNS timestamptz LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('cogov.now', true), '')::timestamptz, now())
$$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION cogov_now() TO cogov_app;

-- +goose StatementBegin
DO $$
DECLARE c record;
BEGIN
  FOR c IN SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = 'public' AND column_default = 'now()' LOOP
    EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET DEFAULT cogov_now()', c.table_name, c.column_name);
  END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION subdistrict_stats(sd uuid, f timestamptz, t timestamptz, OUT part_time_members bigint,
  OUT units_sharing_venues bigint, OUT shared_area_sqm float8, OUT bookings_approved bigint, OUT booked_hours float8,
  OUT attendees bigint, OUT open_hours float8, OUT joint_meetings_held bigint, OUT needs_open bigint, OUT needs_met bigint,
  OUT projects_active bigint, OUT projects_completed bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  prev text := coalesce(current_setting('cogov.system', true), '');
BEGIN
  IF NOT cogov_viewer_ready() THEN
    RETURN; -- outside a request's transaction nothing is visible, figures included
  END IF;
  PERFORM set_config('cogov.system', 'on', true);
  WITH s AS (
    SELECT id, time_zone, (least(t, cogov_now()) - interval '1 microsecond') AT TIME ZONE time_zone AS last_local FROM subdistrict WHERE id = sd
  ), period AS (SELECT tstzrange(f, t) AS r),
  shared AS (SELECT v.id, v.unit_id, v.area_sqm FROM venue v WHERE v.subdistrict_id = sd AND v.active),
  counted AS (
    SELECT b.* FROM booking b, period WHERE b.subdistrict_id = sd AND b.status IN ('APPROVED', 'COMPLETED') AND b.during && period.r
  )
  SELECT
    (SELECT count(*) FROM membership m, s WHERE m.subdistrict_id = sd AND m.part_time AND m.term_start <= s.last_local::date
       AND (m.term_end IS NULL OR m.term_end >= s.last_local::date)),
    (SELECT count(DISTINCT unit_id) FROM shared),
    (SELECT coalesce(sum(area_sqm), 0)::float8 FROM shared),
    (SELECT count(*) FROM counted WHERE lower(during) >= f AND lower(during) < t),
    (SELECT coalesce(sum(extract(epoch FROM upper(c.during * period.r) - lower(c.during * period.r))), 0)::float8 / 3600
       FROM counted c, period),
    (SELECT coalesce(sum(actual_attendees), 0) FROM counted WHERE lower(during) >= f AND lower(during) < t),
    (SELECT coalesce(sum(extract(epoch FROM upper(r) - lower(r))), 0)::float8 / 3600
       FROM shared, s, LATERAL unnest(venue_open_hours(shared.id, f, t, s.time_zone) * tstzmultirange(tstzrange(f, t))) r),
    (SELECT count(*) FROM joint_meeting j WHERE j.subdistrict_id = sd AND j.status = 'HELD' AND j.starts_at >= f AND j.starts_at < t),
    (SELECT count(*) FROM need n WHERE n.subdistrict_id = sd AND n.created_at < t AND coalesce(n.met_at, n.closed_at, 'infinity') >= t),
    (SELECT count(*) FROM need n WHERE n.subdistrict_id = sd AND n.met_at >= f AND n.met_at < t),
    (SELECT count(*) FROM project p WHERE p.subdistrict_id = sd AND p.created_at < t AND coalesce(p.ended_at, 'infinity') >= t),
    (SELECT count(*) FROM project p WHERE p.subdistrict_id = sd AND p.status = 'COMPLETED' AND p.ended_at >= f AND p.ended_at < t)
  INTO part_time_members, units_sharing_venues, shared_area_sqm, bookings_approved, booked_hours, attendees, open_hours,
    joint_meetings_held, needs_open, needs_met, projects_active, projects_completed;
  PERFORM set_config('cogov.system', prev, true);
END
$fn$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE c record;
BEGIN
  FOR c IN SELECT table_name, column_name FROM information_schema.columns
    WHERE table_schema = 'public' AND column_default = 'cogov_now()' LOOP
    EXECUTE format('ALTER TABLE %I ALTER COLUMN %I SET DEFAULT now()', c.table_name, c.column_name);
  END LOOP;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION subdistrict_stats(sd uuid, f timestamptz, t timestamptz, OUT part_time_members bigint,
  OUT units_sharing_venues bigint, OUT shared_area_sqm float8, OUT bookings_approved bigint, OUT booked_hours float8,
  OUT attendees bigint, OUT open_hours float8, OUT joint_meetings_held bigint, OUT needs_open bigint, OUT needs_met bigint,
  OUT projects_active bigint, OUT projects_completed bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  prev text := coalesce(current_setting('cogov.system', true), '');
BEGIN
  IF NOT cogov_viewer_ready() THEN
    RETURN; -- outside a request's transaction nothing is visible, figures included
  END IF;
  PERFORM set_config('cogov.system', 'on', true);
  WITH s AS (
    SELECT id, time_zone, (least(t, now()) - interval '1 microsecond') AT TIME ZONE time_zone AS last_local FROM subdistrict WHERE id = sd
  ), period AS (SELECT tstzrange(f, t) AS r),
  shared AS (SELECT v.id, v.unit_id, v.area_sqm FROM venue v WHERE v.subdistrict_id = sd AND v.active),
  counted AS (
    SELECT b.* FROM booking b, period WHERE b.subdistrict_id = sd AND b.status IN ('APPROVED', 'COMPLETED') AND b.during && period.r
  )
  SELECT
    (SELECT count(*) FROM membership m, s WHERE m.subdistrict_id = sd AND m.part_time AND m.term_start <= s.last_local::date
       AND (m.term_end IS NULL OR m.term_end >= s.last_local::date)),
    (SELECT count(DISTINCT unit_id) FROM shared),
    (SELECT coalesce(sum(area_sqm), 0)::float8 FROM shared),
    (SELECT count(*) FROM counted WHERE lower(during) >= f AND lower(during) < t),
    (SELECT coalesce(sum(extract(epoch FROM upper(c.during * period.r) - lower(c.during * period.r))), 0)::float8 / 3600
       FROM counted c, period),
    (SELECT coalesce(sum(actual_attendees), 0) FROM counted WHERE lower(during) >= f AND lower(during) < t),
    (SELECT coalesce(sum(extract(epoch FROM upper(r) - lower(r))), 0)::float8 / 3600
       FROM shared, s, LATERAL unnest(venue_open_hours(shared.id, f, t, s.time_zone) * tstzmultirange(tstzrange(f, t))) r),
    (SELECT count(*) FROM joint_meeting j WHERE j.subdistrict_id = sd AND j.status = 'HELD' AND j.starts_at >= f AND j.starts_at < t),
    (SELECT count(*) FROM need n WHERE n.subdistrict_id = sd AND n.created_at < t AND coalesce(n.met_at, n.closed_at, 'infinity') >= t),
    (SELECT count(*) FROM need n WHERE n.subdistrict_id = sd AND n.met_at >= f AND n.met_at < t),
    (SELECT count(*) FROM project p WHERE p.subdistrict_id = sd AND p.created_at < t AND coalesce(p.ended_at, 'infinity') >= t),
    (SELECT count(*) FROM project p WHERE p.subdistrict_id = sd AND p.status = 'COMPLETED' AND p.ended_at >= f AND p.ended_at < t)
  INTO part_time_members, units_sharing_venues, shared_area_sqm, bookings_approved, booked_hours, attendees, open_hours,
    joint_meetings_held, needs_open, needs_met, projects_active, projects_completed;
  PERFORM set_config('cogov.system', prev, true);
END
$fn$;
-- +goose StatementEnd
DROP FUNCTION cogov_now();
