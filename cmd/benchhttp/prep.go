package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"cogov/internal/access"
	"cogov/internal/account"
	"cogov/internal/booking"
	"cogov/internal/clock"
	"cogov/internal/demo"
	"cogov/internal/store"
	"cogov/migrations"
)

// benchVenues are venues the benchmark adds beside the demo's: open day and
// night, no approval, no buffer, so that requestBooking on distinct slots
// finds thousands of free half hours (24 × 2 × 88 days each).
const benchVenues = 20

// migrationsHash fingerprints the migrations: a change to them builds new
// template databases.
func migrationsHash() string {
	h := sha256.New()
	migrations.Fingerprint(h)
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func withDatabase(raw, db string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + db
	return u.String()
}

// prepare returns the URL of a fresh database cloned from the benchmark's
// template (demo data, demo accounts and the benchmark's venues), building
// the template the first time for these migrations and this demo plan, and
// a func that drops the clone.
func prepare(ctx context.Context, admin string, now clock.Clock) (string, func(), error) {
	plan, err := demo.NewPlan(now())
	if err != nil {
		return "", nil, err
	}
	tpl := "cogov_bench_" + migrationsHash() + "_" + plan.Key()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, fmt.Errorf("connect to DATABASE_URL: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtext($1))`, tpl); err != nil {
		return "", nil, err
	}
	var ready bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)`, tpl).Scan(&ready); err != nil {
		return "", nil, err
	}
	if !ready {
		logf("building template %s (once for these migrations and this demo plan)", tpl)
		if err := buildTemplate(ctx, conn, admin, tpl, now); err != nil {
			_, _ = conn.Exec(ctx, `SELECT pg_advisory_unlock(hashtext($1))`, tpl)
			return "", nil, err
		}
		dropOlderTemplates(ctx, conn, tpl)
	}
	_, _ = conn.Exec(ctx, `SELECT pg_advisory_unlock(hashtext($1))`, tpl)
	name := fmt.Sprintf("cogov_bench_run_%d", now().UnixNano())
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()+` TEMPLATE `+pgx.Identifier{tpl}.Sanitize()+` STRATEGY FILE_COPY`); err != nil {
		return "", nil, err
	}
	drop := func() {
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`)
	}
	return withDatabase(admin, name), drop, nil
}

func buildTemplate(ctx context.Context, conn *pgx.Conn, admin, tpl string, now clock.Clock) error {
	id := pgx.Identifier{tpl}.Sanitize()
	if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+id+` WITH (FORCE)`); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+id); err != nil {
		return err
	}
	owner := withDatabase(admin, tpl)
	if err := store.Migrate(ctx, owner); err != nil {
		return err
	}
	cfg, err := store.PoolConfig(owner, "")
	if err != nil {
		return err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool, now)
	sys := access.With(ctx, access.System("bench-loader"))
	if _, err := demo.Load(sys, st, now); err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	if err := demo.LoadAccounts(sys, st, account.NewService(st, account.Options{Now: now})); err != nil {
		return fmt.Errorf("demo accounts: %w", err)
	}
	oc, err := pgx.Connect(ctx, owner) // the owner: no row-level security to set a viewer for
	if err != nil {
		return err
	}
	defer oc.Close(ctx)
	if _, err := oc.Exec(ctx, systemSQL); err != nil {
		return err
	}
	var unitID, communityID string
	if err := oc.QueryRow(ctx, `SELECT u.id::text, c.id::text FROM unit u JOIN community c ON c.subdistrict_id = u.subdistrict_id
		ORDER BY u.name, c.code LIMIT 1`).Scan(&unitID, &communityID); err != nil {
		return fmt.Errorf("a unit: %w", err)
	}
	svc := booking.NewService(st, now)
	allDay := make([]booking.Hours, 0, 7)
	for d := 1; d <= 7; d++ {
		allDay = append(allDay, booking.Hours{Weekday: d, Opens: 0, Closes: 24 * 60})
	}
	rules := booking.DefaultRules()
	rules.RequiresApproval = false
	for i := range benchVenues {
		v, err := svc.CreateVenue(sys, booking.NewVenue{UnitID: unitID, CommunityID: communityID, Name: fmt.Sprintf("压测会议室%02d", i+1),
			Kind: booking.KindMeetingRoom, Capacity: 50})
		if err != nil {
			return fmt.Errorf("bench venue: %w", err)
		}
		if _, err := svc.SetOpeningHours(sys, v.ID, allDay, nil); err != nil {
			return fmt.Errorf("bench venue hours: %w", err)
		}
		if _, err := svc.SetBookingRules(sys, v.ID, rules); err != nil {
			return fmt.Errorf("bench venue rules: %w", err)
		}
	}
	if err := st.FlushSignals(ctx); err != nil { // before the pool closes
		return err
	}
	pool.Close()
	if _, err := oc.Exec(ctx, `ANALYZE`); err != nil { // the clones start with the planner's statistics
		return err
	}
	oc.Close(ctx)
	if _, err := conn.Exec(ctx, `ALTER DATABASE `+id+` IS_TEMPLATE true`); err != nil {
		return err
	}
	return nil
}

// dropOlderTemplates drops the benchmark's templates of other migrations or
// demo plans: only the newest is ever cloned.
func dropOlderTemplates(ctx context.Context, conn *pgx.Conn, keep string) {
	rows, _ := conn.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'cogov\_bench\_%'
		AND datname NOT LIKE 'cogov\_bench\_run\_%' AND datname <> $1`, keep)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, n := range names {
		id := pgx.Identifier{n}.Sanitize()
		_, _ = conn.Exec(ctx, `ALTER DATABASE `+id+` IS_TEMPLATE false`)
		_, _ = conn.Exec(ctx, `DROP DATABASE IF EXISTS `+id)
	}
}
