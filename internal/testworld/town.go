package testworld

import (
	"context"
	"testing"
	"time"

	"cogov/internal/booking"
	"cogov/internal/lists"
	"cogov/internal/meeting"
	"cogov/internal/structure"
)

// Town is a small sub-district, "testsd" in Asia/Shanghai, with a record of
// each kind, and a second sub-district beside it; the GraphQL tests' fixture
// holds the same records. Its builders make what a test needs next.
type Town struct {
	*World
	SD        string // the sub-district "testsd"
	OtherSD   string // another sub-district, "othersd"
	C1, C2    string // two communities of SD
	WC        string // SD's working committee
	PC        string // C1's community party committee
	Unit      string // a provincial agency stationed in SD
	OtherUnit string // a unit of OtherSD
	P1        string // people of SD
	P2        string
	P3        string
	// Admin administers SD.
	Admin  context.Context
	p1Seat string
}

// NewTown builds a Town in a new World.
func NewTown(t testing.TB) *Town {
	t.Helper()
	return New(t).Town()
}

// Town builds the records of a Town in w, as its administrators would.
func (w *World) Town() *Town {
	w.T.Helper()
	s := w.Structure
	tw := &Town{World: w}
	sd, err := s.CreateSubdistrict(w.Sys, structure.NewSubdistrict{Code: "testsd", Name: "测试街道", TimeZone: "Asia/Shanghai"})
	w.Must(err)
	other, err := s.CreateSubdistrict(w.Sys, structure.NewSubdistrict{Code: "othersd", Name: "另一街道", TimeZone: "Asia/Shanghai"})
	w.Must(err)
	tw.SD, tw.OtherSD = sd.ID, other.ID
	tw.Admin = w.SubdistrictAdmin(sd.ID)
	a := tw.Admin
	c1, err := s.CreateCommunity(a, structure.NewCommunity{SubdistrictID: sd.ID, Code: "c1", Name: "一社区"})
	w.Must(err)
	c2, err := s.CreateCommunity(a, structure.NewCommunity{SubdistrictID: sd.ID, Code: "c2", Name: "二社区"})
	w.Must(err)
	tw.C1, tw.C2 = c1.ID, c2.ID
	wc, err := s.CreateCommittee(a, structure.NewCommittee{SubdistrictID: sd.ID, Kind: structure.WorkingCommittee, Name: "大工委"})
	w.Must(err)
	pc, err := s.CreateCommittee(a, structure.NewCommittee{SubdistrictID: sd.ID, Kind: structure.CommunityPartyCommittee, CommunityID: &tw.C1, Name: "一社区大党委"})
	w.Must(err)
	tw.WC, tw.PC = wc.ID, pc.ID
	u, err := s.CreateUnit(a, structure.NewUnit{SubdistrictID: sd.ID, Name: "省某局", Kind: structure.UnitProvincialAgency})
	w.Must(err)
	ou, err := s.CreateUnit(w.SubdistrictAdmin(other.ID), structure.NewUnit{SubdistrictID: other.ID, Name: "别处单位", Kind: structure.UnitOther})
	w.Must(err)
	tw.Unit, tw.OtherUnit = u.ID, ou.ID
	for _, p := range []struct {
		id   *string
		name string
	}{{&tw.P1, "张三"}, {&tw.P2, "李四"}, {&tw.P3, "王五"}} {
		person, err := s.CreatePerson(a, structure.NewPerson{SubdistrictID: sd.ID, Name: p.name})
		w.Must(err)
		*p.id = person.ID
	}
	return tw
}

// Seat seats a person on a committee of the Town as a full-time member from
// the day start to the day end ("" for open-ended) and returns the seat.
func (tw *Town) Seat(committee, person, start, end string) string {
	tw.T.Helper()
	in := structure.NewMembership{CommitteeID: committee, PersonID: person, Role: structure.RoleMember, TermStart: Day(start)}
	if end != "" {
		e := Day(end)
		in.TermEnd = &e
	}
	m, err := tw.Structure.CreateMembership(tw.Sys, in)
	tw.Must(err)
	return m.ID
}

