package meeting

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"cogov/internal/access"
	"cogov/internal/booking"
	"cogov/internal/clock"
	"cogov/internal/notify"
	"cogov/internal/problem"
)

// Change is what Store.ChangeMeeting writes after apply: the meeting's own
// fields and, when set, the attendance to replace, resolutions to add and an
// agenda item to append.
type Change struct {
	Meeting        Meeting
	Attendees      *[]string // membership ids
	AddResolutions []string
	AddAgenda      *AgendaItem
	// ReplaceAgenda, when set, replaces the items that take up no need;
	// those that do follow it.
	ReplaceAgenda *[]AgendaItem
	// ResetAnswers sets the answered invitations back to PENDING.
	ResetAnswers bool
}

// Store is what the service needs from persistence. Writes run in one
// audited transaction each; the change methods lock the record, call apply
// and write the result, and apply's error aborts the write.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	CommitteeSubdistricts(ctx context.Context, committeeIDs []string) (map[string]string, error)
	MembersByID(ctx context.Context, ids []string) (map[string]Member, error)
	CurrentMembers(ctx context.Context, committeeIDs []string) ([]Member, error)
	CreateMeeting(ctx context.Context, m Meeting, agenda []AgendaItem, invitees []string) (Meeting, error)
	ChangeMeeting(ctx context.Context, id, action, note string, apply func(*Change) error) (Meeting, error)
	ChangeInvitation(ctx context.Context, id string, apply func(*Invitation, Meeting, Member) error) (Invitation, error)
	MeetingsByID(ctx context.Context, ids []string) (map[string]Meeting, error)
	// WithdrawInvitations withdraws the invitations of a meeting.
	WithdrawInvitations(ctx context.Context, meetingID string) error
	BookingsByID(ctx context.Context, ids []string) (map[string]booking.Booking, error)
	InvitedCount(ctx context.Context, meetingID string) (int, error)
}

// Bookings is the booking service a meeting books its venue through, so that
// the same rules and codes apply as to requestBooking.
type Bookings interface {
	RequestBooking(ctx context.Context, in booking.Request) (booking.Result, error)
	Cancel(ctx context.Context, id string, version *int, reason string, scope booking.CancelScope) (booking.Booking, error)
	RecordAttendance(ctx context.Context, id string, version *int, actual int) (booking.Booking, error)
	MoveBooking(ctx context.Context, in booking.Move) (booking.Booking, error)
}

// Service applies the rules of joint meetings.
type Service struct {
	store    Store
	bookings Bookings
	// Now tells the time.
	Now clock.Clock
	// Notes, when set, records the notifications of each change in the
	// change's transaction.
	Notes *notify.Service
	// Reminders are the lead times of reminders before a meeting;
	// booking.DefaultReminders when nil.
	Reminders []time.Duration
}

// tell notifies the people invited to meeting m, in the transaction of ctx.
func (s *Service) tell(ctx context.Context, m Meeting, kind notify.Kind, text string) error {
	return s.Notes.Add(ctx, notify.Note{SubdistrictID: m.SubdistrictID, To: notify.Audience{Meetings: []string{m.ID}}, Kind: kind,
		ObjectType: "JointMeeting", ObjectID: m.ID, Text: text, Demo: m.Demo})
}

// TimerReminder is the kind of a reminder timer of a meeting.
const TimerReminder = "meeting.reminder"

// reminders sets the reminders of a planned meeting (booking.DefaultReminders'
// lead times, or Reminders).
func (s *Service) reminders(ctx context.Context, m Meeting) error {
	leads := s.Reminders
	if leads == nil {
		leads = booking.DefaultReminders
	}
	now := s.Now()
	var ts []notify.Timer
	for _, lead := range leads {
		if at := m.Start.Add(-lead); at.After(now) {
			ts = append(ts, notify.Timer{Kind: TimerReminder, SubdistrictID: m.SubdistrictID, ObjectID: m.ID, At: at, Expect: m.Start, Lead: lead})
		}
	}
	return s.Notes.Later(ctx, ts...)
}

// RunTimer reminds the invited people of a meeting that is still planned at
// the time the reminder was set for.
func (s *Service) RunTimer(ctx context.Context, t notify.Timer) error {
	ms, err := s.store.MeetingsByID(ctx, []string{t.ObjectID})
	if err != nil {
		return err
	}
	m, ok := ms[t.ObjectID]
	if !ok || m.Status != Planned || !m.Start.Equal(t.Expect) {
		return nil
	}
	return s.tell(ctx, m, notify.MeetingReminder, m.Title)
}

