package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"cogov/internal/meeting"
	"cogov/internal/problem"
	"cogov/internal/structure"
)

// meetingCols needs the meeting as j.
const meetingCols = `j.id, j.subdistrict_id, j.title, j.starts_at, j.ends_at, j.booking_id, j.status, j.minutes, j.series_id,
	j.cancel_reason, coalesce((SELECT array_agg(c.committee_id::text ORDER BY c.ord) FROM
	  (SELECT committee_id, row_number() OVER () AS ord FROM joint_meeting_convener WHERE meeting_id = j.id) c), '{}'),
	j.demo, j.created_at`

func meetingFields(m *meeting.Meeting) []any {
	return []any{&m.ID, &m.SubdistrictID, &m.Title, &m.Start, &m.End, &m.BookingID, &m.Status, &m.Minutes, &m.SeriesID,
		&m.CancelReason, &m.ConvenerIDs, &m.Demo, &m.CreatedAt}
}

const agendaCols = `a.id, a.meeting_id, a.position, a.title, a.duration_minutes, a.presenter_membership_id, a.need_id, a.case_id`

func agendaFields(a *meeting.AgendaItem) []any {
	return []any{&a.ID, &a.MeetingID, &a.Position, &a.Title, &a.DurationMinutes, &a.PresenterMembershipID, &a.NeedID, &a.CaseID}
}

const invitationCols = `i.id, i.subdistrict_id, i.meeting_id, i.membership_id, i.response, i.responded_at`

func invitationFields(i *meeting.Invitation) []any {
	return []any{&i.ID, &i.SubdistrictID, &i.MeetingID, &i.MembershipID, &i.Response, &i.RespondedAt}
}

const resolutionCols = `r.id, r.subdistrict_id, r.meeting_id, r.position, r.text`

func resolutionFields(r *meeting.Resolution) []any {
	return []any{&r.ID, &r.SubdistrictID, &r.MeetingID, &r.Position, &r.Text}
}

const memberCols = `m.id, m.subdistrict_id, m.committee_id, m.person_id,
	(m.term_start <= (cogov_now() AT TIME ZONE ms.time_zone)::date AND (m.term_end IS NULL OR m.term_end >= (cogov_now() AT TIME ZONE ms.time_zone)::date))`

func memberFields(m *meeting.Member) []any {
	return []any{&m.ID, &m.SubdistrictID, &m.CommitteeID, &m.PersonID, &m.Current}
}

// MeetingsByID fetches joint meetings by id (those the viewer's row-level security lets through).
func (s *Store) MeetingsByID(ctx context.Context, ids []string) (_ map[string]meeting.Meeting, err error) {
	defer wrap(&err, "store.MeetingsByID(%d ids)", len(ids))
	return byIDs(ctx, s, meetingCols, "joint_meeting j", "j.id", meetingFields,
		func(m meeting.Meeting) string { return m.ID }, ids)
}

// Meeting fetches one joint meeting.
func (s *Store) Meeting(ctx context.Context, id string) (_ meeting.Meeting, err error) {
	defer wrap(&err, "store.Meeting(%q)", id)
	m, err := s.MeetingsByID(ctx, []string{id})
	return pick(m, err, id, problem.ErrNotFound)
}

// InvitationsByID fetches invitations by id.
func (s *Store) InvitationsByID(ctx context.Context, ids []string) (_ map[string]meeting.Invitation, err error) {
	defer wrap(&err, "store.InvitationsByID(%d ids)", len(ids))
	return byIDs(ctx, s, invitationCols, "invitation i", "i.id", invitationFields,
		func(i meeting.Invitation) string { return i.ID }, ids)
}

// ResolutionsByID fetches resolutions by id.
func (s *Store) ResolutionsByID(ctx context.Context, ids []string) (_ map[string]meeting.Resolution, err error) {
	defer wrap(&err, "store.ResolutionsByID(%d ids)", len(ids))
	return byIDs(ctx, s, resolutionCols, "resolution r", "r.id", resolutionFields,
		func(r meeting.Resolution) string { return r.ID }, ids)
}

// ResolutionSubdistricts returns the sub-district of each resolution.
func (s *Store) ResolutionSubdistricts(ctx context.Context, ids []string) (_ map[string]string, err error) {
	defer wrap(&err, "store.ResolutionSubdistricts(%d ids)", len(ids))
	return s.subdistrictsOf(ctx, "resolution", ids)
}

