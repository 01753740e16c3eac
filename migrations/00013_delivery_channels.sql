-- +goose Up
-- Delivery beyond the page (issue 13): a unit or committee registers
-- channels — a webhook receiving signed JSON, a WeCom group robot, an SMS
-- number — and every notification addressed to its administrators is
-- delivered to each of them by a River job inserted in the transaction of
-- the change (River's own tables are migrated by rivermigrate after these
-- files; see store.Migrate). A channel's secret signs its webhook bodies.

CREATE TABLE delivery_channel (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  subdistrict_id uuid NOT NULL REFERENCES subdistrict (id),
  unit_id        uuid,
  committee_id   uuid,
  kind           text NOT NULL CHECK (kind IN ('WEBHOOK', 'WECOM', 'SMS')),
  target         text NOT NULL CHECK (length(target) BETWEEN 1 AND 2000),
  secret         text NOT NULL DEFAULT '',
  demo           boolean NOT NULL DEFAULT false,
  created_at     timestamptz NOT NULL DEFAULT cogov_now(),
  UNIQUE (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, unit_id) REFERENCES unit (subdistrict_id, id),
  FOREIGN KEY (subdistrict_id, committee_id) REFERENCES committee (subdistrict_id, id),
  CONSTRAINT delivery_channel_one_owner CHECK ((unit_id IS NULL) <> (committee_id IS NULL))
);
CREATE INDEX delivery_channel_unit_idx ON delivery_channel (unit_id) WHERE unit_id IS NOT NULL;
CREATE INDEX delivery_channel_committee_idx ON delivery_channel (committee_id) WHERE committee_id IS NOT NULL;

-- No audit trigger: the audit log keeps whole rows and would keep the secret.

ALTER TABLE delivery_channel ENABLE ROW LEVEL SECURITY;
ALTER TABLE delivery_channel FORCE ROW LEVEL SECURITY;
CREATE POLICY own ON delivery_channel FOR ALL USING (cogov_in_subdistrict(subdistrict_id)) WITH CHECK (cogov_in_subdistrict(subdistrict_id));
GRANT SELECT, INSERT, DELETE ON delivery_channel TO cogov_app;

-- +goose Down
DROP TABLE delivery_channel;
