package graph_test

import (
	"fmt"
	"testing"
	"time"

	"cogov/internal/demo"
)

// notedCount counts the notifications of kind about the record with global
// id gid, to any account.
func notedCount(t *testing.T, e *env, kind, gid string) int {
	t.Helper()
	var n int
	e.sysScan(fmt.Sprintf(`SELECT count(*)::int FROM notification WHERE kind = '%s' AND object_id = '%s'`, kind, rawID(t, gid)), &n)
	return n
}

// TestClosureAffectsBooking: a closure over community 1's booking at the
// 2,000 m² space marks it affected (Booking.affectedBy), tells
// community-1-admin and puts it in their inbox as BOOKING_AFFECTED; a move
// into a taken window is refused and tells nobody; the move out of the
// closure clears it, tells hnig-admin, and the booking leaves the inbox.
func TestClosureAffectsBooking(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	street := e.signIn("street-admin", demo.Password)
	d := lookupDemo(t, street)
	venue, start, end := freeAfternoon(t, street, d.sd, "湖南省核工业地质局", 21)
	c1 := e.signIn("community-1-admin", demo.Password)
	c2 := e.signIn("community-2-admin", demo.Password)
	owner := e.signIn("hnig-admin", demo.Password)
	request := requester(t, venue, start, end)
	p := request(c1, d.parties[0])
	if len(errCodes(p)) != 0 {
		t.Fatalf("request: %v", p)
	}
	id := p["bookings"].([]any)[0].(map[string]any)["id"].(string)

	p = owner.payload(bookingOps, "AddClosure", map[string]any{"venueId": venue, "startsAt": start.Add(-time.Hour).Format(time.RFC3339),
		"endsAt": start.Add(time.Hour).Format(time.RFC3339), "reason": "消防设施检修"})
	if len(errCodes(p)) != 0 {
		t.Fatalf("closure: %v", p)
	}
	closure := p["closure"].(map[string]any)["id"].(string)
	if ok, _ := inboxHas(t, c1, "BOOKING_AFFECTED", id); !ok {
		t.Error("the affected booking is not in community-1-admin's inbox")
	}
	if ok, _ := inboxHas(t, c2, "BOOKING_AFFECTED", id); ok {
		t.Error("the affected booking is in community-2-admin's inbox")
	}
	var b struct {
		Node struct {
			AffectedBy *struct {
				ID     string `json:"id"`
				Reason string `json:"reason"`
			} `json:"affectedBy"`
			AffectedAt *string `json:"affectedAt"`
			Version    int     `json:"version"`
		} `json:"node"`
	}
	c1.do(`query($id: ID!) { node(id: $id) { ... on Booking { affectedBy { id reason } affectedAt version } } }`, map[string]any{"id": id}, &b)
	if b.Node.AffectedBy == nil || b.Node.AffectedBy.ID != closure || b.Node.AffectedBy.Reason != "消防设施检修" || b.Node.AffectedAt == nil {
		t.Errorf("the booking's affectedBy: %+v", b.Node)
	}
	n := notes(t, c1, true)
	if n.Viewer.Notifications.Edges[0].Node.Kind != "BOOKING_AFFECTED" || n.Viewer.Notifications.Edges[0].Node.Detail != "消防设施检修" {
		t.Errorf("community-1-admin's latest notification: %+v", n.Viewer.Notifications.Edges[0].Node)
	}

	// Community 2 holds another afternoon; moving there is refused.
	_, s2, e2 := freeAfternoon(t, street, d.sd, "湖南省核工业地质局", 25)
	if p := requester(t, venue, s2, e2)(c2, d.parties[1]); len(errCodes(p)) != 0 {
		t.Fatalf("community 2's request: %v", p)
	}
	move := func(as *env, from, to time.Time) map[string]any {
		return as.payload(op(t, "daily.graphql", "MoveBooking"), "MoveBooking", map[string]any{"bookingId": id, "version": b.Node.Version,
			"startsAt": from.Format(time.RFC3339), "endsAt": to.Format(time.RFC3339)})
	}
	if p := move(c1, s2, e2); codes2(p) != "BOOKING_CONFLICT" || notedCount(t, e, "BOOKING_MOVED", id) != 0 {
		t.Errorf("move into community 2's afternoon: %v", p)
	}
	if p := move(c2, start.Add(2*time.Hour), end.Add(2*time.Hour)); codes2(p) != "FORBIDDEN" {
		t.Errorf("community 2 moves community 1's booking: %v", p)
	}
	p = move(c1, start.Add(2*time.Hour), end.Add(2*time.Hour))
	if len(errCodes(p)) != 0 {
		t.Fatalf("move: %v", p)
	}
	got := p["booking"].(map[string]any)
	if got["id"] != id || got["affectedBy"] != nil || got["affectedAt"] != nil || got["status"] != "PENDING" {
		t.Errorf("moved: %v", got)
	}
	if ok, _ := inboxHas(t, c1, "BOOKING_AFFECTED", id); ok {
		t.Error("the moved booking is still affected in the inbox")
	}
	if ok, _ := inboxHas(t, owner, "BOOKING_TO_APPROVE", id); !ok {
		t.Error("the moved booking is not in hnig-admin's inbox to approve")
	}
	if n := notes(t, owner, true); n.Viewer.Notifications.Edges[0].Node.Kind != "BOOKING_MOVED" {
		t.Errorf("hnig-admin's latest notification: %+v", n.Viewer.Notifications.Edges[0].Node)
	}
}

