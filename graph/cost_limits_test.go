package graph_test

import (
	"cogov/internal/clock"
	"net/http"
	"testing"
	"time"

	"cogov/graph"
)

// TestOverviewRefreshNeverLimited: a front end refreshing SubdistrictOverview
// — here far faster than once a second — under the default budgets never
// sees 429, because each refresh is charged the objects it returned, not
// the thousands of nodes its `first` arguments could have returned.
func TestOverviewRefreshNeverLimited(t *testing.T) {
	e := newEnv(t, true).signIn("street-admin", "cogov-demo")
	doc := op(t, "structure.graphql", "SubdistrictOverview")
	const refreshes = 30
	wall := clock.Wall()
	start := wall()
	var requested, actual int
	for i := range refreshes {
		r := e.post(doc, map[string]any{"code": "houjiatang"})
		if r.status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("refresh %d: status %d, errors %+v", i+1, r.status, r.Errors)
		}
		requested, actual = r.Extensions.Cost.Requested, r.Extensions.Cost.Actual
	}
	elapsed := wall().Sub(start)
	if actual <= 0 || actual >= requested {
		t.Fatalf("extensions.cost: requested %d, actual %d; want 0 < actual < requested", requested, actual)
	}
	// Charged by requested cost, the refreshes would have spent more than
	// the default burst and its refill over the time they took.
	if budget := 200000 + 20000*elapsed.Seconds(); float64(refreshes*requested) <= budget {
		t.Fatalf("%d refreshes of %d requested points fit the default budget (%.0f) anyway: the test tells nothing", refreshes, requested, budget)
	}
	t.Logf("SubdistrictOverview: requested cost %d, actual cost %d; %d refreshes in %s", requested, actual, refreshes, elapsed.Round(time.Millisecond))
}

// TestCostAdmitsByRequestedChargesActual: an operation is admitted only when
// the budget holds its requested cost, and then charged its actual cost.
func TestCostAdmitsByRequestedChargesActual(t *testing.T) {
	const burst = 13000
	e := newEnvWith(t, true, graph.Limits{AccountBurst: burst, AccountPerSecond: 1}).signIn("street-admin", "cogov-demo")
	doc := op(t, "structure.graphql", "SubdistrictOverview")
	vars := map[string]any{"code": "houjiatang"}
	first := e.post(doc, vars)
	if first.status != http.StatusOK {
		t.Fatalf("first overview: status %d, errors %+v", first.status, first.Errors)
	}
	req, act := first.Extensions.Cost.Requested, first.Extensions.Cost.Actual
	if req > burst || burst-act >= req {
		t.Fatalf("requested %d, actual %d: a burst of %d cannot show the difference", req, act, burst)
	}
	// Left: burst - actual (and a few seconds' refill), less than requested.
	second := e.post(doc, vars)
	if second.status != http.StatusTooManyRequests || len(second.Errors) != 1 || second.Errors[0].Extensions["code"] != "RATE_LIMITED" {
		t.Fatalf("second overview with %d points left for %d requested: status %d, errors %+v", burst-act, req, second.status, second.Errors)
	}
	// An operation requesting more than the first's actual cost, less than
	// what is left: admitted only because the first was charged its actual cost.
	mid := `{ subdistrict(code: "houjiatang") { communities(first: 50) { edges { node { grids(first: 50) { totalCount } } } } } }`
	third := e.post(mid, nil)
	if third.status != http.StatusOK || third.Extensions.Cost.Requested <= act {
		t.Fatalf("an operation of %d requested points after one charged %d of %d: status %d, errors %+v",
			third.Extensions.Cost.Requested, act, burst, third.status, third.Errors)
	}
}

// TestCostActualNeverAboveRequested: a small operation answers more JSON
// objects (the data object, connections, edges) than the nodes it was costed
// at; it is charged its requested cost, and extensions.cost says so — actual
// is never more than requested.
func TestCostActualNeverAboveRequested(t *testing.T) {
	e := newEnv(t, true).signIn("street-admin", "cogov-demo")
	for _, doc := range []string{
		`{ subdistrict(code: "houjiatang") { name communities(first: 2) { edges { node { name } } } } }`,
		`{ subdistrict(code: "houjiatang") { name } }`,
	} {
		r := e.post(doc, nil)
		if r.status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("%s: status %d, errors %+v", doc, r.status, r.Errors)
		}
		if c := r.Extensions.Cost; c.Actual <= 0 || c.Actual > c.Requested {
			t.Errorf("%s: extensions.cost requested %d, actual %d; want 0 < actual <= requested", doc, c.Requested, c.Actual)
		}
	}
}
