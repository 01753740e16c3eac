package store

import (
	"context"
	"time"

	"cogov/internal/notify"
)

// inboxFrom lists, as one relation i(kind, object_id, since, deadline),
// what waits for a viewer whose scope is $5 sub-districts, $6 units,
// $7 committees and $8 persons (notify.ScopeOf says which items are whose).
const inboxFrom = `(
	SELECT 'BOOKING_AFFECTED' AS kind, b.id AS object_id, b.affected_at AS since, lower(b.during) AS deadline
	FROM booking b
	WHERE b.affected_by IS NOT NULL AND b.status IN ('PENDING', 'APPROVED') AND lower(b.during) > cogov_now()
	  AND b.committee_id = ANY($7::text[]::uuid[])
	UNION ALL
	SELECT 'BOOKING_TO_APPROVE', b.id, b.created_at, lower(b.during)
	FROM booking b JOIN venue v ON v.id = b.venue_id
	WHERE b.status = 'PENDING' AND lower(b.during) > cogov_now()
	  AND (v.unit_id = ANY($6::text[]::uuid[]) OR b.subdistrict_id = ANY($5::text[]::uuid[]))
	UNION ALL
	SELECT 'INVITATION_TO_ANSWER', i.id, m.created_at, m.starts_at
	FROM invitation i JOIN membership ms ON ms.id = i.membership_id JOIN joint_meeting m ON m.id = i.meeting_id
	WHERE i.response = 'PENDING' AND m.status = 'PLANNED' AND m.starts_at > cogov_now() AND ms.person_id = ANY($8::text[]::uuid[])
	UNION ALL
	SELECT 'NEED_ESCALATED', n.id, e.at, NULL::timestamptz
	FROM need n CROSS JOIN LATERAL (SELECT max(e.at) AS at FROM need_escalation e WHERE e.need_id = n.id AND e.to_level = n.level) e
	WHERE n.status = 'OPEN' AND e.at IS NOT NULL
	  AND ((n.level = 'SUBDISTRICT' AND n.subdistrict_id = ANY($5::text[]::uuid[]))
	    OR (n.level = 'COMMUNITY' AND n.community_id IN (SELECT c.community_id FROM committee c
	        WHERE c.id = ANY($7::text[]::uuid[]) AND c.kind = 'COMMUNITY_PARTY_COMMITTEE')))
	UNION ALL
	SELECT 'PROJECT_OVERDUE', p.id, d.ends, d.ends
	FROM project p JOIN subdistrict s ON s.id = p.subdistrict_id
	CROSS JOIN LATERAL (SELECT ((p.due_on + 1)::timestamp AT TIME ZONE s.time_zone) AS ends) d
	WHERE p.status = 'ACTIVE' AND p.due_on IS NOT NULL AND d.ends <= cogov_now()
	  AND (p.owner_unit_id = ANY($6::text[]::uuid[]) OR p.owner_committee_id = ANY($7::text[]::uuid[]) OR p.subdistrict_id = ANY($5::text[]::uuid[]))
	UNION ALL
	SELECT 'CASE_OVERDUE', c.id, d.due, d.due
	FROM grid_case c
	LEFT JOIN committee k ON k.community_id = c.community_id AND k.kind = 'COMMUNITY_PARTY_COMMITTEE'
	CROSS JOIN LATERAL (SELECT least(CASE WHEN c.level_accepted_at IS NULL THEN c.accept_due_at END, c.resolve_due_at) AS due) d
	WHERE c.status NOT IN ('RESOLVED', 'CLOSED', 'RETURNED') AND d.due < cogov_now()
	  AND ((c.level = 'GRID' AND k.id = ANY($7::text[]::uuid[])) OR (c.level <> 'GRID' AND c.subdistrict_id = ANY($5::text[]::uuid[])))
) i`

func inboxFields(it *notify.Item) []any {
	return []any{&it.Kind, &it.ObjectID, &it.Since, &it.Deadline}
}

// Inbox lists what waits for a viewer with scope sc: the nearest deadline
// first, items without one last, then the oldest first.
func (s *Store) Inbox(ctx context.Context, sc notify.InboxScope, p Page) (_ *Conn[notify.Item], err error) {
	defer wrap(&err, "store.Inbox")
	spec := listSpec[notify.Item]{cols: "i.kind, i.object_id, i.since, i.deadline", from: inboxFrom, parent: "'" + noParent + "'::uuid",
		sort: `coalesce(to_char(i.deadline AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISS'), '99999999999999') ||
			to_char(i.since AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISS')`,
		id: "i.object_id", args: []any{okIDs(sc.Subdistricts), okIDs(sc.Units), okIDs(sc.Committees), okIDs(sc.Persons)},
		fields: inboxFields}
	m, err := runList(ctx, s, spec, []string{noParent}, p)
	if err != nil {
		return nil, err
	}
	return orEmpty(m[noParent]), nil
}

// Now is the present as the store tells it to the database (cogov_now()).
func (s *Store) Now(ctx context.Context) (_ time.Time, err error) {
	defer wrap(&err, "store.Now")
	var t time.Time
	err = s.read(ctx, func(q querier) error { return q.QueryRow(ctx, `SELECT cogov_now()`).Scan(&t) })
	return t, err
}

// NoShows counts the no-show bookings starting in [from, to) of each venue
// (or, with byCommittee, of each committee).
func (s *Store) NoShows(ctx context.Context, ids []string, byCommittee bool, from, to time.Time) (_ map[string]int, err error) {
	defer wrap(&err, "store.NoShows(%d ids)", len(ids))
	col := "venue_id"
	if byCommittee {
		col = "committee_id"
	}
	out := map[string]int{}
	err = s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT `+col+`::text, count(*) FROM booking WHERE `+col+` = ANY($1::text[]::uuid[]) AND status = 'NO_SHOW'
			AND lower(during) >= $2 AND lower(during) < $3 GROUP BY 1`, okIDs(ids), from, to)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			out[id] = n
		}
		return rows.Err()
	})
	return out, err
}
