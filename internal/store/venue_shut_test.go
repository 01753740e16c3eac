package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"cogov/internal/booking"
	"cogov/internal/store"
	"cogov/internal/structure"
	"cogov/internal/testworld"
)

// sysTx runs f in one transaction past row-level security, as the owner.
func sysTx(t *testing.T, w *testworld.World, f func(tx pgx.Tx) error) {
	t.Helper()
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, w.DB.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('cogov.viewer_ready', 'on', true), set_config('cogov.system', 'on', true)`); err != nil {
			return err
		}
		return f(tx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// testSeed is the random source of a randomized test: COGOV_TEST_SEED
// repeats a run, which the test logs.
func testSeed(t *testing.T, now time.Time) *rand.Rand {
	t.Helper()
	seed := uint64(now.UnixNano())
	if s := os.Getenv("COGOV_TEST_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("COGOV_TEST_SEED=%d", seed)
	return rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
}

// randomHours returns weekly hours of up to a few ranges a day, some
// touching, some to 24:00, some days closed.
func randomHours(rng *rand.Rand) []booking.Hours {
	var hours []booking.Hours
	for wd := 1; wd <= 7; wd++ {
		at := 0
		for n := 0; n < 8 && at < 1440 && rng.IntN(3) > 0; n++ { // at most 8 ranges a day (SetOpeningHours)
			opens := at + rng.IntN(4)*30
			closes := min(opens+30+rng.IntN(16)*30, 1440)
			if opens >= 1440 {
				break
			}
			hours = append(hours, booking.Hours{Weekday: wd, Opens: opens, Closes: closes})
			at = closes
		}
	}
	return hours
}

// randomExceptions returns dated exceptions on about one day in eight of
// the days from first: closed days, extra openings, or both.
func randomExceptions(rng *rand.Rand, first time.Time, days int) []booking.Exception {
	var exceptions []booking.Exception
	for d := range days {
		if rng.IntN(8) > 0 {
			continue
		}
		day := first.AddDate(0, 0, d)
		if rng.IntN(2) == 0 {
			exceptions = append(exceptions, booking.Exception{Day: day, Closed: true, Note: "闭馆"})
		}
		for range rng.IntN(3) {
			opens := rng.IntN(46) * 30
			closes := min(opens+30+rng.IntN(20)*30, 1440)
			exceptions = append(exceptions, booking.Exception{Day: day, Opens: &opens, Closes: &closes, Note: "加开"})
		}
	}
	return exceptions
}

// placeWithVenues creates a sub-district in time zone tz with a community, a
// unit and n halls of the unit for 100 people.
func placeWithVenues(w *testworld.World, code, tz string, n int) (structure.Subdistrict, *time.Location, []booking.Venue) {
	loc, err := time.LoadLocation(tz)
	w.Must(err)
	s := w.Structure
	sd, err := s.CreateSubdistrict(w.Sys, structure.NewSubdistrict{Code: code, Name: code, TimeZone: tz})
	w.Must(err)
	c, err := s.CreateCommunity(w.Sys, structure.NewCommunity{SubdistrictID: sd.ID, Code: "c1", Name: "一社区"})
	w.Must(err)
	u, err := s.CreateUnit(w.Sys, structure.NewUnit{SubdistrictID: sd.ID, Name: "单位", Kind: structure.UnitOther})
	w.Must(err)
	var venues []booking.Venue
	for i := range n {
		v, err := w.Bookings.CreateVenue(w.Sys, booking.NewVenue{UnitID: u.ID, CommunityID: c.ID, Name: fmt.Sprintf("厅%d", i), Kind: booking.KindHall, Capacity: 100})
		w.Must(err)
		venues = append(venues, v)
	}
	return sd, loc, venues
}

// TestVenueShutExact checks that the venue search's open check through
// venue_shut (migration 00022: when venues are not open within a kept
// horizon, as ranges) answers as the exact check over the weekly hours,
// dated exceptions and closures (venue_open_hours, as the search asked
// before), for random hours, exceptions, closures and windows — inside the
// horizon, across its ends and beyond it, in Shanghai and New York (whose
// clocks change within the horizon) — after random changes of hours,
// exceptions, closures and a time zone, and after the horizon is rolled
// forward a day (extended), a year (rebuilt) and back. The kept rows must
// also equal a rebuild. COGOV_TEST_SEED repeats a run.
func TestVenueShutExact(t *testing.T) {
	t.Parallel()
	w := testworld.New(t)
	rng := testSeed(t, w.Now())
	ctx := context.Background()
	sys := func(f func(tx pgx.Tx) error) { t.Helper(); sysTx(t, w, f) }
	now := w.Now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	first, days := today.AddDate(0, 0, -5), 140 // the exceptions' days, past the horizon's end

	type place struct {
		sd     string
		loc    *time.Location
		venues []string
	}
	hoursOf := func(i int) []booking.Hours {
		if i == 0 {
			return testworld.AllWeek(0, 1440) // open around the clock: ranges across days and the horizon's ends
		}
		return randomHours(rng)
	}
	closure := func(p place, v string) {
		start := first.Add(time.Duration(rng.IntN(days*24*60)) * time.Minute)
		sys(func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO venue_closure (subdistrict_id, venue_id, during) VALUES ($1, $2, tstzrange($3, $4))`,
				p.sd, v, start, start.Add(time.Duration(1+rng.IntN(72))*time.Hour))
			return err
		})
	}
	build := func(code, tz string) place {
		sd, loc, venues := placeWithVenues(w, code, tz, 5)
		p := place{sd: sd.ID, loc: loc}
		for i, v := range venues {
			exceptions := randomExceptions(rng, first, days)
			_, err := w.Bookings.SetOpeningHours(w.Sys, v.ID, hoursOf(i), &exceptions)
			w.Must(err)
			p.venues = append(p.venues, v.ID)
			for range 3 {
				closure(p, v.ID)
			}
		}
		return p
	}
	places := []place{build("sh", "Asia/Shanghai"), build("ny", "America/New_York")}

	// check compares the search with the exact check for random windows
	// around base, and the kept rows with a rebuild.
	check := func(round string, base time.Time) {
		t.Helper()
		var differ int
		sys(func(tx pgx.Tx) error {
			return tx.QueryRow(ctx, `SELECT count(*) FROM venue v JOIN subdistrict s ON s.id = v.subdistrict_id
				JOIN venue_shut_kept k ON k.subdistrict_id = v.subdistrict_id
				WHERE (SELECT coalesce(range_agg(o.during), '{}') FROM venue_shut o WHERE o.venue_id = v.id) * tstzmultirange(k.covered)
					IS DISTINCT FROM (SELECT coalesce(range_agg(r), '{}') FROM venue_shut_of(v.id, k.covered, s.time_zone) r)`).Scan(&differ)
		})
		if differ != 0 {
			t.Errorf("%s: the kept rows of %d venues differ from a rebuild", round, differ)
		}
		inside, outside, open := 0, 0, 0
		for i := range 150 {
			p := places[i%len(places)]
			var f time.Time
			switch rng.IntN(4) {
			case 0: // a local midnight
				d := base.AddDate(0, 0, rng.IntN(130)-3).In(p.loc)
				f = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, p.loc)
			case 1: // around the horizon's end
				f = base.AddDate(0, 0, 121).Add(time.Duration(rng.IntN(4*24*60)-2*24*60) * time.Minute)
			default: // any minute
				f = base.Add(time.Duration(rng.IntN(130*24*60)-3*24*60) * time.Minute)
			}
			to := f.Add(time.Duration(1+rng.IntN(4*4)) * 15 * time.Minute) // up to 4 hours, or up to 30
			if rng.IntN(5) == 0 {
				to = f.Add(time.Duration(1+rng.IntN(4*30)) * 15 * time.Minute)
			}
			c, err := w.Store.Venues(w.Sys, store.VenueFilter{SubdistrictID: p.sd, AvailableFrom: f, AvailableTo: to}, store.Page{First: 100})
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, v := range c.Items {
				got = append(got, v.ID)
			}
			slices.Sort(got)
			var want []string
			var kept bool
			sys(func(tx pgx.Tx) error {
				return tx.QueryRow(ctx, `SELECT coalesce((SELECT array_agg(v.id::text ORDER BY v.id::text) FROM venue v JOIN subdistrict s ON s.id = v.subdistrict_id
					WHERE v.subdistrict_id = $1 AND v.active AND venue_open_hours(v.id, $2, $3, s.time_zone) @> tstzrange($2, $3)
					  AND NOT EXISTS (SELECT 1 FROM venue_closure c WHERE c.venue_id = v.id AND c.during && tstzrange($2, $3))), '{}'),
					EXISTS (SELECT 1 FROM venue_shut_kept k WHERE k.subdistrict_id = $1 AND k.covered @> tstzrange($2, $3))`,
					p.sd, f, to).Scan(&want, &kept)
			})
			if !slices.Equal(got, want) {
				t.Errorf("%s: [%s, %s) in %s (inside the horizon: %v): search %v, exact %v", round,
					f.In(p.loc).Format(time.RFC3339), to.In(p.loc).Format(time.RFC3339), p.loc, kept, got, want)
			}
			if kept {
				inside++
			} else {
				outside++
			}
			if len(want) > 0 {
				open++
			}
		}
		t.Logf("%s: %d windows inside the horizon, %d outside, %d with an open venue", round, inside, outside, open)
		if inside < 50 || outside < 10 || open < 30 {
			t.Errorf("%s: too few windows of a kind: %d inside the horizon, %d outside, %d with an open venue", round, inside, outside, open)
		}
	}
	check("built", now)

	// Changes as the services make them: hours and exceptions replaced,
	// closures added and lifted, a time zone changed.
	for i := range 6 {
		p := places[i%len(places)]
		v := p.venues[1+rng.IntN(len(p.venues)-1)] // the first stays open around the clock
		exceptions := randomExceptions(rng, first, days)
		_, err := w.Bookings.SetOpeningHours(w.Sys, v, randomHours(rng), &exceptions)
		w.Must(err)
		closure(p, v)
		start := now.Add(time.Duration(rng.IntN(100*24)) * time.Hour)
		_, err = w.Bookings.AddClosure(w.Sys, p.venues[0], start, start.Add(5*time.Hour), "检修")
		w.Must(err)
	}
	for _, p := range places {
		cs, err := w.Bookings.Closures(w.Sys, p.venues[1], first, first.AddDate(0, 0, days+5))
		w.Must(err)
		for _, c := range cs[:len(cs)/2] {
			_, err := w.Bookings.RemoveClosure(w.Sys, c.ID)
			w.Must(err)
		}
	}
	london := "Europe/London"
	_, err := w.Structure.UpdateSubdistrict(w.Sys, places[1].sd, structure.SubdistrictChanges{TimeZone: &london})
	w.Must(err)
	places[1].loc, _ = time.LoadLocation(london)
	check("changed", now)

	// The horizon moves with the clock: a day (extended), a year (rebuilt),
	// and back (rebuilt).
	for _, step := range []struct {
		name  string
		shift time.Duration
	}{{"a day later", 26 * time.Hour}, {"a year later", 365 * 24 * time.Hour}, {"back", 0}} {
		at := now.Add(step.shift)
		n, err := w.Store.RollVenueShut(w.Sys, at)
		w.Must(err)
		if n != len(places) {
			t.Errorf("%s: %d sub-districts rolled, want %d", step.name, n, len(places))
		}
		if n, err := w.Store.RollVenueShut(w.Sys, at); err != nil || n != 0 {
			t.Errorf("%s: rolled again: %d sub-districts, %v; want none", step.name, n, err)
		}
		check(step.name, at)
	}
}

