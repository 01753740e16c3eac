package ratelimit_test

import (
	"testing"
	"time"

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
