// Package cases holds grid affairs (网格事务): the cases (事件) grid staff
// find on patrol, residents report, the 12345 hotline passes on and the 110
// police line diverts, settled at the lowest level that can ("小事网格解决，
// 大事协商解决"): the grid, the community, the sub-district, or a joint
// meeting where stationed units take a matter on. A case can be routed to a
// unit that owns the matter, returned to the police when it is a police
// matter, and is closed after a return visit records the resident's
// satisfaction. Every step is kept with who, when and a note. Disputes are
// mediated (调解) and the mediation recorded. Residents' contacts are
// personal data: only those who handle a case see them (visibility.go; the
// database holds the same rule), others see them masked.
//
// Other systems push cases through the intake (intake.go), authenticated by
// an API key per integration, and are called back when their case is
// accepted and settled. It is plain Go; the store persists it.
package cases

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Source is where a case came from.
type Source string

// Sources.
const (
	GridPatrol     Source = "GRID_PATROL"
	ResidentReport Source = "RESIDENT_REPORT"
	Hotline12345   Source = "HOTLINE_12345"
	Diversion110   Source = "DIVERSION_110"
	OtherSource    Source = "OTHER"
)

// Valid reports whether s is a known source.
func (s Source) Valid() bool {
	switch s {
	case GridPatrol, ResidentReport, Hotline12345, Diversion110, OtherSource:
		return true
	}
	return false
}

// Status is where a case is in its lifecycle:
//
//	REPORTED → ACCEPTED → IN_PROGRESS → RESOLVED → CLOSED (after a return visit)
//
// with ESCALATED (raised a level, waiting to be accepted there), ROUTED (sent
// to a unit that owns the matter, which accepts or hands it back) and
// RETURNED (a 110 case that is a police matter, back to the police).
type Status string

// Statuses.
const (
	Reported   Status = "REPORTED"
	Accepted   Status = "ACCEPTED"
	InProgress Status = "IN_PROGRESS"
	Resolved   Status = "RESOLVED"
	Closed     Status = "CLOSED"
	Escalated  Status = "ESCALATED"
	Routed     Status = "ROUTED"
	Returned   Status = "RETURNED"
)

// Open reports whether a case in status s is still being handled.
func (s Status) Open() bool { return s != Resolved && s != Closed && s != Returned }

// Level is who handles a case: the grid, the community, the sub-district,
// or a joint meeting (joint consultation, 协商解决).
type Level string

// Levels, lowest first.
const (
	LevelGrid         Level = "GRID"
	LevelCommunity    Level = "COMMUNITY"
	LevelSubdistrict  Level = "SUBDISTRICT"
	LevelJointMeeting Level = "JOINT_MEETING"
)

// Levels lists the levels, lowest first.
var Levels = []Level{LevelGrid, LevelCommunity, LevelSubdistrict, LevelJointMeeting}

// Valid reports whether l is a known level.
func (l Level) Valid() bool {
	for _, x := range Levels {
		if x == l {
			return true
		}
	}
	return false
}

// next is the level a case escalated from l goes to without a meeting.
func (l Level) next() Level {
	switch l {
	case LevelGrid:
		return LevelCommunity
	case LevelCommunity:
		return LevelSubdistrict
	}
	return ""
}

// Satisfaction is the resident's answer at the return visit (回访).
type Satisfaction string

// Satisfactions.
const (
	Satisfied          Satisfaction = "SATISFIED"
	BasicallySatisfied Satisfaction = "BASICALLY_SATISFIED"
	Dissatisfied       Satisfaction = "DISSATISFIED"
)

// Valid reports whether s is a known answer.
func (s Satisfaction) Valid() bool {
	return s == Satisfied || s == BasicallySatisfied || s == Dissatisfied
}

// Action is a step of a case's trail.
type Action string

// Actions.
const (
	ActReport        Action = "REPORT"
	ActAccept        Action = "ACCEPT"
	ActStart         Action = "START"
	ActEscalate      Action = "ESCALATE"
	ActRoute         Action = "ROUTE"
	ActAcceptRouting Action = "ACCEPT_ROUTING"
	ActHandBack      Action = "HAND_BACK"
	ActResolve       Action = "RESOLVE"
	ActClose         Action = "CLOSE"
	ActReturn        Action = "RETURN"
	ActMediation     Action = "MEDIATION"
)

// Personal is a resident's contact: personal data.
type Personal struct {
	Name  string
	Phone string
}

// Case is a grid case.
type Case struct {
	ID               string
	SubdistrictID    string
	Source           Source
	CategoryID       string
	CommunityID      string
	GridID           string
	Title            string
	Description      string
	Address          string
	Latitude         *float64
	Longitude        *float64
	Photos           []string // addresses of stored files
	ReporterMasked   string   // the reporter as non-handlers see them
	Reporter         *Personal
	Status           Status
	Level            Level
	RoutedUnitID     *string
	RoutingAccepted  bool
	MeetingID        *string
	ExternalRef      *string
	IntakeKeyID      *string
	ReportedAt       time.Time
	LevelSince       time.Time
	AcceptDueAt      time.Time
	ResolveDueAt     time.Time
	LevelAcceptedAt  *time.Time
	FirstAcceptDueAt time.Time
	FirstAcceptedAt  *time.Time
	ResolvedAt       *time.Time
	SettledLevel     *Level
	SettledUnitID    *string
	Resolution       string
	ClosedAt         *time.Time
	Satisfaction     *Satisfaction
	ReturnReason     string
	ReturnedAt       *time.Time
	Version          int
	Demo             bool
	// PartyCommitteeID is the party committee of the case's community, read
	// with the case: its administrators handle the community's cases.
	PartyCommitteeID string
}

