package cases_test

import (
	"context"
	"testing"
	"time"

	"cogov/internal/access"
	"cogov/internal/cases"
	"cogov/internal/problem"
	"cogov/internal/structure"
)

// TestPersonalData: the reporter's contact and the parties' are for the
// case's handlers. The store reads them as the viewer, so what a viewer
// gets here is what row-level security lets through: no filter in Go.
func TestPersonalData(t *testing.T) {
	t.Parallel()
	g := newGrids(t)
	id := g.mustReport(cases.Diversion110)
	_, err := g.Cases.Accept(g.worker1, id, "")
	want(t, "accept", err, "")
	m, err := g.Cases.RecordMediation(g.worker1, cases.NewMediation{CaseID: id,
		Mediators: []cases.Mediator{{Kind: cases.MediatorGridStaff, PersonID: &g.P1}},
		Parties: []cases.NewParty{{Side: cases.Applicant, Name: "王小明", Phone: "13812345678"},
			{Side: cases.Respondent, Name: "赵大海", Phone: "13987654321"}},
		Sessions: []cases.Session{{HeldAt: g.Now().Add(-time.Hour), Place: "网格议事点"}}, Outcome: cases.NotReached})
	want(t, "record a mediation", err, "")
	if len(m.Parties) != 2 || m.Parties[1].Masked != "赵** 139****4321" {
		t.Fatalf("parties: %+v", m.Parties)
	}
	for _, who := range []struct {
		name    string
		ctx     context.Context
		handles bool
		sees    bool
	}{
		{"the grid's worker", g.worker1, true, true}, {"the community", g.com1, true, true}, {"the sub-district", g.Admin, true, true},
		{"another grid's worker", g.worker2, false, true}, {"another community", g.com2, false, true}, {"a unit not routed to", g.unit, false, true},
		{"a member", g.member, false, false}, {"an outsider", g.outsider, false, false}, {"anonymous", g.anon, false, false},
	} {
		got, err := g.Store.CasesByID(who.ctx, []string{id})
		g.Must(err)
		c, seen := got[id]
		if seen != who.sees {
			t.Errorf("%s sees the case: %v", who.name, seen)
			continue
		}
		if !seen {
			continue
		}
		if (c.Reporter != nil) != who.handles || c.ReporterMasked != "王** 138****5678" {
			t.Errorf("%s: reporter %+v masked %q", who.name, c.Reporter, c.ReporterMasked)
		}
		if who.handles && (c.Reporter.Name != "王小明" || c.Reporter.Phone != "13812345678") {
			t.Errorf("%s: reporter %+v", who.name, c.Reporter)
		}
		ms, err := g.Store.CaseMediations(who.ctx, []string{id})
		g.Must(err)
		for _, p := range ms[id][0].Parties {
			if (p.Contact != nil) != who.handles || p.Masked == "" {
				t.Errorf("%s: party %+v", who.name, p)
			}
		}
		// And the domain's rule agrees with the database's.
		if cases.Handles(viewerOf(who.ctx), c) != who.handles {
			t.Errorf("%s: cases.Handles disagrees", who.name)
		}
	}
	// Routed to the unit, the unit handles it and reads the contact.
	_, err = g.Cases.Route(g.worker1, id, g.Unit, "")
	want(t, "route", err, "")
	got, err := g.Store.CasesByID(g.unit, []string{id})
	g.Must(err)
	if got[id].Reporter == nil {
		t.Errorf("the unit the case is routed to does not see the reporter")
	}
	// The contacts are in the database, where only handlers read them.
	if n := g.Count(`SELECT count(*) FROM case_personal WHERE case_id = $1`, id); n != 3 {
		t.Errorf("%d personal rows, want 3 (reporter, two parties)", n)
	}
}

// TestMediationRules: who may record a mediation, the law firm's lawyer,
// and concluding one.
func TestMediationRules(t *testing.T) {
	t.Parallel()
	g := newGrids(t)
	id := g.mustReport(cases.GridPatrol)
	parties := []cases.NewParty{{Side: cases.Applicant, Name: "甲"}, {Side: cases.Respondent, Name: "乙"}}
	rec := func(ctx context.Context, m []cases.Mediator, o cases.Outcome, agreement string) (cases.Mediation, error) {
		return g.Cases.RecordMediation(ctx, cases.NewMediation{CaseID: id, Mediators: m, Parties: parties, Outcome: o, Agreement: agreement})
	}
	staff := []cases.Mediator{{Kind: cases.MediatorGridStaff, PersonID: &g.P1}}
	_, err := rec(g.worker1, staff, "", "")
	want(t, "mediate a case not yet accepted", err, problem.InvalidState)
	_, err = g.Cases.Accept(g.worker1, id, "")
	want(t, "accept", err, "")
	_, err = rec(g.worker2, staff, "", "")
	want(t, "mediate as another grid", err, problem.Forbidden)
	_, err = rec(g.worker1, staff, cases.AgreementReached, "")
	want(t, "agreement without its text", err, problem.Blank)
	_, err = rec(g.worker1, []cases.Mediator{{Kind: cases.MediatorLawyer, UnitID: &g.Unit, Name: "刘律师"}}, "", "")
	want(t, "a lawyer of a unit that is no law firm", err, problem.KindMismatch)
	law, err := g.Structure.CreateUnit(g.Admin, structureUnit(g.SD))
	g.Must(err)
	m, err := rec(g.worker1, []cases.Mediator{{Kind: cases.MediatorLawyer, UnitID: &law.ID, Name: "刘律师"}, staff[0]}, "", "")
	want(t, "a volunteer lawyer and the grid worker", err, "")
	if m.Outcome != cases.OutcomePending || len(m.Mediators) != 2 {
		t.Errorf("mediation: %+v", m)
	}
	_, err = g.Cases.UpdateMediation(g.worker2, cases.MediationUpdate{MediationID: m.ID, Session: &cases.Session{HeldAt: g.Now()}})
	want(t, "add a session as another grid", err, problem.Forbidden)
	out := cases.AgreementReached
	m, err = g.Cases.UpdateMediation(g.worker1, cases.MediationUpdate{MediationID: m.ID, Session: &cases.Session{HeldAt: g.Now(), Place: "社区调解室"},
		Outcome: &out, Agreement: "三楼负责维修，赔偿二楼500元"})
	want(t, "conclude", err, "")
	if m.Outcome != cases.AgreementReached || len(m.Sessions) != 1 || m.ConcludedAt == nil {
		t.Errorf("concluded: %+v", m)
	}
	_, err = g.Cases.UpdateMediation(g.worker1, cases.MediationUpdate{MediationID: m.ID, Session: &cases.Session{HeldAt: g.Now()}})
	want(t, "a session after the conclusion", err, problem.InvalidState)
	if n := g.Count(`SELECT count(*) FROM case_event WHERE case_id = $1 AND action = 'MEDIATION'`, id); n != 2 {
		t.Errorf("%d mediation steps on the trail, want 2", n)
	}
}

func viewerOf(ctx context.Context) access.Viewer { return access.From(ctx) }

func structureUnit(sd string) structure.NewUnit {
	return structure.NewUnit{SubdistrictID: sd, Name: "侯家塘律师事务所", Kind: structure.UnitKind("LAW_FIRM")}
}

func communityOf(sd string) structure.NewCommunity {
	return structure.NewCommunity{SubdistrictID: sd, Code: "oc", Name: "别处社区"}
}

func gridOf(community string) structure.NewGrid {
	return structure.NewGrid{CommunityID: community, Name: "别处网格"}
}
