package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql/introspection"
	"github.com/coder/websocket"

	"cogov/graph"
)

// hostile is one request built to hurt the server.
type hostile struct {
	name   string
	method string
	ctype  string
	body   []byte
	query  string // for GET
	status int    // expected status; 0 means any 2xx/4xx with an error of code
	code   string // expected extensions.code of the first error, if any
}

func gqlBody(q string) []byte {
	b, _ := json.Marshal(map[string]any{"query": q})
	return b
}

func repeat(format string, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, format, i)
	}
	return b.String()
}

func hostileRequests() []hostile {
	deep := strings.Repeat("workingCommittee { subdistrict { ", 1000) + "id" + strings.Repeat(" } }", 1000)
	return []hostile{
		{name: "50,000 directives", method: "POST", ctype: "application/json",
			body: gqlBody("{ __typename " + strings.Repeat("@a ", 50000) + "}"), code: "GRAPHQL_PARSE_FAILED"},
		{name: "5,000 aliases of __typename", method: "POST", ctype: "application/json",
			body: gqlBody("{ " + repeat("a%d: __typename ", 5000) + "}")},
		{name: "nesting depth 2,000", method: "POST", ctype: "application/json",
			body: gqlBody(`{ subdistrict(code: "houjiatang") { ` + deep + ` } }`)},
		{name: "nesting depth 30", method: "POST", ctype: "application/json",
			body: gqlBody(`{ subdistrict(code: "houjiatang") { ` + strings.Repeat("workingCommittee { subdistrict { ", 15) + "id" + strings.Repeat(" } }", 15) + ` } }`), code: "DEPTH_LIMIT_EXCEEDED"},
		{name: "40 aliases of one field", method: "POST", ctype: "application/json",
			body: gqlBody("{ " + repeat("a%d: viewer { roles { kind } } ", 40) + "}"), code: "ALIAS_LIMIT_EXCEEDED"},
		{name: "10 MB body", method: "POST", ctype: "application/json",
			body: gqlBody("{ __typename }" + strings.Repeat(" ", 10<<20)), status: http.StatusRequestEntityTooLarge, code: "PAYLOAD_TOO_LARGE"},
		{name: "fragment cycle", method: "POST", ctype: "application/json",
			body: gqlBody("query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"), code: "GRAPHQL_VALIDATION_FAILED"},
		{name: "mutation by GET", method: "GET", query: `mutation { signOut(input: {}) { revokedCount } }`},
		{name: "form-encoded POST", method: "POST", ctype: "application/x-www-form-urlencoded",
			body: []byte("query=" + url.QueryEscape(`mutation { signOut(input: {}) { revokedCount } }`))},
		{name: "text/plain POST", method: "POST", ctype: "text/plain", body: gqlBody(`mutation { signOut(input: {}) { revokedCount } }`)},
		{name: "lists too big", method: "POST", ctype: "application/json",
			body: gqlBody(`{ subdistrict(code: "houjiatang") { committees(first: 100) { edges { node { memberships(first: 100) { edges { node { person { memberships(first: 100) { totalCount } } } } } } } } } }`), code: "COMPLEXITY_LIMIT_EXCEEDED"},
		{name: "first over 100", method: "POST", ctype: "application/json",
			body: gqlBody(`{ subdistrict(code: "houjiatang") { units(first: 1000) { totalCount } } }`), code: "BAD_USER_INPUT"},
	}
}

// send sends a hostile request and returns the status, the first error code and the elapsed time.
func sendHostile(t testing.TB, base string, h hostile) (int, string, time.Duration) {
	t.Helper()
	var req *http.Request
	if h.method == "GET" {
		req, _ = http.NewRequest(http.MethodGet, base+"?query="+url.QueryEscape(h.query), nil)
	} else {
		req, _ = http.NewRequest(http.MethodPost, base, bytes.NewReader(h.body))
		req.Header.Set("Content-Type", h.ctype)
	}
	client := &http.Client{Timeout: 10 * time.Second} // a guard against hangs, not a speed check
	start := testNow()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", h.name, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	elapsed := time.Since(start)
	var out struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	_ = json.Unmarshal(body, &out)
	code := ""
	if len(out.Errors) > 0 {
		code, _ = out.Errors[0].Extensions["code"].(string)
	}
	return resp.StatusCode, code, elapsed
}

