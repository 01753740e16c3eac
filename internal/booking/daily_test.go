package booking_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"cogov/internal/booking"
	"cogov/internal/notify"
	"cogov/internal/problem"
	"cogov/internal/structure"
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
	notes.Unschedule = func(_ context.Context, ids []string) error {
		tm.mu.Lock()
		defer tm.mu.Unlock()
		keep := tm.set[:0]
		for _, x := range tm.set {
			if !slices.Contains(ids, x.ObjectID) {
				keep = append(keep, x)
			}
		}
		tm.set = keep
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

// TestWaitlistConcurrency: committees join the waitlist of a taken window
// at once (one committee twice: one entry); when the holding booking is
// cancelled, exactly the first to join is offered it, held against others;
// the offer expires on the test clock and goes to the second, who leaves,
// and the third is offered it and books it.
func TestWaitlistConcurrency(t *testing.T) {
	t.Parallel()
	w, tm, _ := daily(t)
	ctx := w.Sys
	var waiting []string
	for i := 0; i < 4; i++ {
		c, err := w.Structure.CreateCommittee(ctx, structure.NewCommittee{SubdistrictID: w.sd.ID, Name: w.Unique("候补支部"),
			Kind: structure.CompoundPartyBranch, CommunityID: w.committees[0].CommunityID})
		w.Must(err)
		waiting = append(waiting, c.ID)
	}
	start := w.nextWeekday(7, time.Wednesday, 15, 0)
	res, err := w.Bookings.RequestBooking(w.committeeAdmin(0), w.req(0, start, 60))
	w.Must(err)
	holder := res.Bookings[0]
	join := func(committee string) (booking.WaitEntry, error) {
		return w.Bookings.JoinWaitlist(w.CommitteeAdmin(committee, w.sd.ID), booking.WaitRequest{VenueID: w.venue.ID, CommitteeID: committee,
			Start: start, End: start.Add(time.Hour), Purpose: "候补", ExpectedAttendees: 5})
	}
	if _, err := w.Bookings.JoinWaitlist(w.committeeAdmin(1), booking.WaitRequest{VenueID: w.venue.ID, CommitteeID: w.committees[1].ID,
		Start: start.Add(3 * time.Hour), End: start.Add(4 * time.Hour), Purpose: "空闲", ExpectedAttendees: 5}); !problem.Has(err, problem.InvalidState) {
		t.Errorf("waiting for a free window: %v", err)
	}
	// The first joins alone, the others (and the first again) at once.
	_, err = join(waiting[0])
	w.Must(err)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i, c := range []string{waiting[1], waiting[2], waiting[3], waiting[0]} {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = join(c) }()
	}
	wg.Wait()
	for i, err := range errs[:3] {
		if err != nil {
			t.Errorf("join %d: %v", i+1, err)
		}
	}
	if !problem.Has(errs[3], problem.AlreadyExists) {
		t.Errorf("the first committee joining again: %v", errs[3])
	}
	order := func() string {
		var s string
		w.SysRow(`SELECT string_agg(committee_id::text || ':' || status, ',' ORDER BY created_at, seq) FROM waitlist_entry`).Scan(&s)
		return s
	}
	status := func(committee string) booking.WaitStatus {
		var s booking.WaitStatus
		w.SysRow(`SELECT status FROM waitlist_entry WHERE committee_id = $1 AND status <> 'LEFT' ORDER BY created_at DESC, seq DESC LIMIT 1`, committee).Scan(&s)
		return s
	}
	var joined []string
	w.SysRow(`SELECT array_agg(committee_id::text ORDER BY created_at, seq) FROM waitlist_entry`).Scan(&joined)
	if len(joined) != 4 || joined[0] != waiting[0] {
		t.Fatalf("join order: %v", order())
	}

	// Cancelled: exactly the first is offered the window.
	if _, err := w.Bookings.Cancel(w.committeeAdmin(0), holder.ID, nil, "取消", booking.ScopeOccurrence); err != nil {
		t.Fatal(err)
	}
	if status(joined[0]) != booking.Offered || status(joined[1]) != booking.Waiting || w.Count(`SELECT count(*) FROM waitlist_entry WHERE status = 'OFFERED'`) != 1 {
		t.Fatalf("after the cancellation: %v", order())
	}
	// Held against the others, at once.
	var refused sync.WaitGroup
	for _, c := range joined[1:3] {
		refused.Add(1)
		go func() {
			defer refused.Done()
			_, err := w.Bookings.RequestBooking(w.CommitteeAdmin(c, w.sd.ID), booking.Request{VenueID: w.venue.ID, CommitteeID: c,
				Start: start, End: start.Add(time.Hour), Purpose: "抢", ExpectedAttendees: 5})
			if !problem.Has(err, problem.BookingConflict) {
				t.Errorf("another committee takes the offered window: %v", err)
			}
		}()
	}
	refused.Wait()

	// The offer expires: the second is offered; it leaves: the third.
	tm.advance(tm.clock().Add(booking.DefaultOfferHold + time.Minute))
	tm.run(t, w.Bookings)
	if status(joined[0]) != booking.Expired || status(joined[1]) != booking.Offered {
		t.Fatalf("after the expiry: %v", order())
	}
	var second string
	w.SysRow(`SELECT id FROM waitlist_entry WHERE committee_id = $1`, joined[1]).Scan(&second)
	if _, err := w.Bookings.LeaveWaitlist(w.committeeAdmin(0), second); !problem.Has(err, problem.Forbidden) {
		t.Errorf("another committee takes it off the list: %v", err)
	}
	if _, err := w.Bookings.LeaveWaitlist(w.CommitteeAdmin(joined[1], w.sd.ID), second); err != nil {
		t.Fatal(err)
	}
	if status(joined[2]) != booking.Offered {
		t.Fatalf("after the second left: %v", order())
	}
	if _, err := w.Bookings.RequestBooking(w.CommitteeAdmin(joined[2], w.sd.ID), booking.Request{VenueID: w.venue.ID, CommitteeID: joined[2],
		Start: start, End: start.Add(time.Hour), Purpose: "候补成功", ExpectedAttendees: 5}); err != nil {
		t.Fatalf("the third books its offer: %v", err)
	}
	if status(joined[2]) != booking.Taken || status(joined[3]) != booking.Waiting {
		t.Errorf("after booking: %v", order())
	}
}

