package graph_test

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// want checks a payload's first userError code ("" for success).
func want(t *testing.T, what string, p map[string]any, code string) {
	t.Helper()
	got := ""
	if cs := errCodes(p); len(cs) > 0 {
		got = cs[0]
	}
	if got != code {
		t.Errorf("%s: got %q (%v), want %q", what, got, p["userErrors"], code)
	}
}

func id(p map[string]any, key string) string {
	if v, ok := p[key].(map[string]any); ok {
		return v["id"].(string)
	}
	return ""
}

// TestMeetingRules covers the rules and transitions of joint meetings.
func TestMeetingRules(t *testing.T) {
	t.Parallel()
	m := newMatrix(t)
	sys := m.e.system()
	seat := m.p1Seat()
	// An ended seat is not invited by default.
	sys.ok("CreateMembership", "membership", map[string]any{"committeeId": m.pc, "personId": m.p2, "role": "MEMBER", "partTime": false,
		"termStart": "2020-01-01", "termEnd": "2020-12-31"})
	otherCommittee := sys.ok("CreateCommittee", "committee", map[string]any{"subdistrictId": m.other, "kind": "SUBDISTRICT_WORKING_COMMITTEE", "name": "他大工委"})
	start, end := m.slot()
	base := func() map[string]any {
		return map[string]any{"convenerIds": []string{m.pc}, "title": "联席会议", "startsAt": start, "endsAt": end}
	}
	with := func(k string, v any) map[string]any {
		in := base()
		in[k] = v
		return in
	}
	nightVenue := m.newVenueHours("09:00", "17:00")
	before := m.e.auditCount()
	for _, c := range []struct {
		name  string
		input map[string]any
		code  string
	}{
		{"blank title", with("title", " "), "BLANK"},
		{"ends before it starts", with("endsAt", start), "INVALID_INPUT"},
		{"no convener", with("convenerIds", []string{}), "INVALID_INPUT"},
		{"convener twice", with("convenerIds", []string{m.pc, m.pc}), "INVALID_INPUT"},
		{"unknown convener", with("convenerIds", []string{m.unit}), "NOT_FOUND"},
		{"conveners of two sub-districts", with("convenerIds", []string{m.pc, otherCommittee}), "WRONG_SUBDISTRICT"},
		{"unknown invitee", with("inviteeMembershipIds", []string{m.pc}), "NOT_FOUND"},
		{"agenda item too long", with("agenda", []map[string]any{{"title": "议题", "durationMinutes": 2000}}), "INVALID_INPUT"},
		{"too many months", with("monthlyOccurrences", 13), "INVALID_INPUT"},
		{"venue at night is closed", func() map[string]any {
			in := with("venueId", nightVenue)
			s, _ := time.Parse(time.RFC3339, start)
			night := time.Date(s.Year(), s.Month(), s.Day(), 22, 0, 0, 0, time.FixedZone("CST", 8*3600))
			in["startsAt"], in["endsAt"] = night.Format(time.RFC3339), night.Add(time.Hour).Format(time.RFC3339)
			return in
		}(), "OUTSIDE_OPENING_HOURS"},
	} {
		want(t, c.name, sys.payload(meetingOps, "ScheduleJointMeeting", c.input), c.code)
	}
	if m.e.auditCount() != before {
		t.Errorf("refused schedules wrote to the audit log")
	}

	// By default the current members of the conveners are invited (p1's seat only).
	var n int
	p := sys.payload(meetingOps, "ScheduleJointMeeting", with("venueId", m.venue))
	want(t, "schedule with a venue", p, "")
	meeting := id(p, "meeting")
	invs := p["meeting"].(map[string]any)["invitations"].(map[string]any)["edges"].([]any)
	if len(invs) != 1 || invs[0].(map[string]any)["node"].(map[string]any)["membership"].(map[string]any)["id"] != seat {
		t.Errorf("default invitees: %v", invs)
	}
	inv := invs[0].(map[string]any)["node"].(map[string]any)["id"].(string)
	want(t, "answer PENDING", sys.payload(meetingOps, "RespondToInvitation", map[string]any{"invitationId": inv, "response": "PENDING"}), "INVALID_INPUT")
	want(t, "outcome before the start", sys.payload(meetingOps, "RecordMeetingOutcome", map[string]any{"meetingId": meeting, "attendeeMembershipIds": []string{}, "minutes": ""}), "INVALID_STATE")
	// Cancelling releases the booking; then nothing more may change.
	want(t, "cancel without reason", sys.payload(meetingOps, "CancelJointMeeting", map[string]any{"meetingId": meeting, "reason": ""}), "BLANK")
	want(t, "cancel", sys.payload(meetingOps, "CancelJointMeeting", map[string]any{"meetingId": meeting, "reason": "改期"}), "")
	m.e.sysScan(`SELECT count(*) FROM booking b JOIN joint_meeting j ON j.booking_id = b.id WHERE j.id = '`+rawID(t, meeting)+`' AND b.status = 'CANCELLED'`, &n)
	if n != 1 {
		t.Errorf("the cancelled meeting's booking was not released")
	}
	want(t, "cancel twice", sys.payload(meetingOps, "CancelJointMeeting", map[string]any{"meetingId": meeting, "reason": "改期"}), "INVALID_STATE")
	want(t, "answer a cancelled meeting", sys.payload(meetingOps, "RespondToInvitation", map[string]any{"invitationId": inv, "response": "ACCEPTED"}), "INVALID_STATE")
	want(t, "record a cancelled meeting", sys.payload(meetingOps, "RecordMeetingOutcome", map[string]any{"meetingId": meeting, "attendeeMembershipIds": []string{}, "minutes": ""}), "INVALID_STATE")
	// The freed slot can be booked again.
	want(t, "the slot is free again", sys.payload(meetingOps, "ScheduleJointMeeting", with("venueId", m.venue)), "")

	// A held meeting cannot be cancelled; recording again adds resolutions.
	held, _ := m.meeting()
	rec := map[string]any{"meetingId": held, "attendeeMembershipIds": []string{seat}, "minutes": "纪要", "resolutions": []string{"一"}}
	want(t, "record", sys.payload(meetingOps, "RecordMeetingOutcome", rec), "")
	rec["resolutions"] = []string{"二"}
	want(t, "record again", sys.payload(meetingOps, "RecordMeetingOutcome", rec), "")
	m.e.sysScan(`SELECT count(*) FROM resolution WHERE meeting_id = '`+rawID(t, held)+`'`, &n)
	if n != 2 {
		t.Errorf("%d resolutions, want 2", n)
	}
	want(t, "cancel a held meeting", sys.payload(meetingOps, "CancelJointMeeting", map[string]any{"meetingId": held, "reason": "x"}), "INVALID_STATE")

	// A monthly series books every month or nothing.
	s, _ := time.Parse(time.RFC3339, start)
	first := time.Date(s.Year(), s.Month(), 5, 10, 0, 0, 0, time.FixedZone("CST", 8*3600)).AddDate(0, 1, 0)
	series := map[string]any{"convenerIds": []string{m.pc}, "title": "月度联席会议", "startsAt": first.Format(time.RFC3339),
		"endsAt": first.Add(time.Hour).Format(time.RFC3339), "venueId": m.venue, "monthlyOccurrences": 3}
	blocker := map[string]any{"venueId": m.venue, "committeeId": m.pc, "startsAt": first.AddDate(0, 2, 0).Format(time.RFC3339),
		"endsAt": first.AddDate(0, 2, 0).Add(time.Hour).Format(time.RFC3339), "purpose": "占用", "expectedAttendees": 5}
	bp := sys.payload(bookingOps, "RequestBooking", blocker)
	before = m.e.auditCount()
	p = sys.payload(meetingOps, "ScheduleJointMeeting", series)
	want(t, "series with a taken month", p, "BOOKING_CONFLICT")
	if m.e.auditCount() != before {
		t.Errorf("a refused series wrote something")
	}
	sys.payload(bookingOps, "CancelBooking", map[string]any{"bookingId": bp["bookings"].([]any)[0].(map[string]any)["id"], "reason": "让出"})
	want(t, "series", sys.payload(meetingOps, "ScheduleJointMeeting", series), "")
	m.e.sysScan(`SELECT count(*) FROM joint_meeting WHERE series_id IS NOT NULL AND booking_id IS NOT NULL AND title = '月度联席会议'`, &n)
	if n != 3 {
		t.Errorf("%d meetings in the series, want 3", n)
	}
}

