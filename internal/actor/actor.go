// Package actor carries who is making a request through a context, so the
// store can record it in the audit log of the same transaction.
package actor

import "context"

// Actor is who acts: a signed-in account, or a system task.
type Actor struct {
	AccountID string // empty for system tasks and anonymous visitors
	Label     string // a username or a task name, for the audit log
}

type key struct{}

// With returns ctx carrying a.
func With(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, key{}, a)
}

// From returns the actor ctx carries, or the zero Actor.
func From(ctx context.Context) Actor {
	a, _ := ctx.Value(key{}).(Actor)
	return a
}
