package graph_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"cogov/graph"
	"cogov/internal/cases"
)

// caseRates are the figures the story checks.
type caseRates struct {
	Reported, Resolved, SettledInGrid, MediationsConcluded, MediationsReached, Visited int
}

func todaysCaseRates(t *testing.T, as *env, day string) caseRates {
	t.Helper()
	var out struct {
		Subdistrict struct {
			CaseFigures struct{ Total caseRates }
		}
	}
	as.doOp(operation(t, "cases.graphql"), "CaseFigures", map[string]any{"code": "houjiatang", "from": day, "to": day}, &out)
	return out.Subdistrict.CaseFigures.Total
}

// callbackSink is an integration's callback endpoint.
type callbackSink struct {
	mu     sync.Mutex
	secret string
	got    []cases.CallbackBody
}

func (s *callbackSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, _ := io.ReadAll(r.Body)
	ts, _ := strconv.ParseInt(r.Header.Get("X-Cogov-Timestamp"), 10, 64)
	if r.Header.Get("X-Cogov-Signature") != cases.Sign(s.secret, ts, b) {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var cb cases.CallbackBody
	_ = json.Unmarshal(b, &cb)
	s.got = append(s.got, cb)
}

// TestGridCasesDoneWhen is the "done when", through the operations
// of cases.graphql and the intake endpoint against the demo data, signed in
// as the demo accounts:
//
//   - grid-1-head reports a neighbour dispute in grid 1, accepts it, records
//     a mediation that fails and escalates it to the community;
//     community-1-admin accepts it and escalates it onto the next joint
//     meeting of its party committee, where an agenda item takes it up;
//   - a 110 case pushed through POST /intake/cases twice with the same
//     reference makes one case; grid-2-head accepts it, settles it by
//     mediation and resolves it; the acceptance and the outcome are called
//     back, signed;
//   - the day's figures grow by what a hand computation of the two cases
//     gives;
//   - community-2-admin and an anonymous visitor see none of the
//     reporter's or the parties' personal data, nor does the export.
func TestGridCasesDoneWhen(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	ops := operation(t, "cases.graphql")
	street := e.signIn("street-admin", "cogov-demo")
	head1 := e.signIn("grid-1-head", "cogov-demo")
	head2 := e.signIn("grid-2-head", "cogov-demo")
	com1 := e.signIn("community-1-admin", "cogov-demo")
	com2 := e.signIn("community-2-admin", "cogov-demo")
	day := testNow().In(shanghai).Format("2006-01-02")
	before := todaysCaseRates(t, street, day)

	gridOf := func(as *env) string {
		var v struct {
			Viewer struct {
				Roles []struct{ Scope struct{ ID string } }
			}
		}
		as.do(`{ viewer { roles { scope { ... on Grid { id } } } } }`, nil, &v)
		return v.Viewer.Roles[0].Scope.ID
	}
	var cats struct {
		Subdistrict struct{ CaseCategories []struct{ ID, Code string } }
	}
	head1.doOp(ops, "CaseCategories", map[string]any{"code": "houjiatang"}, &cats)
	neighbour := ""
	for _, c := range cats.Subdistrict.CaseCategories {
		if c.Code == "NEIGHBOUR_DISPUTE" {
			neighbour = c.ID
		}
	}
	pay := func(as *env, name string, input map[string]any) map[string]any {
		t.Helper()
		p := as.payload(ops, name, input)
		if codes := errCodes(p); len(codes) > 0 {
			t.Fatalf("%s: %v", name, p["userErrors"])
		}
		return p
	}
	field := func(p map[string]any, obj, key string) any { return p[obj].(map[string]any)[key] }

	// 1. The grid head's dispute goes up to the community, then onto the joint meeting.
	p := pay(head1, "ReportCase", map[string]any{"gridId": gridOf(head1), "source": "RESIDENT_REPORT", "categoryId": neighbour,
		"title": "楼上漏水引发纠纷", "description": "三楼漏水至二楼", "address": "一网格3栋", "reporterName": "王小明", "reporterPhone": "13812345678"})
	dispute := field(p, "case", "id").(string)
	if field(p, "case", "reporterMasked") != "王** 138****5678" || field(p, "case", "reporter") == nil {
		t.Errorf("reported: %v", p["case"])
	}
	pay(head1, "AcceptCase", map[string]any{"caseId": dispute})
	var staff struct {
		Viewer struct {
			Account struct{ Person struct{ ID string } }
		}
	}
	head1.do(`{ viewer { account { person { id } } } }`, nil, &staff)
	p = pay(head1, "RecordMediation", map[string]any{"caseId": dispute, "mediators": []map[string]any{{"kind": "GRID_STAFF", "personId": staff.Viewer.Account.Person.ID}},
		"parties":  []map[string]any{{"side": "APPLICANT", "name": "王小明", "phone": "13812345678"}, {"side": "RESPONDENT", "name": "赵大海", "phone": "13987654321"}},
		"sessions": []map[string]any{{"heldAt": testNow().Format("2006-01-02T15:04:05Z07:00"), "place": "网格议事点"}}, "outcome": "NOT_REACHED"})
	if field(p, "mediation", "outcome") != "NOT_REACHED" {
		t.Errorf("mediation: %v", p)
	}
	p = pay(head1, "EscalateCase", map[string]any{"caseId": dispute, "note": "网格调解未成功"})
	if field(p, "case", "level") != "COMMUNITY" || field(p, "case", "status") != "ESCALATED" {
		t.Errorf("escalated: %v", p["case"])
	}
	if p := head1.payload(ops, "AcceptCase", map[string]any{"caseId": dispute}); len(errCodes(p)) != 1 || errCodes(p)[0] != "FORBIDDEN" {
		t.Errorf("the grid accepts at the community level: %v", p)
	}
	pay(com1, "AcceptCase", map[string]any{"caseId": dispute, "note": "社区受理"})
	var meetings struct {
		Node struct {
			JointMeetings struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
	}
	var pc struct {
		Viewer struct {
			Roles []struct{ Scope struct{ ID string } }
		}
	}
	com1.do(`{ viewer { roles { scope { ... on Committee { id } } } } }`, nil, &pc)
	com1.do(`query($id: ID!) { node(id: $id) { ... on Committee { jointMeetings(first: 1, status: PLANNED) { edges { node { id } } } } } }`,
		map[string]any{"id": pc.Viewer.Roles[0].Scope.ID}, &meetings)
	if len(meetings.Node.JointMeetings.Edges) != 1 {
		t.Fatalf("community 1 has no planned joint meeting")
	}
	next := meetings.Node.JointMeetings.Edges[0].Node.ID
	p = pay(com1, "EscalateCase", map[string]any{"caseId": dispute, "note": "提请联席会议协商", "meetingId": next})
	c := p["case"].(map[string]any)
	onAgenda := false
	for _, it := range c["meeting"].(map[string]any)["agenda"].([]any) {
		if ic, _ := it.(map[string]any)["case"].(map[string]any); ic != nil && ic["id"] == dispute {
			onAgenda = true
		}
	}
	if c["level"] != "JOINT_MEETING" || !onAgenda {
		t.Errorf("onto the agenda: %v", c)
	}

	// 2. A 110 case through the intake, twice, called back.
	sink := &callbackSink{}
	cb := httptest.NewServer(sink)
	t.Cleanup(cb.Close)
	k := pay(street, "CreateIntakeKey", map[string]any{"subdistrictId": lookupDemo(t, street).sd, "name": "110指挥中心", "source": "DIVERSION_110",
		"callbackUrl": cb.URL})
	sink.secret = k["callbackSecret"].(string)
	intake := httptest.NewServer(graph.IntakeHandler(e.res, slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(intake.Close)
	push := func(key string, body map[string]any) (int, map[string]any) {
		b, _ := json.Marshal(body)
		code, answer := httpCall(t, http.MethodPost, intake.URL+"/intake/cases", key, "application/json", string(b))
		var out map[string]any
		_ = json.Unmarshal([]byte(answer), &out)
		return code, out
	}
	body := map[string]any{"externalRef": "110-" + day + "-0042", "gridId": gridOf(head2), "category": "NEIGHBOUR_DISPUTE",
		"title": "邻里噪音纠纷", "reporter": map[string]any{"name": "钱多多", "phone": "13700001111"}}
	code1, first := push(k["apiKey"].(string), body)
	code2, second := push(k["apiKey"].(string), body)
	if code1 != http.StatusCreated || code2 != http.StatusOK || first["caseId"] != second["caseId"] || second["created"] != false {
		t.Fatalf("pushes: %d %v, %d %v", code1, first, code2, second)
	}
	if code, _ := push("cgk_unknown", body); code != http.StatusUnauthorized {
		t.Errorf("an unknown key: %d", code)
	}
	var n int
	e.sysScan(`SELECT count(*) FROM grid_case WHERE external_ref = '110-`+day+`-0042'`, &n)
	if n != 1 {
		t.Errorf("%d cases for one reference", n)
	}
	diverted := first["caseId"].(string)
	pay(head2, "AcceptCase", map[string]any{"caseId": diverted})
	pay(head2, "RecordMediation", map[string]any{"caseId": diverted, "mediators": []map[string]any{{"kind": "OTHER", "name": "人民调解员"}},
		"parties": []map[string]any{{"side": "APPLICANT", "name": "钱多多", "phone": "13700001111"}}, "outcome": "AGREEMENT_REACHED", "agreement": "晚十点后不再施工"})
	p = pay(head2, "ResolveCase", map[string]any{"caseId": diverted, "resolution": "调解成功"})
	if field(p, "case", "settledLevel") != "GRID" {
		t.Errorf("resolved: %v", p["case"])
	}
	delivered, err := (&cases.Deliverer{Store: e.store, Now: testNow}).RunOnce(t.Context())
	if err != nil || delivered != 2 || len(sink.got) != 2 || sink.got[0].Event != "ACCEPTED" || sink.got[1].Event != "RESOLVED" ||
		sink.got[1].Mediation == nil || sink.got[1].Mediation.Outcome != cases.AgreementReached || sink.got[1].ExternalRef != body["externalRef"] {
		t.Errorf("callbacks: %d %v %+v", delivered, err, sink.got)
	}

	// 3. The day's figures: two reported, two mediations (one agreement), one resolved, in the grid.
	after := todaysCaseRates(t, street, day)
	want := caseRates{Reported: before.Reported + 2, Resolved: before.Resolved + 1, SettledInGrid: before.SettledInGrid + 1,
		MediationsConcluded: before.MediationsConcluded + 2, MediationsReached: before.MediationsReached + 1, Visited: before.Visited}
	if after != want {
		t.Errorf("the day's figures: %+v, want %+v", after, want)
	}

	// 4. No personal data for another community or an anonymous visitor.
	detail := func(as *env, id string) map[string]any {
		var out struct{ Node map[string]any }
		as.doOp(ops, "CaseDetail", map[string]any{"id": id}, &out)
		return out.Node
	}
	for _, id := range []string{dispute, diverted} {
		if got := detail(e, id); got != nil {
			t.Errorf("an anonymous visitor sees case %s: %v", id, got)
		}
		got := detail(com2, id)
		if got == nil || got["reporter"] != nil || got["viewerHandles"] != false || got["reporterMasked"] == "" {
			t.Errorf("community-2-admin reads the reporter of %s: %v", id, got)
		}
		for _, m := range got["mediations"].([]any) {
			for _, party := range m.(map[string]any)["parties"].([]any) {
				if party.(map[string]any)["contact"] != nil || party.(map[string]any)["masked"] == "" {
					t.Errorf("community-2-admin reads a party of %s: %v", id, party)
				}
			}
		}
		if mine := detail(com1, dispute); mine["reporter"] == nil {
			t.Errorf("community-1-admin, who handles the dispute, does not read its reporter")
		}
	}
	raw, _ := json.Marshal(detail(com2, dispute))
	if strings.Contains(string(raw), "13812345678") || strings.Contains(string(raw), "赵大海") {
		t.Errorf("personal data in community-2-admin's answer: %s", raw)
	}
	exports := httptest.NewServer(graph.Authenticate(e.res.Accounts, slog.New(slog.NewTextHandler(io.Discard, nil)),
		graph.ExportHandler(e.res, e.store, slog.New(slog.NewTextHandler(io.Discard, nil)))))
	t.Cleanup(exports.Close)
	get := func(token, path string) (int, string) {
		return httpCall(t, http.MethodGet, exports.URL+path, token, "", "")
	}
	code, csv := get(street.token, "/export/subdistricts/houjiatang/cases.csv?from="+day+"&to="+day)
	if code != 200 || !strings.Contains(csv, "王** 138****5678") || strings.Contains(csv, "13812345678") || strings.Contains(csv, "王小明") {
		t.Errorf("cases.csv: %d %q", code, csv)
	}
	if code, _ := get("", "/export/subdistricts/houjiatang/cases.csv?from="+day+"&to="+day); code != http.StatusNotFound {
		t.Errorf("cases.csv for an anonymous visitor: %d", code)
	}
	if code, csv := get(street.token, "/export/subdistricts/houjiatang/case-figures.csv?from="+day+"&to="+day); code != 200 ||
		!strings.Contains(csv, "调解成功率 mediationSuccessRate") {
		t.Errorf("case-figures.csv: %d %q", code, csv)
	}
}
