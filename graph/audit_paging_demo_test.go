package graph_test

import (
	"context"
	"encoding/json"
	"testing"

	"cogov/internal/access"
	"cogov/internal/demo"
	"cogov/internal/pgtest"
	"cogov/internal/store"
)

// TestAuditLog checks that a change is recorded with who, when, what, before
// and after, and that the application's role cannot rewrite the log.
func TestAuditLog(t *testing.T) {
	t.Parallel()
	e, f := newFixture(t)
	f.admin.ok("UpdateCommunity", "community", map[string]any{"id": f.c1, "name": "改名社区"})

	var actorID, actorLabel, action, entity string
	var before, after json.RawMessage
	e.sysScan(`SELECT coalesce(actor_id::text, ''), actor_label, action, entity_type, before, after
		FROM audit_log WHERE entity_id = '`+rawID(t, f.c1)+`' ORDER BY id DESC LIMIT 1`, &actorID, &actorLabel, &action, &entity, &before, &after)
	if actorID != "00000000-0000-0000-0000-0000000000a1" || actorLabel != "admin" || action != "community.update" || entity != "community" {
		t.Errorf("audit row: actor %q %q action %q entity %q", actorID, actorLabel, action, entity)
	}
	var b, a struct{ Name string }
	_ = json.Unmarshal(before, &b)
	_ = json.Unmarshal(after, &a)
	if b.Name != "一社区" || a.Name != "改名社区" {
		t.Errorf("before %q after %q", b.Name, a.Name)
	}
	for _, stmt := range []string{`UPDATE audit_log SET action = 'x'`, `DELETE FROM audit_log`, `TRUNCATE audit_log`,
		`INSERT INTO audit_log (action, entity_type) VALUES ('forged', 'community')`} {
		if _, err := e.db.Pool.Exec(context.Background(), stmt); err == nil {
			t.Errorf("%s: the application role may rewrite the audit log", stmt)
		}
	}
}

// TestPagination walks the demo's 57 units ten at a time.
func TestPagination(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	q := `query($after: String) { subdistrict(code: "houjiatang") { units(first: 10, after: $after) {
		totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id name } } } } }`
	type page struct {
		Subdistrict struct {
			Units struct {
				TotalCount int `json:"totalCount"`
				PageInfo   struct {
					HasNextPage, HasPreviousPage bool
					StartCursor, EndCursor       *string
				} `json:"pageInfo"`
				Edges []struct {
					Cursor string
					Node   struct{ ID, Name string }
				} `json:"edges"`
			} `json:"units"`
		} `json:"subdistrict"`
	}
	seen := map[string]bool{}
	var after any
	pages := 0
	for {
		var p page
		e.do(q, map[string]any{"after": after}, &p)
		u := p.Subdistrict.Units
		pages++
		if u.TotalCount != 57 {
			t.Fatalf("page %d: totalCount %d", pages, u.TotalCount)
		}
		if u.PageInfo.HasPreviousPage != (after != nil) {
			t.Errorf("page %d: hasPreviousPage %v", pages, u.PageInfo.HasPreviousPage)
		}
		for _, ed := range u.Edges {
			if seen[ed.Node.ID] {
				t.Errorf("unit %s seen twice", ed.Node.Name)
			}
			seen[ed.Node.ID] = true
		}
		if !u.PageInfo.HasNextPage {
			break
		}
		after = *u.PageInfo.EndCursor
		if pages > 10 {
			t.Fatal("too many pages")
		}
	}
	if pages != 6 || len(seen) != 57 {
		t.Errorf("%d pages, %d units; want 6 and 57", pages, len(seen))
	}
}

// TestDemoLoadsOnce loads the demo data into a database that has it: nothing changes.
func TestDemoLoadsOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	ctx := access.With(context.Background(), access.System("demo-loader"))
	counts := func() (n int) {
		e.sysScan(`SELECT (SELECT count(*) FROM person) + (SELECT count(*) FROM membership) + (SELECT count(*) FROM unit)`, &n)
		if n == 0 {
			t.Fatal("no demo rows")
		}
		return n
	}
	before := counts()
	now := pgtest.Clock(t)
	loaded, err := demo.Load(ctx, store.New(e.db.Pool, now), now)
	if err != nil || loaded {
		t.Fatalf("second load: loaded %v, err %v", loaded, err)
	}
	if after := counts(); after != before {
		t.Errorf("rows went from %d to %d", before, after)
	}
}
