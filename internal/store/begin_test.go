package store_test

import (
	"context"
	"testing"

	"cogov/internal/access"
	"cogov/internal/pgtest"
	"cogov/internal/store"
)

// TestBeginSetsViewerLiterally checks that the viewer set together with
// BEGIN (its values written as literals in one simple-protocol query)
// reaches PostgreSQL unchanged, whatever quotes, backslashes or
// placeholder-like text the values hold.
func TestBeginSetsViewerLiterally(t *testing.T) {
	db := pgtest.New(t, pgtest.Options{})
	st := store.New(db.Pool, pgtest.Clock(t))
	const sd = "7c3c1f9e-0000-4000-8000-000000000001"
	for _, name := range []string{`plain`, `O'Brien`, `back\slash\'; SELECT 1; --`, `$1 $11 $2$3`, `"quoted", {braces}`, `张三`} {
		ctx := access.With(context.Background(), access.Viewer{AccountID: "7c3c1f9e-0000-4000-8000-000000000002", Username: name,
			Roles: []access.Role{{Kind: access.SubdistrictAdmin, ScopeID: sd, SubdistrictID: sd}}})
		label, act, sds, err := store.ViewerSet(ctx, st, "act'ion $1")
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		if label != name || act != "act'ion $1" || sds != "{"+sd+"}" {
			t.Errorf("%q: PostgreSQL holds label %q, action %q, sub-districts %q", name, label, act, sds)
		}
	}
}
