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
	"cogov/internal/structure"
)

// Request is the input of RequestBooking.
type Request struct {
	VenueID, CommitteeID string
	Start, End           time.Time
	Purpose              string
	ExpectedAttendees    int
	Recurrence           *Recurrence
	Policy               ConflictPolicy // ALL_OR_NOTHING when empty
	IdempotencyKey       string
	Demo                 bool
}

func (r Request) policy() ConflictPolicy {
	if r.Policy == "" {
		return AllOrNothing
	}
	return r.Policy
}

// Result is what RequestBooking booked and what it skipped.
type Result struct {
	Bookings []Booking
	Skipped  []Skip
	// The venue and committee as read under the request's lock, when it
	// booked: for the answer to show without reading them again.
	Venue     *Venue
	Committee *structure.Committee
}

// RequestBooking books a venue for a committee, once or as a weekly series.
// It checks every rule first so that each broken one comes back with its
// own code; the database's exclusion constraint still has the last word
// against a concurrent request, which then answers BOOKING_CONFLICT.
func (s *Service) RequestBooking(ctx context.Context, in Request) (Result, error) {
	// One transaction, holding a lock on the venue and committee, so that
	// two simultaneous requests of one committee cannot both pass its
	// weekly quota: the second reads the schedule after the first committed.
	// Every error fails the whole request (an idempotency key taken
	// concurrently is no error: its replay reads on), so the transaction's
	// writes need no savepoints.
	var res Result
	err := s.store.InTxAll(ctx, "booking.request", func(ctx context.Context) error {
		in.IdempotencyKey = strings.TrimSpace(in.IdempotencyKey)
		locked, err := s.store.LockForRequest(ctx, in.VenueID, in.CommitteeID, in.IdempotencyKey)
		if err != nil {
			return err
		}
		res, err = s.requestBooking(ctx, in, locked)
		if err == nil && len(res.Bookings) > 0 {
			res.Venue, res.Committee = &locked.Venue, locked.Committee
		}
		return err
	})
	return res, err
}

