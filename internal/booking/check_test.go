package booking_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"cogov/internal/booking"
	"cogov/internal/problem"
)

// The pure booking rules, on a fixed clock: CheckRequest and CheckOccurrence
// read nothing, so each case is a venue, a schedule and a booking.

// at is a wall-clock time in Shanghai ("2006-01-02 15:04").
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

// checkNow is the fixed present of the pure tests: Thursday 2026-12-03
// 09:00 in Shanghai. Two hours' notice is 11:00; 60 days ahead is Monday
// 2027-02-01 09:00.
var checkNow = at("2026-12-03 09:00")

// checkVenue is the venue of the pure tests: the world's rules (50 people,
// 30 minutes to 8 hours, two hours' notice, 60 days ahead, 30 minutes of
// changeover time) in Shanghai.
func checkVenue() booking.Venue {
	r := booking.DefaultRules()
	r.BufferMinutes, r.MinNoticeMinutes, r.MaxDaysAhead = 30, 120, 60
	return booking.Venue{ID: "v", SubdistrictID: "sd", UnitID: "u", TimeZone: "Asia/Shanghai", Capacity: 50, Active: true, Rules: r}
}

// held is a booking of committee k from start to end (Shanghai wall clock)
// holding the venue 30 minutes longer.
func held(k, start, end string, status booking.Status) booking.Booking {
	s, e := at(start), at(end)
	return booking.Booking{CommitteeID: k, Start: s, End: e, HeldEnd: e.Add(30 * time.Minute), Status: status}
}

func problems(code problem.Code, message string, field ...string) problem.List {
	var l problem.List
	l.Add(code, message, field...)
	return l
}

