package graph

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/vikstrous/dataloadgen"

	"cogov/graph/model"
	"cogov/internal/access"
	"cogov/internal/meeting"
	"cogov/internal/store"
	"cogov/internal/structure"
)

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func isNotFound(err error) bool { return errors.Is(err, dataloadgen.ErrNotFound) }

func onDay(day *time.Time) store.ListFilter {
	if day == nil {
		return store.ListFilter{}
	}
	return store.ListFilter{CurrentOn: *day}
}

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

// emptyConn is a connection with nothing in it, for lists the viewer may not see.
func emptyConn[T any, C any](mk func(*store.Conn[T], *model.PageInfo) *C) *C {
	c := &store.Conn[T]{}
	return mk(c, pageInfo(c))
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

func membershipConn(c *store.Conn[structure.Membership], info *model.PageInfo) *model.MembershipConnection {
	return &model.MembershipConnection{TotalCount: c.Total, PageInfo: info, Edges: edges(c, func(cur string, n *structure.Membership) model.MembershipEdge {
		return model.MembershipEdge{Cursor: cur, Node: n}
	})}
}

func unitConn(c *store.Conn[structure.Unit], info *model.PageInfo) *model.UnitConnection {
	return &model.UnitConnection{TotalCount: c.Total, PageInfo: info, Edges: edges(c, func(cur string, n *structure.Unit) model.UnitEdge {
		return model.UnitEdge{Cursor: cur, Node: n}
	})}
}

func personConn(c *store.Conn[structure.Person], info *model.PageInfo) *model.PersonConnection {
	return &model.PersonConnection{TotalCount: c.Total, PageInfo: info, Edges: edges(c, func(cur string, n *structure.Person) model.PersonEdge {
		return model.PersonEdge{Cursor: cur, Node: n}
	})}
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// scopePeople narrows f to the people of sd the viewer may see
// (structure.PeopleVisibleTo); false when that is nobody.
func scopePeople(ctx context.Context, sd string, f *store.ListFilter) bool {
	scope := structure.PeopleVisibleTo(access.From(ctx), sd)
	f.Persons = scope.Only
	return !scope.None
}

func emptyInvitations() *model.InvitationConnection {
	return invitationConn(&store.Conn[meeting.Invitation]{})
}
