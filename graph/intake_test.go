package graph_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"cogov/graph"
)

// TestIntakeEndpoint: the HTTP answers of POST /intake/cases for what goes
// wrong, the key's scope (a revoked key, a grid of another sub-district)
// and the rate per key.
func TestIntakeEndpoint(t *testing.T) {
	t.Parallel()
	e, f := newFixture(t)
	admin := f.admin
	grid := admin.ok("CreateGrid", "grid", map[string]any{"communityId": f.c1, "name": "接入网格"})
	oc := e.system().ok("CreateCommunity", "community", map[string]any{"subdistrictId": e.system().ok("CreateSubdistrict", "subdistrict",
		map[string]any{"code": "intake-other", "name": "别的街道", "timeZone": "Asia/Shanghai"}), "code": "xo", "name": "别处"})
	otherGrid := e.system().ok("CreateGrid", "grid", map[string]any{"communityId": oc, "name": "别处网格"})
	k := admin.payload(caseOps, "CreateIntakeKey", map[string]any{"subdistrictId": f.sd, "name": "12345热线", "source": "HOTLINE_12345"})
	key := k["apiKey"].(string)
	srv := httptest.NewServer(graph.IntakeHandler(e.res, slog.New(slog.NewTextHandler(io.Discard, nil))))
	t.Cleanup(srv.Close)
	post := func(key, ctype, body string) (int, string) {
		return httpCall(t, http.MethodPost, srv.URL+"/intake/cases", key, ctype, body)
	}
	good := `{"externalRef":"12345-1","gridId":"` + grid + `","title":"路灯不亮","category":"PUBLIC_FACILITIES"}`
	for _, c := range []struct {
		name, key, ctype, body string
		code                   int
		has                    string
	}{
		{"no key", "", "application/json", good, 401, "UNAUTHENTICATED"},
		{"unknown key", "cgk_nothing", "application/json", good, 401, "UNAUTHENTICATED"},
		{"not JSON", key, "text/plain", good, 415, ""},
		{"unknown field", key, "application/json", `{"externalRef":"x","gridId":"` + grid + `","title":"t","priority":1}`, 400, "BAD_REQUEST"},
		{"blank title", key, "application/json", `{"externalRef":"12345-2","gridId":"` + grid + `","title":" "}`, 422, "BLANK"},
		{"grid of another sub-district", key, "application/json", `{"externalRef":"12345-3","gridId":"` + otherGrid + `","title":"t"}`, 422, "NOT_FOUND"},
		{"unknown category", key, "application/json", `{"externalRef":"12345-4","gridId":"` + grid + `","title":"t","category":"NOPE"}`, 422, "NOT_FOUND"},
		{"a case", key, "application/json", good, 201, `"status":"REPORTED"`},
		{"the same case again", key, "application/json", good, 200, `"created":false`},
	} {
		code, body := post(c.key, c.ctype, c.body)
		if code != c.code || !strings.Contains(body, c.has) {
			t.Errorf("%s: %d %s, want %d with %q", c.name, code, body, c.code, c.has)
		}
	}
	var source string
	e.sysScan(`SELECT source FROM grid_case WHERE external_ref = '12345-1'`, &source)
	if source != "HOTLINE_12345" {
		t.Errorf("the key's case has source %q", source)
	}
	// The key's budget: 60 at once (eight spent above), then 429.
	limited := 0
	for range graph.IntakeBurst {
		if code, _ := post(key, "application/json", "{"); code == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Errorf("no push was refused past the key's burst")
	}
	// Revoked, the key is refused.
	admin.payload(caseOps, "RevokeIntakeKey", map[string]any{"intakeKeyId": k["intakeKey"].(map[string]any)["id"]})
	if code, _ := post(key, "application/json", good); code != http.StatusUnauthorized {
		t.Errorf("a revoked key: %d", code)
	}
}

// httpCall sends a request with an optional bearer token and body and
// returns the status and the body of the answer.
func httpCall(t *testing.T, method, url, token, ctype, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
