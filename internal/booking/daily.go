package booking

import (
	"context"
	"errors"
	"fmt"
	"time"

	"cogov/internal/access"
	"cogov/internal/notify"
	"cogov/internal/problem"
)

// The daily loop of a booking: reminders before it, check-in around its
// start and the no-show after it. Each is a timer (notify.Timer) set in the
// transaction that makes a booking hold its time, and each reads the
// booking's current state when it runs.

// Timer kinds of bookings.
const (
	TimerReminder = "booking.reminder"
	TimerNoShow   = "booking.noshow"
	TimerOffer    = "waitlist.expire"
)

// DefaultReminders are the lead times of reminders before a booking.
var DefaultReminders = []time.Duration{24 * time.Hour, time.Hour}

// CheckInEarly is how long before its start a booking may be checked in.
const CheckInEarly = 30 * time.Minute

// timers sets the reminders and the no-show check of an approved booking.
func (s *Service) timers(ctx context.Context, b Booking, v *Venue) error {
	if b.Status != Approved {
		return nil
	}
	now := s.Now()
	var ts []notify.Timer
	for _, lead := range s.reminders() {
		if at := b.Start.Add(-lead); at.After(now) {
			ts = append(ts, notify.Timer{Kind: TimerReminder, SubdistrictID: b.SubdistrictID, ObjectID: b.ID, At: at, Expect: b.Start, Lead: lead,
				Place: b.VenueID})
		}
	}
	if v == nil {
		vv, err := s.store.Venue(ctx, b.VenueID)
		if err != nil {
			return err
		}
		v = &vv
	}
	if g := v.Rules.NoShowGraceMinutes; g != nil {
		ts = append(ts, notify.Timer{Kind: TimerNoShow, SubdistrictID: b.SubdistrictID, ObjectID: b.ID,
			At: b.Start.Add(time.Duration(*g) * time.Minute), Expect: b.Start, Place: b.VenueID})
	}
	return s.Notes.Later(ctx, ts...)
}

func (s *Service) reminders() []time.Duration {
	if s.Reminders != nil {
		return s.Reminders
	}
	return DefaultReminders
}

// CheckIn records that the booker arrived: the booking committee's or the
// venue unit's administrators may, from CheckInEarly before the start until
// the venue's grace period after it (until the end without one).
func (s *Service) CheckIn(ctx context.Context, id string) (Booking, error) {
	now := s.Now()
	var grace *int
	return s.change(ctx, id, false, "booking.check-in", "", func(bs []*Booking) error {
		b := bs[0]
		v := access.From(ctx)
		if !v.AdministersCommittee(b.CommitteeID, b.SubdistrictID) && !v.AdministersUnit(b.VenueUnitID, b.SubdistrictID) {
			return forbidden("check in to this booking")
		}
		if b.Status != Approved {
			return invalidState(b, "checked in")
		}
		if b.CheckedInAt != nil {
			return nil // already: checking in twice changes nothing
		}
		venue, err := s.store.Venue(ctx, b.VenueID)
		if err != nil {
			return err
		}
		grace = venue.Rules.NoShowGraceMinutes
		closes := b.End
		if grace != nil {
			closes = b.Start.Add(time.Duration(*grace) * time.Minute)
		}
		if now.Before(b.Start.Add(-CheckInEarly)) || !now.Before(closes) {
			return problem.New(problem.InvalidState, fmt.Sprintf("check in from %d minutes before the start until %s",
				int(CheckInEarly/time.Minute), closes.In(venue.Location()).Format("15:04")), "bookingId")
		}
		b.CheckedInAt = &now
		return nil
	})
}

// RunTimer runs a due timer of bookings (TimerReminder, TimerNoShow,
// TimerOffer) as the platform; a booking that moved, or no longer holds its
// time, is left alone.
func (s *Service) RunTimer(ctx context.Context, t notify.Timer) error {
	if t.Kind == TimerOffer {
		return s.expireOffer(ctx, t)
	}
	bs, err := s.store.BookingsByID(ctx, []string{t.ObjectID})
	if err != nil {
		return err
	}
	b, ok := bs[t.ObjectID]
	if !ok || b.Status != Approved || !b.Start.Equal(t.Expect) || (t.Place != "" && t.Place != b.VenueID) {
		return nil
	}
	switch t.Kind {
	case TimerReminder:
		return s.tell(ctx, b, notify.BookingReminder, notify.Audience{Committees: []string{b.CommitteeID}},
			fmt.Sprintf("%s, %s", b.Purpose, fmtTime(b.Start, locationOf(ctx, s, b))))
	case TimerNoShow:
		if b.CheckedInAt != nil {
			return nil
		}
		return s.store.InTx(ctx, func(ctx context.Context) error {
			nb, err := s.change(ctx, b.ID, false, "booking.no-show", "not checked in", func(bs []*Booking) error {
				if bs[0].Status != Approved || bs[0].CheckedInAt != nil {
					return errNothing
				}
				bs[0].Status = NoShow
				return nil
			})
			if errors.Is(err, errNothing) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := s.tell(ctx, nb, notify.BookingNoShow, notify.Audience{Committees: []string{nb.CommitteeID}, Units: []string{nb.VenueUnitID}},
				"未签到，场地已释放"); err != nil {
				return err
			}
			return s.offerNext(ctx, nb)
		})
	}
	return nil
}

var errNothing = errors.New("nothing to do")

func locationOf(ctx context.Context, s *Service, b Booking) *time.Location {
	v, err := s.store.Venue(ctx, b.VenueID)
	if err != nil {
		return time.UTC
	}
	return v.Location()
}

// NoShows counts the no-shows among the bookings starting in [from, to) of
// venue v, for those who may see all its bookings (0 for others).
func (s *Service) NoShows(ctx context.Context, v Venue, from, to time.Time) (int, error) {
	if !ScopeAt(access.From(ctx), v).All {
		return 0, nil
	}
	m, err := s.store.NoShows(ctx, []string{v.ID}, false, from, to)
	return m[v.ID], err
}

// CommitteeNoShows counts the no-shows among the committee's bookings
// starting in [from, to), for its administrators (0 for others).
func (s *Service) CommitteeNoShows(ctx context.Context, committeeID, sd string, from, to time.Time) (int, error) {
	if !access.From(ctx).AdministersCommittee(committeeID, sd) {
		return 0, nil
	}
	m, err := s.store.NoShows(ctx, []string{committeeID}, true, from, to)
	return m[committeeID], err
}
