package graph

// Adapter code of the three lists and the figures (schema/meetings.graphqls):
// their loaders.

import (
	"context"
	"time"

	"github.com/vikstrous/dataloadgen"

	"cogov/internal/lists"
	"cogov/internal/store"
)

// ListLoaders batch the relationships of the three lists (needs, offers,
// projects) and the units' contributions per request.
type ListLoaders struct {
	Need         *dataloadgen.Loader[string, lists.Need]
	Offer        *dataloadgen.Loader[string, lists.Offer]
	Project      *dataloadgen.Loader[string, lists.Project]
	Escalations  *dataloadgen.Loader[string, []lists.Escalation]
	Updates      *dataloadgen.Loader[string, []lists.Update]
	Contribution *dataloadgen.Loader[periodKey, lists.Contribution]
	Needs        map[store.ListParent]*fLoader[store.ListsFilter, lists.Need]
	Offers       map[store.ListParent]*fLoader[store.ListsFilter, lists.Offer]
	Projects     map[store.ListParent]*fLoader[store.ListsFilter, lists.Project]
}

// periodKey is a unit and a period of days.
type periodKey struct {
	ID       string
	From, To time.Time
}

func newListLoaders(s *store.Store, o dataloadgen.Option) *ListLoaders {
	l := &ListLoaders{
		Need:        dataloadgen.NewMappedLoader(s.NeedsByID, o),
		Offer:       dataloadgen.NewMappedLoader(s.OffersByID, o),
		Project:     dataloadgen.NewMappedLoader(s.ProjectsByID, o),
		Escalations: dataloadgen.NewMappedLoader(s.Escalations, o),
		Updates:     dataloadgen.NewMappedLoader(s.ProjectUpdates, o),
		Contribution: dataloadgen.NewMappedLoader(func(ctx context.Context, keys []periodKey) (map[periodKey]lists.Contribution, error) {
			byPeriod := map[[2]time.Time][]string{}
			for _, k := range keys {
				byPeriod[[2]time.Time{k.From, k.To}] = append(byPeriod[[2]time.Time{k.From, k.To}], k.ID)
			}
			out := map[periodKey]lists.Contribution{}
			for p, ids := range byPeriod {
				m, err := s.Contributions(ctx, ids, p[0], p[1])
				if err != nil {
					return nil, err
				}
				for id, c := range m {
					out[periodKey{id, p[0], p[1]}] = c
				}
			}
			return out, nil
		}, o),
		Needs:    map[store.ListParent]*fLoader[store.ListsFilter, lists.Need]{},
		Offers:   map[store.ListParent]*fLoader[store.ListsFilter, lists.Offer]{},
		Projects: map[store.ListParent]*fLoader[store.ListsFilter, lists.Project]{},
	}
	for _, p := range []store.ListParent{store.NeedsOfSubdistrict, store.NeedsOfCommittee} {
		l.Needs[p] = dataloadgen.NewMappedLoader(batchBy(func(ctx context.Context, ps []string, f store.ListsFilter, pg store.Page) (map[string]*store.Conn[lists.Need], error) {
			return s.Needs(ctx, p, ps, f, pg)
		}), o)
	}
	for _, p := range []store.ListParent{store.OffersOfSubdistrict, store.OffersOfUnit} {
		l.Offers[p] = dataloadgen.NewMappedLoader(batchBy(func(ctx context.Context, ps []string, f store.ListsFilter, pg store.Page) (map[string]*store.Conn[lists.Offer], error) {
			return s.Offers(ctx, p, ps, f, pg)
		}), o)
	}
	for _, p := range []store.ListParent{store.ProjectsOfSubdistrict, store.ProjectsOfUnit, store.ProjectsOfCommittee, store.ProjectsOfNeed} {
		l.Projects[p] = dataloadgen.NewMappedLoader(batchBy(func(ctx context.Context, ps []string, f store.ListsFilter, pg store.Page) (map[string]*store.Conn[lists.Project], error) {
			return s.Projects(ctx, p, ps, f, pg)
		}), o)
	}
	return l
}
