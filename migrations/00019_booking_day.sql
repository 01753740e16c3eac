-- +goose Up
-- Per-day figures of the bookings that count (APPROVED and COMPLETED), per
-- venue and local day of the sub-district's time zone, kept in step with
-- booking by a trigger in the same transaction (insert, approval, move,
-- cancellation, no-show, attendance). A booking counts on the day it starts
-- (bookings, attendees); its time counts on each day it covers, split at the
-- sub-district's local midnights (held_us, microseconds). The dashboard sums
-- these rows for the whole days of a period and computes partial edge days
-- from booking itself (booking_figures), so its figures stay exact for any
-- period; TestBookingDayExact compares the two over random bookings.
CREATE TABLE booking_day (
  subdistrict_id uuid NOT NULL,
  venue_id       uuid NOT NULL,
  day            date NOT NULL,
  bookings       bigint NOT NULL DEFAULT 0,
  attendees      bigint NOT NULL DEFAULT 0,
  held_us        bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (subdistrict_id, venue_id, day),
  FOREIGN KEY (subdistrict_id, venue_id) REFERENCES venue (subdistrict_id, id) ON DELETE CASCADE
);
CREATE INDEX booking_day_period_idx ON booking_day (subdistrict_id, day) INCLUDE (venue_id, bookings, attendees, held_us);

-- Readable as booking is (read_public); written only by the trigger, which
-- runs as the owner.
ALTER TABLE booking_day ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_public ON booking_day FOR SELECT USING (cogov_viewer_ready());
GRANT SELECT ON booking_day TO cogov_app;

-- booking_day_parts splits one booking at the local midnights of tz: a row
-- per day it covers, with its time in that day, and itself and its
-- attendees on the day it starts.
-- +goose StatementBegin
CREATE FUNCTION booking_day_parts(tz text, during tstzrange, att integer)
RETURNS TABLE (day date, bookings integer, attendees integer, held_us bigint)
LANGUAGE sql STABLE AS $$
  SELECT x.day, x.first::int, CASE WHEN x.first THEN coalesce(att, 0) ELSE 0 END,
    (extract(epoch FROM upper(x.part) - lower(x.part)) * 1000000)::bigint
  FROM generate_series(date_trunc('day', lower(during) AT TIME ZONE tz), upper(during) AT TIME ZONE tz, interval '1 day') d
  CROSS JOIN LATERAL (SELECT d::date AS day, d = date_trunc('day', lower(during) AT TIME ZONE tz) AS first,
    during * tstzrange(d AT TIME ZONE tz, (d + interval '1 day') AT TIME ZONE tz) AS part) x
  WHERE NOT isempty(x.part)
$$;
-- +goose StatementEnd

-- booking_day_apply adds sign times one booking's figures to its days.
-- +goose StatementBegin
CREATE FUNCTION booking_day_apply(sd uuid, v uuid, during tstzrange, att integer, sign integer) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  INSERT INTO booking_day AS bd (subdistrict_id, venue_id, day, bookings, attendees, held_us)
  SELECT sd, v, p.day, sign * p.bookings, sign * p.attendees, sign * p.held_us
  FROM subdistrict s CROSS JOIN LATERAL booking_day_parts(s.time_zone, during, att) p
  WHERE s.id = sd
  ON CONFLICT (subdistrict_id, venue_id, day) DO UPDATE
    SET bookings = bd.bookings + excluded.bookings, attendees = bd.attendees + excluded.attendees,
        held_us = bd.held_us + excluded.held_us
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION booking_day_sync() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (OLD.status IN ('APPROVED', 'COMPLETED')) = (NEW.status IN ('APPROVED', 'COMPLETED'))
     AND OLD.during = NEW.during AND OLD.venue_id = NEW.venue_id AND OLD.subdistrict_id = NEW.subdistrict_id
     AND OLD.actual_attendees IS NOT DISTINCT FROM NEW.actual_attendees THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN ('APPROVED', 'COMPLETED') THEN
    PERFORM booking_day_apply(OLD.subdistrict_id, OLD.venue_id, OLD.during, OLD.actual_attendees, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN ('APPROVED', 'COMPLETED') THEN
    PERFORM booking_day_apply(NEW.subdistrict_id, NEW.venue_id, NEW.during, NEW.actual_attendees, 1);
  END IF;
  RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER booking_day AFTER INSERT OR UPDATE OR DELETE ON booking FOR EACH ROW EXECUTE FUNCTION booking_day_sync();

-- booking_day_rebuild recomputes a sub-district's rows (the migration, and a
-- change of its time zone, which moves the local midnights).
-- +goose StatementBegin
CREATE FUNCTION booking_day_rebuild(sd uuid) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  prev text := coalesce(current_setting('cogov.system', true), '');
BEGIN
  PERFORM set_config('cogov.system', 'on', true);
  DELETE FROM booking_day WHERE subdistrict_id = sd;
  INSERT INTO booking_day (subdistrict_id, venue_id, day, bookings, attendees, held_us)
  SELECT sd, b.venue_id, p.day, sum(p.bookings), sum(p.attendees), sum(p.held_us)
  FROM subdistrict s JOIN booking b ON b.subdistrict_id = s.id AND b.status IN ('APPROVED', 'COMPLETED')
  CROSS JOIN LATERAL booking_day_parts(s.time_zone, b.during, b.actual_attendees) p
  WHERE s.id = sd
  GROUP BY b.venue_id, p.day;
  PERFORM set_config('cogov.system', prev, true);
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION booking_day_zone() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM booking_day_rebuild(NEW.id);
  RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER booking_day_zone AFTER UPDATE OF time_zone ON subdistrict FOR EACH ROW
  WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone) EXECUTE FUNCTION booking_day_zone();

