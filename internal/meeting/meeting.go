// Package meeting holds joint meetings (联席会议): one or more committees of a
// sub-district convene a meeting with an ordered agenda, invite members,
// optionally book a venue for it under the booking rules, and afterwards
// record attendance, minutes and resolutions. It is plain Go; the store
// persists it and row-level security keeps meetings inside their
// sub-district.
package meeting

import "time"

// Status is where a meeting is in its lifecycle: PLANNED → HELD or CANCELLED.
type Status string

// Meeting statuses.
const (
	Planned   Status = "PLANNED"
	Held      Status = "HELD"
	Cancelled Status = "CANCELLED"
)

// Response is an invited member's answer.
type Response string

// Responses.
const (
	Pending  Response = "PENDING"
	Accepted Response = "ACCEPTED"
	Declined Response = "DECLINED"
	// Withdrawn: the meeting was cancelled.
	Withdrawn Response = "WITHDRAWN"
)

// Meeting is a joint meeting.
type Meeting struct {
	ID            string
	SubdistrictID string
	Title         string
	Start, End    time.Time
	BookingID     *string
	Status        Status
	Minutes       string
	SeriesID      *string // the first meeting of its monthly series; nil for a single meeting
	CancelReason  string
	ConvenerIDs   []string // the convening committees, in the order given
	Demo          bool
	CreatedAt     time.Time
}

// AgendaItem is one item of a meeting's agenda.
type AgendaItem struct {
	ID                    string
	MeetingID             string
	Position              int
	Title                 string
	DurationMinutes       *int
	PresenterMembershipID *string
	NeedID                *string // the escalated need the item takes up, if any
}

// Invitation is a seat invited to a meeting and its answer.
type Invitation struct {
	ID            string
	SubdistrictID string
	MeetingID     string
	MembershipID  string
	Response      Response
	RespondedAt   *time.Time
}

// Resolution is a decision a meeting took.
type Resolution struct {
	ID            string
	SubdistrictID string
	MeetingID     string
	Position      int
	Text          string
}

// Member is what the service needs to know of a seat.
type Member struct {
	ID            string
	SubdistrictID string
	CommitteeID   string
	PersonID      string
	Current       bool // the term includes today in the sub-district's time zone
}