// TestOpenHoursInClockGap: weekly hours whose wall-clock times fall in a
// spring-forward gap (Europe/London, Sunday 01:30–02:00, which does not
// exist on 2027-03-28) are open for no real time that day, and setting them
// — which rebuilds venue_shut over the horizon — succeeds. PostgreSQL reads
// local 01:30 as 01:30 UTC and 02:00 as 01:00 UTC, so the range came out
// inverted and the write failed (migration 00023).
func TestOpenHoursInClockGap(t *testing.T) {
	t.Parallel()
	w := testworld.New(t)
	_, _, venues := placeWithVenues(w, "gap", "Europe/London", 1)
	v := venues[0]
	hours := []booking.Hours{{Weekday: 7, Opens: 90, Closes: 120}, {Weekday: 7, Opens: 600, Closes: 660}}
	_, err := w.Bookings.SetOpeningHours(w.Sys, v.ID, hours, nil)
	w.Must(err)
	var gap, normal string
	sysTx(t, w, func(tx pgx.Tx) error {
		return tx.QueryRow(context.Background(), `SELECT
			venue_open_hours($1, '2027-03-28 00:00+00', '2027-03-29 00:00+00', 'Europe/London')::text,
			venue_open_hours($1, '2027-04-04 00:00+00', '2027-04-05 00:00+00', 'Europe/London')::text`, v.ID).Scan(&gap, &normal)
	})
	// The day before each day is included (ranges past midnight), hence
	// the Saturday-to-Sunday ranges are absent: the hours are Sundays only.
	if want := `{["2027-03-28 09:00:00+00","2027-03-28 10:00:00+00")}`; gap != want {
		t.Errorf("the day of the gap: got %s, want %s (01:30–02:00 does not exist)", gap, want)
	}
	if want := `{["2027-04-04 00:30:00+00","2027-04-04 01:00:00+00"),["2027-04-04 09:00:00+00","2027-04-04 10:00:00+00")}`; normal != want {
		t.Errorf("a week later: got %s, want %s", normal, want)
	}
}
