package store_test

import (
	"context"
	"errors"
	"testing"

	"cogov/internal/access"
	"cogov/internal/notify"
	"cogov/internal/pgtest"
	"cogov/internal/problem"
	"cogov/internal/store"
	"cogov/internal/structure"
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

// TestAllOrNothingActions checks that the writes of an InTxAll transaction,
// which take no savepoints and send their action with their first
// statement, still leave each its own action in the audit trail, and that
// a failed write fails the whole transaction.
func TestAllOrNothingActions(t *testing.T) {
	db := pgtest.New(t, pgtest.Options{})
	st := store.New(db.Pool, pgtest.Clock(t))
	ctx := access.With(context.Background(), access.System("test"))
	var sd structure.Subdistrict
	var c structure.Community
	err := st.InTxAll(ctx, "begun", func(ctx context.Context) error {
		var err error
		if sd, err = st.CreateSubdistrict(ctx, structure.Subdistrict{Code: "allsd", Name: "全街道", TimeZone: "Asia/Shanghai"}); err != nil {
			return err
		}
		// A note (no audited table: it sends no action) between two writes.
		// The first with its accounts alone, the second with every kind
		// of audience: each statement runs whatever arms it holds.
		all := []string{sd.ID}
		if err := st.AddNotifications(ctx, []notify.Note{{SubdistrictID: sd.ID, To: notify.Audience{Accounts: all},
			Kind: notify.BookingRequested, ObjectType: "Booking", ObjectID: sd.ID}, {SubdistrictID: sd.ID,
			To:   notify.Audience{Units: all, Committees: all, Subdistricts: all, Communities: all, Persons: all, Meetings: all, Accounts: all},
			Kind: notify.BookingRequested, ObjectType: "Booking", ObjectID: sd.ID}}); err != nil {
			return err
		}
		c, err = st.CreateCommunity(ctx, structure.Community{SubdistrictID: sd.ID, Code: "c1", Name: "一社区"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]string{sd.ID: "subdistrict.create", c.ID: "community.create"} {
		got, err := store.AuditActions(ctx, st, id)
		if err != nil || len(got) != 1 || got[0] != want {
			t.Errorf("audit of %s: %v %v, want [%s]", id, got, err, want)
		}
	}
	// A refused write (a second community with the same code) fails the
	// transaction: the first community of it is not kept either.
	var c2 structure.Community
	err = st.InTxAll(ctx, "begun", func(ctx context.Context) error {
		if c2, err = st.CreateCommunity(ctx, structure.Community{SubdistrictID: sd.ID, Code: "c2", Name: "二社区"}); err != nil {
			return err
		}
		_, err := st.CreateCommunity(ctx, structure.Community{SubdistrictID: sd.ID, Code: "c2", Name: "又二社区"})
		return err
	})
	if !problem.Has(err, problem.AlreadyExists) {
		t.Fatalf("second c2: %v, want ALREADY_EXISTS", err)
	}
	if _, err := st.Community(ctx, c2.ID); c2.ID == "" || !errors.Is(err, problem.ErrNotFound) {
		t.Errorf("c2 after the failed transaction: %v, want not found", err)
	}
}
