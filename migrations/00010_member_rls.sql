-- +goose Up
-- A member sees only their own person and seats, in the database too. The
-- domain's rule (structure.PeopleVisibleTo): people, seats and grid posts of
-- a sub-district are for those who work there — any role but member — and a
-- member sees their own person and seats only. The store now also tells each
-- transaction the sub-districts the viewer works in (cogov.staff_sds) and the
-- people they are signed in as (cogov.persons); these policies replace the
-- sub-district-wide "own" policy on person, membership and grid_staff.

-- +goose StatementBegin
CREATE FUNCTION cogov_staff_in(sd uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT cogov_system() OR (cogov_viewer_ready()
    AND sd = ANY (coalesce(nullif(current_setting('cogov.staff_sds', true), ''), '{}')::uuid[]))
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION cogov_is_person(p uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT cogov_viewer_ready() AND p = ANY (coalesce(nullif(current_setting('cogov.persons', true), ''), '{}')::uuid[])
$$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION cogov_staff_in(uuid), cogov_is_person(uuid) TO cogov_app;

DROP POLICY own ON person;
DROP POLICY own ON membership;
DROP POLICY own ON grid_staff;
CREATE POLICY read_staff_or_self ON person FOR SELECT USING (cogov_staff_in(subdistrict_id) OR cogov_is_person(id));
CREATE POLICY read_staff_or_self ON membership FOR SELECT USING (cogov_staff_in(subdistrict_id) OR cogov_is_person(person_id));
CREATE POLICY read_staff_or_self ON grid_staff FOR SELECT USING (cogov_staff_in(subdistrict_id) OR cogov_is_person(person_id));
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['person', 'membership', 'grid_staff'] LOOP
    EXECUTE format('CREATE POLICY staff_insert ON %I FOR INSERT WITH CHECK (cogov_staff_in(subdistrict_id))', t);
    EXECUTE format('CREATE POLICY staff_update ON %I FOR UPDATE USING (cogov_staff_in(subdistrict_id)) WITH CHECK (cogov_staff_in(subdistrict_id))', t);
    EXECUTE format('CREATE POLICY staff_delete ON %I FOR DELETE USING (cogov_staff_in(subdistrict_id))', t);
  END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['person', 'membership', 'grid_staff'] LOOP
    EXECUTE format('DROP POLICY staff_delete ON %I', t);
    EXECUTE format('DROP POLICY staff_update ON %I', t);
    EXECUTE format('DROP POLICY staff_insert ON %I', t);
    EXECUTE format('DROP POLICY read_staff_or_self ON %I', t);
    EXECUTE format('CREATE POLICY own ON %I FOR ALL USING (cogov_in_subdistrict(subdistrict_id)) WITH CHECK (cogov_in_subdistrict(subdistrict_id))', t);
  END LOOP;
END
$$;
-- +goose StatementEnd
DROP FUNCTION cogov_is_person(uuid);
DROP FUNCTION cogov_staff_in(uuid);
