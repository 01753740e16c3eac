-- +goose Up
-- Shared venues and their bookings. A stationed unit offers a venue located in
-- a community; committees book it. Every table carries subdistrict_id and its
-- references are composite (subdistrict_id, id), so no row can point into
-- another sub-district (row-level security on subdistrict_id comes later).

CREATE TABLE venue (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id       uuid NOT NULL,
  unit_id              uuid NOT NULL,
  community_id         uuid NOT NULL,
  name                 text NOT NULL CHECK (btrim(name) <> ''),
  kind                 text NOT NULL CHECK (kind IN ('SERVICE_SPACE', 'ACTIVITY_CENTRE', 'MEETING_ROOM', 'HALL',
                         'SPORTS_GROUND', 'CAR_PARK', 'OTHER')),
  address              text NOT NULL DEFAULT '',
  area_sqm             numeric(10, 2) CHECK (area_sqm > 0),
  capacity             integer NOT NULL CHECK (capacity > 0),
  facilities           text[] NOT NULL DEFAULT '{}',
  description          text NOT NULL DEFAULT '',
  photo_urls           text[] NOT NULL DEFAULT '{}',
  active               boolean NOT NULL DEFAULT true,
  -- The booking rules: one set per venue, so they live on its row.
  requires_approval    boolean NOT NULL DEFAULT true,
  min_duration_minutes integer NOT NULL DEFAULT 30 CHECK (min_duration_minutes > 0),
  max_duration_minutes integer NOT NULL DEFAULT 480,
  min_notice_minutes   integer NOT NULL DEFAULT 0 CHECK (min_notice_minutes >= 0),
  max_days_ahead       integer NOT NULL DEFAULT 90 CHECK (max_days_ahead BETWEEN 1 AND 730),
  buffer_minutes       integer NOT NULL DEFAULT 0 CHECK (buffer_minutes BETWEEN 0 AND 1440),
  eligibility          text NOT NULL DEFAULT 'ALL_COMMITTEES_OF_SUBDISTRICT'
                         CHECK (eligibility IN ('ALL_COMMITTEES_OF_SUBDISTRICT', 'LISTED_COMMITTEES')),
  weekly_quota_minutes integer CHECK (weekly_quota_minutes > 0),
  demo                 boolean NOT NULL DEFAULT false,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subdistrict_id, id),
  UNIQUE (unit_id, name),
  FOREIGN KEY (subdistrict_id, unit_id) REFERENCES unit (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, community_id) REFERENCES community (subdistrict_id, id),
  CONSTRAINT venue_duration_order CHECK (max_duration_minutes >= min_duration_minutes)
);
-- The directory search filters on these; facilities with @> uses the GIN index.
CREATE INDEX venue_search_idx ON venue (subdistrict_id, capacity, name) WHERE active;
CREATE INDEX venue_community_idx ON venue (community_id);
CREATE INDEX venue_facilities_idx ON venue USING gin (facilities);

-- The committees that may book a venue whose eligibility is LISTED_COMMITTEES.
CREATE TABLE venue_eligible_committee (
  subdistrict_id uuid NOT NULL,
  venue_id       uuid NOT NULL,
  committee_id   uuid NOT NULL,
  PRIMARY KEY (venue_id, committee_id),
  FOREIGN KEY (subdistrict_id, venue_id) REFERENCES venue (subdistrict_id, id) ON DELETE CASCADE,
  FOREIGN KEY (subdistrict_id, committee_id) REFERENCES committee (subdistrict_id, id)
);

-- Weekly opening hours in the sub-district's time zone: several ranges a day
-- (weekday 1 = Monday .. 7 = Sunday, ISO), minutes after midnight, a range may
-- end at 24:00. A night opening is two ranges, up to 24:00 and from 00:00 the
-- next day; the evaluation joins ranges that touch.
CREATE TABLE venue_hours (
  subdistrict_id uuid NOT NULL,
  venue_id       uuid NOT NULL,
  weekday        smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  opens_min      integer NOT NULL CHECK (opens_min BETWEEN 0 AND 1439),
  closes_min     integer NOT NULL CHECK (closes_min BETWEEN 1 AND 1440),
  FOREIGN KEY (subdistrict_id, venue_id) REFERENCES venue (subdistrict_id, id) ON DELETE CASCADE,
  CONSTRAINT venue_hours_order CHECK (closes_min > opens_min),
  CONSTRAINT venue_hours_no_overlap EXCLUDE USING gist (venue_id WITH =, weekday WITH =, int4range(opens_min, closes_min) WITH &&)
);

-- Dated exceptions: a CLOSED row closes the day (weekly hours do not apply);
-- rows that are not closed add opening ranges on that day, on top of the
-- weekly hours or, on a closed day, instead of them (special hours).
CREATE TABLE venue_exception (
  subdistrict_id uuid NOT NULL,
  venue_id       uuid NOT NULL,
  day            date NOT NULL,
  closed         boolean NOT NULL,
  opens_min      integer CHECK (opens_min BETWEEN 0 AND 1439),
  closes_min     integer CHECK (closes_min BETWEEN 1 AND 1440),
  note           text NOT NULL DEFAULT '',
  FOREIGN KEY (subdistrict_id, venue_id) REFERENCES venue (subdistrict_id, id) ON DELETE CASCADE,
  CONSTRAINT venue_exception_shape CHECK (closed = (opens_min IS NULL) AND (opens_min IS NULL) = (closes_min IS NULL)
    AND (closes_min IS NULL OR closes_min > opens_min))
);
CREATE INDEX venue_exception_idx ON venue_exception (venue_id, day);