// NewService returns a Service over store that books venues through bookings.
func NewService(store Store, bookings Bookings, now clock.Clock) *Service {
	return &Service{store: store, bookings: bookings, Now: now}
}

const (
	maxTitle       = 200
	maxText        = 2000
	maxMinutes     = 50000
	maxConveners   = 20
	maxAgenda      = 50
	maxInvitees    = 500
	maxResolutions = 50
	maxMonths      = 12
	maxLength      = 24 * time.Hour
)

func forbidden(what string) error { return problem.New(problem.Forbidden, "you may not "+what) }

// administers reports whether v administers one of the conveners of m.
func administers(v access.Viewer, m Meeting) bool {
	for _, c := range m.ConvenerIDs {
		if v.AdministersCommittee(c, m.SubdistrictID) {
			return true
		}
	}
	return false
}

// AgendaInput is one agenda item asked for.
type AgendaInput struct {
	Title                 string
	DurationMinutes       *int
	PresenterMembershipID *string
}

// Schedule is the input of ScheduleJointMeeting.
type Schedule struct {
	ConvenerIDs []string
	Title       string
	Start, End  time.Time
	VenueID     *string
	Agenda      []AgendaInput
	// InviteeMembershipIDs nil invites every current member of the
	// conveners, part-time members included; a list invites exactly those seats.
	InviteeMembershipIDs []string
	// MonthlyOccurrences > 1 schedules a monthly series: the same time on
	// the same day of the following months, each booked in turn.
	MonthlyOccurrences int
	Demo               bool
}

// ScheduleJointMeeting convenes a meeting (or a monthly series of them).
// The viewer must administer every convening committee (or the
// sub-district): convening in another committee's name needs its consent.
// With a venue each meeting books it through the booking service for the
// first convener the viewer administers; if any booking is refused, nothing
// is written.
func (s *Service) ScheduleJointMeeting(ctx context.Context, in Schedule) ([]Meeting, error) {
	var l problem.List
	in.Title = l.RequireText(in.Title, maxTitle, "title")
	if !in.End.After(in.Start) {
		l.Add(problem.InvalidInput, "a meeting must end after it starts", "endsAt")
	} else if in.End.Sub(in.Start) > maxLength {
		l.Add(problem.InvalidInput, "a meeting lasts at most 24 hours", "endsAt")
	}
	conveners := in.ConvenerIDs
	if len(in.ConvenerIDs) == 0 || len(in.ConvenerIDs) > maxConveners {
		l.Add(problem.InvalidInput, "give one to 20 convening committees", "convenerIds")
	} else if len(uniq(in.ConvenerIDs)) != len(in.ConvenerIDs) {
		l.Add(problem.InvalidInput, "a committee is named twice", "convenerIds")
	}
	checkAgenda(&l, in.Agenda)
	if len(in.InviteeMembershipIDs) > maxInvitees {
		l.Add(problem.InvalidInput, "at most 500 invitees", "inviteeMembershipIds")
	}
	if in.MonthlyOccurrences == 0 {
		in.MonthlyOccurrences = 1
	}
	if in.MonthlyOccurrences < 1 || in.MonthlyOccurrences > maxMonths {
		l.Add(problem.InvalidInput, "a monthly series has 1 to 12 meetings", "monthlyOccurrences")
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	sds, err := s.store.CommitteeSubdistricts(ctx, conveners)
	if err != nil {
		return nil, err
	}
	sd := ""
	for _, c := range conveners {
		csd, ok := sds[c]
		switch {
		case !ok:
			return nil, problem.New(problem.NotFound, "no such committee", "convenerIds")
		case sd == "":
			sd = csd
		case csd != sd:
			return nil, problem.New(problem.WrongSubdistrict, "the convening committees belong to different sub-districts", "convenerIds")
		}
	}
	v := access.From(ctx)
	bookFor := ""
	for _, c := range conveners {
		if !v.AdministersCommittee(c, sd) {
			return nil, forbidden("convene a meeting in the name of a committee you do not administer")
		}
		if bookFor == "" {
			bookFor = c
		}
	}
	// Seats named in the input must be of this sub-district.
	var named []string
	for _, a := range in.Agenda {
		if a.PresenterMembershipID != nil {
			named = append(named, *a.PresenterMembershipID)
		}
	}
	named = append(named, in.InviteeMembershipIDs...)
	members, err := s.store.MembersByID(ctx, uniq(named))
	if err != nil {
		return nil, err
	}
	for _, a := range in.Agenda {
		if a.PresenterMembershipID != nil {
			checkSeat(&l, members, *a.PresenterMembershipID, sd, "agenda")
		}
	}
	for _, id := range in.InviteeMembershipIDs {
		if m := checkSeat(&l, members, id, sd, "inviteeMembershipIds"); m != nil && !m.Current {
			l.Add(problem.InvalidInput, "an invitee's term is not current", "inviteeMembershipIds")
		}
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	invitees := uniq(in.InviteeMembershipIDs)
	if in.InviteeMembershipIDs == nil {
		cur, err := s.store.CurrentMembers(ctx, conveners)
		if err != nil {
			return nil, err
		}
		invitees = []string{}
		for _, m := range cur {
			invitees = append(invitees, m.ID)
		}
		invitees = uniq(invitees)
	}
	agenda := make([]AgendaItem, len(in.Agenda))
	for i, a := range in.Agenda {
		agenda[i] = AgendaItem{Position: i + 1, Title: a.Title, DurationMinutes: a.DurationMinutes, PresenterMembershipID: a.PresenterMembershipID}
	}
	if in.MonthlyOccurrences > 1 && in.Start.Day() > 28 {
		return nil, problem.New(problem.InvalidInput, "a monthly series starts on day 1 to 28, which every month has", "startsAt")
	}
	var out []Meeting
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		out = nil
		var series *string
		length := in.End.Sub(in.Start)
		for i := 0; i < in.MonthlyOccurrences; i++ {
			start := in.Start.AddDate(0, i, 0)
			m := Meeting{SubdistrictID: sd, Title: in.Title, Start: start, End: start.Add(length), Status: Planned,
				ConvenerIDs: conveners, SeriesID: series, Demo: in.Demo}
			if in.VenueID != nil {
				res, err := s.bookings.RequestBooking(ctx, booking.Request{VenueID: *in.VenueID, CommitteeID: bookFor, Start: m.Start,
					End: m.End, Purpose: in.Title, ExpectedAttendees: max(1, len(invitees)), Demo: in.Demo})
				if err != nil {
					if in.MonthlyOccurrences > 1 {
						return prefix(err, start.Format("2006-01-02")+": ")
					}
					return err
				}
				m.BookingID = &res.Bookings[0].ID
			}
			created, err := s.store.CreateMeeting(ctx, m, agenda, invitees)
			if err != nil {
				return err
			}
			if err := s.tell(ctx, created, notify.InvitationSent, created.Title); err != nil {
				return err
			}
			if err := s.reminders(ctx, created); err != nil {
				return err
			}
			if in.MonthlyOccurrences > 1 && series == nil {
				series = &created.ID
				// The first meeting heads its own series.
				if created, err = s.store.ChangeMeeting(ctx, created.ID, "meeting.series", "", func(c *Change) error {
					c.Meeting.SeriesID = series
					return nil
				}); err != nil {
					return err
				}
			}
			out = append(out, created)
		}
		return nil
	})
	return out, err
}

