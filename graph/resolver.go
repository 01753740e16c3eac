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
	"cogov/internal/notify"
	"cogov/internal/ratelimit"
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
	Notify    *notify.Service    // the inbox and notifications
	Notes     *NoteHub           // new notifications for subscriptions
	Channels  *notify.Channels   // delivery channels and failed deliveries
	Rates     *ratelimit.Limiter // the buckets every replica shares: sign-ins and operation costs
}

// NewResolver wires the domain services over one store; they all tell the
// time by now.
func NewResolver(st *store.Store, publicURL string, now clock.Clock) *Resolver {
	return NewResolverWith(st, publicURL, now, account.Options{})
}

// NewResolverWith is NewResolver with the accounts' options (sign-in
// limits, password slots); their clock and limiter are set here.
func NewResolverWith(st *store.Store, publicURL string, now clock.Clock, accounts account.Options) *Resolver {
	notes := notify.NewService(st, now)
	sharing := booking.NewService(st, now)
	sharing.Notes = notes
	meetings := meeting.NewService(st, sharing, now)
	meetings.Notes = notes
	threeLists := lists.NewService(st, meetings, now)
	threeLists.Notes = notes
	rates := ratelimit.New(st, now)
	accounts.Now, accounts.Limits = now, rates
	return &Resolver{
		Rates:     rates,
		Structure: structure.NewService(st, now),
		Accounts:  account.NewService(st, accounts),
		Bookings:  sharing,
		Feeds:     booking.NewFeeds(st, publicURL),
		Meetings:  meetings,
		Lists:     threeLists,
		Hub:       NewHub(),
		Notify:    notes,
		Notes:     NewNoteHub(),
		Channels:  notify.NewChannels(st),
	}
}