-- Maintenance blackouts.
CREATE TABLE venue_closure (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL,
  venue_id       uuid NOT NULL,
  during         tstzrange NOT NULL CHECK (NOT isempty(during) AND NOT lower_inf(during) AND NOT upper_inf(during)),
  reason         text NOT NULL DEFAULT '',
  demo           boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, venue_id) REFERENCES venue (subdistrict_id, id) ON DELETE CASCADE
);
CREATE INDEX venue_closure_idx ON venue_closure USING gist (venue_id, during);

-- One requestBooking call: its idempotency key, the fingerprint of what was
-- asked (to tell a replay from a different request under the same key) and
-- what it skipped. A recurring request's bookings form its series.
CREATE TABLE booking_request (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id  uuid NOT NULL,
  venue_id        uuid NOT NULL,
  committee_id    uuid NOT NULL,
  idempotency_key text,
  fingerprint     text NOT NULL,
  recurring       boolean NOT NULL,
  skipped         jsonb NOT NULL DEFAULT '[]',
  requested_by    uuid,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, venue_id) REFERENCES venue (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, committee_id) REFERENCES committee (subdistrict_id, id),
  CONSTRAINT booking_request_key CHECK (idempotency_key IS NULL OR length(idempotency_key) BETWEEN 1 AND 200)
);
CREATE UNIQUE INDEX booking_request_idempotency ON booking_request (subdistrict_id, idempotency_key)
  WHERE idempotency_key IS NOT NULL;

CREATE TABLE booking (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id     uuid NOT NULL,
  venue_id           uuid NOT NULL,
  committee_id       uuid NOT NULL,
  request_id         uuid NOT NULL,
  series_id          uuid,
  during             tstzrange NOT NULL,
  -- held is during widened at the end by the venue's buffer when booked: two
  -- held ranges that do not overlap leave at least the buffer between the
  -- end of one booking and the start of the next.
  held               tstzrange NOT NULL,
  purpose            text NOT NULL CHECK (btrim(purpose) <> ''),
  expected_attendees integer NOT NULL CHECK (expected_attendees > 0),
  status             text NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'CANCELLED', 'COMPLETED')),
  actual_attendees   integer CHECK (actual_attendees >= 0),
  decision_note      text NOT NULL DEFAULT '',
  version            integer NOT NULL DEFAULT 1 CHECK (version > 0),
  requested_by       uuid,
  demo               boolean NOT NULL DEFAULT false,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, venue_id) REFERENCES venue (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, committee_id) REFERENCES committee (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, request_id) REFERENCES booking_request (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, series_id) REFERENCES booking_request (subdistrict_id, id),
  CONSTRAINT booking_during_shape CHECK (NOT isempty(during) AND lower_inc(during) AND NOT upper_inc(during)
    AND NOT lower_inf(during) AND NOT upper_inf(during)),
  CONSTRAINT booking_held_shape CHECK (lower(held) = lower(during) AND upper(held) >= upper(during) AND NOT upper_inc(held)),
  CONSTRAINT booking_attendance CHECK (actual_attendees IS NULL OR status = 'COMPLETED'),
  -- Never double-booked: bookings that hold the venue never overlap, buffers included.
  CONSTRAINT booking_no_overlap EXCLUDE USING gist (venue_id WITH =, held WITH &&)
    WHERE (status IN ('PENDING', 'APPROVED'))
);
-- The calendar of a venue and of a committee, in any status.
CREATE INDEX booking_venue_during_idx ON booking USING gist (venue_id, during);
CREATE INDEX booking_committee_idx ON booking (committee_id, lower(during));
CREATE INDEX booking_series_idx ON booking (series_id) WHERE series_id IS NOT NULL;
CREATE INDEX booking_request_idx ON booking (request_id);

-- venue_open_hours gives the instants a venue is open between f and t by its
-- weekly hours and dated exceptions, in the time zone tz, as one multirange:
-- range_agg joins ranges that touch, so a night opening that runs to 24:00 and
-- on from 00:00 is one range. The day before f is included for ranges that
-- end after midnight. The Go domain (internal/booking) evaluates the same
-- rules for precise errors; tests check the two agree.
-- +goose StatementBegin
CREATE FUNCTION venue_open_hours(v uuid, f timestamptz, t timestamptz, tz text) RETURNS tstzmultirange
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

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON venue FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON venue_eligible_committee FOR EACH ROW EXECUTE FUNCTION audit_row('venue_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON venue_hours FOR EACH ROW EXECUTE FUNCTION audit_row('venue_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON venue_exception FOR EACH ROW EXECUTE FUNCTION audit_row('venue_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON venue_closure FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON booking_request FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON booking FOR EACH ROW EXECUTE FUNCTION audit_row();

GRANT SELECT, INSERT, UPDATE ON venue, booking_request, booking TO cogov_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON venue_eligible_committee, venue_hours, venue_exception, venue_closure TO cogov_app;
GRANT EXECUTE ON FUNCTION venue_open_hours(uuid, timestamptz, timestamptz, text) TO cogov_app;

-- +goose Down
DROP FUNCTION venue_open_hours(uuid, timestamptz, timestamptz, text);
DROP TABLE booking, booking_request, venue_closure, venue_exception, venue_hours, venue_eligible_committee, venue;
