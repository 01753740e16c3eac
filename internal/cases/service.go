package cases

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"cogov/internal/access"
	"cogov/internal/clock"
	"cogov/internal/page"
	"cogov/internal/problem"
	"cogov/internal/structure"
)

// Change is what Store.ChangeCase writes after apply: the case, the step
// for its trail and, when Callback is set, a callback to the integration
// that pushed the case (in the same transaction: an outbox).
type Change struct {
	Case     Case
	Event    Event
	Callback *Callback
}

// Store is what the service needs from persistence. Writes run in one
// audited transaction each; ChangeCase locks the case, calls apply and
// writes the result, and apply's error aborts the write.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	GridsByID(ctx context.Context, ids []string) (map[string]structure.Grid, error)
	UnitsByID(ctx context.Context, ids []string) (map[string]structure.Unit, error)
	PeopleByID(ctx context.Context, ids []string) (map[string]structure.Person, error)
	PartyCommittees(ctx context.Context, communityIDs []string) (map[string]structure.Committee, error)
	CaseCategoriesByID(ctx context.Context, ids []string) (map[string]Category, error)
	CreateCaseCategory(ctx context.Context, c Category) (Category, error)
	CreateCase(ctx context.Context, c Case, ev Event) (Case, error)
	ChangeCase(ctx context.Context, id string, apply func(*Change) error) (Case, error)
	CaseByRef(ctx context.Context, sd string, source Source, ref string) (Case, error)
	CaseMediations(ctx context.Context, caseIDs []string) (map[string][]Mediation, error)
	CreateMediation(ctx context.Context, m Mediation) (Mediation, error)
	ChangeMediation(ctx context.Context, id string, apply func(m *Mediation, c Case) (*Session, error)) (Mediation, error)
	OverdueCases(ctx context.Context, scope OverdueScope, p page.Page) (*page.Conn[Case], error)
	FiguresStore
	IntakeStore
}

// Agendas puts an escalated case on a joint meeting's agenda.
type Agendas interface {
	AddCaseToAgenda(ctx context.Context, meetingID, title, caseID string) error
}

// Service applies the rules of grid cases.
type Service struct {
	store   Store
	agendas Agendas
	// Now tells the time.
	Now clock.Clock
}

// NewService returns a Service over store; escalations reach meetings through agendas.
func NewService(store Store, agendas Agendas, now clock.Clock) *Service {
	return &Service{store: store, agendas: agendas, Now: now}
}

const (
	maxTitle  = 200
	maxText   = 5000
	maxNote   = 2000
	maxShort  = 100
	maxPhotos = 20
	maxURL    = 500
	maxList   = 20
)

// Codes this package adds to the problem codes.
const (
	// NotDiverted: only a case diverted from 110 goes back to the police.
	NotDiverted problem.Code = "NOT_DIVERTED_FROM_110"
)

func forbidden(what string) error { return problem.New(problem.Forbidden, "you may not "+what) }

func noCase() error { return problem.New(problem.NotFound, "no such case", "caseId") }

func invalidState(c Case, what string) error {
	return problem.New(problem.InvalidState, fmt.Sprintf("a case %s at the %s level cannot be %s",
		strings.ToLower(string(c.Status)), strings.ToLower(string(c.Level)), what), "caseId")
}

// note trims a note and checks its length.
func note(l *problem.List, s string, required bool, field string) string {
	s = strings.TrimSpace(s)
	switch {
	case required && s == "":
		l.Add(problem.Blank, field+" must not be blank", field)
	case len([]rune(s)) > maxNote:
		l.Add(problem.InvalidInput, field+" is too long", field)
	}
	return s
}

// due returns when a case of category cat that reaches level at `at` must
// be accepted and resolved there.
func due(cat Category, level Level, at time.Time) (accept, resolve time.Time) {
	lim, ok := cat.Limits[level]
	if !ok {
		lim = DefaultLimits[level]
	}
	return at.Add(time.Duration(lim.AcceptHours) * time.Hour), at.Add(time.Duration(lim.ResolveHours) * time.Hour)
}

// ---- reporting ----

// NewCase is the input of Report.
type NewCase struct {
	GridID      string
	Source      Source
	CategoryID  string
	Title       string
	Description string
	Address     string
	Latitude    *float64
	Longitude   *float64
	Photos      []string
	Reporter    *Personal
	ExternalRef *string // the other system's reference (intake)
	IntakeKeyID *string
	Demo        bool
	// ReportedAt, when set, is when the case was reported (the demo data);
	// now otherwise.
	ReportedAt *time.Time
}

