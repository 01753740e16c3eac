package structure_test

import (
	"context"
	"testing"
	"time"

	"cogov/internal/problem"
	"cogov/internal/structure"
	"cogov/internal/testworld"
)

var day = testworld.Day

func ptr[T any](v T) *T { return &v }

// missing is an id that names nothing.
const missing = "00000000-0000-0000-0000-000000000000"

// TestStructureBadInput breaks each change's rules: each refusal carries the
// expected problem and nothing is written (the audit log does not grow).
func TestStructureBadInput(t *testing.T) {
	t.Parallel()
	tw := testworld.NewTown(t)
	s, a, sys := tw.Structure, tw.Admin, tw.Sys
	seat, err := s.CreateMembership(a, structure.NewMembership{CommitteeID: tw.WC, PersonID: tw.P1, Role: structure.RoleSecretary,
		TermStart: day("2024-01-01"), TermEnd: ptr(day("2028-12-31"))})
	tw.Must(err)
	grid, err := s.CreateGrid(a, structure.NewGrid{CommunityID: tw.C1, Name: "第一网格"})
	tw.Must(err)
	outsider, anonymous := tw.Outsider(), testworld.Anonymous()
	member := func(in structure.NewMembership) func(context.Context) error {
		return func(ctx context.Context) error { _, err := s.CreateMembership(ctx, in); return err }
	}
	cases := []struct {
		name string
		as   context.Context
		call func(context.Context) error
		code problem.Code
	}{
		{"subdistrict by non-platform admin", a, func(ctx context.Context) error {
			_, err := s.CreateSubdistrict(ctx, structure.NewSubdistrict{Code: "x2", Name: "X", TimeZone: "Asia/Shanghai"})
			return err
		}, problem.Forbidden},
		{"subdistrict bad code", sys, func(ctx context.Context) error {
			_, err := s.CreateSubdistrict(ctx, structure.NewSubdistrict{Code: "Bad Code", Name: "X", TimeZone: "Asia/Shanghai"})
			return err
		}, problem.InvalidInput},
		{"subdistrict blank name", sys, func(ctx context.Context) error {
			_, err := s.CreateSubdistrict(ctx, structure.NewSubdistrict{Code: "x3", Name: "  ", TimeZone: "Asia/Shanghai"})
			return err
		}, problem.Blank},
		{"subdistrict bad zone", sys, func(ctx context.Context) error {
			_, err := s.CreateSubdistrict(ctx, structure.NewSubdistrict{Code: "x4", Name: "X", TimeZone: "Mars/Olympus"})
			return err
		}, problem.InvalidInput},
		{"subdistrict duplicate code", sys, func(ctx context.Context) error {
			_, err := s.CreateSubdistrict(ctx, structure.NewSubdistrict{Code: "testsd", Name: "X", TimeZone: "Asia/Shanghai"})
			return err
		}, problem.AlreadyExists},
		{"subdistrict negative population", a, func(ctx context.Context) error {
			_, err := s.UpdateSubdistrict(ctx, tw.SD, structure.SubdistrictChanges{ResidentPopulation: ptr(-1)})
			return err
		}, problem.InvalidInput},
		{"subdistrict unknown", a, func(ctx context.Context) error {
			_, err := s.UpdateSubdistrict(ctx, missing, structure.SubdistrictChanges{Name: ptr("X")})
			return err
		}, problem.NotFound},
		{"community by outsider", outsider, func(ctx context.Context) error {
			_, err := s.CreateCommunity(ctx, structure.NewCommunity{SubdistrictID: tw.SD, Code: "c9", Name: "九社区"})
			return err
		}, problem.Forbidden},
		{"community by anonymous", anonymous, func(ctx context.Context) error {
			_, err := s.CreateCommunity(ctx, structure.NewCommunity{SubdistrictID: tw.SD, Code: "c9", Name: "九社区"})
			return err
		}, problem.Forbidden},
		{"community blank name", a, func(ctx context.Context) error {
			_, err := s.CreateCommunity(ctx, structure.NewCommunity{SubdistrictID: tw.SD, Code: "c9", Name: ""})
			return err
		}, problem.Blank},
		{"community duplicate name", a, func(ctx context.Context) error {
			_, err := s.CreateCommunity(ctx, structure.NewCommunity{SubdistrictID: tw.SD, Code: "c9", Name: "一社区"})
			return err
		}, problem.AlreadyExists},
		{"community unknown sub-district", a, func(ctx context.Context) error {
			_, err := s.CreateCommunity(ctx, structure.NewCommunity{SubdistrictID: missing, Code: "c9", Name: "九"})
			return err
		}, problem.NotFound},
		{"community rename blank", a, func(ctx context.Context) error {
			_, err := s.UpdateCommunity(ctx, tw.C1, structure.CommunityChanges{Name: ptr(" ")})
			return err
		}, problem.Blank},
		{"community rename clash", a, func(ctx context.Context) error {
			_, err := s.UpdateCommunity(ctx, tw.C1, structure.CommunityChanges{Name: ptr("二社区")})
			return err
		}, problem.AlreadyExists},
		{"grid duplicate", a, func(ctx context.Context) error {
			_, err := s.CreateGrid(ctx, structure.NewGrid{CommunityID: tw.C1, Name: "第一网格"})
			return err
		}, problem.AlreadyExists},
		{"grid staff twice", a, func(ctx context.Context) error {
			_, err := s.CreateGrid(ctx, structure.NewGrid{CommunityID: tw.C1, Name: "第二网格",
				Staff: structure.StaffChanges{HeadID: &tw.P1, WorkerIDs: &[]string{tw.P1}}})
			return err
		}, problem.InvalidInput},
		{"grid unknown person", a, func(ctx context.Context) error {
			_, err := s.UpdateGrid(ctx, grid.ID, structure.GridChanges{Staff: structure.StaffChanges{HeadID: &tw.Unit}})
			return err
		}, problem.NotFound},
		{"unit blank", a, func(ctx context.Context) error {
			_, err := s.CreateUnit(ctx, structure.NewUnit{SubdistrictID: tw.SD, Name: "", Kind: structure.UnitOther})
			return err
		}, problem.Blank},
		{"unit in other sub-district's community", a, func(ctx context.Context) error {
			_, err := s.UpdateUnit(ctx, tw.Unit, structure.UnitChanges{CommunityID: ptr(missing)})
			return err
		}, problem.NotFound},
		// Row-level security hides another sub-district's records from writes, so they are not found.
		{"unit of another sub-district", a, func(ctx context.Context) error {
			_, err := s.UpdateUnit(ctx, tw.OtherUnit, structure.UnitChanges{Name: ptr("改名")})
			return err
		}, problem.NotFound},
		{"working committee with a community", a, func(ctx context.Context) error {
			_, err := s.CreateCommittee(ctx, structure.NewCommittee{SubdistrictID: tw.SD, Kind: structure.WorkingCommittee, CommunityID: &tw.C1, Name: "另一大工委"})
			return err
		}, problem.KindMismatch},
		{"party committee without community", a, func(ctx context.Context) error {
			_, err := s.CreateCommittee(ctx, structure.NewCommittee{SubdistrictID: tw.SD, Kind: structure.CommunityPartyCommittee, Name: "无社区大党委"})
			return err
		}, problem.KindMismatch},
		{"second working committee", a, func(ctx context.Context) error {
			_, err := s.CreateCommittee(ctx, structure.NewCommittee{SubdistrictID: tw.SD, Kind: structure.WorkingCommittee, Name: "第二大工委"})
			return err
		}, problem.AlreadyExists},
		{"second party committee", a, func(ctx context.Context) error {
			_, err := s.CreateCommittee(ctx, structure.NewCommittee{SubdistrictID: tw.SD, Kind: structure.CommunityPartyCommittee, CommunityID: &tw.C1, Name: "又一大党委"})
			return err
		}, problem.AlreadyExists},
		{"committee rename blank", a, func(ctx context.Context) error {
			_, err := s.UpdateCommittee(ctx, tw.PC, ptr(""))
			return err
		}, problem.Blank},
		{"person blank", a, func(ctx context.Context) error {
			_, err := s.CreatePerson(ctx, structure.NewPerson{SubdistrictID: tw.SD, Name: "\t"})
			return err
		}, problem.Blank},
		{"person rename blank", a, func(ctx context.Context) error {
			_, err := s.UpdatePerson(ctx, tw.P1, ptr(""))
			return err
		}, problem.Blank},
		{"term reversed", a, member(structure.NewMembership{CommitteeID: tw.PC, PersonID: tw.P2, Role: structure.RoleMember,
			TermStart: day("2025-01-01"), TermEnd: ptr(day("2024-01-01"))}), problem.TermReversed},
		{"part-time without unit", a, member(structure.NewMembership{CommitteeID: tw.PC, PersonID: tw.P2, Role: structure.RoleMember,
			PartTime: true, TermStart: day("2025-01-01")}), problem.InvalidInput},
		{"full-time with unit", a, member(structure.NewMembership{CommitteeID: tw.PC, PersonID: tw.P2, Role: structure.RoleMember,
			UnitID: &tw.Unit, TermStart: day("2025-01-01")}), problem.InvalidInput},
		{"unit of another sub-district", a, member(structure.NewMembership{CommitteeID: tw.PC, PersonID: tw.P2, Role: structure.RoleMember,
			PartTime: true, UnitID: &tw.OtherUnit, TermStart: day("2025-01-01")}), problem.WrongSubdistrict},
		{"overlapping seat", a, member(structure.NewMembership{CommitteeID: tw.WC, PersonID: tw.P1, Role: structure.RoleMember,
			TermStart: day("2026-01-01")}), problem.OverlappingTerm},
		{"unknown committee", a, member(structure.NewMembership{CommitteeID: missing, PersonID: tw.P1, Role: structure.RoleMember,
			TermStart: day("2026-01-01")}), problem.NotFound},
		{"update reversed", a, func(ctx context.Context) error {
			_, err := s.UpdateMembership(ctx, seat.ID, structure.MembershipChanges{TermEnd: ptr(day("2023-01-01"))})
			return err
		}, problem.TermReversed},
		{"update unit of full-time", a, func(ctx context.Context) error {
			_, err := s.UpdateMembership(ctx, seat.ID, structure.MembershipChanges{UnitID: &tw.Unit})
			return err
		}, problem.InvalidInput},
		{"end before start", a, func(ctx context.Context) error {
			_, err := s.EndMembership(ctx, seat.ID, ptr(day("2023-12-31")))
			return err
		}, problem.TermReversed},
		{"end by outsider", outsider, func(ctx context.Context) error {
			_, err := s.EndMembership(ctx, seat.ID, nil)
			return err
		}, problem.NotFound},
		{"end unknown", a, func(ctx context.Context) error {
			_, err := s.EndMembership(ctx, missing, nil)
			return err
		}, problem.NotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := tw.AuditCount()
			err := c.call(c.as)
			if err == nil {
				t.Fatalf("succeeded, want %s", c.code)
			}
			testworld.WantCode(t, c.name, err, c.code)
			if after := tw.AuditCount(); after != before {
				t.Errorf("audit log grew from %d to %d rows: something was written", before, after)
			}
		})
	}
}

