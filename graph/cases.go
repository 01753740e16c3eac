package graph

// Adapter code of grid affairs (schema/cases.graphqls; resolvers in
// cases.resolvers.go): loaders, connections, payloads and conversions.

import (
	"context"

	"github.com/vikstrous/dataloadgen"

	"cogov/graph/model"
	"cogov/internal/access"
	"cogov/internal/cases"
	"cogov/internal/i18n"
	"cogov/internal/store"
)

// Type names used in global ids of grid affairs.
const (
	typeCase         = "Case"
	typeCaseCategory = "CaseCategory"
	typeMediation    = "Mediation"
	typeIntakeKey    = "IntakeKey"
)

// CaseLoaders batch the relationships of grid cases per request.
type CaseLoaders struct {
	Case         *dataloadgen.Loader[string, cases.Case]
	Category     *dataloadgen.Loader[string, cases.Category]
	Categories   *dataloadgen.Loader[string, []cases.Category]
	Events       *dataloadgen.Loader[string, []cases.Event]
	Mediations   *dataloadgen.Loader[string, []cases.Mediation]
	Mediation    *dataloadgen.Loader[string, cases.Mediation]
	IntakeKey    *dataloadgen.Loader[string, cases.IntakeKey]
	IntakeKeys   *dataloadgen.Loader[string, []cases.IntakeKey]
	Subdistricts *fLoader[store.CaseFilter, cases.Case]
	Communities  *fLoader[store.CaseFilter, cases.Case]
	Grids        *fLoader[store.CaseFilter, cases.Case]
	Units        *fLoader[store.CaseFilter, cases.Case]
}

func newCaseLoaders(s *store.Store, o dataloadgen.Option) *CaseLoaders {
	list := func(parent store.CaseParent) *fLoader[store.CaseFilter, cases.Case] {
		return dataloadgen.NewMappedLoader(batchBy(func(ctx context.Context, ps []string, f store.CaseFilter, p store.Page) (map[string]*store.Conn[cases.Case], error) {
			return s.Cases(ctx, parent, ps, f, p)
		}), o)
	}
	return &CaseLoaders{
		Case:         dataloadgen.NewMappedLoader(s.CasesByID, o),
		Category:     dataloadgen.NewMappedLoader(s.CaseCategoriesByID, o),
		Categories:   dataloadgen.NewMappedLoader(s.CaseCategories, o),
		Events:       dataloadgen.NewMappedLoader(s.CaseEvents, o),
		Mediations:   dataloadgen.NewMappedLoader(s.CaseMediations, o),
		Mediation:    dataloadgen.NewMappedLoader(s.MediationsByID, o),
		IntakeKey:    dataloadgen.NewMappedLoader(s.IntakeKeysByID, o),
		IntakeKeys:   dataloadgen.NewMappedLoader(s.IntakeKeys, o),
		Subdistricts: list(store.CasesOfSubdistrict),
		Communities:  list(store.CasesOfCommunity),
		Grids:        list(store.CasesOfGrid),
		Units:        list(store.CasesOfUnit),
	}
}

// loadCaseNode resolves the node types of grid affairs; ok is false for other types.
func loadCaseNode(ctx context.Context, typ, id string) (n model.Node, ok bool, err error) {
	l := caseLoaders(ctx)
	switch typ {
	case typeCase:
		n, err = nodeOf(ctx, l.Case, id)
	case typeMediation:
		n, err = nodeOf(ctx, l.Mediation, id)
	case typeIntakeKey:
		k, kerr := loadOpt(ctx, l.IntakeKey, &id)
		if kerr != nil || k == nil {
			return nil, true, kerr
		}
		return k, true, nil
	default:
		return nil, false, nil
	}
	return n, true, err
}

// caseLoaders are the request's loaders of grid affairs.
func caseLoaders(ctx context.Context) *CaseLoaders { return For(ctx).Cases }

// caseConn is a page of cases in the schema's shape.
func caseConn(c *store.Conn[cases.Case]) *model.CaseConnection {
	return &model.CaseConnection{TotalCount: c.Total, PageInfo: pageInfo(c), Edges: edges(c, func(cur string, n *cases.Case) model.CaseEdge {
		return model.CaseEdge{Cursor: cur, Node: n}
	})}
}

