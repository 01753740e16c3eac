-- +goose Up
-- cogov_signal (00026) gathered every signal of a transaction in one
-- setting, copying and searching the setting at each append: a transaction
-- writing thousands of notifications would copy megabytes per row. Past
-- 32 KiB gathered (about 350 notifications' signals, each venue's once) a
-- signal is notified at once, as before 00026: that transaction takes
-- PostgreSQL's commit lock for NOTIFY, and its gathering stays small.

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION cogov_signal(channel text, payload text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  line text := channel || ' ' || payload || E'\n';
  gathered text;
BEGIN
  IF coalesce(current_setting('cogov.notify_later', true), '') <> 'on' THEN
    PERFORM pg_notify(channel, payload);
    RETURN;
  END IF;
  gathered := coalesce(current_setting('cogov.later', true), '');
  IF strpos(gathered, line) > 0 THEN
    RETURN;
  END IF;
  IF octet_length(gathered) + octet_length(line) > 32768 THEN
    PERFORM pg_notify(channel, payload);
    RETURN;
  END IF;
  PERFORM set_config('cogov.later', gathered || line, true);
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION cogov_signal(channel text, payload text) RETURNS void LANGUAGE plpgsql AS $$
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
