package graph_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestRowLevelSecurity checks the database backstop with the application's
// own role: outside a transaction that set the viewer, organisation tables
// show no rows, and the role can neither bypass the policies nor own tables.
func TestRowLevelSecurity(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	ctx := context.Background()
	var super, bypass bool
	var owned int
	if err := e.db.Pool.QueryRow(ctx, `SELECT rolsuper, rolbypassrls, (SELECT count(*) FROM pg_tables WHERE tableowner = current_user)
		FROM pg_roles WHERE rolname = current_user`).Scan(&super, &bypass, &owned); err != nil {
		t.Fatal(err)
	}
	if super || bypass || owned != 0 {
		t.Errorf("application role: superuser %v, bypassrls %v, owns %d tables", super, bypass, owned)
	}
	for _, table := range []string{"subdistrict", "community", "grid", "unit", "committee", "person", "membership", "grid_staff", "audit_log",
		"venue", "venue_hours", "booking", "booking_request"} {
		var n int
		if err := e.db.Pool.QueryRow(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows visible without a viewer", table, n)
		}
		var all int
		e.sysScan(`SELECT count(*) FROM `+table, &all)
		if all == 0 {
			t.Errorf("%s: no rows at all: the check proves nothing", table)
		}
	}
	// Nor can the role write around the policies.
	if _, err := e.db.Pool.Exec(ctx, `UPDATE community SET name = name || 'x'`); err != nil {
		t.Fatal(err)
	}
	var changed int
	e.sysScan(`SELECT count(*) FROM community WHERE name LIKE '%x'`, &changed)
	if changed != 0 {
		t.Errorf("%d communities renamed without a viewer", changed)
	}
}

// TestMemberRowLevelSecurity checks in the database the rule the domain
// states in structure.PeopleVisibleTo: with the settings the store sends for
// a member (their sub-district, no staff role, their person), the
// application's role reads only their own person and seats; with a staff
// role there it reads every one; a member cannot write people.
func TestMemberRowLevelSecurity(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	ctx := context.Background()
	var sd, self string
	var people, seats, ownSeats, staff int
	e.sysScan(`SELECT r.subdistrict_id::text, r.scope_id::text FROM account_role r JOIN account a ON a.id = r.account_id
		WHERE a.username = 'member-demo' AND r.kind = 'MEMBER'`, &sd, &self)
	e.sysScan(`SELECT (SELECT count(*) FROM person), (SELECT count(*) FROM membership), (SELECT count(*) FROM membership WHERE person_id = '`+self+`'),
		(SELECT count(*) FROM grid_staff)`, &people, &seats, &ownSeats, &staff)
	if people < 2 || ownSeats == 0 || seats <= ownSeats || staff == 0 {
		t.Fatalf("demo data: %d people, %d seats (%d of member-demo), %d grid posts: the check proves nothing", people, seats, ownSeats, staff)
	}
	as := func(staffSDs, persons string, fn func(tx pgx.Tx) error) error {
		return pgx.BeginFunc(ctx, e.db.Pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT set_config('cogov.viewer_ready', 'on', true), set_config('cogov.viewer_sds', $1, true),
				set_config('cogov.staff_sds', $2, true), set_config('cogov.persons', $3, true)`, "{"+sd+"}", staffSDs, persons); err != nil {
				return err
			}
			return fn(tx)
		})
	}
	count := func(staffSDs, persons string) (p, m, g int) {
		t.Helper()
		if err := as(staffSDs, persons, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM person), (SELECT count(*) FROM membership), (SELECT count(*) FROM grid_staff)`).Scan(&p, &m, &g)
		}); err != nil {
			t.Fatal(err)
		}
		return p, m, g
	}
	if p, m, g := count("{}", "{"+self+"}"); p != 1 || m != ownSeats || g != 0 {
		t.Errorf("as a member: %d people, %d seats, %d grid posts; want 1, %d, 0", p, m, g, ownSeats)
	}
	if p, m, g := count("{"+sd+"}", "{}"); p != people || m != seats || g != staff {
		t.Errorf("as staff: %d people, %d seats, %d grid posts; want %d, %d, %d", p, m, g, people, seats, staff)
	}
	// A member cannot rename even themselves, nor anyone else.
	if err := as("{}", "{"+self+"}", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE person SET name = name || 'x'`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var renamed int
	e.sysScan(`SELECT count(*) FROM person WHERE name LIKE '%x'`, &renamed)
	if renamed != 0 {
		t.Errorf("a member renamed %d people", renamed)
	}
}
