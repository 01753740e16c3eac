package demo

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"cogov/internal/access"
	"cogov/internal/clock"
	"cogov/internal/pgtest"
	"cogov/internal/store"
)

// sweepInstants are the instants the demo data must load at: every day of
// 2027 at four times of day in UTC (09:00, 16:00 and 00:30 the next day in
// Changsha, and 07:30 the next day), and the edges of a year, of a leap
// February and of National Day.
func sweepInstants() []time.Time {
	var out []time.Time
	for d := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == 2027; d = d.AddDate(0, 0, 1) {
		for _, hm := range [][2]int{{1, 0}, {8, 0}, {16, 30}, {23, 30}} {
			out = append(out, d.Add(time.Duration(hm[0])*time.Hour+time.Duration(hm[1])*time.Minute))
		}
	}
	for _, s := range []string{
		"2026-12-31T15:59:00Z", "2026-12-31T16:30:00Z", "2026-12-31T23:30:00Z", "2027-01-01T00:00:00Z",
		"2028-02-28T02:00:00Z", "2028-02-28T16:30:00Z", "2028-02-29T02:00:00Z", "2028-02-29T23:30:00Z", "2028-03-01T02:00:00Z",
		"2027-09-30T02:00:00Z", "2027-09-30T16:30:00Z", "2027-10-01T02:00:00Z", "2027-10-07T23:30:00Z",
	} {
		t, _ := time.Parse(time.RFC3339, s)
		out = append(out, t)
	}
	return out
}

// verify checks a plan as the loader will use it: every booking keeps the
// rules (past ones as when they were requested, future ones now, every
// occurrence), the demo keeps its shape, and the meetings are past weekdays
// one a month.
func verify(p Plan) error {
	var errs []error
	if len(p.Past) != len(pastBookings) || len(p.Future) != len(futureBookings) {
		return fmt.Errorf("%d past and %d future bookings, want %d and %d", len(p.Past), len(p.Future), len(pastBookings), len(futureBookings))
	}
	attended := 0
	for i := range p.Past {
		b := &p.Past[i]
		if err := p.Check(b, false); err != nil {
			errs = append(errs, fmt.Errorf("past %s at %s: %w", b.Purpose, b.Venue, err))
		}
		if b.Attended != nil {
			attended++
		}
	}
	pending, approved := 0, 0
	for i := range p.Future {
		b := &p.Future[i]
		if err := p.Check(b, true); err != nil {
			errs = append(errs, fmt.Errorf("future %s at %s: %w", b.Purpose, b.Venue, err))
		}
		for _, r := range b.Bookings(true) {
			if r.Status == "PENDING" {
				pending++
			} else {
				approved++
			}
		}
	}
	if attended == 0 || attended == len(p.Past) || pending == 0 || approved == 0 {
		errs = append(errs, fmt.Errorf("%d of %d past bookings attended, %d pending and %d approved coming", attended, len(p.Past), pending, approved))
	}
	if len(p.Meetings) != 6 {
		errs = append(errs, fmt.Errorf("%d joint meetings, want 6", len(p.Meetings)))
	}
	today := p.Now.In(p.Location)
	for i, m := range p.Meetings {
		want := time.Date(today.Year(), today.Month()-time.Month(6-i), 1, 0, 0, 0, 0, p.Location)
		switch {
		case !m.Add(2 * time.Hour).Before(p.Now):
			errs = append(errs, fmt.Errorf("meeting %s is not over", m))
		case m.Weekday() == time.Saturday || m.Weekday() == time.Sunday:
			errs = append(errs, fmt.Errorf("meeting %s falls on a %s", m, m.Weekday()))
		case m.Year() != want.Year() || m.Month() != want.Month():
			errs = append(errs, fmt.Errorf("meeting %d is in %s, want %s", i, m.Format("2006-01"), want.Format("2006-01")))
		}
	}
	return errors.Join(errs...)
}

// TestPlanEveryDay places the demo data for every instant of the sweep and
// checks each placement against the booking rules.
func TestPlanEveryDay(t *testing.T) {
	t.Parallel()
	start := clock.Wall()() // a stopwatch, not the day
	n := 0
	for _, now := range sweepInstants() {
		p, err := NewPlan(now)
		if err == nil {
			err = verify(p)
		}
		if err != nil {
			t.Errorf("demo data at %s (%s in Changsha): %v", now.Format(time.RFC3339), now.In(p.Location).Format("Mon 2006-01-02 15:04"), err)
		}
		n++
	}
	t.Logf("%d instants planned and checked in %v", n, time.Since(start).Round(time.Millisecond))
}

// TestSweepCatchesFixedOffsets shows that the sweep would fail if the demo
// went back to booking fixed day offsets: the intended days themselves break
// a rule on some day of the year.
func TestSweepCatchesFixedOffsets(t *testing.T) {
	t.Parallel()
	broken := 0
	for _, now := range sweepInstants() {
		p, err := NewPlan(now)
		if err != nil {
			t.Fatal(err)
		}
		today := now.In(p.Location)
		fixed := func(list []PlannedBooking, in []intended) {
			for i := range list {
				list[i].Start = time.Date(today.Year(), today.Month(), today.Day()+in[i].offset, in[i].hour, 0, 0, 0, p.Location)
				list[i].End = list[i].Start.Add(time.Duration(in[i].dur) * time.Hour)
			}
		}
		fixed(p.Past, pastBookings)
		fixed(p.Future, futureBookings)
		if verify(p) != nil {
			broken++
		}
	}
	if broken == 0 {
		t.Fatal("fixed offsets pass every instant of the sweep: the sweep proves nothing")
	}
	t.Logf("fixed offsets break the rules at %d of %d instants", broken, len(sweepInstants()))
}

// TestLoadAtEdges loads the whole demo data set through the services at the
// edges of the sweep: a year's end, a leap day, National Day and a Saturday
// night in UTC that is Sunday morning in Changsha.
func TestLoadAtEdges(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"2026-12-31T16:30:00Z", "2027-02-06T23:30:00Z", "2027-09-30T16:30:00Z", "2028-02-29T02:00:00Z"} {
		t.Run(s, func(t *testing.T) {
			t.Parallel()
			at, _ := time.Parse(time.RFC3339, s)
			now := clock.From(at)
			db := pgtest.New(t, pgtest.Options{})
			st := store.New(db.Pool, now)
			ctx := access.With(context.Background(), access.System("demo-loader"))
			loaded, err := Load(ctx, st, now)
			if err != nil || !loaded {
				t.Fatalf("load at %s: loaded %v, %v", s, loaded, err)
			}
		})
	}
}