// newVenueHours is a venue of the fixture's unit open every day between opens and closes.
func (m *matrixEnv) newVenueHours(opens, closes string) string {
	v := m.newVenue()
	var week []map[string]any
	for _, d := range []string{"MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"} {
		week = append(week, map[string]any{"weekday": d, "opens": opens, "closes": closes})
	}
	m.e.system().payload(bookingOps, "SetOpeningHours", map[string]any{"venueId": v, "weekly": week})
	return v
}

// TestMeetingAgenda replaces a planned meeting's agenda: the new items in
// order, then the item that takes up an escalated need; broken items and a
// held meeting are refused.
func TestMeetingAgenda(t *testing.T) {
	t.Parallel()
	m := newMatrix(t)
	sys := m.e.system()
	meeting, _ := m.meeting()
	need := id(sys.payload(meetingOps, "PostNeed", map[string]any{"committeeId": m.pc, "title": "停车难", "category": "OTHER"}), "need")
	want(t, "escalate onto the meeting", sys.payload(meetingOps, "EscalateNeed", map[string]any{"needId": need, "meetingId": meeting}), "")

	p := sys.payload(meetingOps, "SetJointMeetingAgenda", map[string]any{"meetingId": meeting, "agenda": []map[string]any{
		{"title": "甲议题"}, {"title": " 乙议题 ", "durationMinutes": 30, "presenterMembershipId": m.p1Seat()}}})
	want(t, "set the agenda", p, "")
	var got []string
	for _, a := range p["meeting"].(map[string]any)["agenda"].([]any) {
		item := a.(map[string]any)
		label := fmt.Sprintf("%v:%v", item["position"], item["title"])
		if item["need"] != nil {
			label += ":need"
		}
		got = append(got, label)
	}
	if len(got) != 3 || got[0] != "1:甲议题" || got[1] != "2:乙议题" || !strings.HasPrefix(got[2], "3:") || !strings.HasSuffix(got[2], ":need") {
		t.Errorf("agenda = %v, want the two new items and then the need's", got)
	}

	before := m.e.auditCount()
	want(t, "blank title", sys.payload(meetingOps, "SetJointMeetingAgenda", map[string]any{"meetingId": meeting, "agenda": []map[string]any{{"title": " "}}}), "BLANK")
	want(t, "presenter not a seat", sys.payload(meetingOps, "SetJointMeetingAgenda", map[string]any{"meetingId": meeting,
		"agenda": []map[string]any{{"title": "丙", "presenterMembershipId": m.pc}}}), "NOT_FOUND")
	if m.e.auditCount() != before {
		t.Errorf("refused agendas wrote to the audit log")
	}
	want(t, "record", sys.payload(meetingOps, "RecordMeetingOutcome", map[string]any{"meetingId": meeting, "attendeeMembershipIds": []string{}, "minutes": "纪要"}), "")
	want(t, "agenda of a held meeting", sys.payload(meetingOps, "SetJointMeetingAgenda", map[string]any{"meetingId": meeting, "agenda": []map[string]any{}}), "INVALID_STATE")
}

