package booking

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"cogov/internal/access"
	"cogov/internal/notify"
	"cogov/internal/problem"
)

// Move is the input of MoveBooking: the booking, the version read, and
// where and when it should be instead.
type Move struct {
	BookingID  string
	Version    *int
	VenueID    string // "" keeps the booking's venue
	Start, End time.Time
}

// MoveBooking moves a pending or approved booking that has not started to
// another window, at its venue or another, in one transaction: a booking a
// closure hits is moved clear of it this way. The booking committee's
// administrators may. The new window is checked as a new request would be
// (eligibility, capacity, length, notice, hours, closures, conflicts,
// weekly quota, windows offered to waiting committees), and the approval
// rule of the venue it lands at applies again: where approval is required it
// is PENDING until the owner decides. It keeps its id, purpose and series,
// and is no longer affected. The exclusion constraint has the last word
// against a concurrent booking of the new window, which answers
// BOOKING_CONFLICT and writes nothing. The old window goes to the first
// waiting committee, the booking's reminders and no-show check move with it,
// and the booking committee and both venue units hear of it.
func (s *Service) MoveBooking(ctx context.Context, in Move) (Booking, error) {
	if !in.End.After(in.Start) {
		return Booking{}, problem.New(problem.InvalidInput, "a booking must end after it starts", "endsAt")
	}
	var out Booking
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.moveBooking(ctx, in)
		return err
	})
	return out, err
}

func (s *Service) moveBooking(ctx context.Context, in Move) (Booking, error) {
	cur, err := s.store.BookingsByID(ctx, []string{in.BookingID})
	if err != nil {
		return Booking{}, err
	}
	was, ok := cur[in.BookingID]
	if !ok {
		return Booking{}, problem.New(problem.NotFound, "no such booking", "bookingId")
	}
	venueID := in.VenueID
	if venueID == "" {
		venueID = was.VenueID
	}
	v, err := s.store.Venue(ctx, venueID)
	if err != nil {
		return notFoundAs(Booking{}, err, "venueId")
	}
	// As requestBooking: one committee's requests and moves for one venue
	// take turns, so that two of them cannot both pass its weekly quota.
	if _, err := s.store.LockForRequest(ctx, v.ID, was.CommitteeID, ""); err != nil {
		return Booking{}, err
	}
	now := s.Now()
	var old Booking
	out, err := s.change(ctx, in.BookingID, false, "booking.move", "", func(bs []*Booking) error {
		b := bs[0]
		old = *b
		if !access.From(ctx).AdministersCommittee(b.CommitteeID, b.SubdistrictID) {
			return forbidden("move this booking")
		}
		if v.SubdistrictID != b.SubdistrictID {
			return problem.New(problem.WrongSubdistrict, "the venue belongs to another sub-district", "venueId")
		}
		if err := checkVersion(b, in.Version); err != nil {
			return err
		}
		if !b.Status.Holds() {
			return invalidState(b, "moved")
		}
		if !b.Start.After(now) {
			return problem.New(problem.InvalidState, "a booking that has started cannot be moved", "bookingId")
		}
		if v.ID == b.VenueID && in.Start.Equal(b.Start) && in.End.Equal(b.End) {
			return problem.New(problem.InvalidInput, "the booking is already there", "startsAt")
		}
		req := Request{VenueID: v.ID, CommitteeID: b.CommitteeID, Start: in.Start, End: in.End, ExpectedAttendees: b.ExpectedAttendees}
		if l := CheckRequest(v, req); len(l) > 0 {
			return l
		}
		buffer := time.Duration(v.Rules.BufferMinutes) * time.Minute
		loc := v.Location()
		sch, err := s.store.Schedule(ctx, v.ID, weekStart(in.Start, loc).Add(-buffer), weekStart(in.End, loc).AddDate(0, 0, 7).Add(buffer))
		if err != nil {
			return err
		}
		// The booking does not stand in its own way.
		sch.Bookings = slices.DeleteFunc(sch.Bookings, func(o Booking) bool { return o.ID == b.ID })
		offers, _, err := s.offersAgainst(ctx, v.ID, b.CommitteeID, in.Start.Add(-buffer), in.End.Add(buffer))
		if err != nil {
			return err
		}
		sch.Bookings = append(sch.Bookings, offers...)
		nb := *b
		nb.VenueID, nb.Start, nb.End, nb.HeldEnd = v.ID, in.Start, in.End, in.End.Add(buffer)
		nb.Status = Approved
		if v.Rules.RequiresApproval {
			nb.Status = Pending
		}
		if l := CheckOccurrence(v, sch, nil, nb, now); len(l) > 0 {
			return l
		}
		nb.AffectedBy, nb.AffectedAt, nb.CheckedInAt = nil, nil, nil
		*b = nb
		return nil
	})
	if err != nil {
		return Booking{}, err
	}
	text := fmt.Sprintf("%s，%s %s–%s", out.Purpose, v.Name, fmtTime(out.Start, v.Location()), out.End.In(v.Location()).Format("15:04"))
	if err := s.tell(ctx, out, notify.BookingMoved, notify.Audience{Committees: []string{out.CommitteeID},
		Units: uniqStrings(old.VenueUnitID, v.UnitID)}, text); err != nil {
		return Booking{}, err
	}
	// Timers set for the old window ignore the moved booking (its start or
	// venue differ); an approved booking that kept both keeps its timers.
	if out.Status == Approved && (old.Status != Approved || !old.Start.Equal(out.Start) || old.VenueID != out.VenueID) {
		if err := s.timers(ctx, out, &v); err != nil {
			return Booking{}, err
		}
	}
	if err := s.takeOffers(ctx, []Booking{out}); err != nil {
		return Booking{}, err
	}
	return out, s.offerNext(ctx, old)
}

func uniqStrings(ss ...string) []string { return slices.Compact(slices.Sorted(slices.Values(ss))) }

// liftedNote is the detail of a CLOSURE_LIFTED notification.
func liftedNote(c Closure, loc *time.Location) string {
	r := strings.TrimSpace(c.Reason)
	if r == "" {
		return fmtTime(c.Start, loc)
	}
	return fmtTime(c.Start, loc) + " " + r
}