// check validates the fields of a new case that need no lookup.
func (in *NewCase) check(l *problem.List) {
	in.Title = l.RequireText(in.Title, maxTitle, "title")
	in.Description = strings.TrimSpace(in.Description)
	if len([]rune(in.Description)) > maxText {
		l.Add(problem.InvalidInput, "description is too long", "description")
	}
	in.Address = strings.TrimSpace(in.Address)
	if len([]rune(in.Address)) > maxTitle {
		l.Add(problem.InvalidInput, "address is too long", "address")
	}
	if !in.Source.Valid() {
		l.Add(problem.InvalidInput, "unknown source", "source")
	}
	if (in.Latitude == nil) != (in.Longitude == nil) {
		l.Add(problem.InvalidInput, "give both coordinates or neither", "latitude")
	}
	if in.Latitude != nil && (*in.Latitude < -90 || *in.Latitude > 90) {
		l.Add(problem.InvalidInput, "latitude is between -90 and 90", "latitude")
	}
	if in.Longitude != nil && (*in.Longitude < -180 || *in.Longitude > 180) {
		l.Add(problem.InvalidInput, "longitude is between -180 and 180", "longitude")
	}
	if len(in.Photos) > maxPhotos {
		l.Add(problem.InvalidInput, "at most 20 photos", "photos")
	}
	for _, p := range in.Photos {
		if !storedFile(p) {
			l.Add(problem.InvalidInput, "a photo is the http(s) address of a stored file", "photos")
			break
		}
	}
	if in.Reporter != nil {
		in.Reporter.Name, in.Reporter.Phone = strings.TrimSpace(in.Reporter.Name), strings.TrimSpace(in.Reporter.Phone)
		if len([]rune(in.Reporter.Name)) > maxShort {
			l.Add(problem.InvalidInput, "the reporter's name is too long", "reporterName")
		}
		if len(in.Reporter.Phone) > 30 || strings.ContainsFunc(in.Reporter.Phone, func(r rune) bool { return !strings.ContainsRune("0123456789+- ", r) }) {
			l.Add(problem.InvalidInput, "a phone number has digits, spaces, + and - only", "reporterPhone")
		}
		if in.Reporter.Name == "" && in.Reporter.Phone == "" {
			in.Reporter = nil
		}
	}
}

// storedFile reports whether s is the address of a stored file.
func storedFile(s string) bool {
	return len(s) <= maxURL && (strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) && !strings.ContainsAny(s, " \t\n")
}

// Report records a new case in a grid, at the grid level. The grid's staff,
// its community's administrators and the sub-district's may report; an
// integration reports through Intake.
func (s *Service) Report(ctx context.Context, in NewCase) (Case, error) {
	var l problem.List
	in.check(&l)
	if err := l.Err(); err != nil {
		return Case{}, err
	}
	grids, err := s.store.GridsByID(ctx, []string{in.GridID})
	if err != nil {
		return Case{}, err
	}
	g, ok := grids[in.GridID]
	if !ok {
		return Case{}, problem.New(problem.NotFound, "no such grid", "gridId")
	}
	pcs, err := s.store.PartyCommittees(ctx, []string{g.CommunityID})
	if err != nil {
		return Case{}, err
	}
	v := access.From(ctx)
	c := Case{SubdistrictID: g.SubdistrictID, GridID: g.ID, CommunityID: g.CommunityID, PartyCommitteeID: pcs[g.CommunityID].ID, Level: LevelGrid}
	integration := in.IntakeKeyID != nil && hasRole(v, access.Integration, *in.IntakeKeyID, g.SubdistrictID)
	if !ActsAt(v, c) && !integration {
		if CanSee(v, g.SubdistrictID) {
			return Case{}, forbidden("report cases in this grid")
		}
		return Case{}, problem.New(problem.NotFound, "no such grid", "gridId")
	}
	cats, err := s.store.CaseCategoriesByID(ctx, []string{in.CategoryID})
	if err != nil {
		return Case{}, err
	}
	cat, ok := cats[in.CategoryID]
	if !ok || cat.SubdistrictID != g.SubdistrictID {
		return Case{}, problem.New(problem.NotFound, "no such category", "categoryId")
	}
	at := s.Now()
	if in.ReportedAt != nil {
		if !v.System {
			return Case{}, forbidden("backdate a case")
		}
		at = *in.ReportedAt
	}
	c.Source, c.CategoryID, c.Title, c.Description, c.Address = in.Source, cat.ID, in.Title, in.Description, in.Address
	c.Latitude, c.Longitude, c.Photos, c.Reporter = in.Latitude, in.Longitude, in.Photos, in.Reporter
	if c.Photos == nil {
		c.Photos = []string{}
	}
	if in.Reporter != nil {
		c.ReporterMasked = Mask(*in.Reporter)
	}
	c.Status, c.ExternalRef, c.IntakeKeyID, c.Demo = Reported, in.ExternalRef, in.IntakeKeyID, in.Demo
	c.ReportedAt, c.LevelSince = at, at
	c.AcceptDueAt, c.ResolveDueAt = due(cat, LevelGrid, at)
	c.FirstAcceptDueAt = c.AcceptDueAt
	ev := Event{Action: ActReport, At: at, ToStatus: Reported, ToLevel: LevelGrid, Note: in.Title}
	actor(v, &ev)
	return s.store.CreateCase(ctx, c, ev)
}

