package booking

import (
	"time"

	"github.com/teambition/rrule-go"

	"cogov/internal/problem"
)

// MaxOccurrences caps a recurring request: two years of a weekly slot.
const MaxOccurrences = 104

// Recurrence repeats a booking weekly: every Interval weeks on Weekdays (1 =
// Monday .. 7 = Sunday; the first booking's weekday when empty), Count times
// or until the day Until (inclusive, in the venue's time zone).
type Recurrence struct {
	Interval int
	Count    *int
	Until    *time.Time // a calendar day, at midnight UTC
	Weekdays []int
}

var rruleDays = []rrule.Weekday{rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU}

// Occurrences returns the start of every occurrence, the first at start,
// expanded by RFC 5545 rules in loc so that the local wall-clock time stays
// the same. It records a problem and returns nil when the recurrence is
// malformed.
func (r Recurrence) Occurrences(start time.Time, loc *time.Location, l *problem.List) []time.Time {
	interval := r.Interval
	if interval == 0 {
		interval = 1
	}
	switch {
	case interval < 1 || interval > 52:
		l.Add(problem.InvalidInput, "recurrence.interval must be between 1 and 52 weeks", "recurrence", "interval")
	case (r.Count == nil) == (r.Until == nil):
		l.Add(problem.InvalidInput, "a recurrence needs either a count or an until day", "recurrence")
	case r.Count != nil && (*r.Count < 1 || *r.Count > MaxOccurrences):
		l.Add(problem.InvalidInput, "recurrence.count must be between 1 and 104", "recurrence", "count")
	}
	for _, wd := range r.Weekdays {
		if wd < 1 || wd > 7 {
			l.Add(problem.InvalidInput, "unknown weekday", "recurrence", "weekdays")
		}
	}
	if len(*l) > 0 {
		return nil
	}
	local := start.In(loc)
	opt := rrule.ROption{Freq: rrule.WEEKLY, Interval: interval, Dtstart: local, Wkst: rrule.MO}
	days := r.Weekdays
	if len(days) == 0 {
		days = []int{isoWeekday(local)}
	}
	for _, wd := range days {
		opt.Byweekday = append(opt.Byweekday, rruleDays[wd-1])
	}
	if r.Count != nil {
		opt.Count = *r.Count
	} else {
		u := *r.Until
		opt.Until = time.Date(u.Year(), u.Month(), u.Day(), 23, 59, 59, 0, loc)
		if opt.Until.Before(local) {
			l.Add(problem.InvalidInput, "recurrence.until is before the first booking", "recurrence", "until")
			return nil
		}
		// Bound the expansion before asking for all of it.
		opt.Count = MaxOccurrences + 1
	}
	rule, err := rrule.NewRRule(opt)
	if err != nil {
		l.Add(problem.InvalidInput, "the recurrence is not valid", "recurrence")
		return nil
	}
	all := rule.All()
	if len(all) > MaxOccurrences {
		l.Add(problem.InvalidInput, "a recurrence may produce at most 104 bookings", "recurrence")
		return nil
	}
	// RFC 5545 counts the first instance from DTSTART only when it matches
	// the rule; a booking request always includes the time it names.
	if len(all) == 0 || !all[0].Equal(local) {
		all = append([]time.Time{local}, all...)
		if r.Count != nil && len(all) > *r.Count {
			all = all[:*r.Count]
		}
	}
	return all
}
