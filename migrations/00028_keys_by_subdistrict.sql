-- +goose Up
-- Every key carries the sub-district (issue 12, "keep the schema ready for
-- Citus sharded by subdistrict_id"; docs/scaling.md). A distributed table
-- needs its distribution column in its primary key, in each unique and
-- exclusion constraint, and on both sides of each foreign key to another
-- distributed table; a reference table (subdistrict, account, account_role,
-- session) may not point at a distributed one. TestCitusShape reads these
-- rules from the catalogue.
--
-- What this changes and what it does not:
-- * A primary key (id) becomes (id, subdistrict_id): id leads, so every
--   lookup by id keeps its index, and no index is added. Ids are random
--   UUIDs; the foreign keys already point at (subdistrict_id, id).
-- * A composite key, unique or exclusion constraint gains subdistrict_id
--   last, under its old name (the store maps those names to user errors).
--   Each of them already held one sub-district's rows only (a meeting, a
--   venue, a community belongs to one), so nothing that was refused before
--   is accepted now.
-- * venue_busy gets the sub-district of its booking.
-- * account.person_id (a reference table pointing at a distributed one) is
--   checked by triggers instead of a foreign key, with the same error.
-- * audit_log keeps its key: its platform-wide rows have no sub-district,
--   and Citus refuses NULL in the distribution column (docs/scaling.md).

-- Foreign keys that point at a primary key (id) about to widen.
ALTER TABLE account DROP CONSTRAINT account_person_id_fkey;
ALTER TABLE booking DROP CONSTRAINT booking_affected_by_fkey;
ALTER TABLE venue_busy DROP CONSTRAINT venue_busy_booking_id_fkey;

-- +goose StatementBegin
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['agenda_item', 'booking', 'booking_request', 'calendar_feed', 'case_callback',
    'case_category', 'case_event', 'committee', 'community', 'delivery_channel', 'grid', 'grid_case',
    'intake_key', 'invitation', 'joint_meeting', 'mediation', 'mediation_mediator', 'mediation_party',
    'mediation_session', 'membership', 'need', 'need_escalation', 'notification', 'offer', 'person',
    'project', 'project_update', 'resolution', 'unit', 'venue', 'venue_closure', 'waitlist_entry'] LOOP
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I, ADD CONSTRAINT %I PRIMARY KEY (id, subdistrict_id)',
      t, t || '_pkey', t || '_pkey');
  END LOOP;
END
$$;
-- +goose StatementEnd

ALTER TABLE attendance DROP CONSTRAINT attendance_pkey,
  ADD CONSTRAINT attendance_pkey PRIMARY KEY (meeting_id, membership_id, subdistrict_id);
ALTER TABLE case_personal DROP CONSTRAINT case_personal_pkey,
  ADD CONSTRAINT case_personal_pkey PRIMARY KEY (subject_id, subdistrict_id);
ALTER TABLE case_time_limit DROP CONSTRAINT case_time_limit_pkey,
  ADD CONSTRAINT case_time_limit_pkey PRIMARY KEY (category_id, level, subdistrict_id);
ALTER TABLE grid_staff DROP CONSTRAINT grid_staff_pkey,
  ADD CONSTRAINT grid_staff_pkey PRIMARY KEY (grid_id, person_id, subdistrict_id);
ALTER TABLE intake_key_secret DROP CONSTRAINT intake_key_secret_pkey,
  ADD CONSTRAINT intake_key_secret_pkey PRIMARY KEY (intake_key_id, subdistrict_id);
ALTER TABLE joint_meeting_convener DROP CONSTRAINT joint_meeting_convener_pkey,
  ADD CONSTRAINT joint_meeting_convener_pkey PRIMARY KEY (meeting_id, committee_id, subdistrict_id);
ALTER TABLE project_need DROP CONSTRAINT project_need_pkey,
  ADD CONSTRAINT project_need_pkey PRIMARY KEY (project_id, need_id, subdistrict_id);
