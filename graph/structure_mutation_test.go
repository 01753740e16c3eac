package graph_test

import (
	"encoding/base64"
	"testing"
	"time"

	"cogov/graph"

	"cogov/internal/access"
)

const structureMutations = `
mutation CreateSubdistrict($input: CreateSubdistrictInput!) { createSubdistrict(input: $input) { subdistrict { id code name timeZone } userErrors { code field message } } }
mutation UpdateSubdistrict($input: UpdateSubdistrictInput!) { updateSubdistrict(input: $input) { subdistrict { id name areaKm2 } userErrors { code field message } } }
mutation CreateCommunity($input: CreateCommunityInput!) { createCommunity(input: $input) { community { id name code } userErrors { code field message } } }
mutation UpdateCommunity($input: UpdateCommunityInput!) { updateCommunity(input: $input) { community { id name code } userErrors { code field message } } }
mutation CreateGrid($input: CreateGridInput!) { createGrid(input: $input) { grid { id name head { id } deputyHeads { id } workers(first: 10) { totalCount } } userErrors { code field message } } }
mutation UpdateGrid($input: UpdateGridInput!) { updateGrid(input: $input) { grid { id name head { id } deputyHeads { id } workers(first: 10) { totalCount } } userErrors { code field message } } }
mutation CreateUnit($input: CreateUnitInput!) { createUnit(input: $input) { unit { id name kind community { id } } userErrors { code field message } } }
mutation UpdateUnit($input: UpdateUnitInput!) { updateUnit(input: $input) { unit { id name kind address } userErrors { code field message } } }
mutation CreateCommittee($input: CreateCommitteeInput!) { createCommittee(input: $input) { committee { id name kind } userErrors { code field message } } }
mutation UpdateCommittee($input: UpdateCommitteeInput!) { updateCommittee(input: $input) { committee { id name } userErrors { code field message } } }
mutation CreatePerson($input: CreatePersonInput!) { createPerson(input: $input) { person { id name } userErrors { code field message } } }
mutation UpdatePerson($input: UpdatePersonInput!) { updatePerson(input: $input) { person { id name } userErrors { code field message } } }
mutation CreateMembership($input: CreateMembershipInput!) { createMembership(input: $input) { membership { id role partTime termStart termEnd unit { id } } userErrors { code field message } } }
mutation UpdateMembership($input: UpdateMembershipInput!) { updateMembership(input: $input) { membership { id role title termStart termEnd } userErrors { code field message } } }
mutation EndMembership($input: EndMembershipInput!) { endMembership(input: $input) { membership { id termEnd current } userErrors { code field message } } }
`

// mutate runs one of structureMutations and returns its payload (the single
// field of data) decoded as a generic map.
func (e *env) mutate(name string, input map[string]any) map[string]any {
	e.t.Helper()
	var data map[string]map[string]any
	e.doOp(structureMutations, name, map[string]any{"input": input}, &data)
	for _, payload := range data {
		return payload
	}
	e.t.Fatalf("%s: empty data", name)
	return nil
}

// ok runs a mutation that must succeed and returns the id of the record it returns under key.
func (e *env) ok(name, key string, input map[string]any) string {
	e.t.Helper()
	p := e.mutate(name, input)
	if errs := p["userErrors"].([]any); len(errs) > 0 {
		e.t.Fatalf("%s: userErrors %v", name, errs)
	}
	return p[key].(map[string]any)["id"].(string)
}

// refused runs a mutation that must fail with code on field, and returns its payload.
func (e *env) refused(name string, input map[string]any, code string) map[string]any {
	e.t.Helper()
	p := e.mutate(name, input)
	errs := p["userErrors"].([]any)
	if len(errs) == 0 {
		e.t.Fatalf("%s %v: succeeded, want %s", name, input, code)
	}
	found := false
	for _, ue := range errs {
		if ue.(map[string]any)["code"] == code {
			found = true
		}
	}
	if !found {
		e.t.Errorf("%s %v: userErrors %v, want code %s", name, input, errs, code)
	}
	for k, v := range p {
		if k != "userErrors" && v != nil {
			e.t.Errorf("%s: refused but returned %s = %v", name, k, v)
		}
	}
	return p
}

