package meeting_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"cogov/internal/booking"
	"cogov/internal/meeting"
	"cogov/internal/notify"
	"cogov/internal/problem"
	"cogov/internal/testworld"
)

// TestRescheduleMovesReminders: rescheduling a meeting sets reminders for
// its new start, and those of the old start do nothing when they run; a
// venue that cannot take the new time refuses the reschedule and nothing
// moves, no timer is set and nobody is told; P1's accepted answer goes back
// to PENDING with a new time and stays with a new venue only.
func TestRescheduleMovesReminders(t *testing.T) {
	t.Parallel()
	tw := testworld.NewTown(t)
	var mu sync.Mutex
	var set []notify.Timer
	notes := notify.NewService(tw.Store, tw.Clock)
	notes.Schedule = func(_ context.Context, ts []notify.Timer) error {
		mu.Lock()
		defer mu.Unlock()
		set = append(set, ts...)
		return nil
	}
	svc := tw.Meetings
	svc.Notes, tw.Bookings.Notes = notes, notes
	seat := tw.P1Seat()
	account := tw.Unique("p1-")
	tw.SysRow(`WITH a AS (INSERT INTO account (username, password_hash, subdistrict_id) VALUES ($1, 'x', $2) RETURNING id)
		INSERT INTO account_role (account_id, kind, scope_id, subdistrict_id) SELECT id, 'MEMBER', $3, $2 FROM a RETURNING account_id`,
		account, tw.SD, tw.P1).Scan(&account)
	reminders := func(meetingID string) int {
		return tw.Count(`SELECT count(*) FROM notification WHERE account_id = $1 AND kind = 'MEETING_REMINDER' AND object_id = $2`, account, meetingID)
	}
	venue, other := tw.Venue(), tw.Venue()
	start, end := tw.Slot()
	start, end = start.Add(72*time.Hour), end.Add(72*time.Hour) // past the reminders' lead times
	ms, err := svc.ScheduleJointMeeting(tw.Admin, meeting.Schedule{ConvenerIDs: []string{tw.PC}, Title: "联席会议", Start: start, End: end, VenueID: &venue})
	tw.Must(err)
	m := ms[0]
	var inv string
	tw.SysRow(`SELECT id FROM invitation WHERE meeting_id = $1 AND membership_id = $2`, m.ID, seat).Scan(&inv)
	if _, err := svc.Respond(tw.Admin, inv, meeting.Accepted); err != nil {
		t.Fatal(err)
	}
	old := append([]notify.Timer(nil), set...)
	if len(old) != 2 || !old[0].Expect.Equal(start) {
		t.Fatalf("timers of the new meeting: %+v", old)
	}
	answer := func() meeting.Response {
		var r meeting.Response
		tw.SysRow(`SELECT response FROM invitation WHERE id = $1`, inv).Scan(&r)
		return r
	}

	// The other venue is taken at the new time: refused, nothing moves.
	to := start.Add(48 * time.Hour)
	if _, err := tw.Bookings.RequestBooking(tw.CommitteeAdmin(tw.WC, tw.SD), bookingAt(other, tw.WC, to)); err != nil {
		t.Fatal(err)
	}
	set = nil
	before := tw.AuditCount()
	_, err = svc.RescheduleJointMeeting(tw.Admin, meeting.Reschedule{MeetingID: m.ID, Start: to, End: to.Add(end.Sub(start)), VenueID: &other})
	if !problem.Has(err, problem.BookingConflict) || len(set) != 0 || tw.AuditCount() != before || answer() != meeting.Accepted ||
		tw.Count(`SELECT count(*) FROM notification WHERE kind = 'MEETING_RESCHEDULED'`) != 0 {
		t.Errorf("refused reschedule: %v, %d timers, audit %d → %d, answer %s", err, len(set), before, tw.AuditCount(), answer())
	}

	// The same venue, the new time: the reminders follow.
	moved, err := svc.RescheduleJointMeeting(tw.Admin, meeting.Reschedule{MeetingID: m.ID, Start: to, End: to.Add(end.Sub(start)), Reason: "改期"})
	tw.Must(err)
	if !moved.Start.Equal(to) || len(set) != 2 || !set[0].Expect.Equal(to) || answer() != meeting.Pending {
		t.Errorf("rescheduled: start %v, timers %+v, answer %s", moved.Start, set, answer())
	}
	var bookedAt time.Time
	tw.SysRow(`SELECT lower(during) FROM booking WHERE id = $1`, *m.BookingID).Scan(&bookedAt)
	if *moved.BookingID != *m.BookingID || !bookedAt.Equal(to) {
		t.Errorf("the booking did not move with the meeting: %v at %v", moved.BookingID, bookedAt)
	}
	for _, x := range old {
		tw.Must(svc.RunTimer(testworld.System(), x))
	}
	if n := reminders(m.ID); n != 0 {
		t.Errorf("%d reminders for the old time", n)
	}
	for _, x := range set {
		tw.Must(svc.RunTimer(testworld.System(), x))
	}
	if n := reminders(m.ID); n != 2 {
		t.Errorf("%d reminders for the new time, want 2", n)
	}

	// A new venue only: the answers and the reminders stay.
	if _, err := svc.Respond(tw.Admin, inv, meeting.Declined); err != nil {
		t.Fatal(err)
	}
	set = nil
	third := tw.Venue()
	if _, err := svc.RescheduleJointMeeting(tw.Admin, meeting.Reschedule{MeetingID: m.ID, Start: to, End: to.Add(end.Sub(start)), VenueID: &third}); err != nil {
		t.Fatal(err)
	}
	var at string
	tw.SysRow(`SELECT venue_id::text FROM booking WHERE id = $1`, *m.BookingID).Scan(&at)
	if at != third || answer() != meeting.Declined || len(set) != 0 {
		t.Errorf("venue change: booking at %s, answer %s, %d new timers", at, answer(), len(set))
	}
}

// bookingAt asks for venue for committee for an hour from start.
func bookingAt(venue, committee string, start time.Time) booking.Request {
	return booking.Request{VenueID: venue, CommitteeID: committee, Start: start, End: start.Add(time.Hour), Purpose: "活动", ExpectedAttendees: 5}
}
