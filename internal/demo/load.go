package demo

import (
	"context"
	"fmt"
	"time"

	"cogov/internal/clock"
	"cogov/internal/store"
	"cogov/internal/structure"
)

// Code is the demo sub-district's code.
const Code = "houjiatang"

// term bounds the demo committees' current five-year term: it began on
// 1 January two years before now and ends on 31 December two years after.
func term(now time.Time) (start, end time.Time) {
	y := now.Year()
	return time.Date(y-2, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y+2, 12, 31, 0, 0, 0, 0, time.UTC)
}

// Load writes the demo data set through the domain services, in one
// transaction, into a database that holds no sub-district yet, with its days
// placed for the time now tells (see Plan). It reports whether it loaded
// anything: a database with data is left as it is.
func Load(ctx context.Context, st *store.Store, now clock.Clock) (bool, error) {
	existing, err := st.Subdistricts(ctx, store.Page{First: 1})
	if err != nil {
		return false, err
	}
	if existing.Total > 0 {
		return false, nil
	}
	plan, err := NewPlan(now())
	if err != nil {
		return false, err
	}
	err = st.InTx(ctx, func(ctx context.Context) error { return load(ctx, st, now, plan) })
	return err == nil, err
}

func load(ctx context.Context, st *store.Store, now clock.Clock, plan Plan) error {
	svc := structure.NewService(st, now)
	termStart, termEnd := term(plan.Now.In(plan.Location))
	area, pop := 1.78, 100000
	sd, err := svc.CreateSubdistrict(ctx, structure.NewSubdistrict{Code: Code, Name: "侯家塘街道", TimeZone: TimeZone,
		AreaKm2: &area, ResidentPopulation: &pop, Demo: true})
	if err != nil {
		return fmt.Errorf("sub-district: %w", err)
	}
	communities := make([]structure.Community, len(Communities))
	for i, c := range Communities {
		if communities[i], err = svc.CreateCommunity(ctx, structure.NewCommunity{SubdistrictID: sd.ID, Code: c.Code, Name: c.Name, Demo: true}); err != nil {
			return fmt.Errorf("community %s: %w", c.Name, err)
		}
	}
	units := map[string]structure.Unit{}
	for _, u := range Units {
		in := structure.NewUnit{SubdistrictID: sd.ID, Name: u.Name, Kind: structure.UnitKind(u.Kind), Address: u.Address, Demo: true}
		if u.CommunityIndex >= 0 {
			in.CommunityID = &communities[u.CommunityIndex].ID
		}
		if units[u.Key], err = svc.CreateUnit(ctx, in); err != nil {
			return fmt.Errorf("unit %s: %w", u.Name, err)
		}
	}
	person := func(name string) (string, error) {
		p, err := svc.CreatePerson(ctx, structure.NewPerson{SubdistrictID: sd.ID, Name: name, Demo: true})
		if err != nil {
			return "", fmt.Errorf("person %s: %w", name, err)
		}
		return p.ID, nil
	}
	seat := func(committee structure.Committee, m Member) error {
		pid, err := person(m.Person)
		if err != nil {
			return err
		}
		in := structure.NewMembership{CommitteeID: committee.ID, PersonID: pid, Role: structure.Role(m.Role), Title: m.Title,
			TermStart: termStart, TermEnd: &termEnd, Demo: true}
		if m.Role == rolePartTime {
			u := units[m.UnitKey]
			in.Role, in.PartTime, in.UnitID = structure.RoleMember, true, &u.ID
		}
		if _, err := svc.CreateMembership(ctx, in); err != nil {
			return fmt.Errorf("seat of %s on %s: %w", m.Person, committee.Name, err)
		}
		return nil
	}
	wc, err := svc.CreateCommittee(ctx, structure.NewCommittee{SubdistrictID: sd.ID, Kind: structure.WorkingCommittee,
		Name: "侯家塘街道大工委", Demo: true})
	if err != nil {
		return fmt.Errorf("working committee: %w", err)
	}
	for _, m := range WorkingCommittee {
		if err := seat(wc, m); err != nil {
			return err
		}
	}
	parties := make([]structure.Committee, len(Communities))
	for i, c := range Communities {
		pc, err := svc.CreateCommittee(ctx, structure.NewCommittee{SubdistrictID: sd.ID, Kind: structure.CommunityPartyCommittee,
			CommunityID: &communities[i].ID, Name: c.Name + "大党委", Demo: true})
		if err != nil {
			return fmt.Errorf("party committee of %s: %w", c.Name, err)
		}
		parties[i] = pc
		for _, m := range c.Committee {
			if err := seat(pc, m); err != nil {
				return err
			}
		}
		for _, g := range c.Grids {
			head, err := person(g.Head)
			if err != nil {
				return err
			}
			deputies, err := people(person, g.Deputies)
			if err != nil {
				return err
			}
			workers, err := people(person, g.Workers)
			if err != nil {
				return err
			}
			if _, err := svc.CreateGrid(ctx, structure.NewGrid{CommunityID: communities[i].ID, Name: g.Name, Demo: true,
				Staff: structure.StaffChanges{HeadID: &head, DeputyHeadIDs: &deputies, WorkerIDs: &workers}}); err != nil {
				return fmt.Errorf("grid %s of %s: %w", g.Name, c.Name, err)
			}
		}
	}
	venues, err := loadVenues(ctx, st, now, plan, sd, communities, units, parties)
	if err != nil {
		return err
	}
	if err := loadMeetings(ctx, st, now, plan, wc, units, parties, venues); err != nil {
		return err
	}
	return loadCases(ctx, st, now, plan, sd, units, parties)
}

func people(person func(string) (string, error), names []string) ([]string, error) {
	ids := make([]string, len(names))
	for i, n := range names {
		id, err := person(n)
		if err != nil {
			return nil, err
		}
		ids[i] = id
	}
	return ids, nil
}