// P1Seat is P1's seat on PC since 2024-01-01, made the first time it is asked for.
func (tw *Town) P1Seat() string {
	tw.T.Helper()
	if tw.p1Seat == "" {
		tw.p1Seat = tw.Seat(tw.PC, tw.P1, "2024-01-01", "")
	}
	return tw.p1Seat
}

// AllWeek is weekly hours open every day from opens to closes (minutes after midnight).
func AllWeek(opens, closes int) []booking.Hours {
	var hours []booking.Hours
	for d := 1; d <= 7; d++ {
		hours = append(hours, booking.Hours{Weekday: d, Opens: opens, Closes: closes})
	}
	return hours
}

// Venue creates a meeting room of the Town's unit in C1 for 50 people, open
// around the clock, whose bookings need approval, last 30 minutes to 8
// hours, may be made right up to the start and up to a year ahead, with no
// changeover time, by every committee of the sub-district.
func (tw *Town) Venue() string {
	tw.T.Helper()
	return tw.VenueHours(AllWeek(0, 24*60))
}

// VenueHours is Venue open by the weekly hours given.
func (tw *Town) VenueHours(hours []booking.Hours) string {
	tw.T.Helper()
	v, err := tw.Bookings.CreateVenue(tw.Sys, booking.NewVenue{UnitID: tw.Unit, CommunityID: tw.C1, Name: tw.Unique("场地"),
		Kind: booking.KindMeetingRoom, Capacity: 50})
	tw.Must(err)
	_, err = tw.Bookings.SetOpeningHours(tw.Sys, v.ID, hours, nil)
	tw.Must(err)
	_, err = tw.Bookings.SetBookingRules(tw.Sys, v.ID, booking.Rules{RequiresApproval: true, MinDurationMinutes: 30, MaxDurationMinutes: 480,
		MinNoticeMinutes: 0, MaxDaysAhead: 365, BufferMinutes: 0, Eligibility: booking.AllCommittees})
	tw.Must(err)
	return v.ID
}

// Slot is a fresh hour on the hour a few days ahead: no two calls of a world
// return overlapping ones.
func (tw *Town) Slot() (time.Time, time.Time) {
	day := tw.Now().Add(time.Duration(48+24*tw.seq.Add(1)) * time.Hour).Truncate(time.Hour)
	return day, day.Add(time.Hour)
}

// Meeting schedules a meeting of PC, without a venue, that started an hour
// ago (so that its outcome may be recorded) and returns it and P1's invitation.
func (tw *Town) Meeting() (meetingID, invitationID string) {
	tw.T.Helper()
	seat := tw.P1Seat()
	start := tw.Now().Add(-time.Hour).Truncate(time.Minute)
	ms, err := tw.Meetings.ScheduleJointMeeting(tw.Sys, meeting.Schedule{ConvenerIDs: []string{tw.PC}, Title: tw.Unique("会议"),
		Start: start, End: start.Add(2 * time.Hour)})
	tw.Must(err)
	tw.SysRow(`SELECT id FROM invitation WHERE meeting_id = $1 AND membership_id = $2`, ms[0].ID, seat).Scan(&invitationID)
	return ms[0].ID, invitationID
}

// Need posts a need of PC and returns it.
func (tw *Town) Need() string {
	tw.T.Helper()
	n, err := tw.Lists.PostNeed(tw.Sys, lists.NewNeed{CommitteeID: tw.PC, Title: tw.Unique("需求"), Category: lists.Youth})
	tw.Must(err)
	return n.ID
}

// Offer posts an offer of the Town's unit and returns it.
func (tw *Town) Offer() string {
	tw.T.Helper()
	o, err := tw.Lists.PostOffer(tw.Sys, lists.NewOffer{UnitID: tw.Unit, Title: tw.Unique("资源"), Category: lists.Venue})
	tw.Must(err)
	return o.ID
}
