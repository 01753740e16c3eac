// Package ratelimit keeps token buckets that every replica of the server
// shares: sign-in attempts per username and per address, and the operation
// cost budget per account and per address.
//
// The buckets live in PostgreSQL (the store's rate_bucket table), not in the
// memory of one process. Every replica already shares the database, so a
// limit kept there holds however many replicas run, with nothing new to
// operate — no Redis or other limiter service for a deployment to run. A
// take is one INSERT … ON CONFLICT DO UPDATE … RETURNING statement: the row
// lock it takes makes concurrent requests for one bucket queue, so they
// cannot all see the same tokens and all pass.
package ratelimit

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"sync"
	"time"

	"cogov/internal/clock"
)

// Bucket is one token bucket: it holds at most Burst tokens, starts full and
// refills at PerSecond tokens a second. Kind and Key name it (e.g. kind
// "signin-user", key the username).
type Bucket struct {
	Kind, Key string
	Burst     float64
	PerSecond float64
	// Owed is tokens owed back to the bucket: refunds the Limiter gathered
	// (Defer) and has not written yet. A Store adds them to the bucket,
	// never above its burst, before the statement does anything else with
	// it; a bucket it has no row for is full, and owes nothing.
	Owed float64
}

// Taken is the state of a bucket after a take: whether it gave the tokens,
// and the tokens left.
type Taken struct {
	Kind, Key string
	Granted   bool
	Tokens    float64
}

// Store keeps the buckets.
type Store interface {
	// TakeTokens takes cost tokens from each bucket that has them, as of
	// now, in one statement, and says for each whether it did.
	TakeTokens(ctx context.Context, buckets []Bucket, cost float64, now time.Time) ([]Taken, error)
	// ReturnTokens gives cost tokens, and what it is owed, back to each
	// bucket (never above its burst).
	ReturnTokens(ctx context.Context, buckets []Bucket, cost float64) error
	// SweepBuckets forgets buckets that are full by now, which is the same
	// as not having them, and counts them.
	SweepBuckets(ctx context.Context, now time.Time) (int, error)
}

// Never is the wait reported for a cost larger than a bucket's burst: no
// wait would let it through.
const Never = time.Duration(math.MaxInt64)

// sweepEvery is how often a Limiter forgets full buckets.
const sweepEvery = time.Minute

// settleAfter is how long a deferred refund waits for others to be written
// with it, at most: the refunds of a busy account's operations, gathered
// over this time, cost one statement instead of one each.
const settleAfter = 25 * time.Millisecond

// Limiter takes tokens from shared buckets.
type Limiter struct {
	store Store
	now   clock.Clock

	mu        sync.Mutex
	lastSweep time.Time
	owed      map[[2]string]Bucket // deferred refunds not yet written, by kind and key, in Owed
	settling  bool                 // a settle is scheduled
	warn      func(error)          // told when a settle fails; nil: nobody
}

// New returns a Limiter over store that tells the time by now.
func New(store Store, now clock.Clock) *Limiter { return &Limiter{store: store, now: now} }

// Now is the time by the limiter's clock, the one its buckets refill by.
func (l *Limiter) Now() time.Time { return l.now() }

// Take takes cost tokens from every bucket, or from none: when one of them
// has too few, the tokens taken from the others are given back, and Take
// reports how long until all of them could pay.
func (l *Limiter) Take(ctx context.Context, cost float64, buckets ...Bucket) (wait time.Duration, ok bool, err error) {
	buckets = unique(buckets)
	for _, b := range buckets {
		if !(b.Burst > 0) || !(b.PerSecond > 0) {
			return 0, false, fmt.Errorf("ratelimit: bucket %s %q needs a positive burst and rate, not %v and %v", b.Kind, b.Key, b.Burst, b.PerSecond)
		}
	}
	now := l.now()
	if err := l.sweep(ctx, now); err != nil {
		return 0, false, err
	}
	// What the buckets are owed goes with the take, so that a take never
	// sees a bucket short of a refund this process deferred.
	owing := l.claim(buckets)
	taken, err := l.store.TakeTokens(ctx, owing, cost, now)
	if err != nil {
		l.owe(owing)
		return 0, false, err
	}
	var granted []Bucket
	for _, t := range taken {
		b, _ := find(buckets, t.Kind, t.Key)
		if t.Granted {
			granted = append(granted, b)
			continue
		}
		wait = max(wait, Wait(b, t.Tokens, cost))
	}
	if len(granted) == len(buckets) {
		return 0, true, nil
	}
	if len(granted) > 0 {
		if err := l.store.ReturnTokens(ctx, granted, cost); err != nil {
			return 0, false, err
		}
	}
	return wait, false, nil
}

// Return gives back tokens taken for work that was not done, or that is not
// to count (a sign-in that succeeded).
func (l *Limiter) Return(ctx context.Context, cost float64, buckets ...Bucket) error {
	return l.store.ReturnTokens(ctx, buckets, cost)
}

