package booking

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"cogov/internal/access"
	"cogov/internal/notify"
	"cogov/internal/problem"
)

// WaitStatus is where a waitlist entry is.
type WaitStatus string

// Waitlist statuses: WAITING → OFFERED (the window was freed and is held
// for the committee) → TAKEN (it booked) or EXPIRED (the hold ran out);
// WAITING or OFFERED → LEFT.
const (
	Waiting WaitStatus = "WAITING"
	Offered WaitStatus = "OFFERED"
	Taken   WaitStatus = "TAKEN"
	Left    WaitStatus = "LEFT"
	Expired WaitStatus = "EXPIRED"
)

// DefaultOfferHold is how long a freed window is held for the first
// waiting committee.
const DefaultOfferHold = 2 * time.Hour

// WaitEntry is a committee waiting for a window of a venue that is taken.
type WaitEntry struct {
	ID                string
	SubdistrictID     string
	VenueID           string
	CommitteeID       string
	Start, End        time.Time
	Purpose           string
	ExpectedAttendees int
	Status            WaitStatus
	OfferedAt         *time.Time
	OfferExpiresAt    *time.Time
	RequestedBy       *string
	CreatedAt         time.Time
	Demo              bool
}

// holds reports whether the entry holds its window at now: an open offer.
func (e WaitEntry) holds(now time.Time) bool {
	return e.Status == Offered && e.OfferExpiresAt != nil && e.OfferExpiresAt.After(now)
}

// WaitRequest is the input of JoinWaitlist.
type WaitRequest struct {
	VenueID, CommitteeID string
	Start, End           time.Time
	Purpose              string
	ExpectedAttendees    int
	Demo                 bool
}

// JoinWaitlist puts a committee on the waitlist of a window that is taken
// (by another committee's booking or open offer); a free window answers
// INVALID_STATE: book it instead.
func (s *Service) JoinWaitlist(ctx context.Context, in WaitRequest) (WaitEntry, error) {
	var l problem.List
	in.Purpose = l.RequireText(in.Purpose, maxReason, "purpose")
	if in.ExpectedAttendees < 1 || in.ExpectedAttendees > maxAttendees {
		l.Add(problem.InvalidInput, "expectedAttendees must be at least 1", "expectedAttendees")
	}
	if !in.End.After(in.Start) {
		l.Add(problem.InvalidInput, "the window must end after it starts", "endsAt")
	}
	if err := l.Err(); err != nil {
		return WaitEntry{}, err
	}
	var out WaitEntry
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		// The lock of the committee's requests for the venue, with the venue
		// and the committee read under it: a booking it requests at the same
		// moment either sees this entry (and takes it) or is seen by this
		// check, as if one had come after the other.
		locked, err := s.store.LockForRequest(ctx, in.VenueID, in.CommitteeID, "")
		if err != nil {
			return err
		}
		v := locked.Venue
		if !locked.VenueFound {
			return problem.New(problem.NotFound, "no such record", "venueId")
		}
		if locked.Committee == nil {
			return problem.New(problem.NotFound, "no such committee", "committeeId")
		}
		sd := locked.Committee.SubdistrictID
		if !access.From(ctx).AdministersCommittee(in.CommitteeID, sd) {
			return forbidden("wait for this committee")
		}
		if sd != v.SubdistrictID {
			return problem.New(problem.WrongSubdistrict, "the committee belongs to another sub-district", "committeeId")
		}
		if !in.Start.After(s.Now()) {
			return problem.New(problem.InvalidInput, "the window has started", "startsAt")
		}
		taken, err := s.taken(ctx, v, in.CommitteeID, in.Start, in.End, "")
		if err != nil {
			return err
		}
		if !taken {
			return problem.New(problem.InvalidState, "the window is free: book it", "startsAt")
		}
		e := WaitEntry{SubdistrictID: v.SubdistrictID, VenueID: v.ID, CommitteeID: in.CommitteeID, Start: in.Start, End: in.End,
			Purpose: in.Purpose, ExpectedAttendees: in.ExpectedAttendees, Status: Waiting, Demo: in.Demo}
		if a := access.From(ctx).AccountID; a != "" {
			e.RequestedBy = &a
		}
		out, err = s.store.CreateWaitEntry(ctx, e)
		return err
	})
	return out, err
}

// taken reports whether a window of venue v is held by another committee
// than committee: a pending or approved booking (changeover time included)
// or an open offer other than the entry except.
func (s *Service) taken(ctx context.Context, v Venue, committee string, start, end time.Time, except string) (bool, error) {
	buffer := time.Duration(v.Rules.BufferMinutes) * time.Minute
	sch, err := s.store.Schedule(ctx, v.ID, start.Add(-buffer), end.Add(buffer))
	if err != nil {
		return false, err
	}
	held := Interval{start, end.Add(buffer)}
	for _, b := range sch.Bookings {
		if b.Status.Holds() && held.overlaps(Interval{b.Start, b.HeldEnd}) {
			return true, nil
		}
	}
	offers, err := s.store.WaitEntries(ctx, v.ID, start, end, false)
	if err != nil {
		return false, err
	}
	now := s.Now()
	for _, e := range offers {
		if e.ID != except && e.CommitteeID != committee && e.holds(now) {
			return true, nil
		}
	}
	return false, nil
}

