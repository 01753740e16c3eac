package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"cogov/internal/access"
	"cogov/internal/lists"
	"cogov/internal/problem"
)

const needCols = `n.id, n.subdistrict_id, n.committee_id, n.community_id, n.grid_id, n.title, n.category, n.description,
	n.people_affected, n.urgency, n.status, n.level, n.met_at, n.closed_at, n.demo, n.created_at`

func needFields(n *lists.Need) []any {
	return []any{&n.ID, &n.SubdistrictID, &n.CommitteeID, &n.CommunityID, &n.GridID, &n.Title, &n.Category, &n.Description,
		&n.PeopleAffected, &n.Urgency, &n.Status, &n.Level, &n.MetAt, &n.ClosedAt, &n.Demo, &n.CreatedAt}
}

const offerCols = `o.id, o.subdistrict_id, o.unit_id, o.title, o.category, o.description, o.venue_id, o.quantity,
	o.available_from, o.available_to, o.status, o.demo, o.created_at`

func offerFields(o *lists.Offer) []any {
	return []any{&o.ID, &o.SubdistrictID, &o.UnitID, &o.Title, &o.Category, &o.Description, &o.VenueID, &o.Quantity,
		&o.AvailableFrom, &o.AvailableTo, &o.Status, &o.Demo, &o.CreatedAt}
}

const projectCols = `p.id, p.subdistrict_id, p.title, p.owner_unit_id, p.owner_committee_id, p.due_on, p.resolution_id, p.status,
	p.progress_percent, p.ended_at, p.demo, p.created_at,
	coalesce((SELECT array_agg(pn.need_id::text ORDER BY pn.need_id) FROM project_need pn WHERE pn.project_id = p.id), '{}'),
	coalesce((SELECT array_agg(po.offer_id::text ORDER BY po.offer_id) FROM project_offer po WHERE po.project_id = p.id), '{}')`

func projectFields(p *lists.Project) []any {
	return []any{&p.ID, &p.SubdistrictID, &p.Title, &p.OwnerUnitID, &p.OwnerCommitteeID, &p.DueOn, &p.ResolutionID, &p.Status,
		&p.ProgressPercent, &p.EndedAt, &p.Demo, &p.CreatedAt, &p.NeedIDs, &p.OfferIDs}
}

const escalationCols = `e.id, e.need_id, e.from_level, e.to_level, e.note, e.meeting_id, e.actor_id, e.at`

func escalationFields(e *lists.Escalation) []any {
	return []any{&e.ID, &e.NeedID, &e.From, &e.To, &e.Note, &e.MeetingID, &e.ActorID, &e.At}
}

func updateFields(u *lists.Update) []any { return []any{&u.ProjectID, &u.At, &u.Percent, &u.Note} }

// NeedsByID fetches needs by id.
func (s *Store) NeedsByID(ctx context.Context, ids []string) (_ map[string]lists.Need, err error) {
	defer wrap(&err, "store.NeedsByID(%d ids)", len(ids))
	return byIDs(ctx, s, needCols, "need n", "n.id", needFields,
		func(n lists.Need) string { return n.ID }, ids)
}

// OffersByID fetches offers by id.
func (s *Store) OffersByID(ctx context.Context, ids []string) (_ map[string]lists.Offer, err error) {
	defer wrap(&err, "store.OffersByID(%d ids)", len(ids))
	return byIDs(ctx, s, offerCols, "offer o", "o.id", offerFields,
		func(o lists.Offer) string { return o.ID }, ids)
}

// ProjectsByID fetches projects by id.
func (s *Store) ProjectsByID(ctx context.Context, ids []string) (_ map[string]lists.Project, err error) {
	defer wrap(&err, "store.ProjectsByID(%d ids)", len(ids))
	return byIDs(ctx, s, projectCols, "project p", "p.id", projectFields,
		func(p lists.Project) string { return p.ID }, ids)
}

// Escalations returns the escalation trail of each need, oldest first.
func (s *Store) Escalations(ctx context.Context, needIDs []string) (_ map[string][]lists.Escalation, err error) {
	defer wrap(&err, "store.Escalations(%d needIDs)", len(needIDs))
	return group(ctx, s, `SELECT `+escalationCols+` FROM need_escalation e WHERE e.need_id = ANY($1::text[]::uuid[]) ORDER BY e.need_id, e.at, e.id`,
		escalationFields, func(e lists.Escalation) string { return e.NeedID }, needIDs)
}