-- +goose StatementBegin
DO $$
BEGIN
  PERFORM set_config('cogov.viewer_ready', 'on', true), set_config('cogov.system', 'on', true);
  PERFORM booking_day_rebuild(id) FROM subdistrict;
END
$$;
-- +goose StatementEnd

-- booking_figures gives each venue of a sub-district with counted bookings
-- in [f, t): the bookings starting in it, their attendees, and the
-- microseconds booked inside it. Whole local days come from booking_day;
-- the parts of f's and t's days outside them (when f or t is not a local
-- midnight) from booking directly.
-- +goose StatementBegin
CREATE FUNCTION booking_figures(sd uuid, f timestamptz, t timestamptz)
RETURNS TABLE (venue_id uuid, bookings bigint, attendees bigint, held_us numeric)
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  tz text;
  fd date;
  td date;
  head tstzrange;
  tail tstzrange := 'empty';
BEGIN
  SELECT s.time_zone INTO tz FROM subdistrict s WHERE s.id = sd;
  IF tz IS NULL THEN
    RETURN;
  END IF;
  fd := (f AT TIME ZONE tz)::date;
  IF f AT TIME ZONE tz <> fd::timestamp THEN
    fd := fd + 1;
  END IF;
  td := (t AT TIME ZONE tz)::date;
  IF fd < td THEN
    head := tstzrange(f, fd::timestamp AT TIME ZONE tz);
    tail := tstzrange(td::timestamp AT TIME ZONE tz, t);
  ELSE
    head := tstzrange(f, t);
  END IF;
  IF isempty(head) AND isempty(tail) THEN -- whole days only
    RETURN QUERY SELECT bd.venue_id, sum(bd.bookings)::bigint, sum(bd.attendees)::bigint, sum(bd.held_us)
      FROM booking_day bd WHERE bd.subdistrict_id = sd AND bd.day >= fd AND bd.day < td GROUP BY bd.venue_id;
    RETURN;
  END IF;
  RETURN QUERY
  WITH parts AS (
    SELECT bd.venue_id, bd.bookings, bd.attendees, bd.held_us::numeric AS held_us
    FROM booking_day bd WHERE bd.subdistrict_id = sd AND bd.day >= fd AND bd.day < td
    UNION ALL
    SELECT b.venue_id, (lower(b.during) <@ e.r)::int::bigint,
      CASE WHEN lower(b.during) <@ e.r THEN coalesce(b.actual_attendees, 0) ELSE 0 END::bigint,
      extract(epoch FROM upper(b.during * e.r) - lower(b.during * e.r)) * 1000000
    FROM (VALUES (head), (tail)) e(r)
    JOIN venue v ON v.subdistrict_id = sd AND NOT isempty(e.r)
    JOIN booking b ON b.venue_id = v.id AND b.during && e.r AND b.status IN ('APPROVED', 'COMPLETED')
  )
  SELECT p.venue_id, sum(p.bookings)::bigint, sum(p.attendees)::bigint, sum(p.held_us) FROM parts p GROUP BY p.venue_id;
END
$fn$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION booking_figures(uuid, timestamptz, timestamptz) TO cogov_app;

-- subdistrict_open_us gives the microseconds the active venues of a
-- sub-district are open in [f, t): the sum over them of the measure of
-- venue_open_hours(v, f, t, tz) within [f, t). Weekly and dated ranges end
-- by 24:00, so days are independent. Whole local days of 24 hours are
-- counted in minutes: without a dated exception of the venue by weekday
-- from its weekly hours (the ranges of one weekday never overlap), with
-- one as the union of that day's ranges. Days that are not 24 hours long
-- (a daylight-saving change) and the parts of f's and t's days outside
-- whole days go through venue_open_hours. plpgsql, so that the plans are
-- kept for the session.
-- +goose StatementBegin
CREATE FUNCTION subdistrict_open_us(sd uuid, f timestamptz, t timestamptz) RETURNS numeric
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  tz text;
  fd date;
  td date;
  head tstzrange;
  tail tstzrange := 'empty';
  total numeric;
