package cases

import (
	"context"
	"errors"
	"strings"

	"cogov/internal/access"
	"cogov/internal/problem"
	"cogov/internal/structure"
)

// NewParty is a party to a dispute as given.
type NewParty struct {
	Side  Side
	Name  string
	Phone string
}

// NewMediation is the input of RecordMediation.
type NewMediation struct {
	CaseID    string
	Mediators []Mediator
	Parties   []NewParty
	Sessions  []Session
	Outcome   Outcome // PENDING when empty
	Agreement string
}

// checkOutcome checks an outcome and its agreement text.
func checkOutcome(l *problem.List, o Outcome, agreement string) string {
	agreement = strings.TrimSpace(agreement)
	if !o.Valid() {
		l.Add(problem.InvalidInput, "unknown outcome", "outcome")
	}
	if o == AgreementReached && agreement == "" {
		l.Add(problem.Blank, "an agreement reached has its text", "agreement")
	}
	if len([]rune(agreement)) > maxText {
		l.Add(problem.InvalidInput, "agreement is too long", "agreement")
	}
	return agreement
}

func checkSession(l *problem.List, se *Session) {
	se.Place, se.Note = strings.TrimSpace(se.Place), strings.TrimSpace(se.Note)
	if len([]rune(se.Place)) > maxTitle || len([]rune(se.Note)) > maxText {
		l.Add(problem.InvalidInput, "a session's place or note is too long", "sessions")
	}
	if se.HeldAt.IsZero() {
		l.Add(problem.InvalidInput, "a session has a time", "sessions")
	}
}

// RecordMediation records a mediation of a case's dispute: who mediated
// (grid staff and community staff of the sub-district, a law firm's
// volunteer lawyer), the parties (their contacts are personal data, masked
// outside the case's handlers), the sessions and, once concluded, the
// outcome and the agreement. Those who act on the case may; the case must be
// open and accepted. The case's trail records the mediation.
func (s *Service) RecordMediation(ctx context.Context, in NewMediation) (Mediation, error) {
	var l problem.List
	if in.Outcome == "" {
		in.Outcome = OutcomePending
	}
	agreement := checkOutcome(&l, in.Outcome, in.Agreement)
	if len(in.Mediators) == 0 || len(in.Mediators) > maxList {
		l.Add(problem.InvalidInput, "give one to 20 mediators", "mediators")
	}
	if len(in.Parties) == 0 || len(in.Parties) > maxList {
		l.Add(problem.InvalidInput, "give one to 20 parties", "parties")
	}
	if len(in.Sessions) > maxList {
		l.Add(problem.InvalidInput, "at most 20 sessions", "sessions")
	}
	for i := range in.Sessions {
		checkSession(&l, &in.Sessions[i])
	}
	var persons, units []string
	for i := range in.Mediators {
		m := &in.Mediators[i]
		m.Name = strings.TrimSpace(m.Name)
		switch {
		case !m.Kind.Valid():
			l.Add(problem.InvalidInput, "unknown mediator kind", "mediators")
		case m.Kind == MediatorLawyer && (m.UnitID == nil || m.Name == ""):
			l.Add(problem.InvalidInput, "a lawyer is named, with their law firm", "mediators")
		case m.PersonID == nil && m.Name == "":
			l.Add(problem.InvalidInput, "a mediator is a person of the sub-district or has a name", "mediators")
		case len([]rune(m.Name)) > maxShort:
			l.Add(problem.InvalidInput, "a mediator's name is too long", "mediators")
		}
		if m.PersonID != nil {
			persons = append(persons, *m.PersonID)
		}
		if m.UnitID != nil {
			units = append(units, *m.UnitID)
		}
	}
	parties := make([]Party, len(in.Parties))
	for i, p := range in.Parties {
		p.Name, p.Phone = strings.TrimSpace(p.Name), strings.TrimSpace(p.Phone)
		if !p.Side.Valid() {
			l.Add(problem.InvalidInput, "unknown side", "parties")
		}
		if p.Name == "" || len([]rune(p.Name)) > maxShort || len(p.Phone) > 30 {
			l.Add(problem.InvalidInput, "a party has a name of at most 100 characters and a phone of at most 30", "parties")
		}
		contact := Personal{Name: p.Name, Phone: p.Phone}
		parties[i] = Party{Side: p.Side, Masked: Mask(contact), Contact: &contact}
	}
	if err := l.Err(); err != nil {
		return Mediation{}, err
	}
	people, err := s.store.PeopleByID(ctx, persons)
	if err != nil {
		return Mediation{}, err
	}
	us, err := s.store.UnitsByID(ctx, units)
	if err != nil {
		return Mediation{}, err
	}
	now := s.Now()
	var out Mediation
	err = s.store.InTx(ctx, func(ctx context.Context) error {
		_, err := s.step(ctx, in.CaseID, ActMediation, mediationNote(in.Outcome, agreement), func(v access.Viewer, c *Case, _ *Event) error {
			if !ActsAt(v, *c) && !(c.RoutingAccepted && ForUnit(v, *c)) {
				return forbidden("record a mediation of this case")
			}
			if !isOneOf(c.Status, Accepted, InProgress) {
				return invalidState(*c, "mediated")
			}
			for _, m := range in.Mediators {
				if m.PersonID != nil {
					if p, ok := people[*m.PersonID]; !ok || p.SubdistrictID != c.SubdistrictID {
						return problem.New(problem.NotFound, "no such person", "mediators")
					}
				}
				if m.UnitID != nil {
					u, ok := us[*m.UnitID]
					if !ok || u.SubdistrictID != c.SubdistrictID {
						return problem.New(problem.NotFound, "no such unit", "mediators")
					}
					if m.Kind == MediatorLawyer && u.Kind != structure.UnitKind("LAW_FIRM") {
						return problem.New(problem.KindMismatch, "a lawyer mediates for a law firm", "mediators")
					}
				}
			}
			out = Mediation{SubdistrictID: c.SubdistrictID, CaseID: c.ID, Outcome: in.Outcome, Agreement: agreement,
				Mediators: in.Mediators, Parties: parties, Sessions: in.Sessions}
			if in.Outcome != OutcomePending {
				out.ConcludedAt = &now
			}
			return nil
		})
		if err != nil {
			return err
		}
		out, err = s.store.CreateMediation(ctx, out)
		return err
	})
	return out, err
}