func hasRole(v access.Viewer, kind access.RoleKind, scope, sd string) bool {
	for _, r := range v.Roles {
		if r.Kind == kind && r.ScopeID == scope && r.SubdistrictID == sd {
			return true
		}
	}
	return false
}

// actor records who takes a step.
func actor(v access.Viewer, ev *Event) {
	if v.AccountID != "" {
		id := v.AccountID
		ev.ActorID = &id
	}
	ev.ActorLabel = v.Username
}

// ---- the lifecycle ----

// step runs one step of a case's lifecycle: apply checks the viewer and
// the state and changes the case; the step goes on its trail, and the
// integration that pushed the case is called back when the step reports.
func (s *Service) step(ctx context.Context, id string, act Action, text string, apply func(v access.Viewer, c *Case, ev *Event) error) (Case, error) {
	now := s.Now()
	out, err := s.store.ChangeCase(ctx, id, func(ch *Change) error {
		v := access.From(ctx)
		if !CanSee(v, ch.Case.SubdistrictID) && !ForUnit(v, ch.Case) {
			return noCase()
		}
		before := ch.Case
		ev := Event{Action: act, At: now, Note: text, FromStatus: &before.Status, FromLevel: &before.Level}
		if err := apply(v, &ch.Case, &ev); err != nil {
			return err
		}
		ev.ToStatus, ev.ToLevel = ch.Case.Status, ch.Case.Level
		actor(v, &ev)
		ch.Event = ev
		if ch.Case.IntakeKeyID != nil {
			cb, err := s.callbackFor(ctx, before, ch.Case, ev)
			if err != nil {
				return err
			}
			ch.Callback = cb
		}
		return nil
	})
	if errors.Is(err, problem.ErrNotFound) {
		return out, noCase()
	}
	return out, err
}

func isOneOf(st Status, ok ...Status) bool {
	for _, x := range ok {
		if st == x {
			return true
		}
	}
	return false
}

// Accept takes on a case reported to, or escalated to, its level; those
// who act at the level may.
func (s *Service) Accept(ctx context.Context, id, text string) (Case, error) {
	var l problem.List
	text = note(&l, text, false, "note")
	if err := l.Err(); err != nil {
		return Case{}, err
	}
	now := s.Now()
	return s.step(ctx, id, ActAccept, text, func(v access.Viewer, c *Case, _ *Event) error {
		if !ActsAt(v, *c) {
			return forbidden("accept this case")
		}
		if !isOneOf(c.Status, Reported, Escalated) {
			return invalidState(*c, "accepted")
		}
		c.Status, c.LevelAcceptedAt = Accepted, &now
		if c.FirstAcceptedAt == nil {
			c.FirstAcceptedAt = &now
		}
		return nil
	})
}

// Start marks an accepted case as being worked on.
func (s *Service) Start(ctx context.Context, id, text string) (Case, error) {
	var l problem.List
	text = note(&l, text, false, "note")
	if err := l.Err(); err != nil {
		return Case{}, err
	}
	return s.step(ctx, id, ActStart, text, func(v access.Viewer, c *Case, _ *Event) error {
		if !ActsAt(v, *c) {
			return forbidden("work on this case")
		}
		if c.Status != Accepted {
			return invalidState(*c, "started")
		}
		c.Status = InProgress
		return nil
	})
}

