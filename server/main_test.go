package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"cogov/graph"
	"cogov/internal/store"
)

func TestRoutes(t *testing.T) {
	st := store.New(nil)
	res := graph.NewResolver(st, "")
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
	if err != nil || !c.production || len(c.corsOrigins) != 2 || c.httpAddr != ":8080" {
		t.Errorf("config = %+v, %v", c, err)
	}
}
