-- +goose Up
-- The daily loop's last pieces (issue 13).
--
-- 1. PROJECT_OVERDUE is sent by a periodic job (internal/jobs). A project
--    is told overdue once per overdue period: the job claims the project
--    and its due day here in the transaction that writes the
--    notifications, so two runs at once (retries, several replicas) notify
--    once: the second waits on the first's row and then finds it taken. A
--    project whose due day moves later and passes again is told again.
CREATE TABLE project_overdue_notice (
  project_id     uuid NOT NULL,
  due_on         date NOT NULL,
  subdistrict_id uuid NOT NULL,
  notified_at    timestamptz NOT NULL DEFAULT cogov_now(),
  PRIMARY KEY (project_id, due_on),
  FOREIGN KEY (subdistrict_id, project_id) REFERENCES project (subdistrict_id, id) ON DELETE CASCADE
);
ALTER TABLE project_overdue_notice ENABLE ROW LEVEL SECURITY;
ALTER TABLE project_overdue_notice FORCE ROW LEVEL SECURITY;
CREATE POLICY own ON project_overdue_notice FOR ALL USING (cogov_in_subdistrict(subdistrict_id)) WITH CHECK (cogov_in_subdistrict(subdistrict_id));
GRANT SELECT, INSERT ON project_overdue_notice TO cogov_app;

-- 2. Delivery channels are audited like every organisation table, but a
--    webhook's secret never reaches the audit log: the row is recorded with
--    the secret replaced by a fingerprint (sha256: and the first 12 hex
--    digits of its SHA-256), enough to tell that it changed and which one
--    it was, not to sign anything. Secrets are 24 random bytes, so the
--    fingerprint gives nothing away.
-- +goose StatementBegin
CREATE FUNCTION audit_secret_fingerprint(r jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN r IS NULL THEN NULL
              WHEN coalesce(r ->> 'secret', '') = '' THEN r - 'secret'
              ELSE jsonb_set(r, '{secret}', to_jsonb('sha256:' || left(encode(sha256(convert_to(r ->> 'secret', 'UTF8')), 'hex'), 12))) END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION audit_channel_row() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  old_row jsonb := audit_secret_fingerprint(CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) END);
  new_row jsonb := audit_secret_fingerprint(CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) END);
  row_    jsonb := coalesce(new_row, old_row);
BEGIN
  IF TG_OP = 'UPDATE' AND old_row = new_row THEN
    RETURN NULL; -- a no-op update: nothing to record
  END IF;
  INSERT INTO audit_log (subdistrict_id, actor_id, actor_label, action, entity_type, entity_id, note, before, after)
  VALUES ((row_ ->> 'subdistrict_id')::uuid, nullif(current_setting('cogov.actor_id', true), '')::uuid,
          coalesce(current_setting('cogov.actor_label', true), ''),
          coalesce(nullif(current_setting('cogov.action', true), ''), lower(TG_OP)),
          TG_TABLE_NAME, (row_ ->> 'id')::uuid,
          coalesce(current_setting('cogov.note', true), ''), old_row, new_row);
  RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON delivery_channel FOR EACH ROW EXECUTE FUNCTION audit_channel_row();

-- +goose Down
DROP TRIGGER audit ON delivery_channel;
DROP FUNCTION audit_channel_row();
DROP FUNCTION audit_secret_fingerprint(jsonb);
DROP TABLE project_overdue_notice;
