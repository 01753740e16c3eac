package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"cogov/internal/access"
	"cogov/internal/clock"
	"cogov/internal/pgtest"
	"cogov/internal/store"
)

// TestReadReplica runs a real streaming replica (pg_basebackup of a
// project-local primary): a query's reads go to the replica, and an account
// that has just written reads from the primary until the replica has
// replayed its write.
func TestReadReplica(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	primary := pgtest.NewCluster(t)
	if err := store.Migrate(ctx, primary.URL); err != nil {
		t.Fatal(err)
	}
	standby := primary.NewStandby()
	pool := func(url string) *pgxpool.Pool {
		cfg, err := store.PoolConfig(url, "")
		if err != nil {
			t.Fatal(err)
		}
		p, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		return p
	}
	s := store.New(pool(primary.URL), pgtest.Clock(t))
	store.UseReplica(s, pool(standby.URL))
	super, err := pgx.Connect(ctx, standby.SuperuserURL("cogov"))
	if err != nil {
		t.Fatal(err)
	}
	defer super.Close(ctx)

	writer := access.System("writer")
	writer.AccountID = "00000000-0000-0000-0000-0000000000a1"
	other := access.System("other")
	other.AccountID = "00000000-0000-0000-0000-0000000000b2"

	// where reads, in a query's session as v, whether it ran on the replica
	// and whether it saw the sub-district code.
	where := func(v access.Viewer, code string) (onReplica, found bool) {
		t.Helper()
		qctx, end := store.ReadSession(access.With(ctx, v), s)
		defer end()
		onReplica, found, err := store.WhereRead(qctx, s, code)
		if err != nil {
			t.Fatal(err)
		}
		return onReplica, found
	}
	if onReplica, _ := where(other, "none"); !onReplica {
		t.Fatal("a query of an account that never wrote read from the primary")
	}

	// The replica stops replaying; the writer writes.
	if _, err := super.Exec(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	if err := store.WriteSQL(access.With(ctx, writer), s, `INSERT INTO subdistrict (code, name, time_zone) VALUES ('replica-test', '副本测试', 'Asia/Shanghai')`); err != nil {
		t.Fatal(err)
	}
	if onReplica, found := where(writer, "replica-test"); onReplica || !found {
		t.Errorf("right after its write, the writer read from the replica %v and found its write %v; want the primary and found", onReplica, found)
	}
	if onReplica, found := where(other, "replica-test"); !onReplica || found {
		t.Errorf("another account read from the replica %v and found the unreplayed write %v; want the replica, not found", onReplica, found)
	}

	// Replayed, the writer's queries go to the replica again and see the write.
	if _, err := super.Exec(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	deadline := clock.Wall()().Add(10 * time.Second)
	for {
		onReplica, found := where(writer, "replica-test")
		if onReplica && found {
			break
		}
		if clock.Wall()().After(deadline) {
			t.Fatalf("10 s after replay resumed the writer still reads from the replica %v, found %v", onReplica, found)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