ALTER TABLE project_offer DROP CONSTRAINT project_offer_pkey,
  ADD CONSTRAINT project_offer_pkey PRIMARY KEY (project_id, offer_id, subdistrict_id);
ALTER TABLE project_overdue_notice DROP CONSTRAINT project_overdue_notice_pkey,
  ADD CONSTRAINT project_overdue_notice_pkey PRIMARY KEY (project_id, due_on, subdistrict_id);
ALTER TABLE venue_eligible_committee DROP CONSTRAINT venue_eligible_committee_pkey,
  ADD CONSTRAINT venue_eligible_committee_pkey PRIMARY KEY (venue_id, committee_id, subdistrict_id);

ALTER TABLE agenda_item DROP CONSTRAINT agenda_item_meeting_id_position_key,
  ADD CONSTRAINT agenda_item_meeting_id_position_key UNIQUE (meeting_id, position, subdistrict_id);
ALTER TABLE calendar_feed DROP CONSTRAINT calendar_feed_token_hash_key,
  ADD CONSTRAINT calendar_feed_token_hash_key UNIQUE (token_hash, subdistrict_id);
ALTER TABLE grid DROP CONSTRAINT grid_community_id_name_key,
  ADD CONSTRAINT grid_community_id_name_key UNIQUE (community_id, name, subdistrict_id);
ALTER TABLE intake_key_secret DROP CONSTRAINT intake_key_secret_key_hash_key,
  ADD CONSTRAINT intake_key_secret_key_hash_key UNIQUE (key_hash, subdistrict_id);
ALTER TABLE invitation DROP CONSTRAINT invitation_meeting_id_membership_id_key,
  ADD CONSTRAINT invitation_meeting_id_membership_id_key UNIQUE (meeting_id, membership_id, subdistrict_id);
ALTER TABLE joint_meeting DROP CONSTRAINT joint_meeting_booking_id_key,
  ADD CONSTRAINT joint_meeting_booking_id_key UNIQUE (booking_id, subdistrict_id);
ALTER TABLE mediation_mediator DROP CONSTRAINT mediation_mediator_mediation_id_position_key,
  ADD CONSTRAINT mediation_mediator_mediation_id_position_key UNIQUE (mediation_id, position, subdistrict_id);
ALTER TABLE mediation_party DROP CONSTRAINT mediation_party_mediation_id_position_key,
  ADD CONSTRAINT mediation_party_mediation_id_position_key UNIQUE (mediation_id, position, subdistrict_id);
ALTER TABLE resolution DROP CONSTRAINT resolution_meeting_id_position_key,
  ADD CONSTRAINT resolution_meeting_id_position_key UNIQUE (meeting_id, position, subdistrict_id);
ALTER TABLE venue DROP CONSTRAINT venue_unit_id_name_key,
  ADD CONSTRAINT venue_unit_id_name_key UNIQUE (unit_id, name, subdistrict_id);

-- An offer's venue is its unit's own: the pair it points at carries the
-- sub-district too.
ALTER TABLE offer DROP CONSTRAINT offer_own_venue;
ALTER TABLE venue DROP CONSTRAINT venue_unit_id_id_key,
  ADD CONSTRAINT venue_unit_id_id_key UNIQUE (unit_id, id, subdistrict_id);
ALTER TABLE offer ADD CONSTRAINT offer_own_venue FOREIGN KEY (unit_id, venue_id, subdistrict_id)
  REFERENCES venue (unit_id, id, subdistrict_id);

ALTER TABLE booking DROP CONSTRAINT booking_no_overlap,
  ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist (venue_id WITH =, held WITH &&, subdistrict_id WITH =)
    WHERE (status IN ('PENDING', 'APPROVED'));
