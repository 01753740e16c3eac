package graph_test

import (
	"testing"
	"time"
)

// The rows of the authorization matrix for the daily loop. Any signed-in
// account marks its own notifications read (only its own: TestNotifications);
// a unit's delivery channels are its administrators' (and the sub-district's).

const dailyOps = `
mutation MarkNotificationsRead($input: MarkNotificationsReadInput!) { markNotificationsRead(input: $input) { markedCount unreadCount userErrors { code field message } } }
mutation AddDeliveryChannel($input: AddDeliveryChannelInput!) { addDeliveryChannel(input: $input) { channel { id kind target } secret userErrors { code field message } } }
mutation RemoveDeliveryChannel($input: RemoveDeliveryChannelInput!) { removeDeliveryChannel(input: $input) { removedChannelId userErrors { code field message } } }
mutation JoinWaitlist($input: JoinWaitlistInput!) { joinWaitlist(input: $input) { entry { id status } userErrors { code field message } } }
mutation LeaveWaitlist($input: LeaveWaitlistInput!) { leaveWaitlist(input: $input) { entry { id status } userErrors { code field message } } }
mutation CheckIn($input: CheckInInput!) { checkIn(input: $input) { booking { id checkedInAt } userErrors { code field message } } }
mutation MoveBooking($input: MoveBookingInput!) { moveBooking(input: $input) { booking { id status startsAt } userErrors { code field message } } }
`

// takenWindow books a fresh slot for the working committee and returns the
// input of the party committee waiting for it.
func (m *matrixEnv) takenWindow() map[string]any {
	in := m.requestInput()
	in["committeeId"] = m.wc
	if p := m.e.system().payload(bookingOps, "RequestBooking", in); len(errCodes(p)) != 0 {
		m.e.t.Fatalf("request: %v", p)
	}
	in["committeeId"] = m.pc
	return in
}

// startingNow is an approved booking of the party committee, at a venue of
// its own, that started five minutes ago by the tests' clock.
func (m *matrixEnv) startingNow() string {
	in := m.requestInput()
	in["venueId"] = m.newVenue()
	p := m.e.system().payload(bookingOps, "RequestBooking", in)
	id := p["bookings"].([]any)[0].(map[string]any)["id"].(string)
	m.e.system().payload(bookingOps, "ApproveBooking", map[string]any{"bookingId": id})
	start := testNow().Add(-5 * time.Minute)
	var n int
	at := "'" + start.Format(time.RFC3339Nano) + "'::timestamptz"
	m.e.sysScan(`WITH u AS (UPDATE booking SET during = tstzrange(`+at+`, `+at+` + interval '1 hour'), held = tstzrange(`+at+`, `+at+` + interval '1 hour')
		WHERE id = '`+rawID(m.e.t.(*testing.T), id)+`' RETURNING 1) SELECT count(*) FROM u`, &n)
	if n != 1 {
		m.e.t.Fatalf("moved %d bookings", n)
	}
	return id
}

var signedIn = []matrixRole{rolePlatform, roleSubdistrict, roleOtherSD, roleCommitteeAdmin, roleUnitAdmin, roleMember}

func init() {
	mutationDoc += dailyOps
	rows := map[string]matrixCase{
		"markNotificationsRead": {allowed: signedIn, input: func(m *matrixEnv) map[string]any { return map[string]any{"all": true} }},
		"addDeliveryChannel": {allowed: venueAdmins, input: func(m *matrixEnv) map[string]any {
			return map[string]any{"ownerId": m.unit, "kind": "WEBHOOK", "target": "https://hooks.example.org/" + m.unique("h")}
		}},
		"joinWaitlist": {allowed: bookers, input: func(m *matrixEnv) map[string]any { return m.takenWindow() }},
		"leaveWaitlist": {allowed: bookers, input: func(m *matrixEnv) map[string]any {
			p := m.e.system().payload(dailyOps, "JoinWaitlist", m.takenWindow())
			return map[string]any{"entryId": p["entry"].(map[string]any)["id"]}
		}},
		"checkIn": {allowed: append(bookers, roleUnitAdmin), input: func(m *matrixEnv) map[string]any { return map[string]any{"bookingId": m.startingNow()} }},
		// Only the booker moves a booking: the owner cancels it, it does not
		// choose another time for the committee.
		"moveBooking": {allowed: bookers, input: func(m *matrixEnv) map[string]any {
			start, end := m.slot()
			return map[string]any{"bookingId": m.pending(), "startsAt": start, "endsAt": end}
		}},
		"removeDeliveryChannel": {allowed: venueAdmins, input: func(m *matrixEnv) map[string]any {
			p := m.e.system().payload(dailyOps, "AddDeliveryChannel", map[string]any{"ownerId": m.unit, "kind": "WECOM",
				"target": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=" + m.unique("k")})
			return map[string]any{"channelId": p["channel"].(map[string]any)["id"]}
		}},
	}
	for k, v := range rows {
		matrix[k] = v
	}
}
