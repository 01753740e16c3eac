package booking

import (
	"context"
	"time"

	"cogov/internal/page"
)

// Reads of venues that the GraphQL adapter asks for outside its per-request
// loaders: the directory search, a venue, its dated exceptions and closures.
// Who may see a booking in full is in visibility.go.

// VenueFilter narrows the venue directory.
type VenueFilter struct {
	SubdistrictID, CommunityID, UnitID string
	MinCapacity                        int
	MinAreaSqm                         float64
	Facilities                         []string
	AvailableFrom, AvailableTo         time.Time // both zero for no availability filter
	Text                               string
	IncludeInactive                    bool
}

// SearchVenues lists the venues that match f, the smallest that fits first,
// then by name. The directory is public.
func (s *Service) SearchVenues(ctx context.Context, f VenueFilter, p page.Page) (*page.Conn[Venue], error) {
	return s.store.Venues(ctx, f, p)
}

// Venue returns one venue; problem.ErrNotFound when there is none.
func (s *Service) Venue(ctx context.Context, id string) (Venue, error) { return s.store.Venue(ctx, id) }

// Exceptions returns the venue's dated exceptions on the days fromDay..toDay.
func (s *Service) Exceptions(ctx context.Context, venueID string, fromDay, toDay time.Time) ([]Exception, error) {
	return s.store.Exceptions(ctx, venueID, fromDay, toDay)
}

// Closures returns the venue's maintenance closures that overlap [from, to).
func (s *Service) Closures(ctx context.Context, venueID string, from, to time.Time) ([]Closure, error) {
	return s.store.Closures(ctx, venueID, from, to)
}
