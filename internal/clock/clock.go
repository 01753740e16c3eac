// Package clock is how the platform tells the time. Services, the store, the
// demo loader and tests are given a Clock; only the server's main passes the
// wall clock, so that every rule that depends on "now" can be run as if it
// were another day.
package clock

import (
	"fmt"
	"os"
	"time"
)

// Clock returns the current instant.
type Clock func() time.Time

// Wall is the real clock. Only the server's main uses it; everything else is
// handed a Clock.
func Wall() Clock { return time.Now }

// Fixed is a clock that always says t.
func Fixed(t time.Time) Clock { return func() time.Time { return t } }

// From is a clock that says t now and moves on with real elapsed time (the
// monotonic reading, not the wall date): a running process whose day is t.
func From(t time.Time) Clock {
	started := Wall()()
	return func() time.Time { return t.Add(time.Since(started)) }
}

// TestEnv names the variable that sets the tests' clock: an RFC 3339 instant.
const TestEnv = "COGOV_TEST_NOW"

// ForTests is the clock of a test run: From the instant in COGOV_TEST_NOW, or
// the wall clock when it is unset, so that the whole suite can be run as if it
// were another day.
func ForTests() (Clock, error) {
	v := os.Getenv(TestEnv)
	if v == "" {
		return Wall(), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return nil, fmt.Errorf("%s=%q is not an RFC 3339 instant: %w", TestEnv, v, err)
	}
	return From(t), nil
}
