package graph

import (
	"context"
	"io/fs"
	"testing"

	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"cogov/graph/generated"
)

// BenchmarkContractDocuments measures what a registered document saves on
// each request: "text" parses and validates the contract's four documents
// (what a request sending new text costs, the query cache cold), "documentId"
// finds them by id in the registered, pre-validated documents.
func BenchmarkContractDocuments(b *testing.B) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	docs, err := ContractDocuments()
	if err != nil {
		b.Fatal(err)
	}
	files, _ := fs.Glob(contractOperations, "operations/*.graphql")
	var texts, ids []string
	for _, f := range files {
		t, _ := contractOperations.ReadFile(f)
		texts = append(texts, string(t))
		ids = append(ids, DocumentID(string(t)))
	}
	b.Run("text", func(b *testing.B) {
		for b.Loop() {
			for _, t := range texts {
				doc, perr := parser.ParseQuery(&ast.Source{Input: t})
				if perr != nil {
					b.Fatal(perr)
				}
				if errs := validator.ValidateWithRules(schema, doc, nil); len(errs) > 0 {
					b.Fatal(errs)
				}
			}
		}
	})
	cache := documentCache{docs: docs, lru: lru.New[*ast.QueryDocument](1000)}
	ctx := context.Background()
	b.Run("documentId", func(b *testing.B) {
		for b.Loop() {
			for _, id := range ids {
				t, ok := docs.lookup(id)
				if !ok {
					b.Fatal("not registered")
				}
				if _, ok := cache.Get(ctx, t); !ok {
					b.Fatal("not cached")
				}
			}
		}
	})
}
