package lists

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"cogov/internal/access"
	"cogov/internal/booking"
	"cogov/internal/clock"
	"cogov/internal/notify"
	"cogov/internal/problem"
	"cogov/internal/structure"
)

// NeedChange is what Store.ChangeNeed writes after apply: the need and, when
// set, an escalation to add to its trail.
type NeedChange struct {
	Need       Need
	Escalation *Escalation
}

// ProjectChange is what Store.ChangeProject writes after apply: the project
// and, when set, a progress update. A project that becomes COMPLETED marks
// its matched needs MET; one that is DROPPED returns its matched needs to
// OPEN unless another active project serves them.
type ProjectChange struct {
	Project Project
	Update  *Update
}

// ErrNeedTaken is returned by Store.CreateProject when a need was met or
// closed after the service checked it.
var ErrNeedTaken = errors.New("a need is no longer open")

// Store is what the service needs from persistence.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	CommitteesByID(ctx context.Context, ids []string) (map[string]structure.Committee, error)
	UnitsByID(ctx context.Context, ids []string) (map[string]structure.Unit, error)
	GridsByID(ctx context.Context, ids []string) (map[string]structure.Grid, error)
	VenuesByID(ctx context.Context, ids []string) (map[string]booking.Venue, error)
	ResolutionSubdistricts(ctx context.Context, ids []string) (map[string]string, error)
	NeedsByID(ctx context.Context, ids []string) (map[string]Need, error)
	OffersByID(ctx context.Context, ids []string) (map[string]Offer, error)
	CreateNeed(ctx context.Context, n Need) (Need, error)
	ChangeNeed(ctx context.Context, id, action, note string, apply func(*NeedChange) error) (Need, error)
	CreateOffer(ctx context.Context, o Offer) (Offer, error)
	ChangeOffer(ctx context.Context, id, action, note string, apply func(*Offer) error) (Offer, error)
	CreateProject(ctx context.Context, p Project) (Project, error)
	ChangeProject(ctx context.Context, id, action, note string, apply func(*ProjectChange) error) (Project, error)
	SubdistrictStats(ctx context.Context, subdistrictID string, from, to time.Time) (Stats, error)
	// ClaimOverdueProjects claims up to limit active projects past their
	// due day at now not yet told of for that day, in the transaction ctx
	// carries, and returns them (NotifyOverdue).
	ClaimOverdueProjects(ctx context.Context, now time.Time, limit int) ([]Project, error)
}

// Agendas puts an escalated need on a joint meeting's agenda.
type Agendas interface {
	AddToAgenda(ctx context.Context, meetingID, title string, needID *string) error
}

// Service applies the rules of the three lists.
type Service struct {
	store   Store
	agendas Agendas
	// Now tells the time.
	Now clock.Clock
	// Notes, when set, records the notifications of each change in the
	// change's transaction.
	Notes *notify.Service
}

// NewService returns a Service over store; escalations reach meetings through agendas.
func NewService(store Store, agendas Agendas, now clock.Clock) *Service {
	return &Service{store: store, agendas: agendas, Now: now}
}

const (
	maxTitle  = 200
	maxText   = 5000
	maxNote   = 2000
	maxLinked = 50
)

func forbidden(what string) error { return problem.New(problem.Forbidden, "you may not "+what) }

func notFound(field string) error { return problem.New(problem.NotFound, "no such record", field) }

func invalidState(kind, status, what, field string) error {
	return problem.New(problem.InvalidState, fmt.Sprintf("a %s %s cannot be %s", strings.ToLower(status), kind, what), field)
}

// ---- needs ----

// NewNeed is the input of PostNeed.
type NewNeed struct {
	CommitteeID    string
	GridID         *string // a need raised in a grid starts at the GRID level
	Title          string
	Category       Category
	Description    string
	PeopleAffected *int
	Urgency        Urgency // NORMAL when empty
	Demo           bool
}

