package graph_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cogov/graph/generated"
	"cogov/internal/access"
)

// The authorization matrix: every mutation of the schema, run as each kind
// of viewer, in and out of scope. Allowed viewers succeed; the others get
// FORBIDDEN (or NOT_FOUND, for records they may not even see) and change
// nothing. A mutation added to the schema without a row here fails the test.

// matrixRole names a kind of viewer of the matrix fixture.
type matrixRole string

const (
	rolePlatform       matrixRole = "platform admin"
	roleSubdistrict    matrixRole = "sub-district admin"
	roleOtherSD        matrixRole = "admin of another sub-district"
	roleCommitteeAdmin matrixRole = "committee admin"
	roleUnitAdmin      matrixRole = "unit admin"
	roleMember         matrixRole = "member"
	roleAnonymous      matrixRole = "anonymous"
)

var allRoles = []matrixRole{rolePlatform, roleSubdistrict, roleOtherSD, roleCommitteeAdmin, roleUnitAdmin, roleMember, roleAnonymous}

// matrixEnv is the fixture: a small sub-district with records of each kind
// and a viewer for each role.
type matrixEnv struct {
	fixture
	e       *env
	viewers map[matrixRole]*env
	seq     atomic.Int64
	other   string // another sub-district
	victim  string // an account of the sub-district
	venue   string // a venue of the fixture's unit
}

func (m *matrixEnv) unique(prefix string) string {
	return fmt.Sprintf("%s%d", prefix, m.seq.Add(1))
}

// matrixCase builds the input of one call; it may create what the call needs.
type matrixCase struct {
	allowed []matrixRole
	input   func(m *matrixEnv) map[string]any
	// public marks mutations anyone may call (signing in and out): no rule to test.
	public string
}

func seat(m *matrixEnv) string {
	return m.e.system().ok("CreateMembership", "membership", map[string]any{"committeeId": m.pc, "personId": m.e.system().ok("CreatePerson", "person",
		map[string]any{"subdistrictId": m.sd, "name": m.unique("人")}), "role": "MEMBER", "partTime": false, "termStart": "2024-01-01"})
}

var admins = []matrixRole{rolePlatform, roleSubdistrict}

