-- +goose Up
-- Joint meetings (联席会议) and the three lists (三张清单): needs, offers and
-- projects, with the escalation trail of needs. As everywhere, every table
-- carries subdistrict_id and its references are composite (subdistrict_id, id),
-- so nothing can point into another sub-district.

CREATE TABLE joint_meeting (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL REFERENCES subdistrict (id),
  title          text NOT NULL CHECK (btrim(title) <> ''),
  starts_at      timestamptz NOT NULL,
  ends_at        timestamptz NOT NULL,
  booking_id     uuid,
  status         text NOT NULL DEFAULT 'PLANNED' CHECK (status IN ('PLANNED', 'HELD', 'CANCELLED')),
  minutes        text NOT NULL DEFAULT '',
  -- A monthly series: every meeting of it carries the id of its first meeting.
  series_id      uuid,
  cancel_reason  text NOT NULL DEFAULT '',
  demo           boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subdistrict_id, id),
  UNIQUE (booking_id),
  FOREIGN KEY (subdistrict_id, booking_id) REFERENCES booking (subdistrict_id, id),
  CONSTRAINT joint_meeting_time_order CHECK (ends_at > starts_at)
);
CREATE INDEX joint_meeting_subdistrict_idx ON joint_meeting (subdistrict_id, starts_at);
CREATE INDEX joint_meeting_series_idx ON joint_meeting (series_id) WHERE series_id IS NOT NULL;

-- The committees that convene a meeting: one or more of its sub-district.
CREATE TABLE joint_meeting_convener (
  subdistrict_id uuid NOT NULL,
  meeting_id     uuid NOT NULL,
  committee_id   uuid NOT NULL,
  PRIMARY KEY (meeting_id, committee_id),
  FOREIGN KEY (subdistrict_id, meeting_id) REFERENCES joint_meeting (subdistrict_id, id) ON DELETE CASCADE,
  FOREIGN KEY (subdistrict_id, committee_id) REFERENCES committee (subdistrict_id, id)
);
CREATE INDEX joint_meeting_convener_committee_idx ON joint_meeting_convener (committee_id);

CREATE TABLE need (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id  uuid NOT NULL REFERENCES subdistrict (id),
  committee_id    uuid NOT NULL,
  community_id    uuid,
  grid_id         uuid,
  title           text NOT NULL CHECK (btrim(title) <> ''),
  category        text NOT NULL CHECK (category IN ('VENUE', 'ELDERLY_CARE', 'YOUTH', 'SAFETY', 'ENVIRONMENT', 'EMPLOYMENT',
                    'LEGAL_AID', 'OTHER')),
  description     text NOT NULL DEFAULT '',
  people_affected integer CHECK (people_affected >= 0),
  urgency         text NOT NULL DEFAULT 'NORMAL' CHECK (urgency IN ('LOW', 'NORMAL', 'HIGH')),
  status          text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'MATCHED', 'MET', 'CLOSED')),
  level           text NOT NULL DEFAULT 'COMMUNITY' CHECK (level IN ('GRID', 'COMMUNITY', 'SUBDISTRICT')),
  -- When it was met or closed: the figures count needs met in a period and
  -- needs still open at its end.
  met_at          timestamptz,
  closed_at       timestamptz,
  demo            boolean NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, committee_id) REFERENCES committee (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, community_id) REFERENCES community (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, grid_id) REFERENCES grid (subdistrict_id, id),
  CONSTRAINT need_met CHECK ((status = 'MET') = (met_at IS NOT NULL)),
  CONSTRAINT need_closed CHECK ((status = 'CLOSED') = (closed_at IS NOT NULL)),
  CONSTRAINT need_grid_level CHECK (level <> 'GRID' OR grid_id IS NOT NULL)
);
CREATE INDEX need_subdistrict_idx ON need (subdistrict_id, created_at);
CREATE INDEX need_committee_idx ON need (committee_id);

-- The escalation trail (小事网格解决，大事协商解决): every raise of a need.
CREATE TABLE need_escalation (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL,
  need_id        uuid NOT NULL,
  from_level     text NOT NULL CHECK (from_level IN ('GRID', 'COMMUNITY', 'SUBDISTRICT')),
  to_level       text NOT NULL CHECK (to_level IN ('GRID', 'COMMUNITY', 'SUBDISTRICT')),
  note           text NOT NULL DEFAULT '',
  meeting_id     uuid,
  actor_id       uuid,
  at             timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, need_id) REFERENCES need (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, meeting_id) REFERENCES joint_meeting (subdistrict_id, id),
  CONSTRAINT need_escalation_up CHECK (from_level <> to_level)
);
CREATE INDEX need_escalation_need_idx ON need_escalation (need_id, at);

