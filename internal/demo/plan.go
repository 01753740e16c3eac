package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"cogov/internal/booking"
)

// The demo data is relative to the day it is loaded: bookings some days ago
// and some days ahead, joint meetings in the past six months. Each of them
// has an intended day; Plan moves it to the nearest day on which every
// booking rule holds (the venue open for the whole window, notice, days
// ahead, eligibility, capacity, the venue's dated exceptions, no clash with
// the other demo bookings), staying in the past or in the future as meant.
// A fixed offset would put a weekday-only room on a Saturday on some days of
// the year.

// PlannedBooking is one demo booking placed on its day.
type PlannedBooking struct {
	Venue     string // the Venues entry's UnitKey
	Committee int    // index of the community party committee that books
	Start     time.Time
	End       time.Time
	Purpose   string
	Expected  int
	Attended  *int // past bookings only: attendance recorded
	Weekly    int  // future bookings only: occurrences of a weekly series (0: once)
	Approve   bool // future bookings only: approved by the venue's unit
}

// Occurrences are the starts of the booking's occurrences: one, or Weekly.
func (b PlannedBooking) Occurrences() []time.Time {
	if b.Weekly == 0 {
		return []time.Time{b.Start}
	}
	out := make([]time.Time, b.Weekly)
	for i := range out {
		out[i] = b.Start.AddDate(0, 0, 7*i) // AddDate keeps the local wall time
	}
	return out
}

// Plan is when the demo data books and meets, for a load at one instant.
type Plan struct {
	Now      time.Time
	Location *time.Location
	Past     []PlannedBooking // booked before now, written through the store
	Future   []PlannedBooking // requested through the booking service at now
	Meetings []time.Time      // starts of the monthly joint meetings, oldest first
	// Closures are the elderly centre's National Day closures (last year's,
	// this year's and next year's).
	Closures []booking.Exception
}

// TimeZone is the demo sub-district's time zone.
const TimeZone = "Asia/Shanghai"

// intended is a demo booking at its intended offset in days from today.
type intended struct {
	venue     string
	committee int
	offset    int
	hour, dur int
	purpose   string
	expected  int
	attended  *int
	weekly    int
	approve   bool
}

// pastBookings were held in the weeks before the load; those with attendance
// are completed, the others approved and waiting for it.
var pastBookings = []intended{
	{venue: "hnig", committee: 0, offset: -21, hour: 19, dur: 2, purpose: "社区居民议事会", expected: 120, attended: ptr(135)},
	{venue: "hnig", committee: 1, offset: -14, hour: 19, dur: 2, purpose: "党史学习教育讲座", expected: 180, attended: ptr(162)},
	{venue: "water", committee: 3, offset: -10, hour: 14, dur: 3, purpose: "重阳节敬老活动", expected: 100, attended: ptr(96)},
	{venue: "forestry", committee: 6, offset: -9, hour: 9, dur: 2, purpose: "网格员业务培训", expected: 35, attended: ptr(33)},
	{venue: "hjt-property", committee: 0, offset: -7, hour: 19, dur: 2, purpose: "小区联席会议", expected: 40, attended: ptr(38)},
	{venue: "hjt-school", committee: 0, offset: -6, hour: 9, dur: 3, purpose: "社区趣味运动会", expected: 300, attended: ptr(342)},
	{venue: "dt-store", committee: 1, offset: -5, hour: 14, dur: 2, purpose: "消费维权宣传", expected: 120, attended: ptr(88)},
	{venue: "hnig", committee: 2, offset: -3, hour: 19, dur: 2, purpose: "文艺汇演彩排", expected: 150},
	{venue: "fr-hotel", committee: 5, offset: -2, hour: 14, dur: 2, purpose: "大党委季度联席会议", expected: 60},
}

