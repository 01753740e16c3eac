package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"cogov/graph/model"
	"cogov/internal/access"
	"cogov/internal/store"
)

// asSignedIn implements the @asSignedIn directive on SignInPayload.viewer:
// it resolves the viewer of signIn's payload, and everything under it, as
// the account that has just signed in. The request that signs in is
// anonymous, and so are its loaders and the viewer the store gives
// PostgreSQL's row-level security: read as the request, the new viewer's
// own account would be hidden (account: null, no roles). The payload's
// subtree gets its own loaders, which read as the new viewer; the rest of
// the request stays anonymous.
//
// A directive, not a field middleware: gqlgen runs a middleware for every
// field of every response, a directive only for the field that carries it.
func asSignedIn(st *store.Store, wait time.Duration) func(ctx context.Context, obj any, next graphql.Resolver) (any, error) {
	return func(ctx context.Context, obj any, next graphql.Resolver) (any, error) {
		p, ok := obj.(*model.SignInPayload)
		if !ok || p == nil || p.Viewer == nil {
			return next(ctx)
		}
		ctx = access.With(ctx, *p.Viewer)
		return next(context.WithValue(ctx, loadersKey{}, NewLoaders(st, wait)))
	}
}
