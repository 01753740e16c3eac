package booking_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"cogov/internal/booking"
	"cogov/internal/notify"
	"cogov/internal/page"
	"cogov/internal/problem"
)

// account gives an account the role kind over scope, so that notifications
// to that audience are written (the test's viewers have no accounts).
func (w *world) account(kind, scope string) string {
	w.T.Helper()
	id := w.Unique("acct-")
	w.SysRow(`WITH a AS (INSERT INTO account (username, password_hash, subdistrict_id) VALUES ($1, 'x', $2) RETURNING id)
		INSERT INTO account_role (account_id, kind, scope_id, subdistrict_id) SELECT id, $3, $4, $2 FROM a RETURNING account_id`,
		id, w.sd.ID, kind, scope).Scan(&id)
	return id
}

// noted counts the notifications of kind about object to account.
func (w *world) noted(account string, kind notify.Kind, object string) int {
	w.T.Helper()
	return w.Count(`SELECT count(*) FROM notification WHERE account_id = $1 AND kind = $2 AND object_id = $3`, account, kind, object)
}

func (w *world) booking(id string) booking.Booking {
	w.T.Helper()
	m, err := w.Store.BookingsByID(w.Sys, []string{id})
	w.Must(err)
	return m[id]
}

// inboxHas reports whether the inbox of ctx lists object as kind.
func inboxHas(t *testing.T, notes *notify.Service, ctx context.Context, kind notify.ItemKind, object string) bool {
	t.Helper()
	c, err := notes.Inbox(ctx, page.Page{First: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range c.Items {
		if it.Kind == kind && it.ObjectID == object {
			return true
		}
	}
	return false
}

// TestClosureHitsSeriesAndMove: a closure hits one occurrence of a weekly
// series, which alone is marked affected (with the closure), its committee
// is notified and finds it in the inbox; refused moves (a taken window,
// another committee, a stale version) change and tell nothing; the move
// keeps the booking's id and series, clears the mark, asks for approval
// again, tells the venue's unit, leaves the old timers idle and sets new
// ones once approved.
func TestClosureHitsSeriesAndMove(t *testing.T) {
	t.Parallel()
	w, tm, notes := daily(t)
	booker, owner := w.account("COMMITTEE_ADMIN", w.committees[0].ID), w.account("UNIT_ADMIN", w.unit.ID)
	start := w.nextWeekday(3, time.Tuesday, 14, 0)
	three := 3
	in := w.req(0, start, 60)
	in.Recurrence = &booking.Recurrence{Interval: 1, Count: &three}
	res, err := w.Bookings.RequestBooking(w.committeeAdmin(0), in)
	w.Must(err)
	if _, err := w.Bookings.Approve(w.unitAdmin(), res.Bookings[0].ID, nil, ""); err != nil {
		t.Fatal(err)
	}
	occ := res.Bookings[1]
	other, err := w.Bookings.RequestBooking(w.committeeAdmin(1), w.req(1, occ.Start.Add(24*time.Hour), 60))
	w.Must(err)
	timersBefore := len(tm.set)

	hit := occ.Start.Add(-time.Hour)
	up, err := w.Bookings.AddClosure(w.unitAdmin(), w.venue.ID, hit, hit.Add(4*time.Hour), "空调检修")
	w.Must(err)
	if len(up.Affected) != 1 || up.Affected[0].ID != occ.ID {
		t.Fatalf("affected: %+v", up.Affected)
	}
	b := w.booking(occ.ID)
	if b.AffectedBy == nil || *b.AffectedBy != up.Closure.ID || b.AffectedAt == nil || b.Version != occ.Version+2 {
		t.Errorf("the hit occurrence: affected by %v at %v, version %d", b.AffectedBy, b.AffectedAt, b.Version)
	}
	for _, o := range []string{res.Bookings[0].ID, res.Bookings[2].ID, other.Bookings[0].ID} {
		if w.booking(o).AffectedBy != nil {
			t.Errorf("booking %s, which the closure misses, is marked", o)
		}
	}
	if n := w.noted(booker, notify.BookingAffected, occ.ID); n != 1 {
		t.Errorf("%d BOOKING_AFFECTED notifications to the booker", n)
	}
	if !inboxHas(t, notes, w.committeeAdmin(0), notify.BookingToSettle, occ.ID) || inboxHas(t, notes, w.committeeAdmin(1), notify.BookingToSettle, occ.ID) {
		t.Error("the affected booking is not (only) in its committee's inbox")
	}

	to := occ.Start.Add(24 * time.Hour) // Wednesday, where committee 1 is
	moves := []struct {
		name string
		as   context.Context
		mv   booking.Move
		code problem.Code
	}{
		{"into a taken window", w.committeeAdmin(0), booking.Move{BookingID: occ.ID, Start: to, End: to.Add(time.Hour)}, problem.BookingConflict},
		{"into the closure", w.committeeAdmin(0), booking.Move{BookingID: occ.ID, Start: occ.Start.Add(time.Hour), End: occ.Start.Add(2 * time.Hour)}, problem.VenueClosed},
		{"by another committee", w.committeeAdmin(1), booking.Move{BookingID: occ.ID, Start: to.Add(3 * time.Hour), End: to.Add(4 * time.Hour)}, problem.Forbidden},
		{"by the venue's owner", w.unitAdmin(), booking.Move{BookingID: occ.ID, Start: to.Add(3 * time.Hour), End: to.Add(4 * time.Hour)}, problem.Forbidden},
		{"from a stale version", w.committeeAdmin(0), booking.Move{BookingID: occ.ID, Version: &occ.Version, Start: to.Add(3 * time.Hour), End: to.Add(4 * time.Hour)}, problem.StaleVersion},
		{"outside the hours", w.committeeAdmin(0), booking.Move{BookingID: occ.ID, Start: to.Add(-2 * time.Hour), End: to.Add(-time.Hour)}, problem.OutsideOpeningHours},
	}
	for _, c := range moves {
		if _, err := w.Bookings.MoveBooking(c.as, c.mv); !problem.Has(err, c.code) {
			t.Errorf("move %s: %v, want %s", c.name, err, c.code)
		}
	}
	if n := w.Count(`SELECT count(*) FROM notification WHERE kind = 'BOOKING_MOVED'`); n != 0 || w.booking(occ.ID).Version != b.Version {
		t.Errorf("refused moves: %d BOOKING_MOVED notifications, version %d (was %d)", n, w.booking(occ.ID).Version, b.Version)
	}

	moved, err := w.Bookings.MoveBooking(w.committeeAdmin(0), booking.Move{BookingID: occ.ID, Version: &b.Version, Start: to.Add(3 * time.Hour), End: to.Add(4 * time.Hour)})
	w.Must(err)
	if moved.ID != occ.ID || moved.SeriesID == nil || *moved.SeriesID != *occ.SeriesID || moved.Status != booking.Pending ||
		moved.AffectedBy != nil || !moved.Start.Equal(to.Add(3*time.Hour)) || moved.HeldEnd != to.Add(4*time.Hour+30*time.Minute) {
		t.Errorf("moved: %+v", moved)
	}
	if w.noted(owner, notify.BookingMoved, occ.ID) != 1 || w.noted(booker, notify.BookingMoved, occ.ID) != 1 {
		t.Error("the unit and the committee are not told of the move")
	}
	if inboxHas(t, notes, w.committeeAdmin(0), notify.BookingToSettle, occ.ID) {
		t.Error("the moved booking is still in the inbox as affected")
	}
	if len(tm.set) != timersBefore {
		t.Errorf("a pending booking got timers: %d, was %d", len(tm.set), timersBefore)
	}
	if _, err := w.Bookings.Approve(w.unitAdmin(), occ.ID, nil, ""); err != nil {
		t.Fatal(err)
	}
	// The old window's timers find the booking moved and do nothing; the
	// new ones remind.
	tm.advance(occ.Start.Add(time.Minute))
	tm.run(t, w.Bookings)
	if n := w.noted(booker, notify.BookingReminder, occ.ID); n != 0 {
		t.Errorf("%d reminders of the old window", n)
	}
	if s := w.booking(occ.ID).Status; s != booking.Approved {
		t.Errorf("the old window's no-show check changed the booking: %s", s)
	}
	tm.advance(moved.Start.Add(-time.Hour))
	tm.run(t, w.Bookings)
	if n := w.noted(booker, notify.BookingReminder, occ.ID); n != 2 {
		t.Errorf("%d reminders of the new window, want 2", n)
	}
}

// TestClosureLifted: a booking two closures hit stays affected by the
// second when the first is lifted and is cleared (with CLOSURE_LIFTED) when
// the second is; cancelling an affected booking clears its mark.
func TestClosureLifted(t *testing.T) {
	t.Parallel()
	w, _, _ := daily(t)
	booker := w.account("COMMITTEE_ADMIN", w.committees[0].ID)
	start := w.nextWeekday(2, time.Thursday, 15, 0)
	res, err := w.Bookings.RequestBooking(w.committeeAdmin(0), w.req(0, start, 120))
	w.Must(err)
	b := res.Bookings[0]
	first, err := w.Bookings.AddClosure(w.unitAdmin(), w.venue.ID, start.Add(-time.Hour), start.Add(30*time.Minute), "")
	w.Must(err)
	second, err := w.Bookings.AddClosure(w.unitAdmin(), w.venue.ID, start.Add(time.Hour), start.Add(3*time.Hour), "消防检查")
	w.Must(err)
	if a := w.booking(b.ID).AffectedBy; a == nil || *a != first.Closure.ID || len(second.Affected) != 1 {
		t.Fatalf("after two closures: affected by %v, second hits %d", a, len(second.Affected))
	}
	if _, err := w.Bookings.RemoveClosure(w.unitAdmin(), first.Closure.ID); err != nil {
		t.Fatal(err)
	}
	if a := w.booking(b.ID).AffectedBy; a == nil || *a != second.Closure.ID || w.noted(booker, notify.ClosureLifted, b.ID) != 0 {
		t.Errorf("first lifted: affected by %v (want the second), %d CLOSURE_LIFTED", a, w.noted(booker, notify.ClosureLifted, b.ID))
	}
	if _, err := w.Bookings.RemoveClosure(w.unitAdmin(), second.Closure.ID); err != nil {
		t.Fatal(err)
	}
	if got := w.booking(b.ID); got.AffectedBy != nil || got.AffectedAt != nil || w.noted(booker, notify.ClosureLifted, b.ID) != 1 {
		t.Errorf("both lifted: affected by %v, %d CLOSURE_LIFTED", got.AffectedBy, w.noted(booker, notify.ClosureLifted, b.ID))
	}

	// Hit again, then cancelled: no longer affected.
	if _, err := w.Bookings.AddClosure(w.unitAdmin(), w.venue.ID, start, start.Add(time.Hour), "停电"); err != nil {
		t.Fatal(err)
	}
	c, err := w.Bookings.Cancel(w.committeeAdmin(0), b.ID, nil, "场地维修", booking.ScopeOccurrence)
	w.Must(err)
	if c.Status != booking.Cancelled || c.AffectedBy != nil || w.booking(b.ID).AffectedBy != nil {
		t.Errorf("cancelled: %s, affected by %v", c.Status, c.AffectedBy)
	}
}

// TestMoveRace: a committee moves its affected booking into a window while
// another committee asks for the same window, many times at once: exactly
// one of the two wins each time, the loser gets BOOKING_CONFLICT, and a
// lost move leaves its booking where it was, still affected, unchanged.
func TestMoveRace(t *testing.T) {
	t.Parallel()
	w, _, _ := daily(t)
	start := w.nextWeekday(2, time.Monday, 8, 0)
	const rounds = 6
	for i := range rounds {
		day := start.AddDate(0, 0, 7*(i/3)+i%3) // Monday to Wednesday of two weeks
		res, err := w.Bookings.RequestBooking(w.committeeAdmin(0), w.req(0, day, 60))
		w.Must(err)
		b := res.Bookings[0]
		_, err = w.Bookings.AddClosure(w.unitAdmin(), w.venue.ID, day, day.Add(time.Hour), "检修")
		w.Must(err)
		b = w.booking(b.ID)
		target := day.Add(7 * time.Hour) // 15:00
		var wg sync.WaitGroup
		var moveErr, reqErr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, moveErr = w.Bookings.MoveBooking(w.committeeAdmin(0), booking.Move{BookingID: b.ID, Start: target, End: target.Add(time.Hour)})
		}()
		go func() {
			defer wg.Done()
			_, reqErr = w.Bookings.RequestBooking(w.committeeAdmin(1), w.req(1, target, 60))
		}()
		wg.Wait()
		if (moveErr == nil) == (reqErr == nil) {
			t.Fatalf("round %d: move %v, request %v: want exactly one to win", i, moveErr, reqErr)
		}
		for _, err := range []error{moveErr, reqErr} {
			if err != nil && !problem.Has(err, problem.BookingConflict) {
				t.Errorf("round %d: the loser's error %v, want BOOKING_CONFLICT", i, err)
			}
		}
		if n := w.Count(`SELECT count(*) FROM booking WHERE venue_id = $1 AND status IN ('PENDING', 'APPROVED')
			AND during && tstzrange($2, $3)`, w.venue.ID, target, target.Add(time.Hour)); n != 1 {
			t.Errorf("round %d: %d bookings hold the window", i, n)
		}
		if moveErr != nil {
			if got := w.booking(b.ID); !got.Start.Equal(b.Start) || got.AffectedBy == nil || got.Version != b.Version {
				t.Errorf("round %d: the lost move changed the booking: %+v", i, got)
			}
			if n := w.Count(`SELECT count(*) FROM notification WHERE kind = 'BOOKING_MOVED' AND object_id = $1`, b.ID); n != 0 {
				t.Errorf("round %d: a lost move notified", i)
			}
		}
	}
}
