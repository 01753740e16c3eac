package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func get(t *testing.T, h http.Handler, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}

func TestPlaceholderWithoutBuild(t *testing.T) {
	t.Parallel()
	h := handler(fstest.MapFS{"dist/placeholder.html": {Data: []byte("<p>placeholder</p>")}})
	for _, path := range []string{"/", "/venues/abc"} {
		rec := get(t, h, "GET", path)
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "placeholder") || rec.Header().Get("Cache-Control") != "no-cache" {
			t.Errorf("GET %s: %d %q %v", path, rec.Code, rec.Body.String(), rec.Header())
		}
	}
	if rec := get(t, h, "GET", "/graphiql"); rec.Code != http.StatusNotFound {
		t.Errorf("GET /graphiql without GraphiQL: %d, want 404", rec.Code)
	}
}

// The committed placeholder is what a fresh clone embeds.
func TestCommittedPlaceholder(t *testing.T) {
	t.Parallel()
	b, err := dist.ReadFile("dist/placeholder.html")
	if err != nil || !strings.Contains(string(b), "make run") {
		t.Fatalf("dist/placeholder.html: %v %q", err, b)
	}
}

func TestBuild(t *testing.T) {
	t.Parallel()
	h := handler(fstest.MapFS{
		"dist/placeholder.html":           {Data: []byte("placeholder")},
		"dist/app/index.html":             {Data: []byte("<!doctype html><div id=app></div>")},
		"dist/app/assets/index-abc123.js": {Data: []byte("console.log(1)")},
		"dist/app/favicon.ico":            {Data: []byte("ico")},
	})
	for _, c := range []struct {
		method, path string
		status       int
		cache, body  string
	}{
		{"GET", "/", 200, "no-cache", "id=app"},
		{"GET", "/venues/VmVudWU6MQ?date=2027-02-08", 200, "no-cache", "id=app"}, // a client route
		{"GET", "/index.html", 301, "no-cache", ""},                              // to /
		{"GET", "/assets/index-abc123.js", 200, "public, max-age=31536000, immutable", "console.log"},
		{"HEAD", "/assets/index-abc123.js", 200, "public, max-age=31536000, immutable", ""},
		{"GET", "/assets/index-old999.js", 404, "", ""}, // a stale hashed name is not the page
		{"GET", "/favicon.ico", 200, "public, max-age=3600", "ico"},
		{"POST", "/", 405, "", ""},
		{"GET", "/graphiql", 404, "", ""}, // production: the server's own path, never the page
		{"GET", "/export/subdistricts/x/y.csv", 404, "", ""},
		{"GET", "/metrics", 404, "", ""},      // the operators' address only
		{"GET", "/debug/pprof/", 404, "", ""}, // the operators' address only
		{"GET", "/intake/openapi.yaml", 404, "", ""},
	} {
		rec := get(t, h, c.method, c.path)
		if rec.Code != c.status || rec.Header().Get("Cache-Control") != c.cache || !strings.Contains(rec.Body.String(), c.body) {
			t.Errorf("%s %s: %d %q %q; want %d %q containing %q", c.method, c.path, rec.Code, rec.Header().Get("Cache-Control"), rec.Body.String(), c.status, c.cache, c.body)
		}
	}
}
