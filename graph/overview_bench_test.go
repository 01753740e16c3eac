package graph_test

import (
	"testing"
	"time"

	"cogov/graph"
)

// BenchmarkContractQueries measures contract queries end to end — HTTP,
// GraphQL, loaders, PostgreSQL with row-level security — over the demo data,
// signed in as the sub-district's administrator.
func BenchmarkContractQueries(b *testing.B) {
	// The server's own loader wait (2 ms), not the tests' longer one.
	e := newEnvWait(b, true, graph.Options{Limits: graph.Limits{AccountBurst: 1 << 30, AccountPerSecond: 1 << 30,
		AddrBurst: 1 << 30, AddrPerSecond: 1 << 30}}, 2*time.Millisecond)
	admin := e.signIn("street-admin", "cogov-demo")
	d := lookupDemo(b, admin)
	cases := []struct {
		name, file, op string
		vars           map[string]any
	}{
		{"SubdistrictOverview", "structure.graphql", "SubdistrictOverview", map[string]any{"code": "houjiatang"}},
		{"SubdistrictDashboard", "meetings.graphql", "SubdistrictDashboard", map[string]any{"code": "houjiatang", "from": "2026-01-01", "to": "2026-12-31"}},
		{"FindVenues", "venues.graphql", "FindVenues", map[string]any{"first": 20, "filter": map[string]any{"subdistrictId": d.sd, "minCapacity": 50}}},
	}
	for _, c := range cases {
		doc := op(b, c.file, c.op)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				var out map[string]any
				admin.do(doc, c.vars, &out)
			}
		})
	}
}
