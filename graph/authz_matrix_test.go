package graph_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

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
}

func (m *matrixEnv) newAccount() string {
	p := m.e.system().payload(accountOps, "CreateAccount", map[string]any{"username": m.unique("acct-"), "password": "long-enough-1", "subdistrictId": m.sd})
	return p["account"].(map[string]any)["id"].(string)
}

// mutationDoc is every mutation the matrix sends, named after the field.
var mutationDoc = structureMutations + accountOps

func opName(field string) string { return strings.ToUpper(field[:1]) + field[1:] }

func newMatrix(t *testing.T) *matrixEnv {
	e, f := newFixture(t)
	m := &matrixEnv{fixture: f, e: e}
	m.other = e.system().ok("CreateSubdistrict", "subdistrict", map[string]any{"code": "matrix-other", "name": "他街道", "timeZone": "Asia/Shanghai"})
	m.victim = m.newAccount()
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
			if visible != want {
				t.Errorf("%s as %s: visible %v, want %v (%s)", f.name, r, visible, want, body)
			}
		}
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
