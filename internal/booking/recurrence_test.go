package booking_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"cogov/internal/booking"
	"cogov/internal/problem"
	"cogov/internal/testworld"
)

func TestOccurrences(t *testing.T) {
	t.Parallel()
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	n := func(i int) *int { return &i }
	day := func(s string) *time.Time { d := testworld.Day(s); return &d }
	const wall = "2006-01-02 Mon 15:04 MST"
	// weekly lists count Mondays from 2026-12-07 at 15:00 in Shanghai.
	weekly := func(count int) []string {
		var out []string
		for i := range count {
			out = append(out, at("2026-12-07 15:00").AddDate(0, 0, 7*i).In(shanghai).Format(wall))
		}
		return out
	}
	mon := at("2026-12-07 15:00") // a Monday
	cases := []struct {
		name  string
		r     booking.Recurrence
		start time.Time
		loc   *time.Location
		want  []string // wall-clock starts in loc
		probs problem.List
	}{
		{name: "weekly on the first booking's weekday", r: booking.Recurrence{Interval: 1, Count: n(3)},
			want: []string{"2026-12-07 Mon 15:00 CST", "2026-12-14 Mon 15:00 CST", "2026-12-21 Mon 15:00 CST"}},
		{name: "no interval is every week", r: booking.Recurrence{Count: n(2)},
			want: []string{"2026-12-07 Mon 15:00 CST", "2026-12-14 Mon 15:00 CST"}},
		{name: "the until day is included", r: booking.Recurrence{Interval: 1, Until: day("2026-12-21")},
			want: []string{"2026-12-07 Mon 15:00 CST", "2026-12-14 Mon 15:00 CST", "2026-12-21 Mon 15:00 CST"}},
		{name: "every other week on Monday and Wednesday", r: booking.Recurrence{Interval: 2, Weekdays: []int{1, 3}, Until: day("2027-01-03")},
			want: []string{"2026-12-07 Mon 15:00 CST", "2026-12-09 Wed 15:00 CST", "2026-12-21 Mon 15:00 CST", "2026-12-23 Wed 15:00 CST"}},
		{name: "a start off the weekdays is still the first booking, within the count", r: booking.Recurrence{Interval: 1, Weekdays: []int{3}, Count: n(3)},
			want: []string{"2026-12-07 Mon 15:00 CST", "2026-12-09 Wed 15:00 CST", "2026-12-16 Wed 15:00 CST"}},
		{name: "the wall-clock time stays across daylight saving", r: booking.Recurrence{Interval: 1, Count: n(3)},
			start: time.Date(2026, 10, 26, 15, 0, 0, 0, newYork), loc: newYork,
			want: []string{"2026-10-26 Mon 15:00 EDT", "2026-11-02 Mon 15:00 EST", "2026-11-09 Mon 15:00 EST"}},
		{name: "the days are the venue's", r: booking.Recurrence{Interval: 1, Count: n(2)},
			start: time.Date(2026, 12, 6, 17, 0, 0, 0, time.UTC), // Monday 01:00 in Shanghai
			want:  []string{"2026-12-07 Mon 01:00 CST", "2026-12-14 Mon 01:00 CST"}},
		{name: "the most occurrences, by count", r: booking.Recurrence{Interval: 1, Count: n(booking.MaxOccurrences)}, want: weekly(104)},
		{name: "the most occurrences, by until", r: booking.Recurrence{Interval: 1, Until: day("2028-11-27")}, want: weekly(104)},

		{name: "too many by until", r: booking.Recurrence{Interval: 1, Until: day("2028-12-04")},
			probs: problems(problem.InvalidInput, "a recurrence may produce at most 104 bookings", "recurrence")},
		{name: "too many by count", r: booking.Recurrence{Interval: 1, Count: n(105)},
			probs: problems(problem.InvalidInput, "recurrence.count must be between 1 and 104", "recurrence", "count")},
		{name: "a count of none", r: booking.Recurrence{Interval: 1, Count: n(0)},
			probs: problems(problem.InvalidInput, "recurrence.count must be between 1 and 104", "recurrence", "count")},
		{name: "neither count nor until", r: booking.Recurrence{Interval: 1},
			probs: problems(problem.InvalidInput, "a recurrence needs either a count or an until day", "recurrence")},
		{name: "both count and until", r: booking.Recurrence{Interval: 1, Count: n(2), Until: day("2026-12-21")},
			probs: problems(problem.InvalidInput, "a recurrence needs either a count or an until day", "recurrence")},
		{name: "an interval over a year", r: booking.Recurrence{Interval: 53, Count: n(2)},
			probs: problems(problem.InvalidInput, "recurrence.interval must be between 1 and 52 weeks", "recurrence", "interval")},
		{name: "a negative interval", r: booking.Recurrence{Interval: -1, Count: n(2)},
			probs: problems(problem.InvalidInput, "recurrence.interval must be between 1 and 52 weeks", "recurrence", "interval")},
		{name: "unknown weekdays, each", r: booking.Recurrence{Interval: 1, Count: n(2), Weekdays: []int{0, 8}},
			probs: append(problems(problem.InvalidInput, "unknown weekday", "recurrence", "weekdays"),
				problems(problem.InvalidInput, "unknown weekday", "recurrence", "weekdays")...)},
		{name: "until before the first booking", r: booking.Recurrence{Interval: 1, Until: day("2026-12-06")},
			probs: problems(problem.InvalidInput, "recurrence.until is before the first booking", "recurrence", "until")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			start, loc := c.start, c.loc
			if start.IsZero() {
				start = mon
			}
			if loc == nil {
				loc = shanghai
			}
			var l problem.List
			var got []string
			for _, s := range c.r.Occurrences(start, loc, &l) {
				got = append(got, s.In(loc).Format(wall))
			}
			if diff := cmp.Diff(c.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("starts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(c.probs, l, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}
