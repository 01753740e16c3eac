package meeting_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"cogov/internal/booking"
	"cogov/internal/lists"
	"cogov/internal/meeting"
	"cogov/internal/problem"
	"cogov/internal/structure"
	"cogov/internal/testworld"
)

var want = testworld.WantFirst

// TestMeetingRules covers the rules and transitions of joint meetings.
func TestMeetingRules(t *testing.T) {
	t.Parallel()
	tw := testworld.NewTown(t)
	sys := tw.Sys
	svc := tw.Meetings
	seat := tw.P1Seat()
	venue := tw.Venue()
	// An ended seat is not invited by default.
	p2, err := tw.Structure.CreateMembership(sys, structure.NewMembership{CommitteeID: tw.PC, PersonID: tw.P2, Role: structure.RoleMember,
		TermStart: testworld.Day("2020-01-01"), TermEnd: ptr(testworld.Day("2020-12-31"))})
	tw.Must(err)
	otherCommittee, err := tw.Structure.CreateCommittee(sys, structure.NewCommittee{SubdistrictID: tw.OtherSD, Kind: structure.WorkingCommittee, Name: "他大工委"})
	tw.Must(err)
	start, end := tw.Slot()
	base := func() meeting.Schedule {
		return meeting.Schedule{ConvenerIDs: []string{tw.PC}, Title: "联席会议", Start: start, End: end}
	}
	with := func(f func(*meeting.Schedule)) meeting.Schedule {
		in := base()
		f(&in)
		return in
	}
	nightVenue := tw.VenueHours(testworld.AllWeek(9*60, 17*60))
	before := tw.AuditCount()
	for _, c := range []struct {
		name  string
		input meeting.Schedule
		code  problem.Code
	}{
		{"blank title", with(func(in *meeting.Schedule) { in.Title = " " }), problem.Blank},
		{"ends before it starts", with(func(in *meeting.Schedule) { in.End = start }), problem.InvalidInput},
		{"no convener", with(func(in *meeting.Schedule) { in.ConvenerIDs = []string{} }), problem.InvalidInput},
		{"convener twice", with(func(in *meeting.Schedule) { in.ConvenerIDs = []string{tw.PC, tw.PC} }), problem.InvalidInput},
		{"unknown convener", with(func(in *meeting.Schedule) { in.ConvenerIDs = []string{tw.Unit} }), problem.NotFound},
		{"conveners of two sub-districts", with(func(in *meeting.Schedule) { in.ConvenerIDs = []string{tw.PC, otherCommittee.ID} }), problem.WrongSubdistrict},
		{"unknown invitee", with(func(in *meeting.Schedule) { in.InviteeMembershipIDs = []string{tw.PC} }), problem.NotFound},
		{"agenda item too long", with(func(in *meeting.Schedule) {
			in.Agenda = []meeting.AgendaInput{{Title: "议题", DurationMinutes: ptr(2000)}}
		}), problem.InvalidInput},
		{"too many months", with(func(in *meeting.Schedule) { in.MonthlyOccurrences = 13 }), problem.InvalidInput},
		{"venue at night is closed", with(func(in *meeting.Schedule) {
			in.VenueID = &nightVenue
			night := time.Date(start.Year(), start.Month(), start.Day(), 22, 0, 0, 0, time.FixedZone("CST", 8*3600))
			in.Start, in.End = night, night.Add(time.Hour)
		}), problem.OutsideOpeningHours},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := svc.ScheduleJointMeeting(sys, c.input)
			want(t, c.name, err, c.code)
		})
	}
	if tw.AuditCount() != before {
		t.Errorf("refused schedules wrote to the audit log")
	}

	// By default the current members of the conveners are invited (p1's seat only).
	ms, err := svc.ScheduleJointMeeting(sys, with(func(in *meeting.Schedule) { in.VenueID = &venue }))
	want(t, "schedule with a venue", err, "")
	if err != nil {
		t.FailNow()
	}
	mt := ms[0]
	var invited []string
	var inv string
	tw.SysRow(`SELECT array_agg(membership_id::text), min(id::text) FROM invitation WHERE meeting_id = $1`, mt.ID).Scan(&invited, &inv)
	if len(invited) != 1 || invited[0] != seat {
		t.Errorf("default invitees: %v, want p1's seat %s and not the ended seat %s", invited, seat, p2.ID)
	}
	_, err = svc.Respond(sys, inv, meeting.Pending)
	want(t, "answer PENDING", err, problem.InvalidInput)
	_, err = svc.RecordOutcome(sys, mt.ID, meeting.Outcome{AttendeeMembershipIDs: []string{}})
	want(t, "outcome before the start", err, problem.InvalidState)
	// Cancelling releases the booking; then nothing more may change.
	_, err = svc.Cancel(sys, mt.ID, "")
	want(t, "cancel without reason", err, problem.Blank)
	_, err = svc.Cancel(sys, mt.ID, "改期")
	want(t, "cancel", err, "")
	if n := tw.Count(`SELECT count(*) FROM booking b JOIN joint_meeting j ON j.booking_id = b.id WHERE j.id = $1 AND b.status = 'CANCELLED'`, mt.ID); n != 1 {
		t.Errorf("the cancelled meeting's booking was not released")
	}
	_, err = svc.Cancel(sys, mt.ID, "改期")
	want(t, "cancel twice", err, problem.InvalidState)
	_, err = svc.Respond(sys, inv, meeting.Accepted)
	want(t, "answer a cancelled meeting", err, problem.InvalidState)
	_, err = svc.RecordOutcome(sys, mt.ID, meeting.Outcome{AttendeeMembershipIDs: []string{}})
	want(t, "record a cancelled meeting", err, problem.InvalidState)
	// The freed slot can be booked again.
	_, err = svc.ScheduleJointMeeting(sys, with(func(in *meeting.Schedule) { in.VenueID = &venue }))
	want(t, "the slot is free again", err, "")

	// A held meeting cannot be cancelled; recording again adds resolutions.
	held, _ := tw.Meeting()
	rec := meeting.Outcome{AttendeeMembershipIDs: []string{seat}, Minutes: "纪要", Resolutions: []string{"一"}}
	_, err = svc.RecordOutcome(sys, held, rec)
	want(t, "record", err, "")
	rec.Resolutions = []string{"二"}
	_, err = svc.RecordOutcome(sys, held, rec)
	want(t, "record again", err, "")
	if n := tw.Count(`SELECT count(*) FROM resolution WHERE meeting_id = $1`, held); n != 2 {
		t.Errorf("%d resolutions, want 2", n)
	}
	_, err = svc.Cancel(sys, held, "x")
	want(t, "cancel a held meeting", err, problem.InvalidState)

	// A monthly series books every month or nothing.
	first := time.Date(start.Year(), start.Month(), 5, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)).AddDate(0, 1, 0)
	series := meeting.Schedule{ConvenerIDs: []string{tw.PC}, Title: "月度联席会议", Start: first, End: first.Add(time.Hour), VenueID: &venue, MonthlyOccurrences: 3}
	blocker, err := tw.Bookings.RequestBooking(sys, booking.Request{VenueID: venue, CommitteeID: tw.PC, Start: first.AddDate(0, 2, 0),
		End: first.AddDate(0, 2, 0).Add(time.Hour), Purpose: "占用", ExpectedAttendees: 5})
	tw.Must(err)
	before = tw.AuditCount()
	_, err = svc.ScheduleJointMeeting(sys, series)
	want(t, "series with a taken month", err, problem.BookingConflict)
	if tw.AuditCount() != before {
		t.Errorf("a refused series wrote something")
	}
	_, err = tw.Bookings.Cancel(sys, blocker.Bookings[0].ID, nil, "让出", booking.ScopeOccurrence)
	tw.Must(err)
	_, err = svc.ScheduleJointMeeting(sys, series)
	want(t, "series", err, "")
	if n := tw.Count(`SELECT count(*) FROM joint_meeting WHERE series_id IS NOT NULL AND booking_id IS NOT NULL AND title = '月度联席会议'`); n != 3 {
		t.Errorf("%d meetings in the series, want 3", n)
	}
}

