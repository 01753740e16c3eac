package booking

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	shanghai = mustZone("Asia/Shanghai")
	newYork  = mustZone("America/New_York")
)

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func local(loc *time.Location, s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		panic(err)
	}
	return t
}

func ptr(i int) *int { return &i }

func TestOpenIntervals(t *testing.T) {
	t.Parallel()
	// 2026-12-04 is a Friday.
	friNight := []Hours{{Weekday: 5, Opens: 20 * 60, Closes: 1440}, {Weekday: 6, Opens: 0, Closes: 120}, {Weekday: 5, Opens: 9 * 60, Closes: 12 * 60}}
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	cases := []struct {
		name       string
		loc        *time.Location
		hours      []Hours
		exceptions []Exception
		from, to   string
		want       [][2]string
		// ignoreClosedDays is OpenIntervals' last argument.
		ignoreClosedDays bool
	}{
		{"a night opening across midnight is one interval", shanghai, friNight, nil, "2026-12-04 00:00", "2026-12-05 23:59",
			[][2]string{{"2026-12-04 09:00", "2026-12-04 12:00"}, {"2026-12-04 20:00", "2026-12-05 02:00"}}, false},
		{"a closed day keeps the night that began the day before", shanghai, friNight, []Exception{{Day: day("2026-12-05"), Closed: true}}, "2026-12-04 00:00", "2026-12-05 23:59",
			[][2]string{{"2026-12-04 09:00", "2026-12-04 12:00"}, {"2026-12-04 20:00", "2026-12-05 00:00"}}, false},
		{"an extra opening joins the weekly hours it touches", shanghai, friNight, []Exception{{Day: day("2026-12-04"), Opens: ptr(12 * 60), Closes: ptr(14 * 60)}}, "2026-12-04 00:00", "2026-12-04 23:59",
			// The window ends on Friday, so Saturday's 00:00–02:00 is not looked at.
			[][2]string{{"2026-12-04 09:00", "2026-12-04 14:00"}, {"2026-12-04 20:00", "2026-12-05 00:00"}}, false},
		{"the window's first day includes the night before", shanghai, friNight, nil, "2026-12-05 01:00", "2026-12-05 03:00",
			[][2]string{{"2026-12-04 09:00", "2026-12-04 12:00"}, {"2026-12-04 20:00", "2026-12-05 02:00"}}, false},
		{"ignoring closed days keeps their weekly hours", shanghai, friNight, []Exception{{Day: day("2026-12-05"), Closed: true}}, "2026-12-04 00:00", "2026-12-05 23:59",
			[][2]string{{"2026-12-04 09:00", "2026-12-04 12:00"}, {"2026-12-04 20:00", "2026-12-05 02:00"}}, true},
		{"an extra opening on a closed day still opens", shanghai, friNight, []Exception{{Day: day("2026-12-04"), Closed: true}, {Day: day("2026-12-04"), Opens: ptr(12 * 60), Closes: ptr(14 * 60)}}, "2026-12-04 00:00", "2026-12-04 23:59",
			[][2]string{{"2026-12-04 12:00", "2026-12-04 14:00"}}, false},
		{"no hours, no intervals", shanghai, nil, nil, "2026-12-04 00:00", "2026-12-05 23:59", nil, false},
		{"a day that loses an hour to daylight saving", newYork, []Hours{{Weekday: 7, Opens: 0, Closes: 1440}}, nil, "2026-03-08 00:00", "2026-03-08 23:59",
			[][2]string{{"2026-03-08 00:00", "2026-03-09 00:00"}}, false},
		{"hours across the skipped hour follow the wall clock", newYork, []Hours{{Weekday: 7, Opens: 60, Closes: 4 * 60}}, nil, "2026-03-08 00:00", "2026-03-08 23:59",
			[][2]string{{"2026-03-08 01:00", "2026-03-08 04:00"}}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := OpenIntervals(c.loc, c.hours, c.exceptions, local(c.loc, c.from), local(c.loc, c.to), c.ignoreClosedDays)
			var gotS [][2]string
			for _, i := range got {
				gotS = append(gotS, [2]string{i.Start.In(c.loc).Format("2006-01-02 15:04"), i.End.In(c.loc).Format("2006-01-02 15:04")})
			}
			if diff := cmp.Diff(c.want, gotS); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSlotsCoverTheWindow(t *testing.T) {
	t.Parallel()
	loc := shanghai
	from, to := local(loc, "2026-12-04 08:00"), local(loc, "2026-12-04 22:00")
	open := []Interval{{local(loc, "2026-12-04 09:00"), local(loc, "2026-12-04 12:00")}, {local(loc, "2026-12-04 14:00"), local(loc, "2026-12-04 21:00")}}
	closures := []Interval{{local(loc, "2026-12-04 16:00"), local(loc, "2026-12-04 17:00")}}
	held := []Interval{{local(loc, "2026-12-04 10:00"), local(loc, "2026-12-04 11:30")}, {local(loc, "2026-12-04 20:30"), local(loc, "2026-12-04 21:30")}}
	cases := []struct {
		name                 string
		open, closures, held []Interval
		want                 []string
	}{
		{"booked before free, free where open and not closed", open, closures, held, []string{
			"08:00-09:00 CLOSED", "09:00-10:00 FREE", "10:00-11:30 BOOKED", "11:30-12:00 FREE",
			"12:00-14:00 CLOSED", "14:00-16:00 FREE", "16:00-17:00 CLOSED", "17:00-20:30 FREE",
			"20:30-21:30 BOOKED", "21:30-22:00 CLOSED"}},
		{"never open is one closed slot", nil, nil, nil, []string{"08:00-22:00 CLOSED"}},
		{"neighbours of one state join", []Interval{{local(loc, "2026-12-04 06:00"), local(loc, "2026-12-04 12:00")}, {local(loc, "2026-12-04 12:00"), local(loc, "2026-12-04 23:00")}},
			nil, nil, []string{"08:00-22:00 FREE"}},
		{"a booking held past the window is cut at its end", open, nil, []Interval{{local(loc, "2026-12-04 20:00"), local(loc, "2026-12-05 01:00")}}, []string{
			"08:00-09:00 CLOSED", "09:00-12:00 FREE", "12:00-14:00 CLOSED", "14:00-20:00 FREE", "20:00-22:00 BOOKED"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := Slots(from, to, c.open, c.closures, c.held)
			var gotS []string
			for i, g := range got {
				gotS = append(gotS, g.Start.In(loc).Format("15:04")+"-"+g.End.In(loc).Format("15:04")+" "+string(g.State))
				if i > 0 && !got[i-1].End.Equal(g.Start) {
					t.Errorf("slot %d does not start where slot %d ends", i, i-1)
				}
			}
			if diff := cmp.Diff(c.want, gotS); diff != "" {
				t.Errorf("slots (-want +got):\n%s", diff)
			}
			if len(got) == 0 || !got[0].Start.Equal(from) || !got[len(got)-1].End.Equal(to) {
				t.Error("the slots do not cover the window exactly")
			}
		})
	}
}
