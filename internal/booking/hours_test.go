package booking

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var shanghai = mustZone("Asia/Shanghai")

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
	}{
		{"a night opening across midnight is one interval", shanghai, friNight, nil, "2026-12-04 00:00", "2026-12-05 23:59",
			[][2]string{{"2026-12-04 09:00", "2026-12-04 12:00"}, {"2026-12-04 20:00", "2026-12-05 02:00"}}},
		{"a closed day keeps the night that began the day before", shanghai, friNight, []Exception{{Day: day("2026-12-05"), Closed: true}}, "2026-12-04 00:00", "2026-12-05 23:59",
			[][2]string{{"2026-12-04 09:00", "2026-12-04 12:00"}, {"2026-12-04 20:00", "2026-12-05 00:00"}}},
		{"an extra opening joins the weekly hours it touches", shanghai, friNight, []Exception{{Day: day("2026-12-04"), Opens: ptr(12 * 60), Closes: ptr(14 * 60)}}, "2026-12-04 00:00", "2026-12-04 23:59",
			// The window ends on Friday, so Saturday's 00:00–02:00 is not looked at.
			[][2]string{{"2026-12-04 09:00", "2026-12-04 14:00"}, {"2026-12-04 20:00", "2026-12-05 00:00"}}},
		{"the window's first day includes the night before", shanghai, friNight, nil, "2026-12-05 01:00", "2026-12-05 03:00",
			[][2]string{{"2026-12-04 09:00", "2026-12-04 12:00"}, {"2026-12-04 20:00", "2026-12-05 02:00"}}},
	}
	for _, c := range cases {
		got := OpenIntervals(c.loc, c.hours, c.exceptions, local(c.loc, c.from), local(c.loc, c.to), false)
		var gotS [][2]string
		for _, i := range got {
			gotS = append(gotS, [2]string{i.Start.In(c.loc).Format("2006-01-02 15:04"), i.End.In(c.loc).Format("2006-01-02 15:04")})
		}
		if diff := cmp.Diff(c.want, gotS); diff != "" {
			t.Errorf("%s (-want +got):\n%s", c.name, diff)
		}
	}
}

func TestSlotsCoverTheWindow(t *testing.T) {
	loc := shanghai
	from, to := local(loc, "2026-12-04 08:00"), local(loc, "2026-12-04 22:00")
	open := []Interval{{local(loc, "2026-12-04 09:00"), local(loc, "2026-12-04 12:00")}, {local(loc, "2026-12-04 14:00"), local(loc, "2026-12-04 21:00")}}
	closures := []Interval{{local(loc, "2026-12-04 16:00"), local(loc, "2026-12-04 17:00")}}
	held := []Interval{{local(loc, "2026-12-04 10:00"), local(loc, "2026-12-04 11:30")}, {local(loc, "2026-12-04 20:30"), local(loc, "2026-12-04 21:30")}}
	got := Slots(from, to, open, closures, held)
	want := []struct {
		start, end string
		state      SlotState
	}{
		{"08:00", "09:00", Closed}, {"09:00", "10:00", Free}, {"10:00", "11:30", Booked}, {"11:30", "12:00", Free},
		{"12:00", "14:00", Closed}, {"14:00", "16:00", Free}, {"16:00", "17:00", Closed}, {"17:00", "20:30", Free},
		{"20:30", "21:30", Booked}, {"21:30", "22:00", Closed},
	}
	if len(got) != len(want) {
		t.Fatalf("%d slots, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Start.In(loc).Format("15:04") != w.start || g.End.In(loc).Format("15:04") != w.end || g.State != w.state {
			t.Errorf("slot %d = %s–%s %s, want %s–%s %s", i, g.Start.In(loc).Format("15:04"), g.End.In(loc).Format("15:04"), g.State, w.start, w.end, w.state)
		}
		if i > 0 && !got[i-1].End.Equal(g.Start) {
			t.Errorf("slot %d does not start where slot %d ends", i, i-1)
		}
	}
	if !got[0].Start.Equal(from) || !got[len(got)-1].End.Equal(to) {
		t.Error("the slots do not cover the window exactly")
	}
}
