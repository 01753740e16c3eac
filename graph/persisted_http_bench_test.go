package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"

	"cogov/graph"
)

// BenchmarkRequestByDocumentID sends the contract's Viewer query over HTTP:
// by documentId (registered, parsed and validated at start), and as the
// text of booking.graphql made new each time with a comment, so the query
// cache never has it and it is parsed and validated on every request.
func BenchmarkRequestByDocumentID(b *testing.B) {
	e := newEnv(b, false)
	text := operation(b, "booking.graphql")
	post := func(body map[string]any) {
		buf, _ := json.Marshal(body)
		resp, err := http.Post(e.srv.URL, "application/json", bytes.NewReader(buf))
		if err != nil {
			b.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || bytes.Contains(out, []byte(`"errors"`)) {
			b.Fatalf("%d %s", resp.StatusCode, out)
		}
	}
	b.Run("documentId", func(b *testing.B) {
		id := graph.DocumentID(text)
		for b.Loop() {
			post(map[string]any{"documentId": id, "operationName": "Viewer"})
		}
	})
	b.Run("text-uncached", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			post(map[string]any{"query": text + "\n# " + strconv.Itoa(i), "operationName": "Viewer"})
		}
	})
}