// requestBooking does RequestBooking's work inside its transaction, with
// what LockForRequest read under the transaction's lock.
func (s *Service) requestBooking(ctx context.Context, in Request, locked Locked) (Result, error) {
	v, found := locked.Venue, locked.VenueFound
	committeeSD := ""
	if locked.Committee != nil {
		committeeSD = locked.Committee.SubdistrictID
	}
	var l problem.List
	in.Purpose = l.RequireText(in.Purpose, maxReason, "purpose")
	if in.ExpectedAttendees < 1 || in.ExpectedAttendees > maxAttendees {
		l.Add(problem.InvalidInput, "expectedAttendees must be at least 1", "expectedAttendees")
	}
	if !in.End.After(in.Start) {
		l.Add(problem.InvalidInput, "a booking must end after it starts", "endsAt")
	}
	if p := in.policy(); p != AllOrNothing && p != SkipConflicts {
		l.Add(problem.InvalidInput, "unknown conflict policy", "conflictPolicy")
	}
	if len(in.IdempotencyKey) > maxIdempotency {
		l.Add(problem.InvalidInput, "idempotencyKey is at most 200 characters", "idempotencyKey")
	}
	if !found {
		l.Add(problem.NotFound, "no such venue", "venueId")
	}
	if committeeSD == "" {
		l.Add(problem.NotFound, "no such committee", "committeeId")
	} else if !access.From(ctx).AdministersCommittee(in.CommitteeID, committeeSD) {
		// Refuse before saying anything more about the request.
		return Result{}, forbidden("book for this committee")
	}
	if err := l.Err(); err != nil {
		return Result{}, err
	}
	if committeeSD != v.SubdistrictID {
		return Result{}, problem.New(problem.WrongSubdistrict, "the committee belongs to another sub-district", "committeeId")
	}
	fp := fingerprint(in)
	if p := locked.Prev; p != nil { // the key was used before
		return replayed(*p, fp)
	}
	loc := v.Location()
	starts := []time.Time{in.Start}
	if in.Recurrence != nil {
		starts = in.Recurrence.Occurrences(in.Start, loc, &l)
	}
	l = append(l, CheckRequest(v, in)...)
	if err := l.Err(); err != nil {
		return Result{}, err
	}
	length := in.End.Sub(in.Start)
	buffer := time.Duration(v.Rules.BufferMinutes) * time.Minute
	last := starts[len(starts)-1].Add(length)
	// A week on each side for the quota, a buffer for neighbours.
	sch, err := s.store.Schedule(ctx, v.ID, weekStart(starts[0], loc).Add(-buffer), weekStart(last, loc).AddDate(0, 0, 7).Add(buffer))
	if err != nil {
		return Result{}, err
	}
	// A window offered to a waiting committee is held for it.
	// (The schedule's stretch covers this window: a buffer and a week round it.)
	offers, mine := s.offersIn(sch.Waiting, v.ID, in.CommitteeID, starts[0].Add(-buffer), last.Add(buffer))
	sch.Bookings = append(sch.Bookings, offers...)
	status := Pending
	if !v.Rules.RequiresApproval {
		status = Approved
	}
	var accepted []Booking
	var skipped []Skip
	now := s.Now()
	for _, st := range starts {
		b := Booking{SubdistrictID: v.SubdistrictID, VenueID: v.ID, CommitteeID: in.CommitteeID, Start: st, End: st.Add(length),
			HeldEnd: st.Add(length + buffer), Purpose: in.Purpose, ExpectedAttendees: in.ExpectedAttendees, Status: status,
			Version: 1, Demo: in.Demo, VenueUnitID: v.UnitID}
		probs := CheckOccurrence(v, sch, accepted, b, now)
		if len(probs) == 0 {
			accepted = append(accepted, b)
			continue
		}
		if in.policy() == AllOrNothing || in.Recurrence == nil {
			if in.Recurrence != nil {
				for i := range probs {
					probs[i].Message = fmtTime(st, loc) + ": " + probs[i].Message
				}
			}
			return Result{}, probs
		}
		skipped = append(skipped, Skip{Start: b.Start, End: b.End, Reason: probs[0].Code, Message: probs[0].Message})
	}
	if len(accepted) == 0 {
		return Result{}, problem.New(skipped[0].Reason, "no occurrence could be booked: "+skipped[0].Message, "startsAt")
	}
	v0 := access.From(ctx)
	req := NewRequest{SubdistrictID: v.SubdistrictID, VenueID: v.ID, CommitteeID: in.CommitteeID, IdempotencyKey: in.IdempotencyKey,
		Fingerprint: fp, Recurring: in.Recurrence != nil, Skipped: skipped, Demo: in.Demo}
	if v0.AccountID != "" {
		req.RequestedBy = &v0.AccountID
	}
	created, raced, err := s.store.CreateBookings(ctx, req, accepted, in.policy() == SkipConflicts && in.Recurrence != nil)
	if errors.Is(err, ErrKeyTaken) {
		res, _, err := s.replay(ctx, v.SubdistrictID, in.IdempotencyKey, fp)
		return res, err
	}
	if err != nil {
		return Result{}, err
	}
	for _, b := range raced {
		skipped = append(skipped, Skip{Start: b.Start, End: b.End, Reason: problem.BookingConflict, Message: "another booking took this time"})
	}
	// One notification for the request, about its first booking.
	if err := s.tell(ctx, created[0], notify.BookingRequested, notify.Audience{Units: []string{v.UnitID}}, in.Purpose); err != nil {
		return Result{}, err
	}
	if mine { // the committee waits for one of these windows itself
		if err := s.takeOffers(ctx, created); err != nil {
			return Result{}, err
		}
	}
	for _, b := range created {
		if err := s.timers(ctx, b, &v); err != nil {
			return Result{}, err
		}
	}
	return Result{Bookings: created, Skipped: skipped}, nil
}

// replay answers a request whose idempotency key was used before: the first
// result when it asked the same, INVALID_INPUT when it asked something else.
func (s *Service) replay(ctx context.Context, sd, key, fp string) (Result, bool, error) {
	prev, found, err := s.store.RequestByKey(ctx, sd, key)
	if err != nil || !found {
		return Result{}, false, err
	}
	res, err := replayed(prev, fp)
	return res, true, err
}

