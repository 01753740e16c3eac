package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"cogov/internal/cases"
	"cogov/internal/page"
	"cogov/internal/problem"
)

// Grid cases (internal/cases): categories, cases with their trail,
// mediations, intake keys, the callback outbox and the figures. A case's
// reporter and a party's contact live in case_personal, whose row-level
// security shows them to the case's handlers only: for anyone else the
// LEFT JOIN finds nothing and the contact stays nil.

// caseRow is a case as read, with the reporter's contact when visible.
type caseRow struct {
	cases.Case
	name, phone *string
}

func (r caseRow) toCase() cases.Case {
	c := r.Case
	if r.name != nil {
		c.Reporter = &cases.Personal{Name: *r.name, Phone: deref(r.phone)}
	}
	if c.Photos == nil {
		c.Photos = []string{}
	}
	return c
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

const caseCols = `c.id, c.subdistrict_id, c.source, c.category_id, c.community_id, c.grid_id, c.title, c.description, c.address,
	c.latitude, c.longitude, c.photos, c.reporter_masked, c.status, c.level, c.routed_unit_id, c.routing_accepted, c.meeting_id,
	c.external_ref, c.intake_key_id, c.reported_at, c.level_since, c.accept_due_at, c.resolve_due_at, c.level_accepted_at,
	c.first_accept_due_at, c.first_accepted_at, c.resolved_at, c.settled_level, c.settled_unit_id, c.resolution, c.closed_at,
	c.satisfaction, c.return_reason, c.returned_at, c.version, c.demo, coalesce(k.id::text, ''), r.name, r.phone`

const caseFrom = `grid_case c
	LEFT JOIN case_personal r ON r.subject_id = c.id
	LEFT JOIN committee k ON k.community_id = c.community_id AND k.kind = 'COMMUNITY_PARTY_COMMITTEE'`

func caseFields(r *caseRow) []any {
	c := &r.Case
	return []any{&c.ID, &c.SubdistrictID, &c.Source, &c.CategoryID, &c.CommunityID, &c.GridID, &c.Title, &c.Description, &c.Address,
		&c.Latitude, &c.Longitude, &c.Photos, &c.ReporterMasked, &c.Status, &c.Level, &c.RoutedUnitID, &c.RoutingAccepted, &c.MeetingID,
		&c.ExternalRef, &c.IntakeKeyID, &c.ReportedAt, &c.LevelSince, &c.AcceptDueAt, &c.ResolveDueAt, &c.LevelAcceptedAt,
		&c.FirstAcceptDueAt, &c.FirstAcceptedAt, &c.ResolvedAt, &c.SettledLevel, &c.SettledUnitID, &c.Resolution, &c.ClosedAt,
		&c.Satisfaction, &c.ReturnReason, &c.ReturnedAt, &c.Version, &c.Demo, &c.PartyCommitteeID, &r.name, &r.phone}
}

func caseConn(c *Conn[caseRow]) *Conn[cases.Case] {
	out := &Conn[cases.Case]{Cursors: c.Cursors, HasNext: c.HasNext, HasPrev: c.HasPrev, Total: c.Total}
	for _, r := range c.Items {
		out.Items = append(out.Items, r.toCase())
	}
	return out
}

// ---- categories ----

const categoryCols = `g.id, g.subdistrict_id, g.code, g.name, g.dispute, g.builtin, g.position,
	coalesce((SELECT jsonb_object_agg(l.level, jsonb_build_object('a', l.accept_hours, 'r', l.resolve_hours))
	  FROM case_time_limit l WHERE l.category_id = g.id), '{}')`

type categoryRow struct {
	cases.Category
	limits map[string]struct{ A, R int }
}

func categoryFields(r *categoryRow) []any {
	c := &r.Category
	return []any{&c.ID, &c.SubdistrictID, &c.Code, &c.Name, &c.Dispute, &c.Builtin, &c.Position, &r.limits}
}

func (r categoryRow) toCategory() cases.Category {
	c := r.Category
	c.Limits = map[cases.Level]cases.TimeLimit{}
	for l, v := range r.limits {
		c.Limits[cases.Level(l)] = cases.TimeLimit{AcceptHours: v.A, ResolveHours: v.R}
	}
	return c
}

// CaseCategoriesByID fetches categories with their time limits.
func (s *Store) CaseCategoriesByID(ctx context.Context, ids []string) (_ map[string]cases.Category, err error) {
	defer wrap(&err, "store.CaseCategoriesByID(%d ids)", len(ids))
	m, err := byIDs(ctx, s, categoryCols, "case_category g", "g.id", categoryFields, func(v categoryRow) string { return v.ID }, ids)
	out := make(map[string]cases.Category, len(m))
	for k, v := range m {
		out[k] = v.toCategory()
	}
	return out, err
}

// CaseCategories returns each sub-district's categories, in order.
func (s *Store) CaseCategories(ctx context.Context, sdIDs []string) (_ map[string][]cases.Category, err error) {
	defer wrap(&err, "store.CaseCategories(%d sdIDs)", len(sdIDs))
	m, err := group(ctx, s, `SELECT `+categoryCols+` FROM case_category g WHERE g.subdistrict_id = ANY($1::text[]::uuid[]) ORDER BY g.position, g.code`,
		categoryFields, func(v categoryRow) string { return v.SubdistrictID }, sdIDs)
	out := make(map[string][]cases.Category, len(m))
	for k, v := range m {
		for _, c := range v {
			out[k] = append(out[k], c.toCategory())
		}
	}
	return out, err
}

// CaseCategoryByCode fetches a category of a sub-district by its code.
func (s *Store) CaseCategoryByCode(ctx context.Context, sd, code string) (_ cases.Category, err error) {
	defer wrap(&err, "store.CaseCategoryByCode(%q)", code)
	var r categoryRow
	err = s.read(ctx, func(tx querier) error {
		var err error
		r, err = one(ctx, tx, problem.ErrNotFound, categoryFields, `SELECT `+categoryCols+` FROM case_category g
			WHERE g.subdistrict_id = $1 AND g.code = $2`, sd, code)
		return err
	})
	return r.toCategory(), err
}

// CreateCaseCategory inserts a category with its time limits.
func (s *Store) CreateCaseCategory(ctx context.Context, c cases.Category) (_ cases.Category, err error) {
	defer wrap(&err, "store.CreateCaseCategory(%q)", c.Code)
	var out cases.Category
	err = s.write(ctx, "case-category.create", c.Code, func(tx pgx.Tx) error {
		var id string
		if err := tx.QueryRow(ctx, `INSERT INTO case_category (subdistrict_id, code, name, dispute, position) VALUES ($1, $2, $3, $4, $5)
			RETURNING id`, c.SubdistrictID, c.Code, c.Name, c.Dispute, c.Position).Scan(&id); err != nil {
			return err
		}
		for lvl, lim := range c.Limits {
			if _, err := tx.Exec(ctx, `INSERT INTO case_time_limit (subdistrict_id, category_id, level, accept_hours, resolve_hours)
				VALUES ($1, $2, $3, $4, $5)`, c.SubdistrictID, id, lvl, lim.AcceptHours, lim.ResolveHours); err != nil {
				return err
			}
		}
		r, err := one(ctx, tx, problem.ErrNotFound, categoryFields, `SELECT `+categoryCols+` FROM case_category g WHERE g.id = $1`, id)
		out = r.toCategory()
		return err
	})
	return out, err
}

// ---- cases ----

func readCase(ctx context.Context, q querier, where string, args ...any) (cases.Case, error) {
	r, err := one(ctx, q, problem.ErrNotFound, caseFields, `SELECT `+caseCols+` FROM `+caseFrom+` WHERE `+where, args...)
	return r.toCase(), err
}

// CasesByID fetches cases by id, each with the reporter's contact when the
// viewer handles it.
func (s *Store) CasesByID(ctx context.Context, ids []string) (_ map[string]cases.Case, err error) {
	defer wrap(&err, "store.CasesByID(%d ids)", len(ids))
	m, err := byIDs(ctx, s, caseCols, caseFrom, "c.id", caseFields, func(v caseRow) string { return v.ID }, ids)
	out := make(map[string]cases.Case, len(m))
	for k, v := range m {
		out[k] = v.toCase()
	}
	return out, err
}

// CaseByRef fetches the case an integration pushed with its reference.
func (s *Store) CaseByRef(ctx context.Context, sd string, source cases.Source, ref string) (_ cases.Case, err error) {
	defer wrap(&err, "store.CaseByRef(%q)", sd)
	var c cases.Case
	err = s.read(ctx, func(tx querier) error {
		var err error
		c, err = readCase(ctx, tx, `c.subdistrict_id = $1 AND c.source = $2 AND c.external_ref = $3`, sd, source, ref)
		return err
	})
	return c, err
}

func insertEvent(ctx context.Context, tx pgx.Tx, sd, caseID string, ev cases.Event) error {
	_, err := tx.Exec(ctx, `INSERT INTO case_event (subdistrict_id, case_id, at, actor_id, actor_label, action, from_status, to_status,
		from_level, to_level, unit_id, meeting_id, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		sd, caseID, ev.At, ev.ActorID, ev.ActorLabel, ev.Action, ev.FromStatus, ev.ToStatus, ev.FromLevel, ev.ToLevel, ev.UnitID, ev.MeetingID, ev.Note)
	return err
}

// CreateCase inserts a case, its reporter's contact and the first step of its trail.
func (s *Store) CreateCase(ctx context.Context, c cases.Case, ev cases.Event) (_ cases.Case, err error) {
	defer wrap(&err, "store.CreateCase(%q)", c.GridID)
	var out cases.Case
	err = s.write(ctx, "case.report", "", func(tx pgx.Tx) error {
		var id string
		if err := tx.QueryRow(ctx, `INSERT INTO grid_case (subdistrict_id, source, category_id, community_id, grid_id, title, description,
			address, latitude, longitude, photos, reporter_masked, status, level, external_ref, intake_key_id, reported_at, level_since,
			accept_due_at, resolve_due_at, first_accept_due_at, demo, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18, $19, $18, $20, $17) RETURNING id`,
			c.SubdistrictID, c.Source, c.CategoryID, c.CommunityID, c.GridID, c.Title, c.Description, c.Address, c.Latitude, c.Longitude,
			c.Photos, c.ReporterMasked, c.Status, c.Level, c.ExternalRef, c.IntakeKeyID, c.ReportedAt, c.AcceptDueAt, c.ResolveDueAt,
			c.Demo).Scan(&id); err != nil {
			return err
		}
		if c.Reporter != nil {
			if _, err := tx.Exec(ctx, `INSERT INTO case_personal (subject_id, subdistrict_id, case_id, name, phone) VALUES ($1, $2, $1, $3, $4)`,
				id, c.SubdistrictID, c.Reporter.Name, c.Reporter.Phone); err != nil {
				return err
			}
		}
		if err := insertEvent(ctx, tx, c.SubdistrictID, id, ev); err != nil {
			return err
		}
		var err error
		out, err = readCase(ctx, tx, `c.id = $1`, id)
		if err == nil && out.Reporter == nil {
			out.Reporter = c.Reporter // the reporter wrote it; the integration may not read it back
		}
		return err
	})
	return out, err
}

// ChangeCase locks a case, lets apply change it and writes it with the
// step for its trail and the callback apply asked for, in one audited
// transaction.
func (s *Store) ChangeCase(ctx context.Context, id string, apply func(*cases.Change) error) (_ cases.Case, err error) {
	defer wrap(&err, "store.ChangeCase(%q)", id)
	var out cases.Case
	if !IsUUID(id) {
		return out, problem.ErrNotFound
	}
	err = s.write(ctx, "case.step", "", func(tx pgx.Tx) error {
		c, err := readCase(ctx, tx, `c.id = $1 FOR UPDATE OF c`, id)
		if err != nil {
			return err
		}
		ch := cases.Change{Case: c}
		if err := apply(&ch); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT set_config('cogov.action', $1, true), set_config('cogov.note', $2, true)`,
			"case."+string(ch.Event.Action), ch.Event.Note); err != nil {
			return err
		}
		n := ch.Case
		if _, err := tx.Exec(ctx, `UPDATE grid_case SET status = $2, level = $3, routed_unit_id = $4, routing_accepted = $5, meeting_id = $6,
			level_since = $7, accept_due_at = $8, resolve_due_at = $9, level_accepted_at = $10, first_accepted_at = $11, resolved_at = $12,
			settled_level = $13, settled_unit_id = $14, resolution = $15, closed_at = $16, satisfaction = $17, return_reason = $18,
			returned_at = $19, version = version + 1, updated_at = cogov_now() WHERE id = $1`,
			id, n.Status, n.Level, n.RoutedUnitID, n.RoutingAccepted, n.MeetingID, n.LevelSince, n.AcceptDueAt, n.ResolveDueAt,
			n.LevelAcceptedAt, n.FirstAcceptedAt, n.ResolvedAt, n.SettledLevel, n.SettledUnitID, n.Resolution, n.ClosedAt, n.Satisfaction,
			n.ReturnReason, n.ReturnedAt); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, n.SubdistrictID, id, ch.Event); err != nil {
			return err
		}
		if cb := ch.Callback; cb != nil {
			if _, err := tx.Exec(ctx, `INSERT INTO case_callback (subdistrict_id, case_id, intake_key_id, event, payload)
				VALUES ($1, $2, $3, $4, $5)`, n.SubdistrictID, id, cb.IntakeKeyID, cb.Event, cb.Payload); err != nil {
				return err
			}
		}
		out, err = readCase(ctx, tx, `c.id = $1`, id)
		return err
	})
	return out, err
}

