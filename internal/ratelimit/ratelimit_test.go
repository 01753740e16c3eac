package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"cogov/internal/clock"
	"cogov/internal/ratelimit"
)

func TestAddrKey(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.9":               "203.0.113.9",
		"::ffff:203.0.113.9":        "203.0.113.9",
		"2001:db8:1:2:3:4:5:6":      "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1%eth0": "2001:db8:1:2::/64",
		"not an address":            "not an address",
	} {
		if got := ratelimit.AddrKey(in); got != want {
			t.Errorf("AddrKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWait(t *testing.T) {
	b := ratelimit.Bucket{Burst: 5, PerSecond: 0.5}
	for _, c := range []struct {
		tokens, cost float64
		want         time.Duration
	}{
		{5, 1, 0},
		{0.5, 1, time.Second},
		{0, 5, 10 * time.Second},
		{5, 6, ratelimit.Never},
	} {
		if got := ratelimit.Wait(b, c.tokens, c.cost); got != c.want {
			t.Errorf("Wait(%v tokens, cost %v) = %v, want %v", c.tokens, c.cost, got, c.want)
		}
	}
}

// panicStore is a Store whose every call panics, as a store without a
// database does.
type panicStore struct{ ratelimit.Store }

func (panicStore) ReturnTokens(context.Context, []ratelimit.Bucket, float64) error {
	panic("no database")
}

// TestSettleSurvivesPanic: writing deferred refunds through a store that
// panics is an error told to OnSettleError, not a panic on the timer's
// goroutine, which would end the process.
func TestSettleSurvivesPanic(t *testing.T) {
	l := ratelimit.New(panicStore{}, clock.Fixed(time.Date(2027, 2, 6, 23, 30, 0, 0, time.UTC)))
	told := make(chan error, 2)
	l.OnSettleError(func(err error) { told <- err })
	l.Defer(5, ratelimit.Bucket{Kind: "test", Key: "k", Burst: 10, PerSecond: 1})
	// Settled here or, if its timer came first, on the timer's goroutine:
	// either way once, and told.
	settled := l.Settle(context.Background())
	select {
	case err := <-told:
		if err == nil || (settled != nil && settled.Error() != err.Error()) {
			t.Errorf("told %v, Settle answered %v", err, settled)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a settle through a panicking store was never told")
	}
	if err := l.Settle(context.Background()); err != nil {
		t.Errorf("a second Settle with nothing owed: %v", err)
	}
}
