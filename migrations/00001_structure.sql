-- +goose Up
-- The co-governance structure of a sub-district: communities, grids, stationed
-- units, committees, people and their memberships. Every row carries the
-- sub-district it belongs to, and composite foreign keys on (subdistrict_id, id)
-- make it impossible for a row to point into another sub-district.

CREATE EXTENSION IF NOT EXISTS btree_gist;

-- The role the server runs as: no superuser, no BYPASSRLS, owns nothing.
-- +goose StatementBegin
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'cogov_app') THEN
    BEGIN
      CREATE ROLE cogov_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- created concurrently by another database's migration
    END;
  END IF;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
BEGIN
  EXECUTE format('GRANT cogov_app TO %I', current_user);
EXCEPTION WHEN OTHERS THEN
  NULL; -- already granted, or the owner is a superuser
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
BEGIN
  EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO cogov_app', current_database());
END
$$;
-- +goose StatementEnd

GRANT USAGE ON SCHEMA public TO cogov_app;

CREATE TABLE subdistrict (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code                text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9-]{1,39}$'),
  name                text NOT NULL CHECK (btrim(name) <> ''),
  time_zone           text NOT NULL CHECK (btrim(time_zone) <> ''),
  area_km2            numeric(10, 3) CHECK (area_km2 > 0),
  resident_population integer CHECK (resident_population >= 0),
  demo                boolean NOT NULL DEFAULT false,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE community (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL REFERENCES subdistrict (id),
  code           text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,39}$'),
  name           text NOT NULL CHECK (btrim(name) <> ''),
  demo           boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subdistrict_id, id),
  UNIQUE (subdistrict_id, code),
  UNIQUE (subdistrict_id, name)
);

CREATE TABLE person (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL REFERENCES subdistrict (id),
  name           text NOT NULL CHECK (btrim(name) <> ''),
  phone          text,
  demo           boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subdistrict_id, id)
);
CREATE INDEX person_name_idx ON person (subdistrict_id, name, id);

CREATE TABLE grid (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL,
  community_id   uuid NOT NULL,
  name           text NOT NULL CHECK (btrim(name) <> ''),
  demo           boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subdistrict_id, id),
  UNIQUE (community_id, name),
  FOREIGN KEY (subdistrict_id, community_id) REFERENCES community (subdistrict_id, id)
);

-- Who staffs a grid: one head, deputy heads and grid workers.
CREATE TABLE grid_staff (
  subdistrict_id uuid NOT NULL,
  grid_id        uuid NOT NULL,
  person_id      uuid NOT NULL,
  role           text NOT NULL CHECK (role IN ('HEAD', 'DEPUTY_HEAD', 'WORKER')),
  position       integer NOT NULL DEFAULT 0,
  PRIMARY KEY (grid_id, person_id),
  FOREIGN KEY (subdistrict_id, grid_id) REFERENCES grid (subdistrict_id, id) ON DELETE CASCADE,
  FOREIGN KEY (subdistrict_id, person_id) REFERENCES person (subdistrict_id, id)
);
CREATE UNIQUE INDEX grid_staff_one_head ON grid_staff (grid_id) WHERE role = 'HEAD';
CREATE INDEX grid_staff_person_idx ON grid_staff (person_id);

CREATE TABLE unit (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL REFERENCES subdistrict (id),
  community_id   uuid,
  name           text NOT NULL CHECK (btrim(name) <> ''),
  kind           text NOT NULL CHECK (kind IN ('PROVINCIAL_AGENCY', 'MUNICIPAL_AGENCY', 'STATE_ENTERPRISE',
                   'PRIVATE_ENTERPRISE', 'INSTITUTION', 'PROPERTY_MANAGEMENT', 'SOCIAL_ORGANIZATION',
                   'LAW_FIRM', 'SCHOOL', 'HOSPITAL', 'OTHER')),
  address        text NOT NULL DEFAULT '',
  demo           boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subdistrict_id, id),
  UNIQUE (subdistrict_id, name),
  FOREIGN KEY (subdistrict_id, community_id) REFERENCES community (subdistrict_id, id)
);
CREATE INDEX unit_community_idx ON unit (community_id);

