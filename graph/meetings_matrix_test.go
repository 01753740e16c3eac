package graph_test

import (
	"sync"
	"time"
)

// The rows of the authorization matrix for joint meetings and the three
// lists. Meetings are changed by administrators of a convening committee
// (the fixture's party committee) or of the sub-district; an invitation is
// answered by the invited person or, for them, by a convener's
// administrator; needs by their committee's administrators; offers and the
// projects the fixture's unit owns by the unit's administrators.

const meetingOps = `
mutation ScheduleJointMeeting($input: ScheduleJointMeetingInput!) { scheduleJointMeeting(input: $input) {
  meeting { id invitations(first: 100) { edges { node { id membership { id } } } } } userErrors { code field message } } }
mutation CancelJointMeeting($input: CancelJointMeetingInput!) { cancelJointMeeting(input: $input) { meeting { id status } userErrors { code field message } } }
mutation RescheduleJointMeeting($input: RescheduleJointMeetingInput!) { rescheduleJointMeeting(input: $input) { meeting { id startsAt booking { id startsAt } } userErrors { code field message } } }
mutation SetJointMeetingAgenda($input: SetJointMeetingAgendaInput!) { setJointMeetingAgenda(input: $input) { meeting { id agenda { position title durationMinutes need { id } } } userErrors { code field message } } }
mutation RespondToInvitation($input: RespondToInvitationInput!) { respondToInvitation(input: $input) { invitation { id response } userErrors { code field message } } }
mutation RecordMeetingOutcome($input: RecordMeetingOutcomeInput!) { recordMeetingOutcome(input: $input) { meeting { id status } userErrors { code field message } } }
mutation PostNeed($input: PostNeedInput!) { postNeed(input: $input) { need { id status } userErrors { code field message } } }
mutation SetNeedStatus($input: SetNeedStatusInput!) { setNeedStatus(input: $input) { need { id status } userErrors { code field message } } }
mutation EscalateNeed($input: EscalateNeedInput!) { escalateNeed(input: $input) { need { id level } userErrors { code field message } } }
mutation PostOffer($input: PostOfferInput!) { postOffer(input: $input) { offer { id } userErrors { code field message } } }
mutation WithdrawOffer($input: WithdrawOfferInput!) { withdrawOffer(input: $input) { offer { id status } userErrors { code field message } } }
mutation LaunchProject($input: LaunchProjectInput!) { launchProject(input: $input) { project { id status } userErrors { code field message } } }
mutation ReportProjectProgress($input: ReportProjectProgressInput!) { reportProjectProgress(input: $input) { project { id progressPercent } userErrors { code field message } } }
mutation CompleteProject($input: CompleteProjectInput!) { completeProject(input: $input) { project { id status } userErrors { code field message } } }
mutation DropProject($input: DropProjectInput!) { dropProject(input: $input) { project { id status } userErrors { code field message } } }
`

var (
	conveners = []matrixRole{rolePlatform, roleSubdistrict, roleCommitteeAdmin}
	p1Seats   sync.Map // *matrixEnv → the id of p1's seat on the party committee
)

