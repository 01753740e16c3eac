-- +goose Up
-- When each venue is NOT open for the bookable horizon, as ranges: the
-- complement, within the horizon kept (venue_shut_kept.covered), of the
-- venue's opening hours (weekly hours and dated exceptions, as
-- venue_open_hours computes them) less its closures. A window inside the
-- horizon is open for a venue exactly when none of the venue's rows overlaps
-- it, so the venue search asks
--   v.id NOT IN (SELECT venue_id FROM venue_shut WHERE during && window)
-- — one probe of venue_shut_during_idx, hashed once per search like the
-- taken venues (venue_busy.reach, migration 00020) — instead of probing the
-- weekly hours and exceptions of each candidate venue. The complement rather
-- than the opening ranges themselves: the venues shut for a daytime window
-- are few, the venues open for it are nearly all of them, and a hashed set
-- costs what it holds. Windows outside the horizon (the past, or further
-- ahead than venue_shut_days) are checked exactly as before
-- (internal/store venueSearch).
--
-- Kept in the same transaction as every change of weekly hours, dated
-- exceptions, closures and the sub-district's time zone (statement
-- triggers, so that replacing a venue's hours rebuilds it once), and rolled
-- forward with the clock by venue_shut_keep, which the periodic job
-- cogov_venue_shut_roll calls with its clock's time for each sub-district
-- (store.RollVenueShut, internal/jobs); a new sub-district starts with the
-- horizon of cogov_now().
CREATE TABLE venue_shut_kept (
  subdistrict_id uuid PRIMARY KEY REFERENCES subdistrict (id) ON DELETE CASCADE,
  covered        tstzrange NOT NULL CHECK (NOT isempty(covered) AND NOT lower_inf(covered) AND NOT upper_inf(covered))
);

CREATE TABLE venue_shut (
  subdistrict_id uuid NOT NULL,
  venue_id       uuid NOT NULL,
  during         tstzrange NOT NULL,
  FOREIGN KEY (subdistrict_id, venue_id) REFERENCES venue (subdistrict_id, id) ON DELETE CASCADE
);
CREATE INDEX venue_shut_during_idx ON venue_shut USING gist (during);
CREATE INDEX venue_shut_venue_idx ON venue_shut (venue_id);
CREATE INDEX venue_shut_end_idx ON venue_shut (subdistrict_id, upper(during)); -- the rows a roll cuts and drops

GRANT SELECT ON venue_shut, venue_shut_kept TO cogov_app;

-- How many days ahead of the clock the horizon reaches (the default
-- max_days_ahead of a venue is 90).
-- +goose StatementBegin
CREATE FUNCTION venue_shut_days() RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT 120 $$;
-- +goose StatementEnd