// TestSeriesDailyLoop: deciding or cancelling a weekly series keeps the
// daily loop of every occurrence, not only the one named. Approving the
// series sets reminders and a no-show check for each occurrence;
// cancelling it drops them and offers each freed occurrence to the
// committee waiting for it, and a timer of a cancelled occurrence that
// runs anyway (it had started) does nothing; rejecting a pending series offers each of
// its windows too.
func TestSeriesDailyLoop(t *testing.T) {
	t.Parallel()
	w, tm, _ := daily(t)
	three := 3
	series := func(start time.Time) []booking.Booking {
		in := w.req(0, start, 60)
		in.Recurrence = &booking.Recurrence{Interval: 1, Count: &three}
		res, err := w.Bookings.RequestBooking(w.committeeAdmin(0), in)
		w.Must(err)
		if len(res.Bookings) != 3 {
			t.Fatalf("series of %d occurrences, skipped %v", len(res.Bookings), res.Skipped)
		}
		return res.Bookings
	}
	wait := func(b booking.Booking) booking.WaitEntry {
		e, err := w.Bookings.JoinWaitlist(w.committeeAdmin(1), booking.WaitRequest{VenueID: w.venue.ID, CommitteeID: w.committees[1].ID,
			Start: b.Start, End: b.End, Purpose: "候补", ExpectedAttendees: 5})
		w.Must(err)
		return e
	}
	entryStatus := func(id string) booking.WaitStatus {
		var s booking.WaitStatus
		w.SysRow(`SELECT status FROM waitlist_entry WHERE id = $1`, id).Scan(&s)
		return s
	}
	timersOf := func(id string) (reminders, noShows int) {
		tm.mu.Lock()
		defer tm.mu.Unlock()
		for _, x := range tm.set {
			if x.ObjectID != id {
				continue
			}
			switch x.Kind {
			case booking.TimerReminder:
				reminders++
			case booking.TimerNoShow:
				noShows++
			}
		}
		return reminders, noShows
	}

	// Approving the series, by its second occurrence.
	thursdays := series(w.nextWeekday(2, time.Thursday, 15, 0))
	if _, err := w.Bookings.Approve(w.unitAdmin(), thursdays[1].ID, nil, ""); err != nil {
		t.Fatal(err)
	}
	for i, b := range thursdays {
		if r, n := timersOf(b.ID); r != 2 || n != 1 {
			t.Errorf("occurrence %d after approving the series: %d reminders, %d no-show checks", i+1, r, n)
		}
	}

	// Cancelling the series: its timers are dropped and each waiting entry
	// is offered its window.
	tm.mu.Lock()
	stale := slices.Clone(tm.set)
	tm.mu.Unlock()
	var entries []booking.WaitEntry
	for _, b := range thursdays[1:] {
		entries = append(entries, wait(b))
	}
	if _, err := w.Bookings.Cancel(w.committeeAdmin(0), thursdays[0].ID, nil, "停办", booking.ScopeSeries); err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		if got := entryStatus(e.ID); got != booking.Offered {
			t.Errorf("waiting for occurrence %d after cancelling the series: %s", i+2, got)
		}
	}
	for i, b := range thursdays {
		if r, n := timersOf(b.ID); r != 0 || n != 0 {
			t.Errorf("occurrence %d after cancelling the series: %d reminders, %d no-show checks left", i+1, r, n)
		}
	}

	// Rejecting a pending series: each of its windows is offered.
	fridays := series(w.nextWeekday(2, time.Friday, 9, 0))
	entries = entries[:0]
	for _, b := range fridays {
		entries = append(entries, wait(b))
	}
	if _, err := w.Bookings.Reject(w.unitAdmin(), fridays[0].ID, nil, "场地检修"); err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		if got := entryStatus(e.ID); got != booking.Offered {
			t.Errorf("waiting for Friday %d after rejecting the series: %s", i+1, got)
		}
	}
	if n := w.Count(`SELECT count(*) FROM booking WHERE id = ANY($1::uuid[]) AND status = 'REJECTED'`,
		[]string{fridays[0].ID, fridays[1].ID, fridays[2].ID}); n != 3 {
		t.Errorf("%d of the Friday series rejected", n)
	}

	// Past every occurrence: the cancelled series' timers, run anyway, find it cancelled.
	tm.advance(thursdays[2].End.Add(time.Hour))
	tm.run(t, w.Bookings)
	for _, x := range stale {
		if err := w.Bookings.RunTimer(testworld.System(), x); err != nil {
			t.Fatalf("timer %s: %v", x.Kind, err)
		}
	}
	if n := w.Count(`SELECT count(*) FROM notification WHERE kind IN ('BOOKING_REMINDER', 'BOOKING_NO_SHOW')`); n != 0 {
		t.Errorf("%d reminders or no-shows of cancelled occurrences", n)
	}
	if n := w.Count(`SELECT count(*) FROM booking WHERE status = 'NO_SHOW'`); n != 0 {
		t.Errorf("%d cancelled occurrences became no-shows", n)
	}
}

