package graph

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"cogov/graph/model"
	"cogov/internal/lists"
	"cogov/internal/store"
	"cogov/internal/structure"
)

// A page of records is often asked for together with a one-to-one relation
// of each record (a seat's person and unit, a community's party committee).
// Left to the resolvers, each relation waits for its loader to gather a
// batch — one more level of the query, one more loader wait and round trip.
// Instead the list's loader, told by the selection which relations will be
// asked for, loads them right after the page (in one round trip of the read
// session's pipeline) and primes their loaders, so the relations' resolvers
// find them there.

// follows are the relations a page's loader loads with it.
type follows uint8

const (
	followPerson follows = 1 << iota // Membership.person
	followUnit                       // Membership.unit
	followParty                      // Community.partyCommittee
)

// followFilter is the key filter of a loader that follows relations: the
// store's filter and the relations the selection asks for. Requests for the
// same page with different follows are batched apart, which costs nothing
// in practice: one query asks for a page with one selection.
type followFilter struct {
	store.ListFilter
	follow follows
}

// nodeFields returns the fields that the selection of the current
// connection field asks for on edges.node.
func nodeFields(ctx context.Context) []graphql.CollectedField {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return nil
	}
	oc := graphql.GetOperationContext(ctx)
	var out []graphql.CollectedField
	for _, e := range graphql.CollectFields(oc, fc.Field.Selections, nil) {
		if e.Name != "edges" {
			continue
		}
		for _, n := range graphql.CollectFields(oc, e.Selections, nil) {
			if n.Name != "node" {
				continue
			}
			out = append(out, graphql.CollectFields(oc, n.Selections, nil)...)
		}
	}
	return out
}

// nodeFollows returns the relations that the selection of the current
// connection field asks for on edges.node, out of those named.
func nodeFollows(ctx context.Context, named map[string]follows) follows {
	var out follows
	for _, f := range nodeFields(ctx) {
		out |= named[f.Name]
	}
	return out
}

// countOnly reports whether the connection field being resolved asks for
// its totalCount alone (and perhaps __typename): then its loader need not
// read the page's items (store.Page.Count), as for a committee's number of
// members in SubdistrictOverview.
func countOnly(ctx context.Context) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil || fc.Field.Definition == nil || !graphql.HasOperationContext(ctx) ||
		!strings.HasSuffix(fc.Field.Definition.Type.Name(), "Connection") {
		return false
	}
	fields := graphql.CollectFields(graphql.GetOperationContext(ctx), fc.Field.Selections, nil)
	for _, f := range fields {
		if f.Name != "totalCount" && f.Name != "__typename" {
			return false
		}
	}
	return len(fields) > 0
}

var (
	seatFollows      = map[string]follows{"person": followPerson, "unit": followUnit}
	communityFollows = map[string]follows{"partyCommittee": followParty}
)

// primer loads relations concurrently (so that the read session sends their
// statements together) and primes their loaders. A failure only skips the
// priming: the relation's resolver then loads it, and reports the error.
type primer struct{ wg sync.WaitGroup }

// prime loads ids through fetch and primes l with what it finds; with
// none, it also primes the zero value for an id that has nothing, which the
// loader's readers must take for "none" (see partyCommittee).
func prime[V any](ctx context.Context, p *primer, l *dataloadgen.Loader[string, V], fetch func(context.Context, []string) (map[string]V, error), ids []string, none bool) {
	if len(ids) == 0 {
		return
	}
	p.wg.Go(func() {
		m, err := fetch(ctx, ids)
		if err != nil {
			return
		}
		for _, id := range ids {
			if v, ok := m[id]; ok {
				l.Prime(id, v)
			} else if none {
				var zero V
				l.Prime(id, zero)
			}
		}
	})
}

func (p *primer) wait() { p.wg.Wait() }

