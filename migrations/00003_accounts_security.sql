-- +goose Up
-- Accounts, scoped roles and sessions; and row-level security on the
-- organisation tables as the backstop behind the domain's checks.

CREATE TABLE account (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username       text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,39}$'),
  password_hash  text NOT NULL,
  subdistrict_id uuid REFERENCES subdistrict (id), -- home sub-district; null for platform administrators
  person_id      uuid REFERENCES person (id),
  disabled       boolean NOT NULL DEFAULT false,
  demo           boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE account_role (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id     uuid NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  kind           text NOT NULL CHECK (kind IN ('PLATFORM_ADMIN', 'SUBDISTRICT_ADMIN', 'COMMITTEE_ADMIN', 'UNIT_ADMIN', 'MEMBER')),
  scope_id       uuid,
  subdistrict_id uuid REFERENCES subdistrict (id),
  created_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT account_role_scope CHECK ((kind = 'PLATFORM_ADMIN') = (scope_id IS NULL AND subdistrict_id IS NULL)),
  CONSTRAINT account_role_once UNIQUE NULLS NOT DISTINCT (account_id, kind, scope_id)
);
CREATE INDEX account_role_account_idx ON account_role (account_id);

-- A session token is random and stored only as its SHA-256.
CREATE TABLE session (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  account_id  uuid NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  token_hash  bytea NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz,
  remote_addr text NOT NULL DEFAULT '',
  user_agent  text NOT NULL DEFAULT ''
);
CREATE INDEX session_account_idx ON session (account_id);

-- The audit log never holds secrets.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_row() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  old_row jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) - 'password_hash' - 'token_hash' END;
  new_row jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) - 'password_hash' - 'token_hash' END;
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

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON account FOR EACH ROW EXECUTE FUNCTION audit_row();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON account_role FOR EACH ROW EXECUTE FUNCTION audit_row();

GRANT SELECT, INSERT, UPDATE ON account, session TO cogov_app;
GRANT SELECT, INSERT, DELETE ON account_role TO cogov_app;

-- Row-level security. Each transaction of the server tells PostgreSQL who is
-- asking with set_config(..., true): cogov.viewer_ready = 'on' once the
-- viewer is set, cogov.system = 'on' for trusted platform tasks, and
-- cogov.viewer_sds = the array of sub-districts the viewer holds a role in.
-- Outside such a transaction no policy passes, so no row is visible.

-- +goose StatementBegin
CREATE FUNCTION cogov_viewer_ready() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('cogov.viewer_ready', true), '') = 'on'
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION cogov_system() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT cogov_viewer_ready() AND coalesce(current_setting('cogov.system', true), '') = 'on'
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION cogov_in_subdistrict(sd uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT cogov_system() OR (cogov_viewer_ready()
    AND sd = ANY (coalesce(nullif(current_setting('cogov.viewer_sds', true), ''), '{}')::uuid[]))
$$;
-- +goose StatementEnd

-- The public directory: anyone whose request set a viewer (anonymous
-- included) may read; only viewers with a role in the sub-district may write.
ALTER TABLE subdistrict ENABLE ROW LEVEL SECURITY;
ALTER TABLE subdistrict FORCE ROW LEVEL SECURITY;
CREATE POLICY read_public ON subdistrict FOR SELECT USING (cogov_viewer_ready());
CREATE POLICY write_own ON subdistrict FOR ALL USING (cogov_in_subdistrict(id)) WITH CHECK (cogov_in_subdistrict(id));

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['community', 'grid', 'unit', 'committee'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY read_public ON %I FOR SELECT USING (cogov_viewer_ready())', t);
    EXECUTE format('CREATE POLICY write_own ON %I FOR ALL USING (cogov_in_subdistrict(subdistrict_id)) WITH CHECK (cogov_in_subdistrict(subdistrict_id))', t);
  END LOOP;
  -- Private to the sub-district: people, seats, grid staff, the audit log.
  FOREACH t IN ARRAY ARRAY['person', 'membership', 'grid_staff'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY own ON %I FOR ALL USING (cogov_in_subdistrict(subdistrict_id)) WITH CHECK (cogov_in_subdistrict(subdistrict_id))', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY read_own ON audit_log FOR SELECT USING (cogov_in_subdistrict(subdistrict_id) OR (subdistrict_id IS NULL AND cogov_system()));
-- Only the audit trigger (running as the owner) inserts; the app has no INSERT grant.
CREATE POLICY append ON audit_log FOR INSERT WITH CHECK (true);

-- +goose Down
DROP POLICY append ON audit_log;
DROP POLICY read_own ON audit_log;
ALTER TABLE audit_log NO FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_log DISABLE ROW LEVEL SECURITY;
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['subdistrict', 'community', 'grid', 'unit', 'committee'] LOOP
    EXECUTE format('DROP POLICY read_public ON %I', t);
    EXECUTE format('DROP POLICY write_own ON %I', t);
    EXECUTE format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', t);
  END LOOP;
  FOREACH t IN ARRAY ARRAY['person', 'membership', 'grid_staff'] LOOP
    EXECUTE format('DROP POLICY own ON %I', t);
    EXECUTE format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', t);
  END LOOP;
END
$$;
-- +goose StatementEnd
DROP FUNCTION cogov_in_subdistrict(uuid);
DROP FUNCTION cogov_system();
DROP FUNCTION cogov_viewer_ready();
DROP TABLE session, account_role, account;