func prefix(err error, p string) error {
	l, ok := problem.As(err)
	if !ok {
		return err
	}
	out := make(problem.List, len(l))
	for i, pr := range l {
		pr.Message = p + pr.Message
		out[i] = pr
	}
	return out
}

func checkSeat(l *problem.List, members map[string]Member, id, sd, field string) *Member {
	m, ok := members[id]
	switch {
	case !ok:
		l.Add(problem.NotFound, "no such membership", field)
		return nil
	case m.SubdistrictID != sd:
		l.Add(problem.WrongSubdistrict, "the membership belongs to another sub-district", field)
		return nil
	}
	return &m
}

func uniq(ids []string) []string {
	out := []string{}
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// change runs apply on meeting id after checking the viewer administers a convener.
func (s *Service) change(ctx context.Context, id, action, note string, apply func(*Change) error) (Meeting, error) {
	m, err := s.store.ChangeMeeting(ctx, id, action, note, func(c *Change) error {
		if !administers(access.From(ctx), c.Meeting) {
			if CanSee(access.From(ctx), c.Meeting.SubdistrictID) {
				return forbidden("change this meeting")
			}
			return problem.New(problem.NotFound, "no such meeting", "meetingId")
		}
		return apply(c)
	})
	if errors.Is(err, problem.ErrNotFound) {
		return m, problem.New(problem.NotFound, "no such meeting", "meetingId")
	}
	return m, err
}

func invalidState(m Meeting, what string) error {
	return problem.New(problem.InvalidState, fmt.Sprintf("a %s meeting cannot be %s", strings.ToLower(string(m.Status)), what), "meetingId")
}

// onBooking runs fn, which acts on the meeting's booking through the booking
// service, as the viewer with the right to act for the booking committee:
// an administrator of any convener may release or complete the meeting's
// booking even when another convener booked it.
func onBooking(ctx context.Context, m Meeting, b func(ctx context.Context) error) error {
	err := b(asConveners(ctx, m))
	if problem.Has(err, problem.InvalidState) {
		return nil // already cancelled, rejected or completed: nothing to do
	}
	return err
}

// asConveners is ctx with a viewer who also administers every convener of
// m, to act on the meeting's booking (see onBooking).
func asConveners(ctx context.Context, m Meeting) context.Context {
	v := access.From(ctx)
	v.Roles = slices.Clone(v.Roles)
	for _, c := range m.ConvenerIDs {
		v.Roles = append(v.Roles, access.Role{Kind: access.CommitteeAdmin, ScopeID: c, SubdistrictID: m.SubdistrictID})
	}
	return access.With(ctx, v)
}

// Cancel calls off a planned meeting with a reason and releases its booking.
func (s *Service) Cancel(ctx context.Context, id, reason string) (Meeting, error) {
	var l problem.List
	reason = l.RequireText(reason, 500, "reason")
	if err := l.Err(); err != nil {
		return Meeting{}, err
	}
	var out Meeting
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.change(ctx, id, "meeting.cancel", reason, func(c *Change) error {
			if c.Meeting.Status != Planned {
				return invalidState(c.Meeting, "cancelled")
			}
			c.Meeting.Status, c.Meeting.CancelReason = Cancelled, reason
			return nil
		})
		if err != nil {
			return err
		}
		// The invitations are withdrawn; the invited hear why.
		if err := s.store.WithdrawInvitations(ctx, out.ID); err != nil {
			return err
		}
		if err := s.tell(ctx, out, notify.MeetingCancelled, reason); err != nil {
			return err
		}
		if out.BookingID == nil {
			return nil
		}
		return onBooking(ctx, out, func(ctx context.Context) error {
			_, err := s.bookings.Cancel(ctx, *out.BookingID, nil, "联席会议取消："+reason, booking.ScopeOccurrence)
			return err
		})
	})
	return out, err
}

