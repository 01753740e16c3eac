package booking_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"cogov/internal/booking"
	"cogov/internal/problem"
	"cogov/internal/store"
	"cogov/internal/testworld"
)

// TestBookingRules breaks every rule once and checks its code, and that a
// refused request writes nothing.
func TestBookingRules(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := w.committeeAdmin(0)
	mon := w.nextWeekday(7, time.Monday, 9, 0)
	if v := w.venue; len(v.Facilities) != 2 || !v.Rules.RequiresApproval {
		t.Fatalf("venue = %+v", v)
	}

	// Closed on the Wednesday after by a dated exception; a closure on Tuesday afternoon.
	wed := mon.AddDate(0, 0, 2)
	hours := []booking.Hours{{Weekday: 6, Opens: 0, Closes: 120}, {Weekday: 5, Opens: 22 * 60, Closes: 1440}}
	for d := 1; d <= 5; d++ {
		hours = append(hours, booking.Hours{Weekday: d, Opens: 8 * 60, Closes: 12 * 60}, booking.Hours{Weekday: d, Opens: 14 * 60, Closes: 22 * 60})
	}
	wedDay := time.Date(wed.Year(), wed.Month(), wed.Day(), 0, 0, 0, 0, time.UTC)
	if _, err := w.Bookings.SetOpeningHours(w.Sys, w.venue.ID, hours, &[]booking.Exception{{Day: wedDay, Closed: true, Note: "节日"}}); err != nil {
		t.Fatal(err)
	}
	tue := mon.AddDate(0, 0, 1)
	if _, err := w.Bookings.AddClosure(w.Sys, w.venue.ID, tue.Add(5*time.Hour), tue.Add(8*time.Hour), "维修"); err != nil {
		t.Fatal(err)
	}

	mk := func(f func(*booking.Request)) booking.Request {
		r := w.req(0, mon, 60)
		f(&r)
		return r
	}
	cases := []struct {
		name string
		ctx  context.Context
		in   booking.Request
		code problem.Code
	}{
		{"outside hours (lunch)", ctx, mk(func(r *booking.Request) { r.Start, r.End = mon.Add(3*time.Hour), mon.Add(5*time.Hour+30*time.Minute) }), problem.OutsideOpeningHours},
		{"closed day", ctx, mk(func(r *booking.Request) { r.Start, r.End = wed, wed.Add(time.Hour) }), problem.VenueClosed},
		{"maintenance closure", ctx, mk(func(r *booking.Request) { r.Start, r.End = tue.Add(6*time.Hour), tue.Add(7*time.Hour) }), problem.VenueClosed},
		{"capacity", ctx, mk(func(r *booking.Request) { r.ExpectedAttendees = 51 }), problem.CapacityExceeded},
		{"short notice", ctx, mk(func(r *booking.Request) { r.Start = w.Now().Add(time.Hour); r.End = r.Start.Add(time.Hour) }), problem.TooShortNotice},
		{"too far ahead", ctx, mk(func(r *booking.Request) {
			r.Start = w.nextWeekday(70, time.Monday, 9, 0)
			r.End = r.Start.Add(time.Hour)
		}), problem.TooFarAhead},
		{"too short", ctx, mk(func(r *booking.Request) { r.End = r.Start.Add(10 * time.Minute) }), problem.DurationOutOfRange},
		{"too long", ctx, mk(func(r *booking.Request) { r.End = r.Start.Add(9 * time.Hour) }), problem.DurationOutOfRange},
		{"blank purpose", ctx, mk(func(r *booking.Request) { r.Purpose = "  " }), problem.Blank},
		{"reversed", ctx, mk(func(r *booking.Request) { r.End = r.Start.Add(-time.Hour) }), problem.InvalidInput},
		{"unknown venue", ctx, mk(func(r *booking.Request) { r.VenueID = "00000000-0000-0000-0000-000000000000" }), problem.NotFound},
		{"other committee", ctx, mk(func(r *booking.Request) { r.CommitteeID = w.committees[1].ID }), problem.Forbidden},
		{"anonymous", context.Background(), mk(func(r *booking.Request) {}), problem.Forbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := w.Bookings.RequestBooking(c.ctx, c.in)
			testworld.WantCode(t, c.name, err, c.code)
		})
	}
	if n := w.countBookings(); n != 0 {
		t.Fatalf("refused requests wrote %d bookings", n)
	}

	// Buffer: 10:00–11:00 holds until 11:30.
	first, err := w.Bookings.RequestBooking(ctx, w.req(0, mon.Add(time.Hour), 60))
	if err != nil || first.Bookings[0].Status != booking.Pending {
		t.Fatalf("first booking: %+v %v", first, err)
	}
	_, err = w.Bookings.RequestBooking(w.committeeAdmin(1), w.req(1, mon.Add(2*time.Hour+15*time.Minute), 30))
	testworld.WantCode(t, "inside the buffer", err, problem.BookingConflict)
	_, err = w.Bookings.RequestBooking(w.committeeAdmin(1), w.req(1, mon.Add(-time.Hour), 100))
	testworld.WantCode(t, "its own buffer runs into the next booking", err, problem.BookingConflict)
	if _, err := w.Bookings.RequestBooking(w.committeeAdmin(1), w.req(1, mon.Add(2*time.Hour+30*time.Minute), 30)); err != nil {
		t.Errorf("right after the buffer: %v", err)
	}
	// A night booking across midnight: Friday 23:00 to Saturday 01:30.
	fri := mon.AddDate(0, 0, 4)
	if _, err := w.Bookings.RequestBooking(ctx, w.req(0, fri.Add(14*time.Hour), 150)); err != nil {
		t.Errorf("across midnight: %v", err)
	}
	_, err = w.Bookings.RequestBooking(ctx, w.req(0, fri.Add(17*time.Hour), 60))
	testworld.WantCode(t, "past the night's end", err, problem.OutsideOpeningHours)

	// Eligibility and quota.
	r := w.venue.Rules
	r.Eligibility, r.EligibleCommitteeIDs = booking.ListedCommittees, []string{w.committees[0].ID}
	quota := 150
	r.WeeklyQuotaMinutes = &quota
	if _, err := w.Bookings.SetBookingRules(w.unitAdmin(), w.venue.ID, r); err != nil {
		t.Fatal(err)
	}
	_, err = w.Bookings.RequestBooking(w.committeeAdmin(1), w.req(1, mon.Add(6*time.Hour), 60))
	testworld.WantCode(t, "not listed", err, problem.NotEligible)
	// Committee 0 holds 60 + 150 minutes that week already.
	_, err = w.Bookings.RequestBooking(ctx, w.req(0, mon.Add(6*time.Hour), 60))
	testworld.WantCode(t, "weekly quota", err, problem.QuotaExceeded)

	// Deactivated venue.
	if _, err := w.Bookings.DeactivateVenue(w.committeeAdmin(0), w.venue.ID); !problem.Has(err, problem.Forbidden) {
		t.Errorf("deactivate as a committee admin: %v", err)
	}
	if _, err := w.Bookings.DeactivateVenue(w.unitAdmin(), w.venue.ID); err != nil {
		t.Fatal(err)
	}
	_, err = w.Bookings.RequestBooking(ctx, w.req(0, mon.AddDate(0, 0, 7), 60))
	testworld.WantCode(t, "inactive", err, problem.VenueClosed)
}

