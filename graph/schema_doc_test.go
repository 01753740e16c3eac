package graph_test

import (
	"strings"
	"testing"

	"cogov/graph/generated"
)

// TestSchemaDescribed checks that every type, field, argument, enum value
// and input field of the schema has a description: the schema is the
// front-end teams' documentation.
func TestSchemaDescribed(t *testing.T) {
	t.Parallel()
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	builtin := map[string]bool{"String": true, "Int": true, "Float": true, "Boolean": true, "ID": true, "Query": true, "Mutation": true, "Subscription": true}
	for name, def := range schema.Types {
		if strings.HasPrefix(name, "__") || def.BuiltIn {
			continue
		}
		if !builtin[name] && strings.TrimSpace(def.Description) == "" {
			t.Errorf("type %s has no description", name)
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if strings.TrimSpace(f.Description) == "" {
				t.Errorf("field %s.%s has no description", name, f.Name)
			}
			for _, a := range f.Arguments {
				if strings.TrimSpace(a.Description) == "" {
					t.Errorf("argument %s.%s(%s) has no description", name, f.Name, a.Name)
				}
			}
		}
		for _, v := range def.EnumValues {
			if strings.TrimSpace(v.Description) == "" {
				t.Errorf("enum value %s.%s has no description", name, v.Name)
			}
		}
	}
}

// TestScalarsSpecified: each custom scalar names the specification of its
// text form, as introspection shows to code generators.
func TestScalarsSpecified(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	for _, name := range []string{"DateTime", "Date", "LocalTime"} {
		var out struct {
			Type struct {
				SpecifiedByURL *string `json:"specifiedByURL"`
			} `json:"__type"`
		}
		e.do(`query($n: String!) { __type(name: $n) { specifiedByURL } }`, map[string]any{"n": name}, &out)
		if u := out.Type.SpecifiedByURL; u == nil || !strings.HasPrefix(*u, "https://www.rfc-editor.org/rfc/rfc3339") {
			t.Errorf("%s: specifiedByURL %v", name, u)
		}
	}
}
