//go:build race

package graph_test

// raceEnabled: the race detector keeps shadow memory for the whole heap, so
// the process's resident set says nothing about the server's own.
const raceEnabled = true