func init() {
	mutationDoc += meetingOps
	rows := map[string]matrixCase{
		"scheduleJointMeeting": {allowed: conveners, input: func(m *matrixEnv) map[string]any {
			start, end := m.slot()
			return map[string]any{"convenerIds": []string{m.pc}, "title": m.unique("联席会议"), "startsAt": start, "endsAt": end, "venueId": m.venue,
				"agenda": []map[string]any{{"title": "议题", "durationMinutes": 30}}}
		}},
		"cancelJointMeeting": {allowed: conveners, input: func(m *matrixEnv) map[string]any {
			id, _ := m.meeting()
			return map[string]any{"meetingId": id, "reason": "改期"}
		}},
		"rescheduleJointMeeting": {allowed: conveners, input: func(m *matrixEnv) map[string]any {
			start, end := m.slot()
			p := m.e.system().payload(meetingOps, "ScheduleJointMeeting", map[string]any{"convenerIds": []string{m.pc}, "title": m.unique("会议"),
				"startsAt": start, "endsAt": end, "venueId": m.venue})
			to, until := m.slot()
			return map[string]any{"meetingId": p["meeting"].(map[string]any)["id"], "startsAt": to, "endsAt": until, "reason": "与区里会议冲突"}
		}},
		"respondToInvitation": {allowed: append(conveners, roleMember), input: func(m *matrixEnv) map[string]any {
			_, inv := m.meeting()
			return map[string]any{"invitationId": inv, "response": "ACCEPTED"}
		}},
		"recordMeetingOutcome": {allowed: conveners, input: func(m *matrixEnv) map[string]any {
			id, _ := m.meeting()
			return map[string]any{"meetingId": id, "attendeeMembershipIds": []string{m.p1Seat()}, "minutes": "纪要", "resolutions": []string{"决议"}}
		}},
		"postNeed": {allowed: conveners, input: func(m *matrixEnv) map[string]any {
			return map[string]any{"committeeId": m.pc, "title": m.unique("需求"), "category": "ELDERLY_CARE"}
		}},
		"setNeedStatus": {allowed: conveners, input: func(m *matrixEnv) map[string]any {
			return map[string]any{"needId": m.need(), "status": "CLOSED", "note": "已解决"}
		}},
		"setJointMeetingAgenda": {allowed: conveners, input: func(m *matrixEnv) map[string]any {
			id, _ := m.meeting()
			return map[string]any{"meetingId": id, "agenda": []map[string]any{{"title": m.unique("议题")}}}
		}},
		"escalateNeed": {allowed: conveners, input: func(m *matrixEnv) map[string]any {
			return map[string]any{"needId": m.need(), "note": "社区无法解决"}
		}},
		"postOffer": {allowed: venueAdmins, input: func(m *matrixEnv) map[string]any {
			return map[string]any{"unitId": m.unit, "title": m.unique("资源"), "category": "VENUE", "venueId": m.venue}
		}},
		"withdrawOffer": {allowed: venueAdmins, input: func(m *matrixEnv) map[string]any { return map[string]any{"offerId": m.offer()} }},
		"launchProject": {allowed: venueAdmins, input: func(m *matrixEnv) map[string]any {
			return map[string]any{"title": m.unique("项目"), "needIds": []string{m.need()}, "offerIds": []string{m.offer()}, "ownerId": m.unit}
		}},
		"reportProjectProgress": {allowed: venueAdmins, input: func(m *matrixEnv) map[string]any {
			return map[string]any{"projectId": m.project(), "percent": 40, "note": "进行中"}
		}},
		"completeProject": {allowed: venueAdmins, input: func(m *matrixEnv) map[string]any { return map[string]any{"projectId": m.project()} }},
		"dropProject": {allowed: venueAdmins, input: func(m *matrixEnv) map[string]any {
			return map[string]any{"projectId": m.project(), "reason": "条件不具备"}
		}},
	}
	for k, v := range rows {
		matrix[k] = v
	}
}

// p1Seat is the seat of the fixture's person p1 on its party committee, made once.
func (m *matrixEnv) p1Seat() string {
	if id, ok := p1Seats.Load(m); ok {
		return id.(string)
	}
	id := m.e.system().ok("CreateMembership", "membership", map[string]any{"committeeId": m.pc, "personId": m.p1, "role": "MEMBER",
		"partTime": false, "termStart": "2024-01-01"})
	p1Seats.Store(m, id)
	return id
}

// meeting schedules a meeting of the party committee that started an hour
// ago (so that its outcome may be recorded) and returns its id and p1's invitation.
func (m *matrixEnv) meeting() (string, string) {
	seat := m.p1Seat()
	start := testNow().Add(-time.Hour).Truncate(time.Minute)
	p := m.e.system().payload(meetingOps, "ScheduleJointMeeting", map[string]any{"convenerIds": []string{m.pc}, "title": m.unique("会议"),
		"startsAt": start.Format(time.RFC3339), "endsAt": start.Add(2 * time.Hour).Format(time.RFC3339)})
	mt := p["meeting"].(map[string]any)
	for _, e := range mt["invitations"].(map[string]any)["edges"].([]any) {
		n := e.(map[string]any)["node"].(map[string]any)
		if n["membership"].(map[string]any)["id"] == seat {
			return mt["id"].(string), n["id"].(string)
		}
	}
	m.e.t.Fatalf("p1 is not invited: %v", p)
	return "", ""
}

func (m *matrixEnv) need() string {
	p := m.e.system().payload(meetingOps, "PostNeed", map[string]any{"committeeId": m.pc, "title": m.unique("需求"), "category": "YOUTH"})
	return p["need"].(map[string]any)["id"].(string)
}

func (m *matrixEnv) offer() string {
	p := m.e.system().payload(meetingOps, "PostOffer", map[string]any{"unitId": m.unit, "title": m.unique("资源"), "category": "VENUE"})
	return p["offer"].(map[string]any)["id"].(string)
}

func (m *matrixEnv) project() string {
	p := m.e.system().payload(meetingOps, "LaunchProject", map[string]any{"title": m.unique("项目"), "needIds": []string{m.need()}, "ownerId": m.unit})
	return p["project"].(map[string]any)["id"].(string)
}
