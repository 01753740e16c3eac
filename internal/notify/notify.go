// Package notify holds what the platform tells people: the inbox of what
// waits for each person (computed from the records), and notifications,
// one durable record per recipient account written in the same transaction
// as the change that causes it (a transactional outbox), from which
// deliveries beyond the page (webhooks, SMS) are queued as jobs of that
// same transaction.
//
// Other domains notify through Add, inside the transaction of their change:
//
//	notes.Add(ctx, notify.Note{SubdistrictID: sd, To: notify.Audience{Units: []string{unitID}},
//		Kind: notify.BookingRequested, ObjectType: "Booking", ObjectID: b.ID})
package notify

import (
	"context"
	"strings"
	"time"

	"cogov/internal/access"
	"cogov/internal/clock"
	"cogov/internal/page"
	"cogov/internal/problem"
)

// Kind is what happened.
type Kind string

// Notification kinds. Another domain adds its own kinds here (and to the
// schema's NotificationKind).
const (
	BookingRequested   Kind = "BOOKING_REQUESTED"   // to the venue unit's administrators
	BookingApproved    Kind = "BOOKING_APPROVED"    // to the booking committee's administrators
	BookingRejected    Kind = "BOOKING_REJECTED"    // to the booking committee's administrators
	BookingCancelled   Kind = "BOOKING_CANCELLED"   // to the booking committee's and the venue unit's administrators
	BookingAffected    Kind = "BOOKING_AFFECTED"    // a closure hits a booking: to the booking committee's administrators
	BookingReminder    Kind = "BOOKING_REMINDER"    // before an approved booking: to the booking committee's administrators
	BookingNoShow      Kind = "BOOKING_NO_SHOW"     // not checked in: to the booking committee's and the venue unit's administrators
	WaitlistOffered    Kind = "WAITLIST_OFFERED"    // a window a committee waits for is free and held for it
	MeetingReminder    Kind = "MEETING_REMINDER"    // before a joint meeting: to the invited people
	InvitationSent     Kind = "INVITATION_SENT"     // to the invited people
	MeetingCancelled   Kind = "MEETING_CANCELLED"   // to the invited people
	MeetingRescheduled Kind = "MEETING_RESCHEDULED" // to the invited people
	NeedEscalatedTo    Kind = "NEED_ESCALATED"      // to the administrators of the level it reached
	ProjectIsOverdue   Kind = "PROJECT_OVERDUE"     // to the owner's administrators
	BookingMoved       Kind = "BOOKING_MOVED"       // to the booking committee's and the old and new venue units' administrators
	ClosureLifted      Kind = "CLOSURE_LIFTED"      // the closure that hit a booking was lifted: to the booking committee's administrators
)

// Audience is who a notification goes to: the administrators of units,
// committees and sub-districts, of the party committees of Communities,
// the accounts of people (their MEMBER role), of the people invited to
// Meetings, and accounts by id. The account that acts is left out: it knows.
type Audience struct {
	Units, Committees, Subdistricts, Communities, Persons, Meetings, Accounts []string
}

// Empty reports whether the audience names nobody.
func (a Audience) Empty() bool {
	return len(a.Units)+len(a.Committees)+len(a.Subdistricts)+len(a.Communities)+len(a.Persons)+len(a.Meetings)+len(a.Accounts) == 0
}

// Note is one event to tell an audience about, about one record.
type Note struct {
	SubdistrictID string
	To            Audience
	Kind          Kind
	ObjectType    string // the GraphQL type of the record: Booking, JointMeeting, Need, Project, ...
	ObjectID      string
	Text          string // a reason or detail, shown after the kind's label; at most 1000 characters
	Demo          bool
}

// Notification is one note as one account received it.
type Notification struct {
	ID            string
	SubdistrictID string
	AccountID     string
	Kind          Kind
	ObjectType    string
	ObjectID      string
	Text          string
	Demo          bool
	CreatedAt     time.Time
	ReadAt        *time.Time
}