// ProjectUpdates returns the progress updates of each project, oldest first.
func (s *Store) ProjectUpdates(ctx context.Context, projectIDs []string) (_ map[string][]lists.Update, err error) {
	defer wrap(&err, "store.ProjectUpdates(%d projectIDs)", len(projectIDs))
	return group(ctx, s, `SELECT u.project_id, u.at, u.percent, u.note FROM project_update u WHERE u.project_id = ANY($1::text[]::uuid[])
		ORDER BY u.project_id, u.at, u.id`, updateFields, func(u lists.Update) string { return u.ProjectID }, projectIDs)
}

// CreateNeed inserts a need.
func (s *Store) CreateNeed(ctx context.Context, n lists.Need) (_ lists.Need, err error) {
	defer wrap(&err, "store.CreateNeed")
	var out lists.Need
	err = s.write(ctx, "need.post", n.Title, func(tx pgx.Tx) error {
		var err error
		out, err = one(ctx, tx, problem.ErrNotFound, needFields, `INSERT INTO need AS n (subdistrict_id, committee_id, community_id, grid_id, title,
			category, description, people_affected, urgency, status, level, demo) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			RETURNING `+needCols, n.SubdistrictID, n.CommitteeID, n.CommunityID, n.GridID, n.Title, n.Category, n.Description, n.PeopleAffected,
			n.Urgency, n.Status, n.Level, n.Demo)
		return err
	})
	return out, err
}

// ChangeNeed locks a need, lets apply change it and writes it and the escalation apply asked for.
func (s *Store) ChangeNeed(ctx context.Context, id, action, note string, apply func(*lists.NeedChange) error) (_ lists.Need, err error) {
	defer wrap(&err, "store.ChangeNeed(%q)", id)
	var out lists.Need
	if !IsUUID(id) {
		return out, problem.ErrNotFound
	}
	err = s.write(ctx, action, note, func(tx pgx.Tx) error {
		n, err := one(ctx, tx, problem.ErrNotFound, needFields, `SELECT `+needCols+` FROM need n WHERE n.id = $1 FOR UPDATE`, id)
		if err != nil {
			return err
		}
		c := lists.NeedChange{Need: n}
		if err := apply(&c); err != nil {
			return err
		}
		n = c.Need
		if out, err = one(ctx, tx, problem.ErrNotFound, needFields, `UPDATE need n SET status = $2, level = $3, met_at = $4, closed_at = $5,
			updated_at = cogov_now() WHERE id = $1 RETURNING `+needCols, id, n.Status, n.Level, n.MetAt, n.ClosedAt); err != nil {
			return err
		}
		if e := c.Escalation; e != nil {
			_, err = tx.Exec(ctx, `INSERT INTO need_escalation (subdistrict_id, need_id, from_level, to_level, note, meeting_id, actor_id, at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, n.SubdistrictID, id, e.From, e.To, e.Note, e.MeetingID, e.ActorID, e.At)
		}
		return err
	})
	return out, err
}

// CreateOffer inserts an offer.
func (s *Store) CreateOffer(ctx context.Context, o lists.Offer) (_ lists.Offer, err error) {
	defer wrap(&err, "store.CreateOffer")
	var out lists.Offer
	err = s.write(ctx, "offer.post", o.Title, func(tx pgx.Tx) error {
		var err error
		out, err = one(ctx, tx, problem.ErrNotFound, offerFields, `INSERT INTO offer AS o (subdistrict_id, unit_id, title, category, description,
			venue_id, quantity, available_from, available_to, status, demo) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			RETURNING `+offerCols, o.SubdistrictID, o.UnitID, o.Title, o.Category, o.Description, o.VenueID, o.Quantity, o.AvailableFrom,
			o.AvailableTo, o.Status, o.Demo)
		return err
	})
	return out, err
}

// ChangeOffer locks an offer, lets apply change it and writes its status.
func (s *Store) ChangeOffer(ctx context.Context, id, action, note string, apply func(*lists.Offer) error) (_ lists.Offer, err error) {
	defer wrap(&err, "store.ChangeOffer(%q)", id)
	var out lists.Offer
	if !IsUUID(id) {
		return out, problem.ErrNotFound
	}
	err = s.write(ctx, action, note, func(tx pgx.Tx) error {
		o, err := one(ctx, tx, problem.ErrNotFound, offerFields, `SELECT `+offerCols+` FROM offer o WHERE o.id = $1 FOR UPDATE`, id)
		if err != nil {
			return err
		}
		if err := apply(&o); err != nil {
			return err
		}
		out, err = one(ctx, tx, problem.ErrNotFound, offerFields, `UPDATE offer o SET status = $2, updated_at = cogov_now() WHERE id = $1
			RETURNING `+offerCols, id, o.Status)
		return err
	})
	return out, err
}

// CreateProject inserts a project with its needs and offers and marks the
// needs MATCHED; ErrNeedTaken when one was met or closed meanwhile.
func (s *Store) CreateProject(ctx context.Context, p lists.Project) (_ lists.Project, err error) {
	defer wrap(&err, "store.CreateProject")
	var out lists.Project
	err = s.write(ctx, "project.launch", p.Title, func(tx pgx.Tx) error {
		var id string
		if err := tx.QueryRow(ctx, `INSERT INTO project (subdistrict_id, title, owner_unit_id, owner_committee_id, due_on, resolution_id,
			status, progress_percent, demo) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, p.SubdistrictID, p.Title, p.OwnerUnitID,
			p.OwnerCommitteeID, p.DueOn, p.ResolutionID, p.Status, p.ProgressPercent, p.Demo).Scan(&id); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE need SET status = 'MATCHED', updated_at = cogov_now() WHERE id = ANY($1::text[]::uuid[]) AND subdistrict_id = $2
			AND status IN ('OPEN', 'MATCHED')`, p.NeedIDs, p.SubdistrictID)
		if err != nil {
			return err
		}
		if int(tag.RowsAffected()) != len(p.NeedIDs) {
			return lists.ErrNeedTaken
		}
		if _, err := tx.Exec(ctx, `INSERT INTO project_need (subdistrict_id, project_id, need_id) SELECT $1, $2, x FROM unnest($3::text[]::uuid[]) x`,
			p.SubdistrictID, id, p.NeedIDs); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO project_offer (subdistrict_id, project_id, offer_id) SELECT $1, $2, x FROM unnest($3::text[]::uuid[]) x`,
			p.SubdistrictID, id, p.OfferIDs); err != nil {
			return err
		}
		out, err = one(ctx, tx, problem.ErrNotFound, projectFields, `SELECT `+projectCols+` FROM project p WHERE p.id = $1`, id)
		return err
	})
	return out, err
}