ALTER TABLE membership DROP CONSTRAINT membership_no_overlap,
  ADD CONSTRAINT membership_no_overlap EXCLUDE USING gist (committee_id WITH =, person_id WITH =,
    daterange(term_start, term_end, '[]') WITH &&, subdistrict_id WITH =);
ALTER TABLE venue_hours DROP CONSTRAINT venue_hours_no_overlap,
  ADD CONSTRAINT venue_hours_no_overlap EXCLUDE USING gist (venue_id WITH =, weekday WITH =,
    int4range(opens_min, closes_min) WITH &&, subdistrict_id WITH =);

ALTER TABLE booking ADD CONSTRAINT booking_affected_by_fkey FOREIGN KEY (subdistrict_id, affected_by)
  REFERENCES venue_closure (subdistrict_id, id);

-- venue_busy: the booking's sub-district, kept by the trigger that keeps
-- the row.
ALTER TABLE venue_busy ADD COLUMN subdistrict_id uuid;
UPDATE venue_busy vb SET subdistrict_id = b.subdistrict_id FROM booking b WHERE b.id = vb.booking_id;
ALTER TABLE venue_busy ALTER COLUMN subdistrict_id SET NOT NULL,
  DROP CONSTRAINT venue_busy_pkey,
  ADD CONSTRAINT venue_busy_pkey PRIMARY KEY (booking_id, subdistrict_id),
  ADD CONSTRAINT venue_busy_booking_id_fkey FOREIGN KEY (subdistrict_id, booking_id)
    REFERENCES booking (subdistrict_id, id) ON DELETE CASCADE;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION venue_busy_sync() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status IN ('PENDING', 'APPROVED') AND NEW.status IN ('PENDING', 'APPROVED')
     AND OLD.held = NEW.held AND OLD.venue_id = NEW.venue_id THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' THEN -- a new booking has no row yet
    DELETE FROM venue_busy WHERE booking_id = NEW.id;
  END IF;
  IF NEW.status IN ('PENDING', 'APPROVED') THEN
    INSERT INTO venue_busy (booking_id, venue_id, held, reach, subdistrict_id)
      SELECT NEW.id, NEW.venue_id, NEW.held, tstzrange(lower(NEW.held) - make_interval(mins => v.buffer_minutes), upper(NEW.held)),
        NEW.subdistrict_id
      FROM venue v WHERE v.id = NEW.venue_id;
  END IF;
  RETURN NULL;
END
$$;
-- +goose StatementEnd

-- account.person_id: an account (a reference table, on every node) names a
-- person (distributed), which no foreign key may do under Citus. Two
-- triggers hold the same rule, with a foreign key's error and name: the
-- account's person exists (and is locked against deletion, as a foreign
-- key's check locks it), and a person an account names is not deleted.
-- +goose StatementBegin
CREATE FUNCTION account_person_exists() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF NEW.person_id IS NOT NULL THEN
    PERFORM 1 FROM person WHERE id = NEW.person_id FOR KEY SHARE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'insert or update on table "account" violates foreign key constraint "account_person_id_fkey"'
        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'account_person_id_fkey', TABLE = 'account',
          DETAIL = format('Key (person_id)=(%s) is not present in table "person".', NEW.person_id);
    END IF;
  END IF;
  RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER account_person_exists BEFORE INSERT OR UPDATE OF person_id ON account
  FOR EACH ROW EXECUTE FUNCTION account_person_exists();

-- +goose StatementBegin
CREATE FUNCTION person_account_kept() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM account WHERE person_id = OLD.id) THEN
    RAISE EXCEPTION 'update or delete on table "person" violates foreign key constraint "account_person_id_fkey" on table "account"'
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'account_person_id_fkey', TABLE = 'person',
        DETAIL = format('Key (id)=(%s) is still referenced from table "account".', OLD.id);
  END IF;
  RETURN OLD;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER person_account_kept BEFORE DELETE OR UPDATE OF id ON person
  FOR EACH ROW EXECUTE FUNCTION person_account_kept();

