-- +goose Up
-- venue_open_hours: a range whose wall-clock times fall in a spring-forward
-- gap can come out inverted — in Europe/London on 2027-03-28 local 01:30
-- (which does not exist) is read as 01:30 UTC and 02:00 as 01:00 UTC — and
-- tstzrange refused it, failing the write that called it (a change of
-- hours, exceptions or the sub-district's time zone rebuilding venue_shut).
-- Such a range is open for no real time: it is now empty. Otherwise as in
-- 00002.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION venue_open_hours(v uuid, f timestamptz, t timestamptz, tz text) RETURNS tstzmultirange
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(range_agg(tstzrange(a, greatest(a, b))), '{}'::tstzmultirange) FROM (
    SELECT (d + make_interval(mins => h.opens_min)) AT TIME ZONE tz AS a,
           (d + make_interval(mins => h.closes_min)) AT TIME ZONE tz AS b
    FROM generate_series(date_trunc('day', f AT TIME ZONE tz) - interval '1 day', t AT TIME ZONE tz, interval '1 day') AS d
    JOIN venue_hours h ON h.venue_id = v AND h.weekday = extract(isodow FROM d)
    WHERE NOT EXISTS (SELECT 1 FROM venue_exception e WHERE e.venue_id = v AND e.day = d::date AND e.closed)
    UNION ALL
    SELECT (e.day + make_interval(mins => e.opens_min)) AT TIME ZONE tz,
           (e.day + make_interval(mins => e.closes_min)) AT TIME ZONE tz
    FROM venue_exception e
    WHERE e.venue_id = v AND NOT e.closed
      AND e.day BETWEEN (f AT TIME ZONE tz)::date - 1 AND (t AT TIME ZONE tz)::date
  ) ranges
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION venue_open_hours(v uuid, f timestamptz, t timestamptz, tz text) RETURNS tstzmultirange
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT coalesce(range_agg(r), '{}'::tstzmultirange) FROM (
    SELECT tstzrange((d + make_interval(mins => h.opens_min)) AT TIME ZONE tz,
                     (d + make_interval(mins => h.closes_min)) AT TIME ZONE tz) AS r
    FROM generate_series(date_trunc('day', f AT TIME ZONE tz) - interval '1 day', t AT TIME ZONE tz, interval '1 day') AS d
    JOIN venue_hours h ON h.venue_id = v AND h.weekday = extract(isodow FROM d)
    WHERE NOT EXISTS (SELECT 1 FROM venue_exception e WHERE e.venue_id = v AND e.day = d::date AND e.closed)
    UNION ALL
    SELECT tstzrange((e.day + make_interval(mins => e.opens_min)) AT TIME ZONE tz,
                     (e.day + make_interval(mins => e.closes_min)) AT TIME ZONE tz)
    FROM venue_exception e
    WHERE e.venue_id = v AND NOT e.closed
      AND e.day BETWEEN (f AT TIME ZONE tz)::date - 1 AND (t AT TIME ZONE tz)::date
  ) ranges
$$;
-- +goose StatementEnd
