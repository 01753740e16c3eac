package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"cogov/internal/pgtest"
)

// Sharding by sub-district (docs/scaling.md, Citus): a distributed table
// needs subdistrict_id in its primary key and in every unique and exclusion
// constraint, and in both sides of every foreign key to another
// distributed table. Reference tables (copied to every node) may not point
// at a distributed one. Local tables stay on the coordinator.
var (
	citusReference = []string{"subdistrict", "account", "account_role", "session", "platform_audit_log"}
	citusLocal     = []string{"goose_db_version", "rate_bucket"} // and river_*
)

// citusBreaks lists, from the catalogue, the constraints of the public
// schema that break the rules above, as "table constraint", sorted.
const citusBreaks = `
WITH cons AS (
  SELECT t.relname AS tbl, c.conname, c.contype, r.relname AS ref,
    EXISTS (SELECT 1 FROM unnest(c.conkey) k JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k
      WHERE a.attname = 'subdistrict_id') AS carries,
    EXISTS (SELECT 1 FROM unnest(c.confkey) k JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k
      WHERE a.attname = 'subdistrict_id') AS ref_carries
  FROM pg_constraint c
  JOIN pg_class t ON t.oid = c.conrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
  LEFT JOIN pg_class r ON r.oid = c.confrelid
  WHERE n.nspname = 'public' AND c.contype IN ('p', 'u', 'x', 'f')
    AND t.relname <> ALL ($2::text[]) AND t.relname NOT LIKE 'river\_%'
)
SELECT tbl || ' ' || conname FROM cons
WHERE CASE
  WHEN tbl = ANY ($1::text[]) THEN contype = 'f' AND ref <> ALL ($1::text[])
  WHEN contype = 'f' THEN ref <> ALL ($1::text[]) AND NOT (carries AND ref_carries)
  ELSE NOT carries
END
ORDER BY 1`

// TestCitusShape checks the schema against the rules of sharding by
// sub-district: no constraint breaks them (since migrations 00028 and
// 00029), and the catalogue query does see a break.
func TestCitusShape(t *testing.T) {
	db := pgtest.New(t, pgtest.Options{})
	ctx := context.Background()
	for _, b := range citusBreaksIn(t, db.Pool) {
		t.Errorf("%s: a constraint without subdistrict_id (a distributed table's key, unique or exclusion constraint, or foreign key to another distributed table, must carry it)", b)
	}

	// The query sees a break: a distributed table keyed by id alone and a
	// unique constraint without the sub-district, and passes a foreign key
	// that carries it.
	owner, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	if _, err := owner.Exec(ctx, `CREATE TABLE citus_probe (id uuid PRIMARY KEY, subdistrict_id uuid NOT NULL, code text UNIQUE,
		committee_id uuid, FOREIGN KEY (subdistrict_id, committee_id) REFERENCES committee (subdistrict_id, id))`); err != nil {
		t.Fatal(err)
	}
	probed := citusBreaksIn(t, db.Pool)
	for _, want := range []string{"citus_probe citus_probe_pkey", "citus_probe citus_probe_code_key"} {
		if !slices.Contains(probed, want) {
			t.Errorf("the catalogue query missed %s: %q", want, probed)
		}
	}
	if slices.Contains(probed, "citus_probe citus_probe_subdistrict_id_committee_id_fkey") {
		t.Errorf("the catalogue query flagged a foreign key that carries the sub-district: %q", probed)
	}
}

// citusBreaksIn runs citusBreaks on pool's database.
func citusBreaksIn(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), citusBreaks, citusReference, citusLocal)
	if err != nil {
		t.Fatal(err)
	}
	breaks, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return breaks
}

