package graph_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vektah/gqlparser/v2"

	"cogov/graph/generated"
)

// TestContractValidates checks that every example operation, each contract
// file as a whole, validates against the schema.
func TestContractValidates(t *testing.T) {
	t.Parallel()
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	files, err := filepath.Glob("operations/*.graphql")
	if err != nil || len(files) < 4 {
		t.Fatalf("contract files: %v %v", files, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, errs := gqlparser.LoadQueryWithRules(schema, string(b), nil) // nil: the standard rules
		if len(errs) > 0 {
			t.Errorf("%s: %v", f, errs)
			continue
		}
		if len(doc.Operations) == 0 {
			t.Errorf("%s: no operations", f)
		}
	}
}

// TestWebOperationsValidate checks the front end's own operations
// (web/src/graphql) against the schema, so a schema change that would break
// the web pages fails here too, on a machine without Node.
func TestWebOperationsValidate(t *testing.T) {
	t.Parallel()
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	files, err := filepath.Glob("../web/src/graphql/*.graphql")
	if err != nil || len(files) == 0 {
		t.Fatalf("web operation files: %v %v", files, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, errs := gqlparser.LoadQueryWithRules(schema, string(b), nil)
		if len(errs) > 0 {
			t.Errorf("%s: %v", f, errs)
			continue
		}
		if len(doc.Operations) == 0 {
			t.Errorf("%s: no operations", f)
		}
	}
}
