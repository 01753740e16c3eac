package graph

// Adapter code of the venues area (schema/venues.graphqls; resolvers in
// venues.resolvers.go): loaders, connections and payloads of venues and
// bookings.

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/vikstrous/dataloadgen"

	"cogov/graph/model"
	"cogov/internal/access"
	"cogov/internal/booking"
	"cogov/internal/problem"
	"cogov/internal/store"
)

// Type names used in global ids of the venues and bookings section.
const (
	typeVenue   = "Venue"
	typeBooking = "Booking"
	typeClosure = "Closure"
)

// bookingListKey identifies one page of a venue's bookings as a viewer may see them.
type bookingListKey struct {
	Parent string
	Filter store.BookingFilter
	Page   store.Page
}

// VenueLoaders batch the relationships of venues and bookings per request.
type VenueLoaders struct {
	Venue         *dataloadgen.Loader[string, booking.Venue]
	Booking       *dataloadgen.Loader[string, booking.Booking]
	Hours         *dataloadgen.Loader[string, []booking.Hours]
	History       *dataloadgen.Loader[string, []booking.Event]
	Series        *dataloadgen.Loader[string, []booking.Booking]
	Closure       *dataloadgen.Loader[string, booking.Closure]
	VenueBookings *dataloadgen.Loader[bookingListKey, *store.Conn[booking.Booking]]
}

func newVenueLoaders(s *store.Store, o dataloadgen.Option) *VenueLoaders {
	return &VenueLoaders{
		Venue:   dataloadgen.NewMappedLoader(s.VenuesByID, o),
		Booking: dataloadgen.NewMappedLoader(s.BookingsByID, o),
		Hours:   dataloadgen.NewMappedLoader(s.HoursOf, o),
		History: dataloadgen.NewMappedLoader(s.BookingHistory, o),
		Series:  dataloadgen.NewMappedLoader(s.BookingsOfSeries, o),
		Closure: dataloadgen.NewMappedLoader(s.ClosuresByID, o),
		VenueBookings: dataloadgen.NewMappedLoader(func(ctx context.Context, keys []bookingListKey) (map[bookingListKey]*store.Conn[booking.Booking], error) {
			type group struct {
				f store.BookingFilter
				p store.Page
			}
			groups := map[group][]string{}
			for _, k := range keys {
				groups[group{k.Filter, k.Page}] = append(groups[group{k.Filter, k.Page}], k.Parent)
			}
			out := make(map[bookingListKey]*store.Conn[booking.Booking], len(keys))
			for g, parents := range groups {
				m, err := s.Bookings(ctx, parents, g.f, g.p)
				if err != nil {
					return nil, err
				}
				for _, p := range parents {
					c := m[p]
					if c == nil {
						c = &store.Conn[booking.Booking]{HasPrev: g.p.After != ""}
					}
					out[bookingListKey{p, g.f, g.p}] = c
				}
			}
			return out, nil
		}, o),
	}
}

var weekdays = []model.Weekday{model.WeekdayMonday, model.WeekdayTuesday, model.WeekdayWednesday, model.WeekdayThursday,
	model.WeekdayFriday, model.WeekdaySaturday, model.WeekdaySunday}

// isoWeekday turns a Weekday into 1 (Monday) .. 7 (Sunday).
func isoWeekday(w model.Weekday) int { return slices.Index(weekdays, w) + 1 }

// loadBookingNode resolves the node types of this section; a booking the
// viewer may not see is null, as if it did not exist.
func loadBookingNode(ctx context.Context, typ, id string) (model.Node, error) {
	l := For(ctx).Venues
	switch typ {
	case typeVenue:
		return nodeOf(ctx, l.Venue, id)
	case typeBooking:
		b, err := l.Booking.Load(ctx, id)
		if errors.Is(err, dataloadgen.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if !booking.CanSee(access.From(ctx), b) {
			return nil, nil
		}
		return &b, nil
	}
	return nil, nil
}

// window checks an optional from/to pair of arguments.
func window(from, to *time.Time, max time.Duration) (time.Time, time.Time, error) {
	if (from == nil) != (to == nil) {
		return time.Time{}, time.Time{}, &model.InputError{Msg: "give both ends of the window or neither"}
	}
	if from == nil {
		return time.Time{}, time.Time{}, nil
	}
	if !to.After(*from) || (max > 0 && to.Sub(*from) > max) {
		return time.Time{}, time.Time{}, &model.InputError{Msg: "the window must end after it starts and not be too long"}
	}
	return *from, *to, nil
}

// asInputError turns a problem of a query argument into a client error.
func asInputError(err error) error {
	if l, ok := problem.As(err); ok && len(l) > 0 {
		return &model.InputError{Msg: l[0].Message}
	}
	return err
}

func bookingConn(c *store.Conn[booking.Booking]) *model.BookingConnection {
	return &model.BookingConnection{TotalCount: c.Total, PageInfo: pageInfo(c), Edges: edges(c, func(cur string, n *booking.Booking) model.BookingEdge {
		return model.BookingEdge{Cursor: cur, Node: n}
	})}
}

func venueConn(c *store.Conn[booking.Venue]) *model.VenueConnection {
	return &model.VenueConnection{TotalCount: c.Total, PageInfo: pageInfo(c), Edges: edges(c, func(cur string, n *booking.Venue) model.VenueEdge {
		return model.VenueEdge{Cursor: cur, Node: n}
	})}
}

// bookingPayload turns a lifecycle result into its payload.
func bookingPayload(b booking.Booking, err error) (*model.BookingPayload, error) {
	v, ue, ferr := result(b, err)
	return &model.BookingPayload{Booking: v, UserErrors: ue}, ferr
}

// venuePayload turns a venue result into its payload.
func venuePayload(v booking.Venue, err error) (*model.VenuePayload, error) {
	p, ue, ferr := result(v, err)
	return &model.VenuePayload{Venue: p, UserErrors: ue}, ferr
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func derefInt(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

// closureWindow reads a closure's window from startsAt and endsAt, or from
// the deprecated start and end.
func closureWindow(in model.AddClosureInput) (time.Time, time.Time, *problem.Problem) {
	s, e := in.StartsAt, in.EndsAt
	if s == nil {
		s = in.Start
	}
	if e == nil {
		e = in.End
	}
	if s == nil || e == nil {
		p := problem.Problem{Code: problem.InvalidInput, Field: []string{"input", "startsAt"}, Message: "give startsAt and endsAt"}
		return time.Time{}, time.Time{}, &p
	}
	return *s, *e, nil
}

// primeBooked gives the request's loaders the venue and committee
// requestBooking read under its lock, so that its answer's booking.venue
// and booking.committee cost no second read.
func primeBooked(ctx context.Context, res booking.Result) {
	l := For(ctx)
	if res.Venue != nil {
		l.Venues.Venue.Prime(res.Venue.ID, *res.Venue)
	}
	if res.Committee != nil {
		l.Committee.Prime(res.Committee.ID, *res.Committee)
	}
}
