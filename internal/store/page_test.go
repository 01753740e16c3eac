package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"cogov/internal/access"
	"cogov/internal/pgtest"
	"cogov/internal/store"
)

// TestListOneParentAsAmongMany: a page of one parent's list is the same
// whether the parent is asked for alone (the statement without partitions)
// or with others (the partitioned one) — items, cursors, total and both
// "more" flags — forward and backward, from either cursor, between two
// cursors, past the end and for a parent with nothing.
func TestListOneParentAsAmongMany(t *testing.T) {
	t.Parallel()
	s, ctx, ids := unitLists(t, map[string]int{"pa": 13, "pb": 4, "pc": 0})
	all, err := s.Units(ctx, []string{ids["pa"]}, false, store.ListFilter{}, store.Page{First: 100})
	if err != nil {
		t.Fatal(err)
	}
	cur := all[ids["pa"]].Cursors
	if len(cur) != 13 {
		t.Fatalf("%d units of pa, want 13", len(cur))
	}
	pages := []store.Page{
		{First: 5}, {First: 13}, {First: 100}, {First: 5, After: cur[4]}, {First: 5, After: cur[12]},
		{Last: 5}, {Last: 13}, {Last: 5, Before: cur[8]}, {Last: 5, Before: cur[0]},
		{First: 100, After: cur[2], Before: cur[9]}, {Last: 3, After: cur[2], Before: cur[9]},
	}
	for _, code := range []string{"pa", "pc"} {
		for _, p := range pages {
			name := fmt.Sprintf("%s %+v", code, p)
			alone, err := s.Units(ctx, []string{ids[code]}, false, store.ListFilter{}, p)
			if err != nil {
				t.Fatalf("%s alone: %v", name, err)
			}
			among, err := s.Units(ctx, []string{ids["pb"], ids[code], ids["pc"]}, false, store.ListFilter{}, p)
			if err != nil {
				t.Fatalf("%s among others: %v", name, err)
			}
			if !reflect.DeepEqual(alone[ids[code]], among[ids[code]]) {
				t.Errorf("%s: alone %+v, among others %+v", name, alone[ids[code]], among[ids[code]])
			}
		}
	}
	if c := all[ids["pa"]]; c.Total != 13 || c.HasNext || c.HasPrev {
		t.Errorf("the whole list: total %d, more %v/%v", c.Total, c.HasNext, c.HasPrev)
	}
}

// BenchmarkListPage reads the first page of a sub-district's 57 units (the
// demo's number) through the one-parent statement and, with a second parent
// that has none, through the partitioned one, each in its own transaction.
func BenchmarkListPage(b *testing.B) {
	s, ctx, ids := unitLists(b, map[string]int{"pa": 57, "pb": 0})
	pa, pb := ids["pa"], ids["pb"]
	for _, bc := range []struct {
		name    string
		parents []string
	}{{"one parent", []string{pa}}, {"partitioned", []string{pa, pb}}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				m, err := s.Units(ctx, bc.parents, false, store.ListFilter{}, store.Page{First: 100})
				if err != nil {
					b.Fatal(err)
				}
				if n := len(m[pa].Items); n != 57 {
					b.Fatalf("%d units, want 57", n)
				}
			}
		})
	}
}

// unitLists returns a store over a new database with a sub-district for
// each code, each with that many units ("单位1", "单位2", …), the ids of the
// sub-districts by code and a context that reads as the platform.
func unitLists(tb testing.TB, units map[string]int) (*store.Store, context.Context, map[string]string) {
	tb.Helper()
	db := pgtest.New(tb, pgtest.Options{})
	s := store.New(db.Pool, pgtest.Clock(tb))
	ctx := access.With(context.Background(), access.System("page-test"))
	ids := map[string]string{}
	for code, n := range units {
		if err := store.WriteSQL(ctx, s, fmt.Sprintf(`WITH sd AS (INSERT INTO subdistrict (code, name, time_zone) VALUES ('%s', '%s', 'Asia/Shanghai') RETURNING id)
			INSERT INTO unit (subdistrict_id, name, kind) SELECT sd.id, '单位' || g, 'OTHER' FROM sd, generate_series(1, %d) g`, code, code, n)); err != nil {
			tb.Fatal(err)
		}
		sd, err := s.SubdistrictByCode(ctx, code)
		if err != nil {
			tb.Fatal(err)
		}
		ids[code] = sd.ID
	}
	return s, ctx, ids
}
