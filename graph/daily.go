package graph

// Adapter code of the daily loop (schema/daily.graphqls; resolvers in
// daily.resolvers.go): the work lists of bookings, the inbox and
// notifications.

import (
	"context"
	"slices"
	"strings"
	"time"

	"cogov/graph/model"
	"cogov/internal/access"
	"cogov/internal/booking"
	"cogov/internal/notify"
	"cogov/internal/store"
)

// bookingList serves a list of bookings under a venue, committee or unit,
// which the viewer's scope sc may see.
func bookingList(ctx context.Context, parent string, by store.BookingParent, sc booking.Scope, first *int, after *string, last *int,
	before *string, status []booking.Status, from, to *time.Time) (*model.BookingConnection, error) {
	p, err := page(first, after, last, before)
	if err != nil {
		return nil, err
	}
	wFrom, wTo, err := window(from, to, 0)
	if err != nil {
		return nil, err
	}
	if sc.None() {
		return bookingConn(&store.Conn[booking.Booking]{HasPrev: p.After != ""}), nil
	}
	f := store.BookingFilter{Scope: sc, By: by, From: wFrom, To: wTo, Statuses: statusList(status)}
	c, err := For(ctx).Venues.VenueBookings.Load(ctx, bookingListKey{Parent: parent, Filter: f, Page: p})
	if err != nil {
		return nil, listErr(err)
	}
	return bookingConn(c), nil
}

// statusList is a set of statuses as a filter keys it: sorted, comma-separated.
func statusList(ss []booking.Status) string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, string(s))
	}
	slices.Sort(out)
	return strings.Join(slices.Compact(out), ",")
}

// inboxObjectType is the node type of each kind of inbox item's object.
var inboxObjectType = map[notify.ItemKind]string{
	notify.BookingToApprove:   typeBooking,
	notify.InvitationToAnswer: typeInvitation,
	notify.NeedEscalated:      typeNeed,
	notify.ProjectOverdue:     typeProject,
	notify.CaseOverdue:        typeCase,
	notify.BookingToSettle:    typeBooking,
}

// Node types of the daily loop.
const (
	typeNotification    = "Notification"
	typeDeliveryChannel = "DeliveryChannel"
	typeWaitlistEntry   = "WaitlistEntry"
)

// waitlistPayload turns a waitlist result into its payload.
func waitlistPayload(e booking.WaitEntry, err error) (*model.WaitlistPayload, error) {
	v, ue, ferr := result(e, err)
	return &model.WaitlistPayload{Entry: v, UserErrors: ue}, ferr
}

// waitlistNode is a waitlist entry the viewer may see (its committee's,
// the venue unit's or the sub-district's administrators) as a Node.
func waitlistNode(ctx context.Context, id string) (model.Node, error) {
	l := For(ctx)
	m, err := l.store.WaitEntriesByID(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	e, ok := m[id]
	if !ok {
		return nil, nil
	}
	v, err := l.Venues.Venue.Load(ctx, e.VenueID)
	if err != nil {
		return nil, nil
	}
	viewer := access.From(ctx)
	if !viewer.AdministersCommittee(e.CommitteeID, e.SubdistrictID) && !viewer.AdministersUnit(v.UnitID, e.SubdistrictID) {
		return nil, nil
	}
	return &e, nil
}

// notificationNode is one of the viewer's notifications as a Node; nil for
// another's or none.
func notificationNode(ctx context.Context, id string) (model.Node, error) {
	n, err := For(ctx).store.NotificationsByID(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	v, ok := n[id]
	if !ok || v.AccountID != access.From(ctx).AccountID {
		return nil, nil
	}
	return &v, nil
}

func notificationConn(c *store.Conn[notify.Notification]) *model.NotificationConnection {
	return &model.NotificationConnection{TotalCount: c.Total, PageInfo: pageInfo(c), Edges: edges(c, func(cur string, n *notify.Notification) model.NotificationEdge {
		return model.NotificationEdge{Cursor: cur, Node: n}
	})}
}

func inboxConn(c *store.Conn[notify.Item]) *model.InboxItemConnection {
	return &model.InboxItemConnection{TotalCount: c.Total, PageInfo: pageInfo(c), Edges: edges(c, func(cur string, n *notify.Item) model.InboxItemEdge {
		return model.InboxItemEdge{Cursor: cur, Node: n}
	})}
}
