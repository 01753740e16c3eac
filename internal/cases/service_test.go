package cases_test

import (
	"context"
	"testing"
	"time"

	"cogov/internal/access"
	"cogov/internal/cases"
	"cogov/internal/meeting"
	"cogov/internal/problem"
	"cogov/internal/store"
	"cogov/internal/structure"
	"cogov/internal/testworld"
)

var want = testworld.WantFirst

var _ cases.Store = (*store.Store)(nil)

// grids is a Town with a grid in each of its two communities, the second
// community's party committee, and a viewer of each kind that matters to
// grid cases.
type grids struct {
	*testworld.Town
	G1, G2, PC2, NeighbourCat, OtherCat string
	worker1, worker2                    context.Context // grid staff of G1, G2
	com1, com2                          context.Context // administrators of C1's and C2's party committees
	unit, member, outsider, anon        context.Context
}

func newGrids(t *testing.T) *grids {
	t.Helper()
	tw := testworld.NewTown(t)
	g := &grids{Town: tw}
	s := tw.Structure
	g1, err := s.CreateGrid(tw.Admin, structure.NewGrid{CommunityID: tw.C1, Name: "一网格"})
	tw.Must(err)
	g2, err := s.CreateGrid(tw.Admin, structure.NewGrid{CommunityID: tw.C2, Name: "二网格"})
	tw.Must(err)
	pc2, err := s.CreateCommittee(tw.Admin, structure.NewCommittee{SubdistrictID: tw.SD, Kind: structure.CommunityPartyCommittee, CommunityID: &tw.C2, Name: "二社区大党委"})
	tw.Must(err)
	g.G1, g.G2, g.PC2 = g1.ID, g2.ID, pc2.ID
	tw.SysRow(`SELECT id FROM case_category WHERE subdistrict_id = $1 AND code = 'NEIGHBOUR_DISPUTE'`, tw.SD).Scan(&g.NeighbourCat)
	tw.SysRow(`SELECT id FROM case_category WHERE subdistrict_id = $1 AND code = 'OTHER'`, tw.SD).Scan(&g.OtherCat)
	g.worker1 = tw.Viewer(access.GridWorker, g.G1, tw.SD)
	g.worker2 = tw.Viewer(access.GridWorker, g.G2, tw.SD)
	g.com1 = tw.CommitteeAdmin(tw.PC, tw.SD)
	g.com2 = tw.CommitteeAdmin(g.PC2, tw.SD)
	g.unit = tw.UnitAdmin(tw.Unit, tw.SD)
	g.member = tw.Member(tw.P1, tw.SD)
	g.outsider = tw.Outsider()
	g.anon = testworld.Anonymous()
	return g
}

func (g *grids) report(ctx context.Context, source cases.Source) (cases.Case, error) {
	return g.Cases.Report(ctx, cases.NewCase{GridID: g.G1, Source: source, CategoryID: g.NeighbourCat, Title: "楼上漏水纠纷",
		Description: "三楼漏水到二楼，双方争执", Address: "一网格3栋", Reporter: &cases.Personal{Name: "王小明", Phone: "13812345678"}})
}

func (g *grids) mustReport(source cases.Source) string {
	g.T.Helper()
	c, err := g.report(g.worker1, source)
	g.Must(err)
	return c.ID
}

