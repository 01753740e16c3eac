package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"cogov/internal/access"
	"cogov/internal/pgtest"
	"cogov/internal/store"
)

// roundTrips counts what the pool sends: batches (one round trip each) and
// single statements outside a batch; busy is closed when busySession's
// sleep is sent.
type roundTrips struct {
	batches, singles atomic.Int64
	busy             chan struct{}
	once             sync.Once
}

func (r *roundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	r.singles.Add(1)
	return ctx
}
func (*roundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (r *roundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	r.batches.Add(1)
	for _, q := range d.Batch.QueuedQueries {
		if strings.HasSuffix(q.SQL, "-- busySession") {
			r.once.Do(func() { close(r.busy) })
		}
	}
	return ctx
}
func (*roundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (*roundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

// busySession returns a store over a new database, the tracer of its pool,
// a read session whose connection is busy (a pg_sleep has been sent) and a
// func that waits for that read: what the test reads meanwhile queues
// behind it.
func busySession(t *testing.T) (*store.Store, *roundTrips, context.Context, func()) {
	t.Helper()
	rt := &roundTrips{busy: make(chan struct{})}
	db := pgtest.New(t, pgtest.Options{Tracer: rt})
	s := store.New(db.Pool, pgtest.Clock(t))
	ctx, end := store.ReadSession(access.With(context.Background(), access.System("session-test")), s)
	t.Cleanup(end)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := store.Read(ctx, s, func(q store.Querier) error {
			_, err := q.Exec(ctx, `SELECT pg_sleep(1.5) -- busySession`)
			return err
		}); err != nil {
			t.Error(err)
		}
	})
	<-rt.busy
	return s, rt, ctx, wg.Wait
}

// waitQueued waits until n statements wait in the read session of ctx.
func waitQueued(t *testing.T, ctx context.Context, n int) {
	t.Helper()
	for store.Queued(ctx) < n {
		time.Sleep(time.Millisecond)
	}
}

// TestSessionPipelinesReads: statements that a request's goroutines ask for
// while its connection is busy go to the server together, in one round
// trip, and each gets its own rows.
func TestSessionPipelinesReads(t *testing.T) {
	t.Parallel()
	s, rt, ctx, wait := busySession(t)
	before := rt.batches.Load() + rt.singles.Load()

	const n = 8
	got := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			err := store.Read(ctx, s, func(q store.Querier) error {
				rows, err := q.Query(ctx, `SELECT format('row %s of %s', g, $1::int) FROM generate_series(1, 3) g`, i)
				if err != nil {
					return err
				}
				vals, err := pgx.CollectRows(rows, pgx.RowTo[string])
				got[i] = fmt.Sprint(vals)
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	wait()
	for i := range n {
		if want := fmt.Sprintf("[row 1 of %d row 2 of %d row 3 of %d]", i, i, i); got[i] != want {
			t.Errorf("read %d: got %s, want %s", i, got[i], want)
		}
	}
	if sent := rt.batches.Load() + rt.singles.Load() - before; sent != 1 {
		t.Errorf("the %d reads queued behind a busy connection went in %d round trips, want 1", n, sent)
	}
}

// TestSessionFailureInPipeline: when one statement of a pipelined round
// trip fails, it gets its error, and the statements after it — whose
// transaction the failure aborted — are read again the usual way and
// succeed.
func TestSessionFailureInPipeline(t *testing.T) {
	t.Parallel()
	s, _, ctx, wait := busySession(t)

	var bad error
	good := make([]int, 3)
	var wg sync.WaitGroup
	wg.Go(func() {
		bad = store.Read(ctx, s, func(q store.Querier) error {
			var x int
			return q.QueryRow(ctx, `SELECT 1 / (0 * $1::int)`, 1).Scan(&x)
		})
	})
	waitQueued(t, ctx, 1) // first in the round trip
	for i := range good {
		wg.Go(func() {
			if err := store.Read(ctx, s, func(q store.Querier) error {
				return q.QueryRow(ctx, `SELECT $1::int * 10`, i+1).Scan(&good[i])
			}); err != nil {
				t.Errorf("read %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	wait()
	var pgErr interface{ SQLState() string }
	if !errors.As(bad, &pgErr) || pgErr.SQLState() != "22012" {
		t.Errorf("the failing read: got %v, want division_by_zero", bad)
	}
	for i, v := range good {
		if v != (i+1)*10 {
			t.Errorf("read %d after the failure: got %d, want %d", i, v, (i+1)*10)
		}
	}
}

// TestSessionOwnBatch: a read that sends its own batch gets the connection
// to itself while it reads the results; reads queued meanwhile go after it.
func TestSessionOwnBatch(t *testing.T) {
	t.Parallel()
	s, _, ctx, wait := busySession(t)

	var sum int
	plain := make([]int, 4)
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := store.Read(ctx, s, func(q store.Querier) error {
			b := &pgx.Batch{}
			b.Queue(`SELECT 1`)
			b.Queue(`SELECT 2`)
			br := q.(store.Batcher).SendBatch(ctx, b)
			for range 2 {
				var x int
				if err := br.QueryRow().Scan(&x); err != nil {
					br.Close()
					return err
				}
				sum += x
			}
			return br.Close()
		}); err != nil {
			t.Error(err)
		}
	})
	for i := range plain {
		wg.Go(func() {
			if err := store.Read(ctx, s, func(q store.Querier) error {
				return q.QueryRow(ctx, `SELECT $1::int + 100`, i).Scan(&plain[i])
			}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	wait()
	if sum != 3 {
		t.Errorf("own batch: got %d, want 3", sum)
	}
	for i, v := range plain {
		if v != i+100 {
			t.Errorf("read %d: got %d, want %d", i, v, i+100)
		}
	}
}

// seen is what seenSQL tells of the transaction a read ran in: its
// backend, its start and whether the viewer was set.
type seen struct {
	pid     int
	started time.Time
	viewer  string
}

const seenSQL = `SELECT pg_backend_pid(), now(), coalesce(current_setting('cogov.viewer_ready', true), '')`

func (v *seen) dest() []any { return []any{&v.pid, &v.started, &v.viewer} }

// TestSessionFirstReadOneRoundTrip: the session's first read travels with
// its transaction's start (BEGIN and the viewer) in one round trip; a later
// read is in the same transaction, on the same connection, with the viewer
// still set; a first read that fails gets its error and the reads after it
// go the usual way.
func TestSessionFirstReadOneRoundTrip(t *testing.T) {
	t.Parallel()
	rt := &roundTrips{busy: make(chan struct{})}
	db := pgtest.New(t, pgtest.Options{Tracer: rt})
	s := store.New(db.Pool, pgtest.Clock(t))
	look := func(ctx context.Context) (v seen, err error) {
		err = store.Read(ctx, s, func(q store.Querier) error {
			return q.QueryRow(ctx, seenSQL).Scan(v.dest()...)
		})
		return v, err
	}

	if err := db.Pool.Ping(context.Background()); err != nil { // a connection made, its set-up sent
		t.Fatal(err)
	}
	rt.batches.Store(0)
	rt.singles.Store(0)
	ctx, end := store.ReadSession(access.With(context.Background(), access.System("session-test")), s)
	first, err := look(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sent := rt.batches.Load() + rt.singles.Load(); sent != 1 {
		t.Errorf("the session's first read took %d round trips, want 1", sent)
	}
	time.Sleep(5 * time.Millisecond) // a new transaction would start later
	second, err := look(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if first.viewer != "on" || second != first {
		t.Errorf("first read %+v, second %+v: want the viewer set and one transaction on one connection", first, second)
	}
	end()

	ctx, end = store.ReadSession(access.With(context.Background(), access.System("session-test")), s)
	defer end()
	err = store.Read(ctx, s, func(q store.Querier) error {
		var x int
		return q.QueryRow(ctx, `SELECT 1 / (0 * $1::int)`, 1).Scan(&x)
	})
	var pgErr interface{ SQLState() string }
	if !errors.As(err, &pgErr) || pgErr.SQLState() != "22012" {
		t.Errorf("a failing first read: got %v, want division_by_zero", err)
	}
	if after, err := look(ctx); err != nil || after.viewer != "on" {
		t.Errorf("a read after a failed first read: %+v, %v; want it read as the viewer", after, err)
	}
}

// TestSessionOwnBatchFirst: a session whose first read is a caller's own
// batch begins its transaction, with the viewer set, before the batch is
// sent, and a plain read after it is in the same transaction.
func TestSessionOwnBatchFirst(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.Options{})
	s := store.New(db.Pool, pgtest.Clock(t))
	ctx, end := store.ReadSession(access.With(context.Background(), access.System("session-test")), s)
	defer end()
	var first, second seen
	if err := store.Read(ctx, s, func(q store.Querier) error {
		b := &pgx.Batch{}
		b.Queue(seenSQL)
		br := q.(store.Batcher).SendBatch(ctx, b)
		if err := br.QueryRow().Scan(first.dest()...); err != nil {
			br.Close()
			return err
		}
		return br.Close()
	}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond) // a new transaction would start later
	if err := store.Read(ctx, s, func(q store.Querier) error {
		return q.QueryRow(ctx, seenSQL).Scan(second.dest()...)
	}); err != nil {
		t.Fatal(err)
	}
	if first.viewer != "on" || second != first {
		t.Errorf("own batch first %+v, plain read after %+v: want the viewer set and one transaction on one connection", first, second)
	}
}