// Escalate raises an accepted case the level it cannot be settled at: the
// grid to the community, the community to the sub-district; with a
// meeting, from the community or the sub-district onto that planned joint
// meeting's agenda (the viewer must administer one of its conveners). The
// new level must accept it within its own time limit.
func (s *Service) Escalate(ctx context.Context, id, text string, meetingID *string) (Case, error) {
	var l problem.List
	text = note(&l, text, true, "note")
	if err := l.Err(); err != nil {
		return Case{}, err
	}
	now := s.Now()
	var out Case
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.step(ctx, id, ActEscalate, text, func(v access.Viewer, c *Case, ev *Event) error {
			if !ActsAt(v, *c) {
				return forbidden("escalate this case")
			}
			if !isOneOf(c.Status, Accepted, InProgress) {
				return invalidState(*c, "escalated")
			}
			to := c.Level.next()
			if meetingID != nil {
				if c.Level != LevelCommunity && c.Level != LevelSubdistrict {
					return problem.New(problem.InvalidInput, "a case goes on a joint meeting's agenda from the community or the sub-district", "meetingId")
				}
				to = LevelJointMeeting
				c.MeetingID, ev.MeetingID = meetingID, meetingID
			}
			if to == "" {
				return problem.New(problem.InvalidState, "the case is at the sub-district: put it on a joint meeting's agenda", "meetingId")
			}
			cats, err := s.store.CaseCategoriesByID(ctx, []string{c.CategoryID})
			if err != nil {
				return err
			}
			c.Status, c.Level, c.LevelSince, c.LevelAcceptedAt = Escalated, to, now, nil
			c.AcceptDueAt, c.ResolveDueAt = due(cats[c.CategoryID], to, now)
			return nil
		})
		if err != nil || meetingID == nil {
			return err
		}
		err = s.agendas.AddCaseToAgenda(ctx, *meetingID, "事件上报："+out.Title, out.ID)
		return problem.At(err, "input", "meetingId")
	})
	return out, err
}

// Route sends an accepted case to a stationed unit or department that owns
// the matter; it accepts it or hands it back.
func (s *Service) Route(ctx context.Context, id, unitID, text string) (Case, error) {
	var l problem.List
	text = note(&l, text, false, "note")
	if err := l.Err(); err != nil {
		return Case{}, err
	}
	units, err := s.store.UnitsByID(ctx, []string{unitID})
	if err != nil {
		return Case{}, err
	}
	return s.step(ctx, id, ActRoute, text, func(v access.Viewer, c *Case, ev *Event) error {
		if !ActsAt(v, *c) {
			return forbidden("route this case")
		}
		u, ok := units[unitID]
		if !ok || u.SubdistrictID != c.SubdistrictID {
			return problem.New(problem.NotFound, "no such unit", "unitId")
		}
		if !isOneOf(c.Status, Accepted, InProgress) {
			return invalidState(*c, "routed")
		}
		c.Status, c.RoutedUnitID, c.RoutingAccepted, ev.UnitID = Routed, &u.ID, false, &u.ID
		return nil
	})
}

// AcceptRouting is the unit's acceptance of a case routed to it; its
// administrators (or the sub-district's) may.
func (s *Service) AcceptRouting(ctx context.Context, id, text string) (Case, error) {
	var l problem.List
	text = note(&l, text, false, "note")
	if err := l.Err(); err != nil {
		return Case{}, err
	}
	return s.step(ctx, id, ActAcceptRouting, text, func(v access.Viewer, c *Case, ev *Event) error {
		if !ForUnit(v, *c) {
			return forbidden("accept this case for the unit")
		}
		if c.Status != Routed {
			return invalidState(*c, "accepted by a unit")
		}
		c.Status, c.RoutingAccepted, ev.UnitID = InProgress, true, c.RoutedUnitID
		return nil
	})
}