// TestTransitions runs every step of the lifecycle as who may and who may
// not take it, in the order a case goes through them.
func TestTransitions(t *testing.T) {
	t.Parallel()
	g := newGrids(t)
	svc := g.Cases

	for _, who := range []struct {
		name string
		ctx  context.Context
		code problem.Code
	}{{"worker of another grid", g.worker2, problem.Forbidden}, {"other community", g.com2, problem.Forbidden},
		{"unit admin", g.unit, problem.Forbidden}, {"member", g.member, problem.NotFound}, {"outsider", g.outsider, problem.NotFound},
		{"anonymous", g.anon, problem.NotFound}} {
		_, err := g.report(who.ctx, cases.GridPatrol)
		want(t, "report as "+who.name, err, who.code)
	}
	_, err := svc.Report(g.worker1, cases.NewCase{GridID: g.G1, Source: "FAX", CategoryID: g.NeighbourCat, Title: "x"})
	want(t, "unknown source", err, problem.InvalidInput)
	_, err = svc.Report(g.worker1, cases.NewCase{GridID: g.G1, Source: cases.GridPatrol, CategoryID: g.NeighbourCat, Title: "x",
		Photos: []string{"file:///etc/passwd"}})
	want(t, "a photo that is no stored file", err, problem.InvalidInput)
	c, err := g.report(g.com1, cases.ResidentReport)
	want(t, "report as the community", err, "")
	if c.Status != cases.Reported || c.Level != cases.LevelGrid || c.ReporterMasked != "王** 138****5678" {
		t.Errorf("reported: %+v", c)
	}

	id := g.mustReport(cases.GridPatrol)
	type step struct {
		name    string
		ctx     context.Context
		do      func(ctx context.Context) (cases.Case, error)
		code    problem.Code
		status  cases.Status
		level   cases.Level
		routedT bool
	}
	accept := func(ctx context.Context) (cases.Case, error) { return svc.Accept(ctx, id, "") }
	start := func(ctx context.Context) (cases.Case, error) { return svc.Start(ctx, id, "") }
	escalate := func(ctx context.Context) (cases.Case, error) { return svc.Escalate(ctx, id, "网格无法解决", nil) }
	route := func(ctx context.Context) (cases.Case, error) { return svc.Route(ctx, id, g.Unit, "请物业处理") }
	acceptRouting := func(ctx context.Context) (cases.Case, error) { return svc.AcceptRouting(ctx, id, "") }
	resolve := func(ctx context.Context) (cases.Case, error) { return svc.Resolve(ctx, id, "已修复") }
	closeIt := func(ctx context.Context) (cases.Case, error) {
		return svc.Close(ctx, id, cases.Satisfied, "回访满意")
	}
	steps := []step{
		{"accept by another grid", g.worker2, accept, problem.Forbidden, "", "", false},
		{"accept by a unit", g.unit, accept, problem.Forbidden, "", "", false},
		{"start before accepting", g.worker1, start, problem.InvalidState, "", "", false},
		{"accept", g.worker1, accept, "", cases.Accepted, cases.LevelGrid, false},
		{"accept twice", g.worker1, accept, problem.InvalidState, "", "", false},
		{"start by another community", g.com2, start, problem.Forbidden, "", "", false},
		{"start", g.worker1, start, "", cases.InProgress, cases.LevelGrid, false},
		{"escalate by another grid", g.worker2, escalate, problem.Forbidden, "", "", false},
		{"escalate to the community", g.worker1, escalate, "", cases.Escalated, cases.LevelCommunity, false},
		{"the grid accepts at the community level", g.worker1, accept, problem.Forbidden, "", "", false},
		{"another community accepts", g.com2, accept, problem.Forbidden, "", "", false},
		{"the community accepts", g.com1, accept, "", cases.Accepted, cases.LevelCommunity, false},
		{"escalate to the sub-district", g.com1, escalate, "", cases.Escalated, cases.LevelSubdistrict, false},
		{"the community accepts at the sub-district level", g.com1, accept, problem.Forbidden, "", "", false},
		{"the sub-district accepts", g.Admin, accept, "", cases.Accepted, cases.LevelSubdistrict, false},
		{"escalate past the sub-district without a meeting", g.Admin, escalate, problem.InvalidState, "", "", false},
		{"route by the community", g.com1, route, problem.Forbidden, "", "", false},
		{"route to the unit", g.Admin, route, "", cases.Routed, cases.LevelSubdistrict, true},
		{"resolve while routed", g.Admin, resolve, problem.InvalidState, "", "", false},
		{"another unit accepts the routing", g.worker1, acceptRouting, problem.Forbidden, "", "", false},
		{"the unit accepts the routing", g.unit, acceptRouting, "", cases.InProgress, cases.LevelSubdistrict, true},
		{"close before resolving", g.worker1, closeIt, problem.InvalidState, "", "", false},
		{"the unit resolves", g.unit, resolve, "", cases.Resolved, cases.LevelSubdistrict, true},
		{"the unit visits", g.unit, closeIt, problem.Forbidden, "", "", false},
		{"the grid visits and closes", g.worker1, closeIt, "", cases.Closed, cases.LevelSubdistrict, true},
		{"close twice", g.worker1, closeIt, problem.InvalidState, "", "", false},
	}
	for _, s := range steps {
		got, err := s.do(s.ctx)
		want(t, s.name, err, s.code)
		if s.code == "" && (got.Status != s.status || got.Level != s.level || (got.RoutedUnitID != nil) != s.routedT) {
			t.Errorf("%s: status %s level %s routed %v", s.name, got.Status, got.Level, got.RoutedUnitID)
		}
	}
	final := g.get(id)
	if final.SettledLevel == nil || *final.SettledLevel != cases.LevelSubdistrict || final.SettledUnitID == nil || *final.SettledUnitID != g.Unit ||
		final.Satisfaction == nil || *final.Satisfaction != cases.Satisfied || final.FirstAcceptedAt == nil {
		t.Errorf("closed case: %+v", final)
	}
	// Every successful step is on the trail, with who and the note.
	if n := g.Count(`SELECT count(*) FROM case_event WHERE case_id = $1`, id); n != 11 {
		t.Errorf("%d steps on the trail, want 11", n)
	}
	if n := g.Count(`SELECT count(*) FROM case_event WHERE case_id = $1 AND action = 'ESCALATE' AND note = '网格无法解决' AND actor_id IS NOT NULL
		AND from_level = 'GRID' AND to_level = 'COMMUNITY'`, id); n != 1 {
		t.Errorf("the escalation step: %d", n)
	}

	// Handing back: the routed case returns, accepted, to the level that routed it.
	back := g.mustReport(cases.GridPatrol)
	_, err = svc.Accept(g.worker1, back, "")
	want(t, "accept", err, "")
	_, err = svc.Route(g.worker1, back, g.OtherUnit, "")
	want(t, "route to a unit of another sub-district", err, problem.NotFound)
	_, err = svc.Route(g.worker1, back, g.Unit, "")
	want(t, "the grid routes", err, "")
	_, err = svc.HandBack(g.unit, back, "")
	want(t, "hand back without a reason", err, problem.Blank)
	hb, err := svc.HandBack(g.unit, back, "不属于本单位职责")
	want(t, "hand back", err, "")
	if hb.Status != cases.Accepted || hb.RoutedUnitID != nil || hb.Level != cases.LevelGrid {
		t.Errorf("handed back: %+v", hb)
	}
	_, err = svc.HandBack(g.unit, back, "again")
	want(t, "hand back a case no longer routed", err, problem.Forbidden)
	r, err := svc.Resolve(g.worker1, back, "网格员现场协调解决")
	want(t, "the grid resolves", err, "")
	if *r.SettledLevel != cases.LevelGrid || r.SettledUnitID != nil {
		t.Errorf("settled: %v %v", r.SettledLevel, r.SettledUnitID)
	}

	// Returning to the police: only a 110 case.
	_, err = svc.Return(g.worker1, g.mustReport(cases.GridPatrol), "治安案件")
	want(t, "return a patrol case", err, cases.NotDiverted)
	ret := g.mustReport(cases.Diversion110)
	_, err = svc.Return(g.worker2, ret, "治安案件")
	want(t, "return by another grid", err, problem.Forbidden)
	rc, err := svc.Return(g.worker1, ret, "涉嫌治安案件，退回公安")
	want(t, "return a 110 case", err, "")
	if rc.Status != cases.Returned || rc.ReturnReason != "涉嫌治安案件，退回公安" {
		t.Errorf("returned: %+v", rc)
	}
	_, err = svc.Accept(g.worker1, ret, "")
	want(t, "accept a returned case", err, problem.InvalidState)
}