// PostNeed posts a need for a committee's residents; the committee's
// administrators (or the sub-district's) may. The need belongs to the
// committee's community and starts at the community level, or at the grid
// level when it names one of the community's grids.
func (s *Service) PostNeed(ctx context.Context, in NewNeed) (Need, error) {
	var l problem.List
	if in.Urgency == "" {
		in.Urgency = Normal
	}
	n := Need{CommitteeID: in.CommitteeID, GridID: in.GridID, Category: in.Category, PeopleAffected: in.PeopleAffected,
		Urgency: in.Urgency, Status: NeedOpen, Level: LevelCommunity, Demo: in.Demo}
	n.Title = l.RequireText(in.Title, maxTitle, "title")
	n.Description = strings.TrimSpace(in.Description)
	if len([]rune(n.Description)) > maxText {
		l.Add(problem.InvalidInput, "description is too long", "description")
	}
	if !in.Category.Valid() {
		l.Add(problem.InvalidInput, "unknown category", "category")
	}
	if !in.Urgency.Valid() {
		l.Add(problem.InvalidInput, "unknown urgency", "urgency")
	}
	if in.PeopleAffected != nil && (*in.PeopleAffected < 0 || *in.PeopleAffected > 10_000_000) {
		l.Add(problem.InvalidInput, "peopleAffected must not be negative", "peopleAffected")
	}
	cs, err := s.store.CommitteesByID(ctx, []string{in.CommitteeID})
	if err != nil {
		return Need{}, err
	}
	c, ok := cs[in.CommitteeID]
	if !ok {
		return Need{}, problem.New(problem.NotFound, "no such committee", "committeeId")
	}
	if !access.From(ctx).AdministersCommittee(c.ID, c.SubdistrictID) {
		return Need{}, forbidden("post needs for this committee")
	}
	n.SubdistrictID, n.CommunityID = c.SubdistrictID, c.CommunityID
	if in.GridID != nil {
		gs, err := s.store.GridsByID(ctx, []string{*in.GridID})
		if err != nil {
			return Need{}, err
		}
		g, ok := gs[*in.GridID]
		switch {
		case !ok:
			l.Add(problem.NotFound, "no such grid", "gridId")
		case c.CommunityID == nil || g.CommunityID != *c.CommunityID:
			l.Add(problem.InvalidInput, "the grid is not in the committee's community", "gridId")
		}
		n.Level = LevelGrid
	}
	if err := l.Err(); err != nil {
		return Need{}, err
	}
	return s.store.CreateNeed(ctx, n)
}

// changeNeed runs apply on a need after checking the viewer administers its committee.
func (s *Service) changeNeed(ctx context.Context, id, action, note string, apply func(*NeedChange) error) (Need, error) {
	n, err := s.store.ChangeNeed(ctx, id, action, note, func(c *NeedChange) error {
		if !access.From(ctx).AdministersCommittee(c.Need.CommitteeID, c.Need.SubdistrictID) {
			return forbidden("change this need")
		}
		return apply(c)
	})
	if errors.Is(err, problem.ErrNotFound) {
		return n, notFound("needId")
	}
	return n, err
}

// SetNeedStatus moves a need by hand: OPEN → MET (solved without a
// project, as most small matters are in the grid), OPEN or MATCHED →
// CLOSED (withdrawn, or no longer needed), MATCHED → MET, and CLOSED → OPEN
// (reopened). MATCHED is set only by launching a project, and OPEN again
// from MATCHED only by dropping it.
func (s *Service) SetNeedStatus(ctx context.Context, id string, to NeedStatus, note string) (Need, error) {
	note = strings.TrimSpace(note)
	if len([]rune(note)) > maxNote {
		return Need{}, problem.New(problem.InvalidInput, "note is too long", "note")
	}
	now := s.Now()
	return s.changeNeed(ctx, id, "need.status", note, func(c *NeedChange) error {
		n := &c.Need
		allowed := map[NeedStatus][]NeedStatus{NeedOpen: {NeedMet, NeedClosed}, NeedMatched: {NeedMet, NeedClosed}, NeedClosed: {NeedOpen}}
		ok := false
		for _, s := range allowed[n.Status] {
			ok = ok || s == to
		}
		if !ok {
			return invalidState("need", string(n.Status), "set to "+strings.ToLower(string(to)), "status")
		}
		n.Status, n.MetAt, n.ClosedAt = to, nil, nil
		switch to {
		case NeedMet:
			n.MetAt = &now
		case NeedClosed:
			n.ClosedAt = &now
		}
		return nil
	})
}

