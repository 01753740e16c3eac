package graph_test

import (
	"context"
	"testing"
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
