package booking_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"cogov/internal/booking"
	"cogov/internal/notify"
	"cogov/internal/problem"
	"cogov/internal/testworld"
)

// timers collects the timers a service sets and runs the due ones on an
// injected clock: the service's Now is moved by the test.
type timers struct {
	mu  sync.Mutex
	set []notify.Timer
	now time.Time
}

func (tm *timers) clock() time.Time {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.now
}

func (tm *timers) advance(to time.Time) {
	tm.mu.Lock()
	tm.now = to
	tm.mu.Unlock()
}

// due takes the timers due at the clock's time, earliest first.
func (tm *timers) due() []notify.Timer {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	var due, rest []notify.Timer
	for _, t := range tm.set {
		if !t.At.After(tm.now) {
			due = append(due, t)
		} else {
			rest = append(rest, t)
		}
	}
	tm.set = rest
	return due
}

// daily wires notifications and timers into a world's booking service.
func daily(t *testing.T) (*world, *timers, *notify.Service) {
	w := newWorld(t)
	tm := &timers{now: w.Now()}
	notes := notify.NewService(w.Store, w.Clock)
	notes.Schedule = func(_ context.Context, ts []notify.Timer) error {
		tm.mu.Lock()
		tm.set = append(tm.set, ts...)
		tm.mu.Unlock()
		return nil
	}
	w.Bookings.Notes, w.Bookings.Now = notes, tm.clock
	return w, tm, notes
}

// run runs the due timers as the platform and returns their kinds.
func (tm *timers) run(t *testing.T, s *booking.Service) []string {
	t.Helper()
	var kinds []string
	for _, x := range tm.due() {
		if err := s.RunTimer(testworld.System(), x); err != nil {
			t.Fatalf("timer %s: %v", x.Kind, err)
		}
		kinds = append(kinds, x.Kind)
	}
	return kinds
}

// TestRemindersAndNoShow: approval sets reminders 24 h and 1 h before and a
// no-show check after the grace period; on the test clock the reminders
// notify the committee, a booking moved away (cancelled) ignores its
// timers, and a booking not checked in becomes NO_SHOW and frees the venue,
// while one checked in stays.
func TestRemindersAndNoShow(t *testing.T) {
	t.Parallel()
	w, tm, _ := daily(t)
	start := w.nextWeekday(3, time.Tuesday, 14, 0)
	book := func(k int, s time.Time) booking.Booking {
		res, err := w.Bookings.RequestBooking(w.committeeAdmin(k), w.req(k, s, 60))
		w.Must(err)
		b, err := w.Bookings.Approve(w.unitAdmin(), res.Bookings[0].ID, nil, "")
		w.Must(err)
		return b
	}
	noShow, kept, gone := book(0, start), book(1, start.Add(90*time.Minute)), book(0, start.Add(3*time.Hour))
	if _, err := w.Bookings.Cancel(w.committeeAdmin(0), gone.ID, nil, "改期", booking.ScopeOccurrence); err != nil {
		t.Fatal(err)
	}
	reminders := func() int {
		return w.Count(`SELECT count(*) FROM notification WHERE kind = 'BOOKING_REMINDER'`)
	}
	// Reminders go to accounts; the test's administrators are viewers
	// without accounts, so count the timers that ran instead, and the
	// notifications of an account that administers committee 0.
	acct := w.Unique("c0-")
	w.SysRow(`WITH a AS (INSERT INTO account (username, password_hash, subdistrict_id) VALUES ($1, 'x', $2) RETURNING id)
		INSERT INTO account_role (account_id, kind, scope_id, subdistrict_id) SELECT id, 'COMMITTEE_ADMIN', $3, $2 FROM a RETURNING account_id`,
		acct, w.sd.ID, w.committees[0].ID).Scan(&acct)

	tm.advance(start.Add(-24*time.Hour - time.Minute))
	if got := tm.run(t, w.Bookings); len(got) != 0 {
		t.Errorf("timers before their time: %v", got)
	}
	tm.advance(start.Add(-24 * time.Hour))
	if got := tm.run(t, w.Bookings); len(got) != 1 || got[0] != booking.TimerReminder || reminders() != 1 {
		t.Errorf("24 h before: ran %v, %d reminders", got, reminders())
	}
	tm.advance(start.Add(-time.Hour))
	tm.run(t, w.Bookings)
	if reminders() != 2 {
		t.Errorf("1 h before: %d reminders", reminders())
	}

	// Check-in: not too early, then the committee of the second booking checks in.
	tm.advance(kept.Start.Add(-time.Hour))
	if _, err := w.Bookings.CheckIn(w.committeeAdmin(1), kept.ID); !problem.Has(err, problem.InvalidState) {
		t.Errorf("check-in an hour early: %v", err)
	}
	if _, err := w.Bookings.CheckIn(w.committeeAdmin(0), kept.ID); !problem.Has(err, problem.Forbidden) {
		t.Errorf("another committee checks in: %v", err)
	}
	tm.advance(kept.Start.Add(-10 * time.Minute))
	if b, err := w.Bookings.CheckIn(w.committeeAdmin(1), kept.ID); err != nil || b.CheckedInAt == nil {
		t.Fatalf("check-in: %v %+v", err, b)
	}

	// After the grace period of both.
	tm.advance(kept.Start.Add(20 * time.Minute))
	tm.run(t, w.Bookings)
	status := func(id string) booking.Status {
		var s booking.Status
		w.SysRow(`SELECT status FROM booking WHERE id = $1`, id).Scan(&s)
		return s
	}
	if status(noShow.ID) != booking.NoShow || status(kept.ID) != booking.Approved || status(gone.ID) != booking.Cancelled {
		t.Errorf("after the grace periods: %s %s %s", status(noShow.ID), status(kept.ID), status(gone.ID))
	}
	if n := w.Count(`SELECT count(*) FROM notification WHERE kind = 'BOOKING_NO_SHOW' AND object_id = $1`, noShow.ID); n != 1 {
		t.Errorf("%d no-show notifications", n)
	}
	// The no-show's time is free again: another committee books the rest of it.
	tm.advance(noShow.Start.Add(-3 * time.Hour))
	rest := w.req(1, noShow.Start, 60)
	w.Bookings.Now = func() time.Time { return noShow.Start.Add(-3 * time.Hour) }
	if _, err := w.Bookings.RequestBooking(w.committeeAdmin(1), rest); err != nil {
		t.Errorf("booking the no-show's time: %v", err)
	}
}