-- The ordered agenda; an item may take up an escalated need.
CREATE TABLE agenda_item (
  id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id          uuid NOT NULL,
  meeting_id              uuid NOT NULL,
  position                integer NOT NULL CHECK (position >= 1),
  title                   text NOT NULL CHECK (btrim(title) <> ''),
  duration_minutes        integer CHECK (duration_minutes BETWEEN 1 AND 1440),
  presenter_membership_id uuid,
  need_id                 uuid,
  UNIQUE (subdistrict_id, id),
  UNIQUE (meeting_id, position),
  FOREIGN KEY (subdistrict_id, meeting_id) REFERENCES joint_meeting (subdistrict_id, id) ON DELETE CASCADE,
  FOREIGN KEY (subdistrict_id, presenter_membership_id) REFERENCES membership (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, need_id) REFERENCES need (subdistrict_id, id)
);

CREATE TABLE invitation (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL,
  meeting_id     uuid NOT NULL,
  membership_id  uuid NOT NULL,
  response       text NOT NULL DEFAULT 'PENDING' CHECK (response IN ('PENDING', 'ACCEPTED', 'DECLINED')),
  responded_at   timestamptz,
  UNIQUE (subdistrict_id, id),
  UNIQUE (meeting_id, membership_id),
  FOREIGN KEY (subdistrict_id, meeting_id) REFERENCES joint_meeting (subdistrict_id, id) ON DELETE CASCADE,
  FOREIGN KEY (subdistrict_id, membership_id) REFERENCES membership (subdistrict_id, id),
  CONSTRAINT invitation_answered CHECK ((response = 'PENDING') = (responded_at IS NULL))
);
CREATE INDEX invitation_membership_idx ON invitation (membership_id);

-- Who attended: seats of the sub-district, invited or not (a deputy may come).
CREATE TABLE attendance (
  subdistrict_id uuid NOT NULL,
  meeting_id     uuid NOT NULL,
  membership_id  uuid NOT NULL,
  PRIMARY KEY (meeting_id, membership_id),
  FOREIGN KEY (subdistrict_id, meeting_id) REFERENCES joint_meeting (subdistrict_id, id) ON DELETE CASCADE,
  FOREIGN KEY (subdistrict_id, membership_id) REFERENCES membership (subdistrict_id, id)
);

CREATE TABLE resolution (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL,
  meeting_id     uuid NOT NULL,
  position       integer NOT NULL CHECK (position >= 1),
  text           text NOT NULL CHECK (btrim(text) <> ''),
  UNIQUE (subdistrict_id, id),
  UNIQUE (meeting_id, position),
  FOREIGN KEY (subdistrict_id, meeting_id) REFERENCES joint_meeting (subdistrict_id, id)
);

-- An offer may name one of the unit's own venues: (unit_id, venue_id) must be
-- a venue of that unit, which needs this key on venue.
ALTER TABLE venue ADD CONSTRAINT venue_unit_id_id_key UNIQUE (unit_id, id);

CREATE TABLE offer (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL REFERENCES subdistrict (id),
  unit_id        uuid NOT NULL,
  title          text NOT NULL CHECK (btrim(title) <> ''),
  category       text NOT NULL CHECK (category IN ('VENUE', 'ELDERLY_CARE', 'YOUTH', 'SAFETY', 'ENVIRONMENT', 'EMPLOYMENT',
                   'LEGAL_AID', 'OTHER')),
  description    text NOT NULL DEFAULT '',
  venue_id       uuid,
  quantity       integer CHECK (quantity > 0),
  available_from date,
  available_to   date,
  status         text NOT NULL DEFAULT 'OPEN' CHECK (status IN ('OPEN', 'WITHDRAWN')),
  demo           boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, unit_id) REFERENCES unit (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, venue_id) REFERENCES venue (subdistrict_id, id),
  CONSTRAINT offer_own_venue FOREIGN KEY (unit_id, venue_id) REFERENCES venue (unit_id, id),
  CONSTRAINT offer_period_order CHECK (available_to IS NULL OR available_from IS NULL OR available_to >= available_from)
);
CREATE INDEX offer_subdistrict_idx ON offer (subdistrict_id, created_at);
CREATE INDEX offer_unit_idx ON offer (unit_id);

CREATE TABLE project (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id     uuid NOT NULL REFERENCES subdistrict (id),
  title              text NOT NULL CHECK (btrim(title) <> ''),
  owner_unit_id      uuid,
  owner_committee_id uuid,
  due_on             date,
  resolution_id      uuid,
  status             text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'COMPLETED', 'DROPPED')),
  progress_percent   integer NOT NULL DEFAULT 0 CHECK (progress_percent BETWEEN 0 AND 100),
  ended_at           timestamptz,
  demo               boolean NOT NULL DEFAULT false,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, owner_unit_id) REFERENCES unit (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, owner_committee_id) REFERENCES committee (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, resolution_id) REFERENCES resolution (subdistrict_id, id),
  CONSTRAINT project_one_owner CHECK ((owner_unit_id IS NULL) <> (owner_committee_id IS NULL)),
  CONSTRAINT project_ended CHECK ((status = 'ACTIVE') = (ended_at IS NULL))
);
CREATE INDEX project_subdistrict_idx ON project (subdistrict_id, created_at);

