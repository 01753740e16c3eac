package graph_test

import (
	"fmt"
	"testing"
)

// TestGridStaffAccounts signs in as every demo grid head (grid-1-head …
// grid-34-head) and the demo grid workers: each holds one GRID_WORKER role
// over their own grid and signs in as the person who heads (or works in)
// that grid.
func TestGridStaffAccounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	const q = `{ viewer { account { username person { name } } roles { kind scope { __typename ... on Grid { name
	  head { name } workers(first: 10) { edges { node { name } } } community { name } } } } } }`
	type viewer struct {
		Viewer struct {
			Account struct {
				Username string
				Person   *struct{ Name string }
			}
			Roles []struct {
				Kind  string
				Scope struct {
					Typename string `json:"__typename"`
					Name     string
					Head     struct{ Name string }
					Workers  struct {
						Edges []struct{ Node struct{ Name string } }
					}
				}
			}
		}
	}
	seen := map[string]bool{}
	check := func(username string, head bool) {
		t.Helper()
		var v viewer
		e.signIn(username, "cogov-demo").do(q, nil, &v)
		a := v.Viewer
		if len(a.Roles) != 1 || a.Roles[0].Kind != "GRID_WORKER" || a.Roles[0].Scope.Typename != "Grid" || a.Account.Person == nil {
			t.Fatalf("%s: %+v", username, a)
		}
		g := a.Roles[0].Scope
		if head && g.Head.Name != a.Account.Person.Name {
			t.Errorf("%s signs in as %s, the grid's head is %s", username, a.Account.Person.Name, g.Head.Name)
		}
		if !head && (len(g.Workers.Edges) == 0 || g.Workers.Edges[0].Node.Name != a.Account.Person.Name) {
			t.Errorf("%s signs in as %s, not the grid's first worker", username, a.Account.Person.Name)
		}
		seen[g.Name+"/"+a.Account.Person.Name] = true
	}
	for n := 1; n <= 34; n++ {
		check(fmt.Sprintf("grid-%d-head", n), true)
	}
	for _, n := range []int{1, 2, 13} {
		check(fmt.Sprintf("grid-%d-worker", n), false)
	}
	if len(seen) != 37 {
		t.Errorf("%d distinct grid and person pairs, want 37", len(seen))
	}
}
