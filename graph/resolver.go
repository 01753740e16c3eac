// Package graph is the GraphQL adapter: thin resolvers that turn arguments
// into domain calls and domain results into the schema's shapes. Loaders
// batch every relationship per request.
package graph

import (
	"cogov/internal/account"
	"cogov/internal/booking"
	"cogov/internal/clock"
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
	Bookings  *booking.Service
	Feeds     *booking.Feeds
	Hub       *Hub // venue changes for subscriptions
	Meetings  *meeting.Service
	Lists     *lists.Service
}

// NewResolver wires the domain services over one store; they all tell the
// time by now.
func NewResolver(st *store.Store, publicURL string, now clock.Clock) *Resolver {
	sharing := booking.NewService(st, now)
	meetings := meeting.NewService(st, sharing, now)
	return &Resolver{
		Structure: structure.NewService(st, now),
		Accounts:  account.NewService(st, account.Options{Now: now}),
		Bookings:  sharing,
		Feeds:     booking.NewFeeds(st, publicURL),
		Meetings:  meetings,
		Lists:     lists.NewService(st, meetings, now),
		Hub:       NewHub(),
	}
}