// auditCount counts audit-log rows.
func (e *env) auditCount() int {
	e.t.Helper()
	var n int
	e.sysScan(`SELECT (SELECT count(*) FROM audit_log) + (SELECT count(*) FROM platform_audit_log)`, &n)
	return n
}

// fixture is a small sub-district built through the API.
type fixture struct {
	sd, c1, c2, wc, pc, unit, otherUnit, p1, p2, p3 string
	admin                                           *env
}

func newFixture(t *testing.T) (*env, fixture) {
	return newFixtureWait(t, 20*time.Millisecond)
}

// newFixtureWait is newFixture with the loaders' batching wait.
func newFixtureWait(t *testing.T, loaderWait time.Duration) (*env, fixture) {
	e := newEnvWait(t, false, graph.Options{}, loaderWait)
	var f fixture
	f.sd = e.system().ok("CreateSubdistrict", "subdistrict", map[string]any{"code": "testsd", "name": "测试街道", "timeZone": "Asia/Shanghai"})
	other := e.system().ok("CreateSubdistrict", "subdistrict", map[string]any{"code": "othersd", "name": "另一街道", "timeZone": "Asia/Shanghai"})
	sdID, otherID := rawID(t, f.sd), rawID(t, other)
	f.admin = e.as(access.Viewer{AccountID: "00000000-0000-0000-0000-0000000000a1", Username: "admin",
		Roles: []access.Role{{Kind: access.SubdistrictAdmin, ScopeID: sdID, SubdistrictID: sdID}}})
	otherAdmin := e.as(access.Viewer{AccountID: "00000000-0000-0000-0000-0000000000a2", Username: "other",
		Roles: []access.Role{{Kind: access.SubdistrictAdmin, ScopeID: otherID, SubdistrictID: otherID}}})
	a := f.admin
	f.c1 = a.ok("CreateCommunity", "community", map[string]any{"subdistrictId": f.sd, "code": "c1", "name": "一社区"})
	f.c2 = a.ok("CreateCommunity", "community", map[string]any{"subdistrictId": f.sd, "code": "c2", "name": "二社区"})
	f.wc = a.ok("CreateCommittee", "committee", map[string]any{"subdistrictId": f.sd, "kind": "SUBDISTRICT_WORKING_COMMITTEE", "name": "大工委"})
	f.pc = a.ok("CreateCommittee", "committee", map[string]any{"subdistrictId": f.sd, "kind": "COMMUNITY_PARTY_COMMITTEE", "communityId": f.c1, "name": "一社区大党委"})
	f.unit = a.ok("CreateUnit", "unit", map[string]any{"subdistrictId": f.sd, "name": "省某局", "kind": "PROVINCIAL_AGENCY"})
	f.otherUnit = otherAdmin.ok("CreateUnit", "unit", map[string]any{"subdistrictId": other, "name": "别处单位", "kind": "OTHER"})
	f.p1 = a.ok("CreatePerson", "person", map[string]any{"subdistrictId": f.sd, "name": "张三"})
	f.p2 = a.ok("CreatePerson", "person", map[string]any{"subdistrictId": f.sd, "name": "李四"})
	f.p3 = a.ok("CreatePerson", "person", map[string]any{"subdistrictId": f.sd, "name": "王五"})
	return e, f
}

func rawID(t *testing.T, gid string) string {
	t.Helper()
	var data struct {
		Node *struct {
			Typename string `json:"__typename"`
		} `json:"node"`
	}
	_ = data
	b, err := decodeB64(gid)
	if err != nil {
		t.Fatal(err)
	}
	for i := range b {
		if b[i] == ':' {
			return string(b[i+1:])
		}
	}
	t.Fatalf("id %s has no type", gid)
	return ""
}

