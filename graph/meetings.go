package graph

// Adapter code of the meetings area (schema/meetings.graphqls; resolvers in
// meetings.resolvers.go): the shared list loader helpers, the joint
// meetings' loaders, connections and payloads.

import (
	"context"
	"errors"
	"sync"

	"github.com/vikstrous/dataloadgen"

	"cogov/graph/model"
	"cogov/internal/access"
	"cogov/internal/lists"
	"cogov/internal/meeting"
	"cogov/internal/store"
	"cogov/internal/structure"
)

// Type names used in global ids of the meetings and lists section.
const (
	typeJointMeeting = "JointMeeting"
	typeInvitation   = "Invitation"
	typeResolution   = "Resolution"
	typeNeed         = "Need"
	typeOffer        = "Offer"
	typeProject      = "Project"
)

// fkey identifies one page of a list under a parent with a filter of type F.
type fkey[F comparable] struct {
	Parent string
	Filter F
	Page   store.Page
}

type fLoader[F comparable, T any] = dataloadgen.Loader[fkey[F], *store.Conn[T]]

// batchBy groups keys by filter and page and fetches each group in one
// statement; several groups are fetched concurrently, so that the read
// session sends their statements in one round trip.
func batchBy[F comparable, T any](fetch func(ctx context.Context, parents []string, f F, p store.Page) (map[string]*store.Conn[T], error)) func(context.Context, []fkey[F]) (map[fkey[F]]*store.Conn[T], error) {
	return func(ctx context.Context, keys []fkey[F]) (map[fkey[F]]*store.Conn[T], error) {
		type grp struct {
			f F
			p store.Page
		}
		groups := map[grp][]string{}
		for _, k := range keys {
			groups[grp{k.Filter, k.Page}] = append(groups[grp{k.Filter, k.Page}], k.Parent)
		}
		out := make(map[fkey[F]]*store.Conn[T], len(keys))
		var (
			mu       sync.Mutex
			wg       sync.WaitGroup
			firstErr error
		)
		one := func(g grp, parents []string) {
			m, err := fetch(ctx, parents, g.f, g.p)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			for _, parent := range parents {
				c := m[parent]
				if c == nil {
					c = &store.Conn[T]{HasPrev: g.p.After != ""}
				}
				out[fkey[F]{parent, g.f, g.p}] = c
			}
		}
		for g, parents := range groups {
			if len(groups) == 1 {
				one(g, parents)
				break
			}
			wg.Go(func() { one(g, parents) })
		}
		wg.Wait()
		if firstErr != nil {
			return nil, firstErr
		}
		return out, nil
	}
}

// MeetingLoaders batch the relationships of joint meetings per request.
type MeetingLoaders struct {
	Meeting             *dataloadgen.Loader[string, meeting.Meeting]
	Invitation          *dataloadgen.Loader[string, meeting.Invitation]
	Resolution          *dataloadgen.Loader[string, meeting.Resolution]
	Agenda              *dataloadgen.Loader[string, []meeting.AgendaItem]
	Resolutions         *dataloadgen.Loader[string, []meeting.Resolution]
	SubdistrictMeetings *fLoader[store.MeetingFilter, meeting.Meeting]
	CommitteeMeetings   *fLoader[store.MeetingFilter, meeting.Meeting]
	Series              *fLoader[store.MeetingFilter, meeting.Meeting]
	Invitations         *fLoader[invitationFilter, meeting.Invitation]
	PersonInvitations   *fLoader[string, meeting.Invitation]
	Attendees           *fLoader[string, structure.Membership]
}

// invitationFilter narrows a meeting's invitations: by response, and to the
// viewer's own people for viewers who see only themselves.
type invitationFilter struct{ Response, Persons string }