// CaseParent says what a list of cases hangs under.
type CaseParent string

// Parents of case lists.
const (
	CasesOfSubdistrict CaseParent = "c.subdistrict_id"
	CasesOfCommunity   CaseParent = "c.community_id"
	CasesOfGrid        CaseParent = "c.grid_id"
	CasesOfUnit        CaseParent = "c.routed_unit_id" // the cases routed to a unit
)

// CaseFilter narrows a list of cases; empty fields do not filter.
type CaseFilter struct {
	Status, Source, Level, Category string
	// Grids, when not empty, keeps the cases of these grids (comma-separated ids).
	Grids string
}

// Cases lists the cases under each parent, newest first.
func (s *Store) Cases(ctx context.Context, parent CaseParent, parents []string, f CaseFilter, p Page) (_ map[string]*Conn[cases.Case], err error) {
	defer wrap(&err, "store.Cases(%d parents)", len(parents))
	var grids []string
	if f.Grids != "" {
		grids = splitIDs(f.Grids)
	}
	m, err := runList(ctx, s, listSpec[caseRow]{cols: caseCols, from: caseFrom, parent: string(parent),
		sort: `to_char(9999999999 - extract(epoch FROM c.reported_at), 'FM0000000000.000000')`, id: "c.id", fields: caseFields,
		where: `($5 = '' OR c.status = $5) AND ($6 = '' OR c.source = $6) AND ($7 = '' OR c.level = $7) AND ($8 = '' OR c.category_id::text = $8)
			AND ($9::text[]::uuid[] IS NULL OR c.grid_id = ANY($9::text[]::uuid[]))`,
		args: []any{f.Status, f.Source, f.Level, f.Category, grids}}, parents, p)
	out := make(map[string]*Conn[cases.Case], len(m))
	for k, v := range m {
		out[k] = caseConn(v)
	}
	return out, err
}