// TestBookingLifecycle walks the lifecycle and its illegal transitions.
func TestBookingLifecycle(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, owner := w.committeeAdmin(0), w.unitAdmin()
	mon := w.nextWeekday(7, time.Monday, 9, 0)
	res, err := w.Bookings.RequestBooking(ctx, w.req(0, mon, 60))
	if err != nil {
		t.Fatal(err)
	}
	b := res.Bookings[0]
	stale := 7
	_, err = w.Bookings.Approve(owner, b.ID, &stale, "")
	testworld.WantCode(t, "stale version", err, problem.StaleVersion)
	audit := w.AuditCount
	before := audit()
	_, err = w.Bookings.Approve(ctx, b.ID, nil, "")
	testworld.WantCode(t, "committee approves", err, problem.Forbidden)
	_, err = w.Bookings.SetBookingRules(ctx, w.venue.ID, booking.DefaultRules())
	testworld.WantCode(t, "committee sets rules", err, problem.Forbidden)
	_, err = w.Bookings.AddClosure(ctx, w.venue.ID, mon, mon.Add(time.Hour), "x")
	testworld.WantCode(t, "committee closes the venue", err, problem.Forbidden)
	if after := audit(); after != before {
		t.Errorf("refused changes wrote %d audit rows", after-before)
	}
	if cur, _ := w.Store.BookingsByID(context.Background(), []string{b.ID}); cur[b.ID].Version != 1 || cur[b.ID].Status != booking.Pending {
		t.Errorf("after refusals the booking is %+v", cur[b.ID])
	}
	_, err = w.Bookings.RecordAttendance(ctx, b.ID, nil, 5)
	testworld.WantCode(t, "attendance of a pending booking", err, problem.InvalidState)
	got, err := w.Bookings.Approve(owner, b.ID, &b.Version, "好")
	if err != nil || got.Status != booking.Approved || got.Version != 2 {
		t.Fatalf("approve: %+v %v", got, err)
	}
	_, err = w.Bookings.Approve(owner, b.ID, nil, "")
	testworld.WantCode(t, "approve twice", err, problem.InvalidState)
	_, err = w.Bookings.Reject(owner, b.ID, nil, "不行")
	testworld.WantCode(t, "reject approved", err, problem.InvalidState)
	_, err = w.Bookings.RecordAttendance(ctx, b.ID, nil, 5)
	testworld.WantCode(t, "attendance before the end", err, problem.InvalidState)
	_, err = w.Bookings.Cancel(ctx, b.ID, nil, " ", booking.ScopeOccurrence)
	testworld.WantCode(t, "cancel without reason", err, problem.Blank)
	_, err = w.Bookings.Cancel(w.committeeAdmin(1), b.ID, nil, "x", booking.ScopeOccurrence)
	testworld.WantCode(t, "cancel by a stranger", err, problem.Forbidden)
	got, err = w.Bookings.Cancel(owner, b.ID, &got.Version, "场地维修", booking.ScopeOccurrence)
	if err != nil || got.Status != booking.Cancelled || got.DecisionNote != "场地维修" {
		t.Fatalf("cancel: %+v %v", got, err)
	}
	_, err = w.Bookings.Cancel(ctx, b.ID, nil, "again", booking.ScopeOccurrence)
	testworld.WantCode(t, "cancel twice", err, problem.InvalidState)
	// The cancelled booking freed the slot.
	again, err := w.Bookings.RequestBooking(w.committeeAdmin(1), w.req(1, mon, 60))
	if err != nil {
		t.Fatalf("rebook a cancelled slot: %v", err)
	}
	if _, err := w.Bookings.Reject(owner, again.Bookings[0].ID, nil, "另有安排"); err != nil {
		t.Fatal(err)
	}
	// Completion: a booking in the past, written as the demo loader does.
	past := w.req(0, w.Now().Add(-3*time.Hour).Truncate(time.Minute), 60)
	pb := booking.Booking{SubdistrictID: w.sd.ID, VenueID: w.venue.ID, CommitteeID: past.CommitteeID, Start: past.Start, End: past.End,
		HeldEnd: past.End, Purpose: "过去", ExpectedAttendees: 9, Status: booking.Approved}
	created, _, err := w.Store.CreateBookings(w.Sys, booking.NewRequest{SubdistrictID: w.sd.ID, VenueID: w.venue.ID, CommitteeID: past.CommitteeID, Fingerprint: "t"}, []booking.Booking{pb}, false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.Bookings.RecordAttendance(owner, created[0].ID, nil, 5)
	testworld.WantCode(t, "owner records attendance", err, problem.Forbidden)
	done, err := w.Bookings.RecordAttendance(ctx, created[0].ID, nil, 8)
	if err != nil || done.Status != booking.Completed || *done.ActualAttendees != 8 {
		t.Fatalf("attendance: %+v %v", done, err)
	}
	_, err = w.Bookings.Cancel(ctx, created[0].ID, nil, "x", booking.ScopeOccurrence)
	testworld.WantCode(t, "cancel completed", err, problem.InvalidState)
}

// TestRecurrenceAndIdempotency books weekly series under both policies and
// replays requests by idempotency key.
func TestRecurrenceAndIdempotency(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx, owner := w.committeeAdmin(0), w.unitAdmin()
	mon := w.nextWeekday(7, time.Monday, 15, 0)
	// Committee 1 holds the third Monday.
	if _, err := w.Bookings.RequestBooking(w.committeeAdmin(1), w.req(1, mon.AddDate(0, 0, 14), 60)); err != nil {
		t.Fatal(err)
	}
	four := 4
	in := w.req(0, mon, 60)
	in.Recurrence = &booking.Recurrence{Interval: 1, Count: &four}
	_, err := w.Bookings.RequestBooking(ctx, in)
	testworld.WantCode(t, "all or nothing", err, problem.BookingConflict)
	if n := w.countBookings(); n != 1 {
		t.Fatalf("all-or-nothing wrote %d bookings, want only the blocking one", n)
	}
	in.Policy, in.IdempotencyKey = booking.SkipConflicts, "series-1"
	res, err := w.Bookings.RequestBooking(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Bookings) != 3 || len(res.Skipped) != 1 || res.Skipped[0].Reason != problem.BookingConflict || !res.Skipped[0].Start.Equal(mon.AddDate(0, 0, 14)) {
		t.Fatalf("skip conflicts: %d booked, skipped %+v", len(res.Bookings), res.Skipped)
	}
	for i, b := range res.Bookings {
		if b.SeriesID == nil || *b.SeriesID != *res.Bookings[0].SeriesID || b.Start.In(shanghai).Hour() != 15 {
			t.Errorf("occurrence %d: %+v", i, b)
		}
	}
	// Replay: the first result, nothing more booked.
	replay, err := w.Bookings.RequestBooking(ctx, in)
	if err != nil || len(replay.Bookings) != 3 || replay.Bookings[0].ID != res.Bookings[0].ID || len(replay.Skipped) != 1 {
		t.Fatalf("replay: %+v %v", replay, err)
	}
	if n := w.countBookings(); n != 4 {
		t.Fatalf("after replay %d bookings, want 4", n)
	}
	in.Purpose = "别的"
	_, err = w.Bookings.RequestBooking(ctx, in)
	testworld.WantCode(t, "same key, other request", err, problem.InvalidInput)

	// The series is one unit for approval; cancel one occurrence, then the rest.
	ok, err := w.Bookings.Approve(owner, res.Bookings[1].ID, nil, "")
	if err != nil || ok.Status != booking.Approved {
		t.Fatalf("approve series: %+v %v", ok, err)
	}
	series, err := w.Store.BookingsOfSeries(w.Sys, []string{*ok.SeriesID})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range series[*ok.SeriesID] {
		if b.Status != booking.Approved {
			t.Errorf("series occurrence %s is %s after approval", b.ID, b.Status)
		}
	}
	if _, err := w.Bookings.Cancel(ctx, res.Bookings[0].ID, nil, "放假", booking.ScopeOccurrence); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Bookings.Cancel(ctx, res.Bookings[1].ID, nil, "活动结束", booking.ScopeSeries); err != nil {
		t.Fatal(err)
	}
	series, _ = w.Store.BookingsOfSeries(w.Sys, []string{*ok.SeriesID})
	for _, b := range series[*ok.SeriesID] {
		if b.Status != booking.Cancelled {
			t.Errorf("after cancelling the series, %s is %s", b.Start, b.Status)
		}
	}
	// Until, weekdays and interval.
	until := time.Date(mon.Year(), mon.Month(), mon.Day()+27, 0, 0, 0, 0, time.UTC)
	in2 := w.req(1, mon.Add(-6*time.Hour), 60) // 09:00
	in2.Recurrence = &booking.Recurrence{Interval: 2, Until: &until, Weekdays: []int{1, 3}}
	res2, err := w.Bookings.RequestBooking(w.committeeAdmin(1), in2)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range res2.Bookings {
		got = append(got, b.Start.In(shanghai).Format("01-02 Mon 15:04"))
	}
	want := []string{mon.Format("01-02 Mon ") + "09:00", mon.AddDate(0, 0, 2).Format("01-02 Mon ") + "09:00",
		mon.AddDate(0, 0, 14).Format("01-02 Mon ") + "09:00", mon.AddDate(0, 0, 16).Format("01-02 Mon ") + "09:00"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("every other week on Monday and Wednesday until %s: %v, want %v", until.Format(time.DateOnly), got, want)
	}
}

// TestConcurrentRequests fires 32 simultaneous requests for overlapping
// slots: every one passes the service's checks before any is written, so
// only the exclusion constraint can stop them, and exactly one holds.
func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	mon := w.nextWeekday(7, time.Monday, 14, 0)
	const n = 32
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := w.req(i%2, mon.Add(time.Duration(i)*time.Minute), 60)
			<-start
			_, errs[i] = w.Bookings.RequestBooking(w.committeeAdmin(i%2), in)
		}()
	}
	close(start)
	wg.Wait()
	wins, conflicts := 0, 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case problem.Has(err, problem.BookingConflict):
			conflicts++
		default:
			t.Errorf("request %d: %v", i, err)
		}
	}
	if wins != 1 || conflicts != n-1 {
		t.Fatalf("%d requests won and %d conflicted, want 1 and %d", wins, conflicts, n-1)
	}
	if got := w.countBookings(); got != 1 {
		t.Fatalf("%d bookings in the database, want 1", got)
	}
}