// Store is what the service needs from persistence.
type Store interface {
	Inbox(ctx context.Context, s InboxScope, p page.Page) (*page.Conn[Item], error)
	// AddNotifications writes one notification per account of each note's
	// audience (but the acting account) in the transaction ctx carries, or
	// in one of its own.
	AddNotifications(ctx context.Context, notes []Note) error
	// Notifications lists an account's notifications, newest first.
	Notifications(ctx context.Context, accountID string, unreadOnly bool, p page.Page) (*page.Conn[Notification], error)
	// UnreadCount counts an account's unread notifications.
	UnreadCount(ctx context.Context, accountID string) (int, error)
	// MarkRead marks the account's notifications ids (all with nil) read at
	// now and returns how many it marked.
	MarkRead(ctx context.Context, accountID string, ids []string, all bool) (int, error)
	// NotificationsByID fetches notifications by id, those the viewer may read.
	NotificationsByID(ctx context.Context, ids []string) (map[string]Notification, error)
}

// Service reads inboxes and writes and reads notifications.
type Service struct {
	store Store
	// Now tells the time.
	Now clock.Clock
	// Deliver, when set, is called with the notes of each Add, in its
	// transaction: the delivery jobs are inserted there (internal/jobs).
	Deliver func(ctx context.Context, notes []Note) error
	// Schedule, when set, queues timers in the caller's transaction (Later).
	Schedule func(ctx context.Context, ts []Timer) error
	// Unschedule, when set, drops the pending timers of records in the
	// caller's transaction (Forget).
	Unschedule func(ctx context.Context, objectIDs []string) error
}

// NewService returns a Service over store that tells the time by now.
func NewService(store Store, now clock.Clock) *Service { return &Service{store: store, Now: now} }

// Add records notes for their audiences. Call it inside the transaction of
// the change the notes are about (the store's InTx), so that a change that
// is refused notifies no one and a change that commits cannot lose its
// notifications. A nil *Service adds nothing.
func (s *Service) Add(ctx context.Context, notes ...Note) error {
	if s == nil {
		return nil
	}
	keep := notes[:0:0]
	for _, n := range notes {
		if n.To.Empty() {
			continue
		}
		n.Text = strings.TrimSpace(n.Text)
		if r := []rune(n.Text); len(r) > 1000 {
			n.Text = string(r[:1000])
		}
		keep = append(keep, n)
	}
	if len(keep) == 0 {
		return nil
	}
	if err := s.store.AddNotifications(ctx, keep); err != nil || s.Deliver == nil {
		return err
	}
	return s.Deliver(ctx, keep)
}

// List returns the viewer's notifications, newest first; only the unread
// with unreadOnly. Anonymous visitors have none.
func (s *Service) List(ctx context.Context, unreadOnly bool, p page.Page) (*page.Conn[Notification], error) {
	v := access.From(ctx)
	if v.AccountID == "" {
		return &page.Conn[Notification]{HasPrev: p.After != ""}, nil
	}
	return s.store.Notifications(ctx, v.AccountID, unreadOnly, p)
}

// UnreadCount counts the viewer's unread notifications.
func (s *Service) UnreadCount(ctx context.Context) (int, error) {
	v := access.From(ctx)
	if v.AccountID == "" {
		return 0, nil
	}
	return s.store.UnreadCount(ctx, v.AccountID)
}

// MarkRead marks the viewer's notifications ids read, or all of them with
// all; ids of others' notifications are not touched. It returns how many
// were marked.
func (s *Service) MarkRead(ctx context.Context, ids []string, all bool) (int, error) {
	v := access.From(ctx)
	if v.AccountID == "" {
		return 0, problem.New(problem.Forbidden, "sign in to read your notifications")
	}
	if !all && len(ids) == 0 {
		return 0, problem.New(problem.InvalidInput, "give the notifications to mark, or all", "ids")
	}
	if len(ids) > 100 {
		return 0, problem.New(problem.InvalidInput, "at most 100 notifications at once", "ids")
	}
	return s.store.MarkRead(ctx, v.AccountID, ids, all)
}

// Get returns one of the viewer's notifications; problem.ErrNotFound for
// another's or none.
func (s *Service) Get(ctx context.Context, id string) (Notification, error) {
	m, err := s.store.NotificationsByID(ctx, []string{id})
	if err != nil {
		return Notification{}, err
	}
	n, ok := m[id]
	if !ok || n.AccountID != access.From(ctx).AccountID {
		return Notification{}, problem.ErrNotFound
	}
	return n, nil
}
