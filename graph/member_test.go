package graph_test

import (
	"testing"
	"time"
)

// TestMemberDemoAccount signs in as member-demo, a part-time member of the
// working committee: they see themselves and their own invitation, answer it,
// and cannot answer anyone else's.
func TestMemberDemoAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	member := e.signIn("member-demo", "cogov-demo")
	var v viewerData
	member.doOp(op(t, "booking.graphql", "Viewer"), "Viewer", nil, &v)
	if len(v.Viewer.Roles) != 1 || v.Viewer.Roles[0].Kind != "MEMBER" || v.Viewer.Roles[0].Scope.Typename != "Person" {
		t.Fatalf("member-demo's roles: %+v", v.Viewer.Roles)
	}
	self := v.Viewer.Roles[0].Scope.ID
	var people struct {
		Subdistrict struct {
			People struct {
				TotalCount int `json:"totalCount"`
			} `json:"people"`
		} `json:"subdistrict"`
	}
	member.do(`{ subdistrict(code: "houjiatang") { people(first: 5) { totalCount } } }`, nil, &people)
	if people.Subdistrict.People.TotalCount != 1 {
		t.Errorf("member-demo sees %d people, want only themselves", people.Subdistrict.People.TotalCount)
	}

	street := e.signIn("street-admin", "cogov-demo")
	var wc struct {
		Subdistrict struct {
			WorkingCommittee struct{ ID string } `json:"workingCommittee"`
		} `json:"subdistrict"`
	}
	street.do(`{ subdistrict(code: "houjiatang") { workingCommittee { id } } }`, nil, &wc)
	start := nextWeekday(30, time.Tuesday, 15, 0)
	p := street.payload(op(t, "meetings.graphql", "ScheduleJointMeeting"), "ScheduleJointMeeting", map[string]any{
		"convenerIds": []string{wc.Subdistrict.WorkingCommittee.ID}, "title": "大工委联席会议",
		"startsAt": start.Format(time.RFC3339), "endsAt": start.Add(2 * time.Hour).Format(time.RFC3339)})
	if len(errCodes(p)) != 0 {
		t.Fatalf("schedule: %v", p)
	}
	meeting := p["meeting"].(map[string]any)
	mine, other := "", ""
	for _, ed := range meeting["invitations"].(map[string]any)["edges"].([]any) {
		n := ed.(map[string]any)["node"].(map[string]any)
		if n["membership"].(map[string]any)["person"].(map[string]any)["name"] != nil && mine == "" && isPerson(street, n, self) {
			mine = n["id"].(string)
		} else if other == "" {
			other = n["id"].(string)
		}
	}
	if mine == "" || other == "" {
		t.Fatalf("invitations: %v", meeting["invitations"])
	}

	// The member sees their own invitation only.
	var seen struct {
		Node struct {
			Invitations struct {
				TotalCount int `json:"totalCount"`
			} `json:"invitations"`
		} `json:"node"`
	}
	member.do(`query($id: ID!) { node(id: $id) { ... on JointMeeting { invitations(first: 100) { totalCount } } } }`, map[string]any{"id": meeting["id"]}, &seen)
	if seen.Node.Invitations.TotalCount != 1 {
		t.Errorf("member-demo sees %d invitations, want their own", seen.Node.Invitations.TotalCount)
	}
	// Their person lists their invitations across meetings: the demo's six
	// held meetings of the working committee and the new one.
	var mine2 struct {
		Node *struct {
			Invitations struct {
				TotalCount int `json:"totalCount"`
			} `json:"invitations"`
		} `json:"node"`
	}
	member.do(`query($id: ID!) { node(id: $id) { ... on Person { invitations(first: 20) { totalCount } } } }`, map[string]any{"id": self}, &mine2)
	if mine2.Node == nil || mine2.Node.Invitations.TotalCount != 7 {
		t.Errorf("member-demo's invitations: %+v, want 7", mine2.Node)
	}
	respond := op(t, "meetings.graphql", "RespondToInvitation")
	if p := member.payload(respond, "RespondToInvitation", map[string]any{"invitationId": mine, "response": "ACCEPTED"}); len(errCodes(p)) != 0 {
		t.Errorf("answering their own invitation: %v", p)
	}
	if p := member.payload(respond, "RespondToInvitation", map[string]any{"invitationId": other, "response": "DECLINED"}); len(errCodes(p)) != 1 ||
		(errCodes(p)[0] != "FORBIDDEN" && errCodes(p)[0] != "NOT_FOUND") {
		t.Errorf("answering someone else's invitation: %v", p)
	}
}

// isPerson reports whether an invitation node's seat belongs to the person personID.
func isPerson(e *env, inv map[string]any, personID string) bool {
	var out struct {
		Node struct {
			Person struct{ ID string } `json:"person"`
		} `json:"node"`
	}
	e.do(`query($id: ID!) { node(id: $id) { ... on Membership { person { id } } } }`, map[string]any{"id": inv["membership"].(map[string]any)["id"]}, &out)
	return out.Node.Person.ID == personID
}
