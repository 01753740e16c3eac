package demo

import (
	"context"
	"errors"
	"fmt"

	"cogov/internal/access"
	"cogov/internal/account"
	"cogov/internal/problem"
	"cogov/internal/store"
	"cogov/internal/structure"
)

// Password is the password of every demo account.
const Password = "cogov-demo"

// LoadAccounts creates the demo accounts of ../shared/contract/README.md:
// street-admin (the sub-district's administrator), hnig-admin and
// water-admin (administrators of the two units that share the big venues)
// and community-1-admin … community-12-admin (administrators of each
// community's party committee), and member-demo, a part-time member of the
// working committee as a person. It does nothing when street-admin exists.
func LoadAccounts(ctx context.Context, st *store.Store, accounts *account.Service) error {
	if _, err := st.Credentials(ctx, "street-admin"); err == nil {
		return nil
	} else if !errors.Is(err, problem.ErrNotFound) {
		return err
	}
	sd, err := st.SubdistrictByCode(ctx, Code)
	if err != nil {
		return fmt.Errorf("demo sub-district: %w", err)
	}
	units, err := st.Units(ctx, []string{sd.ID}, false, store.ListFilter{}, store.Page{First: store.MaxPage})
	if err != nil {
		return err
	}
	unitID := map[string]string{}
	for _, u := range units[sd.ID].Items {
		unitID[u.Name] = u.ID
	}
	committees, err := st.Committees(ctx, []string{sd.ID}, store.ListFilter{Kind: string(structure.CommunityPartyCommittee)}, store.Page{First: store.MaxPage})
	if err != nil {
		return err
	}
	communityCommittee := map[string]string{} // community code → committee id
	for _, c := range committees[sd.ID].Items {
		com, err := st.Community(ctx, *c.CommunityID)
		if err != nil {
			return err
		}
		communityCommittee[com.Code] = c.ID
	}
	type grant struct {
		username string
		kind     access.RoleKind
		scope    string
	}
	grants := []grant{{"street-admin", access.SubdistrictAdmin, sd.ID}}
	for _, u := range Units {
		switch u.Key {
		case "hnig":
			grants = append(grants, grant{"hnig-admin", access.UnitAdmin, unitID[u.Name]})
		case "water":
			grants = append(grants, grant{"water-admin", access.UnitAdmin, unitID[u.Name]})
		}
	}
	for i, c := range Communities {
		grants = append(grants, grant{fmt.Sprintf("community-%d-admin", i+1), access.CommitteeAdmin, communityCommittee[c.Code]})
	}
	// member-demo is the working committee's first part-time member as a
	// person: a MEMBER sees their own seats and answers their own invitations.
	wc, err := st.WorkingCommittees(ctx, []string{sd.ID})
	if err != nil {
		return err
	}
	seats, err := st.Memberships(ctx, store.MembershipsOfCommittee, []string{wc[sd.ID].ID}, store.ListFilter{PartTime: store.OnlyTrue}, store.Page{First: 1})
	if err != nil {
		return err
	}
	member := ""
	if c := seats[wc[sd.ID].ID]; c != nil && len(c.Items) > 0 {
		member = c.Items[0].PersonID
	}
	grants = append(grants, grant{"member-demo", access.Member, member})
	return st.InTx(ctx, func(ctx context.Context) error {
		for _, g := range grants {
			if g.scope == "" {
				return fmt.Errorf("demo account %s: scope not found", g.username)
			}
			in := account.NewAccount{Username: g.username, Password: Password, SubdistrictID: &sd.ID, Demo: true}
			if g.kind == access.Member {
				in.PersonID = &g.scope
			}
			a, err := accounts.CreateAccount(ctx, in)
			if err != nil {
				return fmt.Errorf("demo account %s: %w", g.username, err)
			}
			if _, err := accounts.GrantRole(ctx, a.ID, g.kind, &g.scope); err != nil {
				return fmt.Errorf("demo role of %s: %w", g.username, err)
			}
		}
		for _, g := range grants {
			if g.username == "hnig-admin" {
				return loadDaily(ctx, st, g.scope, communityCommittee)
			}
		}
		return nil
	})
}