// futureBookings are requested for the coming weeks, some approved and some
// still pending, two of them weekly series.
var futureBookings = []intended{
	{venue: "hnig", committee: 0, offset: 3, hour: 19, dur: 2, purpose: "社区居民议事会", expected: 150, approve: true},
	{venue: "hnig", committee: 4, offset: 9, hour: 19, dur: 2, purpose: "垃圾分类宣讲", expected: 100},
	{venue: "hnig", committee: 7, offset: 12, hour: 15, dur: 2, purpose: "周末亲子阅读", expected: 80},
	{venue: "water", committee: 3, offset: 2, hour: 14, dur: 2, purpose: "老年人智能手机培训", expected: 60, weekly: 8, approve: true},
	{venue: "forestry", committee: 6, offset: 4, hour: 9, dur: 2, purpose: "网格员例会", expected: 30},
	{venue: "hjt-school", committee: 0, offset: 5, hour: 9, dur: 2, purpose: "周末篮球友谊赛", expected: 120},
	{venue: "cs-urban", committee: 4, offset: 1, hour: 20, dur: 3, purpose: "广场舞活动停车", expected: 60},
	{venue: "jx-culture", committee: 8, offset: 6, hour: 19, dur: 2, purpose: "社区合唱团排练", expected: 50, weekly: 6, approve: true},
	{venue: "hjt-property", committee: 0, offset: 8, hour: 19, dur: 2, purpose: "小区联席会议", expected: 40},
}

// searchDays bounds how far Plan moves a booking from its intended day.
const searchDays = 30

// venueByKey returns the demo venue offered by the unit key.
func venueByKey(key string) (Venue, bool) {
	for _, v := range Venues {
		if v.UnitKey == key {
			return v, true
		}
	}
	return Venue{}, false
}

// Rules are the booking rules the loader gives a demo venue.
func (dv Venue) Rules() booking.Rules {
	r := booking.DefaultRules()
	r.RequiresApproval, r.BufferMinutes, r.MinNoticeMinutes = dv.Approval, dv.BufferMinutes, 60
	return r
}

// Model is the demo venue as the booking rules see it once loaded.
func (dv Venue) Model() booking.Venue {
	return booking.Venue{Name: dv.Name, Kind: dv.Kind, Capacity: dv.Capacity, TimeZone: TimeZone, Active: true, Rules: dv.Rules(), UnitID: dv.UnitKey}
}

// nationalDays are the elderly centre's closures around now: 1 October of
// last year, this year and next year.
func nationalDays(now time.Time, loc *time.Location) []booking.Exception {
	y := now.In(loc).Year()
	var out []booking.Exception
	for _, year := range []int{y - 1, y, y + 1} {
		out = append(out, booking.Exception{Day: time.Date(year, 10, 1, 0, 0, 0, 0, time.UTC), Closed: true, Note: "国庆节闭馆"})
	}
	return out
}

// Schedule is what a demo venue's calendar holds under a plan: its hours,
// its dated exceptions and the plan's bookings there other than skip.
func (p Plan) Schedule(venue string, skip *PlannedBooking) booking.Schedule {
	dv, _ := venueByKey(venue)
	sch := booking.Schedule{Hours: dv.Hours}
	if venue == "water" {
		sch.Exceptions = p.Closures
	}
	add := func(bs []PlannedBooking, future bool) {
		for i := range bs {
			b := &bs[i]
			if b == skip || b.Venue != venue {
				continue
			}
			sch.Bookings = append(sch.Bookings, b.Bookings(future)...)
		}
	}
	add(p.Past, false)
	add(p.Future, true)
	return sch
}

// Bookings are the booking records b stands for, as the rules compare them.
func (b PlannedBooking) Bookings(future bool) []booking.Booking {
	dv, _ := venueByKey(b.Venue)
	status := booking.Approved
	if future && dv.Approval && !b.Approve {
		status = booking.Pending
	}
	length := b.End.Sub(b.Start)
	buffer := time.Duration(dv.BufferMinutes) * time.Minute
	var out []booking.Booking
	for _, s := range b.Occurrences() {
		out = append(out, booking.Booking{VenueID: b.Venue, CommitteeID: fmt.Sprint(b.Committee), Start: s, End: s.Add(length),
			HeldEnd: s.Add(length + buffer), Purpose: b.Purpose, ExpectedAttendees: b.Expected, Status: status})
	}
	return out
}