// Respond records an invited member's answer while the meeting is planned;
// the answer may change until then. The invited person may answer (as the
// MEMBER role of that person), and so may an administrator of a convener,
// who records answers given by phone or in person.
func (s *Service) Respond(ctx context.Context, invitationID string, r Response) (Invitation, error) {
	if r != Accepted && r != Declined {
		return Invitation{}, problem.New(problem.InvalidInput, "answer ACCEPTED or DECLINED", "response")
	}
	now := s.Now()
	inv, err := s.store.ChangeInvitation(ctx, invitationID, func(inv *Invitation, m Meeting, seat Member) error {
		v := access.From(ctx)
		if !v.IsPerson(seat.PersonID) && !administers(v, m) {
			if CanSee(v, m.SubdistrictID) {
				return forbidden("answer another member's invitation")
			}
			return problem.ErrNotFound
		}
		if m.Status != Planned {
			return invalidState(m, "answered")
		}
		inv.Response, inv.RespondedAt = r, &now
		return nil
	})
	if errors.Is(err, problem.ErrNotFound) {
		return inv, problem.New(problem.NotFound, "no such invitation", "invitationId")
	}
	return inv, err
}

// Outcome is the input of RecordOutcome.
type Outcome struct {
	AttendeeMembershipIDs []string
	Minutes               string
	Resolutions           []string
}

