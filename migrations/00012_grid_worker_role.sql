-- +goose Up
-- Grid staff sign in (issue 14): GRID_WORKER is a role scoped to one grid,
-- held by its head, a deputy head or a worker; someone working in several
-- grids holds one role per grid. The store now also tells each transaction
-- the sub-districts the viewer administers (cogov.admin_sds) and the records
-- the viewer's other roles are over (cogov.scopes: grids, committees,
-- units), which the grid cases' row-level security reads.

ALTER TABLE account_role DROP CONSTRAINT account_role_kind_check;
ALTER TABLE account_role ADD CONSTRAINT account_role_kind_check
  CHECK (kind IN ('PLATFORM_ADMIN', 'SUBDISTRICT_ADMIN', 'COMMITTEE_ADMIN', 'UNIT_ADMIN', 'MEMBER', 'GRID_WORKER'));

-- The viewer's role scopes and administered sub-districts, as set by the store.
-- +goose StatementBegin
CREATE FUNCTION cogov_scopes() RETURNS uuid[] LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN cogov_viewer_ready() THEN coalesce(nullif(current_setting('cogov.scopes', true), ''), '{}')::uuid[] ELSE '{}' END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION cogov_admin_of(sd uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT cogov_system() OR (cogov_viewer_ready()
    AND sd = ANY (coalesce(nullif(current_setting('cogov.admin_sds', true), ''), '{}')::uuid[]))
$$;
-- +goose StatementEnd
GRANT EXECUTE ON FUNCTION cogov_scopes(), cogov_admin_of(uuid) TO cogov_app;

-- +goose Down
DROP FUNCTION cogov_admin_of(uuid);
DROP FUNCTION cogov_scopes();
DELETE FROM account_role WHERE kind = 'GRID_WORKER';
ALTER TABLE account_role DROP CONSTRAINT account_role_kind_check;
ALTER TABLE account_role ADD CONSTRAINT account_role_kind_check
  CHECK (kind IN ('PLATFORM_ADMIN', 'SUBDISTRICT_ADMIN', 'COMMITTEE_ADMIN', 'UNIT_ADMIN', 'MEMBER'));