func TestHostileRequests(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	for _, h := range hostileRequests() {
		status, code, elapsed := sendHostile(t, e.srv.URL, h)
		t.Logf("%s: %d %s in %v", h.name, status, code, elapsed.Round(time.Microsecond))
		if status == http.StatusOK && code == "" {
			t.Errorf("%s: accepted", h.name)
		}
		if h.status != 0 && status != h.status {
			t.Errorf("%s: status %d, want %d", h.name, status, h.status)
		}
		if h.code != "" && code != h.code {
			t.Errorf("%s: code %q, want %q", h.name, code, h.code)
		}
		// The server keeps serving.
		var o struct {
			Subdistrict struct{ Name string } `json:"subdistrict"`
		}
		e.do(`{ subdistrict(code: "houjiatang") { name } }`, nil, &o)
		if o.Subdistrict.Name != "侯家塘街道" {
			t.Fatalf("after %s the server answers %+v", h.name, o)
		}
	}
}

// BenchmarkHostileRequests measures how fast each hostile request is refused.
func BenchmarkHostileRequests(b *testing.B) {
	e := newEnvWith(b, true, graph.Limits{AddrBurst: 1 << 30, AddrPerSecond: 1 << 30})
	for _, h := range hostileRequests() {
		b.Run(strings.ReplaceAll(h.name, " ", "_"), func(b *testing.B) {
			for b.Loop() {
				sendHostile(b, e.srv.URL, h)
			}
		})
	}
}

