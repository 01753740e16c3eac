package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"cogov/internal/booking"
	"cogov/internal/problem"
)

const waitCols = `w.id, w.subdistrict_id, w.venue_id, w.committee_id, lower(w.during), upper(w.during), w.purpose, w.expected_attendees,
	w.status, w.offered_at, w.offer_expires_at, w.requested_by, w.created_at, w.demo`

// waitingSQL reads the WAITING and OFFERED entries of venue $1 whose window
// overlaps [$2, $3), in the order they joined.
const waitingSQL = `SELECT ` + waitCols + ` FROM waitlist_entry w WHERE w.venue_id = $1 AND w.during && tstzrange($2, $3)
		AND w.status IN ('WAITING', 'OFFERED') ORDER BY w.created_at, w.seq`

func waitFields(e *booking.WaitEntry) []any {
	return []any{&e.ID, &e.SubdistrictID, &e.VenueID, &e.CommitteeID, &e.Start, &e.End, &e.Purpose, &e.ExpectedAttendees,
		&e.Status, &e.OfferedAt, &e.OfferExpiresAt, &e.RequestedBy, &e.CreatedAt, &e.Demo}
}

// CreateWaitEntry puts a committee on a venue's waitlist.
func (s *Store) CreateWaitEntry(ctx context.Context, e booking.WaitEntry) (_ booking.WaitEntry, err error) {
	defer wrap(&err, "store.CreateWaitEntry")
	var out booking.WaitEntry
	err = s.write(ctx, "waitlist.join", "", func(tx pgx.Tx) error {
		var err error
		out, err = one(ctx, tx, problem.ErrNotFound, waitFields, `INSERT INTO waitlist_entry AS w (subdistrict_id, venue_id, committee_id,
			during, purpose, expected_attendees, status, requested_by, demo) VALUES ($1, $2, $3, tstzrange($4, $5), $6, $7, $8, $9, $10)
			RETURNING `+waitCols, e.SubdistrictID, e.VenueID, e.CommitteeID, e.Start, e.End, e.Purpose, e.ExpectedAttendees, e.Status,
			e.RequestedBy, e.Demo)
		return err
	})
	return out, err
}

// WaitEntries returns a venue's WAITING and OFFERED entries whose window
// overlaps [from, to), in the order they joined; with lock they stay
// locked until the transaction ends.
func (s *Store) WaitEntries(ctx context.Context, venueID string, from, to time.Time, lock bool) (_ []booking.WaitEntry, err error) {
	defer wrap(&err, "store.WaitEntries(%q)", venueID)
	sql := waitingSQL
	if lock {
		sql += ` FOR UPDATE`
	}
	var out []booking.WaitEntry
	err = s.read(ctx, func(q querier) error {
		var err error
		out, err = collect(ctx, q, waitFields, sql, venueID, from, to)
		return err
	})
	return out, err
}

// WaitEntriesByID fetches waitlist entries by id.
func (s *Store) WaitEntriesByID(ctx context.Context, ids []string) (_ map[string]booking.WaitEntry, err error) {
	defer wrap(&err, "store.WaitEntriesByID(%d ids)", len(ids))
	return readMap(ctx, s, `SELECT `+waitCols+` FROM waitlist_entry w WHERE w.id = ANY($1::text[]::uuid[])`, waitFields,
		func(e booking.WaitEntry) string { return e.ID }, okIDs(ids))
}

// ChangeWaitEntry locks an entry, lets apply change it and writes its state.
func (s *Store) ChangeWaitEntry(ctx context.Context, id, action string, apply func(*booking.WaitEntry) error) (_ booking.WaitEntry, err error) {
	defer wrap(&err, "store.ChangeWaitEntry(%q)", id)
	var out booking.WaitEntry
	if !IsUUID(id) {
		return out, problem.ErrNotFound
	}
	err = s.write(ctx, action, "", func(tx pgx.Tx) error {
		e, err := one(ctx, tx, problem.ErrNotFound, waitFields, `SELECT `+waitCols+` FROM waitlist_entry w WHERE w.id = $1 FOR UPDATE`, id)
		if err != nil {
			return err
		}
		if err := apply(&e); err != nil {
			return err
		}
		out, err = one(ctx, tx, problem.ErrNotFound, waitFields, `UPDATE waitlist_entry w SET status = $2, offered_at = $3, offer_expires_at = $4
			WHERE w.id = $1 RETURNING `+waitCols, id, e.Status, e.OfferedAt, e.OfferExpiresAt)
		return err
	})
	return out, err
}