-- The horizon for the clock now: from the start of yesterday (UTC) to
-- venue_shut_days() days after the start of tomorrow, so that it moves a
-- day at a time.
-- +goose StatementBegin
CREATE FUNCTION venue_shut_horizon(now timestamptz) RETURNS tstzrange LANGUAGE sql IMMUTABLE AS $$
  SELECT tstzrange(date_trunc('day', now AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '1 day',
                   date_trunc('day', now AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + make_interval(days => venue_shut_days() + 1))
$$;
-- +goose StatementEnd

-- venue_shut_of gives the rows of venue v within r: r less the opening hours
-- less the closures.
-- +goose StatementBegin
CREATE FUNCTION venue_shut_of(v uuid, r tstzrange, tz text) RETURNS SETOF tstzrange
LANGUAGE sql STABLE AS $$
  SELECT unnest(tstzmultirange(r) - (venue_open_hours(v, lower(r), upper(r), tz)
    - coalesce((SELECT range_agg(c.during) FROM venue_closure c WHERE c.venue_id = v AND c.during && r), '{}'::tstzmultirange)))
$$;
-- +goose StatementEnd

-- venue_shut_build recomputes the rows of the venues ids over their
-- sub-district's horizon.
-- +goose StatementBegin
CREATE FUNCTION venue_shut_build(ids uuid[]) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  prev text := coalesce(current_setting('cogov.system', true), '');
BEGIN
  PERFORM set_config('cogov.system', 'on', true); -- the hours and closures are behind row-level security
  DELETE FROM venue_shut WHERE venue_id = ANY(ids);
  INSERT INTO venue_shut (subdistrict_id, venue_id, during)
    SELECT v.subdistrict_id, v.id, r
    FROM venue v JOIN subdistrict s ON s.id = v.subdistrict_id JOIN venue_shut_kept k ON k.subdistrict_id = v.subdistrict_id
    CROSS JOIN LATERAL venue_shut_of(v.id, k.covered, s.time_zone) r
    WHERE v.id = ANY(ids);
  PERFORM set_config('cogov.system', prev, true);
END
$$;
-- +goose StatementEnd

-- venue_shut_keep moves sub-district sd's horizon to venue_shut_horizon(now):
-- the rows past the old end are computed and merged with the rows that
-- touch it, the rows that ended before the new start are dropped. A horizon
-- that is missing, moved back or left far behind is rebuilt.
-- +goose StatementBegin
CREATE FUNCTION venue_shut_keep(sd uuid, now timestamptz) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  prev text := coalesce(current_setting('cogov.system', true), '');
  want tstzrange := venue_shut_horizon(now);
  old tstzrange;
  tz text;
BEGIN
  SELECT k.covered INTO old FROM venue_shut_kept k WHERE k.subdistrict_id = sd FOR UPDATE;
  IF old = want THEN
    RETURN;
  END IF;
  PERFORM set_config('cogov.system', 'on', true);
  SELECT s.time_zone INTO tz FROM subdistrict s WHERE s.id = sd;
  IF old IS NULL OR upper(old) < lower(want) OR upper(old) > upper(want) OR lower(old) > lower(want) THEN
    INSERT INTO venue_shut_kept (subdistrict_id, covered) VALUES (sd, want)
      ON CONFLICT (subdistrict_id) DO UPDATE SET covered = EXCLUDED.covered;
    PERFORM venue_shut_build(ARRAY(SELECT v.id FROM venue v WHERE v.subdistrict_id = sd));
  ELSE
    WITH cut AS (
      DELETE FROM venue_shut o WHERE o.subdistrict_id = sd AND upper(o.during) = upper(old) RETURNING o.venue_id, o.during
    ), fresh AS (
      SELECT v.id AS venue_id, r AS during FROM venue v
      CROSS JOIN LATERAL venue_shut_of(v.id, tstzrange(upper(old), upper(want)), tz) r
      WHERE v.subdistrict_id = sd
    )
    INSERT INTO venue_shut (subdistrict_id, venue_id, during)
      SELECT sd, venue_id, unnest(range_agg(during)) FROM (SELECT * FROM cut UNION ALL SELECT * FROM fresh) x GROUP BY venue_id;
    DELETE FROM venue_shut o WHERE o.subdistrict_id = sd AND upper(o.during) <= lower(want);
    UPDATE venue_shut_kept SET covered = want WHERE subdistrict_id = sd;
  END IF;
  PERFORM set_config('cogov.system', prev, true);
END
$$;
-- +goose StatementEnd

GRANT EXECUTE ON FUNCTION venue_shut_keep(uuid, timestamptz), venue_shut_horizon(timestamptz) TO cogov_app;

-- Hours, exceptions and closures: rebuild the venues a statement touched.
-- +goose StatementBegin
CREATE FUNCTION venue_shut_touched() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM venue_shut_build(ARRAY(SELECT DISTINCT venue_id FROM n));
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM venue_shut_build(ARRAY(SELECT venue_id FROM n UNION SELECT venue_id FROM o));
  ELSE
    PERFORM venue_shut_build(ARRAY(SELECT DISTINCT venue_id FROM o));
  END IF;
  RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['venue_hours', 'venue_exception', 'venue_closure'] LOOP
    EXECUTE format('CREATE TRIGGER venue_shut_ins AFTER INSERT ON %I REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION venue_shut_touched()', t);
    EXECUTE format('CREATE TRIGGER venue_shut_upd AFTER UPDATE ON %I REFERENCING OLD TABLE AS o NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION venue_shut_touched()', t);
    EXECUTE format('CREATE TRIGGER venue_shut_del AFTER DELETE ON %I REFERENCING OLD TABLE AS o FOR EACH STATEMENT EXECUTE FUNCTION venue_shut_touched()', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

-- A new sub-district starts with its horizon (and no venues); a change of
-- its time zone moves every opening hour.
-- +goose StatementBegin
CREATE FUNCTION venue_shut_subdistrict() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO venue_shut_kept (subdistrict_id, covered) VALUES (NEW.id, venue_shut_horizon(cogov_now()));
  ELSE
    PERFORM venue_shut_build(ARRAY(SELECT v.id FROM venue v WHERE v.subdistrict_id = NEW.id));
  END IF;
  RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER venue_shut_new AFTER INSERT ON subdistrict FOR EACH ROW EXECUTE FUNCTION venue_shut_subdistrict();
CREATE TRIGGER venue_shut_zone AFTER UPDATE OF time_zone ON subdistrict FOR EACH ROW
  WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone) EXECUTE FUNCTION venue_shut_subdistrict();

-- +goose StatementBegin
DO $$
BEGIN
  PERFORM set_config('cogov.viewer_ready', 'on', true), set_config('cogov.system', 'on', true); -- behind row-level security
  PERFORM venue_shut_keep(id, cogov_now()) FROM subdistrict;
END
$$;
-- +goose StatementEnd

-- The venues taken for a window (venue_busy.reach, migration 00020) come
-- from the index alone: the index carries the venue, so the probe (≈ 5,000
-- rows at 10,000 venues for a two-hour window) reads no table pages.
DROP INDEX venue_busy_reach_idx;
CREATE INDEX venue_busy_reach_idx ON venue_busy USING gist (reach) INCLUDE (venue_id);

-- +goose Down
DROP INDEX venue_busy_reach_idx;
CREATE INDEX venue_busy_reach_idx ON venue_busy USING gist (reach);
DROP TRIGGER venue_shut_zone ON subdistrict;
DROP TRIGGER venue_shut_new ON subdistrict;
DROP FUNCTION venue_shut_subdistrict();
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['venue_hours', 'venue_exception', 'venue_closure'] LOOP
    EXECUTE format('DROP TRIGGER venue_shut_ins ON %I', t);
    EXECUTE format('DROP TRIGGER venue_shut_upd ON %I', t);
    EXECUTE format('DROP TRIGGER venue_shut_del ON %I', t);
  END LOOP;
END
$$;
-- +goose StatementEnd
DROP FUNCTION venue_shut_touched();
DROP FUNCTION venue_shut_keep(uuid, timestamptz);
DROP FUNCTION venue_shut_build(uuid[]);
DROP FUNCTION venue_shut_of(uuid, tstzrange, text);
DROP FUNCTION venue_shut_horizon(timestamptz);
DROP FUNCTION venue_shut_days();
DROP TABLE venue_shut, venue_shut_kept;