// OverdueCases lists the open cases past a time limit in a scope, the
// longest overdue first: grid-level cases of the communities of the
// scope's committees, and cases above the grid in its sub-districts.
func (s *Store) OverdueCases(ctx context.Context, sc cases.OverdueScope, p page.Page) (_ *page.Conn[cases.Case], err error) {
	defer wrap(&err, "store.OverdueCases")
	m, err := runList(ctx, s, listSpec[caseRow]{cols: caseCols, from: caseFrom, parent: "'" + noParent + "'::uuid",
		sort: `to_char(extract(epoch FROM least(CASE WHEN c.level_accepted_at IS NULL THEN c.accept_due_at END, c.resolve_due_at)), 'FM0000000000.000000')`,
		id:   "c.id", fields: caseFields,
		where: `c.status NOT IN ('RESOLVED', 'CLOSED', 'RETURNED')
			AND ((c.level_accepted_at IS NULL AND c.accept_due_at < cogov_now()) OR c.resolve_due_at < cogov_now())
			AND ((c.level = 'GRID' AND k.id = ANY($5::text[]::uuid[])) OR (c.level <> 'GRID' AND c.subdistrict_id = ANY($6::text[]::uuid[])))`,
		args: []any{okIDs(sc.Committees), okIDs(sc.Subdistricts)}}, []string{noParent}, p)
	if err != nil {
		return nil, err
	}
	if c := m[noParent]; c != nil {
		return caseConn(c), nil
	}
	return &page.Conn[cases.Case]{}, nil
}