-- +goose Down
DROP TRIGGER person_account_kept ON person;
DROP FUNCTION person_account_kept();
DROP TRIGGER account_person_exists ON account;
DROP FUNCTION account_person_exists();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION venue_busy_sync() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.status IN ('PENDING', 'APPROVED') AND NEW.status IN ('PENDING', 'APPROVED')
     AND OLD.held = NEW.held AND OLD.venue_id = NEW.venue_id THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' THEN -- a new booking has no row yet
    DELETE FROM venue_busy WHERE booking_id = NEW.id;
  END IF;
  IF NEW.status IN ('PENDING', 'APPROVED') THEN
    INSERT INTO venue_busy (booking_id, venue_id, held, reach)
      SELECT NEW.id, NEW.venue_id, NEW.held, tstzrange(lower(NEW.held) - make_interval(mins => v.buffer_minutes), upper(NEW.held))
      FROM venue v WHERE v.id = NEW.venue_id;
  END IF;
  RETURN NULL;
END
$$;
-- +goose StatementEnd

ALTER TABLE venue_busy DROP CONSTRAINT venue_busy_booking_id_fkey, DROP CONSTRAINT venue_busy_pkey;
ALTER TABLE venue_busy DROP COLUMN subdistrict_id;
ALTER TABLE booking DROP CONSTRAINT booking_affected_by_fkey;

ALTER TABLE venue_hours DROP CONSTRAINT venue_hours_no_overlap,
  ADD CONSTRAINT venue_hours_no_overlap EXCLUDE USING gist (venue_id WITH =, weekday WITH =,
    int4range(opens_min, closes_min) WITH &&);
ALTER TABLE membership DROP CONSTRAINT membership_no_overlap,
  ADD CONSTRAINT membership_no_overlap EXCLUDE USING gist (committee_id WITH =, person_id WITH =,
    daterange(term_start, term_end, '[]') WITH &&);
ALTER TABLE booking DROP CONSTRAINT booking_no_overlap,
  ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist (venue_id WITH =, held WITH &&)
    WHERE (status IN ('PENDING', 'APPROVED'));

ALTER TABLE offer DROP CONSTRAINT offer_own_venue;
ALTER TABLE venue DROP CONSTRAINT venue_unit_id_id_key, ADD CONSTRAINT venue_unit_id_id_key UNIQUE (unit_id, id);
ALTER TABLE offer ADD CONSTRAINT offer_own_venue FOREIGN KEY (unit_id, venue_id) REFERENCES venue (unit_id, id);

ALTER TABLE venue DROP CONSTRAINT venue_unit_id_name_key, ADD CONSTRAINT venue_unit_id_name_key UNIQUE (unit_id, name);
ALTER TABLE resolution DROP CONSTRAINT resolution_meeting_id_position_key,
  ADD CONSTRAINT resolution_meeting_id_position_key UNIQUE (meeting_id, position);
ALTER TABLE mediation_party DROP CONSTRAINT mediation_party_mediation_id_position_key,
  ADD CONSTRAINT mediation_party_mediation_id_position_key UNIQUE (mediation_id, position);
ALTER TABLE mediation_mediator DROP CONSTRAINT mediation_mediator_mediation_id_position_key,
  ADD CONSTRAINT mediation_mediator_mediation_id_position_key UNIQUE (mediation_id, position);
ALTER TABLE joint_meeting DROP CONSTRAINT joint_meeting_booking_id_key, ADD CONSTRAINT joint_meeting_booking_id_key UNIQUE (booking_id);
ALTER TABLE invitation DROP CONSTRAINT invitation_meeting_id_membership_id_key,
  ADD CONSTRAINT invitation_meeting_id_membership_id_key UNIQUE (meeting_id, membership_id);
