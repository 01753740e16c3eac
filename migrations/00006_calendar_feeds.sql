-- +goose Up
-- Subscription tokens for committee calendar feeds. Phone calendars cannot
-- sign in, so a committee's administrator creates a feed URL that carries a
-- random token; only its SHA-256 is stored, and it can be revoked.
CREATE TABLE calendar_feed (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL,
  committee_id   uuid NOT NULL,
  token_hash     bytea NOT NULL UNIQUE,
  created_by     uuid,
  created_at     timestamptz NOT NULL DEFAULT now(),
  revoked_at     timestamptz,
  FOREIGN KEY (subdistrict_id, committee_id) REFERENCES committee (subdistrict_id, id)
);
CREATE INDEX calendar_feed_committee_idx ON calendar_feed (committee_id) WHERE revoked_at IS NULL;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON calendar_feed FOR EACH ROW EXECUTE FUNCTION audit_row();
GRANT SELECT, INSERT, UPDATE ON calendar_feed TO cogov_app;

-- A feed request comes with no viewer but its token: any viewer may look a
-- token's hash up (the hash is useless without the token); only viewers of
-- the sub-district create or revoke feeds.
ALTER TABLE calendar_feed ENABLE ROW LEVEL SECURITY;
ALTER TABLE calendar_feed FORCE ROW LEVEL SECURITY;
CREATE POLICY read_by_token ON calendar_feed FOR SELECT USING (cogov_viewer_ready());
CREATE POLICY write_own ON calendar_feed FOR ALL USING (cogov_in_subdistrict(subdistrict_id)) WITH CHECK (cogov_in_subdistrict(subdistrict_id));

-- +goose Down
DROP TABLE calendar_feed;