// RecordOutcome records, once a meeting has started, who attended, the
// minutes and the resolutions, which makes it HELD. Recording again
// corrects attendance and minutes; resolutions are only added, since
// projects may cite the earlier ones. A booked venue whose booking has
// ended is completed with the number of attendees, which feeds the figures.
func (s *Service) RecordOutcome(ctx context.Context, id string, in Outcome) (Meeting, error) {
	var l problem.List
	in.Minutes = strings.TrimSpace(in.Minutes)
	if len([]rune(in.Minutes)) > maxMinutes {
		l.Add(problem.InvalidInput, "the minutes are too long", "minutes")
	}
	if len(in.Resolutions) > maxResolutions {
		l.Add(problem.InvalidInput, "at most 50 resolutions", "resolutions")
	}
	for i := range in.Resolutions {
		in.Resolutions[i] = l.RequireText(in.Resolutions[i], maxText, "resolutions")
	}
	if len(in.AttendeeMembershipIDs) > maxInvitees {
		l.Add(problem.InvalidInput, "at most 500 attendees", "attendeeMembershipIds")
	}
	if err := l.Err(); err != nil {
		return Meeting{}, err
	}
	attendees := uniq(in.AttendeeMembershipIDs)
	members, err := s.store.MembersByID(ctx, attendees)
	if err != nil {
		return Meeting{}, err
	}
	now := s.Now()
	var out Meeting
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.change(ctx, id, "meeting.outcome", "", func(c *Change) error {
			m := &c.Meeting
			if m.Status == Cancelled {
				return invalidState(*m, "recorded")
			}
			if m.Start.After(now) {
				return problem.New(problem.InvalidState, "the outcome can be recorded once the meeting has started", "meetingId")
			}
			var l problem.List
			for _, a := range attendees {
				checkSeat(&l, members, a, m.SubdistrictID, "attendeeMembershipIds")
			}
			if err := l.Err(); err != nil {
				return err
			}
			m.Status, m.Minutes = Held, in.Minutes
			c.Attendees, c.AddResolutions = &attendees, in.Resolutions
			return nil
		})
		if err != nil || out.BookingID == nil || out.End.After(now) {
			return err
		}
		return onBooking(ctx, out, func(ctx context.Context) error {
			_, err := s.bookings.RecordAttendance(ctx, *out.BookingID, nil, len(attendees))
			return err
		})
	})
	return out, err
}

// checkAgenda checks the items of an agenda, trimming their titles.
func checkAgenda(l *problem.List, agenda []AgendaInput) {
	if len(agenda) > maxAgenda {
		l.Add(problem.InvalidInput, "at most 50 agenda items", "agenda")
	}
	for i := range agenda {
		a := &agenda[i]
		a.Title = l.RequireText(a.Title, maxTitle, "agenda")
		if a.DurationMinutes != nil && (*a.DurationMinutes < 1 || *a.DurationMinutes > 1440) {
			l.Add(problem.InvalidInput, "an agenda item lasts 1 to 1440 minutes", "agenda")
		}
	}
}

// SetAgenda replaces the agenda of a planned meeting with items, in order;
// administrators of a convener may. Items that take up an escalated need
// stay, after the new ones: the need's trail points at them.
func (s *Service) SetAgenda(ctx context.Context, meetingID string, items []AgendaInput) (Meeting, error) {
	var l problem.List
	checkAgenda(&l, items)
	if err := l.Err(); err != nil {
		return Meeting{}, err
	}
	var named []string
	for _, a := range items {
		if a.PresenterMembershipID != nil {
			named = append(named, *a.PresenterMembershipID)
		}
	}
	members, err := s.store.MembersByID(ctx, uniq(named))
	if err != nil {
		return Meeting{}, err
	}
	return s.change(ctx, meetingID, "meeting.agenda", "", func(c *Change) error {
		if c.Meeting.Status != Planned {
			return invalidState(c.Meeting, "given a new agenda")
		}
		var l problem.List
		agenda := make([]AgendaItem, len(items))
		for i, a := range items {
			if a.PresenterMembershipID != nil {
				checkSeat(&l, members, *a.PresenterMembershipID, c.Meeting.SubdistrictID, "agenda")
			}
			agenda[i] = AgendaItem{Position: i + 1, Title: a.Title, DurationMinutes: a.DurationMinutes, PresenterMembershipID: a.PresenterMembershipID}
		}
		c.ReplaceAgenda = &agenda
		return l.Err()
	})
}

// AddToAgenda appends an item taking up an escalated need to a planned
// meeting; administrators of a convener may.
func (s *Service) AddToAgenda(ctx context.Context, meetingID, title string, needID *string) error {
	_, err := s.change(ctx, meetingID, "meeting.agenda", title, func(c *Change) error {
		if c.Meeting.Status != Planned {
			return invalidState(c.Meeting, "given new agenda items")
		}
		c.AddAgenda = &AgendaItem{Title: title, NeedID: needID}
		return nil
	})
	return err
}

// AddCaseToAgenda appends an item taking up an escalated grid case to a
// planned meeting; administrators of a convener may, as for needs.
func (s *Service) AddCaseToAgenda(ctx context.Context, meetingID, title, caseID string) error {
	_, err := s.change(ctx, meetingID, "meeting.agenda", title, func(c *Change) error {
		if c.Meeting.Status != Planned {
			return invalidState(c.Meeting, "given new agenda items")
		}
		c.AddAgenda = &AgendaItem{Title: title, CaseID: &caseID}
		return nil
	})
	return err
}
