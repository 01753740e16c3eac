-- +goose Up
-- Grid affairs (issue 14): cases (事件) reported on patrol, by residents,
-- through the 12345 hotline or diverted from the 110 police line; their
-- lifecycle, kept step by step; mediation of disputes; the API keys and
-- callbacks of the systems that push cases; and the figures. As everywhere,
-- every table carries subdistrict_id and its references are composite, so
-- nothing points into another sub-district.

-- Categories: seven built in for every sub-district, which may add its own.
CREATE TABLE case_category (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL REFERENCES subdistrict (id),
  code           text NOT NULL CHECK (code ~ '^[A-Z][A-Z0-9_]{1,39}$'),
  name           text NOT NULL CHECK (btrim(name) <> ''),
  dispute        boolean NOT NULL DEFAULT false, -- a dispute between parties: mediation applies
  builtin        boolean NOT NULL DEFAULT false,
  position       integer NOT NULL DEFAULT 100,
  created_at     timestamptz NOT NULL DEFAULT cogov_now(),
  updated_at     timestamptz NOT NULL DEFAULT cogov_now(),
  UNIQUE (subdistrict_id, id),
  UNIQUE (subdistrict_id, code),
  UNIQUE (subdistrict_id, name)
);

-- Time limits by category and level: hours to accept a case that reaches
-- the level, and hours to resolve it there.
CREATE TABLE case_time_limit (
  subdistrict_id uuid NOT NULL,
  category_id    uuid NOT NULL,
  level          text NOT NULL CHECK (level IN ('GRID', 'COMMUNITY', 'SUBDISTRICT', 'JOINT_MEETING')),
  accept_hours   integer NOT NULL CHECK (accept_hours BETWEEN 1 AND 8760),
  resolve_hours  integer NOT NULL CHECK (resolve_hours BETWEEN 1 AND 8760),
  PRIMARY KEY (category_id, level),
  FOREIGN KEY (subdistrict_id, category_id) REFERENCES case_category (subdistrict_id, id) ON DELETE CASCADE
);

-- The built-in categories and their limits, for one sub-district.
-- +goose StatementBegin
CREATE FUNCTION seed_case_categories(sd uuid) RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
  WITH cats (code, name, dispute, position, factor) AS (VALUES
    ('NEIGHBOUR_DISPUTE', '邻里纠纷', true, 1, 1.0),
    ('PROPERTY_HOUSING', '物业与住房', true, 2, 1.0),
    ('ENVIRONMENT_SANITATION', '环境卫生', false, 3, 1.0),
    ('PUBLIC_FACILITIES', '公共设施', false, 4, 1.0),
    ('SAFETY_HAZARD', '安全隐患', false, 5, 0.5),
    ('ELDERLY_VULNERABLE', '老弱困难群体', false, 6, 0.5),
    ('OTHER', '其他', false, 7, 1.0)
  ), ins AS (
    INSERT INTO case_category (subdistrict_id, code, name, dispute, builtin, position)
    SELECT sd, code, name, dispute, true, position FROM cats
    ON CONFLICT (subdistrict_id, code) DO NOTHING
    RETURNING id, code
  ), levels (level, accept_hours, resolve_hours) AS (VALUES
    ('GRID', 2, 72), ('COMMUNITY', 24, 168), ('SUBDISTRICT', 48, 336), ('JOINT_MEETING', 72, 720)
  )
  INSERT INTO case_time_limit (subdistrict_id, category_id, level, accept_hours, resolve_hours)
  SELECT sd, ins.id, l.level, greatest(1, round(l.accept_hours * c.factor))::int, greatest(1, round(l.resolve_hours * c.factor))::int
  FROM ins JOIN cats c USING (code) CROSS JOIN levels l
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION seed_case_categories_trigger() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM seed_case_categories(NEW.id);
  RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER seed_case_categories AFTER INSERT ON subdistrict FOR EACH ROW EXECUTE FUNCTION seed_case_categories_trigger();
SELECT seed_case_categories(id) FROM subdistrict;