func mediationNote(o Outcome, agreement string) string {
	if agreement != "" {
		return string(o) + ": " + agreement
	}
	return string(o)
}

// MediationUpdate is the input of UpdateMediation: a session to add and,
// to conclude it, the outcome and agreement.
type MediationUpdate struct {
	MediationID string
	Session     *Session
	Outcome     *Outcome
	Agreement   string
}

// UpdateMediation adds a session to a pending mediation and may conclude it
// with its outcome. Those who act on the case may.
func (s *Service) UpdateMediation(ctx context.Context, in MediationUpdate) (Mediation, error) {
	var l problem.List
	agreement := strings.TrimSpace(in.Agreement)
	if in.Outcome != nil {
		agreement = checkOutcome(&l, *in.Outcome, in.Agreement)
		if *in.Outcome == OutcomePending {
			l.Add(problem.InvalidInput, "conclude with an outcome other than PENDING", "outcome")
		}
	}
	if in.Session != nil {
		checkSession(&l, in.Session)
	}
	if in.Session == nil && in.Outcome == nil {
		l.Add(problem.InvalidInput, "give a session or an outcome", "session")
	}
	if err := l.Err(); err != nil {
		return Mediation{}, err
	}
	now := s.Now()
	var out Mediation
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.store.ChangeMediation(ctx, in.MediationID, func(m *Mediation, c Case) (*Session, error) {
			v := access.From(ctx)
			if !CanSee(v, c.SubdistrictID) && !ForUnit(v, c) {
				return nil, problem.ErrNotFound
			}
			if !ActsAt(v, c) && !(c.RoutingAccepted && ForUnit(v, c)) {
				return nil, forbidden("record a mediation of this case")
			}
			if m.Outcome != OutcomePending {
				return nil, problem.New(problem.InvalidState, "the mediation is concluded", "mediationId")
			}
			if in.Outcome != nil {
				m.Outcome, m.Agreement, m.ConcludedAt = *in.Outcome, agreement, &now
			}
			return in.Session, nil
		})
		if err != nil {
			if errors.Is(err, problem.ErrNotFound) {
				return problem.New(problem.NotFound, "no such mediation", "mediationId")
			}
			return err
		}
		_, err = s.step(ctx, out.CaseID, ActMediation, mediationNote(out.Outcome, out.Agreement), func(access.Viewer, *Case, *Event) error { return nil })
		return err
	})
	return out, err
}

// ShownMediation returns m as v may see it: the parties' contacts only for
// those who handle case c.
func ShownMediation(v access.Viewer, c Case, m Mediation) Mediation {
	if Handles(v, c) {
		return m
	}
	parties := make([]Party, len(m.Parties))
	for i, p := range m.Parties {
		p.Contact = nil
		parties[i] = p
	}
	m.Parties = parties
	return m
}
