-- +goose Up
-- Live-update signals (channels cogov_venue and cogov_notification) sent
-- after the commit instead of inside the transaction, when the writer asks
-- for it. PostgreSQL commits the transactions that notify one at a time: each
-- holds a database-wide lock from before its commit record until after its
-- WAL flush, so notifying writers cannot share a flush. With the booking's
-- notify trigger the bare booking transaction reached 465-556 a second at 16
-- clients on the benchmark machine, without it 732-863 (docs/benchmarks.md,
-- round 6).
--
-- A transaction that sets cogov.notify_later to 'on' (the store's write
-- transactions do) gathers its signals in the transaction-local setting
-- cogov.later instead, one line "<channel> <payload>" each, once; the store
-- reads it with its COMMIT and, once committed, sends the signals of many
-- transactions with one statement. A savepoint rolled back takes its lines
-- with it, as it would its notifications. Any other writer (psql, a
-- migration, a job outside the store) notifies as before.

-- +goose StatementBegin
CREATE FUNCTION cogov_signal(channel text, payload text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  line text := channel || ' ' || payload || E'\n';
  gathered text;
BEGIN
  IF coalesce(current_setting('cogov.notify_later', true), '') <> 'on' THEN
    PERFORM pg_notify(channel, payload);
    RETURN;
  END IF;
  gathered := coalesce(current_setting('cogov.later', true), '');
  IF strpos(gathered, line) = 0 THEN
    PERFORM set_config('cogov.later', gathered || line, true);
  END IF;
END
$$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION cogov_signal(text, text) TO cogov_app;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION venue_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r jsonb := to_jsonb(coalesce(NEW, OLD));
BEGIN
  PERFORM cogov_signal('cogov_venue', r ->> coalesce(TG_ARGV[0], 'venue_id'));
  RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION notification_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM cogov_signal('cogov_notification', NEW.account_id::text || ':' || NEW.id::text);
  RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION notification_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('cogov_notification', NEW.account_id::text || ':' || NEW.id::text);
  RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION venue_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  r jsonb := to_jsonb(coalesce(NEW, OLD));
BEGIN
  PERFORM pg_notify('cogov_venue', r ->> coalesce(TG_ARGV[0], 'venue_id'));
  RETURN NULL;
END
$$;
-- +goose StatementEnd

DROP FUNCTION cogov_signal(text, text);
