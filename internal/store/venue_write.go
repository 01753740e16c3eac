package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"cogov/internal/booking"
	"cogov/internal/problem"
	"cogov/internal/structure"
)

// CreateVenue inserts a venue with its rules.
func (s *Store) CreateVenue(ctx context.Context, v booking.Venue) (_ booking.Venue, err error) {
	defer wrap(&err, "store.CreateVenue")
	var out booking.Venue
	err = s.write(ctx, "venue.create", "", func(tx pgx.Tx) error {
		var id string
		if err := tx.QueryRow(ctx, `INSERT INTO venue (subdistrict_id, unit_id, community_id, name, kind, address, area_sqm, capacity,
			facilities, description, photo_urls, active, demo) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			v.SubdistrictID, v.UnitID, v.CommunityID, v.Name, v.Kind, v.Address, v.AreaSqm, v.Capacity, v.Facilities, v.Description,
			v.PhotoURLs, v.Active, v.Demo).Scan(&id); err != nil {
			return err
		}
		v.ID = id
		if err := saveRules(ctx, tx, v); err != nil {
			return err
		}
		var err error
		out, err = one(ctx, tx, problem.ErrNotFound, venueFields, `SELECT `+venueCols+` FROM `+venueFrom+` WHERE v.id = $1`, id)
		return err
	})
	return out, err
}

func saveRules(ctx context.Context, tx pgx.Tx, v booking.Venue) error {
	r := v.Rules
	if _, err := tx.Exec(ctx, `UPDATE venue SET requires_approval = $2, min_duration_minutes = $3, max_duration_minutes = $4,
		min_notice_minutes = $5, max_days_ahead = $6, buffer_minutes = $7, eligibility = $8, weekly_quota_minutes = $9,
		no_show_grace_minutes = $10, updated_at = cogov_now()
		WHERE id = $1`, v.ID, r.RequiresApproval, r.MinDurationMinutes, r.MaxDurationMinutes, r.MinNoticeMinutes, r.MaxDaysAhead,
		r.BufferMinutes, r.Eligibility, r.WeeklyQuotaMinutes, r.NoShowGraceMinutes); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM venue_eligible_committee WHERE venue_id = $1 AND committee_id <> ALL($2::text[]::uuid[])`,
		v.ID, okIDs(r.EligibleCommitteeIDs)); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO venue_eligible_committee (subdistrict_id, venue_id, committee_id)
		SELECT $1, $2, c FROM unnest($3::text[]::uuid[]) c ON CONFLICT DO NOTHING`, v.SubdistrictID, v.ID, okIDs(r.EligibleCommitteeIDs))
	return err
}

// UpdateVenue locks a venue, lets apply change it and writes the venue,
// its rules and whatever else apply asked for, in one audited transaction.
func (s *Store) UpdateVenue(ctx context.Context, id, action, note string, apply func(*booking.VenueUpdate) error) (_ booking.VenueUpdated, err error) {
	defer wrap(&err, "store.UpdateVenue(%q)", id)
	var out booking.VenueUpdated
	if !IsUUID(id) {
		return out, problem.ErrNotFound
	}
	err = s.write(ctx, action, note, func(tx pgx.Tx) error {
		v, err := one(ctx, tx, problem.ErrNotFound, venueFields, `SELECT `+venueCols+` FROM `+venueFrom+` WHERE v.id = $1 FOR UPDATE OF v`, id)
		if err != nil {
			return err
		}
		u := booking.VenueUpdate{Venue: v}
		if err := apply(&u); err != nil {
			return err
		}
		nv := u.Venue
		if _, err := tx.Exec(ctx, `UPDATE venue SET community_id = $2, name = $3, kind = $4, address = $5, area_sqm = $6, capacity = $7,
			facilities = $8, description = $9, photo_urls = $10, active = $11, updated_at = cogov_now() WHERE id = $1`,
			nv.ID, nv.CommunityID, nv.Name, nv.Kind, nv.Address, nv.AreaSqm, nv.Capacity, nv.Facilities, nv.Description, nv.PhotoURLs,
			nv.Active); err != nil {
			return err
		}
		if err := saveRules(ctx, tx, nv); err != nil {
			return err
		}
		if u.Hours != nil {
			if err := saveHours(ctx, tx, nv, *u.Hours); err != nil {
				return err
			}
		}
		if u.Exceptions != nil {
			if err := saveExceptions(ctx, tx, nv, *u.Exceptions); err != nil {
				return err
			}
		}
		if c := u.AddClosure; c != nil {
			cl, err := one(ctx, tx, problem.ErrNotFound, closureFields, `INSERT INTO venue_closure AS c (subdistrict_id, venue_id, during, reason, demo)
				VALUES ($1, $2, tstzrange($3, $4), $5, $6) RETURNING `+closureCols, nv.SubdistrictID, nv.ID, c.Start, c.End, c.Reason, c.Demo)
			if err != nil {
				return err
			}
			out.Closure = &cl
			// The bookings it hits are marked affected by it; one already
			// affected by an earlier closure keeps that one (and its time).
			if out.Affected, err = collect(ctx, tx, bookingFields, `WITH up AS (UPDATE booking SET affected_by = coalesce(affected_by, $4),
				affected_at = coalesce(affected_at, cogov_now()), version = version + CASE WHEN affected_by IS NULL THEN 1 ELSE 0 END,
				updated_at = cogov_now()
				WHERE venue_id = $1 AND status IN ('PENDING', 'APPROVED') AND during && tstzrange($2, $3) RETURNING *)
				SELECT `+bookingCols+` FROM up b JOIN venue bv ON bv.id = b.venue_id ORDER BY lower(b.during)`, nv.ID, c.Start, c.End, cl.ID); err != nil {
				return err
			}
		}
		if u.RemoveClosureID != "" {
			// Its bookings are re-pointed to another closure of the venue
			// that still hits them, or cleared (out.Cleared).
			if out.Cleared, err = collect(ctx, tx, bookingFields, `WITH o AS (
					SELECT b.id, (SELECT c.id FROM venue_closure c WHERE c.venue_id = b.venue_id AND c.id <> $1 AND c.during && b.during
						ORDER BY lower(c.during) LIMIT 1) AS other
					FROM booking b WHERE b.affected_by = $1 AND b.venue_id = $2 FOR UPDATE OF b),
				up AS (UPDATE booking b SET affected_by = o.other, affected_at = CASE WHEN o.other IS NULL THEN NULL ELSE b.affected_at END,
					version = b.version + CASE WHEN o.other IS NULL THEN 1 ELSE 0 END, updated_at = cogov_now()
					FROM o WHERE b.id = o.id RETURNING b.*)
				SELECT `+bookingCols+` FROM up b JOIN venue bv ON bv.id = b.venue_id WHERE b.affected_by IS NULL ORDER BY lower(b.during)`,
				u.RemoveClosureID, nv.ID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM venue_closure WHERE id = $1 AND venue_id = $2`, u.RemoveClosureID, nv.ID); err != nil {
				return err
			}
		}
		out.Venue, err = one(ctx, tx, problem.ErrNotFound, venueFields, `SELECT `+venueCols+` FROM `+venueFrom+` WHERE v.id = $1`, id)
		return err
	})
	return out, err
}

