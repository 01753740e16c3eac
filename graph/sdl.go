package graph

import (
	"bytes"
	"net/http"
	"sync"

	"github.com/vektah/gqlparser/v2/formatter"
)

// sdl is the schema the server serves, as SDL with its descriptions.
var sdl = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	formatter.NewFormatter(&b, formatter.WithIndent("  ")).FormatSchema(schemaDef())
	return b.Bytes()
})

// SchemaHandler serves the schema as SDL (GET /graphql/schema.graphql), so
// that front-end code generators have it even where introspection is off in
// production. The schema is the public contract: it names no data.
func SchemaHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(sdl())
	})
}
