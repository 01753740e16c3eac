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

// TestPagingBackward walks the demo's 57 units from the end, ten at a time
// with `last` and `before`, as Relay, Apollo and urql page backwards: the
// same units in the same order as the forward walk, and the default page
// and the bounds answer as the Relay connection spec says.
func TestPagingBackward(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	type conn struct {
		Subdistrict struct {
			Units struct {
				TotalCount int `json:"totalCount"`
				PageInfo   struct {
					HasNextPage, HasPreviousPage bool
					StartCursor, EndCursor       *string
				} `json:"pageInfo"`
				Edges []struct {
					Cursor string
					Node   struct{ ID string }
				} `json:"edges"`
			} `json:"units"`
		} `json:"subdistrict"`
	}
	q := `query($first: Int, $after: String, $last: Int, $before: String) { subdistrict(code: "houjiatang") {
		units(first: $first, after: $after, last: $last, before: $before) {
			totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } } } }`
	var all conn
	e.do(q, map[string]any{"first": 100}, &all)
	forward := all.Subdistrict.Units.Edges
	if len(forward) != 57 {
		t.Fatalf("%d units forward, want 57", len(forward))
	}
	var backward []string
	var before any
	for pages := 0; ; pages++ {
		var c conn
		e.do(q, map[string]any{"last": 10, "before": before}, &c)
		u := c.Subdistrict.Units
		if u.TotalCount != 57 || len(u.Edges) == 0 || len(u.Edges) > 10 {
			t.Fatalf("page %d: total %d, %d edges", pages, u.TotalCount, len(u.Edges))
		}
		if u.PageInfo.HasNextPage != (before != nil) {
			t.Errorf("page %d: hasNextPage %v", pages, u.PageInfo.HasNextPage)
		}
		ids := make([]string, len(u.Edges))
		for i, ed := range u.Edges {
			ids[i] = ed.Node.ID
		}
		backward = append(ids, backward...)
		if !u.PageInfo.HasPreviousPage {
			break
		}
		before = *u.PageInfo.StartCursor
		if pages > 10 {
			t.Fatal("too many pages")
		}
	}
	if len(backward) != 57 {
		t.Fatalf("%d units backward, want 57", len(backward))
	}
	for i := range forward {
		if forward[i].Node.ID != backward[i] {
			t.Fatalf("unit %d: forward %s, backward %s", i, forward[i].Node.ID, backward[i])
		}
	}
	// Neither first nor last: a page of 20. After and before together: what lies between.
	var def, between conn
	e.do(q, nil, &def)
	if n := len(def.Subdistrict.Units.Edges); n != 20 || !def.Subdistrict.Units.PageInfo.HasNextPage {
		t.Errorf("default page: %d edges", n)
	}
	e.do(q, map[string]any{"first": 100, "after": forward[9].Cursor, "before": forward[15].Cursor}, &between)
	if b := between.Subdistrict.Units; len(b.Edges) != 5 || b.Edges[0].Node.ID != forward[10].Node.ID || !b.PageInfo.HasNextPage || !b.PageInfo.HasPreviousPage {
		t.Errorf("between the 10th and the 16th: %+v", b)
	}
	for _, vars := range []map[string]any{{"first": 5, "last": 5}, {"last": 0}, {"last": 101}, {"last": 5, "before": "not-a-cursor"}} {
		if r := e.post(q, vars); len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
			t.Errorf("%v: %+v", vars, r.Errors)
		}
	}
}