CREATE TABLE project_need (
  subdistrict_id uuid NOT NULL,
  project_id     uuid NOT NULL,
  need_id        uuid NOT NULL,
  PRIMARY KEY (project_id, need_id),
  FOREIGN KEY (subdistrict_id, project_id) REFERENCES project (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, need_id) REFERENCES need (subdistrict_id, id)
);
CREATE INDEX project_need_need_idx ON project_need (need_id);

CREATE TABLE project_offer (
  subdistrict_id uuid NOT NULL,
  project_id     uuid NOT NULL,
  offer_id       uuid NOT NULL,
  PRIMARY KEY (project_id, offer_id),
  FOREIGN KEY (subdistrict_id, project_id) REFERENCES project (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, offer_id) REFERENCES offer (subdistrict_id, id)
);
CREATE INDEX project_offer_offer_idx ON project_offer (offer_id);

CREATE TABLE project_update (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL,
  project_id     uuid NOT NULL,
  at             timestamptz NOT NULL DEFAULT now(),
  percent        integer NOT NULL CHECK (percent BETWEEN 0 AND 100),
  note           text NOT NULL DEFAULT '',
  actor_id       uuid,
  UNIQUE (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, project_id) REFERENCES project (subdistrict_id, id)
);
CREATE INDEX project_update_project_idx ON project_update (project_id, at);

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON joint_meeting FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON joint_meeting_convener FOR EACH ROW EXECUTE FUNCTION audit_row('meeting_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON agenda_item FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON invitation FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON attendance FOR EACH ROW EXECUTE FUNCTION audit_row('meeting_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON resolution FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON need FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON need_escalation FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON offer FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON project FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON project_need FOR EACH ROW EXECUTE FUNCTION audit_row('project_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON project_offer FOR EACH ROW EXECUTE FUNCTION audit_row('project_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON project_update FOR EACH ROW EXECUTE FUNCTION audit_row();

GRANT SELECT, INSERT, UPDATE ON joint_meeting, need, need_escalation, offer, project, project_update, resolution TO cogov_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON joint_meeting_convener, agenda_item, invitation, attendance, project_need, project_offer TO cogov_app;

-- Row-level security, as on the structure (00003) and venues (00004).
-- Public to read: the three lists (needs, offers, projects with their
-- progress and the need's escalation trail). They are what the sub-district
-- publishes: residents see what was asked, what units give and what became
-- of it; they name committees and units, which are public, and no person.
-- Private to the sub-district: joint meetings with everything in them
-- (conveners, agenda, invitations, attendance, minutes, resolutions), since
-- they name people and record deliberations before they are published.
-- Writes to all of them need a role in the sub-district.
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['need', 'need_escalation', 'offer', 'project', 'project_need', 'project_offer', 'project_update'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY read_public ON %I FOR SELECT USING (cogov_viewer_ready())', t);
    EXECUTE format('CREATE POLICY write_own ON %I FOR ALL USING (cogov_in_subdistrict(subdistrict_id)) WITH CHECK (cogov_in_subdistrict(subdistrict_id))', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['joint_meeting', 'joint_meeting_convener', 'agenda_item', 'invitation', 'attendance', 'resolution'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY own ON %I FOR ALL USING (cogov_in_subdistrict(subdistrict_id)) WITH CHECK (cogov_in_subdistrict(subdistrict_id))', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

-- The figures of a sub-district for the period [f, t). They are public
-- aggregates (counts and sums that name nobody, as a sub-district publishes
-- in its monthly report), so the function turns cogov.system on for its own
-- duration and back off before it returns: row-level security would
-- otherwise hide the private rows the counts are made of (seats, meetings)
-- from anonymous readers. It returns numbers only, never rows. (A SET clause
-- on the function would be neater, but PostgreSQL 15 lets only superusers
-- attach a custom setting to a function.)
--
-- Definitions, chosen so that the figures of consecutive periods add up:
-- a booking counts (bookings_approved, attendees) in the period it starts
-- in; booked_hours counts only the part of a booking inside the period.
-- part_time_members, units_sharing_venues and shared_area_sqm describe the
-- sub-district on the period's last day (or today, for a period not yet
-- over); needs_open and projects_active are the state at the period's end.
-- +goose StatementBegin
CREATE FUNCTION subdistrict_stats(sd uuid, f timestamptz, t timestamptz, OUT part_time_members bigint,
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

GRANT EXECUTE ON FUNCTION subdistrict_stats(uuid, timestamptz, timestamptz) TO cogov_app;

-- +goose Down
DROP FUNCTION subdistrict_stats(uuid, timestamptz, timestamptz);
DROP TABLE project_update, project_offer, project_need, project, offer, resolution, attendance, invitation, agenda_item,
  need_escalation, need, joint_meeting_convener, joint_meeting;
ALTER TABLE venue DROP CONSTRAINT venue_unit_id_id_key;
