package cases_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"cogov/internal/cases"
	"cogov/internal/problem"
)

// receiver is an integration's callback endpoint that checks signatures.
type receiver struct {
	mu     sync.Mutex
	secret string
	fail   bool
	got    []cases.CallbackBody
	bad    int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	body, _ := io.ReadAll(req.Body)
	ts, _ := strconv.ParseInt(req.Header.Get("X-Cogov-Timestamp"), 10, 64)
	if req.Header.Get("X-Cogov-Signature") != cases.Sign(r.secret, ts, body) || req.Header.Get("X-Cogov-Delivery") == "" {
		r.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.fail {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	var b cases.CallbackBody
	_ = json.Unmarshal(body, &b)
	r.got = append(r.got, b)
}

// TestIntake: an integration's key, idempotent pushes, the key's scope and
// revocation, and the signed callbacks of acceptance and outcome,
// delivered from the outbox with retries.
func TestIntake(t *testing.T) {
	t.Parallel()
	g := newGrids(t)
	rcv := &receiver{}
	srv := httptest.NewServer(rcv)
	defer srv.Close()

	_, err := g.Cases.CreateIntakeKey(g.com1, g.SD, "110指挥中心", cases.Diversion110, srv.URL)
	want(t, "a community creates a key", err, problem.Forbidden)
	_, err = g.Cases.CreateIntakeKey(g.SubdistrictAdmin(g.OtherSD), g.SD, "110指挥中心", cases.Diversion110, srv.URL)
	want(t, "another sub-district creates a key", err, problem.NotFound)
	_, err = g.Cases.CreateIntakeKey(g.Admin, g.SD, "110指挥中心", cases.GridPatrol, srv.URL)
	want(t, "a key for patrols", err, problem.InvalidInput)
	_, err = g.Cases.CreateIntakeKey(g.Admin, g.SD, "110指挥中心", cases.Diversion110, "ftp://x")
	want(t, "a callback that is no web address", err, problem.InvalidInput)
	nk, err := g.Cases.CreateIntakeKey(g.Admin, g.SD, "110指挥中心", cases.Diversion110, srv.URL)
	want(t, "create a key", err, "")
	rcv.secret = nk.CallbackSecret
	if n := g.Count(`SELECT count(*) FROM intake_key_secret WHERE key_hash = sha256(convert_to($1, 'UTF8'))`, nk.APIKey); n != 1 {
		t.Errorf("the key is not stored as its SHA-256")
	}
	if n := g.Count(`SELECT count(*) FROM audit_log WHERE entity_type = 'intake_key'`); n != 1 {
		t.Errorf("%d audit rows of the key, want 1", n)
	}
	if n := g.Count(`SELECT count(*) FROM audit_log WHERE after::text LIKE '%' || $1 || '%' OR after::text LIKE '%' || $2 || '%'
		OR after ? 'key_hash' OR after ? 'callback_secret'`, nk.APIKey, nk.CallbackSecret); n != 0 {
		t.Errorf("a secret of the key reached the audit log")
	}

	k, err := g.Cases.AuthenticateIntake(g.anon, nk.APIKey)
	g.Must(err)
	if _, err := g.Cases.AuthenticateIntake(g.anon, nk.APIKey+"x"); !errors.Is(err, cases.ErrBadKey) {
		t.Errorf("a wrong key: %v", err)
	}
	ref := "110-20261201-0001"
	in := cases.NewCase{ExternalRef: &ref, GridID: g.G1, Title: "邻里噪音纠纷",
		Reporter: &cases.Personal{Name: "钱多多", Phone: "13700001111"}}
	c1, created, err := g.Cases.Intake(g.anon, k, "NEIGHBOUR_DISPUTE", in)
	if err != nil || !created || c1.Source != cases.Diversion110 || c1.ExternalRef == nil || *c1.ExternalRef != ref {
		t.Fatalf("first push: %v %v %+v", err, created, c1)
	}
	in.Title = "重复推送"
	c2, created, err := g.Cases.Intake(g.anon, k, "NEIGHBOUR_DISPUTE", in)
	if err != nil || created || c2.ID != c1.ID || c2.Title != "邻里噪音纠纷" {
		t.Errorf("second push: %v %v %+v", err, created, c2)
	}
	if n := g.Count(`SELECT count(*) FROM grid_case WHERE external_ref = $1`, ref); n != 1 {
		t.Errorf("%d cases for one reference", n)
	}
	// The key acts in its own sub-district only.
	other, err := g.Structure.CreateCommunity(g.SubdistrictAdmin(g.OtherSD), communityOf(g.OtherSD))
	g.Must(err)
	og, err := g.Structure.CreateGrid(g.SubdistrictAdmin(g.OtherSD), gridOf(other.ID))
	g.Must(err)
	_, _, err = g.Cases.Intake(g.anon, k, "", cases.NewCase{ExternalRef: ptr("110-x"), GridID: og.ID, Title: "别处"})
	want(t, "a grid of another sub-district", err, problem.NotFound)
	_, _, err = g.Cases.Intake(g.anon, k, "", cases.NewCase{ExternalRef: ptr(""), GridID: g.G1, Title: "无编号"})
	want(t, "no reference", err, problem.InvalidInput)
	// What it pushed, it cannot read back: the reporter is for handlers.
	got, err := g.Store.CasesByID(g.com2, []string{c1.ID})
	g.Must(err)
	if got[c1.ID].Reporter != nil {
		t.Errorf("another community reads the pushed reporter")
	}

	// Acceptance and the outcome are called back, signed.
	d := &cases.Deliverer{Store: g.Store, Now: g.Clock}
	_, err = g.Cases.Accept(g.worker1, c1.ID, "网格员已受理")
	g.Must(err)
	_, err = g.Cases.RecordMediation(g.worker1, cases.NewMediation{CaseID: c1.ID, Mediators: []cases.Mediator{{Kind: cases.MediatorGridStaff, PersonID: &g.P1}},
		Parties: []cases.NewParty{{Side: cases.Applicant, Name: "钱多多"}}, Outcome: cases.AgreementReached, Agreement: "晚十点后不再施工"})
	g.Must(err)
	_, err = g.Cases.Resolve(g.worker1, c1.ID, "调解成功")
	g.Must(err)
	n, err := d.RunOnce(g.anon)
	g.Must(err)
	if n != 2 || len(rcv.got) != 2 || rcv.bad != 0 {
		t.Fatalf("delivered %d, received %+v, %d badly signed", n, rcv.got, rcv.bad)
	}
	if rcv.got[0].Event != "ACCEPTED" || rcv.got[0].ExternalRef != ref || rcv.got[1].Event != "RESOLVED" ||
		rcv.got[1].Mediation == nil || rcv.got[1].Mediation.Outcome != cases.AgreementReached || rcv.got[1].Resolution != "调解成功" {
		t.Errorf("callbacks: %+v", rcv.got)
	}
	if n, _ := d.RunOnce(g.anon); n != 0 {
		t.Errorf("delivered %d again", n)
	}
	// A receiver that fails gets the callback again later; at the last attempt it is given up.
	rcv.fail = true
	_, err = g.Cases.Close(g.worker1, c1.ID, cases.Satisfied, "")
	g.Must(err)
	d.MaxAttempts = 2
	if n, err := d.RunOnce(g.anon); n != 0 || err != nil {
		t.Errorf("a failing receiver: %d %v", n, err)
	}
	if n := g.Count(`SELECT count(*) FROM case_callback WHERE event = 'CLOSED' AND attempts = 1 AND delivered_at IS NULL AND failed_at IS NULL
		AND next_attempt_at > cogov_now() + interval '20 seconds'`); n != 1 {
		t.Errorf("the failed callback is not due again later")
	}
	g.SysRow(`UPDATE case_callback SET next_attempt_at = now() - interval '1 second' WHERE event = 'CLOSED' RETURNING 1`).Scan(new(int))
	rcv.fail = false
	rcv.mu.Lock()
	rcv.secret = "wrong" // the second attempt is refused too
	rcv.mu.Unlock()
	_, err = d.RunOnce(g.anon)
	g.Must(err)
	if n := g.Count(`SELECT count(*) FROM case_callback WHERE event = 'CLOSED' AND attempts = 2 AND failed_at IS NOT NULL`); n != 1 {
		t.Errorf("the callback is not given up after the last attempt")
	}

	// Revoked, the key no longer signs anything in.
	_, err = g.Cases.RevokeIntakeKey(g.com1, k.ID)
	want(t, "a community revokes (keys are for the sub-district's administrators only, in the database too)", err, problem.NotFound)
	_, err = g.Cases.RevokeIntakeKey(g.Admin, k.ID)
	want(t, "revoke", err, "")
	if _, err := g.Cases.AuthenticateIntake(g.anon, nk.APIKey); !errors.Is(err, cases.ErrBadKey) {
		t.Errorf("a revoked key: %v", err)
	}
}

func ptr(s string) *string { return &s }