// HandBack is the unit's refusal of a routed case, with the reason: the
// case goes back, accepted, to the level that routed it.
func (s *Service) HandBack(ctx context.Context, id, reason string) (Case, error) {
	var l problem.List
	reason = note(&l, reason, true, "reason")
	if err := l.Err(); err != nil {
		return Case{}, err
	}
	return s.step(ctx, id, ActHandBack, reason, func(v access.Viewer, c *Case, ev *Event) error {
		if !ForUnit(v, *c) {
			return forbidden("hand this case back")
		}
		if c.Status != Routed && !(c.Status == InProgress && c.RoutingAccepted) {
			return invalidState(*c, "handed back")
		}
		ev.UnitID = c.RoutedUnitID
		c.Status, c.RoutedUnitID, c.RoutingAccepted = Accepted, nil, false
		return nil
	})
}

// Resolve records how a case was settled; those who act at its level, or
// the unit that accepted it, may. The level it was settled at is kept.
func (s *Service) Resolve(ctx context.Context, id, resolution string) (Case, error) {
	var l problem.List
	resolution = note(&l, resolution, true, "resolution")
	if err := l.Err(); err != nil {
		return Case{}, err
	}
	now := s.Now()
	return s.step(ctx, id, ActResolve, resolution, func(v access.Viewer, c *Case, ev *Event) error {
		byUnit := c.RoutingAccepted && ForUnit(v, *c)
		if !ActsAt(v, *c) && !byUnit {
			return forbidden("resolve this case")
		}
		if !isOneOf(c.Status, Accepted, InProgress) {
			return invalidState(*c, "resolved")
		}
		lvl := c.Level
		c.Status, c.ResolvedAt, c.SettledLevel, c.Resolution = Resolved, &now, &lvl, resolution
		if c.RoutingAccepted {
			c.SettledUnitID, ev.UnitID = c.RoutedUnitID, c.RoutedUnitID
		}
		return nil
	})
}

// Close records the return visit (回访) of a resolved case and the
// resident's satisfaction; the grid's staff, the community's and the
// sub-district's administrators may.
func (s *Service) Close(ctx context.Context, id string, sat Satisfaction, text string) (Case, error) {
	var l problem.List
	text = note(&l, text, false, "note")
	if !sat.Valid() {
		l.Add(problem.InvalidInput, "unknown satisfaction", "satisfaction")
	}
	if err := l.Err(); err != nil {
		return Case{}, err
	}
	now := s.Now()
	return s.step(ctx, id, ActClose, text, func(v access.Viewer, c *Case, _ *Event) error {
		grid := *c
		grid.Level = LevelGrid // whoever acts at the grid level visits
		if !ActsAt(v, grid) {
			return forbidden("close this case")
		}
		if c.Status != Resolved {
			return invalidState(*c, "closed")
		}
		c.Status, c.ClosedAt, c.Satisfaction = Closed, &now, &sat
		return nil
	})
}

// Return sends a case diverted from 110 back to the police, with the
// reason: it turned out to be a police matter.
func (s *Service) Return(ctx context.Context, id, reason string) (Case, error) {
	var l problem.List
	reason = note(&l, reason, true, "reason")
	if err := l.Err(); err != nil {
		return Case{}, err
	}
	now := s.Now()
	return s.step(ctx, id, ActReturn, reason, func(v access.Viewer, c *Case, _ *Event) error {
		if !ActsAt(v, *c) {
			return forbidden("return this case")
		}
		if c.Source != Diversion110 {
			return problem.New(NotDiverted, "only a case diverted from 110 goes back to the police", "caseId")
		}
		if !isOneOf(c.Status, Reported, Accepted, InProgress, Escalated) {
			return invalidState(*c, "returned")
		}
		c.Status, c.ReturnedAt, c.ReturnReason = Returned, &now, reason
		return nil
	})
}

// Overdue lists the open cases past a time limit that the viewer watches:
// those of the level below theirs (OverdueScopeOf), most overdue first. The
// inbox of the level above reads it.
func (s *Service) Overdue(ctx context.Context, p page.Page) (*page.Conn[Case], error) {
	sc := OverdueScopeOf(access.From(ctx))
	if sc.Empty() {
		return &page.Conn[Case]{}, nil
	}
	return s.store.OverdueCases(ctx, sc, p)
}

// ---- categories ----

// NewCategory is the input of AddCategory.
type NewCategory struct {
	SubdistrictID string
	Code          string
	Name          string
	Dispute       bool
	Limits        map[Level]TimeLimit // DefaultLimits for the levels left out
}