// Check tells why b, a booking of the plan, breaks a booking rule, or nil.
// A past booking is checked as it was when requested a day before it, and
// must have ended by now; a future one is checked at now, every occurrence.
func (p Plan) Check(b *PlannedBooking, future bool) error {
	dv, ok := venueByKey(b.Venue)
	if !ok {
		return fmt.Errorf("no demo venue %q", b.Venue)
	}
	v := dv.Model()
	if probs := booking.CheckRequest(v, booking.Request{CommitteeID: fmt.Sprint(b.Committee), Start: b.Start, End: b.End,
		ExpectedAttendees: b.Expected}); len(probs) > 0 {
		return probs
	}
	sch := p.Schedule(b.Venue, b)
	for _, occ := range b.Bookings(future) {
		asOf := p.Now
		if !future {
			if occ.End.After(p.Now) {
				return fmt.Errorf("%s has not ended by %s", occ.Start.Format(time.RFC3339), p.Now.Format(time.RFC3339))
			}
			asOf = occ.Start.AddDate(0, 0, -1)
		}
		if probs := booking.CheckOccurrence(v, sch, nil, occ, asOf); len(probs) > 0 {
			return fmt.Errorf("%s: %w", occ.Start.In(p.Location).Format("2006-01-02 15:04 Mon"), probs)
		}
	}
	return nil
}

// NewPlan places the demo data for a load at now.
func NewPlan(now time.Time) (Plan, error) {
	loc, err := time.LoadLocation(TimeZone)
	if err != nil {
		return Plan{}, err
	}
	p := Plan{Now: now, Location: loc, Closures: nationalDays(now, loc)}
	today := now.In(loc)
	for _, group := range []struct {
		list   []intended
		future bool
	}{{pastBookings, false}, {futureBookings, true}} {
		for _, in := range group.list {
			b := PlannedBooking{Venue: in.venue, Committee: in.committee, Purpose: in.purpose, Expected: in.expected,
				Attended: in.attended, Weekly: in.weekly, Approve: in.approve}
			placed := false
			for _, d := range nearest(in.offset, group.future) {
				b.Start = time.Date(today.Year(), today.Month(), today.Day()+d, in.hour, 0, 0, 0, loc)
				b.End = b.Start.Add(time.Duration(in.dur) * time.Hour)
				list := &p.Past
				if group.future {
					list = &p.Future
				}
				*list = append(*list, b)
				if p.Check(&(*list)[len(*list)-1], group.future) == nil {
					placed = true
					break
				}
				*list = (*list)[:len(*list)-1]
			}
			if !placed {
				return p, fmt.Errorf("no day within %d days of %+d suits %s at %s", searchDays, in.offset, in.purpose, in.venue)
			}
		}
	}
	// The working committee meets on the 10th of each of the past six
	// months, or on the nearest weekday.
	for i := 6; i >= 1; i-- {
		tenth := time.Date(today.Year(), today.Month()-time.Month(i), 10, 15, 0, 0, 0, loc)
		for _, d := range []int{0, 1, -1, 2, -2} {
			day := tenth.AddDate(0, 0, d)
			if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
				p.Meetings = append(p.Meetings, day)
				break
			}
		}
	}
	return p, nil
}

// nearest lists day offsets by their distance from want, the later first on
// a tie, keeping to the future (from today) or the past (before today).
func nearest(want int, future bool) []int {
	var out []int
	for k := 0; k <= searchDays; k++ {
		for _, d := range []int{want + k, want - k} {
			if (future && d < 0) || (!future && d >= 0) || (k == 0 && len(out) > 0 && out[len(out)-1] == d) {
				continue
			}
			out = append(out, d)
		}
	}
	return out
}

// Key names the data a load under p writes, for caching a loaded database:
// two instants with the same key load the same rows.
func (p Plan) Key() string {
	h := sha256.New()
	fmt.Fprintln(h, p.Now.In(p.Location).Year())
	for _, list := range [][]PlannedBooking{p.Past, p.Future} {
		for _, b := range list {
			fmt.Fprintln(h, b.Venue, b.Start.Unix(), b.End.Unix())
		}
	}
	for _, m := range p.Meetings {
		fmt.Fprintln(h, m.Unix())
	}
	return hex.EncodeToString(h.Sum(nil))[:10]
}
