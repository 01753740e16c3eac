// Package graph is the GraphQL adapter: thin resolvers that turn arguments
// into domain calls and domain results into the schema's shapes. Loaders
// batch every relationship per request.
package graph

import (
	"cogov/internal/account"
	"cogov/internal/booking"
	"cogov/internal/store"
	"cogov/internal/structure"
)

//go:generate go tool gqlgen generate

// Resolver holds the services the resolvers call; it is the dependency
// injection point and holds nothing else.
type Resolver struct {
	Structure *structure.Service
	Accounts  *account.Service
	Sharing   *booking.Service
	Store     *store.Store
}