// AddCategory extends a sub-district's list of categories; its
// administrators may.
func (s *Service) AddCategory(ctx context.Context, in NewCategory) (Category, error) {
	v := access.From(ctx)
	if !v.AdministersSubdistrict(in.SubdistrictID) {
		if v.InSubdistrict(in.SubdistrictID) {
			return Category{}, forbidden("add categories of cases")
		}
		return Category{}, problem.New(problem.NotFound, "no such sub-district", "subdistrictId")
	}
	var l problem.List
	c := Category{SubdistrictID: in.SubdistrictID, Code: strings.ToUpper(strings.TrimSpace(in.Code)), Dispute: in.Dispute, Position: 100,
		Limits: map[Level]TimeLimit{}}
	c.Name = l.RequireText(in.Name, maxShort, "name")
	if !validCode(c.Code) {
		l.Add(problem.InvalidInput, "a code is 2 to 40 capital letters, digits or underscores, starting with a letter", "code")
	}
	for lvl, lim := range in.Limits {
		if !lvl.Valid() {
			l.Add(problem.InvalidInput, "unknown level", "timeLimits")
		}
		if lim.AcceptHours < 1 || lim.AcceptHours > 8760 || lim.ResolveHours < 1 || lim.ResolveHours > 8760 {
			l.Add(problem.InvalidInput, "a time limit is 1 to 8760 hours", "timeLimits")
		}
	}
	if err := l.Err(); err != nil {
		return Category{}, err
	}
	for _, lvl := range Levels {
		c.Limits[lvl] = DefaultLimits[lvl]
		if lim, ok := in.Limits[lvl]; ok {
			c.Limits[lvl] = lim
		}
	}
	return s.store.CreateCaseCategory(ctx, c)
}

func validCode(s string) bool {
	if len(s) < 2 || len(s) > 40 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// ---- callbacks ----

// Callback is a report owed to the integration that pushed a case.
type Callback struct {
	ID          string
	CaseID      string
	IntakeKeyID string
	Event       string
	Payload     []byte // JSON
	Attempts    int
	URL         string // filled in when claimed for delivery
	Secret      string // filled in when claimed for delivery
}

// CallbackBody is the JSON a callback sends.
type CallbackBody struct {
	Event        string             `json:"event"` // ACCEPTED, RESOLVED, CLOSED, RETURNED
	CaseID       string             `json:"caseId"`
	ExternalRef  string             `json:"externalRef"`
	Source       Source             `json:"source"`
	Status       Status             `json:"status"`
	Level        Level              `json:"level"`
	At           time.Time          `json:"at"`
	Note         string             `json:"note,omitempty"`
	Resolution   string             `json:"resolution,omitempty"`
	Satisfaction *Satisfaction      `json:"satisfaction,omitempty"`
	Mediation    *CallbackMediation `json:"mediation,omitempty"`
}

// CallbackMediation is the outcome of the case's last concluded mediation.
type CallbackMediation struct {
	Outcome   Outcome `json:"outcome"`
	Agreement string  `json:"agreement,omitempty"`
}

// callbackFor returns the callback a step owes, or nil: the first
// acceptance, the resolution (with the last mediation's outcome), the
// return visit and a return to the police are reported.
func (s *Service) callbackFor(ctx context.Context, before, after Case, ev Event) (*Callback, error) {
	var event string
	switch {
	case after.Status == Accepted && before.FirstAcceptedAt == nil:
		event = "ACCEPTED"
	case after.Status == Resolved, after.Status == Closed, after.Status == Returned:
		event = string(after.Status)
	default:
		return nil, nil
	}
	body := CallbackBody{Event: event, CaseID: after.ID, Source: after.Source, Status: after.Status, Level: after.Level,
		At: ev.At.UTC(), Note: ev.Note, Satisfaction: after.Satisfaction}
	if after.ExternalRef != nil {
		body.ExternalRef = *after.ExternalRef
	}
	if event == "RESOLVED" {
		body.Resolution, body.Note = after.Resolution, ""
		ms, err := s.store.CaseMediations(ctx, []string{after.ID})
		if err != nil {
			return nil, err
		}
		for _, m := range ms[after.ID] { // oldest first: keep the last concluded
			if m.Outcome != OutcomePending {
				body.Mediation = &CallbackMediation{Outcome: m.Outcome, Agreement: m.Agreement}
			}
		}
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	return &Callback{CaseID: after.ID, IntakeKeyID: *after.IntakeKeyID, Event: event, Payload: b}, nil
}
