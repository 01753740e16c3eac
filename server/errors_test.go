package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"cogov/graph"
	"cogov/internal/pgtest"
	"cogov/internal/store"
)

// syncBuffer is a log sink that handlers may write to while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// records decodes the JSON log lines written so far.
func (s *syncBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(s.b.Bytes()))
	for sc.Scan() {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}

// errorServer is the production handler chain over a fresh database, with
// its log written as JSON to the returned buffer.
func errorServer(t *testing.T) (http.Handler, *pgtest.DB, *graph.Resolver, *syncBuffer) {
	t.Helper()
	db := pgtest.New(t, pgtest.Options{})
	st := store.New(db.Pool, pgtest.Clock(t))
	res := graph.NewResolver(st, "", pgtest.Clock(t))
	logs := &syncBuffer{}
	return routes(config{production: true}, st, res, slog.New(slog.NewJSONHandler(logs, nil))), db, res, logs
}

// serve sends a request through h and returns the recorded response.
func serve(h http.Handler, method, path, token, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestInternalErrorLogNamesStoreOperation breaks a query under the server
// (the table it reads is renamed, so PostgreSQL answers 42P01, which the
// store does not translate): the log line of the INTERNAL error names the
// store operation that failed and carries the database's error, while the
// client gets only the generic internal error, with no operation name, SQL
// or relation in it.
func TestInternalErrorLogNamesStoreOperation(t *testing.T) {
	h, db, _, logs := errorServer(t)
	ctx := context.Background()
	owner, err := pgx.Connect(ctx, db.OwnerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	if _, err := owner.Exec(ctx, `ALTER TABLE subdistrict RENAME TO subdistrict_elsewhere`); err != nil {
		t.Fatal(err)
	}

	rec := serve(h, "POST", "/graphql", "", `{"query":"{ subdistrict(code: \"houjiatang\") { id name } }"}`)
	var resp struct {
		Data   map[string]any `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatalf("decode %q: %v", rec.Body.String(), err)
	}
	// In the default language (Chinese) the English text stays as extensions.detail.
	if len(resp.Errors) != 1 || resp.Errors[0].Message != "服务器内部错误，请凭请求编号联系管理员" || resp.Errors[0].Extensions["code"] != "INTERNAL" ||
		resp.Errors[0].Extensions["detail"] != "internal error" || len(resp.Errors[0].Extensions) != 2 {
		t.Errorf("client answer: %s", rec.Body.String())
	}
	for _, leak := range []string{"store.", "SubdistrictByCode", "SQLSTATE", "42P01", "relation", "subdistrict_elsewhere"} {
		if strings.Contains(rec.Body.String(), leak) {
			t.Errorf("the client answer shows %q: %s", leak, rec.Body.String())
		}
	}

	var found bool
	for _, r := range logs.records(t) {
		if r["msg"] != "resolver failed" {
			continue
		}
		found = true
		msg, _ := r["err"].(string)
		// gqlgen puts the position and field in front: "input:1:3: subdistrict store.SubdistrictByCode(…): …".
		if !strings.Contains(msg, `subdistrict store.SubdistrictByCode("houjiatang"): `) || !strings.Contains(msg, "42P01") {
			t.Errorf("the log line does not name the failing store operation and its cause: %q", msg)
		}
		if r["level"] != "ERROR" || r["path"] != "subdistrict" || r["request"] != rec.Header().Get("X-Request-Id") {
			t.Errorf("log record: %v (request id %q)", r, rec.Header().Get("X-Request-Id"))
		}
	}
	if !found {
		t.Errorf("no \"resolver failed\" line in the log: %v", logs.records(t))
	}
}

// TestWrappedNotFoundIsNotFound follows a not-found that the store returns
// wrapped in its operation's name through the three ways it reaches a
// client: a NOT_FOUND userError of a mutation (the domain's errors.Is),
// null for a missing record (graph's errors.Is) and 404 for an HTTP feed or
// export. None of them is a fault, and none is logged as one.
func TestWrappedNotFoundIsNotFound(t *testing.T) {
	h, _, res, logs := errorServer(t)
	ctx := context.Background()
	var out bytes.Buffer
	t.Setenv("COGOV_ADMIN_PASSWORD", "a password for tests")
	if err := createAdmin(ctx, res, []string{"-subdistrict", "newsd", "-name", "新街道", "-username", "boss"}, &out); err != nil {
		t.Fatal(err)
	}
	signed, err := res.Accounts.SignIn(ctx, "boss", "a password for tests", "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	gid := func(typ string) string {
		return base64.RawURLEncoding.EncodeToString([]byte(typ + ":7c3c1f9e-0000-4000-8000-000000000001"))
	}

	body, _ := json.Marshal(map[string]any{
		"query":     `mutation($id: ID!) { updateCommunity(input: {id: $id, name: "改名"}) { community { id } userErrors { code field message } } }`,
		"variables": map[string]any{"id": gid("Community")},
	})
	rec := serve(h, "POST", "/graphql", signed.Token, string(body))
	var mut struct {
		Data struct {
			UpdateCommunity struct {
				Community  *struct{ ID string }
				UserErrors []struct {
					Code    string
					Field   []string
					Message string
				}
			}
		}
		Errors []any
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &mut); err != nil {
		t.Fatalf("decode %q: %v", rec.Body.String(), err)
	}
	ue := mut.Data.UpdateCommunity.UserErrors
	if len(mut.Errors) != 0 || mut.Data.UpdateCommunity.Community != nil || len(ue) != 1 || ue[0].Code != "NOT_FOUND" ||
		strings.Join(ue[0].Field, ".") != "input.id" || ue[0].Message != "找不到该记录" {
		t.Errorf("updateCommunity of a missing community: %s", rec.Body.String())
	}

	rec = serve(h, "POST", "/graphql", signed.Token, `{"query":"{ subdistrict(code: \"nowhere\") { id } }"}`)
	if got := strings.TrimSpace(rec.Body.String()); got != `{"data":{"subdistrict":null},"extensions":{"cost":{"actual":1,"requested":1}}}` {
		t.Errorf("subdistrict of an unknown code: %s", got)
	}

	for _, path := range []string{"/calendar/venues/" + gid("Venue") + ".ics", "/export/subdistricts/nowhere/stats.csv"} {
		if rec := serve(h, "GET", path, signed.Token, ""); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d %s", path, rec.Code, rec.Body.String())
		}
	}

	for _, r := range logs.records(t) {
		if r["level"] == "ERROR" {
			t.Errorf("a not-found was logged as a fault: %v", r)
		}
	}
}
