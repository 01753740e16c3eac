package cases_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"cogov/internal/cases"
)

// TestFigures computes the figures of a small data set by hand. The period
// is thirty days that ended ten days ago; the service's clock is moved to
// each step's time:
//
//	A  G1 patrol  P+1d, accepted +1h (on time), agreement +1d, resolved +1d2h in the grid, visited SATISFIED +2d
//	B  G1 110     P+2d, accepted +3h (late), no agreement +1d, escalated, community accepts, agreement +2d,
//	              resolved +3d at the community (on time there), visited DISSATISFIED +4d
//	C  G2 12345   P+3d, never accepted (late, measured), open at the end
//	D  G2 patrol  P-5d (before), accepted on time, resolved P+1d in the grid (late), visited BASICALLY_SATISFIED P+2d
//	E  G1 110     P+5d, returned to the police +1h (not accepted: late, measured)
//
// so: reported 4 (A B C E), acceptance measured 4, on time 1; resolved 3
// (A B D), on time 2 (A B), in the grid 2 (A D); mediations 3, agreements
// 2; visits 3, satisfied 2 (A D); open at the end 1 (C).
func TestFigures(t *testing.T) {
	t.Parallel()
	g := newGrids(t)
	var cur time.Time
	svc := cases.NewService(g.Store, g.Meetings, func() time.Time { return cur })
	p := g.Now().Add(-40 * 24 * time.Hour).Truncate(time.Hour)
	day := 24 * time.Hour
	at := func(d time.Duration) { cur = p.Add(d) }
	must := func(_ cases.Case, err error) {
		t.Helper()
		g.Must(err)
	}
	report := func(grid string, src cases.Source, cat string, when time.Duration) string {
		t.Helper()
		r := p.Add(when)
		c, err := svc.Report(g.Sys, cases.NewCase{GridID: grid, Source: src, CategoryID: cat, Title: "案件", ReportedAt: &r})
		g.Must(err)
		return c.ID
	}
	mediate := func(id string, o cases.Outcome) {
		t.Helper()
		agreement := ""
		if o == cases.AgreementReached {
			agreement = "达成协议"
		}
		_, err := svc.RecordMediation(g.Sys, cases.NewMediation{CaseID: id, Mediators: []cases.Mediator{{Kind: cases.MediatorCommunity, Name: "调解员"}},
			Parties: []cases.NewParty{{Side: cases.Applicant, Name: "甲"}}, Outcome: o, Agreement: agreement})
		g.Must(err)
	}
	sys := g.Sys
	a := report(g.G1, cases.GridPatrol, g.NeighbourCat, day)
	at(day + time.Hour)
	must(svc.Accept(sys, a, ""))
	at(2 * day)
	mediate(a, cases.AgreementReached)
	at(2*day + 2*time.Hour)
	must(svc.Resolve(sys, a, "调解成功"))
	at(3 * day)
	must(svc.Close(sys, a, cases.Satisfied, ""))

	b := report(g.G1, cases.Diversion110, g.NeighbourCat, 2*day)
	at(2*day + 3*time.Hour)
	must(svc.Accept(sys, b, ""))
	at(3 * day)
	mediate(b, cases.NotReached)
	must(svc.Escalate(sys, b, "调解不成", nil))
	must(svc.Accept(sys, b, ""))
	at(4 * day)
	mediate(b, cases.AgreementReached)
	at(5 * day)
	must(svc.Resolve(sys, b, "社区调解成功"))
	at(6 * day)
	must(svc.Close(sys, b, cases.Dissatisfied, ""))

	report(g.G2, cases.Hotline12345, g.OtherCat, 3*day)

	d := report(g.G2, cases.GridPatrol, g.OtherCat, -5*day)
	at(-5*day + time.Hour)
	must(svc.Accept(sys, d, ""))
	at(day)
	must(svc.Resolve(sys, d, "已处理"))
	at(2 * day)
	must(svc.Close(sys, d, cases.BasicallySatisfied, ""))

	e := report(g.G1, cases.Diversion110, g.OtherCat, 5*day)
	at(5*day + time.Hour)
	must(svc.Return(sys, e, "治安案件"))

	f, err := cases.ReadFigures(g.Admin, g.Store, g.SD, p, p.Add(30*day))
	g.Must(err)
	wantTotal := cases.Rates{Reported: 4, AcceptMeasured: 4, AcceptedOnTime: 1, Resolved: 3, ResolvedOnTime: 2, SettledInGrid: 2,
		MediationsConcluded: 3, MediationsReached: 2, Visited: 3, Satisfied: 2, Open: 1}
	if diff := cmp.Diff(wantTotal, f.Total); diff != "" {
		t.Errorf("totals (-want +got):\n%s", diff)
	}
	rates := map[string]*float64{"acceptance": f.Total.OnTimeAcceptance(), "resolution": f.Total.OnTimeResolution(),
		"mediation": f.Total.MediationSuccess(), "in the grid": f.Total.SettledInGridShare(), "satisfaction": f.Total.Satisfaction()}
	wantRates := map[string]float64{"acceptance": 0.25, "resolution": 2.0 / 3, "mediation": 2.0 / 3, "in the grid": 2.0 / 3, "satisfaction": 2.0 / 3}
	for k, w := range wantRates {
		if rates[k] == nil || *rates[k] != w {
			t.Errorf("%s rate %v, want %v", k, rates[k], w)
		}
	}
	counts := map[string][]cases.Count{"source": f.BySource, "status": f.ByStatus, "settled": f.BySettledLevel}
	wantCounts := map[string][]cases.Count{
		"source":  {{Key: "DIVERSION_110", Count: 2}, {Key: "GRID_PATROL", Count: 1}, {Key: "HOTLINE_12345", Count: 1}},
		"status":  {{Key: "CLOSED", Count: 2}, {Key: "REPORTED", Count: 1}, {Key: "RETURNED", Count: 1}},
		"settled": {{Key: "GRID", Count: 2}, {Key: "COMMUNITY", Count: 1}},
	}
	if diff := cmp.Diff(wantCounts, counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(sortedCounts([]cases.Count{{Key: g.NeighbourCat, Count: 2}, {Key: g.OtherCat, Count: 2}}), sortedCounts(f.ByCategory)); diff != "" {
		t.Errorf("by category (-want +got):\n%s", diff)
	}
	grids := map[string]int{}
	for _, s := range f.Grids {
		grids[s.ID] = s.Rates.Reported
	}
	if diff := cmp.Diff(map[string]int{g.G1: 3, g.G2: 1}, grids); diff != "" {
		t.Errorf("reported per grid (-want +got):\n%s", diff)
	}
	coms := map[string]int{}
	for _, s := range f.Communities {
		coms[s.ID] = s.Rates.Resolved
	}
	if diff := cmp.Diff(map[string]int{g.C1: 2, g.C2: 1}, coms); diff != "" {
		t.Errorf("resolved per community (-want +got):\n%s", diff)
	}
	// The period before holds D's report only; those outside the sub-district read nothing.
	before, err := cases.ReadFigures(g.Admin, g.Store, g.SD, p.Add(-30*day), p)
	g.Must(err)
	if before.Total.Reported != 1 || before.Total.Resolved != 0 || before.Total.Open != 1 {
		t.Errorf("the period before: %+v", before.Total)
	}
	for _, ctx := range []context.Context{g.member, g.anon, g.outsider} {
		if _, err := cases.ReadFigures(ctx, g.Store, g.SD, p, p.Add(30*day)); err == nil {
			t.Errorf("figures read outside the sub-district")
		}
	}
}

func sortedCounts(cs []cases.Count) []cases.Count {
	out := append([]cases.Count(nil), cs...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j].Key < out[i].Key {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}