// CaseEvents returns each case's trail, oldest first.
func (s *Store) CaseEvents(ctx context.Context, caseIDs []string) (_ map[string][]cases.Event, err error) {
	defer wrap(&err, "store.CaseEvents(%d caseIDs)", len(caseIDs))
	return group(ctx, s, `SELECT id, case_id, at, actor_id, actor_label, action, from_status, to_status, from_level, to_level, unit_id,
		meeting_id, note FROM case_event WHERE case_id = ANY($1::text[]::uuid[]) ORDER BY case_id, at, id`,
		func(e *cases.Event) []any {
			return []any{&e.ID, &e.CaseID, &e.At, &e.ActorID, &e.ActorLabel, &e.Action, &e.FromStatus, &e.ToStatus, &e.FromLevel, &e.ToLevel,
				&e.UnitID, &e.MeetingID, &e.Note}
		}, func(e cases.Event) string { return e.CaseID }, caseIDs)
}

// ---- mediations ----

// mediationCols read a mediation with its mediators, parties (and their
// contacts, when visible) and sessions as JSON.
const mediationCols = `m.id, m.subdistrict_id, m.case_id, m.outcome, m.agreement, m.concluded_at, m.created_at,
	coalesce((SELECT jsonb_agg(jsonb_build_object('kind', x.kind, 'person', x.person_id, 'unit', x.unit_id, 'name', x.name) ORDER BY x.position)
	  FROM mediation_mediator x WHERE x.mediation_id = m.id), '[]'),
	coalesce((SELECT jsonb_agg(jsonb_build_object('id', x.id, 'side', x.side, 'masked', x.masked, 'name', r.name, 'phone', r.phone) ORDER BY x.position)
	  FROM mediation_party x LEFT JOIN case_personal r ON r.subject_id = x.id WHERE x.mediation_id = m.id), '[]'),
	coalesce((SELECT jsonb_agg(jsonb_build_object('at', x.held_at, 'place', x.place, 'note', x.note) ORDER BY x.held_at, x.id)
	  FROM mediation_session x WHERE x.mediation_id = m.id), '[]')`

