// Package gctune sets the Go garbage collector for the server's load.
//
// A GraphQL response allocates many small, short-lived objects (a field
// context, a field set and a deferred group per object, a goroutine per
// resolver field), about 1.3 MB for SubdistrictOverview, while the live
// heap between requests stays small (tens of MB). With Go's default GOGC of
// 100 the collector starts a cycle each time the heap doubles that small
// live heap, many times a second under load. A higher GOGC trades memory
// for fewer cycles; GOMEMLIMIT, when set, still caps the heap.
package gctune

import "runtime/debug"

// DefaultPercent is the server's GOGC when the environment sets none.
const DefaultPercent = 400

// Apply sets GOGC to DefaultPercent unless the environment (read through
// getenv) sets GOGC itself, which the runtime has then applied already. It
// returns the GOGC in force afterwards.
func Apply(getenv func(string) string) int {
	if getenv("GOGC") != "" {
		p := debug.SetGCPercent(100)
		debug.SetGCPercent(p)
		return p
	}
	debug.SetGCPercent(DefaultPercent)
	return DefaultPercent
}
