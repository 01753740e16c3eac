package graph_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestCountOnlyConnections: a connection asked for its totalCount alone is
// counted without reading its items (store.Page.Count), and the count is
// the one the same connection gives with its items — for nested lists of
// many parents (a committee's seats, a community's grids) with and without
// filters and a cursor, and for top-level lists; a bad cursor is still
// refused.
func TestCountOnlyConnections(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true).signIn("street-admin", "cogov-demo")
	var out struct {
		Subdistrict struct {
			Committees struct {
				Edges []struct {
					Node struct {
						ID              string
						All, Only, Part struct {
							TotalCount int
							Edges      []struct{ Cursor string }
						}
						PartAll, Typed struct {
							TotalCount int
							Typename   string `json:"__typename"`
							Edges      []struct{ Cursor string }
						}
					}
				}
			}
			Communities struct {
				Edges []struct {
					Node struct {
						G1, G2 struct {
							TotalCount int
							Edges      []struct{ Cursor string }
						}
					}
				}
			}
			U1, U2 struct {
				TotalCount int
				Edges      []struct{ Cursor string }
			}
		}
	}
	e.do(`query ($code: String!) { subdistrict(code: $code) {
		committees(first: 100) { edges { node { id
			all: memberships(first: 1) { totalCount edges { cursor } }
			only: memberships(first: 1) { totalCount }
			part: memberships(first: 1, partTime: true) { totalCount }
			partAll: memberships(first: 1, partTime: true) { totalCount edges { cursor } }
			typed: memberships(first: 1) { __typename totalCount }
		} } }
		communities(first: 50) { edges { node {
			g1: grids(first: 1) { totalCount edges { cursor } }
			g2: grids(first: 1) { totalCount }
		} } }
		u1: units(first: 1) { totalCount edges { cursor } }
		u2: units(first: 1) { totalCount }
	} }`, map[string]any{"code": "houjiatang"}, &out)

	sd := out.Subdistrict
	many := 0
	for _, c := range sd.Committees.Edges {
		n := c.Node
		if n.Only.TotalCount != n.All.TotalCount || n.Typed.TotalCount != n.All.TotalCount {
			t.Errorf("committee %s: %d seats counted alone and %d with __typename, %d with the page", n.ID, n.Only.TotalCount, n.Typed.TotalCount, n.All.TotalCount)
		}
		if n.Part.TotalCount != n.PartAll.TotalCount {
			t.Errorf("committee %s: %d part-time seats counted alone, %d with the page", n.ID, n.Part.TotalCount, n.PartAll.TotalCount)
		}
		if n.Only.Edges != nil || n.Typed.Typename != "MembershipConnection" {
			t.Errorf("committee %s: count-only answer %+v", n.ID, n.Typed)
		}
		if n.All.TotalCount > 1 {
			many++
		}
		if n.PartAll.TotalCount > 1 && n.PartAll.TotalCount < n.All.TotalCount {
			many++
		}
	}
	for _, c := range sd.Communities.Edges {
		if c.Node.G1.TotalCount != c.Node.G2.TotalCount {
			t.Errorf("a community's grids: %d counted alone, %d with the page", c.Node.G2.TotalCount, c.Node.G1.TotalCount)
		}
		if c.Node.G1.TotalCount > 1 {
			many++
		}
	}
	if sd.U1.TotalCount != sd.U2.TotalCount || sd.U1.TotalCount < 2 {
		t.Errorf("units: %d counted alone, %d with the page", sd.U2.TotalCount, sd.U1.TotalCount)
	}
	if len(sd.Committees.Edges) < 3 || many < 5 {
		t.Fatalf("the demo data gives too little to compare: %d committees, %d lists longer than their page", len(sd.Committees.Edges), many)
	}

	// After a cursor the total is still the whole list's; a bad cursor is
	// refused as it is with the page.
	first := sd.Committees.Edges[0].Node
	if len(first.All.Edges) == 1 {
		var o struct {
			Node struct {
				A, B struct{ TotalCount int }
			}
		}
		e.do(`query ($id: ID!, $after: String) { node(id: $id) { ... on Committee {
			a: memberships(first: 1, after: $after) { totalCount }
			b: memberships(first: 1, after: $after) { totalCount edges { cursor } }
		} } }`, map[string]any{"id": first.ID, "after": first.All.Edges[0].Cursor}, &o)
		if o.Node.A.TotalCount != first.All.TotalCount || o.Node.B.TotalCount != first.All.TotalCount {
			t.Errorf("after a cursor: %d counted alone, %d with the page, want %d", o.Node.A.TotalCount, o.Node.B.TotalCount, first.All.TotalCount)
		}
	}
	r := e.post(`query ($id: ID!) { node(id: $id) { ... on Committee { memberships(first: 1, after: "not-a-cursor") { totalCount } } } }`,
		map[string]any{"id": first.ID})
	if len(r.Errors) != 1 || !strings.Contains(fmt.Sprint(r.Errors[0].Message, r.Errors[0].Extensions["detail"]), "cursor") {
		t.Errorf("a bad cursor on a count-only page: %+v", r.Errors)
	}
}
