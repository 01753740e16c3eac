// Package lists holds the three lists (三张清单) of a sub-district: the
// needs communities post, the offers units make, and the projects that join
// them with an owner, a due date and progress; and the escalation of a need
// from the grid to the community to the sub-district (小事网格解决，大事协商解决).
// It is plain Go; the store persists it.
package lists

import "time"

// Category is what a need or an offer is about.
type Category string

// Categories.
const (
	Venue       Category = "VENUE"
	ElderlyCare Category = "ELDERLY_CARE"
	Youth       Category = "YOUTH"
	Safety      Category = "SAFETY"
	Environment Category = "ENVIRONMENT"
	Employment  Category = "EMPLOYMENT"
	LegalAid    Category = "LEGAL_AID"
	Other       Category = "OTHER"
)

// Valid reports whether c is known.
func (c Category) Valid() bool {
	switch c {
	case Venue, ElderlyCare, Youth, Safety, Environment, Employment, LegalAid, Other:
		return true
	}
	return false
}

// Urgency says how soon a need should be met.
type Urgency string

// Urgencies.
const (
	Low    Urgency = "LOW"
	Normal Urgency = "NORMAL"
	High   Urgency = "HIGH"
)

// Valid reports whether u is known.
func (u Urgency) Valid() bool { return u == Low || u == Normal || u == High }

// NeedStatus is where a need is: OPEN → MATCHED (a project took it up) →
// MET, or CLOSED without being met.
type NeedStatus string

// Need statuses.
const (
	NeedOpen    NeedStatus = "OPEN"
	NeedMatched NeedStatus = "MATCHED"
	NeedMet     NeedStatus = "MET"
	NeedClosed  NeedStatus = "CLOSED"
)

// Level is where a need is being handled.
type Level string

// Levels, lowest first.
const (
	LevelGrid        Level = "GRID"
	LevelCommunity   Level = "COMMUNITY"
	LevelSubdistrict Level = "SUBDISTRICT"
)

// next is the level above l; "" at the top.
func (l Level) next() Level {
	switch l {
	case LevelGrid:
		return LevelCommunity
	case LevelCommunity:
		return LevelSubdistrict
	}
	return ""
}

// Need is a need a committee posts for its residents.
type Need struct {
	ID             string
	SubdistrictID  string
	CommitteeID    string
	CommunityID    *string
	GridID         *string
	Title          string
	Category       Category
	Description    string
	PeopleAffected *int
	Urgency        Urgency
	Status         NeedStatus
	Level          Level
	MetAt          *time.Time
	ClosedAt       *time.Time
	Demo           bool
	CreatedAt      time.Time
}

// Escalation is one raise of a need to a higher level.
type Escalation struct {
	ID         string
	NeedID     string
	From, To   Level
	Note       string
	MeetingID  *string
	ActorID    *string
	At         time.Time
	ActorLabel string
}

// OfferStatus says whether an offer stands.
type OfferStatus string

// Offer statuses.
const (
	OfferOpen      OfferStatus = "OPEN"
	OfferWithdrawn OfferStatus = "WITHDRAWN"
)

// Offer is a resource or service a unit offers.
type Offer struct {
	ID            string
	SubdistrictID string
	UnitID        string
	Title         string
	Category      Category
	Description   string
	VenueID       *string
	Quantity      *int
	AvailableFrom *time.Time
	AvailableTo   *time.Time
	Status        OfferStatus
	Demo          bool
	CreatedAt     time.Time
}

// ProjectStatus is where a project is: ACTIVE → COMPLETED or DROPPED.
type ProjectStatus string

// Project statuses.
const (
	ProjectActive    ProjectStatus = "ACTIVE"
	ProjectCompleted ProjectStatus = "COMPLETED"
	ProjectDropped   ProjectStatus = "DROPPED"
)

// Project joins needs and offers under an owner, a unit or a committee.
type Project struct {
	ID               string
	SubdistrictID    string
	Title            string
	OwnerUnitID      *string
	OwnerCommitteeID *string
	DueOn            *time.Time
	ResolutionID     *string
	Status           ProjectStatus
	ProgressPercent  int
	EndedAt          *time.Time
	Demo             bool
	CreatedAt        time.Time
	NeedIDs          []string
	OfferIDs         []string
}

// Update is a progress report on a project.
type Update struct {
	ProjectID string
	At        time.Time
	Percent   int
	Note      string
}