// followSeats loads the persons and units of a page of seats.
func (l *Loaders) followSeats(ctx context.Context, m map[string]*store.Conn[structure.Membership], f follows) {
	var persons, units []string
	seen := map[string]bool{}
	for _, c := range m {
		for _, s := range c.Items {
			if f&followPerson != 0 && !seen[s.PersonID] {
				seen[s.PersonID] = true
				persons = append(persons, s.PersonID)
			}
			if f&followUnit != 0 && s.UnitID != nil && !seen[*s.UnitID] {
				seen[*s.UnitID] = true
				units = append(units, *s.UnitID)
			}
		}
	}
	var p primer
	prime(ctx, &p, l.Person, l.fetchPeople, persons, false)
	prime(ctx, &p, l.Unit, l.store.UnitsByID, units, false)
	p.wait()
}

// followCommunities loads the party committees of a page of communities.
func (l *Loaders) followCommunities(ctx context.Context, m map[string]*store.Conn[structure.Community], f follows) {
	if f&followParty == 0 {
		return
	}
	var ids []string
	for _, c := range m {
		for _, k := range c.Items {
			ids = append(ids, k.ID)
		}
	}
	var p primer
	prime(ctx, &p, l.PartyCommittee, l.store.PartyCommittees, ids, true)
	p.wait()
}

// partyCommittee is a community's party committee, or nil: the loader holds
// a zero committee for a community followCommunities found without one.
func partyCommittee(ctx context.Context, communityID string) (*structure.Committee, error) {
	c, err := loadOpt(ctx, For(ctx).PartyCommittee, &communityID)
	if c != nil && c.ID == "" {
		return nil, err
	}
	return c, err
}

// unitFilter is the key filter of the units' loaders: the store's filter
// and the period of the contributions the selection asks for on each unit
// (zero for none), which the loader loads with the page (units).
type unitFilter struct {
	store.ListFilter
	contrib period
}

// period is a period of days, from..to.
type period struct{ From, To time.Time }

// contributionPeriod returns the period of the first contribution that the
// selection of the current connection field asks for on edges.node; zero
// when there is none or its period is not valid (the resolver then loads
// it, or reports the error).
func contributionPeriod(ctx context.Context) period {
	for _, f := range nodeFields(ctx) {
		if f.Name != "contribution" {
			continue
		}
		args := f.ArgumentMap(graphql.GetOperationContext(ctx).Variables)
		from, err := model.UnmarshalDate(args["from"])
		if err != nil {
			continue
		}
		to, err := model.UnmarshalDate(args["to"])
		if err != nil || lists.CheckPeriod(from, to) != nil {
			continue
		}
		return period{from, to}
	}
	return period{}
}

// units loads a page of units of parents (sub-districts, or communities
// byCommunity) and, when f asks for contributions, in the same round trip
// (concurrently, so that the read session sends both statements together)
// the contributions of their units, with which it primes the Contribution
// loader for each unit of the page — none hosted nothing. A failure of the
// contributions only skips the priming.
func (l *Loaders) units(ctx context.Context, parents []string, byCommunity bool, f unitFilter, p store.Page) (map[string]*store.Conn[structure.Unit], error) {
	if f.contrib == (period{}) {
		return l.store.Units(ctx, parents, byCommunity, f.ListFilter, p)
	}
	var (
		wg      sync.WaitGroup
		contrib map[string]lists.Contribution
		cerr    error
	)
	wg.Go(func() {
		contrib, cerr = l.store.UnitContributions(ctx, parents, byCommunity, f.contrib.From, f.contrib.To)
	})
	m, err := l.store.Units(ctx, parents, byCommunity, f.ListFilter, p)
	wg.Wait()
	if err != nil || cerr != nil {
		return m, err
	}
	for _, c := range m {
		for _, u := range c.Items {
			v, ok := contrib[u.ID]
			if !ok {
				v = lists.Contribution{UnitID: u.ID}
			}
			l.Lists.Contribution.Prime(periodKey{u.ID, f.contrib.From, f.contrib.To}, v)
		}
	}
	return m, nil
}