type mediationRow struct {
	cases.Mediation
	mediators []struct {
		Kind   cases.MediatorKind
		Person *string
		Unit   *string
		Name   string
	}
	parties []struct {
		ID, Masked  string
		Side        cases.Side
		Name, Phone *string
	}
	sessions []struct {
		At          time.Time
		Place, Note string
	}
}

func mediationFields(r *mediationRow) []any {
	m := &r.Mediation
	return []any{&m.ID, &m.SubdistrictID, &m.CaseID, &m.Outcome, &m.Agreement, &m.ConcludedAt, &m.CreatedAt, &r.mediators, &r.parties, &r.sessions}
}

func (r mediationRow) toMediation() cases.Mediation {
	m := r.Mediation
	m.Mediators, m.Parties, m.Sessions = []cases.Mediator{}, []cases.Party{}, []cases.Session{}
	for _, x := range r.mediators {
		m.Mediators = append(m.Mediators, cases.Mediator{Kind: x.Kind, PersonID: x.Person, UnitID: x.Unit, Name: x.Name})
	}
	for _, x := range r.parties {
		p := cases.Party{ID: x.ID, Side: x.Side, Masked: x.Masked}
		if x.Name != nil {
			p.Contact = &cases.Personal{Name: *x.Name, Phone: deref(x.Phone)}
		}
		m.Parties = append(m.Parties, p)
	}
	for _, x := range r.sessions {
		m.Sessions = append(m.Sessions, cases.Session{HeldAt: x.At, Place: x.Place, Note: x.Note})
	}
	return m
}

// CaseMediations returns each case's mediations, oldest first.
func (s *Store) CaseMediations(ctx context.Context, caseIDs []string) (_ map[string][]cases.Mediation, err error) {
	defer wrap(&err, "store.CaseMediations(%d caseIDs)", len(caseIDs))
	m, err := group(ctx, s, `SELECT `+mediationCols+` FROM mediation m WHERE m.case_id = ANY($1::text[]::uuid[]) ORDER BY m.case_id, m.created_at, m.id`,
		mediationFields, func(v mediationRow) string { return v.CaseID }, caseIDs)
	out := make(map[string][]cases.Mediation, len(m))
	for k, v := range m {
		for _, r := range v {
			out[k] = append(out[k], r.toMediation())
		}
	}
	return out, err
}

// MediationsByID fetches mediations by id.
func (s *Store) MediationsByID(ctx context.Context, ids []string) (_ map[string]cases.Mediation, err error) {
	defer wrap(&err, "store.MediationsByID(%d ids)", len(ids))
	m, err := byIDs(ctx, s, mediationCols, "mediation m", "m.id", mediationFields, func(v mediationRow) string { return v.ID }, ids)
	out := make(map[string]cases.Mediation, len(m))
	for k, v := range m {
		out[k] = v.toMediation()
	}
	return out, err
}

