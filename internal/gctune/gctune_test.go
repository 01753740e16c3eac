package gctune_test

import (
	"runtime/debug"
	"testing"

	"cogov/internal/gctune"
)

// TestApply: without GOGC in the environment the server's default applies;
// with one, the runtime's setting from it stays.
func TestApply(t *testing.T) {
	before := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(before) })

	if got := gctune.Apply(func(string) string { return "" }); got != gctune.DefaultPercent {
		t.Errorf("Apply without GOGC = %d, want %d", got, gctune.DefaultPercent)
	}
	if p := debug.SetGCPercent(100); p != gctune.DefaultPercent {
		t.Errorf("GOGC in force %d, want %d", p, gctune.DefaultPercent)
	}

	debug.SetGCPercent(50) // as the runtime does for GOGC=50
	env := map[string]string{"GOGC": "50"}
	if got := gctune.Apply(func(k string) string { return env[k] }); got != 50 {
		t.Errorf("Apply with GOGC=50 = %d, want 50", got)
	}
	if p := debug.SetGCPercent(100); p != 50 {
		t.Errorf("GOGC in force %d after Apply with GOGC=50, want 50", p)
	}
}