// casesOf loads a page of the cases under parent of sub-district sd, if the viewer may see them.
func casesOf(ctx context.Context, l *fLoader[store.CaseFilter, cases.Case], sd, parent string, f store.CaseFilter,
	first *int, after *string, last *int, before *string) (*model.CaseConnection, error) {
	if !cases.CanSee(access.From(ctx), sd) {
		return emptyConn(caseConn), nil
	}
	return loadConn(ctx, l, parent, f, first, after, last, before, caseConn)
}

func statusFilter(status *cases.Status) store.CaseFilter {
	var f store.CaseFilter
	if status != nil {
		f.Status = string(*status)
	}
	return f
}

func casePayload(c cases.Case, err error) (*model.CasePayload, error) {
	v, ue, ferr := result(c, err)
	return &model.CasePayload{Case: v, UserErrors: ue}, ferr
}

func mediationPayload(m cases.Mediation, err error) (*model.MediationPayload, error) {
	v, ue, ferr := result(m, err)
	return &model.MediationPayload{Mediation: v, UserErrors: ue}, ferr
}

// caseCounts turns counts into the schema's, labelled in the request's
// language; enum is the schema enum of the keys ("" for categories, whose
// keys are ids turned into codes and names by names).
func caseCounts(ctx context.Context, cs []cases.Count, enum string, names map[string]cases.Category) []model.CaseCount {
	lang := i18n.From(ctx)
	out := make([]model.CaseCount, 0, len(cs))
	for _, c := range cs {
		key, label := c.Key, c.Key
		switch {
		case names != nil:
			if cat, ok := names[c.Key]; ok {
				key, label = cat.Code, cat.Name
			}
		case c.Key == "UNIT":
			label = i18n.Label(lang, "CaseLevel", "UNIT")
		default:
			label = i18n.Label(lang, enum, c.Key)
		}
		out = append(out, model.CaseCount{Key: key, Label: label, Count: c.Count})
	}
	return out
}

// caseFigures turns the domain's figures into the schema's.
func caseFigures(ctx context.Context, f cases.Figures, cats []cases.Category) (*model.CaseFigures, error) {
	names := map[string]cases.Category{}
	for _, c := range cats {
		names[c.ID] = c
	}
	out := &model.CaseFigures{Total: &f.Total, BySource: caseCounts(ctx, f.BySource, "CaseSource", nil),
		ByCategory: caseCounts(ctx, f.ByCategory, "", names), ByStatus: caseCounts(ctx, f.ByStatus, "CaseStatus", nil),
		BySettledLevel: caseCounts(ctx, f.BySettledLevel, "CaseLevel", nil),
		Communities:    []model.CommunityCaseRates{}, Grids: []model.GridCaseRates{}}
	l := For(ctx)
	comIDs, gridIDs := make([]string, len(f.Communities)), make([]string, len(f.Grids))
	for i, c := range f.Communities {
		comIDs[i] = c.ID
	}
	for i, g := range f.Grids {
		gridIDs[i] = g.ID
	}
	coms, err := l.Community.LoadAll(ctx, comIDs) // one batch each, not one wait per row
	if err != nil {
		return nil, err
	}
	grids, err := l.Grid.LoadAll(ctx, gridIDs)
	if err != nil {
		return nil, err
	}
	for i := range f.Communities {
		out.Communities = append(out.Communities, model.CommunityCaseRates{Community: &coms[i], Rates: &f.Communities[i].Rates})
	}
	for i := range f.Grids {
		out.Grids = append(out.Grids, model.GridCaseRates{Grid: &grids[i], Rates: &f.Grids[i].Rates})
	}
	return out, nil
}

// mediatorsIn turns the schema's mediators into the domain's.
func mediatorsIn(in []model.MediatorInput) []cases.Mediator {
	out := make([]cases.Mediator, 0, len(in))
	for _, m := range in {
		out = append(out, cases.Mediator{Kind: m.Kind, PersonID: optLocalID(typePerson, m.PersonID), UnitID: optLocalID(typeUnit, m.UnitID),
			Name: deref(m.Name)})
	}
	return out
}

func sessionIn(s *model.MediationSessionInput) *cases.Session {
	if s == nil {
		return nil
	}
	return &cases.Session{HeldAt: s.HeldAt, Place: deref(s.Place), Note: deref(s.Note)}
}

// caseOfMediation loads the case of a mediation, as the viewer sees it.
func caseOfMediation(ctx context.Context, m *cases.Mediation) (cases.Case, error) {
	return caseLoaders(ctx).Case.Load(ctx, m.CaseID)
}
