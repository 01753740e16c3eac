-- +goose Up
-- The dashboard's figures for a year cost less in PostgreSQL, and stay
-- exact (TestBookingDayExact, TestOpenUsLongPeriods).
--
-- subdistrict_open_us no longer lists every day of the period with its
-- weekday and length: the whole days fall on each weekday a number of times
-- that is arithmetic (n / 7, plus one for the first n % 7 weekdays from the
-- first day's), less the days that are not 24 hours long, found from the
-- local midnights in one pass. The active venues' weekly minutes are summed
-- once, weighted by those numbers; the (venue, day) pairs with a dated
-- exception swap that day's weekly minutes for the measure of the union of
-- its ranges, as before; days that are not 24 hours long and the parts of
-- f's and t's days go through venue_open_hours, as before. Each statement
-- is small and plans the same for every period, so plpgsql keeps a generic
-- plan (the one statement of 00019 was planned afresh at each call: about
-- 2 ms of its 2.4).
--
-- subdistrict_stats reads the sub-district's time zone and last local day
-- once, before its statement, instead of in a join evaluated per
-- membership row. Otherwise as in 00019.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION subdistrict_open_us(sd uuid, f timestamptz, t timestamptz) RETURNS numeric
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
  tz text;
  fd date;
  td date;
  head tstzrange;
  tail tstzrange := 'empty';
  midnights timestamptz[];
  odd date[] := '{}';
  n integer;
  per_weekday bigint[];
  total numeric := 0;
  part numeric;
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
    -- the whole days that are not 24 hours long: between local midnights
    midnights := ARRAY(SELECT g AT TIME ZONE tz FROM generate_series(fd::timestamp, td::timestamp, interval '1 day') g);
    odd := ARRAY(SELECT fd + i - 1 FROM generate_series(1, td - fd) i WHERE midnights[i + 1] - midnights[i] <> interval '24 hours');
    -- the number of the other whole days falling on each weekday (ISO 1..7)
    n := td - fd;
    per_weekday := ARRAY(SELECT n / 7 + CASE WHEN (w - extract(isodow FROM fd)::int + 7) % 7 < n % 7 THEN 1 ELSE 0 END
        - (SELECT count(*) FROM unnest(odd) o WHERE extract(isodow FROM o) = w)
      FROM generate_series(1, 7) w ORDER BY w);
    -- their weekly hours
    SELECT coalesce(sum((h.closes_min - h.opens_min) * per_weekday[h.weekday]), 0) INTO part
      FROM venue v JOIN venue_hours h ON h.venue_id = v.id WHERE v.subdistrict_id = sd AND v.active;
    total := part * 60000000;
    -- those with a dated exception: the day's ranges instead of its weekly hours
    SELECT coalesce(sum(
        (SELECT coalesce(sum(upper(u) - lower(u)), 0) FROM unnest(
          coalesce((SELECT range_agg(int4range(h.opens_min, h.closes_min)) FROM venue_hours h
            WHERE h.venue_id = x.venue_id AND h.weekday = extract(isodow FROM x.day)
              AND NOT EXISTS (SELECT 1 FROM venue_exception c WHERE c.venue_id = x.venue_id AND c.day = x.day AND c.closed)), '{}')
          + coalesce((SELECT range_agg(int4range(e.opens_min, e.closes_min)) FROM venue_exception e
            WHERE e.venue_id = x.venue_id AND e.day = x.day AND NOT e.closed), '{}')) u)
        - (SELECT coalesce(sum(h.closes_min - h.opens_min), 0) FROM venue_hours h
            WHERE h.venue_id = x.venue_id AND h.weekday = extract(isodow FROM x.day))), 0) INTO part
      FROM (SELECT DISTINCT e.venue_id, e.day FROM venue v JOIN venue_exception e ON e.venue_id = v.id
        WHERE v.subdistrict_id = sd AND v.active AND e.day >= fd AND e.day < td AND e.day <> ALL (odd)) x;
    total := total + part * 60000000;
  ELSE
    head := tstzrange(f, t);
  END IF;
  -- the days that are not 24 hours long and the parts of f's and t's days
  IF cardinality(odd) > 0 OR NOT isempty(head) OR NOT isempty(tail) THEN
    SELECT coalesce(sum(extract(epoch FROM upper(o) - lower(o)) * 1000000), 0) INTO part
      FROM (SELECT tstzrange(d::timestamp AT TIME ZONE tz, (d + 1)::timestamp AT TIME ZONE tz) AS r FROM unnest(odd) d
        UNION ALL SELECT head WHERE NOT isempty(head)
        UNION ALL SELECT tail WHERE NOT isempty(tail)) p
      CROSS JOIN venue v, LATERAL unnest(venue_open_hours(v.id, lower(p.r), upper(p.r), tz) * tstzmultirange(p.r)) o
      WHERE v.subdistrict_id = sd AND v.active;
    total := total + part;
  END IF;
  RETURN total;
END
$fn$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION subdistrict_stats(sd uuid, f timestamptz, t timestamptz, OUT part_time_members bigint,
  OUT units_sharing_venues bigint, OUT shared_area_sqm float8, OUT bookings_approved bigint, OUT booked_hours float8,
  OUT attendees bigint, OUT open_hours float8, OUT joint_meetings_held bigint, OUT needs_open bigint, OUT needs_met bigint,
  OUT projects_active bigint, OUT projects_completed bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  prev text := coalesce(current_setting('cogov.system', true), '');
  last_day date;
BEGIN
  IF NOT cogov_viewer_ready() THEN
    RETURN; -- outside a request's transaction nothing is visible, figures included
  END IF;
  PERFORM set_config('cogov.system', 'on', true);
  -- the period's last local day that has begun (NULL without the sub-district: no members)
  SELECT ((least(t, cogov_now()) - interval '1 microsecond') AT TIME ZONE s.time_zone)::date INTO last_day
    FROM subdistrict s WHERE s.id = sd;
  WITH shared AS (SELECT v.unit_id, v.area_sqm FROM venue v WHERE v.subdistrict_id = sd AND v.active),
  counted AS (SELECT * FROM booking_figures(sd, f, t))
  SELECT
    (SELECT count(*) FROM membership m WHERE m.subdistrict_id = sd AND m.part_time AND m.term_start <= last_day
       AND (m.term_end IS NULL OR m.term_end >= last_day)),
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
CREATE OR REPLACE FUNCTION subdistrict_open_us(sd uuid, f timestamptz, t timestamptz) RETURNS numeric
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