var matrix = map[string]matrixCase{
	"signIn":  {public: "anyone may try to sign in; failures are throttled (TestSignInThrottled)"},
	"signOut": {public: "ends the caller's own session only (TestSessionsEnd)"},
	"createSubdistrict": {allowed: []matrixRole{rolePlatform}, input: func(m *matrixEnv) map[string]any {
		return map[string]any{"code": m.unique("sd-"), "name": m.unique("街道"), "timeZone": "Asia/Shanghai"}
	}},
	"updateSubdistrict": {allowed: admins, input: func(m *matrixEnv) map[string]any { return map[string]any{"id": m.sd, "name": m.unique("街道")} }},
	"createCommunity": {allowed: admins, input: func(m *matrixEnv) map[string]any {
		return map[string]any{"subdistrictId": m.sd, "code": m.unique("c"), "name": m.unique("社区")}
	}},
	"updateCommunity": {allowed: admins, input: func(m *matrixEnv) map[string]any { return map[string]any{"id": m.c2, "name": m.unique("社区")} }},
	"createGrid": {allowed: admins, input: func(m *matrixEnv) map[string]any {
		return map[string]any{"communityId": m.c1, "name": m.unique("网格")}
	}},
	"updateGrid": {allowed: admins, input: func(m *matrixEnv) map[string]any {
		g := m.e.system().ok("CreateGrid", "grid", map[string]any{"communityId": m.c1, "name": m.unique("网格")})
		return map[string]any{"id": g, "name": m.unique("网格"), "workerIds": []string{m.p3}}
	}},
	"createUnit": {allowed: admins, input: func(m *matrixEnv) map[string]any {
		return map[string]any{"subdistrictId": m.sd, "name": m.unique("单位"), "kind": "OTHER"}
	}},
	"updateUnit": {allowed: admins, input: func(m *matrixEnv) map[string]any { return map[string]any{"id": m.unit, "address": m.unique("路")} }},
	"createCommittee": {allowed: admins, input: func(m *matrixEnv) map[string]any {
		return map[string]any{"subdistrictId": m.sd, "kind": "COMPOUND_PARTY_BRANCH", "communityId": m.c1, "name": m.unique("支部")}
	}},
	"updateCommittee": {allowed: admins, input: func(m *matrixEnv) map[string]any { return map[string]any{"id": m.pc, "name": m.unique("大党委")} }},
	"createPerson": {allowed: admins, input: func(m *matrixEnv) map[string]any {
		return map[string]any{"subdistrictId": m.sd, "name": m.unique("人")}
	}},
	"updatePerson": {allowed: admins, input: func(m *matrixEnv) map[string]any { return map[string]any{"id": m.p3, "name": m.unique("人")} }},
	"createMembership": {allowed: admins, input: func(m *matrixEnv) map[string]any {
		p := m.e.system().ok("CreatePerson", "person", map[string]any{"subdistrictId": m.sd, "name": m.unique("人")})
		return map[string]any{"committeeId": m.wc, "personId": p, "role": "MEMBER", "partTime": true, "unitId": m.unit, "termStart": "2024-01-01"}
	}},
	"updateMembership": {allowed: admins, input: func(m *matrixEnv) map[string]any { return map[string]any{"id": seat(m), "title": m.unique("职务")} }},
	"endMembership":    {allowed: admins, input: func(m *matrixEnv) map[string]any { return map[string]any{"id": seat(m), "termEnd": "2025-01-01"} }},
	"createAccount": {allowed: admins, input: func(m *matrixEnv) map[string]any {
		return map[string]any{"username": m.unique("user-"), "password": "long-enough-1", "subdistrictId": m.sd}
	}},
	"grantRole": {allowed: admins, input: func(m *matrixEnv) map[string]any {
		return map[string]any{"accountId": m.newAccount(), "kind": "UNIT_ADMIN", "scopeId": m.unit}
	}},
	"revokeRole": {allowed: admins, input: func(m *matrixEnv) map[string]any {
		p := m.e.system().payload(accountOps, "GrantRole", map[string]any{"accountId": m.newAccount(), "kind": "UNIT_ADMIN", "scopeId": m.unit})
		return map[string]any{"roleId": p["role"].(map[string]any)["id"]}
	}},
	"revokeSessions": {allowed: admins, input: func(m *matrixEnv) map[string]any { return map[string]any{"accountId": m.victim} }},

	"createCalendarFeed":  {allowed: bookers, input: func(m *matrixEnv) map[string]any { return map[string]any{"committeeId": m.pc} }},
	"revokeCalendarFeeds": {allowed: bookers, input: func(m *matrixEnv) map[string]any { return map[string]any{"committeeId": m.pc} }},
	"createVenue": {allowed: venueAdmins, input: func(m *matrixEnv) map[string]any {
		return map[string]any{"unitId": m.unit, "communityId": m.c1, "name": m.unique("场地"), "kind": "HALL", "capacity": 20}
	}},
	"updateVenue": {allowed: venueAdmins, input: func(m *matrixEnv) map[string]any {
		return map[string]any{"venueId": m.venue, "description": m.unique("说明")}
	}},
	"deactivateVenue": {allowed: venueAdmins, input: func(m *matrixEnv) map[string]any { return map[string]any{"venueId": m.newVenue()} }},
	"setOpeningHours": {allowed: venueAdmins, input: func(m *matrixEnv) map[string]any {
		return map[string]any{"venueId": m.venue, "weekly": []map[string]any{{"weekday": "MONDAY", "opens": "00:00", "closes": "24:00"},
			{"weekday": "TUESDAY", "opens": "00:00", "closes": "24:00"}, {"weekday": "WEDNESDAY", "opens": "00:00", "closes": "24:00"},
			{"weekday": "THURSDAY", "opens": "00:00", "closes": "24:00"}, {"weekday": "FRIDAY", "opens": "00:00", "closes": "24:00"},
			{"weekday": "SATURDAY", "opens": "00:00", "closes": "24:00"}, {"weekday": "SUNDAY", "opens": "00:00", "closes": "24:00"}}}
	}},
	"setBookingRules": {allowed: venueAdmins, input: func(m *matrixEnv) map[string]any {
		return map[string]any{"venueId": m.venue, "requiresApproval": true, "minDurationMinutes": 30, "maxDurationMinutes": 480,
			"minNoticeMinutes": 0, "maxDaysAhead": 365, "bufferMinutes": 0, "eligibility": "ALL_COMMITTEES_OF_SUBDISTRICT"}
	}},
	"addClosure": {allowed: venueAdmins, input: func(m *matrixEnv) map[string]any {
		start, end := m.slot()
		return map[string]any{"venueId": m.venue, "start": start, "end": end, "reason": "检修"}
	}},
	"removeClosure": {allowed: venueAdmins, input: func(m *matrixEnv) map[string]any {
		start, end := m.slot()
		p := m.e.system().payload(bookingOps, "AddClosure", map[string]any{"venueId": m.venue, "start": start, "end": end, "reason": "检修"})
		return map[string]any{"closureId": p["closure"].(map[string]any)["id"]}
	}},
	"requestBooking": {allowed: bookers, input: func(m *matrixEnv) map[string]any { return m.requestInput() }},
	"approveBooking": {allowed: venueAdmins, input: func(m *matrixEnv) map[string]any { return map[string]any{"bookingId": m.pending()} }},
	"rejectBooking": {allowed: venueAdmins, input: func(m *matrixEnv) map[string]any {
		return map[string]any{"bookingId": m.pending(), "reason": "时间冲突"}
	}},
	"cancelBooking":    {allowed: append(bookers, roleUnitAdmin), input: func(m *matrixEnv) map[string]any { return map[string]any{"bookingId": m.pending(), "reason": "取消"} }},
	"recordAttendance": {allowed: bookers, input: func(m *matrixEnv) map[string]any { return map[string]any{"bookingId": m.ended(), "actualAttendees": 8} }},
}