// TestStructureMutations checks what the structure mutations' payloads
// show (a grid's staff, a seat's fields and whether it is current) and the
// unit's representatives read back through node; the rules behind them are
// tested in internal/structure (TestStructureChanges, TestStructureBadInput).
func TestStructureMutations(t *testing.T) {
	t.Parallel()
	e, f := newFixture(t)
	a := f.admin

	// A grid with staff, then its staff replaced.
	g := a.mutate("CreateGrid", map[string]any{"communityId": f.c1, "name": "第一网格", "headId": f.p1, "deputyHeadIds": []string{f.p2}, "workerIds": []string{f.p3}})
	grid := g["grid"].(map[string]any)
	if grid["head"].(map[string]any)["id"] != f.p1 || len(grid["deputyHeads"].([]any)) != 1 || grid["workers"].(map[string]any)["totalCount"].(float64) != 1 {
		t.Errorf("grid = %v", grid)
	}
	g = a.mutate("UpdateGrid", map[string]any{"id": grid["id"], "name": "一网格", "headId": f.p2, "deputyHeadIds": []string{}, "workerIds": []string{f.p1, f.p3}})
	grid = g["grid"].(map[string]any)
	if grid["name"] != "一网格" || grid["head"].(map[string]any)["id"] != f.p2 || len(grid["deputyHeads"].([]any)) != 0 || grid["workers"].(map[string]any)["totalCount"].(float64) != 2 {
		t.Errorf("updated grid = %v (%v)", grid, g["userErrors"])
	}

	// Seats: a secretary, a part-time member for a unit, then changes and an end.
	a.ok("CreateMembership", "membership", map[string]any{"committeeId": f.wc, "personId": f.p1, "role": "SECRETARY", "partTime": false, "termStart": "2024-01-01"})
	pt := a.ok("CreateMembership", "membership", map[string]any{"committeeId": f.wc, "personId": f.p2, "role": "MEMBER", "partTime": true, "unitId": f.unit, "title": "局长", "termStart": "2024-01-01"})
	m := a.mutate("UpdateMembership", map[string]any{"id": pt, "role": "DEPUTY_SECRETARY", "title": "副局长", "termEnd": "2030-12-31"})
	if ms := m["membership"].(map[string]any); ms["role"] != "DEPUTY_SECRETARY" || ms["title"] != "副局长" || ms["termEnd"] != "2030-12-31" {
		t.Errorf("updated membership = %v", m)
	}
	m = a.mutate("EndMembership", map[string]any{"id": pt, "termEnd": "2024-06-30"})
	if ms := m["membership"].(map[string]any); ms["termEnd"] != "2024-06-30" || ms["current"] != false {
		t.Errorf("ended membership = %v", m)
	}
	// The same person may take a new seat after the old one ended.
	a.ok("CreateMembership", "membership", map[string]any{"committeeId": f.wc, "personId": f.p2, "role": "MEMBER", "partTime": false, "termStart": "2024-07-01"})

	// Who represents the unit, on which committee, until when.
	var rep struct {
		Node struct {
			Memberships struct {
				Edges []struct {
					Node struct {
						TermEnd   string `json:"termEnd"`
						Committee struct {
							ID string `json:"id"`
						} `json:"committee"`
						Person struct {
							Name string `json:"name"`
						} `json:"person"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"memberships"`
		} `json:"node"`
	}
	a.do(`query($id: ID!) { node(id: $id) { ... on Unit { memberships(first: 10) { edges { node { termEnd committee { id } person { name } } } } } } }`, map[string]any{"id": f.unit}, &rep)
	if es := rep.Node.Memberships.Edges; len(es) != 1 || es[0].Node.Person.Name != "李四" || es[0].Node.Committee.ID != f.wc || es[0].Node.TermEnd != "2024-06-30" {
		t.Errorf("unit's representatives = %+v", rep.Node.Memberships.Edges)
	}

	// Renames.
	a.ok("UpdateSubdistrict", "subdistrict", map[string]any{"id": f.sd, "name": "新街道", "areaKm2": 2.5})
	a.ok("UpdateCommunity", "community", map[string]any{"id": f.c2, "name": "二号社区"})
	a.ok("UpdateUnit", "unit", map[string]any{"id": f.unit, "address": "某路1号", "communityId": f.c1})
	a.ok("UpdateCommittee", "committee", map[string]any{"id": f.pc, "name": "一社区党委"})
	a.ok("UpdatePerson", "person", map[string]any{"id": f.p3, "name": "王五五"})
	_ = e
}

func decodeB64(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
