package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"cogov/graph"
	"cogov/internal/access"
	"cogov/internal/pgtest"
	"cogov/internal/store"

	"github.com/coder/websocket"
)

func TestRoutes(t *testing.T) {
	st := store.New(nil, pgtest.Clock(t))
	res := graph.NewResolver(st, "", pgtest.Clock(t))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, c := range []struct {
		production     bool
		path           string
		method, origin string
		status         int
	}{
		{false, "/graphiql", "GET", "", http.StatusOK},
		{true, "/graphiql", "GET", "", http.StatusNotFound},
		{true, "/healthz", "GET", "", http.StatusOK},
		{true, "/graphql", "OPTIONS", "https://app.example", http.StatusNoContent},
		{true, "/graphql/schema.graphql", "GET", "", http.StatusOK},
	} {
		h := routes(config{production: c.production, corsOrigins: []string{"https://app.example"}}, st, res, log)
		req := httptest.NewRequest(c.method, c.path, nil)
		if c.origin != "" {
			req.Header.Set("Origin", c.origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.status {
			t.Errorf("production %v %s %s: status %d, want %d", c.production, c.method, c.path, rec.Code, c.status)
		}
		if c.origin != "" && rec.Header().Get("Access-Control-Allow-Origin") != c.origin {
			t.Errorf("CORS preflight from an allowed origin: %v", rec.Header())
		}
	}
	// A preflight from an origin not on the list gets no CORS headers.
	h := routes(config{corsOrigins: []string{"https://app.example"}}, st, res, log)
	req := httptest.NewRequest("OPTIONS", "/graphql", nil)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS allowed an unlisted origin: %v", rec.Header())
	}
}

func TestConfig(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://x@localhost/x")
	t.Setenv("CORS_ALLOWED_ORIGINS", "*")
	if _, err := loadConfig(); err == nil {
		t.Error("a wildcard CORS origin was accepted")
	}
	t.Setenv("CORS_ALLOWED_ORIGINS", "https://a.example, https://b.example")
	t.Setenv("COGOV_ENV", "staging")
	if _, err := loadConfig(); err == nil {
		t.Error("COGOV_ENV=staging was accepted")
	}
	t.Setenv("COGOV_ENV", "production")
	c, err := loadConfig()
	if err != nil || !c.production || len(c.corsOrigins) != 2 || c.httpAddr != ":8080" || c.sockets != (graph.SocketLimits{}) {
		t.Errorf("config = %+v, %v", c, err)
	}
	t.Setenv("COGOV_WS_IDLE", "90s")
	t.Setenv("COGOV_WS_SUBSCRIPTIONS", "5")
	t.Setenv("COGOV_WS_PER_ACCOUNT", "3")
	t.Setenv("COGOV_WS_PER_ADDRESS", "7")
	c, err = loadConfig()
	if want := (graph.SocketLimits{Idle: 90 * time.Second, PerSocket: 5, PerAccount: 3, PerAddr: 7}); err != nil || c.sockets != want {
		t.Errorf("websocket limits = %+v, %v; want %+v", c.sockets, err, want)
	}
	for k, v := range map[string]string{"COGOV_WS_IDLE": "soon", "COGOV_WS_PER_ADDRESS": "-1"} {
		t.Setenv(k, v)
		if _, err := loadConfig(); err == nil {
			t.Errorf("%s=%s was accepted", k, v)
		}
		t.Setenv(k, "")
	}
	if a := c.accounts; a.UserBurst != 0 || a.AddrBurst != 0 || a.UserEvery != 0 || a.AddrEvery != 0 || a.PasswordChecks != 0 ||
		a.PasswordWait != 0 || c.limits != (graph.Limits{}) {
		t.Errorf("limits without settings: %+v %+v, want the zero values that take the defaults", c.accounts, c.limits)
	}

	// The limits.
	t.Setenv("COGOV_SIGNIN_USER_BURST", "7")
	t.Setenv("COGOV_SIGNIN_ADDR_EVERY", "30s")
	t.Setenv("COGOV_PASSWORD_CHECKS", "2")
	t.Setenv("COGOV_PASSWORD_CHECK_WAIT", "500ms")
	t.Setenv("COGOV_COST_ADDR_BURST", "1000")
	c, err = loadConfig()
	if err != nil || c.accounts.UserBurst != 7 || c.accounts.AddrEvery != 30*time.Second || c.accounts.PasswordChecks != 2 ||
		c.accounts.PasswordWait != 500*time.Millisecond || c.limits.AddrBurst != 1000 || c.limits.AccountBurst != 0 {
		t.Errorf("limits = %+v %+v, %v", c.accounts, c.limits, err)
	}
	for k, v := range map[string]string{"COGOV_PASSWORD_CHECKS": "0", "COGOV_SIGNIN_USER_EVERY": "a minute", "COGOV_COST_ACCOUNT_PER_SECOND": "-5"} {
		t.Run(k, func(t *testing.T) {
			t.Setenv(k, v)
			if _, err := loadConfig(); err == nil || !strings.Contains(err.Error(), k) {
				t.Errorf("%s=%q: %v", k, v, err)
			}
		})
	}
}

// TestPanicIsInternalError sends a query to a server whose database pool is
// missing, so the resolver panics: the client gets a generic internal
// error, never the panic, and the server goes on serving.
func TestPanicIsInternalError(t *testing.T) {
	st := store.New(nil, pgtest.Clock(t))
	res := graph.NewResolver(st, "", pgtest.Clock(t))
	h := routes(config{production: true}, st, res, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for i := 0; i < 2; i++ {
		req := httptest.NewRequest("POST", "/graphql", strings.NewReader(`{"query":"{ subdistrict(code: \"x\") { id } }"}`))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body := rec.Body.String()
		if !strings.Contains(body, `"internal error"`) || !strings.Contains(body, `"INTERNAL"`) || strings.Contains(body, "nil pointer") || strings.Contains(body, "goroutine") {
			t.Errorf("response %d: %s", rec.Code, body)
		}
		if rec.Header().Get("X-Request-Id") == "" {
			t.Error("no request id to find the log entry by")
		}
	}
}

func TestCreateAdmin(t *testing.T) {
	db := pgtest.New(t, pgtest.Options{})
	res := graph.NewResolver(store.New(db.Pool, pgtest.Clock(t)), "", pgtest.Clock(t))
	ctx := context.Background()
	var out bytes.Buffer
	if err := createAdmin(ctx, res, []string{"-subdistrict", "newsd"}, &out); err == nil {
		t.Error("create-admin without -username succeeded")
	}
	if err := createAdmin(ctx, res, []string{"-subdistrict", "newsd", "-username", "boss"}, &out); err == nil {
		t.Error("create-admin for a missing sub-district without -name succeeded")
	}
	t.Setenv("COGOV_ADMIN_PASSWORD", "")
	if err := createAdmin(ctx, res, []string{"-subdistrict", "newsd", "-name", "新街道", "-username", "boss"}, &out); err != nil {
		t.Fatal(err)
	}
	var password string
	for _, line := range strings.Split(out.String(), "\n") {
		if p, ok := strings.CutPrefix(line, "password: "); ok {
			password = p
		}
	}
	if password == "" {
		t.Fatalf("no generated password in %q", out.String())
	}
	signed, err := res.Accounts.SignIn(ctx, "boss", password, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(signed.Viewer.Roles) != 1 || signed.Viewer.Roles[0].Kind != access.SubdistrictAdmin {
		t.Errorf("roles = %+v", signed.Viewer.Roles)
	}

	// The audit log says which operating-system user made the sub-district,
	// the account and its role: there was no account to act as.
	actor := osActor()
	if !strings.HasPrefix(actor, "os:") || len(actor) < 4 {
		t.Errorf("osActor() = %q", actor)
	}
	var actions []string
	err = pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('cogov.viewer_ready', 'on', true), set_config('cogov.system', 'on', true)`); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT coalesce(array_agg(action || ' by ' || actor_label ORDER BY id), '{}') FROM audit_log
			WHERE action IN ('subdistrict.create', 'account.create', 'role.grant')`).Scan(&actions)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"subdistrict.create by " + actor, "account.create by " + actor, "role.grant by " + actor}
	if strings.Join(actions, "; ") != strings.Join(want, "; ") {
		t.Errorf("audit rows %q, want %q", actions, want)
	}
}

// TestWebsocketThroughRoutes opens a websocket through the server's whole
// handler chain (access log, CORS, mux, endpoint): the chain must let the
// connection be hijacked.
func TestWebsocketThroughRoutes(t *testing.T) {
	st := store.New(nil, pgtest.Clock(t))
	res := graph.NewResolver(st, "", pgtest.Clock(t))
	srv := httptest.NewServer(routes(config{}, st, res, slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"type":"connection_init","payload":{}}`)); err != nil {
		t.Fatal(err)
	}
	_, b, err := c.Read(ctx)
	if err != nil || !strings.Contains(string(b), "connection_ack") {
		t.Fatalf("init: %s %v", b, err)
	}
	if err := c.Write(ctx, websocket.MessageText, []byte(`{"type":"subscribe","id":"1","payload":{"query":"{ __typename }"}}`)); err != nil {
		t.Fatal(err)
	}
	if _, b, err = c.Read(ctx); err != nil || !strings.Contains(string(b), `"Query"`) {
		t.Errorf("query over the websocket: %s %v", b, err)
	}
}

// TestCORSForFrontEnds: a preflight that asks for the tracing and client
// headers real front ends send is allowed, and a response lets the browser
// read the request id and Retry-After.
func TestCORSForFrontEnds(t *testing.T) {
	st := store.New(nil, pgtest.Clock(t))
	res := graph.NewResolver(st, "", pgtest.Clock(t))
	h := routes(config{corsOrigins: []string{"https://app.example"}}, st, res, slog.New(slog.NewTextHandler(io.Discard, nil)))
	req := httptest.NewRequest("OPTIONS", "/graphql", nil)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	// As a browser sends it (Fetch: sorted, lower case, joined by commas).
	asked := []string{"apollographql-client-name", "apollographql-client-version", "authorization", "baggage", "content-type",
		"sentry-trace", "traceparent", "tracestate"}
	req.Header.Set("Access-Control-Request-Headers", strings.Join(asked, ","))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	allowed := strings.ToLower(rec.Header().Get("Access-Control-Allow-Headers"))
	for _, hd := range asked {
		if !strings.Contains(allowed, hd) {
			t.Errorf("preflight does not allow %s: %q (status %d)", hd, allowed, rec.Code)
		}
	}
	req = httptest.NewRequest("GET", "/healthz", nil)
	req.Header.Set("Origin", "https://app.example")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	exposed := strings.ToLower(rec.Header().Get("Access-Control-Expose-Headers"))
	for _, hd := range []string{"x-request-id", "retry-after"} {
		if !strings.Contains(exposed, hd) {
			t.Errorf("responses do not expose %s: %q", hd, exposed)
		}
	}
}

func TestTraceID(t *testing.T) {
	for _, c := range []struct{ header, want string }{
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "4bf92f3577b34da6a3ce929d0e0e4736"},
		{" 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00 ", "4bf92f3577b34da6a3ce929d0e0e4736"},
		{"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", "4bf92f3577b34da6a3ce929d0e0e4736"},
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", ""},
		{"00-00000000000000000000000000000000-00f067aa0ba902b7-01", ""},
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", ""},
		{"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", ""},
		{"ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", ""},
		{"garbage", ""},
		{"", ""},
	} {
		if got := graph.TraceID(c.header); got != c.want {
			t.Errorf("TraceID(%q) = %q, want %q", c.header, got, c.want)
		}
	}
}

// TestSchemaSDL: the schema is served as SDL in production, where
// introspection is off, and holds every area's types with their descriptions.
func TestSchemaSDL(t *testing.T) {
	st := store.New(nil, pgtest.Clock(t))
	res := graph.NewResolver(st, "", pgtest.Clock(t))
	h := routes(config{production: true}, st, res, slog.New(slog.NewTextHandler(io.Discard, nil)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/graphql/schema.graphql", nil))
	body := rec.Body.String()
	for _, want := range []string{"type Query", "type Venue implements Node", "type JointMeeting implements Node", "enumLabels", `"""`} {
		if !strings.Contains(body, want) {
			t.Errorf("the SDL lacks %q (status %d, %d bytes)", want, rec.Code, len(body))
		}
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("Content-Type %q", ct)
	}
}
