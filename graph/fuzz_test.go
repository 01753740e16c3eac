package graph_test

import (
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"cogov/graph"
)

// Fuzz tests of the endpoint: whatever a client sends, the answer is the
// client's mistake or a result, never the server's fault. `go test` runs
// them on their seeds; CI fuzzes each for a bounded time (.ci/run):
//
//	go test -run '^$' -fuzz '^FuzzEndpoint$' -fuzztime 20s ./graph/

// checkAnswer fails the test for an answer that blames the server: a 5xx,
// an INTERNAL error, an error without a code, or an ERROR line in the log.
func checkAnswer(t *testing.T, what string, a rawAnswer, logs *logRecorder, errsBefore int) {
	t.Helper()
	if a.status >= 500 {
		t.Errorf("%s: status %d: %.300s", what, a.status, a.body)
	}
	for _, c := range a.codes {
		if c == "INTERNAL" || c == "" {
			t.Errorf("%s: error code %q: %.300s", what, c, a.body)
		}
	}
	if errs := logs.errors(); len(errs) > errsBefore {
		t.Errorf("%s: logged as a fault: %v", what, errs[errsBefore:])
	}
}

// FuzzEndpoint posts random bodies to /graphql, and sends them as the
// query of a GET.
func FuzzEndpoint(f *testing.F) {
	logs := &logRecorder{}
	e := newEnvOpts(f, true, graph.Options{Log: slog.New(logs)})
	for _, s := range []string{
		`{"query":"{ subdistrict(code: \"houjiatang\") { name communities(first: 3) { edges { node { name } } } } }"}`,
		`{"query":"query($c: String!) { subdistrict(code: $c) { id } }","variables":{"c":"a\u0000b"}}`,
		`{"query":"{ subdistrict(code: \"a\\u0000b\") { id } }"}`,
		`{"query":"{ venues(first: 5, filter: {minCapacity: 2147483648}) { totalCount } }"}`,
		`{"query":"query($f: VenueFilter!) { venues(first: 3, filter: $f) { totalCount } }","variables":{"f":{"text":"%_\\","minAreaSqm":1e308}}}`,
		`{"query":"{ node(id: \"VmVudWU6eA\") { id } }"}`,
		`{"query":"subscription { venueChanged(venueId: \"x\") { id } }"}`,
		`{"query":"mutation { signOut(input: {}) { revokedCount } }"}`,
		`{"query":42}`,
		`{"query":"{ __typename }"`,
		`[{"query":"{ __typename }"}]`,
		`{"query":"{ __typename }","variables":"x"}`,
		`{"query":"{ __typename }","operationName":"\u0000"}`,
		"{\"query\":\"{ subdistrict(code: \\\"\xff\\\") { id } }\"}",
		``, `null`, `{}`, `"x"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		n := len(logs.errors())
		a := sendRaw(t, http.MethodPost, e.srv.URL, "application/json", body, nil)
		checkAnswer(t, "POST", a, logs, n)
		a = sendRaw(t, http.MethodGet, e.srv.URL+"?query="+url.QueryEscape(string(body)), "", nil, nil)
		checkAnswer(t, "GET", a, logs, n)
	})
}

// FuzzArguments sends valid operations whose arguments are random: text,
// an Int and a Float, as variables and as literals, to reads and to a
// write as a sub-district's administrator.
func FuzzArguments(f *testing.F) {
	logs := &logRecorder{}
	e := newEnvOpts(f, true, graph.Options{Log: slog.New(logs)})
	admin := e.signIn("street-admin", "cogov-demo")
	sd := lookupDemo(f, e).sd
	for _, s := range []struct {
		s string
		n int64
		x float64
	}{
		{"houjiatang", 5, 100},
		{"a\x00b", 1 << 31, -1},
		{"\xff\xfe", -(1 << 31) - 1, 1e308},
		{"street-admin\x00", 0, 0},
		{"%_\\'\"; DROP TABLE venue; --", 100, 0.5},
		{"侯家塘 🏠", 101, -0},
		{"", math.MaxInt64, math.SmallestNonzeroFloat64},
		{"VmVudWU6eA", math.MinInt64, 2147483648},
	} {
		f.Add(s.s, s.n, s.x)
	}
	f.Fuzz(func(t *testing.T, s string, n int64, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			x = 0 // JSON has no such number
		}
		lit, _ := json.Marshal(s) // a JSON string is a GraphQL string literal
		before := len(logs.errors())
		post := func(c *env, what, query string, vars map[string]any) {
			var h http.Header
			if c.token != "" {
				h = http.Header{"Authorization": {"Bearer " + c.token}}
			}
			checkAnswer(t, what, sendRaw(t, http.MethodPost, c.srv.URL, "application/json", jsonBody(query, vars), h), logs, before)
		}
		post(e, "subdistrict", `query($s: String!) { subdistrict(code: $s) { id name } }`, map[string]any{"s": s})
		post(e, "venues", `query($s: String!, $n: Int, $x: Float) { venues(first: 5, filter: {text: $s, minCapacity: $n, minAreaSqm: $x, facilities: [$s]}) { totalCount edges { node { id } } } }`,
			map[string]any{"s": s, "n": n, "x": x})
		post(e, "node", `query($s: ID!) { node(id: $s) { id } }`, map[string]any{"s": s})
		post(e, "subdistricts", `query($n: Int!, $s: String) { subdistricts(first: $n, after: $s) { totalCount } }`, map[string]any{"n": n, "s": s})
		post(e, "literals", `{ subdistrict(code: `+string(lit)+`) { id } venues(first: 5, filter: {minCapacity: `+strconv.FormatInt(n, 10)+`, text: `+string(lit)+`}) { totalCount } }`, nil)
		post(admin, "createCommunity", `mutation($in: CreateCommunityInput!) { createCommunity(input: $in) { community { id } userErrors { code field } } }`,
			map[string]any{"in": map[string]any{"subdistrictId": sd, "code": s, "name": s}})
	})
}