// LeaveWaitlist takes a committee off a waitlist; an open offer it leaves
// goes to the next waiting committee.
func (s *Service) LeaveWaitlist(ctx context.Context, id string) (WaitEntry, error) {
	var out WaitEntry
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var was WaitStatus
		var err error
		out, err = s.store.ChangeWaitEntry(ctx, id, "waitlist.leave", func(e *WaitEntry) error {
			if !access.From(ctx).AdministersCommittee(e.CommitteeID, e.SubdistrictID) {
				return forbidden("take this committee off the waitlist")
			}
			if e.Status != Waiting && e.Status != Offered {
				return problem.New(problem.InvalidState, "the entry is "+strings.ToLower(string(e.Status)), "entryId")
			}
			was, e.Status, e.OfferExpiresAt = e.Status, Left, nil
			return nil
		})
		if errors.Is(err, problem.ErrNotFound) {
			return problem.New(problem.NotFound, "no such waitlist entry", "entryId")
		}
		if err != nil || was != Offered {
			return err
		}
		return s.offerNext(ctx, Booking{SubdistrictID: out.SubdistrictID, VenueID: out.VenueID, Start: out.Start, HeldEnd: out.End})
	})
	return out, err
}

// offerNext offers a window freed by booking b (its held range) to the
// first waiting committee (by when it joined) whose window is now free,
// holding it until OfferHold from now (not past the window's start), and
// tells the committee. It runs in the transaction that freed the window,
// with the venue's entries locked, so two freeings offer in turn.
func (s *Service) offerNext(ctx context.Context, b Booking) error {
	entries, err := s.store.WaitEntries(ctx, b.VenueID, b.Start, b.HeldEnd, true)
	if err != nil || len(entries) == 0 {
		return err
	}
	v, err := s.store.Venue(ctx, b.VenueID)
	if err != nil {
		return err
	}
	now := s.Now()
	hold := s.OfferHold
	if hold == 0 {
		hold = DefaultOfferHold
	}
	for _, e := range entries {
		if e.Status != Waiting || !e.Start.After(now) {
			continue
		}
		taken, err := s.taken(ctx, v, e.CommitteeID, e.Start, e.End, e.ID)
		if err != nil {
			return err
		}
		if taken {
			continue
		}
		until := now.Add(hold)
		if until.After(e.Start) {
			until = e.Start
		}
		offered, err := s.store.ChangeWaitEntry(ctx, e.ID, "waitlist.offer", func(w *WaitEntry) error {
			w.Status, w.OfferedAt, w.OfferExpiresAt = Offered, &now, &until
			return nil
		})
		if err != nil {
			return err
		}
		if err := s.Notes.Add(ctx, notify.Note{SubdistrictID: e.SubdistrictID, To: notify.Audience{Committees: []string{e.CommitteeID}},
			Kind: notify.WaitlistOffered, ObjectType: "WaitlistEntry", ObjectID: e.ID, Demo: e.Demo,
			Text: fmt.Sprintf("%s %s–%s，请在 %s 前预约", v.Name, fmtTime(e.Start, v.Location()), e.End.In(v.Location()).Format("15:04"),
				fmtTime(until, v.Location()))}); err != nil {
			return err
		}
		return s.Notes.Later(ctx, notify.Timer{Kind: TimerOffer, SubdistrictID: e.SubdistrictID, ObjectID: offered.ID, At: until, Expect: e.Start})
	}
	return nil
}

// expireOffer ends an offer whose hold ran out and offers the window to
// the next waiting committee.
func (s *Service) expireOffer(ctx context.Context, t notify.Timer) error {
	now := s.Now()
	return s.store.InTx(ctx, func(ctx context.Context) error {
		e, err := s.store.ChangeWaitEntry(ctx, t.ObjectID, "waitlist.expire", func(e *WaitEntry) error {
			if e.Status != Offered || e.OfferExpiresAt == nil || e.OfferExpiresAt.After(now) {
				return errNothing
			}
			e.Status = Expired
			return nil
		})
		if errors.Is(err, errNothing) || errors.Is(err, problem.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.offerNext(ctx, Booking{SubdistrictID: e.SubdistrictID, VenueID: e.VenueID, Start: e.Start, HeldEnd: e.End})
	})
}

// offersAgainst returns the open offers of other committees than committee
// over [from, to) as bookings that hold their windows, for the request
// check: an offered window is the waiting committee's until it expires.
// mine reports whether committee itself has an entry in the window (which
// a booking of the window then takes, takeOffers).
func (s *Service) offersAgainst(ctx context.Context, venueID, committee string, from, to time.Time) (_ []Booking, mine bool, _ error) {
	es, err := s.store.WaitEntries(ctx, venueID, from, to, false)
	if err != nil {
		return nil, false, err
	}
	out, mine := s.offersIn(es, venueID, committee, from, to)
	return out, mine, nil
}

// offersIn is offersAgainst over es, the venue's waiting and offered
// entries of a stretch that covers [from, to) (Schedule.Waiting).
func (s *Service) offersIn(es []WaitEntry, venueID, committee string, from, to time.Time) (out []Booking, mine bool) {
	now := s.Now()
	for _, e := range es {
		if !e.Start.Before(to) || !e.End.After(from) {
			continue // outside [from, to)
		}
		if e.CommitteeID == committee {
			mine = true
		} else if e.holds(now) {
			out = append(out, Booking{VenueID: venueID, CommitteeID: e.CommitteeID, Start: e.Start, End: e.End, HeldEnd: e.End, Status: Pending})
		}
	}
	return out, mine
}

// takeOffers marks the committee's entries over the booked windows TAKEN.
func (s *Service) takeOffers(ctx context.Context, created []Booking) error {
	for _, b := range created {
		es, err := s.store.WaitEntries(ctx, b.VenueID, b.Start, b.End, true)
		if err != nil {
			return err
		}
		for _, e := range es {
			if e.CommitteeID != b.CommitteeID {
				continue
			}
			if _, err := s.store.ChangeWaitEntry(ctx, e.ID, "waitlist.take", func(w *WaitEntry) error {
				w.Status, w.OfferExpiresAt = Taken, nil
				return nil
			}); err != nil {
				return err
			}
		}
	}
	return nil
}