func insertSession(ctx context.Context, tx pgx.Tx, sd, mediationID string, se cases.Session) error {
	_, err := tx.Exec(ctx, `INSERT INTO mediation_session (subdistrict_id, mediation_id, held_at, place, note) VALUES ($1, $2, $3, $4, $5)`,
		sd, mediationID, se.HeldAt, se.Place, se.Note)
	return err
}

// CreateMediation inserts a mediation with its mediators, parties (their
// contacts into case_personal) and sessions.
func (s *Store) CreateMediation(ctx context.Context, m cases.Mediation) (_ cases.Mediation, err error) {
	defer wrap(&err, "store.CreateMediation(%q)", m.CaseID)
	var out cases.Mediation
	err = s.write(ctx, "mediation.record", "", func(tx pgx.Tx) error {
		var id string
		if err := tx.QueryRow(ctx, `INSERT INTO mediation (subdistrict_id, case_id, outcome, agreement, concluded_at) VALUES ($1, $2, $3, $4, $5)
			RETURNING id`, m.SubdistrictID, m.CaseID, m.Outcome, m.Agreement, m.ConcludedAt).Scan(&id); err != nil {
			return err
		}
		for i, x := range m.Mediators {
			if _, err := tx.Exec(ctx, `INSERT INTO mediation_mediator (subdistrict_id, mediation_id, position, kind, person_id, unit_id, name)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, m.SubdistrictID, id, i+1, x.Kind, x.PersonID, x.UnitID, x.Name); err != nil {
				return err
			}
		}
		for i, p := range m.Parties {
			var pid string
			if err := tx.QueryRow(ctx, `INSERT INTO mediation_party (subdistrict_id, mediation_id, position, side, masked) VALUES ($1, $2, $3, $4, $5)
				RETURNING id`, m.SubdistrictID, id, i+1, p.Side, p.Masked).Scan(&pid); err != nil {
				return err
			}
			if p.Contact != nil {
				if _, err := tx.Exec(ctx, `INSERT INTO case_personal (subject_id, subdistrict_id, case_id, name, phone) VALUES ($1, $2, $3, $4, $5)`,
					pid, m.SubdistrictID, m.CaseID, p.Contact.Name, p.Contact.Phone); err != nil {
					return err
				}
			}
		}
		for _, se := range m.Sessions {
			if err := insertSession(ctx, tx, m.SubdistrictID, id, se); err != nil {
				return err
			}
		}
		r, err := one(ctx, tx, problem.ErrNotFound, mediationFields, `SELECT `+mediationCols+` FROM mediation m WHERE m.id = $1`, id)
		out = r.toMediation()
		return err
	})
	return out, err
}

// ChangeMediation locks a mediation, lets apply change it (given its case)
// and writes it with the session apply returns, if any.
func (s *Store) ChangeMediation(ctx context.Context, id string, apply func(m *cases.Mediation, c cases.Case) (*cases.Session, error)) (_ cases.Mediation, err error) {
	defer wrap(&err, "store.ChangeMediation(%q)", id)
	var out cases.Mediation
	if !IsUUID(id) {
		return out, problem.ErrNotFound
	}
	err = s.write(ctx, "mediation.update", "", func(tx pgx.Tx) error {
		r, err := one(ctx, tx, problem.ErrNotFound, mediationFields, `SELECT `+mediationCols+` FROM mediation m WHERE m.id = $1 FOR UPDATE OF m`, id)
		if err != nil {
			return err
		}
		m := r.toMediation()
		c, err := readCase(ctx, tx, `c.id = $1`, m.CaseID)
		if err != nil {
			return err
		}
		se, err := apply(&m, c)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE mediation SET outcome = $2, agreement = $3, concluded_at = $4, updated_at = cogov_now() WHERE id = $1`,
			id, m.Outcome, m.Agreement, m.ConcludedAt); err != nil {
			return err
		}
		if se != nil {
			if err := insertSession(ctx, tx, m.SubdistrictID, id, *se); err != nil {
				return err
			}
		}
		r, err = one(ctx, tx, problem.ErrNotFound, mediationFields, `SELECT `+mediationCols+` FROM mediation m WHERE m.id = $1`, id)
		out = r.toMediation()
		return err
	})
	return out, err
}

// ---- intake keys and callbacks ----

const intakeKeyCols = `i.id, i.subdistrict_id, i.name, i.source, i.key_prefix, i.callback_url, i.created_at, i.revoked_at`

func intakeKeyFields(k *cases.IntakeKey) []any {
	return []any{&k.ID, &k.SubdistrictID, &k.Name, &k.Source, &k.Prefix, &k.CallbackURL, &k.CreatedAt, &k.RevokedAt}
}

// CreateIntakeKey inserts an intake key, given as its hash.
func (s *Store) CreateIntakeKey(ctx context.Context, k cases.IntakeKey, hash []byte, secret string) (_ cases.IntakeKey, err error) {
	defer wrap(&err, "store.CreateIntakeKey(%q)", k.SubdistrictID)
	var out cases.IntakeKey
	err = s.write(ctx, "intake-key.create", k.Name, func(tx pgx.Tx) error {
		var err error
		out, err = one(ctx, tx, problem.ErrNotFound, intakeKeyFields, `INSERT INTO intake_key AS i (subdistrict_id, name, source,
			key_prefix, callback_url) VALUES ($1, $2, $3, $4, $5) RETURNING `+intakeKeyCols,
			k.SubdistrictID, k.Name, k.Source, k.Prefix, k.CallbackURL)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO intake_key_secret (intake_key_id, subdistrict_id, key_hash, callback_secret) VALUES ($1, $2, $3, $4)`,
			out.ID, out.SubdistrictID, hash, secret)
		return err
	})
	return out, err
}

// RevokeIntakeKey locks an intake key, lets apply set its revocation and writes it.
func (s *Store) RevokeIntakeKey(ctx context.Context, id string, apply func(*cases.IntakeKey) error) (_ cases.IntakeKey, err error) {
	defer wrap(&err, "store.RevokeIntakeKey(%q)", id)
	var out cases.IntakeKey
	if !IsUUID(id) {
		return out, problem.ErrNotFound
	}
	err = s.write(ctx, "intake-key.revoke", "", func(tx pgx.Tx) error {
		k, err := one(ctx, tx, problem.ErrNotFound, intakeKeyFields, `SELECT `+intakeKeyCols+` FROM intake_key i WHERE i.id = $1 FOR UPDATE`, id)
		if err != nil {
			return err
		}
		if err := apply(&k); err != nil {
			return err
		}
		out, err = one(ctx, tx, problem.ErrNotFound, intakeKeyFields, `UPDATE intake_key i SET revoked_at = $2 WHERE id = $1 RETURNING `+intakeKeyCols,
			id, k.RevokedAt)
		return err
	})
	return out, err
}

// IntakeKeyByHash finds an intake key by the hash of its API key.
func (s *Store) IntakeKeyByHash(ctx context.Context, hash []byte) (_ cases.IntakeKey, err error) {
	defer wrap(&err, "store.IntakeKeyByHash")
	var k cases.IntakeKey
	err = s.read(ctx, func(tx querier) error {
		var err error
		k, err = one(ctx, tx, problem.ErrNotFound, intakeKeyFields, `SELECT `+intakeKeyCols+` FROM intake_key i
			JOIN intake_key_secret s ON s.intake_key_id = i.id WHERE s.key_hash = $1`, hash)
		return err
	})
	return k, err
}

// IntakeKeys returns each sub-district's intake keys, newest first.
func (s *Store) IntakeKeys(ctx context.Context, sdIDs []string) (_ map[string][]cases.IntakeKey, err error) {
	defer wrap(&err, "store.IntakeKeys(%d sdIDs)", len(sdIDs))
	return group(ctx, s, `SELECT `+intakeKeyCols+` FROM intake_key i WHERE i.subdistrict_id = ANY($1::text[]::uuid[]) ORDER BY i.created_at DESC, i.id`,
		intakeKeyFields, func(k cases.IntakeKey) string { return k.SubdistrictID }, sdIDs)
}

// IntakeKeysByID fetches intake keys by id.
func (s *Store) IntakeKeysByID(ctx context.Context, ids []string) (_ map[string]cases.IntakeKey, err error) {
	defer wrap(&err, "store.IntakeKeysByID(%d ids)", len(ids))
	return byIDs(ctx, s, intakeKeyCols, "intake_key i", "i.id", intakeKeyFields, func(k cases.IntakeKey) string { return k.ID }, ids)
}

// ClaimCallbacks takes up to n callbacks that are due, counts an attempt
// and holds them for lease, so that another worker does not send them
// meanwhile; each comes with its integration's address and secret.
func (s *Store) ClaimCallbacks(ctx context.Context, n int, lease time.Duration) (_ []cases.Callback, err error) {
	defer wrap(&err, "store.ClaimCallbacks(%d)", n)
	var out []cases.Callback
	err = s.write(ctx, "callback.claim", "", func(tx pgx.Tx) error {
		var err error
		out, err = collect(ctx, tx, func(c *cases.Callback) []any {
			return []any{&c.ID, &c.CaseID, &c.IntakeKeyID, &c.Event, &c.Payload, &c.Attempts, &c.URL, &c.Secret}
		}, `WITH due AS (
			SELECT id FROM case_callback WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= cogov_now()
			ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED
		), claimed AS (
			UPDATE case_callback b SET attempts = attempts + 1, next_attempt_at = cogov_now() + $2::interval FROM due WHERE b.id = due.id
			RETURNING b.*
		)
		SELECT c.id, c.case_id, c.intake_key_id, c.event, c.payload::text::bytea, c.attempts, k.callback_url, s.callback_secret
		FROM claimed c JOIN intake_key k ON k.id = c.intake_key_id JOIN intake_key_secret s ON s.intake_key_id = k.id
		ORDER BY c.created_at, c.id`, n, lease.String())
		return err
	})
	return out, err
}

// FinishCallback records a delivery attempt: delivered, to be tried again
// at retryAt, or (retryAt nil) given up.
func (s *Store) FinishCallback(ctx context.Context, id string, delivered bool, errText string, retryAt *time.Time) (err error) {
	defer wrap(&err, "store.FinishCallback(%q)", id)
	return s.write(ctx, "callback.finish", "", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE case_callback SET delivered_at = CASE WHEN $2 THEN cogov_now() END,
			failed_at = CASE WHEN NOT $2 AND $4::timestamptz IS NULL THEN cogov_now() END,
			next_attempt_at = coalesce($4, next_attempt_at), last_error = left($3, 500) WHERE id = $1`, id, delivered, errText, retryAt)
		return err
	})
}

