// Package graphiql serves GraphiQL from files embedded in the binary: the
// pinned npm builds of GraphiQL and React (scripts/graphiql-assets.sh
// refreshes them) and a page that points it at /graphql. No request leaves
// the machine, so it works where the internet is out of reach.
package graphiql

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed index.html init.js page.css assets
var files embed.FS

// Handler serves the page at /graphiql and its files under /graphiql/.
func Handler() http.Handler {
	sub, _ := fs.Sub(files, ".")
	static := http.StripPrefix("/graphiql/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/graphiql", "/graphiql/":
			w.Header().Set("Cache-Control", "no-cache")
			http.ServeFileFS(w, r, files, "index.html")
			return
		case "/graphiql/index.html":
			http.NotFound(w, r)
			return
		}
		// The assets change only with their pinned versions.
		w.Header().Set("Cache-Control", "public, max-age=86400")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		static.ServeHTTP(w, r)
	})
}