// Escalate raises an open or matched need one level, from the grid to the
// community or from the community to the sub-district; the need's committee
// (or the sub-district) may. Raised to the sub-district with a meeting, it
// goes on that joint meeting's agenda, which needs an administrator of a
// convener of the meeting. The trail keeps every raise.
func (s *Service) Escalate(ctx context.Context, id, note string, meetingID *string) (Need, error) {
	note = strings.TrimSpace(note)
	if len([]rune(note)) > maxNote {
		return Need{}, problem.New(problem.InvalidInput, "note is too long", "note")
	}
	now := s.Now()
	var out Need
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.changeNeed(ctx, id, "need.escalate", note, func(c *NeedChange) error {
			n := &c.Need
			if n.Status != NeedOpen && n.Status != NeedMatched {
				return invalidState("need", string(n.Status), "escalated", "needId")
			}
			to := n.Level.next()
			if to == "" {
				return problem.New(problem.InvalidState, "the need is already at the sub-district", "needId")
			}
			if meetingID != nil && to != LevelSubdistrict {
				return problem.New(problem.InvalidInput, "only a need raised to the sub-district goes on a joint meeting's agenda", "meetingId")
			}
			v := access.From(ctx)
			e := &Escalation{NeedID: n.ID, From: n.Level, To: to, Note: note, MeetingID: meetingID, At: now}
			if v.AccountID != "" {
				e.ActorID = &v.AccountID
			}
			n.Level, c.Escalation = to, e
			return nil
		})
		if err != nil {
			return err
		}
		// Those who handle the level it reached hear of it: the
		// sub-district's administrators, or the community's committee.
		to := notify.Audience{Subdistricts: []string{out.SubdistrictID}}
		if out.Level == LevelCommunity && out.CommunityID != nil {
			to = notify.Audience{Communities: []string{*out.CommunityID}}
		}
		if err := s.Notes.Add(ctx, notify.Note{SubdistrictID: out.SubdistrictID, To: to, Kind: notify.NeedEscalatedTo, ObjectType: "Need",
			ObjectID: out.ID, Text: note, Demo: out.Demo}); err != nil {
			return err
		}
		if meetingID == nil {
			return nil
		}
		err = s.agendas.AddToAgenda(ctx, *meetingID, "需求上报："+out.Title, &out.ID)
		return problem.At(err, "input", "meetingId")
	})
	return out, err
}

// ---- offers ----

// NewOffer is the input of PostOffer.
type NewOffer struct {
	UnitID        string
	Title         string
	Category      Category
	Description   string
	VenueID       *string
	Quantity      *int
	AvailableFrom *time.Time
	AvailableTo   *time.Time
	Demo          bool
}

// PostOffer posts what a unit offers; the unit's administrators (or the
// sub-district's) may, and only with the unit's own venues.
func (s *Service) PostOffer(ctx context.Context, in NewOffer) (Offer, error) {
	var l problem.List
	o := Offer{UnitID: in.UnitID, Category: in.Category, VenueID: in.VenueID, Quantity: in.Quantity, AvailableFrom: in.AvailableFrom,
		AvailableTo: in.AvailableTo, Status: OfferOpen, Demo: in.Demo}
	o.Title = l.RequireText(in.Title, maxTitle, "title")
	o.Description = strings.TrimSpace(in.Description)
	if len([]rune(o.Description)) > maxText {
		l.Add(problem.InvalidInput, "description is too long", "description")
	}
	if !in.Category.Valid() {
		l.Add(problem.InvalidInput, "unknown category", "category")
	}
	if in.Quantity != nil && (*in.Quantity < 1 || *in.Quantity > 10_000_000) {
		l.Add(problem.InvalidInput, "quantity must be positive", "quantity")
	}
	if in.AvailableFrom != nil && in.AvailableTo != nil && in.AvailableTo.Before(*in.AvailableFrom) {
		l.Add(problem.InvalidInput, "the period must not end before it starts", "availableTo")
	}
	us, err := s.store.UnitsByID(ctx, []string{in.UnitID})
	if err != nil {
		return Offer{}, err
	}
	u, ok := us[in.UnitID]
	if !ok {
		return Offer{}, problem.New(problem.NotFound, "no such unit", "unitId")
	}
	if !access.From(ctx).AdministersUnit(u.ID, u.SubdistrictID) {
		return Offer{}, forbidden("post offers for this unit")
	}
	o.SubdistrictID = u.SubdistrictID
	if in.VenueID != nil {
		vs, err := s.store.VenuesByID(ctx, []string{*in.VenueID})
		if err != nil {
			return Offer{}, err
		}
		v, ok := vs[*in.VenueID]
		switch {
		case !ok:
			l.Add(problem.NotFound, "no such venue", "venueId")
		case v.UnitID != u.ID:
			l.Add(problem.Forbidden, "a unit offers only its own venues", "venueId")
		}
	}
	if err := l.Err(); err != nil {
		return Offer{}, err
	}
	return s.store.CreateOffer(ctx, o)
}