CREATE TABLE grid_case (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id      uuid NOT NULL REFERENCES subdistrict (id),
  source              text NOT NULL CHECK (source IN ('GRID_PATROL', 'RESIDENT_REPORT', 'HOTLINE_12345', 'DIVERSION_110', 'OTHER')),
  category_id         uuid NOT NULL,
  community_id        uuid NOT NULL,
  grid_id             uuid NOT NULL,
  title               text NOT NULL CHECK (btrim(title) <> ''),
  description         text NOT NULL DEFAULT '',
  address             text NOT NULL DEFAULT '',
  latitude            float8 CHECK (latitude BETWEEN -90 AND 90),
  longitude           float8 CHECK (longitude BETWEEN -180 AND 180),
  photos              text[] NOT NULL DEFAULT '{}',
  -- The reporter as those who do not handle the case see them (张*, 138****1234);
  -- the full contact is in case_personal.
  reporter_masked     text NOT NULL DEFAULT '',
  status              text NOT NULL DEFAULT 'REPORTED' CHECK (status IN ('REPORTED', 'ACCEPTED', 'IN_PROGRESS', 'RESOLVED', 'CLOSED',
                        'ESCALATED', 'ROUTED', 'RETURNED')),
  level               text NOT NULL DEFAULT 'GRID' CHECK (level IN ('GRID', 'COMMUNITY', 'SUBDISTRICT', 'JOINT_MEETING')),
  routed_unit_id      uuid,
  routing_accepted    boolean NOT NULL DEFAULT false,
  meeting_id          uuid,
  external_ref        text CHECK (length(external_ref) BETWEEN 1 AND 100),
  intake_key_id       uuid,
  reported_at         timestamptz NOT NULL DEFAULT cogov_now(),
  level_since         timestamptz NOT NULL DEFAULT cogov_now(),
  accept_due_at       timestamptz NOT NULL, -- at the current level
  resolve_due_at      timestamptz NOT NULL, -- at the current level
  level_accepted_at   timestamptz,          -- accepted at the current level
  first_accept_due_at timestamptz NOT NULL, -- at the level it was reported to: on-time acceptance
  first_accepted_at   timestamptz,
  resolved_at         timestamptz,
  settled_level       text CHECK (settled_level IN ('GRID', 'COMMUNITY', 'SUBDISTRICT', 'JOINT_MEETING')),
  settled_unit_id     uuid,
  resolution          text NOT NULL DEFAULT '',
  closed_at           timestamptz,
  satisfaction        text CHECK (satisfaction IN ('SATISFIED', 'BASICALLY_SATISFIED', 'DISSATISFIED')),
  return_reason       text NOT NULL DEFAULT '',
  returned_at         timestamptz,
  version             integer NOT NULL DEFAULT 1,
  demo                boolean NOT NULL DEFAULT false,
  created_at          timestamptz NOT NULL DEFAULT cogov_now(),
  updated_at          timestamptz NOT NULL DEFAULT cogov_now(),
  UNIQUE (subdistrict_id, id),
  CONSTRAINT grid_case_external_ref UNIQUE (subdistrict_id, source, external_ref),
  FOREIGN KEY (subdistrict_id, category_id) REFERENCES case_category (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, community_id) REFERENCES community (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, grid_id) REFERENCES grid (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, routed_unit_id) REFERENCES unit (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, settled_unit_id) REFERENCES unit (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, meeting_id) REFERENCES joint_meeting (subdistrict_id, id),
  CONSTRAINT grid_case_resolved CHECK ((resolved_at IS NULL) = (settled_level IS NULL)),
  CONSTRAINT grid_case_closed CHECK ((status = 'CLOSED') = (closed_at IS NOT NULL AND satisfaction IS NOT NULL)),
  CONSTRAINT grid_case_returned CHECK ((status = 'RETURNED') = (returned_at IS NOT NULL)),
  CONSTRAINT grid_case_return_110 CHECK (status <> 'RETURNED' OR source = 'DIVERSION_110'),
  CONSTRAINT grid_case_routed CHECK (status <> 'ROUTED' OR routed_unit_id IS NOT NULL),
  CONSTRAINT grid_case_photos CHECK (cardinality(photos) <= 20)
);
CREATE INDEX grid_case_subdistrict_idx ON grid_case (subdistrict_id, reported_at);
CREATE INDEX grid_case_grid_idx ON grid_case (grid_id, reported_at);
CREATE INDEX grid_case_community_idx ON grid_case (community_id, reported_at);
CREATE INDEX grid_case_open_idx ON grid_case (subdistrict_id, resolve_due_at) WHERE status NOT IN ('RESOLVED', 'CLOSED', 'RETURNED');

