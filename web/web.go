// Package web serves the front end (web/src, built by Vite) from files
// embedded in the binary. The build goes to dist/app, which git ignores; a
// fresh clone, or a machine without Node, has only dist/placeholder.html,
// so `go build` and the Go tests never need the front end built.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// Built reports whether the binary holds a production build of the front end
// rather than the placeholder page.
func Built() bool { return built(dist) }

func built(files fs.FS) bool {
	_, err := fs.Stat(files, "dist/app/index.html")
	return err == nil
}

// Handler serves the front end at /: files of the build as they are (those
// under assets/ carry a content hash in their names, so they are cached for a
// year), and index.html, never cached, for every other path, which the
// client's router resolves. Without a build it serves the placeholder page.
func Handler() http.Handler { return handler(dist) }

// handler serves files, which hold dist/placeholder.html and maybe a build
// in dist/app.
func handler(files fs.FS) http.Handler {
	if !built(files) {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if serverPath(strings.TrimPrefix(path.Clean(r.URL.Path), "/")) {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Cache-Control", "no-cache")
			http.ServeFileFS(w, r, files, "dist/placeholder.html")
		})
	}
	app, _ := fs.Sub(files, "dist/app")
	serve := http.FileServerFS(app)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if serverPath(name) {
			http.NotFound(w, r) // the server's own address that this server does not serve (GraphiQL in production)
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if strings.HasPrefix(name, "assets/") {
			if _, err := fs.Stat(app, name); err != nil {
				http.NotFound(w, r) // a stale hashed name: no index.html in its place
				return
			}
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			serve.ServeHTTP(w, r)
			return
		}
		if fi, err := fs.Stat(app, name); err == nil && !fi.IsDir() && name != "index.html" {
			w.Header().Set("Cache-Control", "public, max-age=3600")
			serve.ServeHTTP(w, r)
			return
		}
		// A client route (or /): the page, always revalidated so a new build
		// is picked up at once.
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFileFS(w, r, app, "index.html")
	})
}

// serverPath reports whether a path belongs to the server's own endpoints,
// which never fall back to the front end's page: those of the public address,
// and those of the operators' address (metrics, the profiler), which must
// answer 404 here rather than look served.
func serverPath(name string) bool {
	for _, p := range []string{"graphql", "graphiql", "calendar", "export", "intake", "healthz", "readyz", "metrics", "debug"} {
		if name == p || strings.HasPrefix(name, p+"/") {
			return true
		}
	}
	return false
}
