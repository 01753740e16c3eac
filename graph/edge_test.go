package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"cogov/graph"
)

// logRecorder is a slog handler that keeps the records at WARN and above,
// so that a test can check that a client's mistake is never logged as a
// fault (ERROR).
type logRecorder struct {
	mu   sync.Mutex
	errs []string
}

func (l *logRecorder) Enabled(_ context.Context, lv slog.Level) bool { return lv >= slog.LevelWarn }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	if r.Level < slog.LevelError {
		return nil
	}
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.String())
		return true
	})
	l.mu.Lock()
	l.errs = append(l.errs, b.String())
	l.mu.Unlock()
	return nil
}
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecorder) WithGroup(string) slog.Handler      { return l }

// errors returns the ERROR records so far.
func (l *logRecorder) errors() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.errs...)
}

// rawAnswer is an HTTP answer: status, the code of each error, the body.
type rawAnswer struct {
	status int
	codes  []string
	body   string
	header http.Header
}

func (a rawAnswer) code() string {
	if len(a.codes) == 0 {
		return ""
	}
	return a.codes[0]
}

// sendRaw sends a request as it is and reads the answer.
func sendRaw(t testing.TB, method, target, ctype string, body []byte, header http.Header) rawAnswer {
	t.Helper()
	req, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := rawAnswer{status: resp.StatusCode, body: string(b), header: resp.Header}
	var out struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if json.Unmarshal(b, &out) == nil {
		for _, e := range out.Errors {
			c, _ := e.Extensions["code"].(string)
			a.codes = append(a.codes, c)
		}
	}
	return a
}

func jsonBody(query string, vars map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return b
}

// TestBadInputIsTheClients sends what the probe of issue 11 found answered
// as the server's fault (INTERNAL, 500, an ERROR line): text with a NUL or
// not UTF-8 in arguments, variables and query strings, an Int past 32 bits,
// malformed bodies. Each is the client's mistake now: BAD_USER_INPUT or
// BAD_REQUEST with a 4xx status, and nothing is logged as an error.
func TestBadInputIsTheClients(t *testing.T) {
	t.Parallel()
	logs := &logRecorder{}
	e := newEnvOpts(t, true, graph.Options{Log: slog.New(logs)})
	signIn := op(t, "booking.graphql", "SignIn")
	venues := `query($f: VenueFilter!) { venues(first: 5, filter: $f) { totalCount } }`
	for _, c := range []struct {
		name          string
		method, ctype string
		target        string // after the server's URL
		body          []byte
		status        int
		code          string
	}{
		{name: "NUL escaped in a literal", body: []byte(`{"query":"{ subdistrict(code: \"a\\u0000b\") { id } }"}`), status: 400, code: "BAD_USER_INPUT"},
		{name: "NUL in a variable", body: jsonBody(`query($c: String!) { subdistrict(code: $c) { id } }`, map[string]any{"c": "a\x00b"}), status: 400, code: "BAD_USER_INPUT"},
		{name: "NUL in signIn's username", body: jsonBody(signIn, map[string]any{"input": map[string]any{"username": "street-admin\x00", "password": "cogov-demo"}}), status: 400, code: "BAD_USER_INPUT"},
		{name: "NUL in a list of a filter", body: jsonBody(venues, map[string]any{"f": map[string]any{"facilities": []any{"projector", "\x00"}}}), status: 400, code: "BAD_USER_INPUT"},
		{name: "bytes not UTF-8 in a GET", method: "GET", target: `?query=` + url.QueryEscape(`{ subdistrict(code: "a`+"\xff\xfe"+`b") { id } }`), status: 400, code: "BAD_REQUEST"},
		{name: "NUL in a GET", method: "GET", target: `?query=%7B__typename%7D&operationName=%00`, status: 400, code: "BAD_REQUEST"},
		{name: "Int 2^31 in a literal", body: []byte(`{"query":"{ venues(first: 5, filter: {minCapacity: 2147483648}) { totalCount } }"}`), status: 400, code: "BAD_USER_INPUT"},
		{name: "Int 2^31 in a variable's field", body: jsonBody(venues, map[string]any{"f": map[string]any{"minCapacity": int64(1) << 31}}), status: 400, code: "BAD_USER_INPUT"},
		{name: "Int below -2^31 in a variable", body: jsonBody(`query($n: Int!) { subdistricts(first: $n) { totalCount } }`, map[string]any{"n": -(int64(1) << 31) - 1}), status: 400, code: "BAD_USER_INPUT"},
		{name: "Int 2^31 in a GET", method: "GET", target: `?query=` + url.QueryEscape(`{ venues(first: 5, filter: {minCapacity: 2147483648}) { totalCount } }`), status: 400, code: "BAD_USER_INPUT"},
		{name: "query is a number", body: []byte(`{"query":42}`), status: 400, code: "BAD_REQUEST"},
		{name: "truncated JSON", body: []byte(`{"query":"{ __typename }"`), status: 400, code: "BAD_REQUEST"},
		{name: "a batch", body: []byte(`[{"query":"{ __typename }"}]`), status: 400, code: "BAD_REQUEST"},
		{name: "variables a string", body: []byte(`{"query":"{ __typename }","variables":"x"}`), status: 400, code: "BAD_REQUEST"},
		{name: "an empty body", body: nil, status: 400, code: "BAD_REQUEST"},
		{name: "a body not UTF-8", body: []byte("{\"query\":\"{ subdistrict(code: \\\"a\xffb\\\") { id } }\"}"), status: 400, code: "BAD_REQUEST"},
		{name: "more after the JSON", body: []byte(`{"query":"{ __typename }"} {"query":"{ __typename }"}`), status: 400, code: "BAD_REQUEST"},
		{name: "GET variables not JSON", method: "GET", target: `?query=%7B__typename%7D&variables=x`, status: 400, code: "BAD_REQUEST"},
		{name: "a malformed query string", method: "GET", target: `?query=%zz`, status: 400, code: "BAD_REQUEST"},
		{name: "text/plain", ctype: "text/plain", body: []byte(`{"query":"{ __typename }"}`), status: 415, code: "BAD_REQUEST"},
		{name: "PUT", method: "PUT", body: []byte(`{"query":"{ __typename }"}`), status: 405, code: "BAD_REQUEST"},
		{name: "a mutation by GET", method: "GET", target: `?query=` + url.QueryEscape(`mutation { signOut(input: {}) { revokedCount } }`), status: 405, code: "BAD_REQUEST"},
		// Within range, and well-formed, all is as before.
		{name: "Int 2^31-1", body: []byte(`{"query":"{ venues(first: 5, filter: {minCapacity: 2147483647}) { totalCount } }"}`), status: 200},
		{name: "Chinese text", body: jsonBody(`query($c: String!) { subdistrict(code: $c) { id } }`, map[string]any{"c": "侯家塘"}), status: 200},
	} {
		method, ctype := c.method, c.ctype
		if method == "" {
			method = "POST"
		}
		if ctype == "" && method == "POST" {
			ctype = "application/json"
		}
		a := sendRaw(t, method, e.srv.URL+c.target, ctype, c.body, nil)
		if a.status != c.status || a.code() != c.code {
			t.Errorf("%s: %d %q, want %d %q: %s", c.name, a.status, a.code(), c.status, c.code, a.body)
		}
		if c.status == 405 && a.header.Get("Allow") == "" {
			t.Errorf("%s: 405 without Allow", c.name)
		}
	}
	if errs := logs.errors(); len(errs) > 0 {
		t.Errorf("the client's mistakes were logged as faults:\n%s", strings.Join(errs, "\n"))
	}
}