CREATE TABLE committee (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL REFERENCES subdistrict (id),
  community_id   uuid,
  kind           text NOT NULL CHECK (kind IN ('SUBDISTRICT_WORKING_COMMITTEE', 'COMMUNITY_PARTY_COMMITTEE',
                   'COMPOUND_PARTY_BRANCH')),
  name           text NOT NULL CHECK (btrim(name) <> ''),
  demo           boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subdistrict_id, id),
  UNIQUE (subdistrict_id, name),
  FOREIGN KEY (subdistrict_id, community_id) REFERENCES community (subdistrict_id, id),
  -- A committee's kind fits its level: the working committee is the
  -- sub-district's own, the others belong to a community.
  CONSTRAINT committee_level CHECK ((kind = 'SUBDISTRICT_WORKING_COMMITTEE') = (community_id IS NULL))
);
CREATE UNIQUE INDEX committee_one_working ON committee (subdistrict_id) WHERE kind = 'SUBDISTRICT_WORKING_COMMITTEE';
CREATE UNIQUE INDEX committee_one_party ON committee (community_id) WHERE kind = 'COMMUNITY_PARTY_COMMITTEE';
CREATE INDEX committee_community_idx ON committee (community_id);

CREATE TABLE membership (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL,
  committee_id   uuid NOT NULL,
  person_id      uuid NOT NULL,
  role           text NOT NULL CHECK (role IN ('SECRETARY', 'DEPUTY_SECRETARY', 'MEMBER')),
  part_time      boolean NOT NULL DEFAULT false,
  unit_id        uuid,
  title          text NOT NULL DEFAULT '',
  term_start     date NOT NULL,
  term_end       date,
  demo           boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, committee_id) REFERENCES committee (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, person_id) REFERENCES person (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, unit_id) REFERENCES unit (subdistrict_id, id),
  CONSTRAINT membership_term_order CHECK (term_end IS NULL OR term_end >= term_start),
  -- A part-time member sits on the committee for a unit; a full-time one does not.
  CONSTRAINT membership_part_time_unit CHECK (part_time = (unit_id IS NOT NULL)),
  -- One person holds at most one seat on a committee at any time.
  CONSTRAINT membership_no_overlap EXCLUDE USING gist (
    committee_id WITH =, person_id WITH =, daterange(term_start, term_end, '[]') WITH &&)
);
CREATE INDEX membership_committee_idx ON membership (committee_id, role, id);
CREATE INDEX membership_person_idx ON membership (person_id);
CREATE INDEX membership_unit_idx ON membership (unit_id);

-- The audit log: every write to an organisation table, who made it, when,
-- and the row before and after. Rows are written by triggers in the same
-- transaction as the change, so no write escapes it, and it is append-only.
CREATE TABLE audit_log (
  id             bigserial PRIMARY KEY,
  subdistrict_id uuid,
  at             timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_id       uuid,
  actor_label    text NOT NULL DEFAULT '',
  action         text NOT NULL,
  entity_type    text NOT NULL,
  entity_id      uuid,
  note           text NOT NULL DEFAULT '',
  before         jsonb,
  after          jsonb
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_id, id);
CREATE INDEX audit_log_subdistrict_idx ON audit_log (subdistrict_id, id);

-- +goose StatementBegin
CREATE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  old_row jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END;
  new_row jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END;
  row_    jsonb := coalesce(new_row, old_row);
  id_col  text := coalesce(TG_ARGV[0], 'id');
  sd      uuid;
  actor   text := nullif(current_setting('cogov.actor_id', true), '');
BEGIN
  IF TG_TABLE_NAME = 'subdistrict' THEN
    sd := (row_ ->> 'id')::uuid;
  ELSE
    sd := (row_ ->> 'subdistrict_id')::uuid;
  END IF;
  INSERT INTO audit_log (subdistrict_id, actor_id, actor_label, action, entity_type, entity_id, note, before, after)
  VALUES (sd, actor::uuid, coalesce(current_setting('cogov.actor_label', true), ''),
          coalesce(nullif(current_setting('cogov.action', true), ''), lower(TG_OP)),
          TG_TABLE_NAME, (row_ ->> id_col)::uuid,
          coalesce(current_setting('cogov.note', true), ''), old_row, new_row);
  RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON subdistrict FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON community FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON person FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON grid FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON unit FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON committee FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON membership FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON grid_staff FOR EACH ROW EXECUTE FUNCTION audit_row('grid_id');

GRANT SELECT, INSERT, UPDATE ON subdistrict, community, person, grid, unit, committee, membership TO cogov_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON grid_staff TO cogov_app;
-- The app reads the log; only the SECURITY DEFINER trigger writes it.
GRANT SELECT ON audit_log TO cogov_app;

-- +goose Down
DROP TABLE audit_log, membership, committee, unit, grid_staff, grid, person, community, subdistrict;
DROP FUNCTION audit_row();
DROP FUNCTION audit_log_append_only();
