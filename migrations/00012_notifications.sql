-- +goose Up
-- Notifications (issue 13): one durable record per recipient account,
-- written in the same transaction as the change that causes it (a
-- transactional outbox). An account reads and marks only its own; anyone
-- acting in a sub-district may write them there, since a change notifies
-- others (a request notifies the venue's unit). Each insert notifies channel
-- cogov_notification with '<account id>:<notification id>' when the transaction commits,
-- for the GraphQL subscription notificationAdded on every replica.

CREATE TABLE notification (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL REFERENCES subdistrict (id),
  account_id     uuid NOT NULL REFERENCES account (id) ON DELETE CASCADE,
  kind           text NOT NULL CHECK (kind ~ '^[A-Z][A-Z_]{1,63}$'),
  object_type    text NOT NULL CHECK (object_type ~ '^[A-Z][A-Za-z]{1,63}$'),
  object_id      uuid NOT NULL,
  note           text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
  demo           boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT cogov_now(),
  read_at        timestamptz
);
CREATE INDEX notification_account_idx ON notification (account_id, created_at DESC, id DESC);
CREATE INDEX notification_unread_idx ON notification (account_id) WHERE read_at IS NULL;

-- +goose StatementBegin
CREATE FUNCTION cogov_actor() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN cogov_viewer_ready() THEN nullif(current_setting('cogov.actor_id', true), '')::uuid END
$$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION cogov_actor() TO cogov_app;

ALTER TABLE notification ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification FORCE ROW LEVEL SECURITY;
CREATE POLICY read_own ON notification FOR SELECT USING (cogov_system() OR account_id = cogov_actor());
CREATE POLICY mark_own ON notification FOR UPDATE USING (cogov_system() OR account_id = cogov_actor())
  WITH CHECK (cogov_system() OR account_id = cogov_actor());
CREATE POLICY write_in_subdistrict ON notification FOR INSERT WITH CHECK (cogov_in_subdistrict(subdistrict_id));
GRANT SELECT, INSERT ON notification TO cogov_app;
GRANT UPDATE (read_at) ON notification TO cogov_app;

-- +goose StatementBegin
CREATE FUNCTION notification_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('cogov_notification', NEW.account_id::text || ':' || NEW.id::text);
  RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER notify AFTER INSERT ON notification FOR EACH ROW EXECUTE FUNCTION notification_notify();

-- A cancelled meeting's invitations are withdrawn (they keep when they
-- were answered, if they were).
ALTER TABLE invitation DROP CONSTRAINT invitation_response_check;
ALTER TABLE invitation ADD CONSTRAINT invitation_response_check CHECK (response IN ('PENDING', 'ACCEPTED', 'DECLINED', 'WITHDRAWN'));
ALTER TABLE invitation DROP CONSTRAINT invitation_answered;
ALTER TABLE invitation ADD CONSTRAINT invitation_answered CHECK (response IN ('PENDING', 'WITHDRAWN') OR responded_at IS NOT NULL);
ALTER TABLE invitation ADD CONSTRAINT invitation_pending CHECK (response <> 'PENDING' OR responded_at IS NULL);

-- +goose Down
UPDATE invitation SET response = CASE WHEN responded_at IS NULL THEN 'PENDING' ELSE 'DECLINED' END WHERE response = 'WITHDRAWN';
ALTER TABLE invitation DROP CONSTRAINT invitation_pending;
ALTER TABLE invitation DROP CONSTRAINT invitation_answered;
ALTER TABLE invitation ADD CONSTRAINT invitation_answered CHECK ((response = 'PENDING') = (responded_at IS NULL));
ALTER TABLE invitation DROP CONSTRAINT invitation_response_check;
ALTER TABLE invitation ADD CONSTRAINT invitation_response_check CHECK (response IN ('PENDING', 'ACCEPTED', 'DECLINED'));
DROP TRIGGER notify ON notification;
DROP FUNCTION notification_notify();
DROP TABLE notification;
DROP FUNCTION cogov_actor();
