package graph

import (
	"context"
	"time"

	"github.com/vikstrous/dataloadgen"

	"cogov/internal/access"
	"cogov/internal/account"
	"cogov/internal/store"
	"cogov/internal/structure"
)

// connLoader loads the pages of a structure list: by parent, filter and page.
type connLoader[T any] = fLoader[store.ListFilter, T]

// Loaders batch every relationship of one request.
type Loaders struct {
	store            *store.Store
	Subdistrict      *dataloadgen.Loader[string, structure.Subdistrict]
	Community        *dataloadgen.Loader[string, structure.Community]
	Grid             *dataloadgen.Loader[string, structure.Grid]
	Unit             *dataloadgen.Loader[string, structure.Unit]
	Committee        *dataloadgen.Loader[string, structure.Committee]
	Person           *dataloadgen.Loader[string, structure.Person]
	Membership       *dataloadgen.Loader[string, structure.Membership]
	Account          *dataloadgen.Loader[string, account.Account]
	Roles            *dataloadgen.Loader[string, []account.Role]
	WorkingCommittee *dataloadgen.Loader[string, structure.Committee]
	PartyCommittee   *dataloadgen.Loader[string, structure.Committee]
	GridCount        *dataloadgen.Loader[string, int]
	GridStaff        *dataloadgen.Loader[string, []structure.GridStaff]
	Communities      *fLoader[followFilter, structure.Community]
	Grids            *connLoader[structure.Grid]
	GridWorkers      *connLoader[structure.Person]
	SubdistrictUnit  *fLoader[unitFilter, structure.Unit]
	CommunityUnit    *fLoader[unitFilter, structure.Unit]
	Committees       *connLoader[structure.Committee]
	People           *connLoader[structure.Person]
	CommitteeSeats   *fLoader[followFilter, structure.Membership]
	PersonSeats      *fLoader[followFilter, structure.Membership]
	UnitSeats        *fLoader[followFilter, structure.Membership]
	Venues           *VenueLoaders   // venues and bookings (graph/booking.go)
	Meetings         *MeetingLoaders // joint meetings (graph/meetings.go)
	Lists            *ListLoaders    // the three lists and contributions (graph/lists.go)
	Cases            *CaseLoaders    // grid affairs (graph/cases.go)

	fetchPeople func(context.Context, []string) (map[string]structure.Person, error) // Person's fetch
}