// venueAdmins may manage the fixture's venue and decide on its bookings;
// bookers may book for the fixture's party committee.
var (
	venueAdmins = []matrixRole{rolePlatform, roleSubdistrict, roleUnitAdmin}
	bookers     = []matrixRole{rolePlatform, roleSubdistrict, roleCommitteeAdmin}
)

const bookingOps = `
mutation CreateVenue($input: CreateVenueInput!) { createVenue(input: $input) { venue { id } userErrors { code field message } } }
mutation UpdateVenue($input: UpdateVenueInput!) { updateVenue(input: $input) { venue { id } userErrors { code field message } } }
mutation DeactivateVenue($input: DeactivateVenueInput!) { deactivateVenue(input: $input) { venue { id } userErrors { code field message } } }
mutation SetOpeningHours($input: SetOpeningHoursInput!) { setOpeningHours(input: $input) { venue { id } userErrors { code field message } } }
mutation SetBookingRules($input: SetBookingRulesInput!) { setBookingRules(input: $input) { venue { id } userErrors { code field message } } }
mutation AddClosure($input: AddClosureInput!) { addClosure(input: $input) { closure { id } userErrors { code field message } } }
mutation RemoveClosure($input: RemoveClosureInput!) { removeClosure(input: $input) { venue { id } userErrors { code field message } } }
mutation RequestBooking($input: RequestBookingInput!) { requestBooking(input: $input) { bookings { id status } userErrors { code field message } } }
mutation ApproveBooking($input: ApproveBookingInput!) { approveBooking(input: $input) { booking { id status } userErrors { code field message } } }
mutation RejectBooking($input: RejectBookingInput!) { rejectBooking(input: $input) { booking { id status } userErrors { code field message } } }
mutation CancelBooking($input: CancelBookingInput!) { cancelBooking(input: $input) { booking { id status } userErrors { code field message } } }
mutation RecordAttendance($input: RecordAttendanceInput!) { recordAttendance(input: $input) { booking { id status } userErrors { code field message } } }
`

// newVenue creates a venue of the fixture's unit, open around the clock,
// needing approval, and returns its id.
func (m *matrixEnv) newVenue() string {
	sys := m.e.system()
	p := sys.payload(bookingOps, "CreateVenue", map[string]any{"unitId": m.unit, "communityId": m.c1, "name": m.unique("场地"),
		"kind": "MEETING_ROOM", "capacity": 50})
	v := p["venue"].(map[string]any)["id"].(string)
	var week []map[string]any
	for _, d := range []string{"MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"} {
		week = append(week, map[string]any{"weekday": d, "opens": "00:00", "closes": "24:00"})
	}
	sys.payload(bookingOps, "SetOpeningHours", map[string]any{"venueId": v, "weekly": week})
	sys.payload(bookingOps, "SetBookingRules", map[string]any{"venueId": v, "requiresApproval": true, "minDurationMinutes": 30,
		"maxDurationMinutes": 480, "minNoticeMinutes": 0, "maxDaysAhead": 365, "bufferMinutes": 0, "eligibility": "ALL_COMMITTEES_OF_SUBDISTRICT"})
	return v
}

// slot is a fresh one-hour window some days ahead.
func (m *matrixEnv) slot() (string, string) {
	day := testNow().Add(time.Duration(48+24*m.seq.Add(1)) * time.Hour).Truncate(time.Hour)
	return day.Format(time.RFC3339), day.Add(time.Hour).Format(time.RFC3339)
}

