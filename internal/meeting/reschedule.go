package meeting

import (
	"context"
	"strings"
	"time"

	"cogov/internal/access"
	"cogov/internal/booking"
	"cogov/internal/notify"
	"cogov/internal/problem"
)

// Reschedule is the input of RescheduleJointMeeting.
type Reschedule struct {
	MeetingID  string
	Start, End time.Time
	// VenueID, when set, is where to meet: the meeting's booking moves
	// there, or one is requested when it has none that holds its time.
	// Nil keeps the booked venue (or none).
	VenueID *string
	Reason  string
}

// RescheduleJointMeeting moves a planned meeting that has not started to a
// new time (and, with VenueID, to a new venue), in one transaction: its
// booking moves with it through the booking service's MoveBooking, under
// the same rules and codes as a new request, and if the booking cannot
// move, nothing changes. Administrators of a convener may. Every invited
// person hears of it (MEETING_RESCHEDULED), and the reminders follow the
// new time.
//
// The invitations stay, but when the time changes the answers go back to
// PENDING: an acceptance was given for the old time, and a member who
// could come then may not be able to now, so each is asked again (the
// invitation is back in their inbox). A change of venue only keeps them.
func (s *Service) RescheduleJointMeeting(ctx context.Context, in Reschedule) (Meeting, error) {
	var l problem.List
	if !in.End.After(in.Start) {
		l.Add(problem.InvalidInput, "a meeting must end after it starts", "endsAt")
	} else if in.End.Sub(in.Start) > maxLength {
		l.Add(problem.InvalidInput, "a meeting lasts at most 24 hours", "endsAt")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if len([]rune(in.Reason)) > 500 {
		l.Add(problem.InvalidInput, "reason is too long", "reason")
	}
	now := s.Now()
	if !in.Start.After(now) {
		l.Add(problem.InvalidInput, "a meeting can only be moved to a time to come", "startsAt")
	}
	if err := l.Err(); err != nil {
		return Meeting{}, err
	}
	var out Meeting
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var old Meeting
		var err error
		// The meeting is locked until the transaction ends, so that two
		// reschedules of it take turns.
		out, err = s.change(ctx, in.MeetingID, "meeting.reschedule", in.Reason, func(c *Change) error {
			m := &c.Meeting
			old = *m
			if m.Status != Planned {
				return invalidState(*m, "rescheduled")
			}
			if !m.Start.After(now) {
				return problem.New(problem.InvalidState, "a meeting that has started cannot be moved: record its outcome or cancel it", "meetingId")
			}
			if m.Start.Equal(in.Start) && m.End.Equal(in.End) && in.VenueID == nil {
				return problem.New(problem.InvalidInput, "the meeting is already then", "startsAt")
			}
			m.Start, m.End = in.Start, in.End
			c.ResetAnswers = !old.Start.Equal(in.Start) || !old.End.Equal(in.End)
			return nil
		})
		if err != nil {
			return err
		}
		if out, err = s.rebook(ctx, out, in); err != nil {
			return err
		}
		text := in.Reason
		if text == "" {
			text = out.Title
		}
		if err := s.tell(ctx, out, notify.MeetingRescheduled, text); err != nil {
			return err
		}
		if old.Start.Equal(out.Start) {
			return nil // the reminders set for this start still hold
		}
		return s.reminders(ctx, out)
	})
	return out, err
}

// rebook moves the booking of meeting m (already at its new time) with it,
// or books in.VenueID when m has no booking that holds its time, and
// records a new booking on the meeting.
func (s *Service) rebook(ctx context.Context, m Meeting, in Reschedule) (Meeting, error) {
	if m.BookingID != nil {
		bs, err := s.store.BookingsByID(ctx, []string{*m.BookingID})
		if err != nil {
			return m, err
		}
		if b, ok := bs[*m.BookingID]; ok && b.Status.Holds() {
			mv := booking.Move{BookingID: b.ID, Start: m.Start, End: m.End}
			if in.VenueID != nil {
				mv.VenueID = *in.VenueID
			}
			if mv.VenueID == b.VenueID && b.Start.Equal(m.Start) && b.End.Equal(m.End) {
				return m, nil // the booking is already there
			}
			_, err := s.bookings.MoveBooking(asConveners(ctx, m), mv)
			return m, err
		}
	}
	if in.VenueID == nil {
		return m, nil // no venue was booked, or its booking was released: none is asked for
	}
	// Book for the first convener the viewer administers, as a new meeting does.
	v := access.From(ctx)
	bookFor := m.ConvenerIDs[0]
	for _, c := range m.ConvenerIDs {
		if v.AdministersCommittee(c, m.SubdistrictID) {
			bookFor = c
			break
		}
	}
	invited, err := s.store.InvitedCount(ctx, m.ID)
	if err != nil {
		return m, err
	}
	res, err := s.bookings.RequestBooking(asConveners(ctx, m), booking.Request{VenueID: *in.VenueID, CommitteeID: bookFor, Start: m.Start,
		End: m.End, Purpose: m.Title, ExpectedAttendees: max(1, invited), Demo: m.Demo})
	if err != nil {
		return m, err
	}
	id := res.Bookings[0].ID
	return s.store.ChangeMeeting(ctx, m.ID, "meeting.venue", "", func(c *Change) error {
		c.Meeting.BookingID = &id
		return nil
	})
}