// TestRescheduleAndCancelJointMeeting: the sub-district reschedules a joint
// meeting of the working committee booked at the 2,000 m² space. A refused
// reschedule (the new window is taken) changes and tells nothing; the
// reschedule moves the meeting and its booking (same booking), notifies
// every invitee (as many as were invited) and sets member-demo's accepted
// answer back to PENDING, back in their inbox. Cancelling withdraws every
// invitation, releases the booking and notifies every invitee; a refused
// cancellation notifies nobody.
func TestRescheduleAndCancelJointMeeting(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	street := e.signIn("street-admin", demo.Password)
	member := e.signIn("member-demo", demo.Password)
	c2 := e.signIn("community-2-admin", demo.Password)
	d := lookupDemo(t, street)
	var wc struct {
		Subdistrict struct {
			WorkingCommittee struct {
				ID string `json:"id"`
			} `json:"workingCommittee"`
		} `json:"subdistrict"`
	}
	street.do(`{ subdistrict(code: "houjiatang") { workingCommittee { id } } }`, nil, &wc)
	venue, start, end := freeAfternoon(t, street, d.sd, "湖南省核工业地质局", 21)
	doc := operation(t, "meetings.graphql")
	p := street.payload(doc, "ScheduleJointMeeting", map[string]any{"convenerIds": []string{wc.Subdistrict.WorkingCommittee.ID}, "title": "大工委季度联席会议",
		"startsAt": start.Format(time.RFC3339), "endsAt": end.Format(time.RFC3339), "venueId": venue})
	if len(errCodes(p)) != 0 {
		t.Fatalf("schedule: %v", p)
	}
	mt := p["meeting"].(map[string]any)
	meetingID, bookingID := mt["id"].(string), mt["booking"].(map[string]any)["id"].(string)
	invited := notedCount(t, e, "INVITATION_SENT", meetingID)
	if invited == 0 {
		t.Fatal("nobody was told of the invitation")
	}

	invitation := func() (string, string) {
		var r struct {
			Viewer struct {
				Inbox struct {
					Edges []struct {
						Node struct {
							Kind   string `json:"kind"`
							Object struct {
								ID       string `json:"id"`
								Response string `json:"response"`
								Meeting  struct {
									ID string `json:"id"`
								} `json:"meeting"`
							} `json:"object"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"inbox"`
			} `json:"viewer"`
		}
		member.do(`{ viewer { inbox(first: 100) { edges { node { kind object { id ... on Invitation { response meeting { id } } } } } } } }`, nil, &r)
		for _, ed := range r.Viewer.Inbox.Edges {
			if ed.Node.Kind == "INVITATION_TO_ANSWER" && ed.Node.Object.Meeting.ID == meetingID {
				return ed.Node.Object.ID, ed.Node.Object.Response
			}
		}
		return "", ""
	}
	inv, _ := invitation()
	if inv == "" {
		t.Fatal("member-demo's invitation is not in their inbox")
	}
	if p := member.payload(doc, "RespondToInvitation", map[string]any{"invitationId": inv, "response": "ACCEPTED"}); len(errCodes(p)) != 0 {
		t.Fatalf("accept: %v", p)
	}
	response := func() string {
		var r struct {
			Node struct {
				Response string `json:"response"`
			} `json:"node"`
		}
		member.do(`query($id: ID!) { node(id: $id) { ... on Invitation { response } } }`, map[string]any{"id": inv}, &r)
		return r.Node.Response
	}

	// The new window is taken by community 2: refused, nothing changes.
	_, s2, e2 := freeAfternoon(t, street, d.sd, "湖南省核工业地质局", 25)
	if p := requester(t, venue, s2, e2)(c2, d.parties[1]); len(errCodes(p)) != 0 {
		t.Fatalf("community 2's request: %v", p)
	}
	before := e.auditCount()
	p = street.payload(doc, "RescheduleJointMeeting", map[string]any{"meetingId": meetingID, "startsAt": s2.Format(time.RFC3339),
		"endsAt": e2.Format(time.RFC3339), "reason": "与区会冲突"})
	if codes2(p) != "BOOKING_CONFLICT" || e.auditCount() != before || notedCount(t, e, "MEETING_RESCHEDULED", meetingID) != 0 || response() != "ACCEPTED" {
		t.Errorf("reschedule into a taken window: %v (audit %d → %d, answer %s)", p, before, e.auditCount(), response())
	}
	if p := c2.payload(doc, "RescheduleJointMeeting", map[string]any{"meetingId": meetingID, "startsAt": s2.Format(time.RFC3339),
		"endsAt": e2.Format(time.RFC3339)}); codes2(p) != "FORBIDDEN" {
		t.Errorf("community 2 reschedules the working committee's meeting: %v", p)
	}

	_, s3, e3 := freeAfternoon(t, street, d.sd, "湖南省核工业地质局", 29)
	p = street.payload(doc, "RescheduleJointMeeting", map[string]any{"meetingId": meetingID, "startsAt": s3.Format(time.RFC3339),
		"endsAt": e3.Format(time.RFC3339), "reason": "与区会冲突"})
	if len(errCodes(p)) != 0 {
		t.Fatalf("reschedule: %v", p)
	}
	mt = p["meeting"].(map[string]any)
	bk := mt["booking"].(map[string]any)
	if !sameTime(t, mt["startsAt"], s3) || bk["id"] != bookingID || !sameTime(t, bk["startsAt"], s3) || bk["status"] != "PENDING" {
		t.Errorf("rescheduled: %v", mt)
	}
	if n := notedCount(t, e, "MEETING_RESCHEDULED", meetingID); n != invited {
		t.Errorf("%d MEETING_RESCHEDULED notifications, want one per invited account (%d)", n, invited)
	}
	if nt := notes(t, member, true).Viewer.Notifications.Edges[0].Node; nt.Kind != "MEETING_RESCHEDULED" || nt.Detail != "与区会冲突" {
		t.Errorf("member-demo's latest notification: %+v", nt)
	}
	if id, r := invitation(); id != inv || r != "PENDING" {
		t.Errorf("after the reschedule member-demo's invitation is %q (%s), want it back to answer", id, r)
	}
	for _, ed := range mt["invitations"].(map[string]any)["edges"].([]any) {
		if r := ed.(map[string]any)["node"].(map[string]any)["response"]; r != "PENDING" {
			t.Errorf("an invitation is %v after the reschedule", r)
		}
	}

	p = street.payload(doc, "CancelJointMeeting", map[string]any{"meetingId": meetingID, "reason": "议题已解决"})
	if len(errCodes(p)) != 0 {
		t.Fatalf("cancel: %v", p)
	}
	mt = p["meeting"].(map[string]any)
	if mt["status"] != "CANCELLED" || mt["booking"].(map[string]any)["status"] != "CANCELLED" {
		t.Errorf("cancelled: %v", mt)
	}
	for _, ed := range mt["invitations"].(map[string]any)["edges"].([]any) {
		if r := ed.(map[string]any)["node"].(map[string]any)["response"]; r != "WITHDRAWN" {
			t.Errorf("an invitation is %v after the cancellation", r)
		}
	}
	if n := notedCount(t, e, "MEETING_CANCELLED", meetingID); n != invited {
		t.Errorf("%d MEETING_CANCELLED notifications, want %d", n, invited)
	}
	if id, _ := invitation(); id != "" {
		t.Error("the withdrawn invitation is still in member-demo's inbox")
	}
	if p := street.payload(doc, "CancelJointMeeting", map[string]any{"meetingId": meetingID, "reason": "再次"}); codes2(p) != "INVALID_STATE" ||
		notedCount(t, e, "MEETING_CANCELLED", meetingID) != invited {
		t.Errorf("cancelling again: %v", p)
	}
	if p := street.payload(doc, "RescheduleJointMeeting", map[string]any{"meetingId": meetingID, "startsAt": s2.Format(time.RFC3339),
		"endsAt": e2.Format(time.RFC3339)}); codes2(p) != "INVALID_STATE" {
		t.Errorf("rescheduling a cancelled meeting: %v", p)
	}
}

// sameTime reports whether the DateTime v is the instant want.
func sameTime(t *testing.T, v any, want time.Time) bool {
	t.Helper()
	s, _ := v.(string)
	got, err := time.Parse(time.RFC3339, s)
	return err == nil && got.Equal(want)
}
