package store_test

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"cogov/internal/structure"
	"cogov/internal/testworld"
)

// TestBookingDayExact checks that the figures the dashboard computes from
// the per-day aggregates (booking_day, kept by a trigger; booking_figures
// and subdistrict_open_us, migration 00017) equal the direct computation
// over the bookings and venue_open_hours, exactly, for random bookings
// changed at random (approved, cancelled, completed with and without
// people, moved in time and to another venue, deleted) and random periods,
// whole local days or not, in Shanghai (+08:00) and New York (whose days
// of 23 and 25 hours the window crosses). Venues have random weekly hours,
// closed days, extra openings and closures. COGOV_TEST_SEED repeats a run.
func TestBookingDayExact(t *testing.T) {
	t.Parallel()
	w := testworld.New(t)
	seed := uint64(w.Now().UnixNano())
	if s := os.Getenv("COGOV_TEST_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("COGOV_TEST_SEED=%d", seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	ctx := context.Background()
	sys := func(f func(tx pgx.Tx) error) { t.Helper(); sysTx(t, w, f) }
	// The window: 2026-02-20 to 2026-04-21, New York's clocks go forward on 03-08.
	first := time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)
	const days = 60

	type place struct {
		sd, committee string
		loc           *time.Location
		venues        []string
	}
	build := func(code, tz string) place {
		sd, loc, venues := placeWithVenues(w, code, tz, 4)
		k, err := w.Structure.CreateCommittee(w.Sys, structure.NewCommittee{SubdistrictID: sd.ID, Name: "支部", Kind: structure.CompoundPartyBranch, CommunityID: &venues[0].CommunityID})
		w.Must(err)
		p := place{sd: sd.ID, committee: k.ID, loc: loc}
		for _, v := range venues {
			hours, exceptions := randomHours(rng), randomExceptions(rng, first, days)
			_, err = w.Bookings.SetOpeningHours(w.Sys, v.ID, hours, &exceptions)
			w.Must(err)
			p.venues = append(p.venues, v.ID)
		}
		return p
	}
	places := []place{build("sh", "Asia/Shanghai"), build("ny", "America/New_York")}

	statuses := []string{"PENDING", "APPROVED", "REJECTED", "CANCELLED", "COMPLETED", "NO_SHOW"}
	attendees := func(status string) *int {
		if status != "COMPLETED" || rng.IntN(4) == 0 {
			return nil // not recorded, or a no-show
		}
		n := rng.IntN(80)
		return &n
	}
	var ids []string
	// try runs one change in a savepoint: one that breaks a rule (two
	// holding bookings overlapping) is undone and skipped.
	try := func(tx pgx.Tx, sql string, args ...any) bool {
		sp, err := tx.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sp.Exec(ctx, sql, args...); err != nil {
			_ = sp.Rollback(ctx)
			return false
		}
		return sp.Commit(ctx) == nil
	}
	sys(func(tx pgx.Tx) error {
		for _, p := range places {
			for _, v := range p.venues {
				for range 3 {
					start := first.Add(time.Duration(rng.IntN(days*24*60)) * time.Minute)
					try(tx, `INSERT INTO venue_closure (subdistrict_id, venue_id, during) VALUES ($1, $2, tstzrange($3, $4))`,
						p.sd, v, start, start.Add(time.Duration(1+rng.IntN(72))*time.Hour))
				}
				for range 60 {
					var req string
					if err := tx.QueryRow(ctx, `INSERT INTO booking_request (subdistrict_id, venue_id, committee_id, fingerprint, recurring)
						VALUES ($1, $2, $3, 'test', false) RETURNING id`, p.sd, v, p.committee).Scan(&req); err != nil {
						return err
					}
					start := first.Add(time.Duration(rng.IntN(days*24*4)) * 15 * time.Minute).Add(time.Duration(rng.IntN(60)) * time.Second)
					end := start.Add(time.Duration(1+rng.IntN(4*50)) * 15 * time.Minute)
					status := statuses[rng.IntN(len(statuses))]
					sp, err := tx.Begin(ctx)
					if err != nil {
						return err
					}
					var id string
					err = sp.QueryRow(ctx, `INSERT INTO booking (subdistrict_id, venue_id, committee_id, request_id, during, held, purpose,
						expected_attendees, status, actual_attendees) VALUES ($1, $2, $3, $4, tstzrange($5, $6), tstzrange($5, $6), '活动', 10, $7, $8)
						RETURNING id`, p.sd, v, p.committee, req, start, end, status, attendees(status)).Scan(&id)
					if err != nil {
						_ = sp.Rollback(ctx)
						continue
					}
					if err := sp.Commit(ctx); err != nil {
						return err
					}
					ids = append(ids, id)
				}
			}
		}
		return nil
	})
	if len(ids) < 200 {
		t.Fatalf("only %d bookings made", len(ids))
	}
	// Changes, as the services make them and more.
	changed := 0
	sys(func(tx pgx.Tx) error {
		for range 400 {
			id := ids[rng.IntN(len(ids))]
			shift := time.Duration(rng.IntN(6*24*4)-3*24*4) * 15 * time.Minute
			var ok bool
			switch rng.IntN(6) {
			case 0, 1: // a decision, a cancellation, attendance or a no-show
				s := statuses[rng.IntN(len(statuses))]
				ok = try(tx, `UPDATE booking SET status = $2, actual_attendees = $3, version = version + 1 WHERE id = $1`, id, s, attendees(s))
			case 2: // moved
				ok = try(tx, `UPDATE booking SET during = tstzrange(lower(during) + $2, upper(during) + $2),
					held = tstzrange(lower(held) + $2, upper(held) + $2) WHERE id = $1`, id, shift)
			case 3: // longer or shorter
				ok = try(tx, `UPDATE booking SET during = tstzrange(lower(during), greatest(upper(during) + $2, lower(during) + interval '15 minutes')),
					held = tstzrange(lower(during), greatest(upper(during) + $2, lower(during) + interval '15 minutes')) WHERE id = $1`, id, shift/3)
			case 4: // to another venue of its sub-district
				ok = try(tx, `UPDATE booking b SET venue_id = (SELECT v.id FROM venue v WHERE v.subdistrict_id = b.subdistrict_id AND v.id <> b.venue_id
					ORDER BY v.id OFFSET $2 LIMIT 1) WHERE id = $1`, id, rng.IntN(3))
			case 5: // deleted
				ok = try(tx, `DELETE FROM booking WHERE id = $1`, id)
			}
			if ok {
				changed++
			}
		}
		return nil
	})
	if changed < 100 {
		t.Fatalf("only %d changes made", changed)
	}

	// at is an instant of the window: a local midnight or any minute.
	at := func(p place) time.Time {
		d := first.AddDate(0, 0, rng.IntN(days+4)-2)
		local := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, p.loc)
		if rng.IntN(2) == 0 {
			return local
		}
		return local.Add(time.Duration(rng.IntN(24*60)) * time.Minute)
	}
	checked := 0
	for i := range 300 {
		p := places[i%len(places)]
		f, to := at(p), at(p)
		if to.Before(f) {
			f, to = to, f
		}
		var mismatches string
		var direct, aggregated string
		sys(func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `WITH direct AS (
				SELECT b.venue_id, count(*) FILTER (WHERE lower(b.during) <@ p.r) AS n,
					coalesce(sum(b.actual_attendees) FILTER (WHERE lower(b.during) <@ p.r), 0) AS att,
					sum(extract(epoch FROM upper(b.during * p.r) - lower(b.during * p.r)) * 1000000) AS us
				FROM (SELECT tstzrange($2, $3) AS r) p
				JOIN booking b ON b.subdistrict_id = $1 AND b.status IN ('APPROVED', 'COMPLETED') AND b.during && p.r
				GROUP BY b.venue_id
			), agg AS (SELECT * FROM booking_figures($1, $2, $3)),
			joined AS (
				SELECT venue_id, coalesce(d.n, 0) AS dn, coalesce(a.bookings, 0) AS an, coalesce(d.att, 0) AS datt,
					coalesce(a.attendees, 0) AS aatt, coalesce(d.us, 0) AS dus, coalesce(a.held_us, 0) AS aus
				FROM direct d FULL JOIN agg a USING (venue_id)
			), open AS (
				SELECT (SELECT coalesce(sum(extract(epoch FROM upper(r) - lower(r)) * 1000000), 0)
					FROM venue v JOIN subdistrict s ON s.id = v.subdistrict_id,
					LATERAL unnest(venue_open_hours(v.id, $2, $3, s.time_zone) * tstzmultirange(tstzrange($2, $3))) r
					WHERE v.subdistrict_id = $1 AND v.active) AS d,
					subdistrict_open_us($1, $2, $3) AS a
			)
			SELECT coalesce((SELECT string_agg(format('venue %s: bookings %s/%s, attendees %s/%s, µs %s/%s', venue_id, dn, an, datt, aatt, dus, aus), '; ')
					FROM joined WHERE dn <> an OR datt <> aatt OR dus <> aus), '')
				|| (SELECT CASE WHEN d = a THEN '' ELSE format('; open µs %s/%s', d, a) END FROM open),
				(SELECT format('%s bookings, %s µs booked, %s µs open', sum(dn), sum(dus), (SELECT d FROM open)) FROM joined),
				(SELECT format('%s bookings, %s µs booked, %s µs open', sum(an), sum(aus), (SELECT a FROM open)) FROM joined)`,
				p.sd, f, to).Scan(&mismatches, &direct, &aggregated)
		})
		if mismatches != "" {
			t.Errorf("[%s, %s) in %s: direct/aggregated differ: %s", f.Format(time.RFC3339), to.Format(time.RFC3339), p.loc, mismatches)
			continue
		}
		if i < 4 {
			t.Logf("[%s, %s): %s = %s", f.Format(time.RFC3339), to.Format(time.RFC3339), direct, aggregated)
		}
		checked++
	}
	if checked != 300 {
		t.Errorf("%d of 300 periods agree", checked)
	}
	// Rebuilt from the bookings (the migration, a change of time zone),
	// the rows are the ones the trigger kept, rows that went back to zero aside.
	var differ int
	sys(func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE kept ON COMMIT DROP AS
			SELECT * FROM booking_day WHERE bookings <> 0 OR attendees <> 0 OR held_us <> 0`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT booking_day_rebuild(id) FROM subdistrict`); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT count(*) FROM ((TABLE kept EXCEPT TABLE booking_day) UNION ALL (TABLE booking_day EXCEPT TABLE kept)) d`).Scan(&differ)
	})
	if differ != 0 {
		t.Errorf("%d rows of booking_day differ from a rebuild", differ)
	}
}
