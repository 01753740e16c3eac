package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"cogov/internal/clock"
	"cogov/internal/pgtest"
	"cogov/internal/ratelimit"
	"cogov/internal/store"
)

var _ ratelimit.Store = (*store.Store)(nil)

// bucketRow reads a bucket's row: its tokens and whether it exists.
func bucketRow(t *testing.T, db *pgtest.DB, kind, key string) (tokens float64, ok bool) {
	t.Helper()
	var n int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*), coalesce(max(tokens), 0) FROM rate_bucket WHERE kind = $1 AND key = $2`,
		kind, key).Scan(&n, &tokens); err != nil {
		t.Fatal(err)
	}
	return tokens, n == 1
}

// TestRateBucket takes, refills, gives back and sweeps one bucket at
// instants the test chooses.
func TestRateBucket(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.Options{})
	st := store.New(db.Pool, pgtest.Clock(t))
	ctx := context.Background()
	t0 := time.Date(2027, 2, 6, 23, 30, 0, 0, time.UTC)
	b := []ratelimit.Bucket{{Kind: "test", Key: "k", Burst: 5, PerSecond: 1}}
	take := func(at time.Duration, cost float64, want bool, left float64) {
		t.Helper()
		got, err := st.TakeTokens(ctx, b, cost, t0.Add(at))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Granted != want || got[0].Tokens != left {
			t.Errorf("take %v at +%v: %+v, want granted %v with %v left", cost, at, got, want, left)
		}
	}
	take(0, 3, true, 2)                       // a new bucket starts full
	take(0, 3, false, 2)                      // a refusal takes nothing
	take(time.Second, 3, true, 0)             // one second refilled one token
	take(500*time.Millisecond, 1, false, 0)   // a clock behind the last take refills nothing
	take(1500*time.Millisecond, 6, false, .5) // more than the burst: never
	if err := st.ReturnTokens(ctx, b, 2); err != nil {
		t.Fatal(err)
	}
	if left, _ := bucketRow(t, db, "test", "k"); left != 2.5 {
		t.Errorf("after giving back 2: %v tokens, want 2.5", left)
	}
	// Full again at +1.5 s + 2.5 s: a sweep before leaves it, one then forgets it.
	for _, c := range []struct {
		at   time.Duration
		kept bool
	}{{3 * time.Second, true}, {4 * time.Second, false}} {
		if _, err := st.SweepBuckets(ctx, t0.Add(c.at)); err != nil {
			t.Fatal(err)
		}
		if _, ok := bucketRow(t, db, "test", "k"); ok != c.kept {
			t.Errorf("sweep at +%v: bucket kept %v, want %v", c.at, ok, c.kept)
		}
	}
	take(5*time.Second, 5, true, 0) // forgotten is the same as full
}

// fixedLimiter is a limiter over a new database whose clock stands still.
func fixedLimiter(t *testing.T, o pgtest.Options) (*pgtest.DB, *ratelimit.Limiter) {
	t.Helper()
	db := pgtest.New(t, o)
	now := clock.Fixed(time.Date(2027, 2, 6, 23, 30, 0, 0, time.UTC))
	return db, ratelimit.New(store.New(db.Pool, now), now)
}

// TestRateLimiterAllOrNothing: a take that one bucket refuses takes nothing
// from the others.
func TestRateLimiterAllOrNothing(t *testing.T) {
	t.Parallel()
	db, l := fixedLimiter(t, pgtest.Options{})
	ctx := context.Background()
	wide := ratelimit.Bucket{Kind: "test", Key: "wide", Burst: 10, PerSecond: 1}
	narrow := ratelimit.Bucket{Kind: "test", Key: "narrow", Burst: 1, PerSecond: 0.5}
	if _, ok, err := l.Take(ctx, 1, wide, narrow); !ok || err != nil {
		t.Fatalf("first take: %v %v", ok, err)
	}
	wait, ok, err := l.Take(ctx, 1, wide, narrow)
	if ok || err != nil || wait != 2*time.Second {
		t.Errorf("second take: ok %v, wait %v, %v; want refused, 2s (one token at half a token a second)", ok, wait, err)
	}
	if left, _ := bucketRow(t, db, "test", "wide"); left != 9 {
		t.Errorf("the wide bucket has %v tokens, want 9: the refused take must give its token back", left)
	}
	if _, _, err := l.Take(ctx, 1, ratelimit.Bucket{Kind: "test", Key: "zero", Burst: 1}); err == nil {
		t.Error("a bucket that never refills was accepted")
	}
}

// TestRateBucketConcurrent: 40 takes of one token at once from a bucket of
// 10 that barely refills: exactly 10 pass, as the row lock makes them queue.
func TestRateBucketConcurrent(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.Options{})
	now := pgtest.Clock(t)
	l := ratelimit.New(store.New(db.Pool, now), now)
	var granted atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range 40 {
		wg.Go(func() {
			<-start
			// Each also takes from a bucket of its own, which always has room:
			// two buckets a take, as the limits use them.
			own := ratelimit.Bucket{Kind: "test", Key: "own-" + string(rune('a'+i)), Burst: 10, PerSecond: 1}
			_, ok, err := l.Take(context.Background(), 1, ratelimit.Bucket{Kind: "test", Key: "shared", Burst: 10, PerSecond: 0.001}, own)
			if err != nil {
				t.Error(err)
			}
			if ok {
				granted.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	if granted.Load() != 10 {
		t.Errorf("%d of 40 takes passed a bucket of 10", granted.Load())
	}
}

// TestRateLimiterDeferredRefunds: refunds deferred by the limiter reach the
// bucket's next take, in the take's own statement, whether or not they have
// been written yet; many refunds are written together, in fewer statements
// than refunds; what a bucket is owed never lifts it above its burst; and a
// refund deferred for a bucket that has no row (full) is lost to nobody.
func TestRateLimiterDeferredRefunds(t *testing.T) {
	t.Parallel()
	rt := &roundTrips{}
	db, l := fixedLimiter(t, pgtest.Options{Tracer: rt})
	ctx := context.Background()
	acct := ratelimit.Bucket{Kind: "test", Key: "account", Burst: 100, PerSecond: 0.001}
	addr := ratelimit.Bucket{Kind: "test", Key: "addr", Burst: 200, PerSecond: 0.001}

	if _, ok, err := l.Take(ctx, 90, acct, addr); !ok || err != nil {
		t.Fatalf("first take: %v %v", ok, err)
	}
	for range 3 {
		l.Defer(20, acct, addr) // 60 owed to each: the account's 10 left become 70
	}
	if _, ok, err := l.Take(ctx, 65, acct, addr); !ok || err != nil {
		t.Fatalf("a take of 65 after 60 were deferred back to the account's 10: %v %v", ok, err)
	}
	if err := l.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if left, _ := bucketRow(t, db, "test", "account"); left != 5 {
		t.Errorf("the account bucket holds %v, want 5 (10 + 60 - 65)", left)
	}
	if left, _ := bucketRow(t, db, "test", "addr"); left != 105 {
		t.Errorf("the address bucket holds %v, want 105 (110 + 60 - 65)", left)
	}

	before := rt.batches.Load() + rt.singles.Load()
	const refunds = 50
	for range refunds {
		l.Defer(4, acct, addr) // 200 owed: the account bucket is full at 100
	}
	if err := l.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if sent := rt.batches.Load() + rt.singles.Load() - before; sent >= refunds/10 {
		t.Errorf("%d deferred refunds took %d statements", refunds, sent)
	}
	if left, _ := bucketRow(t, db, "test", "account"); left != 100 {
		t.Errorf("the account bucket holds %v after 200 owed, want its burst of 100", left)
	}
	if left, _ := bucketRow(t, db, "test", "addr"); left != 200 {
		t.Errorf("the address bucket holds %v after 200 owed, want its burst of 200", left)
	}
	fresh := ratelimit.Bucket{Kind: "test", Key: "fresh", Burst: 10, PerSecond: 1}
	l.Defer(5, fresh)
	if err := l.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := bucketRow(t, db, "test", "fresh"); ok {
		t.Error("a refund to a bucket without a row made one")
	}
}