// TestMeetingAgenda replaces a planned meeting's agenda: the new items in
// order, then the item that takes up an escalated need; broken items and a
// held meeting are refused.
func TestMeetingAgenda(t *testing.T) {
	t.Parallel()
	tw := testworld.NewTown(t)
	sys, svc := tw.Sys, tw.Meetings
	mt, _ := tw.Meeting()
	need, err := tw.Lists.PostNeed(sys, lists.NewNeed{CommitteeID: tw.PC, Title: "停车难", Category: lists.Other})
	tw.Must(err)
	_, err = tw.Lists.Escalate(sys, need.ID, "", &mt)
	want(t, "escalate onto the meeting", err, "")

	seat := tw.P1Seat()
	_, err = svc.SetAgenda(sys, mt, []meeting.AgendaInput{{Title: "甲议题"}, {Title: " 乙议题 ", DurationMinutes: ptr(30), PresenterMembershipID: &seat}})
	want(t, "set the agenda", err, "")
	agendas, err := tw.Store.Agendas(sys, []string{mt})
	tw.Must(err)
	var got []string
	for _, item := range agendas[mt] {
		label := fmt.Sprintf("%v:%v", item.Position, item.Title)
		if item.NeedID != nil {
			label += ":need"
		}
		got = append(got, label)
	}
	if len(got) != 3 || got[0] != "1:甲议题" || got[1] != "2:乙议题" || !strings.HasPrefix(got[2], "3:") || !strings.HasSuffix(got[2], ":need") {
		t.Errorf("agenda = %v, want the two new items and then the need's", got)
	}

	before := tw.AuditCount()
	_, err = svc.SetAgenda(sys, mt, []meeting.AgendaInput{{Title: " "}})
	want(t, "blank title", err, problem.Blank)
	_, err = svc.SetAgenda(sys, mt, []meeting.AgendaInput{{Title: "丙", PresenterMembershipID: &tw.PC}})
	want(t, "presenter not a seat", err, problem.NotFound)
	if tw.AuditCount() != before {
		t.Errorf("refused agendas wrote to the audit log")
	}
	_, err = svc.RecordOutcome(sys, mt, meeting.Outcome{AttendeeMembershipIDs: []string{}, Minutes: "纪要"})
	want(t, "record", err, "")
	_, err = svc.SetAgenda(sys, mt, []meeting.AgendaInput{})
	want(t, "agenda of a held meeting", err, problem.InvalidState)
}

func ptr[T any](v T) *T { return &v }
