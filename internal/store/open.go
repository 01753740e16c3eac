package store

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"cogov/migrations"
)

// AppRole is the role the server acts as: no superuser, no BYPASSRLS, owns nothing.
const AppRole = "cogov_app"

// Migrate applies the migrations as the owner whose URL is ownerURL.
func Migrate(ctx context.Context, ownerURL string) error {
	cfg, err := pgx.ParseConfig(ownerURL)
	if err != nil {
		return fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	return migrations.Up(ctx, db)
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
