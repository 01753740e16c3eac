package graph

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"

	"cogov/internal/clock"
)

// Metrics are the server's Prometheus metrics: HTTP requests and GraphQL
// operations by name (latency histograms), errors by code, rate-limit
// refusals, open subscriptions and, with WatchPool, the database pool.
type Metrics struct {
	requests    *prometheus.HistogramVec
	operations  *prometheus.HistogramVec
	errors      *prometheus.CounterVec
	rateLimited prometheus.Counter
	subs        prometheus.Gauge
	reg         prometheus.Registerer

	mu    sync.Mutex
	names map[string]bool // operation names seen, bounded by maxOperationNames
}

// maxOperationNames bounds the operation label: clients name their
// operations, and a label per name must not grow without end.
const maxOperationNames = 200

// NewMetrics registers the metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "cogov_http_request_duration_seconds",
			Help: "HTTP requests by route pattern, method and status.", Buckets: prometheus.DefBuckets}, []string{"route", "method", "code"}),
		operations: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "cogov_graphql_operation_duration_seconds",
			Help: "GraphQL queries and mutations by operation name and type, from execution to the answer.", Buckets: prometheus.DefBuckets},
			[]string{"operation", "type"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "cogov_graphql_errors_total",
			Help: "Top-level GraphQL errors by extensions.code."}, []string{"code"}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{Name: "cogov_rate_limit_refusals_total",
			Help: "Operations refused for the caller's cost budget (RATE_LIMITED, HTTP 429)."}),
		subs: prometheus.NewGauge(prometheus.GaugeOpts{Name: "cogov_subscriptions_open",
			Help: "Subscriptions running now, over websockets and server-sent events."}),
		reg:   reg,
		names: map[string]bool{},
	}
	reg.MustRegister(m.requests, m.operations, m.errors, m.rateLimited, m.subs)
	return m
}

// ObserveHTTP records one answered HTTP request.
func (m *Metrics) ObserveHTTP(route, method string, code int, d time.Duration) {
	if m == nil {
		return
	}
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(code)).Observe(d.Seconds())
}

// WatchPool registers the pool's statistics (pgxpool.Stat), read at each scrape.
func (m *Metrics) WatchPool(pool *pgxpool.Pool) {
	gauge := func(name, help string, f func(*pgxpool.Stat) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return f(pool.Stat()) })
	}
	counter := func(name, help string, f func(*pgxpool.Stat) float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return f(pool.Stat()) })
	}
	m.reg.MustRegister(
		gauge("cogov_db_pool_acquired_connections", "Connections in use.", func(s *pgxpool.Stat) float64 { return float64(s.AcquiredConns()) }),
		gauge("cogov_db_pool_idle_connections", "Idle connections.", func(s *pgxpool.Stat) float64 { return float64(s.IdleConns()) }),
		gauge("cogov_db_pool_total_connections", "Open connections.", func(s *pgxpool.Stat) float64 { return float64(s.TotalConns()) }),
		gauge("cogov_db_pool_max_connections", "The pool's size.", func(s *pgxpool.Stat) float64 { return float64(s.MaxConns()) }),
		counter("cogov_db_pool_acquires_total", "Connections acquired.", func(s *pgxpool.Stat) float64 { return float64(s.AcquireCount()) }),
		counter("cogov_db_pool_empty_acquires_total", "Acquires that had to wait for a connection.", func(s *pgxpool.Stat) float64 { return float64(s.EmptyAcquireCount()) }),
		counter("cogov_db_pool_acquire_wait_seconds_total", "Time spent acquiring connections.", func(s *pgxpool.Stat) float64 { return s.AcquireDuration().Seconds() }),
	)
}

// operationName is the label of an operation: its name while fewer than
// maxOperationNames have been seen, "other" after, "anonymous" without one.
func (m *Metrics) operationName(rc *graphql.OperationContext) string {
	name := rc.OperationName
	if name == "" && rc.Operation != nil {
		name = rc.Operation.Name
	}
	if name == "" {
		return "anonymous"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.names[name] {
		if len(m.names) >= maxOperationNames {
			return "other"
		}
		m.names[name] = true
	}
	return name
}

// aroundOperations times queries and mutations and counts open subscriptions.
func (m *Metrics) aroundOperations(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	rc := graphql.GetOperationContext(ctx)
	start := clock.Wall()()
	h := next(ctx)
	if rc.Operation == nil {
		return h
	}
	if rc.Operation.Operation == ast.Subscription {
		m.subs.Inc()
		var once sync.Once
		done := func() { once.Do(m.subs.Dec) }
		context.AfterFunc(ctx, done)
		return func(ctx context.Context) *graphql.Response {
			resp := h(ctx)
			if resp == nil {
				done()
			}
			return resp
		}
	}
	name, typ := m.operationName(rc), string(rc.Operation.Operation)
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		m.operations.WithLabelValues(name, typ).Observe(time.Since(start).Seconds())
		return resp
	}
}

// aroundResponses counts the top-level errors of every answer by code,
// those of requests refused before they ran included.
func (m *Metrics) aroundResponses(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	for _, e := range resp.Errors {
		code, _ := e.Extensions["code"].(string)
		if code == "" {
			code = "none"
		}
		m.errors.WithLabelValues(code).Inc()
		if code == codeRate {
			m.rateLimited.Inc()
		}
	}
	return resp
}
