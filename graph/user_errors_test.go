package graph_test

import (
	"strings"
	"testing"
)

// The rules themselves are tested beside them, in the domain packages
// (internal/structure's TestStructureBadInput, internal/meeting's
// TestMeetingRules, internal/lists' TestListRules). What only GraphQL can
// show is tested here: a refusal reaches the client as userErrors with a
// code and no record, and a global id of the wrong type names nothing.

// TestStructureUserErrors refuses one change of each structure mutation:
// each answers with the expected userError, returns no record and writes
// nothing (the audit log does not grow).
func TestStructureUserErrors(t *testing.T) {
	t.Parallel()
	e, f := newFixture(t)
	a := f.admin
	seat := a.ok("CreateMembership", "membership", map[string]any{"committeeId": f.wc, "personId": f.p1, "role": "SECRETARY", "partTime": false, "termStart": "2024-01-01", "termEnd": "2028-12-31"})
	grid := a.ok("CreateGrid", "grid", map[string]any{"communityId": f.c1, "name": "第一网格"})
	missing := "Q29tbXVuaXR5OjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA" // a Community id that names nothing

	cases := []struct {
		name, op string
		as       *env
		input    map[string]any
		code     string
	}{
		{"subdistrict bad zone", "CreateSubdistrict", e.system(), map[string]any{"code": "x4", "name": "X", "timeZone": "Mars/Olympus"}, "INVALID_INPUT"},
		{"subdistrict id of a community", "UpdateSubdistrict", a, map[string]any{"id": missing, "name": "X"}, "NOT_FOUND"},
		{"community by anonymous", "CreateCommunity", e, map[string]any{"subdistrictId": f.sd, "code": "c9", "name": "九社区"}, "FORBIDDEN"},
		{"community rename clash", "UpdateCommunity", a, map[string]any{"id": f.c1, "name": "二社区"}, "ALREADY_EXISTS"},
		{"grid staff twice", "CreateGrid", a, map[string]any{"communityId": f.c1, "name": "第二网格", "headId": f.p1, "workerIds": []string{f.p1}}, "INVALID_INPUT"},
		{"grid head that is a unit", "UpdateGrid", a, map[string]any{"id": grid, "headId": f.unit}, "NOT_FOUND"},
		{"unit blank", "CreateUnit", a, map[string]any{"subdistrictId": f.sd, "name": "", "kind": "OTHER"}, "BLANK"},
		{"unit of another sub-district", "UpdateUnit", a, map[string]any{"id": f.otherUnit, "name": "改名"}, "NOT_FOUND"},
		{"working committee with a community", "CreateCommittee", a, map[string]any{"subdistrictId": f.sd, "kind": "SUBDISTRICT_WORKING_COMMITTEE", "communityId": f.c1, "name": "另一大工委"}, "KIND_MISMATCH"},
		{"committee rename blank", "UpdateCommittee", a, map[string]any{"id": f.pc, "name": ""}, "BLANK"},
		{"person blank", "CreatePerson", a, map[string]any{"subdistrictId": f.sd, "name": "\t"}, "BLANK"},
		{"person rename blank", "UpdatePerson", a, map[string]any{"id": f.p1, "name": ""}, "BLANK"},
		{"committee id of a community", "CreateMembership", a, map[string]any{"committeeId": missing, "personId": f.p1, "role": "MEMBER", "partTime": false, "termStart": "2026-01-01"}, "NOT_FOUND"},
		{"update reversed", "UpdateMembership", a, map[string]any{"id": seat, "termEnd": "2023-01-01"}, "TERM_REVERSED"},
		{"end unknown", "EndMembership", a, map[string]any{"id": missing}, "NOT_FOUND"},
	}
	for _, c := range cases {
		before := e.auditCount()
		c.as.refused(c.op, c.input, c.code)
		if after := e.auditCount(); after != before {
			t.Errorf("%s: audit log grew from %d to %d rows: something was written", c.name, before, after)
		}
	}
}

// TestMeetingsUserErrors sends the meetings and lists mutations ids of the
// wrong type, which name nothing, and a title the database would refuse,
// which comes back as a userError and not as SQL.
func TestMeetingsUserErrors(t *testing.T) {
	t.Parallel()
	m := newMatrix(t)
	sys := m.e.system()
	start, end := m.slot()
	schedule := func(k string, v any) map[string]any {
		in := map[string]any{"convenerIds": []string{m.pc}, "title": "联席会议", "startsAt": start, "endsAt": end}
		in[k] = v
		return in
	}
	first := func(p map[string]any) string {
		if cs := errCodes(p); len(cs) > 0 {
			return cs[0]
		}
		return ""
	}
	need := m.need()
	before := m.e.auditCount()
	for _, c := range []struct {
		name string
		p    map[string]any
		code string
	}{
		{"convener that is a unit", sys.payload(meetingOps, "ScheduleJointMeeting", schedule("convenerIds", []string{m.unit})), "NOT_FOUND"},
		{"invitee that is a committee", sys.payload(meetingOps, "ScheduleJointMeeting", schedule("inviteeMembershipIds", []string{m.pc})), "NOT_FOUND"},
		// The owner's type says whether a unit or a committee owns the project.
		{"owner that is a person", sys.payload(meetingOps, "LaunchProject", map[string]any{"title": "x", "needIds": []string{need}, "ownerId": m.p1}), "NOT_FOUND"},
	} {
		if got := first(c.p); got != c.code {
			t.Errorf("%s: got %q (%v), want %q", c.name, got, c.p["userErrors"], c.code)
		}
	}
	if after := m.e.auditCount(); after != before {
		t.Errorf("refused calls wrote %d audit rows", after-before)
	}
	// No SQL reaches clients: payload fails the test on any top-level error.
	p := sys.payload(meetingOps, "LaunchProject", map[string]any{"title": strings.Repeat("长", 300), "needIds": []string{m.need()}, "ownerId": m.unit})
	if cs := errCodes(p); len(cs) == 0 {
		t.Errorf("long title: %v, want INVALID_INPUT", p)
	}
	for _, c := range errCodes(p) {
		if c != "INVALID_INPUT" {
			t.Errorf("long title: %s", c)
		}
	}
}
