package graph_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"cogov/internal/access"
)

// The rows of the authorization matrix for grid affairs. The fixture's
// cases are in a grid of community 1, whose party committee the matrix's
// committee administrator administers: as that community's administrator
// they act on the grid's cases, as do the sub-district's administrators.
// A unit acts on a case routed to it. The grid's own staff (GRID_WORKER)
// are not one of the matrix's roles; TestCaseMatrixGridWorker runs every
// row as them and as the staff of another grid.

const caseOps = `
mutation ReportCase($input: ReportCaseInput!) { reportCase(input: $input) { case { id status } userErrors { code field message } } }
mutation AcceptCase($input: CaseStepInput!) { acceptCase(input: $input) { case { id status } userErrors { code field message } } }
mutation StartCase($input: CaseStepInput!) { startCase(input: $input) { case { id status } userErrors { code field message } } }
mutation EscalateCase($input: EscalateCaseInput!) { escalateCase(input: $input) { case { id status level } userErrors { code field message } } }
mutation RouteCase($input: RouteCaseInput!) { routeCase(input: $input) { case { id status } userErrors { code field message } } }
mutation AcceptRoutedCase($input: CaseStepInput!) { acceptRoutedCase(input: $input) { case { id status } userErrors { code field message } } }
mutation HandBackCase($input: CaseReasonInput!) { handBackCase(input: $input) { case { id status } userErrors { code field message } } }
mutation ResolveCase($input: ResolveCaseInput!) { resolveCase(input: $input) { case { id status } userErrors { code field message } } }
mutation CloseCase($input: CloseCaseInput!) { closeCase(input: $input) { case { id status } userErrors { code field message } } }
mutation ReturnCase($input: CaseReasonInput!) { returnCase(input: $input) { case { id status } userErrors { code field message } } }
mutation RecordMediation($input: RecordMediationInput!) { recordMediation(input: $input) { mediation { id outcome } userErrors { code field message } } }
mutation UpdateMediation($input: UpdateMediationInput!) { updateMediation(input: $input) { mediation { id outcome } userErrors { code field message } } }
mutation AddCaseCategory($input: AddCaseCategoryInput!) { addCaseCategory(input: $input) { category { id code } userErrors { code field message } } }
mutation CreateIntakeKey($input: CreateIntakeKeyInput!) { createIntakeKey(input: $input) { intakeKey { id } apiKey userErrors { code field message } } }
mutation RevokeIntakeKey($input: RevokeIntakeKeyInput!) { revokeIntakeKey(input: $input) { intakeKey { id revokedAt } userErrors { code field message } } }
`

var (
	caseHandlers = []matrixRole{rolePlatform, roleSubdistrict, roleCommitteeAdmin}
	unitHandlers = []matrixRole{rolePlatform, roleSubdistrict, roleUnitAdmin}
	caseGrids    sync.Map // *matrixEnv → [grid id, category id]
	// caseSeq numbers the rows' records; not the matrix's own counter,
	// which also places its bookings' days.
	caseSeq atomic.Int64
)

func caseUnique(prefix string) string { return fmt.Sprintf("%s%d", prefix, caseSeq.Add(1)) }

// caseRows are the matrix rows of grid affairs, by mutation.
var caseRows = map[string]matrixCase{
	"reportCase": {allowed: caseHandlers, input: func(m *matrixEnv) map[string]any { return m.reportInput("GRID_PATROL") }},
	"acceptCase": {allowed: caseHandlers, input: func(m *matrixEnv) map[string]any { return map[string]any{"caseId": m.newCase("GRID_PATROL")} }},
	"startCase":  {allowed: caseHandlers, input: func(m *matrixEnv) map[string]any { return map[string]any{"caseId": m.acceptedCase()} }},
	"escalateCase": {allowed: caseHandlers, input: func(m *matrixEnv) map[string]any {
		return map[string]any{"caseId": m.acceptedCase(), "note": "网格无法解决"}
	}},
	"routeCase":        {allowed: caseHandlers, input: func(m *matrixEnv) map[string]any { return map[string]any{"caseId": m.acceptedCase(), "unitId": m.unit} }},
	"acceptRoutedCase": {allowed: unitHandlers, input: func(m *matrixEnv) map[string]any { return map[string]any{"caseId": m.routedCase()} }},
	"handBackCase": {allowed: unitHandlers, input: func(m *matrixEnv) map[string]any {
		return map[string]any{"caseId": m.routedCase(), "reason": "非本单位职责"}
	}},
	"resolveCase": {allowed: caseHandlers, input: func(m *matrixEnv) map[string]any {
		return map[string]any{"caseId": m.acceptedCase(), "resolution": "已解决"}
	}},
	"closeCase": {allowed: caseHandlers, input: func(m *matrixEnv) map[string]any {
		return map[string]any{"caseId": m.resolvedCase(), "satisfaction": "SATISFIED"}
	}},
	"returnCase": {allowed: caseHandlers, input: func(m *matrixEnv) map[string]any {
		return map[string]any{"caseId": m.newCase("DIVERSION_110"), "reason": "治安案件"}
	}},
	"recordMediation": {allowed: caseHandlers, input: func(m *matrixEnv) map[string]any { return m.mediationInput(m.acceptedCase()) }},
	"updateMediation": {allowed: caseHandlers, input: func(m *matrixEnv) map[string]any {
		p := m.e.system().payload(caseOps, "RecordMediation", m.mediationInput(m.acceptedCase()))
		return map[string]any{"mediationId": p["mediation"].(map[string]any)["id"], "outcome": "NOT_REACHED"}
	}},
	"addCaseCategory": {allowed: admins, input: func(m *matrixEnv) map[string]any {
		return map[string]any{"subdistrictId": m.sd, "code": fmt.Sprintf("FAMILY_%d", caseSeq.Add(1)), "name": caseUnique("家庭矛盾"), "dispute": true}
	}},
	"createIntakeKey": {allowed: admins, input: func(m *matrixEnv) map[string]any {
		return map[string]any{"subdistrictId": m.sd, "name": caseUnique("110指挥中心"), "source": "DIVERSION_110", "callbackUrl": "https://110.example/cb"}
	}},
	"revokeIntakeKey": {allowed: admins, input: func(m *matrixEnv) map[string]any {
		p := m.e.system().payload(caseOps, "CreateIntakeKey", map[string]any{"subdistrictId": m.sd, "name": caseUnique("12345热线"), "source": "HOTLINE_12345"})
		return map[string]any{"intakeKeyId": p["intakeKey"].(map[string]any)["id"]}
	}},
}

