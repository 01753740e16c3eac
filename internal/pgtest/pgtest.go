// Package pgtest gives each test its own PostgreSQL database, cloned from a
// template that is migrated (and optionally seeded) once per fingerprint of
// the migrations. Tests therefore run in parallel and in any order against a
// real server. DATABASE_URL names an owner role that may create databases;
// `make test` sets it up.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"cogov/internal/clock"
	"cogov/internal/store"
	"cogov/migrations"
)

// Seed fills a freshly migrated template database through an app-role pool.
type Seed func(ctx context.Context, pool *pgxpool.Pool) error

// Options tune a test database.
type Options struct {
	// Template names the seeded template to clone ("" for only migrated);
	// Seed fills it the first time it is built.
	Template string
	Seed     Seed
	// Tracer, if set, sees every statement of the test's pool.
	Tracer pgx.QueryTracer
	// Version, if set, keys the template by the migrations and this
	// version of its seed alone, not by the test binary: a large data set
	// (the benchmarks' city) then survives changes to the code. Bump it
	// when the seed changes.
	Version string
}

// DB is one test's database.
type DB struct {
	Pool     *pgxpool.Pool // connects as the app role
	OwnerURL string        // the owner's URL for this database
}

var (
	mu        sync.Mutex
	templates = map[string]bool{}
)

func adminURL(t testing.TB) string {
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		t.Fatal("DATABASE_URL is not set: run the tests with `make test`, which brings up PostgreSQL")
	}
	return u
}

func withDatabase(raw, db string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + db
	return u.String()
}

// fingerprint identifies the migrations and the test binary (whose seed
// functions fill templates), so a change to either builds new templates.
func fingerprint() string {
	h := sha256.New()
	if exe, err := os.Executable(); err == nil {
		if f, err := os.Open(exe); err == nil {
			_, _ = io.Copy(h, f)
			f.Close()
		}
	}
	migrations.Fingerprint(h)
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// template returns the name of a ready template database, building it under
// an advisory lock the first time (test binaries of several packages run at
// once and share it).
func template(t testing.TB, name, version string, seed Seed) string {
	ctx := context.Background()
	tpl := "cogov_tpl_" + fingerprint()
	if name != "" {
		tpl += "_" + name
	}
	if version != "" { // name and version without underscores
		h := sha256.New()
		migrations.Fingerprint(h)
		tpl = "cogov_keep_" + hex.EncodeToString(h.Sum(nil))[:12] + "_" + name + "_" + version
	}
	mu.Lock()
	defer mu.Unlock()
	if templates[tpl] {
		return tpl
	}
	admin := adminURL(t)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to DATABASE_URL: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtext($1))`, tpl); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, `SELECT pg_advisory_unlock(hashtext($1))`, tpl) //nolint:errcheck
	var ready bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)`, tpl).Scan(&ready); err != nil {
		t.Fatal(err)
	}
	if !ready {
		build(t, conn, admin, tpl, seed)
		dropStale(conn)
		if version != "" {
			dropKept(conn, name, tpl)
		}
	}
	templates[tpl] = true
	return tpl
}

func build(t testing.TB, conn *pgx.Conn, admin, tpl string, seed Seed) {
	ctx := context.Background()
	if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{tpl}.Sanitize()+` WITH (FORCE)`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{tpl}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	owner := withDatabase(admin, tpl)
	if err := store.Migrate(ctx, owner); err != nil {
		t.Fatalf("migrate template: %v", err)
	}
	if seed != nil {
		cfg, err := store.PoolConfig(owner, "")
		if err != nil {
			t.Fatal(err)
		}
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		err = seed(ctx, pool)
		pool.Close()
		if err != nil {
			t.Fatalf("seed template: %v", err)
		}
	}
	if _, err := conn.Exec(ctx, `ALTER DATABASE `+pgx.Identifier{tpl}.Sanitize()+` IS_TEMPLATE true`); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `COMMENT ON DATABASE `+pgx.Identifier{tpl}.Sanitize()+` IS '`+fmt.Sprint(clock.Wall()().Unix())+`'`); err != nil {
		t.Fatal(err)
	}
}

// dropStale drops templates built more than a day ago: earlier builds of the
// code leave them behind. A template still being built has no comment yet
// and is left alone.
func dropStale(conn *pgx.Conn) {
	dropTemplates(conn, `SELECT datname FROM pg_database WHERE datname LIKE 'cogov_tpl_%'
		AND shobj_description(oid, 'pg_database') < $1`, fmt.Sprint(clock.Wall()().Add(-24*time.Hour).Unix()))
}

// dropKept drops the kept templates named name built for other migrations
// or seed versions.
func dropKept(conn *pgx.Conn, name, keep string) {
	dropTemplates(conn, `SELECT datname FROM pg_database WHERE datname LIKE 'cogov_keep_%' AND datname <> $1
		AND split_part(datname, '_', 4) = $2`, keep, name)
}

// dropTemplates drops the template databases the query names.
func dropTemplates(conn *pgx.Conn, query string, args ...any) {
	ctx := context.Background()
	rows, err := conn.Query(ctx, query, args...)
	if err != nil {
		return
	}
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

// New returns a fresh database for the test, dropped when it ends.
func New(t testing.TB, o Options) *DB {
	t.Helper()
	ctx := context.Background()
	tpl := template(t, o.Template, o.Version, o.Seed)
	admin := adminURL(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "cogov_test_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s TEMPLATE %s STRATEGY FILE_COPY`,
		pgx.Identifier{name}.Sanitize(), pgx.Identifier{tpl}.Sanitize())); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	owner := withDatabase(admin, name)
	cfg, err := store.PoolConfig(owner, "")
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = o.Tracer
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pool.Close()
		c, err := pgx.Connect(context.Background(), admin)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`)
	})
	return &DB{Pool: pool, OwnerURL: owner}
}

var testClock = sync.OnceValues(clock.ForTests)

// Clock is the clock of this test process: from COGOV_TEST_NOW (RFC 3339)
// when it is set, so that the suite can be run as if it were another day,
// otherwise the wall clock. Every test and the services it builds tell the
// time by it; all share one starting instant. With a nil t a bad
// COGOV_TEST_NOW panics.
func Clock(t testing.TB) clock.Clock {
	c, err := testClock()
	if err != nil {
		if t == nil {
			panic(err)
		}
		t.Fatal(err)
	}
	return c
}