// ChangeProject locks a project, lets apply change it and writes it, its
// update and what its new status means for its needs.
func (s *Store) ChangeProject(ctx context.Context, id, action, note string, apply func(*lists.ProjectChange) error) (_ lists.Project, err error) {
	defer wrap(&err, "store.ChangeProject(%q)", id)
	var out lists.Project
	if !IsUUID(id) {
		return out, problem.ErrNotFound
	}
	err = s.write(ctx, action, note, func(tx pgx.Tx) error {
		p, err := one(ctx, tx, problem.ErrNotFound, projectFields, `SELECT `+projectCols+` FROM project p WHERE p.id = $1 FOR UPDATE OF p`, id)
		if err != nil {
			return err
		}
		before := p.Status
		c := lists.ProjectChange{Project: p}
		if err := apply(&c); err != nil {
			return err
		}
		p = c.Project
		if _, err := tx.Exec(ctx, `UPDATE project SET status = $2, progress_percent = $3, ended_at = $4, updated_at = cogov_now() WHERE id = $1`,
			id, p.Status, p.ProgressPercent, p.EndedAt); err != nil {
			return err
		}
		if u := c.Update; u != nil {
			var actor *string
			if a := accountOf(ctx); a != "" {
				actor = &a
			}
			if _, err := tx.Exec(ctx, `INSERT INTO project_update (subdistrict_id, project_id, at, percent, note, actor_id)
				VALUES ($1, $2, $3, $4, $5, $6)`, p.SubdistrictID, id, u.At, u.Percent, u.Note, actor); err != nil {
				return err
			}
		}
		switch {
		case before == p.Status:
		case p.Status == lists.ProjectCompleted:
			_, err = tx.Exec(ctx, `UPDATE need SET status = 'MET', met_at = $2, updated_at = cogov_now()
				WHERE id IN (SELECT need_id FROM project_need WHERE project_id = $1) AND status = 'MATCHED'`, id, p.EndedAt)
		case p.Status == lists.ProjectDropped:
			_, err = tx.Exec(ctx, `UPDATE need n SET status = 'OPEN', updated_at = cogov_now()
				WHERE id IN (SELECT need_id FROM project_need WHERE project_id = $1) AND status = 'MATCHED'
				AND NOT EXISTS (SELECT 1 FROM project_need pn JOIN project op ON op.id = pn.project_id
					WHERE pn.need_id = n.id AND op.id <> $1 AND op.status = 'ACTIVE')`, id)
		}
		if err != nil {
			return err
		}
		out, err = one(ctx, tx, problem.ErrNotFound, projectFields, `SELECT `+projectCols+` FROM project p WHERE p.id = $1`, id)
		return err
	})
	return out, err
}