-- Every step of a case: who, when, what, with a note.
CREATE TABLE case_event (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL,
  case_id        uuid NOT NULL,
  at             timestamptz NOT NULL DEFAULT cogov_now(),
  actor_id       uuid,
  actor_label    text NOT NULL DEFAULT '',
  action         text NOT NULL CHECK (action IN ('REPORT', 'ACCEPT', 'START', 'ESCALATE', 'ROUTE', 'ACCEPT_ROUTING', 'HAND_BACK',
                   'RESOLVE', 'CLOSE', 'RETURN', 'MEDIATION')),
  from_status    text,
  to_status      text NOT NULL,
  from_level     text,
  to_level       text NOT NULL,
  unit_id        uuid,
  meeting_id     uuid,
  note           text NOT NULL DEFAULT '',
  UNIQUE (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, case_id) REFERENCES grid_case (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, unit_id) REFERENCES unit (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, meeting_id) REFERENCES joint_meeting (subdistrict_id, id)
);
CREATE INDEX case_event_case_idx ON case_event (case_id, at);

-- Mediation of a dispute: mediators, parties, sessions, outcome.
CREATE TABLE mediation (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL,
  case_id        uuid NOT NULL,
  outcome        text NOT NULL DEFAULT 'PENDING' CHECK (outcome IN ('PENDING', 'AGREEMENT_REACHED', 'NOT_REACHED', 'REFERRED')),
  agreement      text NOT NULL DEFAULT '',
  concluded_at   timestamptz,
  created_at     timestamptz NOT NULL DEFAULT cogov_now(),
  updated_at     timestamptz NOT NULL DEFAULT cogov_now(),
  UNIQUE (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, case_id) REFERENCES grid_case (subdistrict_id, id),
  CONSTRAINT mediation_concluded CHECK ((outcome = 'PENDING') = (concluded_at IS NULL)),
  CONSTRAINT mediation_agreement CHECK (outcome <> 'AGREEMENT_REACHED' OR btrim(agreement) <> '')
);
CREATE INDEX mediation_case_idx ON mediation (case_id);

CREATE TABLE mediation_mediator (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL,
  mediation_id   uuid NOT NULL,
  position       integer NOT NULL,
  kind           text NOT NULL CHECK (kind IN ('GRID_STAFF', 'COMMUNITY', 'LAWYER', 'OTHER')),
  person_id      uuid,
  unit_id        uuid,
  name           text NOT NULL DEFAULT '',
  UNIQUE (mediation_id, position),
  FOREIGN KEY (subdistrict_id, mediation_id) REFERENCES mediation (subdistrict_id, id) ON DELETE CASCADE,
  FOREIGN KEY (subdistrict_id, person_id) REFERENCES person (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, unit_id) REFERENCES unit (subdistrict_id, id),
  CONSTRAINT mediation_mediator_named CHECK (person_id IS NOT NULL OR btrim(name) <> '')
);

-- A party as those who do not handle the case see it; the contact is in case_personal.
CREATE TABLE mediation_party (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL,
  mediation_id   uuid NOT NULL,
  position       integer NOT NULL,
  side           text NOT NULL CHECK (side IN ('APPLICANT', 'RESPONDENT', 'OTHER')),
  masked         text NOT NULL,
  UNIQUE (subdistrict_id, id),
  UNIQUE (mediation_id, position),
  FOREIGN KEY (subdistrict_id, mediation_id) REFERENCES mediation (subdistrict_id, id) ON DELETE CASCADE
);

CREATE TABLE mediation_session (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL,
  mediation_id   uuid NOT NULL,
  held_at        timestamptz NOT NULL,
  place          text NOT NULL DEFAULT '',
  note           text NOT NULL DEFAULT '',
  FOREIGN KEY (subdistrict_id, mediation_id) REFERENCES mediation (subdistrict_id, id) ON DELETE CASCADE
);
CREATE INDEX mediation_session_idx ON mediation_session (mediation_id, held_at);

