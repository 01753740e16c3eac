package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cogov/graph"
	"cogov/internal/pgtest"
	"cogov/internal/store"
)

// TestAdminAddress: /metrics and pprof answer on the admin address, with
// the operation's latency, its errors by code and the pool's statistics,
// and not on the public one.
func TestAdminAddress(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t, pgtest.Options{})
	st := store.New(db.Pool, pgtest.Clock(t))
	res := graph.NewResolver(st, "", pgtest.Clock(t))
	reg := newRegistry()
	cfg := config{metrics: graph.NewMetrics(reg)}
	cfg.metrics.WatchPool(db.Pool)
	public := httptest.NewServer(routes(cfg, st, res, slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer public.Close()
	admin := httptest.NewServer(adminRoutes(reg))
	defer admin.Close()

	for _, body := range []string{`{"query": "query Ping { __typename }"}`, `{"query": "{ nosuchfield }"}`} {
		resp, err := http.Post(public.URL+"/graphql", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	get := func(base, path string) (int, string) {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, metrics := get(admin.URL, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("admin /metrics: %d", code)
	}
	for _, want := range []string{
		`cogov_graphql_operation_duration_seconds_count{operation="Ping",type="query"} 1`,
		`cogov_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"} 1`,
		`cogov_http_request_duration_seconds_count{code="200",method="POST",route="/graphql"} 2`, // both answered 200 (application/json)
		`cogov_db_pool_max_connections`, `cogov_subscriptions_open 0`, `cogov_rate_limit_refusals_total 0`, `go_goroutines`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("admin /metrics lacks %s", want)
		}
	}
	if code, body := get(admin.URL, "/debug/pprof/"); code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("admin /debug/pprof/: %d", code)
	}
	if code, _ := get(admin.URL, "/debug/pprof/heap"); code != http.StatusOK {
		t.Errorf("admin /debug/pprof/heap: %d", code)
	}
	for _, path := range []string{"/metrics", "/debug/pprof/", "/debug/pprof/heap"} {
		if code, _ := get(public.URL, path); code != http.StatusNotFound {
			t.Errorf("public %s: %d, want 404", path, code)
		}
	}
}

// TestTracingOnlyWithEndpoint: traces are exported only when
// OTEL_EXPORTER_OTLP_ENDPOINT is set.
func TestTracingOnlyWithEndpoint(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")
	if tp, _, err := setupTracing(context.Background()); err != nil || tp != nil {
		t.Fatalf("without an endpoint: provider %v, error %v", tp, err)
	}
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
	tp, stop, err := setupTracing(context.Background())
	if err != nil || tp == nil {
		t.Fatalf("with an endpoint: provider %v, error %v", tp, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = stop(ctx) // nothing listens there: the flush may fail, which is fine
}
