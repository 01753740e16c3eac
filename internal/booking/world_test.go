package booking_test

import (
	"context"
	"testing"
	"time"

	"cogov/internal/booking"
	"cogov/internal/structure"
	"cogov/internal/testworld"
)

var shanghai = testworld.Shanghai

// world is a small sub-district with one venue and two committees that book
// it, built for one test.
type world struct {
	*testworld.World
	sd         structure.Subdistrict
	unit       structure.Unit
	committees []structure.Committee
	venue      booking.Venue
	admins     []context.Context // an administrator of each committee
	owner      context.Context   // an administrator of the unit that offers the venue
}

// weekHours are the venue's weekly hours: weekdays 08:00–12:00 and
// 14:00–22:00; nights from 22:00 to 24:00 on Fridays and 00:00–02:00 on Saturdays.
func weekHours() []booking.Hours {
	hours := []booking.Hours{{Weekday: 6, Opens: 0, Closes: 120}, {Weekday: 5, Opens: 22 * 60, Closes: 1440}}
	for d := 1; d <= 5; d++ {
		hours = append(hours, booking.Hours{Weekday: d, Opens: 8 * 60, Closes: 12 * 60}, booking.Hours{Weekday: d, Opens: 14 * 60, Closes: 22 * 60})
	}
	return hours
}

// newWorld builds the sub-district: a unit offering a meeting room for 50
// with weekHours, whose bookings need approval, keep 30 minutes of
// changeover time, need two hours' notice and go up to 60 days ahead; and
// two compound party branches of one community.
func newWorld(t *testing.T) *world {
	t.Helper()
	tw := testworld.New(t)
	w := &world{World: tw}
	sys, s := tw.Sys, tw.Structure
	var err error
	w.sd, err = s.CreateSubdistrict(sys, structure.NewSubdistrict{Code: "testsd", Name: "测试街道", TimeZone: "Asia/Shanghai"})
	w.Must(err)
	c, err := s.CreateCommunity(sys, structure.NewCommunity{SubdistrictID: w.sd.ID, Code: "c1", Name: "一社区"})
	w.Must(err)
	w.unit, err = s.CreateUnit(sys, structure.NewUnit{SubdistrictID: w.sd.ID, Name: "某单位", Kind: structure.UnitOther, CommunityID: &c.ID})
	w.Must(err)
	for _, n := range []string{"甲", "乙"} {
		k, err := s.CreateCommittee(sys, structure.NewCommittee{SubdistrictID: w.sd.ID, Name: n + "支部", Kind: structure.CompoundPartyBranch, CommunityID: &c.ID})
		w.Must(err)
		w.committees = append(w.committees, k)
		w.admins = append(w.admins, tw.CommitteeAdmin(k.ID, w.sd.ID))
	}
	w.owner = tw.UnitAdmin(w.unit.ID, w.sd.ID)
	area := 100.0
	w.venue, err = w.Bookings.CreateVenue(sys, booking.NewVenue{UnitID: w.unit.ID, CommunityID: c.ID, Name: "会议室", Kind: booking.KindMeetingRoom,
		AreaSqm: &area, Capacity: 50, Facilities: []string{"投影仪", " 投影仪", "空调"}})
	w.Must(err)
	_, err = w.Bookings.SetOpeningHours(sys, w.venue.ID, weekHours(), nil)
	w.Must(err)
	r := booking.DefaultRules()
	r.RequiresApproval, r.BufferMinutes, r.MinNoticeMinutes, r.MaxDaysAhead = true, 30, 120, 60
	w.venue, err = w.Bookings.SetBookingRules(sys, w.venue.ID, r)
	w.Must(err)
	return w
}

// req asks for the venue for committee k from start for minutes.
func (w *world) req(k int, start time.Time, minutes int) booking.Request {
	return booking.Request{VenueID: w.venue.ID, CommitteeID: w.committees[k].ID, Start: start, End: start.Add(time.Duration(minutes) * time.Minute),
		Purpose: "议事", ExpectedAttendees: 10}
}

// committeeAdmin acts as the administrator of committee k.
func (w *world) committeeAdmin(k int) context.Context { return w.admins[k] }

// unitAdmin acts as the administrator of the unit that offers the venue.
func (w *world) unitAdmin() context.Context { return w.owner }

// nextWeekday is testworld.NextWeekday from the world's present.
func (w *world) nextWeekday(n int, wd time.Weekday, h, m int) time.Time {
	return testworld.NextWeekday(w.Now(), n, wd, h, m)
}

func (w *world) countBookings() int {
	w.T.Helper()
	return w.Count(`SELECT count(*) FROM booking`)
}
