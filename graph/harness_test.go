package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"

	"cogov/graph"
	"cogov/internal/access"
	"cogov/internal/account"
	"cogov/internal/clock"
	"cogov/internal/demo"
	"cogov/internal/pgtest"
	"cogov/internal/store"
	"cogov/internal/structure"
)

// env is one test's server: its own database behind an in-process HTTP server.
type env struct {
	t      testing.TB
	db     *pgtest.DB
	store  *store.Store
	svc    *structure.Service
	srv    *httptest.Server
	stmts  *atomic.Int64  // statements run since the last reset
	sets   *atomic.Int64  // statements setting the viewer since the last reset
	viewer *access.Viewer // who requests act as; nil for anonymous
	token  string         // a session token sent as a bearer token
	lang   string         // an Accept-Language header, if not empty
	res    *graph.Resolver
}

// signIn signs in through the contract's SignIn operation and returns a copy
// of e whose requests carry the session token.
func (e *env) signIn(username, password string) *env {
	e.t.Helper()
	var out struct {
		SignIn struct {
			Token      *string
			UserErrors []struct{ Code, Message string }
		} `json:"signIn"`
	}
	e.doOp(op(e.t, "booking.graphql", "SignIn"), "SignIn", map[string]any{"input": map[string]any{"username": username, "password": password}}, &out)
	if out.SignIn.Token == nil {
		e.t.Fatalf("sign in as %s: %+v", username, out.SignIn.UserErrors)
	}
	c := *e
	c.viewer, c.token = nil, *out.SignIn.Token
	return &c
}

// send posts a GraphQL request body and decodes the response.
func (e *env) send(body map[string]any) gqlResponse {
	e.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if e.lang != "" {
		req.Header.Set("Accept-Language", e.lang)
	}
	if e.viewer != nil {
		v, _ := json.Marshal(e.viewer)
		req.Header.Set(testViewerHeader, string(v))
	}
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		e.t.Fatalf("decode response (status %d): %v", resp.StatusCode, err)
	}
	out.status = resp.StatusCode
	return out
}

type countingTracer struct{ n, sets *atomic.Int64 }

// count counts one statement of a request.
func (c countingTracer) count(sql string) {
	c.n.Add(1)
	if strings.Contains(sql, "set_config('cogov.viewer_ready'") {
		c.sets.Add(1)
	}
}

// TraceQueryStart counts a statement; the role switch of a new pooled
// connection is not one of the request's statements, nor are the rate
// limit's (its take, and its refund of what an answer did not cost, which
// depends on the answer's size).
func (c countingTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if !strings.HasPrefix(d.SQL, "SET ROLE") && !strings.Contains(d.SQL, "rate_bucket") {
		c.count(d.SQL)
	}
	return ctx
}
func (countingTracer) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TraceBatchQuery counts each statement of a batch (a read sends the viewer
// and its query as a batch of two).
func (c countingTracer) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	c.count(d.SQL)
}
func (countingTracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}
func (countingTracer) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// testNow is the present by the tests' clock (COGOV_TEST_NOW, or the wall
// clock): tests find their windows from it.
func testNow() time.Time { return pgtest.Clock(nil)() }

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

// nextWeekday returns the local day n days ahead moved forward to a weekday wd, at h:m.
func nextWeekday(n int, wd time.Weekday, h, m int) time.Time {
	d := testNow().In(shanghai).AddDate(0, 0, n)
	for d.Weekday() != wd {
		d = d.AddDate(0, 0, 1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, shanghai)
}

// seedDemo loads the demo data and accounts as of now.
func seedDemo(now clock.Clock) pgtest.Seed {
	return func(ctx context.Context, pool *pgxpool.Pool) error {
		st := store.New(pool, now)
		ctx = access.With(ctx, access.System("demo-loader"))
		if _, err := demo.Load(ctx, st, now); err != nil {
			return err
		}
		if err := demo.LoadAccounts(ctx, st, account.NewService(st, account.Options{Now: now})); err != nil {
			return err
		}
		return st.FlushSignals(ctx) // before the seed's pool closes
	}
}

// demoTemplate names the template database of the demo data as loaded now:
// instants whose plans place the same days share it.
func demoTemplate(t testing.TB, now clock.Clock) string {
	plan, err := demo.NewPlan(now())
	if err != nil {
		t.Fatal(err)
	}
	return "demo_" + plan.Key()
}

// newEnv starts a server over an empty database, or over the demo data.
func newEnv(t testing.TB, withDemo bool) *env {
	t.Helper()
	return newEnvWith(t, withDemo, graph.Limits{})
}

// newEnvWith is newEnv with the given limits.
func newEnvWith(t testing.TB, withDemo bool, limits graph.Limits) *env {
	t.Helper()
	return newEnvOpts(t, withDemo, graph.Options{Limits: limits})
}

// newEnvOpts is newEnv with the given handler options.
func newEnvOpts(t testing.TB, withDemo bool, opts graph.Options) *env {
	t.Helper()
	return newEnvWait(t, withDemo, opts, 20*time.Millisecond)
}

// newEnvWait is newEnvOpts with the loaders' batching wait.
func newEnvWait(t testing.TB, withDemo bool, opts graph.Options, loaderWait time.Duration) *env {
	t.Helper()
	var n, sets atomic.Int64
	o := pgtest.Options{Tracer: countingTracer{&n, &sets}}
	now := pgtest.Clock(t)
	if withDemo {
		o.Template, o.Seed = demoTemplate(t, now), seedDemo(now)
	}
	db := pgtest.New(t, o)
	st := store.New(db.Pool, now)
	t.Cleanup(func() { _ = st.FlushSignals(context.Background()) }) // before the pool closes
	res := graph.NewResolver(st, "http://cogov.test", now)
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
		if testing.Verbose() {
			opts.Log = slog.New(slog.NewTextHandler(os.Stderr, nil))
		}
	}
	h := graph.NewEndpoint(res, st, opts, loaderWait, testViewer)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, db: db, store: st, svc: res.Structure, srv: srv, stmts: &n, sets: &sets, res: res}
}