BEGIN
  SELECT s.time_zone INTO tz FROM subdistrict s WHERE s.id = sd;
  IF tz IS NULL THEN
    RETURN 0;
  END IF;
  fd := (f AT TIME ZONE tz)::date;
  IF f AT TIME ZONE tz <> fd::timestamp THEN
    fd := fd + 1;
  END IF;
  td := (t AT TIME ZONE tz)::date;
  IF fd < td THEN
    head := tstzrange(f, fd::timestamp AT TIME ZONE tz);
    tail := tstzrange(td::timestamp AT TIME ZONE tz, t);
  ELSE
    head := tstzrange(f, t);
  END IF;
  WITH days AS (
    SELECT g::date AS day, extract(isodow FROM g)::int AS wd,
      ((g + interval '1 day') AT TIME ZONE tz) - (g AT TIME ZONE tz) = interval '24 hours' AS plain
    FROM generate_series(fd::timestamp, td::timestamp - interval '1 day', interval '1 day') g
  ), weekdays AS (
    SELECT wd, count(*) AS n FROM days WHERE plain GROUP BY wd
  ), odd AS (
    SELECT day FROM days WHERE NOT plain
  ), shared AS (
    SELECT v.id FROM venue v WHERE v.subdistrict_id = sd AND v.active
  ), ex AS (
    SELECT DISTINCT e.venue_id, e.day, extract(isodow FROM e.day)::int AS wd
    FROM shared JOIN venue_exception e ON e.venue_id = shared.id AND e.day >= fd AND e.day < td
    WHERE e.day NOT IN (SELECT day FROM odd)
  ), exn AS (
    SELECT venue_id, wd, count(*) AS n FROM ex GROUP BY venue_id, wd
  ), exr AS (
    SELECT ex.venue_id, ex.day, int4range(h.opens_min, h.closes_min) AS r
      FROM ex JOIN venue_hours h ON h.venue_id = ex.venue_id AND h.weekday = ex.wd
      WHERE NOT EXISTS (SELECT 1 FROM venue_exception c WHERE c.venue_id = ex.venue_id AND c.day = ex.day AND c.closed)
    UNION ALL
    SELECT ex.venue_id, ex.day, int4range(e.opens_min, e.closes_min)
      FROM ex JOIN venue_exception e ON e.venue_id = ex.venue_id AND e.day = ex.day AND NOT e.closed
  ), exm AS (
    SELECT range_agg(r) AS m FROM exr GROUP BY venue_id, day
  ), ranges AS (
    SELECT shared.id AS venue_id, tstzrange(odd.day::timestamp AT TIME ZONE tz, (odd.day + 1)::timestamp AT TIME ZONE tz) AS r
      FROM odd CROSS JOIN shared
    UNION ALL SELECT shared.id, head FROM shared WHERE NOT isempty(head)
    UNION ALL SELECT shared.id, tail FROM shared WHERE NOT isempty(tail)
  )
  SELECT coalesce((SELECT sum((weekdays.n - coalesce(exn.n, 0)) * (h.closes_min - h.opens_min)::numeric * 60000000)
      FROM weekdays JOIN venue_hours h ON h.weekday = weekdays.wd JOIN shared ON shared.id = h.venue_id
      LEFT JOIN exn ON exn.venue_id = h.venue_id AND exn.wd = h.weekday), 0)
    + coalesce((SELECT sum(upper(u) - lower(u))::numeric * 60000000 FROM exm, LATERAL unnest(exm.m) u), 0)
    + coalesce((SELECT sum(extract(epoch FROM upper(o) - lower(o)) * 1000000) FROM ranges,
      LATERAL unnest(venue_open_hours(ranges.venue_id, lower(ranges.r), upper(ranges.r), tz) * tstzmultirange(ranges.r)) o), 0)
  INTO total;
  RETURN total;
END
$fn$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION subdistrict_open_us(uuid, timestamptz, timestamptz) TO cogov_app;

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
  ),
  shared AS (SELECT v.id, v.unit_id, v.area_sqm FROM venue v WHERE v.subdistrict_id = sd AND v.active),
  counted AS (SELECT * FROM booking_figures(sd, f, t))
  SELECT
    (SELECT count(*) FROM membership m, s WHERE m.subdistrict_id = sd AND m.part_time AND m.term_start <= s.last_local::date
       AND (m.term_end IS NULL OR m.term_end >= s.last_local::date)),
    (SELECT count(DISTINCT unit_id) FROM shared),
    (SELECT coalesce(sum(area_sqm), 0)::float8 FROM shared),
    (SELECT coalesce(sum(c.bookings), 0) FROM counted c),
    (SELECT coalesce(sum(c.held_us) / 1000000, 0)::float8 / 3600 FROM counted c),
    (SELECT coalesce(sum(c.attendees), 0) FROM counted c),
    (subdistrict_open_us(sd, f, t) / 1000000)::float8 / 3600,
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
DROP FUNCTION subdistrict_open_us(uuid, timestamptz, timestamptz);
DROP FUNCTION booking_figures(uuid, timestamptz, timestamptz);
DROP TRIGGER booking_day_zone ON subdistrict;
DROP FUNCTION booking_day_zone();
DROP FUNCTION booking_day_rebuild(uuid);
DROP TRIGGER booking_day ON booking;
DROP FUNCTION booking_day_sync();
DROP FUNCTION booking_day_apply(uuid, uuid, tstzrange, integer, integer);
DROP FUNCTION booking_day_parts(text, tstzrange, integer);
DROP TABLE booking_day;