func newMeetingLoaders(s *store.Store, o dataloadgen.Option) *MeetingLoaders {
	meetings := func(parent store.MeetingParent) *fLoader[store.MeetingFilter, meeting.Meeting] {
		return dataloadgen.NewMappedLoader(batchBy(func(ctx context.Context, ps []string, f store.MeetingFilter, p store.Page) (map[string]*store.Conn[meeting.Meeting], error) {
			return s.Meetings(ctx, parent, ps, f, p)
		}), o)
	}
	return &MeetingLoaders{
		Meeting:             dataloadgen.NewMappedLoader(s.MeetingsByID, o),
		Invitation:          dataloadgen.NewMappedLoader(s.InvitationsByID, o),
		Resolution:          dataloadgen.NewMappedLoader(s.ResolutionsByID, o),
		Agenda:              dataloadgen.NewMappedLoader(s.Agendas, o),
		Resolutions:         dataloadgen.NewMappedLoader(s.Resolutions, o),
		SubdistrictMeetings: meetings(store.MeetingsOfSubdistrict),
		CommitteeMeetings:   meetings(store.MeetingsOfCommittee),
		Series:              meetings(store.MeetingsOfSeries),
		Invitations: dataloadgen.NewMappedLoader(batchBy(func(ctx context.Context, ps []string, f invitationFilter, p store.Page) (map[string]*store.Conn[meeting.Invitation], error) {
			return s.Invitations(ctx, ps, f.Response, f.Persons, p)
		}), o),
		PersonInvitations: dataloadgen.NewMappedLoader(batchBy(func(ctx context.Context, ps []string, response string, p store.Page) (map[string]*store.Conn[meeting.Invitation], error) {
			return s.PersonInvitations(ctx, ps, response, p)
		}), o),
		Attendees: dataloadgen.NewMappedLoader(batchBy(func(ctx context.Context, ps []string, persons string, p store.Page) (map[string]*store.Conn[structure.Membership], error) {
			return s.Attendees(ctx, ps, persons, p)
		}), o),
	}
}

// loadPage loads one page of a list through l.
func loadPage[F comparable, T any](ctx context.Context, l *fLoader[F, T], parent string, f F, first *int, after *string,
	last *int, before *string) (*store.Conn[T], error) {
	p, err := page(first, after, last, before)
	if err != nil {
		return nil, err
	}
	p.Count = countOnly(ctx)
	c, err := l.Load(ctx, fkey[F]{parent, f, p})
	if err != nil {
		return nil, listErr(err)
	}
	return c, nil
}

// loadAll loads up to a page of 100 items through l, for plain lists.
func loadAll[F comparable, T any](ctx context.Context, l *fLoader[F, T], parent string, f F) ([]T, error) {
	c, err := l.Load(ctx, fkey[F]{parent, f, store.Page{First: store.MaxPage}})
	if err != nil {
		return nil, err
	}
	return orEmpty(c.Items), nil
}

// loadMeetingNode resolves the node types of this section; ok is false for other types.
func loadMeetingNode(ctx context.Context, typ, id string) (n model.Node, ok bool, err error) {
	l := For(ctx).Meetings
	switch typ {
	case typeJointMeeting:
		n, err = nodeOf(ctx, l.Meeting, id)
	case typeInvitation:
		n, err = nodeOf(ctx, l.Invitation, id)
	case typeResolution:
		n, err = nodeOf(ctx, l.Resolution, id)
	case typeNeed:
		n, err = nodeOf(ctx, For(ctx).Lists.Need, id)
	case typeOffer:
		n, err = nodeOf(ctx, For(ctx).Lists.Offer, id)
	case typeProject:
		n, err = nodeOf(ctx, For(ctx).Lists.Project, id)
	default:
		return nil, false, nil
	}
	return n, true, err
}

func meetingConn(c *store.Conn[meeting.Meeting]) *model.JointMeetingConnection {
	return &model.JointMeetingConnection{TotalCount: c.Total, PageInfo: pageInfo(c), Edges: edges(c, func(cur string, n *meeting.Meeting) model.JointMeetingEdge {
		return model.JointMeetingEdge{Cursor: cur, Node: n}
	})}
}