func (g *grids) get(id string) cases.Case {
	g.T.Helper()
	m, err := g.Store.CasesByID(g.Sys, []string{id})
	g.Must(err)
	return m[id]
}

// TestEscalateOntoAgenda: from the community a case goes onto a planned
// joint meeting's agenda, as an agenda item that takes it up; the grid
// cannot put it there directly.
func TestEscalateOntoAgenda(t *testing.T) {
	t.Parallel()
	g := newGrids(t)
	svc := g.Cases
	id := g.mustReport(cases.GridPatrol)
	_, err := svc.Accept(g.worker1, id, "")
	want(t, "accept", err, "")
	start := g.Now().Add(72 * time.Hour).Truncate(time.Hour)
	ms, err := g.Meetings.ScheduleJointMeeting(g.Sys, meetingSchedule(g.PC, start))
	g.Must(err)
	mt := ms[0].ID
	_, err = svc.Escalate(g.worker1, id, "提交会议", &mt)
	want(t, "from the grid onto an agenda", err, problem.InvalidInput)
	_, err = svc.Escalate(g.worker1, id, "", nil)
	want(t, "escalate without a note", err, problem.Blank)
	_, err = svc.Escalate(g.worker1, id, "网格调解不成", nil)
	want(t, "to the community", err, "")
	_, err = svc.Accept(g.com1, id, "")
	want(t, "the community accepts", err, "")
	_, err = svc.Escalate(g.com2, id, "提交会议", &mt)
	want(t, "another community onto the agenda", err, problem.Forbidden)
	c, err := svc.Escalate(g.com1, id, "提请联席会议协商", &mt)
	want(t, "onto the agenda", err, "")
	if c.Level != cases.LevelJointMeeting || c.Status != cases.Escalated || c.MeetingID == nil || *c.MeetingID != mt {
		t.Errorf("escalated: %+v", c)
	}
	if n := g.Count(`SELECT count(*) FROM agenda_item WHERE meeting_id = $1 AND case_id = $2`, mt, id); n != 1 {
		t.Errorf("%d agenda items take up the case", n)
	}
	// At the joint meeting the sub-district acts.
	_, err = svc.Accept(g.com1, id, "")
	want(t, "the community accepts at the meeting", err, problem.Forbidden)
	_, err = svc.Accept(g.Admin, id, "会议受理")
	want(t, "the sub-district accepts", err, "")
}

func meetingSchedule(committee string, start time.Time) meeting.Schedule {
	return meeting.Schedule{ConvenerIDs: []string{committee}, Title: "社区大党委联席会议", Start: start, End: start.Add(2 * time.Hour)}
}
