package graph

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"cogov/graph/generated"
)

// Persisted documents: a client may send, instead of a document's text,
// its id — `documentId` in the request (GraphQL-over-HTTP persisted
// documents, "sha256:<hex>") or Apollo's persisted-query extension
// `extensions.persistedQuery.sha256Hash`. The server knows the contract's
// operations (graph/operations, embedded) and the documents a front end
// registers at build time from manifests. Registered documents are parsed
// and validated once, at start; with Options.PersistedOnly the server runs
// nothing else, and refuses unknown text before parsing it.

//go:embed operations/*.graphql
var contractOperations embed.FS

// Error codes of persisted documents.
const (
	codePersistedNotFound = "PERSISTED_QUERY_NOT_FOUND"
	codePersistedRequired = "PERSISTED_QUERY_REQUIRED"
)

// Documents are the registered documents by id, parsed and validated.
type Documents struct {
	text map[string]string             // id (without "sha256:") → text
	doc  map[string]*ast.QueryDocument // text → its parsed, validated document
}

// DocumentID is the id of a document's text: "sha256:" and the hex of its
// SHA-256.
func DocumentID(text string) string { return "sha256:" + sha256Hex(text) }

func sha256Hex(text string) string {
	h := sha256.Sum256([]byte(text))
	return hex.EncodeToString(h[:])
}

// ContractDocuments are the operations of graph/operations, each file one
// document with the id DocumentID of its text.
func ContractDocuments() (*Documents, error) { return LoadDocuments("") }

// LoadDocuments returns the contract's documents and those of every
// manifest (*.json) in dir, if dir is not "": a manifest is a JSON object
// from id to document text, as the GraphQL codegen client preset's
// persisted documents and relay-compiler's persistOutput write it. A
// document is known by its manifest id and by its SHA-256. A document that
// does not parse or validate against the schema is an error.
func LoadDocuments(dir string) (*Documents, error) {
	d := &Documents{text: map[string]string{}, doc: map[string]*ast.QueryDocument{}}
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	files, err := fs.Glob(contractOperations, "operations/*.graphql")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		b, err := contractOperations.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if err := d.add(schema, "", string(b)); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	if dir == "" {
		return d, nil
	}
	manifests, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	for _, f := range manifests {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("%s: a manifest must be a JSON object from id to document: %w", f, err)
		}
		for id, text := range m {
			if err := d.add(schema, id, text); err != nil {
				return nil, fmt.Errorf("%s: document %s: %w", f, id, err)
			}
		}
	}
	return d, nil
}

func (d *Documents) add(schema *ast.Schema, id, text string) error {
	if _, ok := d.doc[text]; !ok {
		doc, perr := parser.ParseQuery(&ast.Source{Input: text})
		if perr != nil {
			return perr
		}
		if errs := validator.ValidateWithRules(schema, doc, nil); len(errs) > 0 {
			return errs
		}
		d.doc[text] = doc
	}
	d.text[sha256Hex(text)] = text
	if id != "" {
		d.text[strings.TrimPrefix(id, "sha256:")] = text
	}
	return nil
}

// Len is the number of registered documents.
func (d *Documents) Len() int { return len(d.doc) }

func (d *Documents) lookup(id string) (string, bool) {
	t, ok := d.text[strings.TrimPrefix(id, "sha256:")]
	return t, ok
}

// documentCache is the handler's query cache: the registered documents,
// parsed and validated at start and never evicted, before an LRU of the
// others.
type documentCache struct {
	docs *Documents
	lru  graphql.Cache[*ast.QueryDocument]
}

func (c documentCache) Get(ctx context.Context, query string) (*ast.QueryDocument, bool) {
	if d, ok := c.docs.doc[query]; ok {
		return d, true
	}
	return c.lru.Get(ctx, query)
}

func (c documentCache) Add(ctx context.Context, query string, value *ast.QueryDocument) {
	if _, ok := c.docs.doc[query]; !ok {
		c.lru.Add(ctx, query, value)
	}
}

type documentIDKey struct{}

// documentIDs takes the `documentId` of a POST body or of a GET's query
// string into the request's context (gqlgen's transports do not read it).
func documentIDs(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := ""
		switch r.Method {
		case http.MethodGet:
			id = r.URL.Query().Get("documentId")
		case http.MethodPost:
			if r.Body != nil {
				body, _ := readAllKeep(r)
				var p struct {
					DocumentID string `json:"documentId"`
				}
				if bytes.Contains(body, []byte(`"documentId"`)) && json.Unmarshal(body, &p) == nil {
					id = p.DocumentID
				}
			}
		}
		if id != "" {
			r = r.WithContext(context.WithValue(r.Context(), documentIDKey{}, id))
		}
		next.ServeHTTP(w, r)
	})
}

// persisted is the handler extension that puts a registered document's
// text in place of its id, and, when only registered documents are
// allowed, refuses any other before it is parsed.
type persisted struct {
	docs *Documents
	only bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = persisted{}

func (persisted) ExtensionName() string                   { return "PersistedDocuments" }
func (persisted) Validate(graphql.ExecutableSchema) error { return nil }

func (p persisted) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	id, _ := ctx.Value(documentIDKey{}).(string)
	apq := false
	if id == "" {
		if pq, ok := raw.Extensions["persistedQuery"].(map[string]any); ok {
			id, _ = pq["sha256Hash"].(string)
			apq = true
		}
	}
	if id != "" && raw.Query == "" {
		if text, ok := p.docs.lookup(id); ok {
			raw.Query = text
			return nil
		}
		if apq && !p.only {
			return nil // Apollo's protocol: the APQ extension answers PERSISTED_QUERY_NOT_FOUND and the client sends the text
		}
		httpAnswerFrom(ctx).set(http.StatusBadRequest)
		return &gqlerror.Error{Message: "no document is registered with this id", Extensions: map[string]any{"code": codePersistedNotFound}}
	}
	if p.only {
		if _, ok := p.docs.doc[raw.Query]; !ok {
			httpAnswerFrom(ctx).set(http.StatusBadRequest)
			return &gqlerror.Error{Message: "this server runs only registered documents: send a registered document's id (documentId or extensions.persistedQuery)",
				Extensions: map[string]any{"code": codePersistedRequired}}
		}
	}
	return nil
}

// readAllKeep reads r's body and puts it back for the next reader.
func readAllKeep(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, err
}
