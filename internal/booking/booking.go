// Package booking holds shared venues and their bookings: what a venue is,
// when it is open, the rules for booking it, the lifecycle of a booking and
// the service that applies them. It is plain Go; the store package persists
// it and PostgreSQL's exclusion constraint guarantees, whatever this package
// checks first, that two bookings holding a venue never overlap.
package booking

import (
	"errors"
	"time"

	"cogov/internal/problem"
)

// ErrKeyTaken is returned by Store.CreateBookings when another request with
// the same idempotency key committed first; the service then replays it.
var ErrKeyTaken = errors.New("idempotency key taken")

// VenueKind says what a venue is.
type VenueKind string

// Venue kinds.
const (
	KindServiceSpace   VenueKind = "SERVICE_SPACE"
	KindActivityCentre VenueKind = "ACTIVITY_CENTRE"
	KindMeetingRoom    VenueKind = "MEETING_ROOM"
	KindHall           VenueKind = "HALL"
	KindSportsGround   VenueKind = "SPORTS_GROUND"
	KindCarPark        VenueKind = "CAR_PARK"
	KindOther          VenueKind = "OTHER"
)

// Valid reports whether k is a known kind.
func (k VenueKind) Valid() bool {
	switch k {
	case KindServiceSpace, KindActivityCentre, KindMeetingRoom, KindHall, KindSportsGround, KindCarPark, KindOther:
		return true
	}
	return false
}

// Eligibility says which committees may book a venue.
type Eligibility string

// Eligibilities.
const (
	AllCommittees    Eligibility = "ALL_COMMITTEES_OF_SUBDISTRICT"
	ListedCommittees Eligibility = "LISTED_COMMITTEES"
)

// Valid reports whether e is known.
func (e Eligibility) Valid() bool { return e == AllCommittees || e == ListedCommittees }

// Status is where a booking is in its lifecycle.
type Status string

// Booking statuses: PENDING → APPROVED or REJECTED; APPROVED → COMPLETED
// (attendance recorded) or CANCELLED; PENDING → CANCELLED.
const (
	Pending   Status = "PENDING"
	Approved  Status = "APPROVED"
	Rejected  Status = "REJECTED"
	Cancelled Status = "CANCELLED"
	Completed Status = "COMPLETED"
	// NoShow: approved but not checked in within the venue's grace period;
	// it no longer holds the venue.
	NoShow Status = "NO_SHOW"
)

// Holds reports whether a booking in status s holds the venue, so that no
// other booking may overlap it.
func (s Status) Holds() bool { return s == Pending || s == Approved }

// ConflictPolicy says what a recurring request does when some occurrences
// cannot be booked.
type ConflictPolicy string

// Conflict policies.
const (
	AllOrNothing  ConflictPolicy = "ALL_OR_NOTHING"
	SkipConflicts ConflictPolicy = "SKIP_CONFLICTS"
)

// CancelScope says whether a cancellation takes one occurrence or the series.
type CancelScope string

// Cancel scopes.
const (
	ScopeOccurrence CancelScope = "OCCURRENCE"
	ScopeSeries     CancelScope = "SERIES"
)

// Rules are a venue's booking rules.
type Rules struct {
	RequiresApproval     bool
	MinDurationMinutes   int
	MaxDurationMinutes   int
	MinNoticeMinutes     int
	MaxDaysAhead         int
	BufferMinutes        int
	Eligibility          Eligibility
	EligibleCommitteeIDs []string // when Eligibility is ListedCommittees
	WeeklyQuotaMinutes   *int     // per committee per ISO week in the venue's time zone; nil for none
	NoShowGraceMinutes   *int     // an approved booking not checked in this long after its start is a no-show; nil for never
}

// DefaultRules are the rules of a new venue: approval required, 30 minutes
// to 8 hours, up to 90 days ahead, open to every committee.
func DefaultRules() Rules {
	grace := 15
	return Rules{RequiresApproval: true, MinDurationMinutes: 30, MaxDurationMinutes: 480, MaxDaysAhead: 90, Eligibility: AllCommittees,
		NoShowGraceMinutes: &grace}
}

// Venue is a place a unit offers for committees to use.
type Venue struct {
	ID            string
	SubdistrictID string
	UnitID        string
	CommunityID   string
	TimeZone      string // the sub-district's; read only
	Name          string
	Kind          VenueKind
	Address       string
	AreaSqm       *float64
	Capacity      int
	Facilities    []string
	Description   string
	PhotoURLs     []string
	Active        bool
	Rules         Rules
	Demo          bool
}

// RequiresApproval reports whether bookings wait for the owner's approval.
func (v Venue) RequiresApproval() bool { return v.Rules.RequiresApproval }

// Location returns the venue's time zone; UTC if it is unknown.
func (v Venue) Location() *time.Location {
	loc, err := time.LoadLocation(v.TimeZone)
	if err != nil || v.TimeZone == "" {
		return time.UTC
	}
	return loc
}

// Hours is one weekly opening range: Weekday 1 (Monday) to 7 (Sunday), Opens
// and Closes in minutes after midnight, Closes up to 1440 (24:00).
type Hours struct {
	Weekday int
	Opens   int
	Closes  int
}

// Exception is a dated change to the weekly hours: Closed closes the day;
// otherwise it adds the range Opens–Closes on that day.
type Exception struct {
	Day    time.Time // a calendar day, at midnight UTC
	Closed bool
	Opens  *int
	Closes *int
	Note   string
}

// Closure is a maintenance blackout.
type Closure struct {
	ID            string
	SubdistrictID string
	VenueID       string
	Start, End    time.Time
	Reason        string
	Demo          bool
}

// Booking is a committee's use of a venue for a time range.
type Booking struct {
	ID                string
	SubdistrictID     string
	VenueID           string
	CommitteeID       string
	RequestID         string
	SeriesID          *string
	Start, End        time.Time
	HeldEnd           time.Time // End plus the venue's buffer when booked
	Purpose           string
	ExpectedAttendees int
	Status            Status
	ActualAttendees   *int
	DecisionNote      string // the approval note or the rejection or cancellation reason
	Version           int
	RequestedBy       *string
	CreatedAt         time.Time
	Demo              bool
	VenueUnitID       string     // the unit that offers the venue; read only
	CheckedInAt       *time.Time // when the booker checked in, if they did
	// AffectedBy is the maintenance closure that hits the booking, and
	// AffectedAt since when; nil when none does. Only a booking that holds
	// its time is affected: the store clears the mark when it stops holding.
	AffectedBy *string
	AffectedAt *time.Time
}

// Skip is an occurrence of a recurring request that was not booked.
type Skip struct {
	Start   time.Time    `json:"start"`
	End     time.Time    `json:"end"`
	Reason  problem.Code `json:"reason"`
	Message string       `json:"message"`
}

// Event is one change to a booking, from the audit log.
type Event struct {
	At          time.Time
	Action      string
	Note        string
	ActorID     *string
	ActorLabel  string
	BookingID   string
	SubjectType string
}

// SlotState says whether a stretch of time is free.
type SlotState string

// Slot states.
const (
	Free   SlotState = "FREE"
	Booked SlotState = "BOOKED"
	Closed SlotState = "CLOSED"
)

// Slot is a stretch of a venue's calendar in one state.
type Slot struct {
	Start, End time.Time
	State      SlotState
}

// Interval is a half-open stretch of time [Start, End).
type Interval struct{ Start, End time.Time }

func (i Interval) overlaps(j Interval) bool { return i.Start.Before(j.End) && j.Start.Before(i.End) }
