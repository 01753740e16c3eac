package notify

import (
	"context"
	"slices"
	"time"

	"cogov/internal/access"
	"cogov/internal/page"
)

// ItemKind says what an inbox item asks of its person.
type ItemKind string

// Inbox item kinds.
const (
	BookingToApprove   ItemKind = "BOOKING_TO_APPROVE"
	InvitationToAnswer ItemKind = "INVITATION_TO_ANSWER"
	NeedEscalated      ItemKind = "NEED_ESCALATED"
	ProjectOverdue     ItemKind = "PROJECT_OVERDUE"
	CaseOverdue        ItemKind = "CASE_OVERDUE"
	BookingToSettle    ItemKind = "BOOKING_AFFECTED"
)

// Item is one thing that waits for a person: the record to act on, since
// when it waits and by when it should be done.
type Item struct {
	Kind     ItemKind
	ObjectID string // a booking, invitation, need or project, by Kind
	Since    time.Time
	Deadline *time.Time
}

// InboxScope is what a viewer's roles put in their inbox, as the store
// filters it: the sub-districts they administer (everything there), the
// units and committees they administer and the people they are.
type InboxScope struct {
	Subdistricts []string
	Units        []string
	Committees   []string
	Persons      []string
}

// Empty reports whether nothing can wait for the scope's viewer.
func (s InboxScope) Empty() bool {
	return len(s.Subdistricts)+len(s.Units)+len(s.Committees)+len(s.Persons) == 0
}

// ScopeOf returns the inbox scope of a viewer. Which items fall in it:
//   - BOOKING_TO_APPROVE: a pending booking that has not started, of a venue
//     of a unit in Units, or of a sub-district in Subdistricts;
//   - INVITATION_TO_ANSWER: an unanswered invitation of a person in Persons
//     to a planned meeting that has not started;
//   - NEED_ESCALATED: an open need escalated to the level it is at, the
//     sub-district level for Subdistricts, the community level for the
//     communities of the Committees;
//   - PROJECT_OVERDUE: an active project past its due day, owned by a unit
//     or committee in Units or Committees, or in a sub-district in Subdistricts;
//   - CASE_OVERDUE: an open grid case past its time limit to accept or to
//     resolve, in the inbox of the level above it (cases.OverdueScopeOf): a
//     grid-level case for the administrators of its community's party
//     committee, a case above the grid for its sub-district's;
//   - BOOKING_AFFECTED: a pending or approved booking that has not started,
//     of a committee in Committees, that a closure of its venue hits: the
//     booker moves or cancels it.
func ScopeOf(v access.Viewer) InboxScope {
	var s InboxScope
	for _, r := range v.Roles {
		switch r.Kind {
		case access.SubdistrictAdmin:
			s.Subdistricts = append(s.Subdistricts, r.ScopeID)
		case access.UnitAdmin:
			s.Units = append(s.Units, r.ScopeID)
		case access.CommitteeAdmin:
			s.Committees = append(s.Committees, r.ScopeID)
		case access.Member:
			s.Persons = append(s.Persons, r.ScopeID)
		}
	}
	for _, l := range []*[]string{&s.Subdistricts, &s.Units, &s.Committees, &s.Persons} {
		*l = slices.Compact(slices.Sorted(slices.Values(*l)))
	}
	return s
}

// Inbox returns what waits for the viewer of ctx, the nearest deadline
// first and items without one last, oldest first.
func (s *Service) Inbox(ctx context.Context, p page.Page) (*page.Conn[Item], error) {
	sc := ScopeOf(access.From(ctx))
	if sc.Empty() {
		return &page.Conn[Item]{HasPrev: p.After != "", HasNext: p.Before != ""}, nil
	}
	return s.store.Inbox(ctx, sc, p)
}
