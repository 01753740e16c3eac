package store

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"cogov/migrations"
)

// AppRole is the role the server acts as: no superuser, no BYPASSRLS, owns nothing.
const AppRole = "cogov_app"

// Migrate applies the migrations as the owner whose URL is ownerURL: ours
// (goose), then River's job queue tables at the version the River module
// in go.mod brings (rivermigrate), with the grants the app role needs.
func Migrate(ctx context.Context, ownerURL string) error {
	cfg, err := pgx.ParseConfig(ownerURL)
	if err != nil {
		return fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	if err := migrations.Up(ctx, db); err != nil {
		return err
	}
	return migrateRiver(ctx, cfg)
}

// riverGrants lets the app role, which works the jobs, use River's tables.
const riverGrants = `GRANT SELECT, INSERT, UPDATE, DELETE ON river_job, river_leader, river_queue TO cogov_app;
	GRANT SELECT ON river_migration TO cogov_app;
	GRANT USAGE, SELECT ON SEQUENCE river_job_id_seq TO cogov_app;
	GRANT EXECUTE ON FUNCTION river_job_state_in_bitmask(bit, river_job_state) TO cogov_app`

// migrateRiver brings River's tables up to date (each of its versions in a
// transaction of its own, as River needs) while a session advisory lock is
// held, so that servers starting together take turns.
func migrateRiver(ctx context.Context, cfg *pgx.ConnConfig) error {
	lock, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect for river migrations: %w", err)
	}
	defer lock.Close(ctx)
	if _, err := lock.Exec(ctx, `SELECT pg_advisory_lock(hashtext('cogov river migrate'))`); err != nil {
		return fmt.Errorf("river migration lock: %w", err)
	}
	pcfg, err := pgxpool.ParseConfig(cfg.ConnString())
	if err != nil {
		return err
	}
	pcfg.MaxConns = 2
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return fmt.Errorf("connect for river migrations: %w", err)
	}
	defer pool.Close()
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrate: %w", err)
	}
	if _, err := pool.Exec(ctx, riverGrants); err != nil {
		return fmt.Errorf("river grants: %w", err)
	}
	return nil
}

// PoolConfig returns the configuration of the server's pool. With appURL the
// server logs in as that role (a member of cogov_app); without it, it logs in
// with ownerURL and switches every connection to cogov_app before use, so
// that no query runs with the owner's rights either way.
func PoolConfig(ownerURL, appURL string) (*pgxpool.Config, error) {
	url, setRole := appURL, false
	if url == "" {
		url, setRole = ownerURL, true
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "cogov"
	if !strings.Contains(url, "pool_max_conns") {
		// A query holds one connection from its first read to its answer
		// (ReadSession): more than pgxpool's default of max(4, CPUs), so
		// that a few slow requests do not queue the rest.
		cfg.MaxConns = int32(max(16, 4*runtime.NumCPU()))
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		// An unreachable server answers 503 in seconds rather than when
		// the operation's deadline ends; connect_timeout in the URL wins.
		cfg.ConnConfig.ConnectTimeout = 2 * time.Second
	}
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		if setRole {
			if _, err := c.Exec(ctx, "SET ROLE "+AppRole); err != nil {
				return fmt.Errorf("switch to %s: %w", AppRole, err)
			}
		}
		return nil
	}
	return cfg, nil
}