// TestConcurrentQuota fires simultaneous requests of one committee for
// different hours of one week: the weekly quota of two hours lets exactly
// two through, however the requests interleave.
func TestConcurrentQuota(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	r := w.venue.Rules
	quota := 120
	r.WeeklyQuotaMinutes = &quota
	var err error
	if w.venue, err = w.Bookings.SetBookingRules(w.Sys, w.venue.ID, r); err != nil {
		t.Fatal(err)
	}
	tue := w.nextWeekday(7, time.Tuesday, 14, 0)
	const n = 8
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := w.req(0, tue.Add(time.Duration(i)*time.Hour), 60) // 14:00, 15:00, ... no two overlap
			<-start
			_, errs[i] = w.Bookings.RequestBooking(w.committeeAdmin(0), in)
		}()
	}
	close(start)
	wg.Wait()
	wins, over := 0, 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case problem.Has(err, problem.QuotaExceeded):
			over++
		case problem.Has(err, problem.OutsideOpeningHours) || problem.Has(err, problem.BookingConflict):
			// 22:00 onwards is outside the venue's hours; buffers touch neighbours.
		default:
			t.Errorf("request %d: %v", i, err)
		}
	}
	if wins != 2 {
		t.Errorf("%d requests passed a quota of two hours (%d refused for the quota)", wins, over)
	}
}

