package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"cogov/internal/notify"
)

const notificationCols = `n.id, n.subdistrict_id, n.account_id, n.kind, n.object_type, n.object_id, n.note, n.demo, n.created_at, n.read_at`

func notificationFields(n *notify.Notification) []any {
	return []any{&n.ID, &n.SubdistrictID, &n.AccountID, &n.Kind, &n.ObjectType, &n.ObjectID, &n.Text, &n.Demo, &n.CreatedAt, &n.ReadAt}
}

// The audience's recipients, one arm per kind of audience: the enabled
// accounts that administer its units, committees or sub-districts, that are
// its people, or that it names. Only the arms of the kinds a note names go
// into its statement (a booking's names its venue's unit alone): an arm given
// an empty list still cost a scan of its tables — account_role, invitation,
// committee — for every note. $7 onwards are the arms' lists, in order.
var recipientArms = [...]string{
	`SELECT r.account_id FROM account_role r WHERE r.kind = 'UNIT_ADMIN' AND r.scope_id = ANY($%d::text[]::uuid[])`,
	`SELECT r.account_id FROM account_role r WHERE r.kind = 'COMMITTEE_ADMIN' AND r.scope_id = ANY($%d::text[]::uuid[])`,
	`SELECT r.account_id FROM account_role r WHERE r.kind = 'SUBDISTRICT_ADMIN' AND r.scope_id = ANY($%d::text[]::uuid[])`,
	`SELECT r.account_id FROM account_role r WHERE r.kind = 'MEMBER' AND r.scope_id = ANY($%d::text[]::uuid[])`,
	`SELECT r.account_id FROM account_role r WHERE r.kind = 'COMMITTEE_ADMIN' AND r.scope_id IN (SELECT c.id FROM committee c
		WHERE c.community_id = ANY($%d::text[]::uuid[]) AND c.kind = 'COMMUNITY_PARTY_COMMITTEE')`,
	`SELECT r.account_id FROM account_role r WHERE r.kind = 'MEMBER' AND r.scope_id IN (SELECT ms.person_id
		FROM invitation i JOIN membership ms ON ms.id = i.membership_id WHERE i.meeting_id = ANY($%d::text[]::uuid[]))`,
	`SELECT unnest($%d::text[]::uuid[]) AS account_id`,
}

// addNotificationSQL writes one note for the recipients of the arms
// (recipientArms), but the acting account.
func addNotificationSQL(arms []string) string {
	return `WITH rcpt AS (` + strings.Join(arms, `
	UNION
	`) + `
)
INSERT INTO notification (id, subdistrict_id, account_id, kind, object_type, object_id, note, demo, created_at)
SELECT gen_random_uuid(), $1::uuid, rcpt.account_id, $2::text, $3::text, $4::uuid, $5::text, $6::boolean, cogov_now()
FROM rcpt JOIN account a ON a.id = rcpt.account_id AND NOT a.disabled
WHERE rcpt.account_id IS DISTINCT FROM cogov_actor()`
}

// addNotification is the statement and arguments that write n, or "" when
// its audience names no valid id.
func addNotification(n notify.Note) (string, []any) {
	a := n.To
	args := []any{n.SubdistrictID, n.Kind, n.ObjectType, n.ObjectID, n.Text, n.Demo}
	var arms []string
	for i, ids := range [...][]string{a.Units, a.Committees, a.Subdistricts, a.Persons, a.Communities, a.Meetings, a.Accounts} {
		if ids = okIDs(ids); len(ids) > 0 {
			args = append(args, ids)
			arms = append(arms, fmt.Sprintf(recipientArms[i], len(args)))
		}
	}
	if len(arms) == 0 {
		return "", nil
	}
	return addNotificationSQL(arms), args
}

// AddNotifications writes the notes for their audiences, in the
// transaction ctx carries (or one of its own).
func (s *Store) AddNotifications(ctx context.Context, notes []notify.Note) (err error) {
	defer wrap(&err, "store.AddNotifications(%d notes)", len(notes))
	// notification has no audit trigger: in a request's transaction the note
	// goes without an action of its own (one statement fewer).
	return s.writeUnaudited(ctx, "notification.add", func(tx pgx.Tx) error {
		for _, n := range notes {
			sql, args := addNotification(n)
			if sql == "" {
				continue
			}
			if _, err := tx.Exec(ctx, sql, args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// Notifications lists an account's notifications, newest first.
func (s *Store) Notifications(ctx context.Context, accountID string, unreadOnly bool, p Page) (_ *Conn[notify.Notification], err error) {
	defer wrap(&err, "store.Notifications(%q)", accountID)
	where := ""
	if unreadOnly {
		where = "n.read_at IS NULL"
	}
	m, err := runList(ctx, s, listSpec[notify.Notification]{cols: notificationCols, from: "notification n", parent: "n.account_id",
		// Newest first: the sort key counts down.
		sort: `lpad((9000000000000000 - (extract(epoch FROM n.created_at) * 1000000)::bigint)::text, 16, '0')`,
		id:   "n.id", where: where, fields: notificationFields}, okIDs([]string{accountID}), p)
	if err != nil {
		return nil, err
	}
	c := m[accountID]
	if c == nil {
		c = &Conn[notify.Notification]{HasPrev: p.After != ""}
	}
	return c, nil
}

// NotificationsByID fetches notifications by id (those the viewer may read).
func (s *Store) NotificationsByID(ctx context.Context, ids []string) (_ map[string]notify.Notification, err error) {
	defer wrap(&err, "store.NotificationsByID(%d ids)", len(ids))
	return readMap(ctx, s, `SELECT `+notificationCols+` FROM notification n WHERE n.id = ANY($1::text[]::uuid[])`, notificationFields,
		func(n notify.Notification) string { return n.ID }, okIDs(ids))
}

// UnreadCount counts an account's unread notifications.
func (s *Store) UnreadCount(ctx context.Context, accountID string) (_ int, err error) {
	defer wrap(&err, "store.UnreadCount(%q)", accountID)
	var n int
	err = s.read(ctx, func(q querier) error {
		return q.QueryRow(ctx, `SELECT count(*) FROM notification WHERE account_id = $1 AND read_at IS NULL`, accountID).Scan(&n)
	})
	return n, err
}

// MarkRead marks an account's unread notifications ids (or all of them) read.
func (s *Store) MarkRead(ctx context.Context, accountID string, ids []string, all bool) (_ int, err error) {
	defer wrap(&err, "store.MarkRead(%q)", accountID)
	var n int
	err = s.write(ctx, "notification.read", "", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE notification SET read_at = cogov_now() WHERE account_id = $1 AND read_at IS NULL
			AND ($3 OR id = ANY($2::text[]::uuid[]))`, accountID, okIDs(ids), all)
		n = int(tag.RowsAffected())
		return err
	})
	return n, err
}
