package graph_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"cogov/graph"
)

// sendAccept posts a raw body with an Accept header and returns the
// status, Content-Type and decoded body.
func sendAccept(t *testing.T, e *env, accept string, body any) (int, string, map[string]json.RawMessage) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%d %s", resp.StatusCode, raw)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), m
}

func errorCode(t *testing.T, m map[string]json.RawMessage) string {
	t.Helper()
	var errs []gqlError
	_ = json.Unmarshal(m["errors"], &errs)
	if len(errs) == 0 {
		return ""
	}
	c, _ := errs[0].Extensions["code"].(string)
	return c
}

// TestRequestErrorStatuses: a document that does not parse, validate or
// whose variables do not coerce is answered 200 with errors under
// application/json and 400 under application/graphql-response+json, never
// with a data key; a refused token is answered in the media type accepted.
func TestRequestErrorStatuses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	for _, body := range []map[string]any{
		{"query": "{"},
		{"query": "{ noSuchField }"},
		{"query": "query Q($id: ID!) { node(id: $id) { id } }", "variables": map[string]any{"id": nil}},
	} {
		for accept, want := range map[string]struct {
			status int
			media  string
		}{
			"":                                  {200, "application/json"},
			"application/json":                  {200, "application/json"},
			"*/*":                               {200, "application/json"},
			"application/graphql-response+json": {400, "application/graphql-response+json"},
			"application/graphql-response+json, application/json;q=0.9": {400, "application/graphql-response+json"},
		} {
			status, media, m := sendAccept(t, e, accept, body)
			if status != want.status || media != want.media {
				t.Errorf("%v with Accept %q: %d %s, want %d %s", body["query"], accept, status, media, want.status, want.media)
			}
			if _, ok := m["data"]; ok {
				t.Errorf("%v with Accept %q: a data key", body["query"], accept)
			}
			if m["errors"] == nil {
				t.Errorf("%v with Accept %q: no errors", body["query"], accept)
			}
		}
	}
	for _, accept := range []string{"application/json", "application/graphql-response+json"} {
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL, bytes.NewReader([]byte(`{"query":"{ __typename }"}`)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", accept)
		req.Header.Set("Authorization", "Bearer no-such-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("Content-Type") != accept {
			t.Errorf("a bad token with Accept %s: %d %s", accept, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}

// TestPersistedDocuments: a contract document is run by documentId and by
// Apollo's persisted-query extension; Apollo's protocol registers other
// text; with PersistedOnly only registered documents run.
func TestPersistedDocuments(t *testing.T) {
	t.Parallel()
	viewer := operation(t, "booking.graphql")
	id := graph.DocumentID(viewer)
	hash := id[len("sha256:"):]

	t.Run("open", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, false)
		for _, body := range []map[string]any{
			{"documentId": id, "operationName": "Viewer"},
			{"operationName": "Viewer", "extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}},
		} {
			status, _, m := sendAccept(t, e, "", body)
			if status != 200 || m["errors"] != nil || !bytes.Contains(m["data"], []byte(`"viewer"`)) {
				t.Errorf("%v: %d %s %s", body, status, m["data"], m["errors"])
			}
		}
		// Apollo's automatic persisted queries for a document not registered.
		text := "query Name { __typename }"
		apq := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": graph.DocumentID(text)[7:]}}
		if status, _, m := sendAccept(t, e, "", map[string]any{"extensions": apq}); status != 200 || errorCode(t, m) != "PERSISTED_QUERY_NOT_FOUND" {
			t.Errorf("unknown hash: %d %s", status, m["errors"])
		}
		if status, _, m := sendAccept(t, e, "", map[string]any{"query": text, "extensions": apq}); status != 200 || m["errors"] != nil {
			t.Errorf("register: %d %s", status, m["errors"])
		}
		if status, _, m := sendAccept(t, e, "", map[string]any{"extensions": apq}); status != 200 || string(m["data"]) != `{"__typename":"Query"}` {
			t.Errorf("by hash after registering: %d %s %s", status, m["data"], m["errors"])
		}
		if status, _, m := sendAccept(t, e, "", map[string]any{"documentId": "sha256:" + hash[:60] + "0000"}); status != 400 || errorCode(t, m) != "PERSISTED_QUERY_NOT_FOUND" {
			t.Errorf("unknown documentId: %d %s", status, m["errors"])
		}
	})

	t.Run("only", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		manifest := `{"a1b2c3": "query Typename { __typename }"}`
		if err := os.WriteFile(filepath.Join(dir, "persisted-documents.json"), []byte(manifest), 0o600); err != nil {
			t.Fatal(err)
		}
		docs, err := graph.LoadDocuments(dir)
		if err != nil {
			t.Fatal(err)
		}
		e := newEnvOpts(t, false, graph.Options{Documents: docs, PersistedOnly: true})
		for _, c := range []struct {
			body   map[string]any
			status int
			code   string
		}{
			{map[string]any{"documentId": id, "operationName": "Viewer"}, 200, ""},
			{map[string]any{"documentId": "a1b2c3"}, 200, ""},
			{map[string]any{"documentId": graph.DocumentID("query Typename { __typename }")}, 200, ""},
			{map[string]any{"query": viewer, "operationName": "Viewer"}, 200, ""},
			{map[string]any{"query": "{ __typename }"}, 400, "PERSISTED_QUERY_REQUIRED"},
			{map[string]any{"documentId": "sha256:0000"}, 400, "PERSISTED_QUERY_NOT_FOUND"},
			{map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": "0000"}}}, 400, "PERSISTED_QUERY_NOT_FOUND"},
		} {
			status, _, m := sendAccept(t, e, "", c.body)
			if status != c.status || errorCode(t, m) != c.code {
				t.Errorf("%v: %d %s, want %d %s", c.body, status, m["errors"], c.status, c.code)
			}
		}
		// A manifest with a document the schema does not have is refused at start.
		if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte(`{"x": "{ noSuchField }"}`), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := graph.LoadDocuments(dir); err == nil {
			t.Error("a document that does not validate was loaded")
		}
	})
}

// TestPersistedDocumentByGET runs a registered query by GET with its
// documentId in the query string.
func TestPersistedDocumentByGET(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	q := url.Values{"documentId": {graph.DocumentID(operation(t, "booking.graphql"))}, "operationName": {"Viewer"}}
	resp, err := http.Get(e.srv.URL + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"data":{"viewer"`)) {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
}