// replayed is the answer to a request whose key prev was recorded with:
// its result when it asked the same (fingerprint fp), INVALID_INPUT when not.
func replayed(prev StoredRequest, fp string) (Result, error) {
	if prev.Fingerprint != fp {
		return Result{}, problem.New(problem.InvalidInput, "this idempotency key was used for a different request", "idempotencyKey")
	}
	return Result{Bookings: prev.Bookings, Skipped: prev.Skipped}, nil
}

// CheckRequest checks the rules that hold for every occurrence of a request
// alike: the venue takes bookings, the committee is eligible, the venue holds
// the people and the length is allowed.
func CheckRequest(v Venue, in Request) problem.List {
	var l problem.List
	if !v.Active {
		l.Add(problem.VenueClosed, "the venue is not taking bookings", "venueId")
		return l
	}
	if v.Rules.Eligibility == ListedCommittees {
		eligible := false
		for _, id := range v.Rules.EligibleCommitteeIDs {
			eligible = eligible || id == in.CommitteeID
		}
		if !eligible {
			l.Add(problem.NotEligible, "this committee may not book this venue", "committeeId")
		}
	}
	if in.ExpectedAttendees > v.Capacity {
		l.Add(problem.CapacityExceeded, fmt.Sprintf("the venue holds %d people", v.Capacity), "expectedAttendees")
	}
	mins := int(in.End.Sub(in.Start) / time.Minute)
	if in.End.After(in.Start) && (mins < v.Rules.MinDurationMinutes || mins > v.Rules.MaxDurationMinutes) {
		l.Add(problem.DurationOutOfRange, fmt.Sprintf("a booking lasts %d to %d minutes", v.Rules.MinDurationMinutes, v.Rules.MaxDurationMinutes), "endsAt")
	}
	return l
}

// CheckOccurrence checks one occurrence against the time rules at now (notice,
// days ahead, opening hours with their dated exceptions, closures), the
// venue's schedule and the occurrences of the same request accepted so far
// (conflicts with changeover time, the weekly quota). It reads nothing: the
// demo data plans its days with it too.
func CheckOccurrence(v Venue, sch Schedule, accepted []Booking, b Booking, now time.Time) problem.List {
	var l problem.List
	loc := v.Location()
	w := Interval{b.Start, b.End}
	if b.Start.Before(now.Add(time.Duration(v.Rules.MinNoticeMinutes) * time.Minute)) {
		l.Add(problem.TooShortNotice, fmt.Sprintf("book at least %d minutes ahead", v.Rules.MinNoticeMinutes), "startsAt")
		return l
	}
	if b.Start.After(now.AddDate(0, 0, v.Rules.MaxDaysAhead)) {
		l.Add(problem.TooFarAhead, fmt.Sprintf("book at most %d days ahead", v.Rules.MaxDaysAhead), "startsAt")
		return l
	}
	if !covers(OpenIntervals(loc, sch.Hours, sch.Exceptions, b.Start, b.End, false), w) {
		if covers(OpenIntervals(loc, sch.Hours, sch.Exceptions, b.Start, b.End, true), w) {
			l.Add(problem.VenueClosed, "the venue is closed that day", "startsAt")
		} else {
			l.Add(problem.OutsideOpeningHours, "the venue is not open for all of this time", "startsAt")
		}
		return l
	}
	for _, c := range sch.Closures {
		if w.overlaps(Interval{c.Start, c.End}) {
			l.Add(problem.VenueClosed, "the venue is closed for maintenance then", "startsAt")
			return l
		}
	}
	held := Interval{b.Start, b.HeldEnd}
	for _, o := range append(append([]Booking{}, sch.Bookings...), accepted...) {
		if o.Status.Holds() && held.overlaps(Interval{o.Start, o.HeldEnd}) {
			l.Add(problem.BookingConflict, "the venue is already booked then (changeover time included)", "startsAt")
			return l
		}
	}
	if q := v.Rules.WeeklyQuotaMinutes; q != nil {
		ws := weekStart(b.Start, loc)
		week := Interval{ws, ws.AddDate(0, 0, 7)}
		used := minutesIn(week, b)
		for _, o := range append(append([]Booking{}, sch.Bookings...), accepted...) {
			if o.CommitteeID == b.CommitteeID && (o.Status.Holds() || o.Status == Completed) {
				used += minutesIn(week, o)
			}
		}
		if used > *q {
			l.Add(problem.QuotaExceeded, fmt.Sprintf("a committee may book this venue %d hours a week", *q/60), "startsAt")
		}
	}
	return l
}