// testViewerHeader carries, in tests only, the viewer a request acts as.
const testViewerHeader = "X-Test-Viewer"

// testViewer puts the viewer named by testViewerHeader (JSON of an
// access.Viewer) into the request context; without it the request is anonymous.
func testViewer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := r.Header.Get(testViewerHeader); h != "" {
			var v access.Viewer
			if err := json.Unmarshal([]byte(h), &v); err != nil {
				http.Error(w, "bad test viewer", http.StatusBadRequest)
				return
			}
			r = r.WithContext(access.With(r.Context(), v))
		}
		next.ServeHTTP(w, r)
	})
}

// as returns a copy of e whose requests act as v.
func (e *env) as(v access.Viewer) *env {
	c := *e
	c.viewer = &v
	return &c
}

// inLanguage returns a copy of e whose requests send Accept-Language: lang.
func (e *env) inLanguage(lang string) *env {
	c := *e
	c.lang = lang
	return &c
}

// system returns a copy of e whose requests act as a trusted platform task.
func (e *env) system() *env { return e.as(access.System("test")) }

// sysScan runs one query as a trusted platform task (row-level security lets
// it see everything) and scans its single row into dest.
func (e *env) sysScan(sql string, dest ...any) {
	e.t.Helper()
	err := pgx.BeginFunc(context.Background(), e.db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(context.Background(), `SELECT set_config('cogov.viewer_ready', 'on', true), set_config('cogov.system', 'on', true)`); err != nil {
			return err
		}
		return tx.QueryRow(context.Background(), sql).Scan(dest...)
	})
	if err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
}

// gqlResponse is a GraphQL response with data left raw for decoding.
// gqlError is one top-level error of an answer.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions struct {
		Cost struct{ Requested, Actual int } `json:"cost"`
	} `json:"extensions"`
	status int
}

// post sends one operation and returns the raw response.
func (e *env) post(query string, vars map[string]any) gqlResponse {
	e.t.Helper()
	return e.send(map[string]any{"query": query, "variables": vars})
}

// do sends an operation, fails the test on any top-level error and decodes data into out.
func (e *env) do(query string, vars map[string]any, out any) {
	e.t.Helper()
	r := e.post(query, vars)
	if len(r.Errors) > 0 {
		e.t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		e.t.Fatalf("decode data: %v\n%s", err, r.Data)
	}
}

// operation returns the text of a contract file of graph/operations.
func operation(t testing.TB, file string) string {
	t.Helper()
	b, err := os.ReadFile("operations/" + file)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// op returns one named operation of a contract file as a document of its
// own, so it can be sent while other operations of the file are not served yet.
func op(t testing.TB, file, name string) string {
	t.Helper()
	doc, gerr := parser.ParseQuery(&ast.Source{Input: operation(t, file)})
	if gerr != nil {
		t.Fatalf("parse %s: %v", file, gerr)
	}
	o := doc.Operations.ForName(name)
	if o == nil {
		t.Fatalf("%s has no operation %s", file, name)
	}
	var b strings.Builder
	formatter.NewFormatter(&b).FormatQueryDocument(&ast.QueryDocument{Operations: ast.OperationList{o}, Fragments: doc.Fragments})
	return b.String()
}

// postOp sends the named operation of a document.
func (e *env) postOp(doc, name string, vars map[string]any) gqlResponse {
	e.t.Helper()
	return e.send(map[string]any{"query": doc, "operationName": name, "variables": vars})
}

// doOp is do for a named operation of a document.
func (e *env) doOp(doc, name string, vars map[string]any, out any) {
	e.t.Helper()
	r := e.postOp(doc, name, vars)
	if len(r.Errors) > 0 {
		e.t.Fatalf("%s: unexpected errors: %+v", name, r.Errors)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		e.t.Fatalf("decode data: %v\n%s", err, r.Data)
	}
}

// userError is the shape of UserError in responses.
type userError struct {
	Code    string   `json:"code"`
	Field   []string `json:"field"`
	Message string   `json:"message"`
}

// codes lists the codes and fields of userErrors, for messages.
func codes(errs []userError) string {
	var cs []string
	for _, e := range errs {
		cs = append(cs, e.Code+"@"+strings.Join(e.Field, "."))
	}
	return strings.Join(cs, ",")
}