// Agendas returns the agenda of each meeting, in order.
func (s *Store) Agendas(ctx context.Context, meetingIDs []string) (_ map[string][]meeting.AgendaItem, err error) {
	defer wrap(&err, "store.Agendas(%d meetingIDs)", len(meetingIDs))
	return group(ctx, s, `SELECT `+agendaCols+` FROM agenda_item a WHERE a.meeting_id = ANY($1::text[]::uuid[]) ORDER BY a.meeting_id, a.position`,
		agendaFields, func(a meeting.AgendaItem) string { return a.MeetingID }, meetingIDs)
}

// Resolutions returns the resolutions of each meeting, in order.
func (s *Store) Resolutions(ctx context.Context, meetingIDs []string) (_ map[string][]meeting.Resolution, err error) {
	defer wrap(&err, "store.Resolutions(%d meetingIDs)", len(meetingIDs))
	return group(ctx, s, `SELECT `+resolutionCols+` FROM resolution r WHERE r.meeting_id = ANY($1::text[]::uuid[]) ORDER BY r.meeting_id, r.position`,
		resolutionFields, func(r meeting.Resolution) string { return r.MeetingID }, meetingIDs)
}

// group reads rows for several parents and groups them by key, in query order.
func group[T any](ctx context.Context, s *Store, sql string, fields func(*T) []any, key func(T) string, parents []string) (map[string][]T, error) {
	out := map[string][]T{}
	err := s.read(ctx, func(tx querier) error {
		items, err := collect(ctx, tx, fields, sql, okIDs(parents))
		for _, it := range items {
			out[key(it)] = append(out[key(it)], it)
		}
		return err
	})
	return out, err
}

// MembersByID fetches the seats the meeting rules need to know about.
func (s *Store) MembersByID(ctx context.Context, ids []string) (_ map[string]meeting.Member, err error) {
	defer wrap(&err, "store.MembersByID(%d ids)", len(ids))
	return readMap(ctx, s, `SELECT `+memberCols+` FROM `+membershipFrom+` WHERE m.id = ANY($1::text[]::uuid[])`, memberFields,
		func(m meeting.Member) string { return m.ID }, okIDs(ids))
}

// CurrentMembers returns the seats of the committees whose term includes
// today, part-time ones included, by committee and role.
func (s *Store) CurrentMembers(ctx context.Context, committeeIDs []string) (_ []meeting.Member, err error) {
	defer wrap(&err, "store.CurrentMembers(%d committeeIDs)", len(committeeIDs))
	var out []meeting.Member
	err = s.read(ctx, func(tx querier) error {
		var err error
		out, err = collect(ctx, tx, memberFields, `SELECT `+memberCols+` FROM `+membershipFrom+` WHERE m.committee_id = ANY($1::text[]::uuid[])
			AND m.term_start <= (cogov_now() AT TIME ZONE ms.time_zone)::date AND (m.term_end IS NULL OR m.term_end >= (cogov_now() AT TIME ZONE ms.time_zone)::date)
			ORDER BY array_position($1::text[]::uuid[], m.committee_id), m.role DESC, m.id`, okIDs(committeeIDs))
		return err
	})
	return out, err
}

