// Package graph is the GraphQL adapter: thin resolvers that turn arguments
// into domain calls and domain results into the schema's shapes. Loaders
// batch every relationship per request.
package graph

import (
	"cogov/internal/account"
	"cogov/internal/booking"
	"cogov/internal/lists"
	"cogov/internal/meeting"
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
	Meetings  *meeting.Service
	Lists     *lists.Service
	Store     *store.Store
}

// NewResolver wires the domain services over one store.
func NewResolver(st *store.Store, accounts *account.Service) *Resolver {
	sharing := booking.NewService(st)
	meetings := meeting.NewService(st, sharing)
	return &Resolver{Structure: structure.NewService(st), Accounts: accounts, Sharing: sharing, Meetings: meetings,
		Lists: lists.NewService(st, meetings), Store: st}
}