// TestAccountPersonLink checks the rule that replaced account.person_id's
// foreign key (migration 00028): an account names only a person that
// exists, with a foreign key's error and constraint name, and a person an
// account names is not deleted, while one nobody names is.
func TestAccountPersonLink(t *testing.T) {
	ctx := context.Background()
	_, conn := platformConn(t, "")
	var sd, named, free string
	err := conn.QueryRow(ctx, `INSERT INTO subdistrict (code, name, time_zone) VALUES ('link-test', '链接', 'Asia/Shanghai') RETURNING id`).Scan(&sd)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []*string{&named, &free} {
		if err := conn.QueryRow(ctx, `INSERT INTO person (subdistrict_id, name) VALUES ($1, '张三') RETURNING id`, sd).Scan(id); err != nil {
			t.Fatal(err)
		}
	}
	isFK := func(what string, err error) {
		t.Helper()
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "23503" || pgErr.ConstraintName != "account_person_id_fkey" {
			t.Errorf("%s: got %v, want a foreign_key_violation of account_person_id_fkey", what, err)
		}
	}
	_, err = conn.Exec(ctx, `INSERT INTO account (username, password_hash, subdistrict_id, person_id) VALUES ('nobody', 'x', $1, gen_random_uuid())`, sd)
	isFK("an account naming no person", err)
	if _, err := conn.Exec(ctx, `INSERT INTO account (username, password_hash, subdistrict_id, person_id) VALUES ('zhangsan', 'x', $1, $2)`, sd, named); err != nil {
		t.Fatalf("an account naming a person: %v", err)
	}
	_, err = conn.Exec(ctx, `UPDATE account SET person_id = gen_random_uuid() WHERE username = 'zhangsan'`)
	isFK("an account moved to no person", err)
	_, err = conn.Exec(ctx, `DELETE FROM person WHERE id = $1`, named)
	isFK("deleting a named person", err)
	if _, err := conn.Exec(ctx, `DELETE FROM person WHERE id = $1`, free); err != nil {
		t.Errorf("deleting a person no account names: %v", err)
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM account WHERE username = 'nobody'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the refused account was kept: %d rows, %v", n, err)
	}
}

// TestPlatformAuditLog checks migration 00029: an audit row without a
// sub-district (here a platform administrator's account) is kept in
// platform_audit_log, a sub-district's row in audit_log as before, and only
// a platform task reads the platform's rows.
func TestPlatformAuditLog(t *testing.T) {
	ctx := context.Background()
	db, conn := platformConn(t, "account.create")
	var sd, platform, local string
	if err := conn.QueryRow(ctx, `INSERT INTO subdistrict (code, name, time_zone) VALUES ('audit-test', '审计', 'Asia/Shanghai') RETURNING id`).Scan(&sd); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `INSERT INTO account (username, password_hash) VALUES ('root-admin', 'x') RETURNING id`).Scan(&platform); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, `INSERT INTO account (username, password_hash, subdistrict_id) VALUES ('sd-admin', 'x', $1) RETURNING id`, sd).Scan(&local); err != nil {
		t.Fatal(err)
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := conn.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT count(*) FROM platform_audit_log WHERE entity_id = $1 AND action = 'account.create' AND after ->> 'username' = 'root-admin'`, platform); n != 1 {
		t.Errorf("the platform account's creation: %d rows in platform_audit_log, want 1", n)
	}
	if n := count(`SELECT count(*) FROM audit_log WHERE entity_id = $1`, platform); n != 0 {
		t.Errorf("the platform account's creation: %d rows in audit_log, want 0", n)
	}
	if n := count(`SELECT count(*) FROM audit_log WHERE entity_id = $1 AND subdistrict_id = $2`, local, sd); n != 1 {
		t.Errorf("the sub-district account's creation: %d rows in audit_log, want 1", n)
	}
	if n := count(`SELECT count(*) FROM platform_audit_log WHERE entity_id = $1`, local); n != 0 {
		t.Errorf("the sub-district account's creation: %d rows in platform_audit_log, want 0", n)
	}
	// The app role reads the platform's rows only as a platform task.
	for _, system := range []string{"", "on"} {
		var n int
		err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT set_config('cogov.viewer_ready', 'on', true), set_config('cogov.system', $1, true)`, system); err != nil {
				return err
			}
			return tx.QueryRow(ctx, `SELECT count(*) FROM platform_audit_log WHERE entity_id = $1`, platform).Scan(&n)
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]int{"": 0, "on": 1}[system]; n != want {
			t.Errorf("cogov.system=%q: the app role reads %d platform rows, want %d", system, n, want)
		}
	}
	// Append-only, as audit_log is.
	if _, err := conn.Exec(ctx, `DELETE FROM platform_audit_log`); err == nil {
		t.Error("a platform audit row was deleted")
	}
}

// platformConn gives a new test database and a connection to it as its
// owner, acting as a platform task (row-level security lets it see every
// row) under the audit action given, if any.
func platformConn(t *testing.T, action string) (*pgtest.DB, *pgx.Conn) {
	t.Helper()
	db := pgtest.New(t, pgtest.Options{})
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(ctx) })
	if _, err := conn.Exec(ctx, `SELECT set_config('cogov.viewer_ready', 'on', false), set_config('cogov.system', 'on', false),
		set_config('cogov.action', $1, false)`, action); err != nil {
		t.Fatal(err)
	}
	return db, conn
}