// CreateMeeting inserts a meeting with its conveners, agenda and invitations.
func (s *Store) CreateMeeting(ctx context.Context, m meeting.Meeting, agenda []meeting.AgendaItem, invitees []string) (_ meeting.Meeting, err error) {
	defer wrap(&err, "store.CreateMeeting")
	var out meeting.Meeting
	err = s.write(ctx, "meeting.schedule", m.Title, func(tx pgx.Tx) error {
		var id string
		if err := tx.QueryRow(ctx, `INSERT INTO joint_meeting (subdistrict_id, title, starts_at, ends_at, booking_id, status, series_id, demo)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, m.SubdistrictID, m.Title, m.Start, m.End, m.BookingID, m.Status,
			m.SeriesID, m.Demo).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO joint_meeting_convener (subdistrict_id, meeting_id, committee_id)
			SELECT $1, $2, c FROM unnest($3::text[]::uuid[]) WITH ORDINALITY AS t(c, n) ORDER BY n`, m.SubdistrictID, id, m.ConvenerIDs); err != nil {
			return err
		}
		for _, a := range agenda {
			if err := insertAgenda(ctx, tx, m.SubdistrictID, id, a); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO invitation (subdistrict_id, meeting_id, membership_id)
			SELECT $1, $2, x FROM unnest($3::text[]::uuid[]) x`, m.SubdistrictID, id, invitees); err != nil {
			return err
		}
		var err error
		out, err = one(ctx, tx, problem.ErrNotFound, meetingFields, `SELECT `+meetingCols+` FROM joint_meeting j WHERE j.id = $1`, id)
		return err
	})
	return out, err
}

func insertAgenda(ctx context.Context, tx pgx.Tx, sd, meetingID string, a meeting.AgendaItem) error {
	_, err := tx.Exec(ctx, `INSERT INTO agenda_item (subdistrict_id, meeting_id, position, title, duration_minutes, presenter_membership_id, need_id, case_id)
		VALUES ($1, $2, CASE WHEN $3 > 0 THEN $3 ELSE (SELECT coalesce(max(position), 0) + 1 FROM agenda_item WHERE meeting_id = $2) END,
		$4, $5, $6, $7, $8)`, sd, meetingID, a.Position, a.Title, a.DurationMinutes, a.PresenterMembershipID, a.NeedID, a.CaseID)
	return err
}

// replaceAgenda replaces a meeting's agenda items that take up no need or
// case with items and numbers the need and case items on after them.
func replaceAgenda(ctx context.Context, tx pgx.Tx, sd, meetingID string, items []meeting.AgendaItem) error {
	if _, err := tx.Exec(ctx, `DELETE FROM agenda_item WHERE meeting_id = $1 AND need_id IS NULL AND case_id IS NULL`, meetingID); err != nil {
		return err
	}
	// Out of the way first: positions are unique per meeting.
	if _, err := tx.Exec(ctx, `UPDATE agenda_item SET position = position + 100000 WHERE meeting_id = $1`, meetingID); err != nil {
		return err
	}
	for _, a := range items {
		if err := insertAgenda(ctx, tx, sd, meetingID, a); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `UPDATE agenda_item a SET position = $2 + r.n FROM (
			SELECT id, row_number() OVER (ORDER BY position) AS n FROM agenda_item WHERE meeting_id = $1 AND position > 100000) r
		WHERE a.id = r.id`, meetingID, len(items))
	return err
}

// ChangeMeeting locks a meeting, lets apply change it and writes it with
// what apply asked for, in one audited transaction.
func (s *Store) ChangeMeeting(ctx context.Context, id, action, note string, apply func(*meeting.Change) error) (_ meeting.Meeting, err error) {
	defer wrap(&err, "store.ChangeMeeting(%q)", id)
	var out meeting.Meeting
	if !IsUUID(id) {
		return out, problem.ErrNotFound
	}
	err = s.write(ctx, action, note, func(tx pgx.Tx) error {
		m, err := one(ctx, tx, problem.ErrNotFound, meetingFields, `SELECT `+meetingCols+` FROM joint_meeting j WHERE j.id = $1 FOR UPDATE OF j`, id)
		if err != nil {
			return err
		}
		c := meeting.Change{Meeting: m}
		if err := apply(&c); err != nil {
			return err
		}
		n := c.Meeting
		if _, err := tx.Exec(ctx, `UPDATE joint_meeting SET status = $2, minutes = $3, series_id = $4, cancel_reason = $5, starts_at = $6,
			ends_at = $7, booking_id = $8, updated_at = cogov_now() WHERE id = $1`, id, n.Status, n.Minutes, n.SeriesID, n.CancelReason,
			n.Start, n.End, n.BookingID); err != nil {
			return err
		}
		if c.ResetAnswers {
			if _, err := tx.Exec(ctx, `UPDATE invitation SET response = 'PENDING', responded_at = NULL
				WHERE meeting_id = $1 AND response IN ('ACCEPTED', 'DECLINED')`, id); err != nil {
				return err
			}
		}
		if c.Attendees != nil {
			if _, err := tx.Exec(ctx, `DELETE FROM attendance WHERE meeting_id = $1 AND membership_id <> ALL($2::text[]::uuid[])`, id, *c.Attendees); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO attendance (subdistrict_id, meeting_id, membership_id)
				SELECT $1, $2, x FROM unnest($3::text[]::uuid[]) x ON CONFLICT DO NOTHING`, n.SubdistrictID, id, *c.Attendees); err != nil {
				return err
			}
		}
		if len(c.AddResolutions) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO resolution (subdistrict_id, meeting_id, position, text)
				SELECT $1, $2, (SELECT coalesce(max(position), 0) FROM resolution WHERE meeting_id = $2) + n, t
				FROM unnest($3::text[]) WITH ORDINALITY AS x(t, n)`, n.SubdistrictID, id, c.AddResolutions); err != nil {
				return err
			}
		}
		if c.ReplaceAgenda != nil {
			if err := replaceAgenda(ctx, tx, n.SubdistrictID, id, *c.ReplaceAgenda); err != nil {
				return err
			}
		}
		if c.AddAgenda != nil {
			if err := insertAgenda(ctx, tx, n.SubdistrictID, id, *c.AddAgenda); err != nil {
				return err
			}
		}
		out, err = one(ctx, tx, problem.ErrNotFound, meetingFields, `SELECT `+meetingCols+` FROM joint_meeting j WHERE j.id = $1`, id)
		return err
	})
	return out, err
}

// ChangeInvitation locks an invitation and lets apply answer it, given its
// meeting and seat.
func (s *Store) ChangeInvitation(ctx context.Context, id string, apply func(*meeting.Invitation, meeting.Meeting, meeting.Member) error) (_ meeting.Invitation, err error) {
	defer wrap(&err, "store.ChangeInvitation(%q)", id)
	var out meeting.Invitation
	if !IsUUID(id) {
		return out, problem.ErrNotFound
	}
	err = s.write(ctx, "invitation.respond", "", func(tx pgx.Tx) error {
		inv, err := one(ctx, tx, problem.ErrNotFound, invitationFields, `SELECT `+invitationCols+` FROM invitation i WHERE i.id = $1 FOR UPDATE`, id)
		if err != nil {
			return err
		}
		m, err := one(ctx, tx, problem.ErrNotFound, meetingFields, `SELECT `+meetingCols+` FROM joint_meeting j WHERE j.id = $1`, inv.MeetingID)
		if err != nil {
			return err
		}
		seat, err := one(ctx, tx, problem.ErrNotFound, memberFields, `SELECT `+memberCols+` FROM `+membershipFrom+` WHERE m.id = $1`, inv.MembershipID)
		if err != nil {
			return err
		}
		if err := apply(&inv, m, seat); err != nil {
			return err
		}
		out, err = one(ctx, tx, problem.ErrNotFound, invitationFields, `UPDATE invitation i SET response = $2, responded_at = $3 WHERE id = $1
			RETURNING `+invitationCols, id, inv.Response, inv.RespondedAt)
		return err
	})
	return out, err
}

// MeetingFilter narrows a list of meetings.
type MeetingFilter struct {
	Status string
	From   time.Time // with To: only meetings starting in [From, To)
	To     time.Time
}

// MeetingParent says which records a meeting list hangs under.
type MeetingParent string

// Meeting list parents.
const (
	MeetingsOfSubdistrict MeetingParent = "j.subdistrict_id"
	MeetingsOfCommittee   MeetingParent = "jc.committee_id"
	MeetingsOfSeries      MeetingParent = "j.series_id"
)

// Meetings lists joint meetings under sub-districts or committees, newest first.
func (s *Store) Meetings(ctx context.Context, parent MeetingParent, parents []string, f MeetingFilter, p Page) (_ map[string]*Conn[meeting.Meeting], err error) {
	defer wrap(&err, "store.Meetings(%s, %d parents)", parent, len(parents))
	var fb filterBuilder
	if f.Status != "" {
		fb.add("j.status = %s", f.Status)
	}
	if !f.From.IsZero() {
		fb.add("j.starts_at >= %s", f.From)
		fb.add("j.starts_at < %s", f.To)
	}
	from := "joint_meeting j"
	if parent == MeetingsOfCommittee {
		from = "joint_meeting j JOIN joint_meeting_convener jc ON jc.meeting_id = j.id"
	}
	// Newest first: the sort key counts the seconds down to 2100-01-01.
	return runList(ctx, s, listSpec[meeting.Meeting]{cols: meetingCols, from: from, parent: string(parent),
		sort: "lpad((4102444800 - extract(epoch FROM j.starts_at))::bigint::text, 12, '0')",
		id:   "j.id", where: fb.where(), args: fb.args, fields: meetingFields}, okIDs(parents), p)
}

// Invitations lists the invitations of meetings, by the seat's committee and
// role, with one response only when response is not empty, and only those of the people in persons
// (comma-separated ids) when it is not empty.
func (s *Store) Invitations(ctx context.Context, meetingIDs []string, response, persons string, p Page) (_ map[string]*Conn[meeting.Invitation], err error) {
	defer wrap(&err, "store.Invitations(%d meetingIDs)", len(meetingIDs))
	var fb filterBuilder
	if response != "" {
		fb.add("i.response = %s", response)
	}
	if persons != "" {
		fb.add("im.person_id = ANY(%s::text[]::uuid[])", okIDs(strings.Split(persons, ",")))
	}
	return runList(ctx, s, listSpec[meeting.Invitation]{cols: invitationCols, from: "invitation i JOIN membership im ON im.id = i.membership_id",
		parent: "i.meeting_id", sort: "im.committee_id::text || im.role || (NOT im.part_time)::text", id: "i.id", where: fb.where(), args: fb.args,
		fields: invitationFields}, okIDs(meetingIDs), p)
}

// PersonInvitations lists the invitations of people across meetings, the
// latest meeting first, with one response only when response is not empty.
func (s *Store) PersonInvitations(ctx context.Context, personIDs []string, response string, p Page) (_ map[string]*Conn[meeting.Invitation], err error) {
	defer wrap(&err, "store.PersonInvitations(%d personIDs)", len(personIDs))
	var fb filterBuilder
	if response != "" {
		fb.add("i.response = %s", response)
	}
	return runList(ctx, s, listSpec[meeting.Invitation]{cols: invitationCols,
		from:   "invitation i JOIN membership im ON im.id = i.membership_id JOIN joint_meeting ij ON ij.id = i.meeting_id",
		parent: "im.person_id", sort: newestFirst("ij.starts_at"), id: "i.id", where: fb.where(), args: fb.args,
		fields: invitationFields}, okIDs(personIDs), p)
}

// Attendees lists the seats recorded as attending meetings, only those of
// the people in persons (comma-separated ids) when it is not empty.
func (s *Store) Attendees(ctx context.Context, meetingIDs []string, persons string, p Page) (_ map[string]*Conn[structure.Membership], err error) {
	defer wrap(&err, "store.Attendees(%d meetingIDs)", len(meetingIDs))
	var fb filterBuilder
	if persons != "" {
		fb.add("m.person_id = ANY(%s::text[]::uuid[])", okIDs(strings.Split(persons, ",")))
	}
	return runList(ctx, s, listSpec[structure.Membership]{cols: membershipCols,
		from:   "attendance at JOIN membership m ON m.id = at.membership_id JOIN subdistrict ms ON ms.id = m.subdistrict_id",
		parent: "at.meeting_id", sort: "m.committee_id::text || m.role", id: "m.id", where: fb.where(), args: fb.args,
		fields: membershipFields}, okIDs(meetingIDs), p)
}

// WithdrawInvitations withdraws every invitation of a meeting, answered or
// not: the meeting is off.
func (s *Store) WithdrawInvitations(ctx context.Context, meetingID string) (err error) {
	defer wrap(&err, "store.WithdrawInvitations(%q)", meetingID)
	return s.write(ctx, "invitation.withdraw", "", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE invitation SET response = 'WITHDRAWN' WHERE meeting_id = $1 AND response <> 'WITHDRAWN'`, meetingID)
		return err
	})
}

// InvitedCount counts the invitations of a meeting that are not withdrawn.
func (s *Store) InvitedCount(ctx context.Context, meetingID string) (_ int, err error) {
	defer wrap(&err, "store.InvitedCount(%q)", meetingID)
	var n int
	err = s.read(ctx, func(q querier) error {
		return q.QueryRow(ctx, `SELECT count(*) FROM invitation WHERE meeting_id = $1 AND response <> 'WITHDRAWN'`, meetingID).Scan(&n)
	})
	return n, err
}
