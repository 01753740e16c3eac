-- +goose Up
-- Limits every replica shares, and a complete audit trail of signing in.
--
-- 1. Token buckets for the sign-in throttle (per username, per address) and
--    the operation-cost budget (per account, per address). They were kept in
--    each server's memory, so three replicas allowed three times the limit.
--    PostgreSQL is the one thing every replica already shares: keeping the
--    buckets here makes a limit hold however many replicas run, with no new
--    service (Redis, a limiter process) for a deployment to run. A take is a
--    single INSERT ... ON CONFLICT DO UPDATE ... RETURNING (internal/store/
--    ratelimit.go): the row lock queues concurrent takes of one bucket, so
--    they cannot all pass. The table is UNLOGGED: a bucket is worth no WAL
--    and no replication, and a crash that empties it only forgives recent
--    attempts.
-- 2. The audit log records sessions (sign-in, sign-out, revocations, with the
--    address and user agent), failed sign-ins, and no longer records updates
--    that change nothing.

CREATE UNLOGGED TABLE rate_bucket (
  kind       text NOT NULL,             -- signin-user, signin-addr, cost-account, cost-addr
  key        text NOT NULL,             -- the username, address or account id
  burst      float8 NOT NULL CHECK (burst > 0),
  per_second float8 NOT NULL CHECK (per_second > 0),
  tokens     float8 NOT NULL,           -- tokens left at `at`
  at         timestamptz NOT NULL,
  full_at    timestamptz NOT NULL,      -- when the bucket is full again: a full bucket is the same as no row
  granted    boolean NOT NULL,          -- whether the last take got its tokens
  PRIMARY KEY (kind, key)
);
CREATE INDEX rate_bucket_full_idx ON rate_bucket (full_at);
-- Not organisation data and read before anyone is signed in: no row-level
-- security; the application takes, returns and sweeps tokens.
GRANT SELECT, INSERT, UPDATE, DELETE ON rate_bucket TO cogov_app;

-- The tokens a bucket holds at `now` that held `tokens` at `at`. A replica
-- whose clock is behind does not take tokens away.
-- +goose StatementBegin
CREATE FUNCTION rate_refill(tokens float8, at timestamptz, now timestamptz, burst float8, per_second float8)
RETURNS float8 LANGUAGE sql IMMUTABLE AS $$
  SELECT least(burst, tokens + greatest(0, extract(epoch FROM now - at)::float8) * per_second)
$$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION rate_refill(float8, timestamptz, timestamptz, float8, float8) TO cogov_app;

-- The audit trigger: as before, and
--  * an UPDATE that changes nothing but updated_at writes no row (saving a
--    venue's hours also rewrote the venue row unchanged);
--  * a session row belongs to its account's sub-district, so that the
--    sub-district's administrators see their accounts' sign-ins.
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
  IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) - 'updated_at') = (to_jsonb(NEW) - 'updated_at') THEN
    RETURN NULL; -- a no-op update: nothing to record
  END IF;
  IF TG_TABLE_NAME = 'subdistrict' THEN
    sd := (row_ ->> 'id')::uuid;
  ELSIF TG_TABLE_NAME = 'session' THEN
    SELECT a.subdistrict_id INTO sd FROM account a WHERE a.id = (row_ ->> 'account_id')::uuid;
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

-- Sessions: a sign-in inserts one (with the address and user agent), a
-- sign-out or revocation sets revoked_at.
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON session FOR EACH ROW EXECUTE FUNCTION audit_row();

-- A failed sign-in changes no row, so nothing triggers its audit row: the
-- server calls this instead. It records the address and user agent, and the
-- account when the username names one; an unknown username is not recorded,
-- since people type passwords into the username field. The application role
-- cannot write the audit log otherwise; this writes only this kind of row.
-- +goose StatementBegin
CREATE FUNCTION audit_sign_in_failed(username text, remote_addr text, user_agent text, reason text)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  acct uuid;
  sd   uuid;
BEGIN
  SELECT a.id, a.subdistrict_id INTO acct, sd FROM account a WHERE a.username = audit_sign_in_failed.username;
  INSERT INTO audit_log (subdistrict_id, actor_id, actor_label, action, entity_type, entity_id, note, after)
  VALUES (sd, nullif(current_setting('cogov.actor_id', true), '')::uuid, coalesce(current_setting('cogov.actor_label', true), ''),
          'sign-in.failed', 'account', acct, left(reason, 100),
          jsonb_build_object('username', CASE WHEN acct IS NOT NULL THEN audit_sign_in_failed.username END,
                             'remote_addr', left(remote_addr, 100), 'user_agent', left(user_agent, 300)));
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION audit_sign_in_failed(text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_sign_in_failed(text, text, text, text) TO cogov_app;

-- +goose Down
DROP FUNCTION audit_sign_in_failed(text, text, text, text);
DROP TRIGGER audit ON session;
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
DROP FUNCTION rate_refill(float8, timestamptz, timestamptz, float8, float8);
DROP TABLE rate_bucket;
