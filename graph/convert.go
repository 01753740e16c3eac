package graph

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/vikstrous/dataloadgen"

	"cogov/graph/model"
	"cogov/internal/problem"
	"cogov/internal/store"
)

// defaultPage is the page size when a connection is asked for neither
// `first` nor `last`.
const defaultPage = 20

// page checks a connection's arguments and turns them into a store.Page:
// `first` (with `after`, and `before` as a bound) pages forward, `last`
// (with `before`, and `after` as a bound) backward, never both.
func page(first *int, after *string, last *int, before *string) (store.Page, error) {
	if first != nil && last != nil {
		return store.Page{}, &model.InputError{Msg: "give first or last, not both"}
	}
	p := store.Page{First: defaultPage}
	switch {
	case first != nil:
		p.First = *first
	case last != nil:
		p.First, p.Last = 0, *last
	}
	if n := p.Size(); n < 1 || n > store.MaxPage {
		return store.Page{}, &model.InputError{Msg: "first and last must be between 1 and 100"}
	}
	if after != nil {
		p.After = *after
	}
	if before != nil {
		p.Before = *before
	}
	return p, nil
}

// listErr turns a bad cursor into a client error and passes other errors on.
func listErr(err error) error {
	if errors.Is(err, store.ErrBadCursor) {
		return &model.InputError{Msg: "after or before is not a cursor of this list"}
	}
	return err
}

// loadConn loads one page of a list through l and turns it into the
// schema's connection with mk: the one way every connection is served.
func loadConn[F comparable, T any, C any](ctx context.Context, l *fLoader[F, T], parent string, f F, first *int, after *string,
	last *int, before *string, mk func(*store.Conn[T]) *C) (*C, error) {
	c, err := loadPage(ctx, l, parent, f, first, after, last, before)
	if err != nil {
		return nil, err
	}
	return mk(c), nil
}

func pageInfo[T any](c *store.Conn[T]) *model.PageInfo {
	info := &model.PageInfo{HasNextPage: c.HasNext, HasPreviousPage: c.HasPrev}
	if n := len(c.Cursors); n > 0 {
		info.StartCursor, info.EndCursor = &c.Cursors[0], &c.Cursors[n-1]
	}
	return info
}

// edges builds a connection's edges from its items and cursors.
func edges[T any, E any](c *store.Conn[T], mk func(cursor string, node *T) E) []E {
	out := make([]E, len(c.Items))
	for i := range c.Items {
		out[i] = mk(c.Cursors[i], &c.Items[i])
	}
	return out
}

// loadOpt loads a record that may be absent: not found is nil, not an error.
func loadOpt[T any](ctx context.Context, l *dataloadgen.Loader[string, T], id *string) (*T, error) {
	if id == nil || *id == "" {
		return nil, nil
	}
	v, err := l.Load(ctx, *id)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// loadReq loads a record that must exist.
func loadReq[T any](ctx context.Context, l *dataloadgen.Loader[string, T], id string) (*T, error) {
	v, err := l.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// userErrors splits a domain result into a payload's parts: problems become
// userErrors, anything else stays an error (a fault).
func userErrors(err error) ([]problem.Problem, error) {
	if err == nil {
		return []problem.Problem{}, nil
	}
	if l, ok := problem.As(err); ok {
		return l, nil
	}
	if errors.Is(err, problem.ErrNotFound) {
		return []problem.Problem{{Code: problem.NotFound, Field: []string{"input", "id"}, Message: "no such record"}}, nil
	}
	return nil, err
}

// result returns v as the payload's record when err is nil.
func result[T any](v T, err error) (*T, []problem.Problem, error) {
	ue, ferr := userErrors(err)
	if ferr != nil {
		return nil, nil, ferr
	}
	if err != nil {
		return nil, ue, nil
	}
	return &v, ue, nil
}

// nodeOf loads a record as a Node; nil when it does not exist.
func nodeOf[T any](ctx context.Context, l *dataloadgen.Loader[string, T], id string) (model.Node, error) {
	v, err := l.Load(ctx, id)
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// loadNode fetches any object by global id; nil when there is none.
func loadNode(ctx context.Context, gid string) (model.Node, error) {
	typ, id, ok := parseGlobalID(gid)
	if !ok {
		return nil, nil
	}
	l := For(ctx)
	switch typ {
	case typeSubdistrict:
		return nodeOf(ctx, l.Subdistrict, id)
	case typeCommunity:
		return nodeOf(ctx, l.Community, id)
	case typeGrid:
		return nodeOf(ctx, l.Grid, id)
	case typeUnit:
		return nodeOf(ctx, l.Unit, id)
	case typeCommittee:
		return nodeOf(ctx, l.Committee, id)
	case typePerson:
		return nodeOf(ctx, l.Person, id)
	case typeMembership:
		return nodeOf(ctx, l.Membership, id)
	case typeAccount:
		return nodeOf(ctx, l.Account, id)
	case typeRole:
		return roleNode(ctx, id)
	case typeNotification:
		return notificationNode(ctx, id)
	case typeWaitlistEntry:
		return waitlistNode(ctx, id)
	}
	if n, ok, err := loadMeetingNode(ctx, typ, id); ok {
		return n, err
	}
	return loadBookingNode(ctx, typ, id)
}

// roleNode fetches a role the viewer may see, as a Node.
func roleNode(ctx context.Context, id string) (model.Node, error) {
	r, err := For(ctx).store.Role(ctx, id)
	if errors.Is(err, problem.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	roles, err := For(ctx).rolesOf(ctx, r.AccountID)
	if err != nil {
		return nil, err
	}
	for i := range roles {
		if roles[i].ID == id {
			return &roles[i], nil
		}
	}
	return nil, nil
}

// loadAnyNode fetches the sub-district, committee, unit or person with this
// uuid, whichever it is.
func loadAnyNode(ctx context.Context, id string) (model.Node, error) {
	sc, err := For(ctx).store.ScopeOf(ctx, id)
	if errors.Is(err, problem.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return loadNode(ctx, globalID(sc.Kind, id))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func isNotFound(err error) bool { return errors.Is(err, dataloadgen.ErrNotFound) }

// emptyConn is a connection with nothing in it, for lists the viewer may not see.
func emptyConn[T any, C any](mk func(*store.Conn[T]) *C) *C {
	return mk(&store.Conn[T]{})
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