// Overdue reports whether the case is open past a time limit at now: not
// accepted at its level in time, or not resolved in time.
func (c Case) Overdue(now time.Time) bool {
	if !c.Status.Open() {
		return false
	}
	return (c.LevelAcceptedAt == nil && now.After(c.AcceptDueAt)) || now.After(c.ResolveDueAt)
}

// Category is a kind of case; seven are built in, a sub-district adds more.
type Category struct {
	ID            string
	SubdistrictID string
	Code          string
	Name          string
	Dispute       bool // a dispute between parties: mediation applies
	Builtin       bool
	Position      int
	Limits        map[Level]TimeLimit
}

// TimeLimit is how long a level has to accept and to resolve a case.
type TimeLimit struct {
	AcceptHours  int
	ResolveHours int
}

// DefaultLimits are the limits of a new category when none are given.
var DefaultLimits = map[Level]TimeLimit{
	LevelGrid: {2, 72}, LevelCommunity: {24, 168}, LevelSubdistrict: {48, 336}, LevelJointMeeting: {72, 720},
}

// Event is one step of a case's trail.
type Event struct {
	ID         string
	CaseID     string
	At         time.Time
	ActorID    *string
	ActorLabel string
	Action     Action
	FromStatus *Status
	ToStatus   Status
	FromLevel  *Level
	ToLevel    Level
	UnitID     *string
	MeetingID  *string
	Note       string
}

// Outcome is how a mediation ended.
type Outcome string

// Outcomes.
const (
	OutcomePending   Outcome = "PENDING"
	AgreementReached Outcome = "AGREEMENT_REACHED"
	NotReached       Outcome = "NOT_REACHED"
	Referred         Outcome = "REFERRED"
)

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool {
	return o == OutcomePending || o == AgreementReached || o == NotReached || o == Referred
}

// MediatorKind is who mediates.
type MediatorKind string

// Mediator kinds.
const (
	MediatorGridStaff MediatorKind = "GRID_STAFF"
	MediatorCommunity MediatorKind = "COMMUNITY"
	MediatorLawyer    MediatorKind = "LAWYER" // a law firm's volunteer lawyer
	MediatorOther     MediatorKind = "OTHER"
)

// Valid reports whether k is a known kind.
func (k MediatorKind) Valid() bool {
	return k == MediatorGridStaff || k == MediatorCommunity || k == MediatorLawyer || k == MediatorOther
}

// Side is a party's side in a dispute.
type Side string

// Sides.
const (
	Applicant  Side = "APPLICANT"
	Respondent Side = "RESPONDENT"
	OtherSide  Side = "OTHER"
)

// Valid reports whether s is a known side.
func (s Side) Valid() bool { return s == Applicant || s == Respondent || s == OtherSide }

// Mediation is the record of a mediation of a case's dispute.
type Mediation struct {
	ID            string
	SubdistrictID string
	CaseID        string
	Outcome       Outcome
	Agreement     string
	ConcludedAt   *time.Time
	CreatedAt     time.Time
	Mediators     []Mediator
	Parties       []Party
	Sessions      []Session
}

// Mediator is one who mediates: a person of the sub-district (grid staff,
// community staff) or a named lawyer of a law firm.
type Mediator struct {
	Kind     MediatorKind
	PersonID *string
	UnitID   *string
	Name     string
}

// Party is a party to a dispute; Contact is personal data, nil for those
// who do not handle the case.
type Party struct {
	ID      string
	Side    Side
	Masked  string
	Contact *Personal
}

// Session is one sitting of a mediation.
type Session struct {
	HeldAt time.Time
	Place  string
	Note   string
}

// MaskName keeps a name's first character: 张三丰 → 张**.
func MaskName(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	r, size := utf8.DecodeRuneInString(name)
	return string(r) + strings.Repeat("*", max(1, utf8.RuneCountInString(name[size:])))
}

// MaskPhone keeps a phone number's first three and last four digits:
// 13812345678 → 138****5678; a shorter one keeps its last two.
func MaskPhone(phone string) string {
	p := []rune(strings.TrimSpace(phone))
	switch {
	case len(p) == 0:
		return ""
	case len(p) >= 11:
		return string(p[:3]) + "****" + string(p[len(p)-4:])
	case len(p) > 2:
		return strings.Repeat("*", len(p)-2) + string(p[len(p)-2:])
	}
	return strings.Repeat("*", len(p))
}

// Mask is a contact as those who do not handle the case see it.
func Mask(p Personal) string {
	n, ph := MaskName(p.Name), MaskPhone(p.Phone)
	if n != "" && ph != "" {
		return n + " " + ph
	}
	return n + ph
}
