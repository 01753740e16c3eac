package lists_test

import (
	"strings"
	"testing"

	"cogov/internal/lists"
	"cogov/internal/problem"
	"cogov/internal/structure"
	"cogov/internal/testworld"
)

var want = testworld.WantFirst

// TestListRules covers the rules and transitions of needs, offers and projects.
func TestListRules(t *testing.T) {
	t.Parallel()
	tw := testworld.NewTown(t)
	sys, svc := tw.Sys, tw.Lists
	venue := tw.Venue()
	_, err := svc.PostNeed(sys, lists.NewNeed{CommitteeID: tw.PC, Title: "", Category: lists.Other})
	want(t, "blank need", err, problem.Blank)
	_, err = svc.PostNeed(sys, lists.NewNeed{CommitteeID: tw.PC, Title: "x", Category: lists.Other, PeopleAffected: ptr(-1)})
	want(t, "negative people", err, problem.InvalidInput)
	_, err = svc.PostNeed(sys, lists.NewNeed{CommitteeID: tw.Unit, Title: "x", Category: lists.Other})
	want(t, "need of no committee", err, problem.NotFound)

	// Status by hand.
	need := tw.Need()
	setStatus := func(status lists.NeedStatus) error {
		_, err := svc.SetNeedStatus(sys, need, status, "")
		return err
	}
	want(t, "OPEN → MATCHED by hand", setStatus(lists.NeedMatched), problem.InvalidState)
	want(t, "OPEN → CLOSED", setStatus(lists.NeedClosed), "")
	want(t, "CLOSED → MET", setStatus(lists.NeedMet), problem.InvalidState)
	want(t, "CLOSED → OPEN", setStatus(lists.NeedOpen), "")
	want(t, "OPEN → MET", setStatus(lists.NeedMet), "")
	want(t, "MET → OPEN", setStatus(lists.NeedOpen), problem.InvalidState)
	_, err = svc.Escalate(sys, need, "", nil)
	want(t, "escalate a met need", err, problem.InvalidState)

	// Escalation: community → sub-district onto a meeting's agenda, then no higher.
	mt, _ := tw.Meeting()
	up := tw.Need()
	n, err := svc.Escalate(sys, up, "社区无法解决", &mt)
	want(t, "escalate onto an agenda", err, "")
	if n.Level != lists.LevelSubdistrict {
		t.Errorf("level %v", n.Level)
	}
	if tw.Count(`SELECT count(*) FROM agenda_item WHERE meeting_id = $1 AND need_id = $2`, mt, up) != 1 {
		t.Errorf("the escalated need is not on the agenda")
	}
	if n := tw.Count(`SELECT count(*) FROM need_escalation WHERE need_id = $1 AND from_level = 'COMMUNITY' AND to_level = 'SUBDISTRICT'`, up); n != 1 {
		t.Errorf("the escalation trail has %d rows", n)
	}
	_, err = svc.Escalate(sys, up, "", nil)
	want(t, "escalate past the top", err, problem.InvalidState)
	// A grid-level need goes to the community first, and not onto an agenda.
	grid, err := tw.Structure.CreateGrid(sys, structure.NewGrid{CommunityID: tw.C1, Name: "规则网格"})
	tw.Must(err)
	gn, err := svc.PostNeed(sys, lists.NewNeed{CommitteeID: tw.PC, GridID: &grid.ID, Title: "路灯坏了", Category: lists.Safety})
	want(t, "grid need", err, "")
	_, err = svc.Escalate(sys, gn.ID, "", &mt)
	want(t, "grid need onto an agenda", err, problem.InvalidInput)
	if n, err := svc.Escalate(sys, gn.ID, "", nil); err != nil || n.Level != lists.LevelCommunity {
		t.Errorf("grid need escalated to %+v (%v)", n, err)
	}
	otherGrid, err := tw.Structure.CreateGrid(sys, structure.NewGrid{CommunityID: tw.C2, Name: "别的网格"})
	tw.Must(err)
	_, err = svc.PostNeed(sys, lists.NewNeed{CommitteeID: tw.PC, GridID: &otherGrid.ID, Title: "x", Category: lists.Safety})
	want(t, "grid of another community", err, problem.InvalidInput)

	// Offers: only the unit's own venues; withdrawn once.
	other, err := tw.Structure.CreateUnit(sys, structure.NewUnit{SubdistrictID: tw.SD, Name: "别的单位", Kind: structure.UnitOther})
	tw.Must(err)
	_, err = svc.PostOffer(sys, lists.NewOffer{UnitID: other.ID, Title: "x", Category: lists.Venue, VenueID: &venue})
	want(t, "another unit's venue", err, problem.Forbidden)
	_, err = svc.PostOffer(sys, lists.NewOffer{UnitID: tw.OtherUnit, Title: "x", Category: lists.Other,
		AvailableFrom: ptr(testworld.Day("2025-02-01")), AvailableTo: ptr(testworld.Day("2025-01-01"))})
	want(t, "period ends before it starts", err, problem.InvalidInput)
	offer := tw.Offer()
	_, err = svc.WithdrawOffer(sys, offer)
	want(t, "withdraw", err, "")
	_, err = svc.WithdrawOffer(sys, offer)
	want(t, "withdraw twice", err, problem.InvalidState)

	// Projects.
	launch := func(title string, needs, offers []string, unit, committee *string) (lists.Project, error) {
		return svc.LaunchProject(sys, lists.NewProject{Title: title, NeedIDs: needs, OfferIDs: offers, OwnerUnitID: unit, OwnerCommitteeID: committee})
	}
	_, err = launch("x", []string{}, nil, &tw.Unit, nil)
	want(t, "no need", err, problem.InvalidInput)
	_, err = launch("x", []string{tw.Need()}, nil, &tw.P1, nil)
	want(t, "owner is a person", err, problem.NotFound)
	_, err = launch("x", []string{need}, nil, &tw.Unit, nil)
	want(t, "a met need", err, problem.InvalidState)
	_, err = launch("x", []string{tw.Need()}, []string{offer}, &tw.Unit, nil)
	want(t, "a withdrawn offer", err, problem.InvalidState)
	shared := tw.Need()
	p1, err := launch("甲", []string{shared}, nil, nil, &tw.PC)
	tw.Must(err)
	p2, err := launch("乙", []string{shared}, nil, &tw.Unit, nil)
	tw.Must(err)
	status := func() (s string) {
		tw.SysRow(`SELECT status FROM need WHERE id = $1`, shared).Scan(&s)
		return s
	}
	if s := status(); s != "MATCHED" {
		t.Errorf("after launch the need is %s", s)
	}
	_, err = svc.ReportProgress(sys, p1.ID, 101, "")
	want(t, "percent over 100", err, problem.InvalidInput)
	_, err = svc.Drop(sys, p1.ID, " ")
	want(t, "drop without reason", err, problem.Blank)
	_, err = svc.Drop(sys, p1.ID, "合并")
	want(t, "drop", err, "")
	if s := status(); s != "MATCHED" {
		t.Errorf("another active project serves the need, yet it is %s", s)
	}
	_, err = svc.ReportProgress(sys, p1.ID, 10, "")
	want(t, "report on a dropped project", err, problem.InvalidState)
	_, err = svc.Complete(sys, p2.ID, "")
	want(t, "complete", err, "")
	if s := status(); s != "MET" {
		t.Errorf("after completion the need is %s", s)
	}
	_, err = svc.Complete(sys, p2.ID, "")
	want(t, "complete twice", err, problem.InvalidState)
	// Dropping the only project returns its need to the list.
	lone := tw.Need()
	p3, err := launch("丙", []string{lone}, nil, &tw.Unit, nil)
	tw.Must(err)
	_, err = svc.Drop(sys, p3.ID, "条件不具备")
	tw.Must(err)
	var s string
	tw.SysRow(`SELECT status FROM need WHERE id = $1`, lone).Scan(&s)
	if s != "OPEN" {
		t.Errorf("after dropping its only project the need is %s", s)
	}
	// A title too long is a problem to show, not a database error.
	_, err = launch(strings.Repeat("长", 300), []string{lone}, nil, &tw.Unit, nil)
	if codes := testworld.Codes(err); len(codes) == 0 {
		t.Errorf("long title: %v, want INVALID_INPUT", err)
	}
	for _, c := range testworld.Codes(err) {
		if c != problem.InvalidInput {
			t.Errorf("long title: %s", c)
		}
	}
}

func ptr[T any](v T) *T { return &v }
