package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"cogov/graph/model"
	"cogov/internal/access"
	"cogov/internal/store"
)

// signedInViewer resolves the viewer of signIn's payload, and everything
// under it, as the account that has just signed in. The request that signs
// in is anonymous, and so are its loaders and the viewer the store gives
// PostgreSQL's row-level security: read as the request, the new viewer's
// own account would be hidden (account: null, no roles). The payload's
// subtree gets its own loaders, which read as the new viewer; the rest of
// the request stays anonymous.
func signedInViewer(st *store.Store, wait time.Duration) graphql.FieldMiddleware {
	return func(ctx context.Context, next graphql.Resolver) (any, error) {
		fc := graphql.GetFieldContext(ctx)
		if fc == nil || fc.Object != "SignInPayload" || fc.Field.Name != "viewer" || fc.Parent == nil {
			return next(ctx)
		}
		p, ok := fc.Parent.Result.(*model.SignInPayload)
		if !ok || p == nil || p.Viewer == nil {
			return next(ctx)
		}
		ctx = access.With(ctx, *p.Viewer)
		return next(context.WithValue(ctx, loadersKey{}, NewLoaders(st, wait)))
	}
}