// TestAvailabilityMatchesSearch checks the slots cover a window exactly and
// that the directory's SQL evaluation of opening hours agrees with the Go one.
func TestAvailabilityMatchesSearch(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	fri := w.nextWeekday(7, time.Friday, 0, 0)
	if _, err := w.Bookings.RequestBooking(w.committeeAdmin(0), w.req(0, fri.Add(9*time.Hour), 60)); err != nil {
		t.Fatal(err)
	}
	from, to := fri.Add(7*time.Hour), fri.Add(27*time.Hour) // Friday 07:00 to Saturday 03:00
	slots, err := w.Bookings.Availability(context.Background(), w.venue, from, to)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, s := range slots {
		if i > 0 && !s.Start.Equal(slots[i-1].End) {
			t.Errorf("gap or overlap before slot %d", i)
		}
		got = append(got, s.Start.In(shanghai).Format("15:04")+"-"+s.End.In(shanghai).Format("15:04")+" "+string(s.State))
	}
	want := []string{"07:00-08:00 CLOSED", "08:00-09:00 FREE", "09:00-10:30 BOOKED", "10:30-12:00 FREE", "12:00-14:00 CLOSED",
		"14:00-02:00 FREE", "02:00-03:00 CLOSED"}
	if fmt.Sprint(got) != fmt.Sprint(want) || !slots[0].Start.Equal(from) || !slots[len(slots)-1].End.Equal(to) {
		t.Errorf("slots\n got %v\nwant %v", got, want)
	}
	windows := []struct{ from, to time.Time }{
		{fri.Add(8 * time.Hour), fri.Add(9 * time.Hour)},                               // free
		{fri.Add(9 * time.Hour), fri.Add(10 * time.Hour)},                              // booked
		{fri.Add(10 * time.Hour), fri.Add(10*time.Hour + 20*time.Minute)},              // inside the buffer
		{fri.Add(11 * time.Hour), fri.Add(13 * time.Hour)},                             // lunch
		{fri.Add(23 * time.Hour), fri.Add(25 * time.Hour)},                             // across midnight
		{fri.Add(25 * time.Hour), fri.Add(27 * time.Hour)},                             // past the night
		{fri.Add(-24*time.Hour + 14*time.Hour), fri.Add(-24*time.Hour + 23*time.Hour)}, // Thursday to 23:00
	}
	sch, err := w.Store.Schedule(context.Background(), w.venue.ID, from.Add(-48*time.Hour), to.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, win := range windows {
		c, err := w.Store.Venues(context.Background(), store.VenueFilter{SubdistrictID: w.sd.ID, AvailableFrom: win.from, AvailableTo: win.to}, store.Page{First: 10})
		if err != nil {
			t.Fatal(err)
		}
		open := booking.OpenIntervals(shanghai, sch.Hours, sch.Exceptions, win.from, win.to, false)
		goFree := false
		for _, o := range open {
			goFree = goFree || (!o.Start.After(win.from) && !o.End.Before(win.to))
		}
		for _, b := range sch.Bookings {
			if b.Start.Before(win.to.Add(30*time.Minute)) && win.from.Before(b.HeldEnd) {
				goFree = false
			}
		}
		if sqlFree := c.Total == 1; sqlFree != goFree {
			t.Errorf("window %s–%s: SQL says free %v, Go says %v", win.from.In(shanghai), win.to.In(shanghai), sqlFree, goFree)
		}
	}
}