func saveHours(ctx context.Context, tx pgx.Tx, v booking.Venue, hours []booking.Hours) error {
	if _, err := tx.Exec(ctx, `DELETE FROM venue_hours WHERE venue_id = $1`, v.ID); err != nil {
		return err
	}
	var wd, op, cl []int32
	for _, h := range hours {
		wd, op, cl = append(wd, int32(h.Weekday)), append(op, int32(h.Opens)), append(cl, int32(h.Closes))
	}
	_, err := tx.Exec(ctx, `INSERT INTO venue_hours (subdistrict_id, venue_id, weekday, opens_min, closes_min)
		SELECT $1, $2, w, o, c FROM unnest($3::smallint[], $4::int[], $5::int[]) AS t(w, o, c)`, v.SubdistrictID, v.ID, wd, op, cl)
	return err
}

func saveExceptions(ctx context.Context, tx pgx.Tx, v booking.Venue, exs []booking.Exception) error {
	if _, err := tx.Exec(ctx, `DELETE FROM venue_exception WHERE venue_id = $1`, v.ID); err != nil {
		return err
	}
	for _, e := range exs {
		if _, err := tx.Exec(ctx, `INSERT INTO venue_exception (subdistrict_id, venue_id, day, closed, opens_min, closes_min, note)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, v.SubdistrictID, v.ID, e.Day, e.Closed, e.Opens, e.Closes, e.Note); err != nil {
			return err
		}
	}
	return nil
}

// CreateBookings records a request and its bookings in one transaction. The
// idempotency key is claimed first: a concurrent request with the same key
// waits on the unique index and then finds it taken (ErrKeyTaken).
func (s *Store) CreateBookings(ctx context.Context, r booking.NewRequest, bs []booking.Booking, skipRaced bool) (created, raced []booking.Booking, err error) {
	defer wrap(&err, "store.CreateBookings")
	action := "booking.request"
	err = s.write(ctx, action, "", func(tx pgx.Tx) error {
		created, raced = nil, nil
		skipped, err := json.Marshal(r.Skipped)
		if err != nil {
			return err
		}
		if r.Skipped == nil {
			skipped = []byte("[]")
		}
		var key *string
		if r.IdempotencyKey != "" {
			key = &r.IdempotencyKey
		}
		if len(bs) == 1 && !skipRaced {
			// The usual request of one booking: the request and its
			// booking in one statement (no booking when the key was taken).
			b := bs[0]
			err := one1(ctx, tx, &b, `WITH r AS (INSERT INTO booking_request (subdistrict_id, venue_id, committee_id, idempotency_key,
					fingerprint, recurring, skipped, requested_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
					ON CONFLICT (subdistrict_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id),
				ins AS (INSERT INTO booking (subdistrict_id, venue_id, committee_id, request_id, series_id,
					during, held, purpose, expected_attendees, status, actual_attendees, requested_by, demo)
					SELECT $1::uuid, $2::uuid, $3::uuid, r.id, CASE WHEN $6::boolean THEN r.id END, tstzrange($9::timestamptz, $10::timestamptz),
						tstzrange($9::timestamptz, $11::timestamptz), $12::text, $13::integer, $14::text, $15::integer, $8::uuid, $16::boolean
					FROM r RETURNING *)
				SELECT `+bookingCols+` FROM ins b JOIN venue bv ON bv.id = b.venue_id`,
				r.SubdistrictID, r.VenueID, r.CommitteeID, key, r.Fingerprint, r.Recurring, skipped, r.RequestedBy,
				b.Start, b.End, b.HeldEnd, b.Purpose, b.ExpectedAttendees, b.Status, b.ActualAttendees, r.Demo)
			if errors.Is(err, pgx.ErrNoRows) {
				return booking.ErrKeyTaken
			}
			if err != nil {
				return err
			}
			created = append(created, b)
			return nil
		}
		var reqID string
		err = tx.QueryRow(ctx, `INSERT INTO booking_request (subdistrict_id, venue_id, committee_id, idempotency_key, fingerprint,
			recurring, skipped, requested_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (subdistrict_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING RETURNING id`,
			r.SubdistrictID, r.VenueID, r.CommitteeID, key, r.Fingerprint, r.Recurring, skipped, r.RequestedBy).Scan(&reqID)
		if errors.Is(err, pgx.ErrNoRows) {
			return booking.ErrKeyTaken
		}
		if err != nil {
			return err
		}
		var series *string
		if r.Recurring {
			series = &reqID
		}
		for _, b := range bs {
			insert := func(tx pgx.Tx) error {
				return one1(ctx, tx, &b, `WITH ins AS (INSERT INTO booking (subdistrict_id, venue_id, committee_id, request_id, series_id,
					during, held, purpose, expected_attendees, status, actual_attendees, requested_by, demo)
					VALUES ($1, $2, $3, $4, $5, tstzrange($6, $7), tstzrange($6, $8), $9, $10, $11, $12, $13, $14) RETURNING *)
					SELECT `+bookingCols+` FROM ins b JOIN venue bv ON bv.id = b.venue_id`,
					b.SubdistrictID, b.VenueID, b.CommitteeID, reqID, series, b.Start, b.End, b.HeldEnd, b.Purpose, b.ExpectedAttendees,
					b.Status, b.ActualAttendees, r.RequestedBy, r.Demo)
			}
			if !skipRaced {
				if err := insert(tx); err != nil {
					return err
				}
				created = append(created, b)
				continue
			}
			// A savepoint per occurrence, so that one lost race skips
			// only that occurrence.
			err := pgx.BeginFunc(ctx, tx, insert)
			if lostRace(err) {
				raced = append(raced, b)
				continue
			}
			if err != nil {
				return err
			}
			created = append(created, b)
		}
		if len(created) == 0 {
			return errAllRaced
		}
		return nil
	})
	if errors.Is(err, errAllRaced) || lostRace(err) {
		return nil, nil, constraintErr("booking_no_overlap")
	}
	return created, raced, err
}

// lostRace reports whether an insert lost to a concurrent booking of the same
// time: the exclusion constraint refused it (23P01), or the two inserts each
// waited on the other's row and PostgreSQL broke the deadlock (40P01), which
// exclusion constraints can cause where unique indexes would not.
func lostRace(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "23P01" || pgErr.Code == "40P01")
}

var errAllRaced = errors.New("every occurrence lost its race")

func one1(ctx context.Context, tx pgx.Tx, b *booking.Booking, sql string, args ...any) error {
	return tx.QueryRow(ctx, sql, args...).Scan(bookingFields(b)...)
}

// ChangeBookings locks a booking (and with series its series), lets apply
// change them and writes those whose state changed with the next version.
// It returns them all as they are now, the booking id first.
func (s *Store) ChangeBookings(ctx context.Context, id string, series bool, action, note string, apply func([]*booking.Booking) error) (_ []booking.Booking, err error) {
	defer wrap(&err, "store.ChangeBookings(%q)", id)
	var out []booking.Booking
	if !IsUUID(id) {
		return out, problem.ErrNotFound
	}
	err = s.write(ctx, action, note, func(tx pgx.Tx) error {
		target, err := one(ctx, tx, problem.ErrNotFound, bookingFields, `SELECT `+bookingCols+` FROM `+bookingFrom+` WHERE b.id = $1 FOR UPDATE OF b`, id)
		if err != nil {
			return err
		}
		list := []booking.Booking{target}
		if series && target.SeriesID != nil {
			rest, err := collect(ctx, tx, bookingFields, `SELECT `+bookingCols+` FROM `+bookingFrom+` WHERE b.series_id = $1 AND b.id <> $2
				ORDER BY lower(b.during) FOR UPDATE OF b`, *target.SeriesID, id)
			if err != nil {
				return err
			}
			list = append(list, rest...)
		}
		before := make([]booking.Booking, len(list))
		copy(before, list)
		ptrs := make([]*booking.Booking, len(list))
		for i := range list {
			ptrs[i] = &list[i]
		}
		if err := apply(ptrs); err != nil {
			return err
		}
		for i, b := range list {
			o := before[i]
			if b.Status == o.Status && b.DecisionNote == o.DecisionNote && eqInt(b.ActualAttendees, o.ActualAttendees) &&
				(b.CheckedInAt == nil) == (o.CheckedInAt == nil) && (b.AffectedBy == nil) == (o.AffectedBy == nil) &&
				b.VenueID == o.VenueID && b.Start.Equal(o.Start) && b.End.Equal(o.End) && b.HeldEnd.Equal(o.HeldEnd) {
				continue
			}
			// A booking that stops holding its time is no longer affected
			// by a closure (booking_affected_holds).
			if !b.Status.Holds() {
				b.AffectedBy, b.AffectedAt = nil, nil
			}
			// A move (venue or time) is checked by booking_no_overlap like
			// an insert: losing to a concurrent booking is BOOKING_CONFLICT.
			err := pgx.BeginFunc(ctx, tx, func(tx pgx.Tx) error {
				return one1(ctx, tx, &list[i], `WITH up AS (UPDATE booking SET status = $2, decision_note = $3, actual_attendees = $4,
					checked_in_at = $5, venue_id = $6, during = tstzrange($7, $8), held = tstzrange($7, $9), affected_by = $10,
					affected_at = $11, version = version + 1, updated_at = cogov_now() WHERE id = $1 RETURNING *)
					SELECT `+bookingCols+` FROM up b JOIN venue bv ON bv.id = b.venue_id`, b.ID, b.Status, b.DecisionNote, b.ActualAttendees,
					b.CheckedInAt, b.VenueID, b.Start, b.End, b.HeldEnd, b.AffectedBy, b.AffectedAt)
			})
			if lostRace(err) {
				return constraintErr("booking_no_overlap")
			}
			if err != nil {
				return err
			}
		}
		out = list
		return nil
	})
	return out, err
}

func eqInt(a, b *int) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

// LockForRequest holds, until the transaction ends, a lock that serializes
// requests of one committee for one venue, and reads with it, in the same
// round trip, the venue, the committee and, when key is not empty, the
// request with that idempotency key in the venue's sub-district (whose
// bookings take a second round trip, only then).
func (s *Store) LockForRequest(ctx context.Context, venueID, committeeID, key string) (l booking.Locked, err error) {
	defer wrap(&err, "store.LockForRequest(%q, %q)", venueID, committeeID)
	t, ok := txOf(ctx)
	if !ok {
		return l, fmt.Errorf("lock venue and committee: no transaction")
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 7))`, venueID, committeeID)
	b.Queue(`SELECT `+venueCols+` FROM `+venueFrom+` WHERE v.id = ANY($1::text[]::uuid[])`, okIDs([]string{venueID}))
	b.Queue(`SELECT `+committeeCols+` FROM committee k WHERE k.id = ANY($1::text[]::uuid[])`, okIDs([]string{committeeID}))
	if key != "" {
		b.Queue(`SELECT r.id, r.fingerprint, r.skipped FROM booking_request r JOIN venue v ON v.subdistrict_id = r.subdistrict_id
			WHERE v.id = ANY($1::text[]::uuid[]) AND r.idempotency_key = $2`, okIDs([]string{venueID}), key)
	}
	br := t.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return l, err
	}
	switch err := br.QueryRow().Scan(venueFields(&l.Venue)...); {
	case err == nil:
		l.VenueFound = true
	case !errors.Is(err, pgx.ErrNoRows):
		return l, err
	}
	var k structure.Committee
	switch err := br.QueryRow().Scan(committeeFields(&k)...); {
	case err == nil:
		l.Committee = &k
	case !errors.Is(err, pgx.ErrNoRows):
		return l, err
	}
	var prev booking.StoredRequest
	if key != "" {
		var skipped []byte
		switch err := br.QueryRow().Scan(&prev.ID, &prev.Fingerprint, &skipped); {
		case err == nil:
			if err := json.Unmarshal(skipped, &prev.Skipped); err != nil {
				return l, fmt.Errorf("skipped of request %s: %w", prev.ID, err)
			}
			l.Prev = &prev
		case !errors.Is(err, pgx.ErrNoRows):
			return l, err
		}
	}
	if err := br.Close(); err != nil || l.Prev == nil {
		return l, err
	}
	l.Prev.Bookings, err = requestBookings(ctx, t.Tx, prev.ID)
	return l, err
}

// RollVenueShut moves every sub-district's kept horizon of venue_shut (when
// venues are not open, as ranges; migration 00022) to the one of now, one
// sub-district a transaction: the days that came into it are computed,
// those that left it dropped. It says how many sub-districts it moved. The
// search stays exact without it (windows beyond the horizon are checked
// against the hours themselves), only slower.
func (s *Store) RollVenueShut(ctx context.Context, now time.Time) (n int, err error) {
	defer wrap(&err, "store.RollVenueShut")
	var due []string
	err = s.read(ctx, func(tx querier) error {
		var err error
		due, err = collect(ctx, tx, func(id *string) []any { return []any{id} }, `SELECT s.id::text FROM subdistrict s
			LEFT JOIN venue_shut_kept k ON k.subdistrict_id = s.id
			WHERE k.covered IS DISTINCT FROM venue_shut_horizon($1) ORDER BY s.id`, now)
		return err
	})
	if err != nil {
		return 0, err
	}
	for _, sd := range due {
		err := s.write(ctx, "venue.shut.roll", "", func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `SELECT venue_shut_keep($1, $2)`, sd, now)
			return err
		})
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