ALTER TABLE intake_key_secret DROP CONSTRAINT intake_key_secret_key_hash_key, ADD CONSTRAINT intake_key_secret_key_hash_key UNIQUE (key_hash);
ALTER TABLE grid DROP CONSTRAINT grid_community_id_name_key, ADD CONSTRAINT grid_community_id_name_key UNIQUE (community_id, name);
ALTER TABLE calendar_feed DROP CONSTRAINT calendar_feed_token_hash_key, ADD CONSTRAINT calendar_feed_token_hash_key UNIQUE (token_hash);
ALTER TABLE agenda_item DROP CONSTRAINT agenda_item_meeting_id_position_key,
  ADD CONSTRAINT agenda_item_meeting_id_position_key UNIQUE (meeting_id, position);

ALTER TABLE venue_eligible_committee DROP CONSTRAINT venue_eligible_committee_pkey,
  ADD CONSTRAINT venue_eligible_committee_pkey PRIMARY KEY (venue_id, committee_id);
ALTER TABLE project_overdue_notice DROP CONSTRAINT project_overdue_notice_pkey,
  ADD CONSTRAINT project_overdue_notice_pkey PRIMARY KEY (project_id, due_on);
ALTER TABLE project_offer DROP CONSTRAINT project_offer_pkey, ADD CONSTRAINT project_offer_pkey PRIMARY KEY (project_id, offer_id);
ALTER TABLE project_need DROP CONSTRAINT project_need_pkey, ADD CONSTRAINT project_need_pkey PRIMARY KEY (project_id, need_id);
ALTER TABLE joint_meeting_convener DROP CONSTRAINT joint_meeting_convener_pkey,
  ADD CONSTRAINT joint_meeting_convener_pkey PRIMARY KEY (meeting_id, committee_id);
ALTER TABLE intake_key_secret DROP CONSTRAINT intake_key_secret_pkey, ADD CONSTRAINT intake_key_secret_pkey PRIMARY KEY (intake_key_id);
ALTER TABLE grid_staff DROP CONSTRAINT grid_staff_pkey, ADD CONSTRAINT grid_staff_pkey PRIMARY KEY (grid_id, person_id);
ALTER TABLE case_time_limit DROP CONSTRAINT case_time_limit_pkey, ADD CONSTRAINT case_time_limit_pkey PRIMARY KEY (category_id, level);
ALTER TABLE case_personal DROP CONSTRAINT case_personal_pkey, ADD CONSTRAINT case_personal_pkey PRIMARY KEY (subject_id);
ALTER TABLE attendance DROP CONSTRAINT attendance_pkey, ADD CONSTRAINT attendance_pkey PRIMARY KEY (meeting_id, membership_id);

-- +goose StatementBegin
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['agenda_item', 'booking', 'booking_request', 'calendar_feed', 'case_callback',
    'case_category', 'case_event', 'committee', 'community', 'delivery_channel', 'grid', 'grid_case',
    'intake_key', 'invitation', 'joint_meeting', 'mediation', 'mediation_mediator', 'mediation_party',
    'mediation_session', 'membership', 'need', 'need_escalation', 'notification', 'offer', 'person',
    'project', 'project_update', 'resolution', 'unit', 'venue', 'venue_closure', 'waitlist_entry'] LOOP
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I, ADD CONSTRAINT %I PRIMARY KEY (id)', t, t || '_pkey', t || '_pkey');
  END LOOP;
END
$$;
-- +goose StatementEnd

ALTER TABLE venue_busy ADD CONSTRAINT venue_busy_pkey PRIMARY KEY (booking_id),
  ADD CONSTRAINT venue_busy_booking_id_fkey FOREIGN KEY (booking_id) REFERENCES booking (id) ON DELETE CASCADE;
ALTER TABLE booking ADD CONSTRAINT booking_affected_by_fkey FOREIGN KEY (affected_by) REFERENCES venue_closure (id);
ALTER TABLE account ADD CONSTRAINT account_person_id_fkey FOREIGN KEY (person_id) REFERENCES person (id);
