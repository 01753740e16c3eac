package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"cogov/internal/clock"
	"cogov/internal/pgtest"
	"cogov/internal/store"
)

// benchSeed fills a template once: one sub-district, 12 communities, 100
// units, 10,000 venues open every day 07:00–22:00, and 1,000,000 bookings
// spread over the next 100 days (100 per venue, one a day, at a random hour).
func benchSeed(ctx context.Context, pool *pgxpool.Pool) error {
	_, err := pool.Exec(ctx, `
SELECT set_config('cogov.action', 'bench.seed', false);
INSERT INTO subdistrict (id, code, name, time_zone) VALUES ('00000000-0000-0000-0000-0000000000b1', 'bench', 'bench', 'Asia/Shanghai');
INSERT INTO community (subdistrict_id, code, name) SELECT '00000000-0000-0000-0000-0000000000b1', 'c' || i, 'c' || i FROM generate_series(1, 12) i;
INSERT INTO committee (subdistrict_id, community_id, kind, name)
  SELECT subdistrict_id, id, 'COMMUNITY_PARTY_COMMITTEE', name || ' committee' FROM community;
INSERT INTO unit (subdistrict_id, name, kind) SELECT '00000000-0000-0000-0000-0000000000b1', 'u' || i, 'OTHER' FROM generate_series(1, 100) i;
INSERT INTO venue (subdistrict_id, unit_id, community_id, name, kind, area_sqm, capacity, facilities, buffer_minutes)
  SELECT '00000000-0000-0000-0000-0000000000b1', u.id, c.id, 'venue ' || i, 'MEETING_ROOM', 50 + i % 2000, 10 + i % 300,
         CASE WHEN i % 3 = 0 THEN ARRAY['投影仪', '音响'] ELSE ARRAY['空调'] END, 15
  FROM generate_series(1, 10000) i
  JOIN LATERAL (SELECT id FROM unit ORDER BY id OFFSET i % 100 LIMIT 1) u ON true
  JOIN LATERAL (SELECT id FROM community ORDER BY id OFFSET i % 12 LIMIT 1) c ON true;
INSERT INTO venue_hours (subdistrict_id, venue_id, weekday, opens_min, closes_min)
  SELECT subdistrict_id, id, d, 420, 1320 FROM venue, generate_series(1, 7) d;
INSERT INTO booking_request (id, subdistrict_id, venue_id, committee_id, fingerprint, recurring)
  SELECT '00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-0000000000b1', (SELECT min(id::text)::uuid FROM venue),
         (SELECT min(id::text)::uuid FROM committee), 'bench', false;
`)
	if err != nil {
		return err
	}
	// The bookings go in without the audit trigger: a million audit rows
	// would only slow the build down.
	_, err = pool.Exec(ctx, `
INSERT INTO booking (subdistrict_id, venue_id, committee_id, request_id, during, held, purpose, expected_attendees, status)
  SELECT v.subdistrict_id, v.id, (SELECT min(id::text)::uuid FROM committee), '00000000-0000-0000-0000-0000000000b2',
         tstzrange(t, t + interval '1 hour'), tstzrange(t, t + interval '75 minutes'), 'bench', 5,
         CASE WHEN d % 5 = 0 THEN 'CANCELLED' ELSE 'APPROVED' END
  FROM venue v, generate_series(0, 99) d,
       LATERAL (SELECT date_trunc('day', cogov_now()) + d * interval '1 day' + ((hashtext(v.id::text || d) & 7) + 1) * interval '1 hour' AS t) tt;
ANALYZE;`)
	return err
}

var (
	benchOnce sync.Once
	benchDB   *pgtest.DB
)

// BenchmarkVenueSearchAvailable searches 10,000 venues with 1,000,000
// bookings for venues open and free for two hours, with capacity and
// facility filters, as the contract's FindVenues does.
func BenchmarkVenueSearchAvailable(b *testing.B) {
	benchOnce.Do(func() {
		// The seed disables the audit trigger, which only the owner may do.
		benchDB = pgtest.New(b, pgtest.Options{Template: "bench", Seed: func(ctx context.Context, _ *pgxpool.Pool) error { return nil }})
	})
	ctx := context.Background()
	now, err := clock.ForTests()
	if err != nil {
		b.Fatal(err)
	}
	// The owner seeds as a trusted platform task: row-level security is
	// forced on the owner too, so every session says so from its start.
	cfg, err := pgxpool.ParseConfig(benchDB.OwnerURL)
	if err != nil {
		b.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["cogov.viewer_ready"] = "on"
	cfg.ConnConfig.RuntimeParams["cogov.system"] = "on"
	cfg.ConnConfig.RuntimeParams["cogov.now"] = now().Format(time.RFC3339)
	owner, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer owner.Close()
	var n int
	if err := owner.QueryRow(ctx, `SELECT count(*) FROM booking`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n == 0 {
		if _, err := owner.Exec(ctx, `ALTER TABLE booking DISABLE TRIGGER audit`); err != nil {
			b.Fatal(err)
		}
		if err := benchSeed(ctx, owner); err != nil {
			b.Fatal(err)
		}
		if _, err := owner.Exec(ctx, `ALTER TABLE booking ENABLE TRIGGER audit`); err != nil {
			b.Fatal(err)
		}
	}
	st := store.New(benchDB.Pool, now)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	d := now().In(loc).AddDate(0, 0, 14)
	from := time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, loc)
	f := store.VenueFilter{SubdistrictID: "00000000-0000-0000-0000-0000000000b1", MinCapacity: 150, Facilities: []string{"投影仪"},
		AvailableFrom: from, AvailableTo: from.Add(2 * time.Hour)}
	plan, err := st.ExplainVenueSearch(ctx, f)
	if err != nil {
		b.Fatal(err)
	}
	if !strings.Contains(plan, "venue_busy_idx") {
		b.Errorf("the availability filter does not use the free/busy index:\n%s", plan)
	}
	// Printed rather than logged: the benchmark log keeps only a few lines.
	fmt.Printf("EXPLAIN ANALYZE of the venue search:\n%s\n", plan)
	b.ResetTimer()
	for b.Loop() {
		c, err := st.Venues(ctx, f, store.Page{First: 20})
		if err != nil {
			b.Fatal(err)
		}
		if c.Total == 0 {
			b.Fatal("no venue found")
		}
	}
}