// TestStructureChanges makes the changes a sub-district's administrator
// makes and reads back what the store holds: grid staff replaced by role,
// a seat changed and ended (no longer current), a new seat after an ended
// one, renames.
func TestStructureChanges(t *testing.T) {
	t.Parallel()
	tw := testworld.NewTown(t)
	s, a := tw.Structure, tw.Admin

	// A grid with staff, then its staff replaced.
	staffOf := func(grid string) map[structure.GridStaffRole][]string {
		t.Helper()
		rows, err := tw.Store.GridStaff(a, []string{grid})
		tw.Must(err)
		out := map[structure.GridStaffRole][]string{}
		for _, r := range rows[grid] {
			out[r.Role] = append(out[r.Role], r.PersonID)
		}
		return out
	}
	g, err := s.CreateGrid(a, structure.NewGrid{CommunityID: tw.C1, Name: "第一网格",
		Staff: structure.StaffChanges{HeadID: &tw.P1, DeputyHeadIDs: &[]string{tw.P2}, WorkerIDs: &[]string{tw.P3}}})
	tw.Must(err)
	if st := staffOf(g.ID); len(st[structure.GridHead]) != 1 || st[structure.GridHead][0] != tw.P1 || len(st[structure.GridDeputyHead]) != 1 || len(st[structure.GridWorker]) != 1 {
		t.Errorf("grid staff = %v", st)
	}
	g, err = s.UpdateGrid(a, g.ID, structure.GridChanges{Name: ptr("一网格"),
		Staff: structure.StaffChanges{HeadID: &tw.P2, DeputyHeadIDs: &[]string{}, WorkerIDs: &[]string{tw.P1, tw.P3}}})
	tw.Must(err)
	if st := staffOf(g.ID); g.Name != "一网格" || len(st[structure.GridHead]) != 1 || st[structure.GridHead][0] != tw.P2 ||
		len(st[structure.GridDeputyHead]) != 0 || len(st[structure.GridWorker]) != 2 {
		t.Errorf("updated grid %q, staff %v", g.Name, st)
	}
	// Leaving a role out of the change keeps its holders.
	_, err = s.UpdateGrid(a, g.ID, structure.GridChanges{Staff: structure.StaffChanges{HeadID: &tw.P3, WorkerIDs: &[]string{tw.P1}}})
	tw.Must(err)
	if st := staffOf(g.ID); st[structure.GridHead][0] != tw.P3 || len(st[structure.GridWorker]) != 1 {
		t.Errorf("staff after a partial change = %v", st)
	}

	// Seats: a secretary, a part-time member for a unit, then changes and an end.
	_, err = s.CreateMembership(a, structure.NewMembership{CommitteeID: tw.WC, PersonID: tw.P1, Role: structure.RoleSecretary, TermStart: day("2024-01-01")})
	tw.Must(err)
	pt, err := s.CreateMembership(a, structure.NewMembership{CommitteeID: tw.WC, PersonID: tw.P2, Role: structure.RoleMember, PartTime: true,
		UnitID: &tw.Unit, Title: "局长", TermStart: day("2024-01-01")})
	tw.Must(err)
	if pt.SubdistrictID != tw.SD || pt.UnitID == nil || *pt.UnitID != tw.Unit {
		t.Errorf("part-time seat = %+v", pt)
	}
	m, err := s.UpdateMembership(a, pt.ID, structure.MembershipChanges{Role: ptr(structure.RoleDeputySecretary), Title: ptr("副局长"), TermEnd: ptr(day("2030-12-31"))})
	if err != nil || m.Role != structure.RoleDeputySecretary || m.Title != "副局长" || m.TermEnd == nil || !m.TermEnd.Equal(day("2030-12-31")) {
		t.Errorf("updated membership = %+v (%v)", m, err)
	}
	m, err = s.EndMembership(a, pt.ID, ptr(day("2024-06-30")))
	if err != nil || m.TermEnd == nil || !m.TermEnd.Equal(day("2024-06-30")) || m.Current {
		t.Errorf("ended membership = %+v (%v)", m, err)
	}
	// An ended term cannot be ended later again.
	_, err = s.EndMembership(a, pt.ID, nil)
	testworld.WantCode(t, "end an ended term", err, problem.InvalidState)
	// The same person may take a new seat after the old one ended.
	again, err := s.CreateMembership(a, structure.NewMembership{CommitteeID: tw.WC, PersonID: tw.P2, Role: structure.RoleMember, TermStart: day("2024-07-01")})
	if err != nil || !again.Current {
		t.Errorf("a new seat after the old one ended: %+v (%v)", again, err)
	}
	// Ending without a day ends the term today in the sub-district's time zone.
	today := structure.Today("Asia/Shanghai", tw.Now())
	m, err = s.EndMembership(a, again.ID, nil)
	if err != nil || m.TermEnd == nil || !m.TermEnd.Equal(today) {
		t.Errorf("ended today (%s): %+v (%v)", today.Format(time.DateOnly), m, err)
	}

	// Renames.
	sd, err := s.UpdateSubdistrict(a, tw.SD, structure.SubdistrictChanges{Name: ptr("新街道"), AreaKm2: ptr(2.5)})
	if err != nil || sd.Name != "新街道" || sd.AreaKm2 == nil || *sd.AreaKm2 != 2.5 {
		t.Errorf("sub-district = %+v (%v)", sd, err)
	}
	c2, err := s.UpdateCommunity(a, tw.C2, structure.CommunityChanges{Name: ptr("二号社区")})
	if err != nil || c2.Name != "二号社区" || c2.Code != "c2" {
		t.Errorf("community = %+v (%v)", c2, err)
	}
	u, err := s.UpdateUnit(a, tw.Unit, structure.UnitChanges{Address: ptr("某路1号"), CommunityID: &tw.C1})
	if err != nil || u.Address != "某路1号" || u.CommunityID == nil || *u.CommunityID != tw.C1 || u.Name != "省某局" {
		t.Errorf("unit = %+v (%v)", u, err)
	}
	pc, err := s.UpdateCommittee(a, tw.PC, ptr("一社区党委"))
	if err != nil || pc.Name != "一社区党委" {
		t.Errorf("committee = %+v (%v)", pc, err)
	}
	p3, err := s.UpdatePerson(a, tw.P3, ptr("王五五"))
	if err != nil || p3.Name != "王五五" {
		t.Errorf("person = %+v (%v)", p3, err)
	}
}
