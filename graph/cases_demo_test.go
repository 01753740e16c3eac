package graph_test

import (
	"fmt"
	"slices"
	"testing"
)

// TestCasesDemo reads the demo grid cases as the sub-district's
// administrator: about 300 over six months in all 34 grids, about three in
// ten diverted from 110, mediation succeeding about as often as the
// source's 97 %, most settled in the grid, some on a joint meeting's
// agenda, some routed to a unit, and a few overdue for the community and
// the sub-district.
func TestCasesDemo(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	street := e.signIn("street-admin", "cogov-demo")
	now := testNow().In(shanghai)
	var out struct {
		Subdistrict struct {
			CaseFigures struct {
				Total struct {
					Reported             int
					MediationsConcluded  int
					MediationSuccessRate *float64
					SettledInGridShare   *float64
					SatisfactionRate     *float64
					OnTimeAcceptanceRate *float64
				}
				BySource []struct {
					Key   string
					Count int
				}
				BySettledLevel []struct {
					Key   string
					Count int
				}
				Grids []struct{ Grid struct{ Name string } }
			}
		}
	}
	street.do(`query($from: Date!, $to: Date!) { subdistrict(code: "houjiatang") { caseFigures(from: $from, to: $to) {
	  total { reported mediationsConcluded mediationSuccessRate settledInGridShare satisfactionRate onTimeAcceptanceRate }
	  bySource { key count } bySettledLevel { key count } grids { grid { name } } } } }`,
		map[string]any{"from": now.AddDate(0, -6, -1).Format("2006-01-02"), "to": now.Format("2006-01-02")}, &out)
	f := out.Subdistrict.CaseFigures
	if f.Total.Reported < 280 || f.Total.Reported > 300 || len(f.Grids) != 34 {
		t.Errorf("%d cases in %d grids, want about 300 in 34", f.Total.Reported, len(f.Grids))
	}
	share110 := 0.0
	for _, s := range f.BySource {
		if s.Key == "DIVERSION_110" {
			share110 = float64(s.Count) / float64(f.Total.Reported)
		}
	}
	if share110 < 0.2 || share110 > 0.4 {
		t.Errorf("110 share %.2f, want about 0.3", share110)
	}
	if r := f.Total.MediationSuccessRate; f.Total.MediationsConcluded < 50 || r == nil || *r < 0.94 || *r > 0.995 {
		t.Errorf("%d mediations, success %v, want near 0.97", f.Total.MediationsConcluded, r)
	}
	if r := f.Total.SettledInGridShare; r == nil || *r < 0.6 {
		t.Errorf("settled in the grid %v, want most", r)
	}
	levels := map[string]int{}
	for _, s := range f.BySettledLevel {
		levels[s.Key] = s.Count
	}
	if levels["COMMUNITY"] == 0 || levels["UNIT"] == 0 {
		t.Errorf("settled by level %v: want some by the community and some by a unit", levels)
	}
	var units struct {
		Subdistrict struct {
			Units struct {
				Edges []struct {
					Node struct {
						Name        string
						RoutedCases struct{ TotalCount int }
					}
				}
			}
		}
	}
	street.do(`{ subdistrict(code: "houjiatang") { units(first: 100) { edges { node { name routedCases(first: 1) { totalCount } } } } } }`, nil, &units)
	routed := map[string]int{}
	for _, ed := range units.Subdistrict.Units.Edges {
		if ed.Node.RoutedCases.TotalCount > 0 {
			routed[ed.Node.Name] = ed.Node.RoutedCases.TotalCount
		}
	}
	if len(routed) != 1 || routed["湖南湘安物业服务有限公司"] == 0 {
		t.Errorf("cases routed to units: %v, want some to the property company", routed)
	}
	var n int
	e.sysScan(`SELECT count(*) FROM agenda_item WHERE case_id IS NOT NULL`, &n)
	if n == 0 {
		t.Errorf("no case on a joint meeting's agenda")
	}
	// A few overdue: grid cases for community 1's administrator, community cases for the sub-district's.
	const overdue = `{ overdueCases(first: 50) { totalCount edges { node { level overdue grid { community { name } } } } } }`
	type conn struct {
		OverdueCases struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					Level   string
					Overdue bool
				}
			}
		}
	}
	var street2, total int
	for n := 1; n <= 12; n++ {
		var c conn
		e.signIn(fmt.Sprintf("community-%d-admin", n), "cogov-demo").do(overdue, nil, &c)
		for _, ed := range c.OverdueCases.Edges {
			if ed.Node.Level != "GRID" || !ed.Node.Overdue {
				t.Errorf("community-%d-admin's overdue case: %+v", n, ed.Node)
			}
		}
		total += c.OverdueCases.TotalCount
	}
	var sc conn
	street.do(overdue, nil, &sc)
	for _, ed := range sc.OverdueCases.Edges {
		if ed.Node.Level == "GRID" || !ed.Node.Overdue {
			t.Errorf("street-admin's overdue case: %+v", ed.Node)
		}
	}
	street2 = sc.OverdueCases.TotalCount
	if total < 3 || street2 < 3 {
		t.Errorf("overdue: %d for the communities, %d for the sub-district; want a few each", total, street2)
	}
}

// TestOverdueCasesInInbox: an overdue case waits in the inbox of the level
// above it — the same cases, in the same order, as overdueCases lists for
// each community's administrator and for the sub-district's — and only
// there (a grid head's inbox has none).
func TestOverdueCasesInInbox(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	const q = `{ overdueCases(first: 100) { edges { node { id } } }
		viewer { inbox(first: 100) { edges { node { kind deadline object { id } } } } } }`
	type answer struct {
		OverdueCases struct {
			Edges []struct{ Node struct{ ID string } }
		}
		Viewer struct {
			Inbox struct {
				Edges []struct {
					Node struct {
						Kind     string
						Deadline *string
						Object   struct{ ID string }
					}
				}
			}
		}
	}
	total := 0
	for _, who := range []string{"street-admin", "community-1-admin", "community-2-admin", "community-3-admin", "community-4-admin", "community-5-admin",
		"community-6-admin", "community-7-admin", "community-8-admin", "community-9-admin", "community-10-admin", "community-11-admin",
		"community-12-admin", "grid-1-head"} {
		var a answer
		e.signIn(who, "cogov-demo").do(q, nil, &a)
		var want, got []string
		for _, ed := range a.OverdueCases.Edges {
			want = append(want, ed.Node.ID)
		}
		for _, ed := range a.Viewer.Inbox.Edges {
			if ed.Node.Kind == "CASE_OVERDUE" {
				if ed.Node.Deadline == nil {
					t.Errorf("%s: an overdue case without its deadline: %+v", who, ed.Node)
				}
				got = append(got, ed.Node.Object.ID)
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: overdue cases in the inbox %v, want those of overdueCases %v", who, got, want)
		}
		if who == "grid-1-head" && len(got) != 0 {
			t.Errorf("grid-1-head's inbox has %d overdue cases; they wait for the level above", len(got))
		}
		total += len(got)
	}
	if total < 6 {
		t.Errorf("%d overdue cases in all the inboxes; the demo has a few for the communities and a few for the sub-district", total)
	}
}