func init() {
	mutationDoc += caseOps
	for k, v := range caseRows {
		matrix[k] = v
	}
}

// caseGrid is the fixture's grid of community 1 and the category its cases take, made once.
func (m *matrixEnv) caseGrid() (grid, category string) {
	if v, ok := caseGrids.Load(m); ok {
		ids := v.([2]string)
		return ids[0], ids[1]
	}
	grid = m.e.system().ok("CreateGrid", "grid", map[string]any{"communityId": m.c1, "name": "事件网格"})
	var out struct {
		Subdistrict struct{ CaseCategories []struct{ ID, Code string } }
	}
	m.e.system().do(`{ subdistrict(code: "testsd") { caseCategories { id code } } }`, nil, &out)
	for _, c := range out.Subdistrict.CaseCategories {
		if c.Code == "NEIGHBOUR_DISPUTE" {
			category = c.ID
		}
	}
	caseGrids.Store(m, [2]string{grid, category})
	return grid, category
}

func (m *matrixEnv) reportInput(source string) map[string]any {
	grid, cat := m.caseGrid()
	return map[string]any{"gridId": grid, "source": source, "categoryId": cat, "title": caseUnique("事件"), "reporterName": "王小明",
		"reporterPhone": "13812345678"}
}

// caseStep runs a case mutation as the platform and returns the case's id.
func (m *matrixEnv) caseStep(op string, input map[string]any) string {
	p := m.e.system().payload(caseOps, op, input)
	if len(errCodes(p)) > 0 {
		m.e.t.Fatalf("%s: %v", op, p["userErrors"])
	}
	return p["case"].(map[string]any)["id"].(string)
}

func (m *matrixEnv) newCase(source string) string {
	return m.caseStep("ReportCase", m.reportInput(source))
}

func (m *matrixEnv) acceptedCase() string {
	return m.caseStep("AcceptCase", map[string]any{"caseId": m.newCase("GRID_PATROL")})
}

func (m *matrixEnv) routedCase() string {
	return m.caseStep("RouteCase", map[string]any{"caseId": m.acceptedCase(), "unitId": m.unit})
}

func (m *matrixEnv) resolvedCase() string {
	return m.caseStep("ResolveCase", map[string]any{"caseId": m.acceptedCase(), "resolution": "已解决"})
}

func (m *matrixEnv) mediationInput(caseID string) map[string]any {
	return map[string]any{"caseId": caseID, "mediators": []map[string]any{{"kind": "GRID_STAFF", "personId": m.p1}},
		"parties": []map[string]any{{"side": "APPLICANT", "name": "王小明", "phone": "13812345678"}}}
}

// TestCaseMatrixGridWorker runs the grid-affairs rows as the staff of the
// fixture's grid, who act on its cases at the grid level like the
// community, and as the staff of another grid, who may not.
func TestCaseMatrixGridWorker(t *testing.T) {
	t.Parallel()
	m := newMatrix(t)
	grid, _ := m.caseGrid()
	other := m.e.system().ok("CreateGrid", "grid", map[string]any{"communityId": m.c2, "name": "别的网格"})
	sd := rawID(t, m.sd)
	worker := m.e.as(access.Viewer{AccountID: "00000000-0000-0000-0000-0000000000f1", Username: "grid-worker",
		Roles: []access.Role{{Kind: access.GridWorker, ScopeID: rawID(t, grid), SubdistrictID: sd}}})
	stranger := m.e.as(access.Viewer{AccountID: "00000000-0000-0000-0000-0000000000f2", Username: "other-grid-worker",
		Roles: []access.Role{{Kind: access.GridWorker, ScopeID: rawID(t, other), SubdistrictID: sd}}})
	for name, c := range caseRows {
		for _, who := range []struct {
			env     *env
			label   string
			allowed bool
		}{{worker, "the grid's worker", slicesContains(c.allowed, roleCommitteeAdmin)}, {stranger, "another grid's worker", false}} {
			p := who.env.payload(mutationDoc, opName(name), c.input(m))
			codes := errCodes(p)
			switch {
			case who.allowed && len(codes) > 0:
				t.Errorf("%s as %s: refused %v", name, who.label, p["userErrors"])
			case !who.allowed && (len(codes) == 0 || (codes[0] != "FORBIDDEN" && codes[0] != "NOT_FOUND")):
				t.Errorf("%s as %s: %v, want FORBIDDEN or NOT_FOUND", name, who.label, p)
			}
		}
	}
}

func slicesContains(rs []matrixRole, r matrixRole) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}