// requestInput asks for a fresh slot of the fixture's venue for its party committee.
func (m *matrixEnv) requestInput() map[string]any {
	start, end := m.slot()
	return map[string]any{"venueId": m.venue, "committeeId": m.pc, "startsAt": start, "endsAt": end, "purpose": "议事", "expectedAttendees": 10}
}

// pending creates a pending booking and returns its id.
func (m *matrixEnv) pending() string {
	p := m.e.system().payload(bookingOps, "RequestBooking", m.requestInput())
	bs := p["bookings"].([]any)
	if len(bs) != 1 {
		m.e.t.Fatalf("request: %v", p)
	}
	return bs[0].(map[string]any)["id"].(string)
}

// ended creates an approved booking and moves it into the past.
func (m *matrixEnv) ended() string {
	id := m.pending()
	m.e.system().payload(bookingOps, "ApproveBooking", map[string]any{"bookingId": id})
	var n int
	// Mirror the booking's time around now: distinct slots stay distinct (the venue has no buffer).
	m.e.sysScan(`WITH u AS (UPDATE booking SET during = tstzrange(now() - (upper(during) - now()), now() - (lower(during) - now())),
		held = tstzrange(now() - (upper(during) - now()), now() - (lower(during) - now())) WHERE id = '`+rawID(m.e.t.(*testing.T), id)+`' RETURNING 1)
		SELECT count(*) FROM u`, &n)
	if n != 1 {
		m.e.t.Fatalf("moved %d bookings into the past", n)
	}
	return id
}

func (m *matrixEnv) newAccount() string {
	p := m.e.system().payload(accountOps, "CreateAccount", map[string]any{"username": m.unique("acct-"), "password": "long-enough-1", "subdistrictId": m.sd})
	return p["account"].(map[string]any)["id"].(string)
}

// mutationDoc is every mutation the matrix sends, named after the field.
var mutationDoc = structureMutations + accountOps + bookingOps + feedOps

func opName(field string) string { return strings.ToUpper(field[:1]) + field[1:] }

func newMatrix(t *testing.T) *matrixEnv {
	e, f := newFixture(t)
	m := &matrixEnv{fixture: f, e: e}
	m.other = e.system().ok("CreateSubdistrict", "subdistrict", map[string]any{"code": "matrix-other", "name": "他街道", "timeZone": "Asia/Shanghai"})
	m.victim = m.newAccount()
	m.venue = m.newVenue()
	sd, other := rawID(t, f.sd), rawID(t, m.other)
	role := func(kind access.RoleKind, scope, sd string) access.Viewer {
		return access.Viewer{AccountID: "00000000-0000-0000-0000-00000000" + fmt.Sprintf("%04d", m.seq.Add(1)), Username: string(kind),
			Roles: []access.Role{{Kind: kind, ScopeID: scope, SubdistrictID: sd}}}
	}
	m.viewers = map[matrixRole]*env{
		rolePlatform:       e.as(role(access.PlatformAdmin, "", "")),
		roleSubdistrict:    e.as(role(access.SubdistrictAdmin, sd, sd)),
		roleOtherSD:        e.as(role(access.SubdistrictAdmin, other, other)),
		roleCommitteeAdmin: e.as(role(access.CommitteeAdmin, rawID(t, f.pc), sd)),
		roleUnitAdmin:      e.as(role(access.UnitAdmin, rawID(t, f.unit), sd)),
		roleMember:         e.as(role(access.Member, rawID(t, f.p1), sd)),
		roleAnonymous:      e,
	}
	return m
}

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	var fields []string
	for _, f := range schema.Mutation.Fields {
		if !strings.HasPrefix(f.Name, "__") {
			fields = append(fields, f.Name)
		}
	}
	sort.Strings(fields)
	for _, f := range fields {
		if _, ok := matrix[f]; !ok {
			t.Errorf("mutation %s has no row in the authorization matrix", f)
		}
	}
	m := newMatrix(t)
	for _, f := range fields {
		c, ok := matrix[f]
		if !ok || c.public != "" {
			continue
		}
		for _, r := range allRoles {
			allowed := false
			for _, a := range c.allowed {
				allowed = allowed || a == r
			}
			input := c.input(m)
			before := m.e.auditCount()
			p := m.viewers[r].payload(mutationDoc, opName(f), input)
			codes := errCodes(p)
			switch {
			case allowed && len(codes) > 0:
				t.Errorf("%s as %s: refused %v, want allowed", f, r, p["userErrors"])
			case !allowed && (len(codes) == 0 || (codes[0] != "FORBIDDEN" && codes[0] != "NOT_FOUND")):
				t.Errorf("%s as %s: %v, want FORBIDDEN or NOT_FOUND", f, r, p)
			case !allowed && m.e.auditCount() != before:
				t.Errorf("%s as %s: refused but the audit log grew", f, r)
			}
		}
	}
}