// WithdrawOffer takes an open offer off the list; projects that use it keep it.
func (s *Service) WithdrawOffer(ctx context.Context, id string) (Offer, error) {
	o, err := s.store.ChangeOffer(ctx, id, "offer.withdraw", "", func(o *Offer) error {
		if !access.From(ctx).AdministersUnit(o.UnitID, o.SubdistrictID) {
			return forbidden("withdraw this offer")
		}
		if o.Status != OfferOpen {
			return invalidState("offer", string(o.Status), "withdrawn", "offerId")
		}
		o.Status = OfferWithdrawn
		return nil
	})
	if errors.Is(err, problem.ErrNotFound) {
		return o, notFound("offerId")
	}
	return o, err
}

// ---- projects ----

// NewProject is the input of LaunchProject: exactly one of OwnerUnitID and
// OwnerCommitteeID.
type NewProject struct {
	Title            string
	NeedIDs          []string
	OfferIDs         []string
	OwnerUnitID      *string
	OwnerCommitteeID *string
	DueOn            *time.Time
	ResolutionID     *string
	Demo             bool
}

// LaunchProject joins open needs and offers in a project with an owner; the
// sub-district's administrators and the owner's may. It marks the needs
// MATCHED. A project takes at least one need: the list exists to meet them.
func (s *Service) LaunchProject(ctx context.Context, in NewProject) (Project, error) {
	var l problem.List
	p := Project{OwnerUnitID: in.OwnerUnitID, OwnerCommitteeID: in.OwnerCommitteeID, DueOn: in.DueOn, ResolutionID: in.ResolutionID,
		Status: ProjectActive, NeedIDs: uniq(in.NeedIDs), OfferIDs: uniq(in.OfferIDs), Demo: in.Demo}
	p.Title = l.RequireText(in.Title, maxTitle, "title")
	if len(p.NeedIDs) == 0 || len(p.NeedIDs) > maxLinked {
		l.Add(problem.InvalidInput, "a project meets 1 to 50 needs", "needIds")
	}
	if len(p.OfferIDs) > maxLinked {
		l.Add(problem.InvalidInput, "at most 50 offers", "offerIds")
	}
	if (in.OwnerUnitID == nil) == (in.OwnerCommitteeID == nil) {
		l.Add(problem.InvalidInput, "the owner is a unit or a committee", "ownerId")
	}
	if err := l.Err(); err != nil {
		return Project{}, err
	}
	// The owner decides the sub-district and who may launch.
	v := access.From(ctx)
	if in.OwnerUnitID != nil {
		us, err := s.store.UnitsByID(ctx, []string{*in.OwnerUnitID})
		if err != nil {
			return Project{}, err
		}
		u, ok := us[*in.OwnerUnitID]
		if !ok {
			return Project{}, problem.New(problem.NotFound, "no such unit", "ownerId")
		}
		if !v.AdministersUnit(u.ID, u.SubdistrictID) {
			return Project{}, forbidden("launch projects owned by this unit")
		}
		p.SubdistrictID = u.SubdistrictID
	} else {
		cs, err := s.store.CommitteesByID(ctx, []string{*in.OwnerCommitteeID})
		if err != nil {
			return Project{}, err
		}
		c, ok := cs[*in.OwnerCommitteeID]
		if !ok {
			return Project{}, problem.New(problem.NotFound, "no such committee", "ownerId")
		}
		if !v.AdministersCommittee(c.ID, c.SubdistrictID) {
			return Project{}, forbidden("launch projects owned by this committee")
		}
		p.SubdistrictID = c.SubdistrictID
	}
	needs, err := s.store.NeedsByID(ctx, p.NeedIDs)
	if err != nil {
		return Project{}, err
	}
	for _, id := range p.NeedIDs {
		n, ok := needs[id]
		switch {
		case !ok:
			l.Add(problem.NotFound, "no such need", "needIds")
		case n.SubdistrictID != p.SubdistrictID:
			l.Add(problem.WrongSubdistrict, "a need belongs to another sub-district", "needIds")
		case n.Status != NeedOpen && n.Status != NeedMatched:
			l.Add(problem.InvalidState, "a "+strings.ToLower(string(n.Status))+" need cannot be matched", "needIds")
		}
	}
	offers, err := s.store.OffersByID(ctx, p.OfferIDs)
	if err != nil {
		return Project{}, err
	}
	for _, id := range p.OfferIDs {
		o, ok := offers[id]
		switch {
		case !ok:
			l.Add(problem.NotFound, "no such offer", "offerIds")
		case o.SubdistrictID != p.SubdistrictID:
			l.Add(problem.WrongSubdistrict, "an offer belongs to another sub-district", "offerIds")
		case o.Status != OfferOpen:
			l.Add(problem.InvalidState, "a withdrawn offer cannot be used", "offerIds")
		}
	}
	if in.ResolutionID != nil {
		rs, err := s.store.ResolutionSubdistricts(ctx, []string{*in.ResolutionID})
		if err != nil {
			return Project{}, err
		}
		sd, ok := rs[*in.ResolutionID]
		switch {
		case !ok:
			l.Add(problem.NotFound, "no such resolution", "resolutionId")
		case sd != p.SubdistrictID:
			l.Add(problem.WrongSubdistrict, "the resolution belongs to another sub-district", "resolutionId")
		}
	}
	if err := l.Err(); err != nil {
		return Project{}, err
	}
	out, err := s.store.CreateProject(ctx, p)
	if errors.Is(err, ErrNeedTaken) {
		return out, problem.New(problem.InvalidState, "a need was met or closed meanwhile", "needIds")
	}
	return out, err
}

