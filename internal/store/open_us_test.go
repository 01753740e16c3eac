package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"cogov/internal/testworld"
)

// TestOpenUsLongPeriods checks that subdistrict_open_us (migration 00024:
// whole days counted per weekday, days that are not 24 hours long and the
// edges of the period through venue_open_hours) equals the direct measure
// of venue_open_hours over the active venues, exactly, for periods of up to
// 366 days, whole local days or not, over two years of random weekly hours
// and dated exceptions, in time zones whose clocks change by an hour twice
// a year (New York), by half an hour (Lord Howe Island), or never
// (Shanghai). One venue, no longer active, counts nowhere.
func TestOpenUsLongPeriods(t *testing.T) {
	t.Parallel()
	w := testworld.New(t)
	rng := testSeed(t, w.Now())
	ctx := context.Background()
	first := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
	const days = 640

	type place struct {
		sd  string
		loc *time.Location
	}
	var places []place
	for i, tz := range []string{"America/New_York", "Australia/Lord_Howe", "Asia/Shanghai"} {
		sd, loc, venues := placeWithVenues(w, []string{"ny", "lh", "sh"}[i], tz, 3)
		for _, v := range venues {
			exceptions := randomExceptions(rng, first, days)
			_, err := w.Bookings.SetOpeningHours(w.Sys, v.ID, randomHours(rng), &exceptions)
			w.Must(err)
		}
		sysTx(t, w, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE venue SET active = false WHERE id = $1`, venues[2].ID)
			return err
		})
		places = append(places, place{sd.ID, loc})
	}

	// at is a local midnight, or any minute, of the two years.
	at := func(p place, d int) time.Time {
		day := first.AddDate(0, 0, d)
		local := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, p.loc)
		if rng.IntN(2) == 0 {
			return local
		}
		return local.Add(time.Duration(rng.IntN(24*60)) * time.Minute)
	}
	for i := range 60 {
		p := places[i%len(places)]
		d := rng.IntN(days - 367)
		f, to := at(p, d), at(p, d+rng.IntN(367))
		if i < 6 { // whole years of local days
			f = time.Date(2026, 1, 1, 0, 0, 0, 0, p.loc)
			to = f.AddDate(1, 0, i/3)
		}
		if to.Before(f) {
			f, to = to, f
		}
		var direct, aggregated string
		var same bool
		sysTx(t, w, func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT d = a, d::text, a::text FROM (SELECT
				(SELECT coalesce(sum(extract(epoch FROM upper(r) - lower(r)) * 1000000), 0)
					FROM venue v JOIN subdistrict s ON s.id = v.subdistrict_id,
					LATERAL unnest(venue_open_hours(v.id, $2, $3, s.time_zone) * tstzmultirange(tstzrange($2, $3))) r
					WHERE v.subdistrict_id = $1 AND v.active) AS d,
				subdistrict_open_us($1, $2, $3) AS a) x`, p.sd, f, to).Scan(&same, &direct, &aggregated)
		})
		if !same {
			t.Errorf("[%s, %s) in %s: open µs direct %s, subdistrict_open_us %s", f.Format(time.RFC3339), to.Format(time.RFC3339), p.loc, direct, aggregated)
		} else if i < 4 {
			t.Logf("[%s, %s) in %s: %s µs open", f.Format(time.RFC3339), to.Format(time.RFC3339), p.loc, direct)
		}
	}
}