// TestSensitiveFields reads each field that exposes people or accounts as
// each role: only viewers of the sub-district see them.
func TestSensitiveFields(t *testing.T) {
	t.Parallel()
	m := newMatrix(t)
	m.e.system().ok("CreateMembership", "membership", map[string]any{"committeeId": m.pc, "personId": m.p2, "role": "MEMBER", "partTime": true, "unitId": m.unit, "termStart": "2024-01-01"})
	m.e.system().ok("CreateGrid", "grid", map[string]any{"communityId": m.c1, "name": "敏感网格", "headId": m.p1, "workerIds": []string{m.p3}})
	fields := []struct {
		name, query string
		vars        map[string]any
	}{
		{"Committee.memberships", `query($id: ID!) { node(id: $id) { ... on Committee { memberships(first: 10) { totalCount edges { node { id } } } } } }`, map[string]any{"id": m.pc}},
		{"Unit.memberships", `query($id: ID!) { node(id: $id) { ... on Unit { memberships(first: 10) { totalCount } } } }`, map[string]any{"id": m.unit}},
		{"Subdistrict.people", `{ subdistrict(code: "testsd") { people(first: 10) { totalCount } } }`, nil},
		{"Grid.head and workers", `{ subdistrict(code: "testsd") { communities(first: 5) { edges { node { grids(first: 5) { edges { node { head { id } deputyHeads { id } workers(first: 5) { totalCount } } } } } } } } }`, nil},
		{"node(Person)", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": m.p1}},
		{"node(Account)", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": m.victim}},
		{"Account.roles", `query($id: ID!) { node(id: $id) { ... on Account { roles { kind } } } }`, map[string]any{"id": m.victim}},
	}
	m.e.system().payload(accountOps, "GrantRole", map[string]any{"accountId": m.victim, "kind": "MEMBER", "scopeId": m.p3})
	sees := map[matrixRole]bool{rolePlatform: true, roleSubdistrict: true, roleCommitteeAdmin: true, roleUnitAdmin: true, roleMember: true}
	for _, f := range fields {
		for _, r := range allRoles {
			resp := m.viewers[r].post(f.query, f.vars)
			if len(resp.Errors) > 0 {
				t.Errorf("%s as %s: errors %+v", f.name, r, resp.Errors)
				continue
			}
			body := string(resp.Data)
			var data any
			_ = json.Unmarshal(resp.Data, &data)
			visible := revealed(data) > 0
			want := sees[r]
			if strings.HasPrefix(f.name, "node(Account)") || strings.HasPrefix(f.name, "Account.") {
				want = r == roleSubdistrict || r == rolePlatform // accounts: the account itself and its administrators
			}
			if r == roleMember {
				// A member sees only their own records: the fixture's member
				// is person p1, who holds no seat but heads the grid.
				want = f.name == "node(Person)" || f.name == "Subdistrict.people"
			}
			if visible != want {
				t.Errorf("%s as %s: visible %v, want %v (%s)", f.name, r, visible, want, body)
			}
		}
	}
	// The member's list of people holds themselves and nobody else.
	var own struct {
		Subdistrict struct {
			People struct {
				TotalCount int `json:"totalCount"`
				Edges      []struct {
					Node struct{ ID string } `json:"node"`
				} `json:"edges"`
			} `json:"people"`
		} `json:"subdistrict"`
	}
	m.viewers[roleMember].do(`{ subdistrict(code: "testsd") { people(first: 10) { totalCount edges { node { id } } } } }`, nil, &own)
	if p := own.Subdistrict.People; p.TotalCount != 1 || len(p.Edges) != 1 || p.Edges[0].Node.ID != m.p1 {
		t.Errorf("a member's people: %+v", p)
	}
}

// revealed counts what a response shows: ids, list items and non-zero totals.
func revealed(v any) int {
	n := 0
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			switch {
			case k == "id" && val != nil:
				n++
			case k == "totalCount":
				if f, ok := val.(float64); ok {
					n += int(f)
				}
			case k == "kind":
				n++
			default:
				n += revealed(val)
			}
		}
	case []any:
		for _, it := range x {
			n += revealed(it)
		}
	}
	return n
}