// ListsFilter narrows a list of needs, offers or projects.
type ListsFilter struct {
	Status   string
	Category string
}

// ListParent names the column a list of needs, offers or projects hangs under.
type ListParent string

// List parents.
const (
	NeedsOfSubdistrict    ListParent = "n.subdistrict_id"
	NeedsOfCommittee      ListParent = "n.committee_id"
	NeedsOfCommunity      ListParent = "n.community_id"
	OffersOfSubdistrict   ListParent = "o.subdistrict_id"
	OffersOfUnit          ListParent = "o.unit_id"
	ProjectsOfSubdistrict ListParent = "p.subdistrict_id"
	ProjectsOfUnit        ListParent = "p.owner_unit_id"
	ProjectsOfCommittee   ListParent = "p.owner_committee_id"
	ProjectsOfNeed        ListParent = "pn.need_id"
)

// newestFirst is the sort key of lists shown newest first.
func newestFirst(col string) string {
	return "lpad((4102444800 - extract(epoch FROM " + col + "))::bigint::text, 12, '0')"
}

// Needs lists needs, newest first.
func (s *Store) Needs(ctx context.Context, parent ListParent, parents []string, f ListsFilter, p Page) (_ map[string]*Conn[lists.Need], err error) {
	defer wrap(&err, "store.Needs(%s, %d parents)", parent, len(parents))
	var fb filterBuilder
	if f.Status != "" {
		fb.add("n.status = %s", f.Status)
	}
	if f.Category != "" {
		fb.add("n.category = %s", f.Category)
	}
	return runList(ctx, s, listSpec[lists.Need]{cols: needCols, from: "need n", parent: string(parent), sort: newestFirst("n.created_at"),
		id: "n.id", where: fb.where(), args: fb.args, fields: needFields}, okIDs(parents), p)
}

// Offers lists offers, newest first.
func (s *Store) Offers(ctx context.Context, parent ListParent, parents []string, f ListsFilter, p Page) (_ map[string]*Conn[lists.Offer], err error) {
	defer wrap(&err, "store.Offers(%s, %d parents)", parent, len(parents))
	var fb filterBuilder
	if f.Status != "" {
		fb.add("o.status = %s", f.Status)
	}
	if f.Category != "" {
		fb.add("o.category = %s", f.Category)
	}
	return runList(ctx, s, listSpec[lists.Offer]{cols: offerCols, from: "offer o", parent: string(parent), sort: newestFirst("o.created_at"),
		id: "o.id", where: fb.where(), args: fb.args, fields: offerFields}, okIDs(parents), p)
}

// Projects lists projects, newest first.
func (s *Store) Projects(ctx context.Context, parent ListParent, parents []string, f ListsFilter, p Page) (_ map[string]*Conn[lists.Project], err error) {
	defer wrap(&err, "store.Projects(%s, %d parents)", parent, len(parents))
	var fb filterBuilder
	if f.Status != "" {
		fb.add("p.status = %s", f.Status)
	}
	from := "project p"
	if parent == ProjectsOfNeed {
		from = "project p JOIN project_need pn ON pn.project_id = p.id"
	}
	return runList(ctx, s, listSpec[lists.Project]{cols: projectCols, from: from, parent: string(parent), sort: newestFirst("p.created_at"),
		id: "p.id", where: fb.where(), args: fb.args, fields: projectFields}, okIDs(parents), p)
}

// accountOf is the account acting in ctx, "" for none.
func accountOf(ctx context.Context) string { return access.From(ctx).AccountID }

// Stats are a sub-district's figures for a period (lists.Stats).
type Stats = lists.Stats

// period is [from 00:00, to+1 00:00) in the sub-district's time zone, as SQL.
const period = `(($2::date)::timestamp AT TIME ZONE s.time_zone), (($3::date + 1)::timestamp AT TIME ZONE s.time_zone)`