// weekStart is Monday 00:00 of t's week in loc.
func weekStart(t time.Time, loc *time.Location) time.Time {
	d := dayOf(t, loc)
	return at(d.AddDate(0, 0, 1-isoWeekday(d)), 0, loc)
}

func minutesIn(w Interval, b Booking) int {
	s, e := b.Start, b.End
	if s.Before(w.Start) {
		s = w.Start
	}
	if e.After(w.End) {
		e = w.End
	}
	if !e.After(s) {
		return 0
	}
	return int(e.Sub(s) / time.Minute)
}

// ---- lifecycle ----

func checkVersion(b *Booking, version *int) error {
	if version != nil && *version != b.Version {
		return problem.New(problem.StaleVersion, fmt.Sprintf("the booking changed since you read it (version %d now)", b.Version), "version")
	}
	return nil
}

func invalidState(b *Booking, what string) error {
	return problem.New(problem.InvalidState, fmt.Sprintf("a %s booking cannot be %s", strings.ToLower(string(b.Status)), what), "bookingId")
}

func (s *Service) change(ctx context.Context, id string, series bool, action, note string, apply func([]*Booking) error) (Booking, error) {
	bs, err := s.store.ChangeBookings(ctx, id, series, action, note, apply)
	if err != nil {
		return notFoundAs(Booking{}, err, "bookingId")
	}
	return bs[0], nil
}

// changeAndTell is change that, in the same transaction, notifies the
// audience to(b) of the changed booking b with kind and the note, and
// keeps the daily loop of every occurrence it changed (with series, each
// one of the series): one that became approved gets its reminders and
// no-show check, one that stopped holding its window (cancelled or
// rejected) offers it to the first committee waiting for it and drops its
// timers (one that runs anyway finds it so and does nothing).
func (s *Service) changeAndTell(ctx context.Context, id string, series bool, action, note string, kind notify.Kind,
	to func(Booking) notify.Audience, apply func([]*Booking) error) (Booking, error) {
	var out Booking
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		was := map[string]Status{}
		all, err := s.store.ChangeBookings(ctx, id, series, action, note, func(bs []*Booking) error {
			for _, b := range bs {
				was[b.ID] = b.Status
			}
			return apply(bs)
		})
		if err != nil {
			_, err = notFoundAs(out, err, "bookingId")
			return err
		}
		out = all[0]
		if err := s.tell(ctx, out, kind, to(out), note); err != nil {
			return err
		}
		var v *Venue // read once for the series
		var freed []string
		for _, b := range all {
			if b.Status == was[b.ID] {
				continue
			}
			switch b.Status {
			case Approved: // reminders and the no-show check
				if v == nil {
					vv, err := s.store.Venue(ctx, b.VenueID)
					if err != nil {
						return err
					}
					v = &vv
				}
				if err := s.timers(ctx, b, v); err != nil {
					return err
				}
			case Cancelled, Rejected: // the window goes to the first waiting committee
				if was[b.ID].Holds() {
					freed = append(freed, b.ID)
					if err := s.offerNext(ctx, b); err != nil {
						return err
					}
				}
			}
		}
		return s.Notes.Forget(ctx, freed...)
	})
	return out, err
}

