-- +goose Up
-- The audit log's rows without a sub-district (a platform administrator's
-- account, role or session, a failed sign-in to such an account) go to a
-- table of their own, so that audit_log's key can carry the sub-district
-- like every other distributed table's (00028; docs/scaling.md): Citus
-- refuses NULL in a distribution column. platform_audit_log is small and
-- platform-wide, a reference table under Citus.
--
-- The writers (audit_row, audit_channel_row, audit_sign_in_failed) are
-- unchanged: a trigger on audit_log moves a row without a sub-district
-- before it is stored. Its WHEN condition is checked without calling the
-- function, so a sub-district's row pays nothing for it.

CREATE TABLE platform_audit_log (
  id          bigint PRIMARY KEY DEFAULT nextval('audit_log_id_seq'),
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor_id    uuid,
  actor_label text NOT NULL DEFAULT '',
  action      text NOT NULL,
  entity_type text NOT NULL,
  entity_id   uuid,
  note        text NOT NULL DEFAULT '',
  before      jsonb,
  after       jsonb
);
CREATE INDEX platform_audit_log_entity_idx ON platform_audit_log (entity_id, id);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON platform_audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
ALTER TABLE platform_audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE platform_audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY read_platform ON platform_audit_log FOR SELECT USING (cogov_system());
CREATE POLICY append ON platform_audit_log FOR INSERT WITH CHECK (true);
-- The app reads the log; only the SECURITY DEFINER trigger writes it.
GRANT SELECT ON platform_audit_log TO cogov_app;

-- +goose StatementBegin
CREATE FUNCTION audit_log_platform() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  INSERT INTO platform_audit_log (id, at, actor_id, actor_label, action, entity_type, entity_id, note, before, after)
  VALUES (NEW.id, NEW.at, NEW.actor_id, NEW.actor_label, NEW.action, NEW.entity_type, NEW.entity_id, NEW.note, NEW.before, NEW.after);
  RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER platform BEFORE INSERT ON audit_log FOR EACH ROW WHEN (NEW.subdistrict_id IS NULL)
  EXECUTE FUNCTION audit_log_platform();

ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
INSERT INTO platform_audit_log (id, at, actor_id, actor_label, action, entity_type, entity_id, note, before, after)
  SELECT id, at, actor_id, actor_label, action, entity_type, entity_id, note, before, after
  FROM audit_log WHERE subdistrict_id IS NULL;
DELETE FROM audit_log WHERE subdistrict_id IS NULL;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;

ALTER TABLE audit_log ALTER COLUMN subdistrict_id SET NOT NULL,
  DROP CONSTRAINT audit_log_pkey,
  ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id, subdistrict_id);
DROP POLICY read_own ON audit_log;
CREATE POLICY read_own ON audit_log FOR SELECT USING (cogov_in_subdistrict(subdistrict_id));

-- +goose Down
DROP POLICY read_own ON audit_log;
CREATE POLICY read_own ON audit_log FOR SELECT USING (cogov_in_subdistrict(subdistrict_id) OR (subdistrict_id IS NULL AND cogov_system()));
ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey, ADD CONSTRAINT audit_log_pkey PRIMARY KEY (id),
  ALTER COLUMN subdistrict_id DROP NOT NULL;
DROP TRIGGER platform ON audit_log;
DROP FUNCTION audit_log_platform();
INSERT INTO audit_log (id, subdistrict_id, at, actor_id, actor_label, action, entity_type, entity_id, note, before, after)
  SELECT id, NULL, at, actor_id, actor_label, action, entity_type, entity_id, note, before, after FROM platform_audit_log;
DROP TABLE platform_audit_log;