-- Residents' personal data: a case's reporter (subject_id = the case) and
-- the parties of its mediations (subject_id = the party). Only those who
-- handle the case read it (cogov_case_handler), in the database too.
CREATE TABLE case_personal (
  subject_id     uuid PRIMARY KEY,
  subdistrict_id uuid NOT NULL,
  case_id        uuid NOT NULL,
  name           text NOT NULL DEFAULT '',
  phone          text NOT NULL DEFAULT '',
  FOREIGN KEY (subdistrict_id, case_id) REFERENCES grid_case (subdistrict_id, id) ON DELETE CASCADE
);
CREATE INDEX case_personal_case_idx ON case_personal (case_id);

-- The other systems that push cases (POST /intake/cases): one API key each,
-- revocable. The audited row holds no secret: the key's SHA-256 (it is
-- random, 32 bytes) and the callback secret, which signs the callbacks
-- (HMAC-SHA256) and so must be kept as it is, are in intake_key_secret,
-- which no audit trigger copies into the audit log.
CREATE TABLE intake_key (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id  uuid NOT NULL REFERENCES subdistrict (id),
  name            text NOT NULL CHECK (btrim(name) <> ''),
  source          text NOT NULL CHECK (source IN ('HOTLINE_12345', 'DIVERSION_110')),
  key_prefix      text NOT NULL,
  callback_url    text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL DEFAULT cogov_now(),
  revoked_at      timestamptz,
  UNIQUE (subdistrict_id, id)
);
CREATE TABLE intake_key_secret (
  intake_key_id   uuid PRIMARY KEY,
  subdistrict_id  uuid NOT NULL,
  key_hash        bytea NOT NULL UNIQUE,
  callback_secret text NOT NULL,
  FOREIGN KEY (subdistrict_id, intake_key_id) REFERENCES intake_key (subdistrict_id, id) ON DELETE CASCADE
);
ALTER TABLE grid_case ADD FOREIGN KEY (subdistrict_id, intake_key_id) REFERENCES intake_key (subdistrict_id, id);