// ---- figures ----

// CaseFigures computes the grid-affairs figures of a sub-district for
// [from, to) in SQL (case_figures and case_counts, migration 00013).
func (s *Store) CaseFigures(ctx context.Context, sd string, from, to time.Time) (_ cases.Figures, err error) {
	defer wrap(&err, "store.CaseFigures(%q)", sd)
	f := cases.Figures{From: from, To: to}
	err = s.read(ctx, func(tx querier) error {
		type row struct {
			community, grid *string
			r               cases.Rates
		}
		rows, err := collect(ctx, tx, func(v *row) []any {
			r := &v.r
			return []any{&v.community, &v.grid, &r.Reported, &r.AcceptMeasured, &r.AcceptedOnTime, &r.Resolved, &r.ResolvedOnTime,
				&r.SettledInGrid, &r.MediationsConcluded, &r.MediationsReached, &r.Visited, &r.Satisfied, &r.Open}
		}, `SELECT community_id, grid_id, reported, accept_measured, accepted_on_time, resolved, resolved_on_time, settled_in_grid,
			mediations_concluded, mediations_reached, visited, satisfied, open FROM case_figures($1, $2, $3)`, sd, from, to)
		if err != nil {
			return err
		}
		for _, r := range rows {
			switch {
			case r.community == nil:
				f.Total = r.r
			case r.grid == nil:
				f.Communities = append(f.Communities, cases.ScopeRates{ID: *r.community, CommunityID: *r.community, Rates: r.r})
			default:
				f.Grids = append(f.Grids, cases.ScopeRates{ID: *r.grid, CommunityID: *r.community, Rates: r.r})
			}
		}
		counts, err := collect(ctx, tx, func(v *struct {
			dim string
			c   cases.Count
		}) []any {
			return []any{&v.dim, &v.c.Key, &v.c.Count}
		}, `SELECT dimension, key, count FROM case_counts($1, $2, $3) ORDER BY dimension, count DESC, key`, sd, from, to)
		for _, c := range counts {
			switch c.dim {
			case "source":
				f.BySource = append(f.BySource, c.c)
			case "category":
				f.ByCategory = append(f.ByCategory, c.c)
			case "status":
				f.ByStatus = append(f.ByStatus, c.c)
			case "settled":
				f.BySettledLevel = append(f.BySettledLevel, c.c)
			}
		}
		return err
	})
	return f, err
}

// splitIDs splits comma-separated ids, dropping any that are not uuids.
func splitIDs(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			if IsUUID(s[start:i]) {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	if out == nil {
		out = []string{noParent}
	}
	return out
}
