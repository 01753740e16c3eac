package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"cogov/internal/access"
	"cogov/internal/pgtest"
	"cogov/internal/problem"
	"cogov/internal/store"
	"cogov/internal/structure"
)

// killBackends terminates every server process of the test's pool, as a
// restart or an administrator would, and returns how many there were.
func killBackends(t *testing.T, db *pgtest.DB) int {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var n int
	if err := c.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = 'cogov'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBrokenConnectionsAreRetried breaks every pooled connection under the
// store: the next read and the next write go through on fresh connections
// instead of failing (nothing of them had run), and no caller sees the
// broken ones.
func TestBrokenConnectionsAreRetried(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.Options{})
	st := store.New(db.Pool, pgtest.Clock(t))
	ctx := access.With(context.Background(), access.System("test"))
	sd, err := st.CreateSubdistrict(ctx, structure.Subdistrict{Code: "retry", Name: "重试街道", TimeZone: "Asia/Shanghai"})
	if err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		if n := killBackends(t, db); n == 0 {
			t.Fatal("no backend to kill: the pool holds no connection")
		}
		if _, err := st.SubdistrictByCode(ctx, "retry"); err != nil {
			t.Fatalf("round %d: a read after the connections broke: %v", round, err)
		}
		killBackends(t, db)
		if _, err := st.UpdateSubdistrict(ctx, sd.ID, func(s *structure.Subdistrict) error { s.Name = "重试街道" + string(rune('一'+round)); return nil }); err != nil {
			t.Fatalf("round %d: a write after the connections broke: %v", round, err)
		}
		killBackends(t, db)
		if err := st.Ping(ctx); err != nil {
			t.Fatalf("round %d: a ping after the connections broke: %v", round, err)
		}
	}
}

// TestUnreachableIsUnavailable points a store at a port nothing listens
// on: its errors are problem.ErrUnavailable, which the GraphQL layer
// answers with 503, and not faults.
func TestUnreachableIsUnavailable(t *testing.T) {
	t.Parallel()
	cfg, err := store.PoolConfig("postgres://cogov@127.0.0.1:1/cogov?sslmode=disable", "")
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := store.New(pool, pgtest.Clock(t))
	ctx := access.With(context.Background(), access.System("test"))
	_, err = st.SubdistrictByCode(ctx, "x")
	if !errors.Is(err, problem.ErrUnavailable) {
		t.Errorf("a read: %v", err)
	}
	_, err = st.CreateSubdistrict(ctx, structure.Subdistrict{Code: "x", Name: "x", TimeZone: "Asia/Shanghai"})
	if !errors.Is(err, problem.ErrUnavailable) {
		t.Errorf("a write: %v", err)
	}
	if err := st.Ping(ctx); !errors.Is(err, problem.ErrUnavailable) {
		t.Errorf("a ping: %v", err)
	}
	// A statement's own failure is not an outage.
	db := pgtest.New(t, pgtest.Options{})
	st = store.New(db.Pool, pgtest.Clock(t))
	if _, err := st.SubdistrictByCode(ctx, "x"); errors.Is(err, problem.ErrUnavailable) || !errors.Is(err, problem.ErrNotFound) {
		t.Errorf("a missing record: %v", err)
	}
}
