package graph_test

import (
	"context"
	"slices"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"cogov/graph"
	"cogov/internal/pgtest"
	"cogov/internal/store"
)

// TestTracing: with a tracer, an operation gives a span named by it, a span
// for its root field, and the store's statements as spans beneath them.
func TestTracing(t *testing.T) {
	t.Parallel()
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background()) //nolint:errcheck
	e := newEnvOpts(t, false, graph.Options{Tracer: tp.Tracer("test")})
	var out map[string]any
	e.do(`query Probe { subdistrict(code: "nowhere") { id } }`, nil, &out)
	var names []string
	for _, s := range exp.GetSpans() {
		names = append(names, s.Name)
	}
	for _, want := range []string{"graphql query Probe", "graphql field Query.subdistrict"} {
		if !slices.Contains(names, want) {
			t.Errorf("spans %v lack %q", names, want)
		}
	}

	// The store's pgx tracer: a statement is a span with its text.
	exp.Reset()
	db := pgtest.New(t, pgtest.Options{Tracer: store.Tracer(tp)})
	if _, err := db.Pool.Exec(context.Background(), "SELECT 1"); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range exp.GetSpans() {
		for _, a := range s.Attributes {
			if a.Key == "db.statement" && a.Value.AsString() == "SELECT 1" {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("no span for the statement among %d spans", len(exp.GetSpans()))
	}
}
