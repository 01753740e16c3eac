package graph

// Adapter code of the structure area (schema.graphqls; resolvers in
// schema.resolvers.go): its connections, grid staff and people scoping.

import (
	"context"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"cogov/graph/generated"
	"cogov/graph/model"
	"cogov/internal/access"
	"cogov/internal/i18n"
	"cogov/internal/store"
	"cogov/internal/structure"
)

// onDay is the filter of seats whose term includes day, if given.
func onDay(day *time.Time) store.ListFilter {
	if day == nil {
		return store.ListFilter{}
	}
	return store.ListFilter{CurrentOn: *day}
}

// staffChanges turns the optional staff arguments into the domain's changes.
func staffChanges(head *string, deputies, workers []string) structure.StaffChanges {
	var c structure.StaffChanges
	if head != nil {
		id := localID(typePerson, *head)
		c.HeadID = &id
	}
	if deputies != nil {
		ids := localIDs(typePerson, deputies)
		c.DeputyHeadIDs = &ids
	}
	if workers != nil {
		ids := localIDs(typePerson, workers)
		c.WorkerIDs = &ids
	}
	return c
}

// staff returns the people holding role in a grid, in their recorded order;
// none for viewers who may not see the sub-district's people.
func (r *gridResolver) staff(ctx context.Context, g *structure.Grid, role structure.GridStaffRole) ([]structure.Person, error) {
	if !structure.CanSeePeople(access.From(ctx), g.SubdistrictID) {
		return []structure.Person{}, nil
	}
	l := For(ctx)
	rows, err := l.GridStaff.Load(ctx, g.ID)
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	var ids []string
	for _, s := range rows {
		if s.Role == role {
			ids = append(ids, s.PersonID)
		}
	}
	people, err := l.Person.LoadAll(ctx, ids)
	if err != nil {
		return nil, err
	}
	if people == nil {
		people = []structure.Person{}
	}
	return people, nil
}

func membershipConn(c *store.Conn[structure.Membership]) *model.MembershipConnection {
	return &model.MembershipConnection{TotalCount: c.Total, PageInfo: pageInfo(c), Edges: edges(c, func(cur string, n *structure.Membership) model.MembershipEdge {
		return model.MembershipEdge{Cursor: cur, Node: n}
	})}
}

func unitConn(c *store.Conn[structure.Unit]) *model.UnitConnection {
	return &model.UnitConnection{TotalCount: c.Total, PageInfo: pageInfo(c), Edges: edges(c, func(cur string, n *structure.Unit) model.UnitEdge {
		return model.UnitEdge{Cursor: cur, Node: n}
	})}
}

func personConn(c *store.Conn[structure.Person]) *model.PersonConnection {
	return &model.PersonConnection{TotalCount: c.Total, PageInfo: pageInfo(c), Edges: edges(c, func(cur string, n *structure.Person) model.PersonEdge {
		return model.PersonEdge{Cursor: cur, Node: n}
	})}
}

// scopePeople narrows f to the people of sd the viewer may see
// (structure.PeopleVisibleTo); false when that is nobody.
func scopePeople(ctx context.Context, sd string, f *store.ListFilter) bool {
	scope := structure.PeopleVisibleTo(access.From(ctx), sd)
	f.Persons = scope.Only
	return !scope.None
}

// schemaDef is the schema the server serves, for the enum labels.
var schemaDef = sync.OnceValue(func() *ast.Schema { return generated.NewExecutableSchema(generated.Config{}).Schema() })

// enumLabels are the labels of an enum's values in the answer's language.
func enumLabels(ctx context.Context, enum string) []model.EnumLabel {
	def := schemaDef().Types[enum]
	out := []model.EnumLabel{}
	if def == nil || def.Kind != ast.Enum {
		return out
	}
	lang := i18n.From(ctx)
	for _, v := range def.EnumValues {
		out = append(out, model.EnumLabel{Value: v.Name, Label: i18n.Label(lang, enum, v.Name)})
	}
	return out
}