// TestListRules covers the rules and transitions of needs, offers and projects.
func TestListRules(t *testing.T) {
	t.Parallel()
	m := newMatrix(t)
	sys := m.e.system()
	want(t, "blank need", sys.payload(meetingOps, "PostNeed", map[string]any{"committeeId": m.pc, "title": "", "category": "OTHER"}), "BLANK")
	want(t, "negative people", sys.payload(meetingOps, "PostNeed", map[string]any{"committeeId": m.pc, "title": "x", "category": "OTHER", "peopleAffected": -1}), "INVALID_INPUT")
	want(t, "need of no committee", sys.payload(meetingOps, "PostNeed", map[string]any{"committeeId": m.unit, "title": "x", "category": "OTHER"}), "NOT_FOUND")

	// Status by hand.
	need := m.need()
	setStatus := func(status string) map[string]any {
		return sys.payload(meetingOps, "SetNeedStatus", map[string]any{"needId": need, "status": status})
	}
	want(t, "OPEN → MATCHED by hand", setStatus("MATCHED"), "INVALID_STATE")
	want(t, "OPEN → CLOSED", setStatus("CLOSED"), "")
	want(t, "CLOSED → MET", setStatus("MET"), "INVALID_STATE")
	want(t, "CLOSED → OPEN", setStatus("OPEN"), "")
	want(t, "OPEN → MET", setStatus("MET"), "")
	want(t, "MET → OPEN", setStatus("OPEN"), "INVALID_STATE")
	want(t, "escalate a met need", sys.payload(meetingOps, "EscalateNeed", map[string]any{"needId": need}), "INVALID_STATE")

	// Escalation: community → sub-district onto a meeting's agenda, then no higher.
	mt, _ := m.meeting()
	up := m.need()
	p := sys.payload(meetingOps, "EscalateNeed", map[string]any{"needId": up, "note": "社区无法解决", "meetingId": mt})
	want(t, "escalate onto an agenda", p, "")
	if lvl := p["need"].(map[string]any)["level"]; lvl != "SUBDISTRICT" {
		t.Errorf("level %v", lvl)
	}
	var n int
	m.e.sysScan(`SELECT count(*) FROM agenda_item WHERE meeting_id = '`+rawID(t, mt)+`' AND need_id = '`+rawID(t, up)+`'`, &n)
	if n != 1 {
		t.Errorf("the escalated need is not on the agenda")
	}
	m.e.sysScan(`SELECT count(*) FROM need_escalation WHERE need_id = '`+rawID(t, up)+`' AND from_level = 'COMMUNITY' AND to_level = 'SUBDISTRICT'`, &n)
	if n != 1 {
		t.Errorf("the escalation trail has %d rows", n)
	}
	want(t, "escalate past the top", sys.payload(meetingOps, "EscalateNeed", map[string]any{"needId": up}), "INVALID_STATE")
	// A grid-level need goes to the community first, and not onto an agenda.
	grid := sys.ok("CreateGrid", "grid", map[string]any{"communityId": m.c1, "name": "规则网格"})
	gp := sys.payload(meetingOps, "PostNeed", map[string]any{"committeeId": m.pc, "gridId": grid, "title": "路灯坏了", "category": "SAFETY"})
	want(t, "grid need", gp, "")
	want(t, "grid need onto an agenda", sys.payload(meetingOps, "EscalateNeed", map[string]any{"needId": id(gp, "need"), "meetingId": mt}), "INVALID_INPUT")
	if p := sys.payload(meetingOps, "EscalateNeed", map[string]any{"needId": id(gp, "need")}); p["need"].(map[string]any)["level"] != "COMMUNITY" {
		t.Errorf("grid need escalated to %v", p["need"])
	}
	otherGrid := sys.ok("CreateGrid", "grid", map[string]any{"communityId": m.c2, "name": "别的网格"})
	want(t, "grid of another community", sys.payload(meetingOps, "PostNeed", map[string]any{"committeeId": m.pc, "gridId": otherGrid, "title": "x", "category": "SAFETY"}), "INVALID_INPUT")

	// Offers: only the unit's own venues; withdrawn once.
	other := sys.ok("CreateUnit", "unit", map[string]any{"subdistrictId": m.sd, "name": "别的单位", "kind": "OTHER"})
	want(t, "another unit's venue", sys.payload(meetingOps, "PostOffer", map[string]any{"unitId": other, "title": "x", "category": "VENUE", "venueId": m.venue}), "FORBIDDEN")
	want(t, "period ends before it starts", sys.payload(meetingOps, "PostOffer", map[string]any{"unitId": m.otherUnit, "title": "x", "category": "OTHER", "availableFrom": "2025-02-01", "availableTo": "2025-01-01"}), "INVALID_INPUT")
	offer := m.offer()
	want(t, "withdraw", sys.payload(meetingOps, "WithdrawOffer", map[string]any{"offerId": offer}), "")
	want(t, "withdraw twice", sys.payload(meetingOps, "WithdrawOffer", map[string]any{"offerId": offer}), "INVALID_STATE")

	// Projects.
	launch := func(in map[string]any) map[string]any { return sys.payload(meetingOps, "LaunchProject", in) }
	want(t, "no need", launch(map[string]any{"title": "x", "needIds": []string{}, "ownerId": m.unit}), "INVALID_INPUT")
	want(t, "owner is a person", launch(map[string]any{"title": "x", "needIds": []string{m.need()}, "ownerId": m.p1}), "NOT_FOUND")
	want(t, "a met need", launch(map[string]any{"title": "x", "needIds": []string{need}, "ownerId": m.unit}), "INVALID_STATE")
	want(t, "a withdrawn offer", launch(map[string]any{"title": "x", "needIds": []string{m.need()}, "offerIds": []string{offer}, "ownerId": m.unit}), "INVALID_STATE")
	shared := m.need()
	p1 := id(launch(map[string]any{"title": "甲", "needIds": []string{shared}, "ownerId": m.pc}), "project")
	p2 := id(launch(map[string]any{"title": "乙", "needIds": []string{shared}, "ownerId": m.unit}), "project")
	status := func() string {
		var s string
		m.e.sysScan(`SELECT status FROM need WHERE id = '`+rawID(t, shared)+`'`, &s)
		return s
	}
	if s := status(); s != "MATCHED" {
		t.Errorf("after launch the need is %s", s)
	}
	want(t, "percent over 100", sys.payload(meetingOps, "ReportProjectProgress", map[string]any{"projectId": p1, "percent": 101}), "INVALID_INPUT")
	want(t, "drop without reason", sys.payload(meetingOps, "DropProject", map[string]any{"projectId": p1, "reason": " "}), "BLANK")
	want(t, "drop", sys.payload(meetingOps, "DropProject", map[string]any{"projectId": p1, "reason": "合并"}), "")
	if s := status(); s != "MATCHED" {
		t.Errorf("another active project serves the need, yet it is %s", s)
	}
	want(t, "report on a dropped project", sys.payload(meetingOps, "ReportProjectProgress", map[string]any{"projectId": p1, "percent": 10}), "INVALID_STATE")
	p = sys.payload(meetingOps, "CompleteProject", map[string]any{"projectId": p2})
	want(t, "complete", p, "")
	if s := status(); s != "MET" {
		t.Errorf("after completion the need is %s", s)
	}
	want(t, "complete twice", sys.payload(meetingOps, "CompleteProject", map[string]any{"projectId": p2}), "INVALID_STATE")
	// Dropping the only project returns its need to the list.
	lone := m.need()
	p3 := id(launch(map[string]any{"title": "丙", "needIds": []string{lone}, "ownerId": m.unit}), "project")
	sys.payload(meetingOps, "DropProject", map[string]any{"projectId": p3, "reason": "条件不具备"})
	var s string
	m.e.sysScan(`SELECT status FROM need WHERE id = '`+rawID(t, lone)+`'`, &s)
	if s != "OPEN" {
		t.Errorf("after dropping its only project the need is %s", s)
	}
	// No SQL reaches clients.
	for _, c := range errCodes(launch(map[string]any{"title": strings.Repeat("长", 300), "needIds": []string{lone}, "ownerId": m.unit})) {
		if c != "INVALID_INPUT" {
			t.Errorf("long title: %s", c)
		}
	}
}