func TestCheckOccurrence(t *testing.T) {
	t.Parallel()
	quota := func(minutes int) func(*booking.Venue, *booking.Schedule) {
		return func(v *booking.Venue, _ *booking.Schedule) { v.Rules.WeeklyQuotaMinutes = &minutes }
	}
	opens, closes := 10*60, 12*60
	cases := []struct {
		name       string
		change     func(*booking.Venue, *booking.Schedule)
		accepted   []booking.Booking
		start, end string
		want       problem.List
	}{
		{name: "keeps every rule", start: "2026-12-07 09:00", end: "2026-12-07 10:00"},
		{name: "exactly the notice", start: "2026-12-03 11:00", end: "2026-12-03 12:00"},
		{name: "a minute short of the notice", start: "2026-12-03 10:59", end: "2026-12-03 11:59",
			want: problems(problem.TooShortNotice, "book at least 120 minutes ahead", "startsAt")},
		{name: "notice is checked before the hours", start: "2026-12-03 06:00", end: "2026-12-03 07:00",
			want: problems(problem.TooShortNotice, "book at least 120 minutes ahead", "startsAt")},
		{name: "exactly 60 days ahead", start: "2027-02-01 09:00", end: "2027-02-01 10:00"},
		{name: "a minute past 60 days ahead", start: "2027-02-01 09:01", end: "2027-02-01 10:01",
			want: problems(problem.TooFarAhead, "book at most 60 days ahead", "startsAt")},
		{name: "over lunch", start: "2026-12-04 11:30", end: "2026-12-04 12:30",
			want: problems(problem.OutsideOpeningHours, "the venue is not open for all of this time", "startsAt")},
		{name: "from Friday night into Saturday", start: "2026-12-04 23:00", end: "2026-12-05 01:30"},
		{name: "past the night's end", start: "2026-12-05 01:30", end: "2026-12-05 02:30",
			want: problems(problem.OutsideOpeningHours, "the venue is not open for all of this time", "startsAt")},
		{name: "a day an exception closes", start: "2026-12-07 09:00", end: "2026-12-07 10:00",
			change: func(_ *booking.Venue, s *booking.Schedule) {
				s.Exceptions = []booking.Exception{{Day: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), Closed: true, Note: "节日"}}
			},
			want: problems(problem.VenueClosed, "the venue is closed that day", "startsAt")},
		{name: "an exception opens a Sunday", start: "2026-12-06 10:00", end: "2026-12-06 11:00",
			change: func(_ *booking.Venue, s *booking.Schedule) {
				s.Exceptions = []booking.Exception{{Day: time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC), Opens: &opens, Closes: &closes}}
			}},
		{name: "beyond an exception's extra hours", start: "2026-12-06 11:30", end: "2026-12-06 12:30",
			change: func(_ *booking.Venue, s *booking.Schedule) {
				s.Exceptions = []booking.Exception{{Day: time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC), Opens: &opens, Closes: &closes}}
			},
			want: problems(problem.OutsideOpeningHours, "the venue is not open for all of this time", "startsAt")},
		{name: "during a maintenance closure", start: "2026-12-08 15:00", end: "2026-12-08 16:00",
			change: func(_ *booking.Venue, s *booking.Schedule) {
				s.Closures = []booking.Closure{{Start: at("2026-12-08 14:00"), End: at("2026-12-08 16:00"), Reason: "维修"}}
			},
			want: problems(problem.VenueClosed, "the venue is closed for maintenance then", "startsAt")},
		{name: "right after a closure", start: "2026-12-08 16:00", end: "2026-12-08 17:00",
			change: func(_ *booking.Venue, s *booking.Schedule) {
				s.Closures = []booking.Closure{{Start: at("2026-12-08 14:00"), End: at("2026-12-08 16:00"), Reason: "维修"}}
			}},
		{name: "inside another booking's changeover time", start: "2026-12-09 10:00", end: "2026-12-09 11:00",
			change: func(_ *booking.Venue, s *booking.Schedule) {
				s.Bookings = []booking.Booking{held("k1", "2026-12-09 09:00", "2026-12-09 10:00", booking.Approved)}
			},
			want: problems(problem.BookingConflict, "the venue is already booked then (changeover time included)", "startsAt")},
		{name: "right after the changeover time", start: "2026-12-09 10:30", end: "2026-12-09 11:30",
			change: func(_ *booking.Venue, s *booking.Schedule) {
				s.Bookings = []booking.Booking{held("k1", "2026-12-09 09:00", "2026-12-09 10:00", booking.Approved)}
			}},
		{name: "its own changeover time runs into the next booking", start: "2026-12-09 08:00", end: "2026-12-09 08:45",
			change: func(_ *booking.Venue, s *booking.Schedule) {
				s.Bookings = []booking.Booking{held("k1", "2026-12-09 09:00", "2026-12-09 10:00", booking.Pending)}
			},
			want: problems(problem.BookingConflict, "the venue is already booked then (changeover time included)", "startsAt")},
		{name: "a cancelled booking holds nothing", start: "2026-12-09 09:00", end: "2026-12-09 10:00",
			change: func(_ *booking.Venue, s *booking.Schedule) {
				s.Bookings = []booking.Booking{held("k1", "2026-12-09 09:00", "2026-12-09 10:00", booking.Cancelled)}
			}},
		{name: "an occurrence of the same request", start: "2026-12-09 09:00", end: "2026-12-09 10:00",
			accepted: []booking.Booking{held("k0", "2026-12-09 09:30", "2026-12-09 10:30", booking.Pending)},
			want:     problems(problem.BookingConflict, "the venue is already booked then (changeover time included)", "startsAt")},
		{name: "the quota filled exactly", start: "2026-12-08 09:00", end: "2026-12-08 10:00",
			change: func(v *booking.Venue, s *booking.Schedule) {
				quota(120)(v, s)
				s.Bookings = []booking.Booking{
					held("k0", "2026-12-07 09:00", "2026-12-07 10:00", booking.Completed), // completed bookings count
					held("k1", "2026-12-07 14:00", "2026-12-07 18:00", booking.Approved),  // another committee's do not
				}
			}},
		{name: "past the quota", start: "2026-12-08 09:00", end: "2026-12-08 10:30",
			change: func(v *booking.Venue, s *booking.Schedule) {
				quota(120)(v, s)
				s.Bookings = []booking.Booking{held("k0", "2026-12-07 09:00", "2026-12-07 10:00", booking.Completed)}
			},
			want: problems(problem.QuotaExceeded, "a committee may book this venue 2 hours a week", "startsAt")},
		{name: "the quota counts the request's own occurrences", start: "2026-12-08 09:00", end: "2026-12-08 10:00",
			change:   quota(60),
			accepted: []booking.Booking{held("k0", "2026-12-07 09:00", "2026-12-07 10:00", booking.Pending)},
			want:     problems(problem.QuotaExceeded, "a committee may book this venue 1 hours a week", "startsAt")},
		{name: "the week starts on Monday 00:00 in the venue's time zone", start: "2026-12-07 09:00", end: "2026-12-07 10:00",
			change: func(v *booking.Venue, s *booking.Schedule) {
				quota(60)(v, s)
				// Monday 06:00–07:00 in Shanghai is Sunday 22:00–23:00 UTC: the same week.
				s.Bookings = []booking.Booking{held("k0", "2026-12-07 06:00", "2026-12-07 07:00", booking.Approved)}
			},
			want: problems(problem.QuotaExceeded, "a committee may book this venue 1 hours a week", "startsAt")},
		{name: "only the part inside the week counts", start: "2026-12-07 09:00", end: "2026-12-07 10:00",
			change: func(v *booking.Venue, s *booking.Schedule) {
				quota(120)(v, s)
				// Sunday 23:00 to Monday 01:00: an hour in the week.
				s.Bookings = []booking.Booking{held("k0", "2026-12-06 23:00", "2026-12-07 01:00", booking.Approved)}
			}},
		{name: "rejected and cancelled bookings do not count", start: "2026-12-08 09:00", end: "2026-12-08 10:00",
			change: func(v *booking.Venue, s *booking.Schedule) {
				quota(60)(v, s)
				s.Bookings = []booking.Booking{held("k0", "2026-12-07 09:00", "2026-12-07 10:00", booking.Rejected),
					held("k0", "2026-12-07 14:00", "2026-12-07 15:00", booking.Cancelled)}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			v, sch := checkVenue(), booking.Schedule{Hours: weekHours()}
			if c.change != nil {
				c.change(&v, &sch)
			}
			b := held("k0", c.start, c.end, booking.Pending)
			got := booking.CheckOccurrence(v, sch, c.accepted, b, checkNow)
			if diff := cmp.Diff(c.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("CheckOccurrence (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheckRequest(t *testing.T) {
	t.Parallel()
	start := at("2026-12-07 09:00")
	req := func(minutes, people int) booking.Request {
		return booking.Request{VenueID: "v", CommitteeID: "k0", Start: start, End: start.Add(time.Duration(minutes) * time.Minute),
			Purpose: "议事", ExpectedAttendees: people}
	}
	listed := func(ids ...string) func(*booking.Venue) {
		return func(v *booking.Venue) {
			v.Rules.Eligibility, v.Rules.EligibleCommitteeIDs = booking.ListedCommittees, ids
		}
	}
	duration := problems(problem.DurationOutOfRange, "a booking lasts 30 to 480 minutes", "endsAt")
	cases := []struct {
		name   string
		change func(*booking.Venue)
		in     booking.Request
		want   problem.List
	}{
		{name: "keeps every rule", in: req(60, 10)},
		{name: "an inactive venue says only that", change: func(v *booking.Venue) { v.Active = false }, in: req(600, 60),
			want: problems(problem.VenueClosed, "the venue is not taking bookings", "venueId")},
		{name: "a committee not listed", change: listed("k1"), in: req(60, 10),
			want: problems(problem.NotEligible, "this committee may not book this venue", "committeeId")},
		{name: "a listed committee", change: listed("k1", "k0"), in: req(60, 10)},
		{name: "no committee listed", change: listed(), in: req(60, 10),
			want: problems(problem.NotEligible, "this committee may not book this venue", "committeeId")},
		{name: "as many people as the venue holds", in: req(60, 50)},
		{name: "one more than the venue holds", in: req(60, 51),
			want: problems(problem.CapacityExceeded, "the venue holds 50 people", "expectedAttendees")},
		{name: "the shortest booking", in: req(30, 10)},
		{name: "shorter than the shortest", in: req(29, 10), want: duration},
		{name: "the longest booking", in: req(480, 10)},
		{name: "longer than the longest", in: req(481, 10), want: duration},
		{name: "reversed: RequestBooking reports the order, not the length", in: req(-60, 10)},
		{name: "several at once, in order", change: listed("k1"), in: req(481, 51),
			want: append(append(problems(problem.NotEligible, "this committee may not book this venue", "committeeId"),
				problems(problem.CapacityExceeded, "the venue holds 50 people", "expectedAttendees")...), duration...)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			v := checkVenue()
			if c.change != nil {
				c.change(&v)
			}
			if diff := cmp.Diff(c.want, booking.CheckRequest(v, c.in), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("CheckRequest (-want +got):\n%s", diff)
			}
		})
	}
}