// NewLoaders returns fresh loaders over s that wait up to wait to gather a batch.
func NewLoaders(s *store.Store, wait time.Duration) *Loaders {
	o := dataloadgen.WithWait(wait)
	l := &Loaders{fetchPeople: visible(s.PeopleByID, structure.CanSeePersonRecord)}
	units := func(byCommunity bool) func(context.Context, []string, unitFilter, store.Page) (map[string]*store.Conn[structure.Unit], error) {
		return func(ctx context.Context, parents []string, f unitFilter, p store.Page) (map[string]*store.Conn[structure.Unit], error) {
			return l.units(ctx, parents, byCommunity, f, p)
		}
	}
	seats := func(parent store.MembershipParent) func(context.Context, []string, followFilter, store.Page) (map[string]*store.Conn[structure.Membership], error) {
		return func(ctx context.Context, parents []string, f followFilter, p store.Page) (map[string]*store.Conn[structure.Membership], error) {
			m, err := s.Memberships(ctx, parent, parents, f.ListFilter, p)
			if err == nil && f.follow != 0 {
				l.followSeats(ctx, m, f.follow)
			}
			return m, err
		}
	}
	*l = Loaders{
		fetchPeople:      l.fetchPeople,
		store:            s,
		Subdistrict:      dataloadgen.NewMappedLoader(s.SubdistrictsByID, o),
		Community:        dataloadgen.NewMappedLoader(s.CommunitiesByID, o),
		Grid:             dataloadgen.NewMappedLoader(s.GridsByID, o),
		Unit:             dataloadgen.NewMappedLoader(s.UnitsByID, o),
		Committee:        dataloadgen.NewMappedLoader(s.CommitteesByID, o),
		Person:           dataloadgen.NewMappedLoader(l.fetchPeople, o),
		Membership:       dataloadgen.NewMappedLoader(visible(s.MembershipsByID, structure.CanSeeSeat), o),
		Account:          dataloadgen.NewMappedLoader(visible(s.AccountsByID, account.CanSee), o),
		Roles:            dataloadgen.NewMappedLoader(s.Roles, o),
		WorkingCommittee: dataloadgen.NewMappedLoader(s.WorkingCommittees, o),
		PartyCommittee:   dataloadgen.NewMappedLoader(s.PartyCommittees, o),
		GridCount:        dataloadgen.NewMappedLoader(s.GridCounts, o),
		GridStaff:        dataloadgen.NewMappedLoader(s.GridStaff, o),
		Communities: dataloadgen.NewMappedLoader(batchBy(func(ctx context.Context, ps []string, f followFilter, p store.Page) (map[string]*store.Conn[structure.Community], error) {
			m, err := s.Communities(ctx, ps, f.ListFilter, p)
			if err == nil && f.follow != 0 {
				l.followCommunities(ctx, m, f.follow)
			}
			return m, err
		}), o),
		Grids: dataloadgen.NewMappedLoader(batchBy(func(ctx context.Context, ps []string, _ store.ListFilter, p store.Page) (map[string]*store.Conn[structure.Grid], error) {
			return s.Grids(ctx, ps, p)
		}), o),
		GridWorkers: dataloadgen.NewMappedLoader(batchBy(func(ctx context.Context, ps []string, _ store.ListFilter, p store.Page) (map[string]*store.Conn[structure.Person], error) {
			return s.GridWorkers(ctx, ps, p)
		}), o),
		SubdistrictUnit: dataloadgen.NewMappedLoader(batchBy(units(false)), o),
		CommunityUnit:   dataloadgen.NewMappedLoader(batchBy(units(true)), o),
		Committees:      dataloadgen.NewMappedLoader(batchBy(s.Committees), o),
		People:          dataloadgen.NewMappedLoader(batchBy(s.PeopleOf), o),
		CommitteeSeats:  dataloadgen.NewMappedLoader(batchBy(seats(store.MembershipsOfCommittee)), o),
		PersonSeats:     dataloadgen.NewMappedLoader(batchBy(seats(store.MembershipsOfPerson)), o),
		UnitSeats:       dataloadgen.NewMappedLoader(batchBy(seats(store.MembershipsOfUnit)), o),
		Venues:          newVenueLoaders(s, o),
		Meetings:        newMeetingLoaders(s, o),
		Lists:           newListLoaders(s, o),
		Cases:           newCaseLoaders(s, o),
	}
	return l
}

type loadersKey struct{}

// For returns the request's loaders.
func For(ctx context.Context) *Loaders {
	return ctx.Value(loadersKey{}).(*Loaders)
}

// rolesOf returns the roles of an account the viewer may see; none otherwise.
func (l *Loaders) rolesOf(ctx context.Context, accountID string) ([]account.Role, error) {
	if _, err := l.Account.Load(ctx, accountID); err != nil {
		if isNotFound(err) {
			return []account.Role{}, nil
		}
		return nil, err
	}
	roles, err := l.Roles.Load(ctx, accountID)
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	if roles == nil {
		roles = []account.Role{}
	}
	return roles, nil
}

// visible filters what fetch returns down to the records the viewer may see.
func visible[T any](fetch func(context.Context, []string) (map[string]T, error), may func(access.Viewer, T) bool) func(context.Context, []string) (map[string]T, error) {
	return func(ctx context.Context, ids []string) (map[string]T, error) {
		m, err := fetch(ctx, ids)
		v := access.From(ctx)
		for id, x := range m {
			if !may(v, x) {
				delete(m, id)
			}
		}
		return m, err
	}
}

// shown is what visible does for one record a mutation returns: v when the
// viewer may see it, nil otherwise. (A payload does not reload its record
// through the loaders: their cache may hold it as it was before the change.)
func shown[T any](ctx context.Context, v *T, may func(access.Viewer, T) bool) *T {
	if v == nil || !may(access.From(ctx), *v) {
		return nil
	}
	return v
}
