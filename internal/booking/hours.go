package booking

import (
	"slices"
	"time"
)

// dayOf returns the calendar day of t in loc, at midnight UTC like Exception.Day.
func dayOf(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// at returns the instant minutes after midnight of the day in loc. time.Date
// normalises 1440 minutes to midnight of the next day, and follows the wall
// clock across a daylight-saving change.
func at(day time.Time, minutes int, loc *time.Location) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 0, minutes, 0, 0, loc)
}

func isoWeekday(day time.Time) int {
	wd := int(day.Weekday())
	if wd == 0 {
		return 7
	}
	return wd
}

// OpenIntervals returns when a venue is open in [from, to) by its weekly
// hours and dated exceptions in loc, as sorted intervals with touching ones
// joined, so that a night opening to 24:00 and on from 00:00 is one
// interval. The day before from is included for ranges that run past
// midnight. With ignoreClosedDays, days an exception closes keep their weekly
// hours: the service uses it to tell a closed day from a time outside hours.
func OpenIntervals(loc *time.Location, hours []Hours, exceptions []Exception, from, to time.Time, ignoreClosedDays bool) []Interval {
	closed := map[time.Time]bool{}
	extra := map[time.Time][]Exception{}
	for _, e := range exceptions {
		if e.Closed {
			closed[e.Day] = !ignoreClosedDays
		} else if e.Opens != nil && e.Closes != nil {
			extra[e.Day] = append(extra[e.Day], e)
		}
	}
	var out []Interval
	last := dayOf(to, loc)
	for day := dayOf(from, loc).AddDate(0, 0, -1); !day.After(last); day = day.AddDate(0, 0, 1) {
		if !closed[day] {
			wd := isoWeekday(day)
			for _, h := range hours {
				if h.Weekday == wd {
					out = append(out, Interval{at(day, h.Opens, loc), at(day, h.Closes, loc)})
				}
			}
		}
		for _, e := range extra[day] {
			out = append(out, Interval{at(day, *e.Opens, loc), at(day, *e.Closes, loc)})
		}
	}
	return merge(out)
}

// merge sorts intervals and joins those that overlap or touch.
func merge(in []Interval) []Interval {
	slices.SortFunc(in, func(a, b Interval) int { return a.Start.Compare(b.Start) })
	var out []Interval
	for _, i := range in {
		if !i.Start.Before(i.End) {
			continue
		}
		if n := len(out); n > 0 && !i.Start.After(out[n-1].End) {
			if i.End.After(out[n-1].End) {
				out[n-1].End = i.End
			}
			continue
		}
		out = append(out, i)
	}
	return out
}

// covers reports whether one of the merged intervals holds all of w.
func covers(merged []Interval, w Interval) bool {
	for _, i := range merged {
		if !i.Start.After(w.Start) && !i.End.Before(w.End) {
			return true
		}
	}
	return false
}

func anyOverlap(list []Interval, w Interval) bool {
	for _, i := range list {
		if i.overlaps(w) {
			return true
		}
	}
	return false
}

// Slots cuts [from, to) into consecutive slots: BOOKED where a booking holds
// the venue (its buffer included), otherwise FREE where the venue is open
// and not closed for maintenance, otherwise CLOSED. Neighbouring slots of one
// state are joined; the slots cover the window exactly.
func Slots(from, to time.Time, open, closures, held []Interval) []Slot {
	cuts := []time.Time{from, to}
	add := func(list []Interval) {
		for _, i := range list {
			for _, t := range []time.Time{i.Start, i.End} {
				if t.After(from) && t.Before(to) {
					cuts = append(cuts, t)
				}
			}
		}
	}
	add(open)
	add(closures)
	add(held)
	slices.SortFunc(cuts, func(a, b time.Time) int { return a.Compare(b) })
	cuts = slices.CompactFunc(cuts, func(a, b time.Time) bool { return a.Equal(b) })
	var out []Slot
	for k := 0; k+1 < len(cuts); k++ {
		seg := Interval{cuts[k], cuts[k+1]}
		state := Closed
		switch {
		case anyOverlap(held, seg):
			state = Booked
		case covers(open, seg) && !anyOverlap(closures, seg):
			state = Free
		}
		if n := len(out); n > 0 && out[n-1].State == state {
			out[n-1].End = seg.End
			continue
		}
		out = append(out, Slot{Start: seg.Start, End: seg.End, State: state})
	}
	return out
}