func TestCrossOriginWebsocket(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	wsURL := "ws" + strings.TrimPrefix(e.srv.URL, "http")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"},
		HTTPHeader:   http.Header{"Origin": []string{"http://evil.example"}},
	})
	if err == nil {
		t.Fatal("a cross-origin websocket was accepted")
	}
	if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin websocket: %v", err)
	}

	// The same origin may connect, authenticates in its init message and runs a query.
	token := e.signIn("street-admin", "cogov-demo").token
	c, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	send := func(v any) {
		b, _ := json.Marshal(v)
		if err := c.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	read := func() map[string]any {
		_, b, err := c.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return m
	}
	send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + token}})
	if m := read(); m["type"] != "connection_ack" {
		t.Fatalf("init: %v", m)
	}
	send(map[string]any{"type": "subscribe", "id": "1", "payload": map[string]any{"query": "{ viewer { account { username } } }"}})
	m := read()
	b, _ := json.Marshal(m)
	if !strings.Contains(string(b), "street-admin") {
		t.Errorf("query over websocket: %s", b)
	}

	// A bad token in the init message closes the connection.
	c2, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.CloseNow()
	b, _ = json.Marshal(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer forged"}})
	_ = c2.Write(ctx, websocket.MessageText, b)
	if _, msg, err := c2.Read(ctx); err == nil && strings.Contains(string(msg), "connection_ack") {
		t.Errorf("a forged token was acknowledged: %s", msg)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, true, graph.Limits{AddrBurst: 50, AddrPerSecond: 1})
	// requests 20 and returns more objects than that: charged 20
	q := `{ subdistrict(code: "houjiatang") { units(first: 20) { edges { node { id } } } } }`
	var last gqlResponse
	for i := 0; i < 3; i++ {
		last = e.post(q, nil)
	}
	if last.status != http.StatusTooManyRequests || len(last.Errors) == 0 || last.Errors[0].Extensions["code"] != "RATE_LIMITED" {
		t.Fatalf("third request: status %d errors %+v", last.status, last.Errors)
	}
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL, bytes.NewReader(gqlBody(q)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if ra := resp.Header.Get("Retry-After"); resp.StatusCode != http.StatusTooManyRequests || ra == "" || ra == "0" {
		t.Errorf("status %d Retry-After %q", resp.StatusCode, ra)
	}
}

func TestProductionMode(t *testing.T) {
	t.Parallel()
	prod := newEnvOpts(t, false, graph.Options{Production: true})
	r := prod.post(`{ __schema { types { name } } }`, nil)
	if len(r.Errors) == 0 {
		t.Error("introspection answered in production")
	}
	// The English text of an error stays in extensions.detail when the
	// message is in Chinese (the default language).
	text := func(e gqlError) string { return e.Message + " " + fmt.Sprint(e.Extensions["detail"]) }
	r = prod.post(`{ subdistrikt(code: "x") { id } }`, nil)
	if len(r.Errors) == 0 || strings.Contains(text(r.Errors[0]), "Did you mean") {
		t.Errorf("unknown field in production: %+v", r.Errors)
	}
	dev := newEnvOpts(t, false, graph.Options{})
	if r := dev.post(`{ __schema { queryType { name } } }`, nil); len(r.Errors) != 0 {
		t.Errorf("introspection in development: %+v", r.Errors)
	}
	if r := dev.post(`{ subdistrikt(code: "x") { id } }`, nil); len(r.Errors) == 0 || !strings.Contains(text(r.Errors[0]), "Did you mean") {
		t.Errorf("development suggests nothing: %+v", r.Errors)
	}
	withIntro := newEnvOpts(t, false, graph.Options{Production: true, Introspection: true})
	if r := withIntro.post(`{ __schema { queryType { name } } }`, nil); len(r.Errors) != 0 {
		t.Errorf("introspection enabled by setting: %+v", r.Errors)
	}
}

// TestVenueChangedSubscription subscribes over the websocket to a venue and
// books it: the subscription delivers the venue once the booking commits.
func TestVenueChangedSubscription(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go func() {
		_ = e.store.ListenVenueChanges(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), e.res.Hub.Changed)
	}()

	street := e.signIn("street-admin", "cogov-demo")
	d := lookupDemo(t, street)
	var f findVenues
	street.doOp(operation(t, "venues.graphql"), "FindVenues", map[string]any{"first": 1, "filter": map[string]any{"text": "核工业"}}, &f)
	venue := f.Venues.Edges[0].Node.ID

	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.srv.URL, "http"), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	send := func(v any) {
		b, _ := json.Marshal(v)
		if err := c.Write(ctx, websocket.MessageText, b); err != nil {
			t.Fatal(err)
		}
	}
	send(map[string]any{"type": "connection_init", "payload": map[string]any{}})
	if _, b, err := c.Read(ctx); err != nil || !strings.Contains(string(b), "connection_ack") {
		t.Fatalf("init: %s %v", b, err)
	}
	send(map[string]any{"type": "subscribe", "id": "1", "payload": map[string]any{
		"query":     `subscription($v: ID!) { venueChanged(venueId: $v) { id name availability(from: "2026-01-01T00:00:00+08:00", to: "2026-01-01T01:00:00+08:00") { state } } }`,
		"variables": map[string]any{"v": venue}}})

	// The listener and the subscription need a moment to be in place; keep
	// booking a new slot until an event arrives, within the deadline.
	got := make(chan string, 1)
	go func() {
		for {
			_, b, err := c.Read(ctx)
			if err != nil {
				return
			}
			if strings.Contains(string(b), `"next"`) {
				got <- string(b)
				return
			}
		}
	}()
	c1 := e.signIn("community-1-admin", "cogov-demo")
	for k := 0; ; k++ {
		start := nextWeekday(21+7*k, time.Thursday, 10, 0)
		p := c1.payload(op(t, "booking.graphql", "RequestBooking"), "RequestBooking", map[string]any{"venueId": venue, "committeeId": d.parties[0],
			"startsAt": start.Format(time.RFC3339), "endsAt": start.Add(time.Hour).Format(time.RFC3339), "purpose": "实时更新测试", "expectedAttendees": 10})
		if len(errCodes(p)) != 0 {
			t.Fatalf("request: %v", p)
		}
		select {
		case msg := <-got:
			if !strings.Contains(msg, venue) {
				t.Errorf("event for another venue: %s", msg)
			}
			return
		case <-time.After(time.Second):
		case <-ctx.Done():
			t.Fatal("no venueChanged event before the deadline")
		}
	}
}

// TestIntrospectionWithinLimits checks that the introspection query GraphiQL
// and code generators send (graphql-js's) passes the operation limits.
func TestIntrospectionWithinLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	r := e.post(introspection.Query, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("introspection refused: %+v", r.Errors)
	}
	if !strings.Contains(string(r.Data), `"venueChanged"`) {
		t.Error("introspection does not show the schema")
	}
}