// changeProject runs apply on an active project after checking the viewer
// administers its owner (or the sub-district).
func (s *Service) changeProject(ctx context.Context, id, action, note, what string, apply func(*ProjectChange) error) (Project, error) {
	p, err := s.store.ChangeProject(ctx, id, action, note, func(c *ProjectChange) error {
		p := c.Project
		v := access.From(ctx)
		allowed := (p.OwnerUnitID != nil && v.AdministersUnit(*p.OwnerUnitID, p.SubdistrictID)) ||
			(p.OwnerCommitteeID != nil && v.AdministersCommittee(*p.OwnerCommitteeID, p.SubdistrictID))
		if !allowed {
			return forbidden(what + " this project")
		}
		if p.Status != ProjectActive {
			return invalidState("project", string(p.Status), what+"ed", "projectId")
		}
		return apply(c)
	})
	if errors.Is(err, problem.ErrNotFound) {
		return p, notFound("projectId")
	}
	return p, err
}

// ReportProgress records how far an active project has come, 0 to 100
// percent, with a note.
func (s *Service) ReportProgress(ctx context.Context, id string, percent int, note string) (Project, error) {
	var l problem.List
	if percent < 0 || percent > 100 {
		l.Add(problem.InvalidInput, "percent is between 0 and 100", "percent")
	}
	note = strings.TrimSpace(note)
	if len([]rune(note)) > maxNote {
		l.Add(problem.InvalidInput, "note is too long", "note")
	}
	if err := l.Err(); err != nil {
		return Project{}, err
	}
	now := s.Now()
	return s.changeProject(ctx, id, "project.progress", note, "report on", func(c *ProjectChange) error {
		c.Project.ProgressPercent = percent
		c.Update = &Update{ProjectID: id, At: now, Percent: percent, Note: note}
		return nil
	})
}

// Complete finishes an active project at 100 percent and marks its needs MET.
func (s *Service) Complete(ctx context.Context, id, note string) (Project, error) {
	note = strings.TrimSpace(note)
	if len([]rune(note)) > maxNote {
		return Project{}, problem.New(problem.InvalidInput, "note is too long", "note")
	}
	now := s.Now()
	return s.changeProject(ctx, id, "project.complete", note, "complete", func(c *ProjectChange) error {
		c.Project.Status, c.Project.ProgressPercent, c.Project.EndedAt = ProjectCompleted, 100, &now
		c.Update = &Update{ProjectID: id, At: now, Percent: 100, Note: note}
		return nil
	})
}

// Drop abandons an active project with a reason; its needs return to OPEN
// unless another active project serves them.
func (s *Service) Drop(ctx context.Context, id, reason string) (Project, error) {
	var l problem.List
	reason = l.RequireText(reason, maxNote, "reason")
	if err := l.Err(); err != nil {
		return Project{}, err
	}
	now := s.Now()
	return s.changeProject(ctx, id, "project.drop", reason, "drop", func(c *ProjectChange) error {
		c.Project.Status, c.Project.EndedAt = ProjectDropped, &now
		return nil
	})
}

func uniq(ids []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