// Defer gives cost tokens back to each bucket later: with the bucket's next
// take in this process, or within settleAfter together with every other
// refund deferred meanwhile, in one statement. Refunds add up in any order,
// so gathering them changes no bucket's sum; another replica sees one at
// most settleAfter later, short of tokens it will be given back meanwhile.
func (l *Limiter) Defer(cost float64, buckets ...Bucket) {
	if !(cost > 0) {
		return
	}
	owing := make([]Bucket, 0, len(buckets))
	for _, b := range unique(buckets) {
		b.Owed = cost
		owing = append(owing, b)
	}
	l.owe(owing)
}

// owe adds what the buckets are owed to the refunds not yet written, and
// schedules their settling.
func (l *Limiter) owe(buckets []Bucket) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, b := range buckets {
		if !(b.Owed > 0) {
			continue
		}
		if l.owed == nil {
			l.owed = map[[2]string]Bucket{}
		}
		k := [2]string{b.Kind, b.Key}
		b.Owed += l.owed[k].Owed
		l.owed[k] = b
	}
	if len(l.owed) > 0 && !l.settling {
		l.settling = true
		time.AfterFunc(settleAfter, func() { l.settle(context.Background()) })
	}
}

// claim returns the buckets with what each is owed, which is no longer
// counted as owed: the caller's statement gives it back, or owe again.
// With nothing owed (the usual case) the buckets are returned as they are.
func (l *Limiter) claim(buckets []Bucket) []Bucket {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.owed) == 0 {
		return buckets
	}
	out := make([]Bucket, len(buckets))
	for i, b := range buckets {
		k := [2]string{b.Kind, b.Key}
		b.Owed = l.owed[k].Owed
		delete(l.owed, k)
		out[i] = b
	}
	return out
}

// settle writes every refund owed, in one statement. One that fails is
// dropped, as a failed refund always was: it only costs the caller budget.
// A panic of the store (one without a database) is an error too: settle
// runs on a timer's goroutine, where a panic would end the process.
func (l *Limiter) settle(ctx context.Context) (err error) {
	l.mu.Lock()
	owed, warn := l.owed, l.warn
	l.owed, l.settling = nil, false
	l.mu.Unlock()
	if len(owed) == 0 {
		return nil
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("ratelimit: settle: panic: %v", p)
		}
		if err != nil && warn != nil {
			warn(err)
		}
	}()
	buckets := make([]Bucket, 0, len(owed))
	for _, b := range owed {
		buckets = append(buckets, b)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return l.store.ReturnTokens(ctx, buckets, 0)
}

// Settle writes the refunds owed now, without waiting for settleAfter:
// before a server stops, and in tests.
func (l *Limiter) Settle(ctx context.Context) error { return l.settle(ctx) }

// OnSettleError has f told when writing deferred refunds fails.
func (l *Limiter) OnSettleError(f func(error)) {
	l.mu.Lock()
	l.warn = f
	l.mu.Unlock()
}

// sweep forgets full buckets at most once every sweepEvery, so that the
// table holds only the keys that have been busy lately.
func (l *Limiter) sweep(ctx context.Context, now time.Time) error {
	l.mu.Lock()
	due := now.Sub(l.lastSweep) >= sweepEvery || now.Before(l.lastSweep)
	if due {
		l.lastSweep = now
	}
	l.mu.Unlock()
	if !due {
		return nil
	}
	_, err := l.store.SweepBuckets(ctx, now)
	return err
}

// unique drops repeated buckets: one statement may not change a row twice.
func unique(bs []Bucket) []Bucket {
	out := make([]Bucket, 0, len(bs))
	for _, b := range bs {
		if _, ok := find(out, b.Kind, b.Key); !ok {
			out = append(out, b)
		}
	}
	return out
}

func find(bs []Bucket, kind, key string) (Bucket, bool) {
	for _, b := range bs {
		if b.Kind == kind && b.Key == key {
			return b, true
		}
	}
	return Bucket{Kind: kind, Key: key}, false
}

// Wait is how long a bucket holding tokens takes to hold cost: Never when
// cost is more than it ever holds.
func Wait(b Bucket, tokens, cost float64) time.Duration {
	if cost > b.Burst || b.PerSecond <= 0 {
		return Never
	}
	if tokens >= cost {
		return 0
	}
	secs := (cost - tokens) / b.PerSecond
	if secs >= Never.Seconds() {
		return Never
	}
	return time.Duration(math.Ceil(secs * float64(time.Second)))
}

// AddrKey is the key of a client address: the address itself for IPv4, and
// its /64 network for IPv6, since one IPv6 host is given a whole /64 and
// could otherwise take a fresh address for every attempt.
func AddrKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, err := a.WithZone("").Prefix(64)
	if err != nil {
		return addr
	}
	return p.String()
}