// TestJoinWaitlistTakesTheRequestLock: joining a waitlist takes the lock of
// the committee's requests for the venue, so that a booking the committee
// requests at the same moment and its entry come one after the other (the
// booking then takes the entry, or the entry sees the booking) instead of
// missing each other.
func TestJoinWaitlistTakesTheRequestLock(t *testing.T) {
	t.Parallel()
	w, _, _ := daily(t)
	start := w.nextWeekday(7, time.Thursday, 15, 0)
	_, err := w.Bookings.RequestBooking(w.committeeAdmin(0), w.req(0, start, 60))
	w.Must(err)
	// A connection of its own, outside the store's pool.
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, w.DB.OwnerURL)
	w.Must(err)
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	w.Must(err)
	defer tx.Rollback(ctx) //nolint:errcheck
	_, err = tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 7))`, w.venue.ID, w.committees[1].ID)
	w.Must(err)
	done := make(chan error, 1)
	go func() {
		_, err := w.Bookings.JoinWaitlist(w.committeeAdmin(1), booking.WaitRequest{VenueID: w.venue.ID, CommitteeID: w.committees[1].ID,
			Start: start, End: start.Add(time.Hour), Purpose: "候补", ExpectedAttendees: 5})
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("JoinWaitlist finished (%v) while another request of the committee for the venue held the lock", err)
	case <-time.After(300 * time.Millisecond):
	}
	w.Must(tx.Rollback(ctx))
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("JoinWaitlist after the lock was released: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("JoinWaitlist still waits after the lock was released")
	}
}