// SubdistrictStats computes a sub-district's figures for the days from..to
// in its time zone, in one statement (the SQL function subdistrict_stats).
func (s *Store) SubdistrictStats(ctx context.Context, subdistrictID string, from, to time.Time) (_ Stats, err error) {
	defer wrap(&err, "store.SubdistrictStats(%q)", subdistrictID)
	var st Stats
	if !IsUUID(subdistrictID) {
		return st, errors.New("bad sub-district id")
	}
	err = s.read(ctx, func(tx querier) error {
		return tx.QueryRow(ctx, `SELECT x.* FROM subdistrict s, subdistrict_stats(s.id, `+period+`) x WHERE s.id = $1`,
			subdistrictID, from, to).Scan(&st.PartTimeMembers, &st.UnitsSharingVenues, &st.SharedAreaSqm, &st.BookingsApproved,
			&st.BookedHours, &st.Attendees, &st.OpenHours, &st.JointMeetingsHeld, &st.NeedsOpen, &st.NeedsMet, &st.ProjectsActive,
			&st.ProjectsCompleted)
	})
	return st, err
}

// Contribution is what a unit's venues hosted in a period (lists.Contribution).
type Contribution = lists.Contribution

// Contributions computes, for each unit, the approved and completed
// bookings its venues hosted in the days from..to of its sub-district's
// time zone, counted as in SubdistrictStats: a booking counts where it
// starts, its hours only inside the period.
func (s *Store) Contributions(ctx context.Context, unitIDs []string, from, to time.Time) (_ map[string]Contribution, err error) {
	defer wrap(&err, "store.Contributions(%d unitIDs)", len(unitIDs))
	// booking_figures (migration 00017) sums the per-day figures kept with
	// the bookings, once per sub-district (MATERIALIZED: not once per unit).
	return readMap(ctx, s, `WITH per AS (
		SELECT u.id, u.subdistrict_id FROM unit u WHERE u.id = ANY($1::text[]::uuid[])
	), fig AS MATERIALIZED (
		SELECT v.unit_id, bf.bookings, bf.attendees, bf.held_us
		FROM (SELECT DISTINCT subdistrict_id FROM per) p JOIN subdistrict s ON s.id = p.subdistrict_id
		CROSS JOIN LATERAL booking_figures(s.id, `+period+`) bf JOIN venue v ON v.id = bf.venue_id
	)
	SELECT per.id, coalesce(sum(fig.bookings), 0), (coalesce(sum(fig.held_us), 0) / 1000000)::float8 / 3600,
		coalesce(sum(fig.attendees), 0)
	FROM per LEFT JOIN fig ON fig.unit_id = per.id
	GROUP BY per.id`, contributionFields, contributionUnit, okIDs(unitIDs), from, to)
}

// contributionFields are the columns of a Contribution, in the order
// Contributions and UnitContributions select them.
func contributionFields(c *Contribution) []any {
	return []any{&c.UnitID, &c.HostedBookings, &c.HostedHours, &c.Attendees}
}

// contributionUnit keys a Contribution by its unit.
func contributionUnit(c Contribution) string { return c.UnitID }

// UnitContributions computes, as Contributions does, the contributions of
// the units of the given sub-districts (or communities, byCommunity) that
// hosted something in the days from..to; a unit missing from the map
// hosted nothing. It needs no unit ids, so it goes in the same round trip
// as the page of units it completes (graph's unit loaders), and costs one
// booking_figures per sub-district, as Contributions does.
func (s *Store) UnitContributions(ctx context.Context, parentIDs []string, byCommunity bool, from, to time.Time) (_ map[string]Contribution, err error) {
	defer wrap(&err, "store.UnitContributions(%d parentIDs)", len(parentIDs))
	sds := `SELECT unnest($1::text[]::uuid[])`
	if byCommunity {
		sds = `SELECT DISTINCT c.subdistrict_id FROM community c WHERE c.id = ANY($1::text[]::uuid[])`
	}
	return readMap(ctx, s, `SELECT v.unit_id, sum(bf.bookings), (sum(bf.held_us) / 1000000)::float8 / 3600, sum(bf.attendees)
	FROM subdistrict s CROSS JOIN LATERAL booking_figures(s.id, `+period+`) bf JOIN venue v ON v.id = bf.venue_id
	WHERE s.id IN (`+sds+`)
	GROUP BY v.unit_id`, contributionFields, contributionUnit, okIDs(parentIDs), from, to)
}