// TestBadPathIsTheClients asks the CSV exports and the calendar feeds for
// paths and parameters that are not text: 400, not 500, and no ERROR line.
func TestBadPathIsTheClients(t *testing.T) {
	t.Parallel()
	logs := &logRecorder{}
	e := newEnv(t, true)
	log := slog.New(logs)
	mux := http.NewServeMux()
	mux.Handle("/export/", graph.Authenticate(e.res.Accounts, log, graph.ExportHandler(e.res, e.store, log)))
	mux.Handle("/calendar/", graph.Authenticate(e.res.Accounts, log, graph.CalendarHandler(e.res, e.store, log)))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	for _, c := range []struct {
		path   string
		status int
	}{
		{"/export/subdistricts/a%00b/needs.csv", 400},
		{"/export/subdistricts/%FF%FE/needs.csv", 400},
		{"/export/subdistricts/houjiatang/stats.csv?from=%FF&to=2026-01-01", 400},
		{"/export/subdistricts/houjiatang/stats.csv?from=%zz", 400},
		{"/export/subdistricts/houjiatang/needs.csv?x=%00", 400},
		{"/calendar/venues/%00.ics", 400},
		{"/calendar/committees/%C3%28.ics", 400},
		{"/calendar/committees/x.ics?token=%00", 400},
		{"/export/subdistricts/houjiatang/needs.csv", 200},
		{"/export/subdistricts/%E4%BE%AF/needs.csv", 404},
	} {
		a := sendRaw(t, "GET", srv.URL+c.path, "", nil, nil)
		if a.status != c.status {
			t.Errorf("GET %s: %d, want %d: %.200s", c.path, a.status, c.status, a.body)
		}
	}
	if errs := logs.errors(); len(errs) > 0 {
		t.Errorf("the client's mistakes were logged as faults:\n%s", strings.Join(errs, "\n"))
	}
}

// TestSubscriptionOverHTTP sends a subscription by plain POST and by GET:
// each is refused at once with 400 and a message that says where
// subscriptions work, instead of hanging for the operation's deadline and
// answering null. A POST asking for server-sent events is not refused: the
// SSE transport (graphql-sse) serves it as a text/event-stream, here a
// `next` with the resolver's error (no such venue) and `complete`.
func TestSubscriptionOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	sub := `subscription { venueChanged(venueId: "VmVudWU6eA") { id } }`
	for _, c := range []struct {
		name   string
		method string
		target string
		body   []byte
		accept string
	}{
		{"POST", "POST", "", gqlBody(sub), ""},
		{"GET", "GET", "?query=" + url.QueryEscape(sub), nil, ""},
	} {
		ctype := ""
		if c.method == "POST" {
			ctype = "application/json"
		}
		var h http.Header
		if c.accept != "" {
			h = http.Header{"Accept": {c.accept}}
		}
		start := wallNow()
		a := sendRaw(t, c.method, e.srv.URL+c.target, ctype, c.body, h)
		if a.status != http.StatusBadRequest || a.code() != "BAD_REQUEST" || !strings.Contains(a.body, "websocket") {
			t.Errorf("%s: %d %q: %s", c.name, a.status, a.code(), a.body)
		}
		t.Logf("%s: refused in %v", c.name, time.Since(start).Round(time.Millisecond))
	}
	a := sendRaw(t, "POST", e.srv.URL, "application/json", gqlBody(sub), http.Header{"Accept": {"text/event-stream"}})
	if a.status != http.StatusOK || !strings.Contains(a.body, "event: next") || !strings.Contains(a.body, "event: complete") {
		t.Errorf("POST with Accept: text/event-stream: %d: %s", a.status, a.body)
	}
}