-- The callbacks owed to an integration, written in the transaction of the
-- step they report and delivered by a worker with retries (an outbox).
CREATE TABLE case_callback (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id  uuid NOT NULL,
  case_id         uuid NOT NULL,
  intake_key_id   uuid NOT NULL,
  event           text NOT NULL,
  payload         jsonb NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT cogov_now(),
  delivered_at    timestamptz,
  failed_at       timestamptz, -- given up after the last attempt
  last_error      text NOT NULL DEFAULT '',
  created_at      timestamptz NOT NULL DEFAULT cogov_now(),
  FOREIGN KEY (subdistrict_id, case_id) REFERENCES grid_case (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, intake_key_id) REFERENCES intake_key (subdistrict_id, id)
);
CREATE INDEX case_callback_due_idx ON case_callback (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;

-- A joint meeting's agenda item may take up an escalated case.
ALTER TABLE agenda_item ADD COLUMN case_id uuid;
ALTER TABLE agenda_item ADD FOREIGN KEY (subdistrict_id, case_id) REFERENCES grid_case (subdistrict_id, id);

-- The built-in categories come with their sub-district, whose creation the
-- audit log records; a category the sub-district adds is recorded (its time
-- limits are inserted with it), and so is every later change of either.
CREATE TRIGGER audit AFTER INSERT ON case_category FOR EACH ROW WHEN (NOT NEW.builtin) EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit_change AFTER UPDATE OR DELETE ON case_category FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER UPDATE OR DELETE ON case_time_limit FOR EACH ROW EXECUTE FUNCTION audit_row('category_id');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON grid_case FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON mediation FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON intake_key FOR EACH ROW EXECUTE FUNCTION audit_row();

GRANT SELECT, INSERT, UPDATE ON case_category, grid_case, mediation, intake_key, case_callback TO cogov_app;
GRANT SELECT, INSERT ON intake_key_secret TO cogov_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON case_time_limit, mediation_mediator, mediation_party, mediation_session, case_personal TO cogov_app;
GRANT SELECT, INSERT ON case_event TO cogov_app;

-- Who handles a case, in the database: the sub-district's administrators,
-- the staff of its grid, the administrators of its community's party
-- committee and of the unit it is routed to.
-- +goose StatementBegin
CREATE FUNCTION cogov_case_handler(sd uuid, grid uuid, community uuid, unit uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT cogov_admin_of(sd) OR grid = ANY (cogov_scopes()) OR unit = ANY (cogov_scopes())
    OR EXISTS (SELECT 1 FROM committee c WHERE c.community_id = community AND c.kind = 'COMMUNITY_PARTY_COMMITTEE'
               AND c.id = ANY (cogov_scopes()))
$$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION cogov_case_handler(uuid, uuid, uuid, uuid) TO cogov_app;

-- Row-level security. Categories are public. Cases, their trail and
-- mediations are for those who work in the sub-district (no member, no
-- anonymous visitor); residents' personal data only for the case's handlers;
-- intake keys and callbacks for the sub-district's administrators (the
-- intake endpoint and the callback worker act as the platform).
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['case_category', 'case_time_limit'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY read_public ON %I FOR SELECT USING (cogov_viewer_ready())', t);
    EXECUTE format('CREATE POLICY write_own ON %I FOR ALL USING (cogov_in_subdistrict(subdistrict_id)) WITH CHECK (cogov_in_subdistrict(subdistrict_id))', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['grid_case', 'case_event', 'mediation', 'mediation_mediator', 'mediation_party', 'mediation_session'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY read_staff ON %I FOR SELECT USING (cogov_staff_in(subdistrict_id))', t);
    EXECUTE format('CREATE POLICY staff_insert ON %I FOR INSERT WITH CHECK (cogov_staff_in(subdistrict_id))', t);
    EXECUTE format('CREATE POLICY staff_update ON %I FOR UPDATE USING (cogov_staff_in(subdistrict_id)) WITH CHECK (cogov_staff_in(subdistrict_id))', t);
    EXECUTE format('CREATE POLICY staff_delete ON %I FOR DELETE USING (cogov_staff_in(subdistrict_id))', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['intake_key', 'intake_key_secret', 'case_callback'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY admin ON %I FOR SELECT USING (cogov_admin_of(subdistrict_id))', t);
    EXECUTE format('CREATE POLICY staff_insert ON %I FOR INSERT WITH CHECK (cogov_staff_in(subdistrict_id))', t);
    EXECUTE format('CREATE POLICY admin_update ON %I FOR UPDATE USING (cogov_admin_of(subdistrict_id)) WITH CHECK (cogov_admin_of(subdistrict_id))', t);
  END LOOP;
END
$$;
-- +goose StatementEnd
ALTER TABLE case_personal ENABLE ROW LEVEL SECURITY;
ALTER TABLE case_personal FORCE ROW LEVEL SECURITY;
CREATE POLICY handlers ON case_personal FOR SELECT USING (EXISTS (SELECT 1 FROM grid_case c WHERE c.id = case_personal.case_id
  AND cogov_case_handler(c.subdistrict_id, c.grid_id, c.community_id, c.routed_unit_id)));
CREATE POLICY staff_insert ON case_personal FOR INSERT WITH CHECK (cogov_staff_in(subdistrict_id));
CREATE POLICY handlers_delete ON case_personal FOR DELETE USING (EXISTS (SELECT 1 FROM grid_case c WHERE c.id = case_personal.case_id
  AND cogov_case_handler(c.subdistrict_id, c.grid_id, c.community_id, c.routed_unit_id)));

-- The figures of a sub-district's grid cases for [f, t), per grid, per
-- community and in all (community_id and grid_id null). A case counts as
-- reported, and for on-time acceptance, in the period it was reported in;
-- as resolved (on time, in the grid) in the period it was resolved in; a
-- mediation in the period it concluded in; a return visit in the period it
-- was made in. Acceptance is measured once the case was accepted or its
-- time to accept (at the level it was reported to) is over. `open` is the
-- cases reported before t and neither resolved nor returned by then. Row-
-- level security applies: those who work in the sub-district see all its cases.
-- +goose StatementBegin
CREATE FUNCTION case_figures(sd uuid, f timestamptz, t timestamptz)
RETURNS TABLE (community_id uuid, grid_id uuid, reported bigint, accept_measured bigint, accepted_on_time bigint, resolved bigint,
  resolved_on_time bigint, settled_in_grid bigint, mediations_concluded bigint, mediations_reached bigint, visited bigint,
  satisfied bigint, open bigint)
LANGUAGE sql STABLE AS $$
  WITH per_case AS (
    SELECT c.community_id, c.grid_id,
      coalesce(c.reported_at >= f AND c.reported_at < t, false) AS rep,
      coalesce(c.first_accepted_at IS NOT NULL OR c.first_accept_due_at < least(t, cogov_now()), false) AS measured,
      coalesce(c.first_accepted_at <= c.first_accept_due_at, false) AS on_time,
      coalesce(c.resolved_at >= f AND c.resolved_at < t, false) AS res,
      coalesce(c.resolved_at <= c.resolve_due_at, false) AS res_on_time,
      coalesce(c.settled_level = 'GRID', false) AS in_grid,
      coalesce(c.closed_at >= f AND c.closed_at < t, false) AS vis,
      coalesce(c.satisfaction IN ('SATISFIED', 'BASICALLY_SATISFIED'), false) AS sat,
      (c.reported_at < t AND coalesce(c.resolved_at, c.returned_at, 'infinity') >= t) AS still_open,
      (SELECT count(*) FROM mediation m WHERE m.case_id = c.id AND m.concluded_at >= f AND m.concluded_at < t) AS med,
      (SELECT count(*) FROM mediation m WHERE m.case_id = c.id AND m.concluded_at >= f AND m.concluded_at < t
         AND m.outcome = 'AGREEMENT_REACHED') AS med_ok
    FROM grid_case c WHERE c.subdistrict_id = sd
  )
  SELECT community_id, grid_id,
    count(*) FILTER (WHERE rep), count(*) FILTER (WHERE rep AND measured), count(*) FILTER (WHERE rep AND on_time),
    count(*) FILTER (WHERE res), count(*) FILTER (WHERE res AND res_on_time), count(*) FILTER (WHERE res AND in_grid),
    coalesce(sum(med), 0)::bigint, coalesce(sum(med_ok), 0)::bigint,
    count(*) FILTER (WHERE vis), count(*) FILTER (WHERE vis AND sat), count(*) FILTER (WHERE still_open)
  FROM per_case GROUP BY GROUPING SETS ((), (community_id), (community_id, grid_id))
$$;
-- +goose StatementEnd

-- Cases by source, category and status (reported in [f, t); status as it
-- stands) and by the level that settled them ('UNIT' for a unit they were
-- routed to; resolved in [f, t)).
-- +goose StatementBegin
CREATE FUNCTION case_counts(sd uuid, f timestamptz, t timestamptz) RETURNS TABLE (dimension text, key text, count bigint)
LANGUAGE sql STABLE AS $$
  WITH rep AS (SELECT * FROM grid_case c WHERE c.subdistrict_id = sd AND c.reported_at >= f AND c.reported_at < t)
  SELECT 'source', source, count(*) FROM rep GROUP BY source
  UNION ALL SELECT 'category', category_id::text, count(*) FROM rep GROUP BY category_id
  UNION ALL SELECT 'status', status, count(*) FROM rep GROUP BY status
  UNION ALL SELECT 'settled', CASE WHEN c.settled_unit_id IS NOT NULL THEN 'UNIT' ELSE c.settled_level END, count(*)
    FROM grid_case c WHERE c.subdistrict_id = sd AND c.resolved_at >= f AND c.resolved_at < t GROUP BY 2
$$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION case_figures(uuid, timestamptz, timestamptz), case_counts(uuid, timestamptz, timestamptz) TO cogov_app;

-- +goose Down
DROP FUNCTION case_counts(uuid, timestamptz, timestamptz);
DROP FUNCTION case_figures(uuid, timestamptz, timestamptz);
DROP POLICY handlers_delete ON case_personal;
DROP POLICY staff_insert ON case_personal;
DROP POLICY handlers ON case_personal;
DROP FUNCTION cogov_case_handler(uuid, uuid, uuid, uuid);
ALTER TABLE agenda_item DROP COLUMN case_id;
DROP TABLE case_callback, case_personal, mediation_session, mediation_party, mediation_mediator, mediation, case_event;
ALTER TABLE grid_case DROP COLUMN intake_key_id;
DROP TABLE intake_key_secret, intake_key, grid_case, case_time_limit, case_category;
DROP TRIGGER seed_case_categories ON subdistrict;
DROP FUNCTION seed_case_categories_trigger();
DROP FUNCTION seed_case_categories(uuid);