// decide approves or rejects a pending booking and the other pending
// bookings of its series: a series is one unit for its owner's decision.
func (s *Service) decide(ctx context.Context, id string, version *int, note string, to Status, action, what string) (Booking, error) {
	kind := notify.BookingApproved
	if to == Rejected {
		kind = notify.BookingRejected
	}
	return s.changeAndTell(ctx, id, true, action, note, kind, func(b Booking) notify.Audience {
		return notify.Audience{Committees: []string{b.CommitteeID}}
	}, func(bs []*Booking) error {
		b := bs[0]
		if !access.From(ctx).AdministersUnit(b.VenueUnitID, b.SubdistrictID) {
			return forbidden(what + " bookings of this venue")
		}
		if err := checkVersion(b, version); err != nil {
			return err
		}
		if b.Status != Pending {
			return invalidState(b, what+"d")
		}
		for _, o := range bs {
			if o.Status == Pending {
				o.Status, o.DecisionNote = to, note
			}
		}
		return nil
	})
}

// Approve accepts a pending booking (and its pending series).
func (s *Service) Approve(ctx context.Context, id string, version *int, note string) (Booking, error) {
	note = strings.TrimSpace(note)
	if len([]rune(note)) > maxReason {
		return Booking{}, problem.New(problem.InvalidInput, "note is too long", "note")
	}
	return s.decide(ctx, id, version, note, Approved, "booking.approve", "approve")
}

// Reject turns down a pending booking (and its pending series); a reason is required.
func (s *Service) Reject(ctx context.Context, id string, version *int, reason string) (Booking, error) {
	var l problem.List
	reason = l.RequireText(reason, maxReason, "reason")
	if err := l.Err(); err != nil {
		return Booking{}, err
	}
	return s.decide(ctx, id, version, reason, Rejected, "booking.reject", "reject")
}

// Cancel withdraws a pending or approved booking; with ScopeSeries also the
// occurrences of its series that have not started. The booking committee's
// and the venue unit's administrators may; a reason is required.
func (s *Service) Cancel(ctx context.Context, id string, version *int, reason string, scope CancelScope) (Booking, error) {
	var l problem.List
	reason = l.RequireText(reason, maxReason, "reason")
	if scope == "" {
		scope = ScopeOccurrence
	}
	if scope != ScopeOccurrence && scope != ScopeSeries {
		l.Add(problem.InvalidInput, "unknown scope", "scope")
	}
	if err := l.Err(); err != nil {
		return Booking{}, err
	}
	now := s.Now()
	return s.changeAndTell(ctx, id, scope == ScopeSeries, "booking.cancel", reason, notify.BookingCancelled, func(b Booking) notify.Audience {
		return notify.Audience{Committees: []string{b.CommitteeID}, Units: []string{b.VenueUnitID}}
	}, func(bs []*Booking) error {
		b := bs[0]
		v := access.From(ctx)
		if !v.AdministersCommittee(b.CommitteeID, b.SubdistrictID) && !v.AdministersUnit(b.VenueUnitID, b.SubdistrictID) {
			return forbidden("cancel this booking")
		}
		if err := checkVersion(b, version); err != nil {
			return err
		}
		if !b.Status.Holds() {
			return invalidState(b, "cancelled")
		}
		b.Status, b.DecisionNote = Cancelled, reason
		for _, o := range bs[1:] {
			if o.Status.Holds() && o.Start.After(now) {
				o.Status, o.DecisionNote = Cancelled, reason
			}
		}
		return nil
	})
}

// RecordAttendance records how many came to an approved booking that has
// ended, which completes it; a completed booking's figure may be corrected.
func (s *Service) RecordAttendance(ctx context.Context, id string, version *int, actual int) (Booking, error) {
	if actual < 0 || actual > maxAttendees {
		return Booking{}, problem.New(problem.InvalidInput, "actualAttendees must not be negative", "actualAttendees")
	}
	now := s.Now()
	return s.change(ctx, id, false, "booking.attendance", fmt.Sprintf("%d attended", actual), func(bs []*Booking) error {
		b := bs[0]
		if !access.From(ctx).AdministersCommittee(b.CommitteeID, b.SubdistrictID) {
			return forbidden("record attendance for this booking")
		}
		if err := checkVersion(b, version); err != nil {
			return err
		}
		if b.Status != Approved && b.Status != Completed {
			return invalidState(b, "completed")
		}
		if b.End.After(now) {
			return problem.New(problem.InvalidState, "attendance can be recorded once the booking has ended", "bookingId")
		}
		b.Status, b.ActualAttendees = Completed, &actual
		return nil
	})
}