func needConn(c *store.Conn[lists.Need]) *model.NeedConnection {
	return &model.NeedConnection{TotalCount: c.Total, PageInfo: pageInfo(c), Edges: edges(c, func(cur string, n *lists.Need) model.NeedEdge {
		return model.NeedEdge{Cursor: cur, Node: n}
	})}
}

func offerConn(c *store.Conn[lists.Offer]) *model.OfferConnection {
	return &model.OfferConnection{TotalCount: c.Total, PageInfo: pageInfo(c), Edges: edges(c, func(cur string, n *lists.Offer) model.OfferEdge {
		return model.OfferEdge{Cursor: cur, Node: n}
	})}
}

func projectConn(c *store.Conn[lists.Project]) *model.ProjectConnection {
	return &model.ProjectConnection{TotalCount: c.Total, PageInfo: pageInfo(c), Edges: edges(c, func(cur string, n *lists.Project) model.ProjectEdge {
		return model.ProjectEdge{Cursor: cur, Node: n}
	})}
}

// meetingsVisible reports whether the viewer may see the meetings of sd;
// row-level security would hide them anyway, this answers without a query.
func meetingsVisible(ctx context.Context, sd string) bool {
	return meeting.CanSee(access.From(ctx), sd)
}

func listsFilter[S ~string, C ~string](status *S, category *C) store.ListsFilter {
	var f store.ListsFilter
	if status != nil {
		f.Status = string(*status)
	}
	if category != nil {
		f.Category = string(*category)
	}
	return f
}

// meetingPayload turns a meeting result into its payload.
func meetingPayload(m meeting.Meeting, err error) (*model.JointMeetingPayload, error) {
	v, ue, ferr := result(m, err)
	return &model.JointMeetingPayload{Meeting: v, UserErrors: ue}, ferr
}

func needPayload(n lists.Need, err error) (*model.NeedPayload, error) {
	v, ue, ferr := result(n, err)
	return &model.NeedPayload{Need: v, UserErrors: ue}, ferr
}

func offerPayload(o lists.Offer, err error) (*model.OfferPayload, error) {
	v, ue, ferr := result(o, err)
	return &model.OfferPayload{Offer: v, UserErrors: ue}, ferr
}

func projectPayload(p lists.Project, err error) (*model.ProjectPayload, error) {
	v, ue, ferr := result(p, err)
	return &model.ProjectPayload{Project: v, UserErrors: ue}, ferr
}

// loadMany loads records by id in order, skipping those not found.
func loadMany[T any](ctx context.Context, l *dataloadgen.Loader[string, T], ids []string) ([]T, error) {
	vs, err := l.LoadAll(ctx, ids)
	var errs dataloadgen.ErrorSlice
	if err != nil && !errors.As(err, &errs) {
		return nil, err
	}
	out := make([]T, 0, len(ids))
	for i, v := range vs {
		if i < len(errs) && errs[i] != nil {
			if isNotFound(errs[i]) {
				continue
			}
			return nil, errs[i]
		}
		out = append(out, v)
	}
	return out, nil
}

// agendaInputs turns agenda items of the schema into the domain's.
func agendaInputs(items []model.AgendaItemInput) []meeting.AgendaInput {
	out := make([]meeting.AgendaInput, 0, len(items))
	for _, a := range items {
		out = append(out, meeting.AgendaInput{Title: a.Title, DurationMinutes: a.DurationMinutes,
			PresenterMembershipID: optLocalID(typeMembership, a.PresenterMembershipID)})
	}
	return out
}

// invitationConn is a page of invitations in the schema's shape.
func invitationConn(c *store.Conn[meeting.Invitation]) *model.InvitationConnection {
	return &model.InvitationConnection{TotalCount: c.Total, PageInfo: pageInfo(c), Edges: edges(c, func(cur string, n *meeting.Invitation) model.InvitationEdge {
		return model.InvitationEdge{Cursor: cur, Node: n}
	})}
}
