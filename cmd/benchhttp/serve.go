package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"cogov/graph"
	"cogov/internal/account"
	"cogov/internal/clock"
	"cogov/internal/gctune"
	"cogov/internal/store"
)

// serve is the child process: the cogov GraphQL endpoint at /graphql as the
// server builds it (rate limits raised so that the load is measured, not
// refused), the floor handler at /floor, /bench/stats with the process's
// CPU time and the statements its pools have sent, and a CPU profile at
// /debug/pprof/profile (its address is in -v's log). It prints its address on
// stdout and serves until stdin closes.
func serve(dbURL string) error {
	ctx := context.Background()
	gctune.Apply(os.Getenv) // as the server does
	var stmts atomic.Int64
	cfg, err := store.PoolConfig(dbURL, "")
	if err != nil {
		return err
	}
	cfg.ConnConfig.Tracer = counter{&stmts}
	if n, err := strconv.Atoi(os.Getenv("BENCH_POOL")); err == nil && n > 0 {
		cfg.MaxConns = int32(n) // -pool: as pool_max_conns in the server's DATABASE_URL
	}
	if path := os.Getenv("BENCH_SQL_LOG"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		cfg.ConnConfig.Tracer = &sqlLog{next: counter{&stmts}, now: clock.Wall(), f: f}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	// The floor reads as the owner, as a platform task for the whole
	// session (the row-level security policies pass at their first test)
	// and with no viewer set per request: the least work that gives the
	// same answer.
	fcfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return err
	}
	fcfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, systemSQL)
		return err
	}
	fcfg.ConnConfig.Tracer = counter{&stmts}
	fpool, err := pgxpool.NewWithConfig(ctx, fcfg)
	if err != nil {
		return err
	}
	defer fpool.Close()

	now := clock.Wall()
	st := store.New(pool, now)
	res := graph.NewResolverWith(st, "http://localhost", now, account.Options{})
	huge := 1 << 30
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	mux := http.NewServeMux()
	mux.Handle("/graphql", graph.NewEndpoint(res, st, graph.Options{Log: log,
		Limits: graph.Limits{AccountBurst: huge, AccountPerSecond: huge, AddrBurst: huge, AddrPerSecond: huge}}, loaderWait(), nil))
	mux.Handle("/floor", floorHandler(fpool))
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile) // profile the server under load
	mux.HandleFunc("/bench/stats", func(w http.ResponseWriter, _ *http.Request) {
		var ru syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		_ = json.NewEncoder(w).Encode(stats{CPU: cpu, Statements: stmts.Load()})
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin) // the parent closes stdin when done
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}

// stats is what /bench/stats reports.
type stats struct {
	CPU        time.Duration `json:"cpu"`
	Statements int64         `json:"statements"`
}

// counter counts the statements sent to PostgreSQL, each statement of a
// batch as one; the role switch of a new pooled connection is not counted.
type counter struct{ n *atomic.Int64 }

func (c counter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	if !strings.HasPrefix(d.SQL, "SET ROLE") {
		c.n.Add(1)
	}
	return ctx
}
func (counter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (c counter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {
	c.n.Add(1)
}
func (counter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}
func (counter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// systemSQL makes a session a platform task's, which every row-level
// security policy lets through.
const systemSQL = `SELECT set_config('cogov.viewer_ready', 'on', false), set_config('cogov.system', 'on', false),
	set_config('cogov.now', now()::text, false)`

// floorSQL answers SubdistrictOverview (graph/operations/structure.graphql)
// in one statement, the response built by PostgreSQL with json_agg: the
// least a server can do for this operation.
const floorSQL = `SELECT json_build_object('data', json_build_object('subdistrict', json_build_object(
  'id', s.id, 'name', s.name, 'timeZone', s.time_zone, 'areaKm2', s.area_km2, 'residentPopulation', s.resident_population,
  'communities', (SELECT json_build_object('totalCount', count(*), 'edges', coalesce(json_agg(json_build_object('node', json_build_object(
        'id', c.id, 'name', c.name,
        'grids', json_build_object('totalCount', (SELECT count(*) FROM grid g WHERE g.community_id = c.id)),
        'partyCommittee', (SELECT json_build_object('id', k.id, 'name', k.name, 'kind', k.kind) FROM committee k
                           WHERE k.community_id = c.id AND k.kind = 'COMMUNITY_PARTY_COMMITTEE'))) ORDER BY c.code), '[]'))
      FROM community c WHERE c.subdistrict_id = s.id),
  'workingCommittee', (SELECT json_build_object('id', w.id, 'name', w.name, 'kind', w.kind,
      'memberships', (SELECT json_build_object('totalCount', count(*), 'edges', coalesce(json_agg(json_build_object('node', json_build_object(
          'id', m.id, 'role', m.role, 'partTime', m.part_time, 'termStart', m.term_start, 'termEnd', m.term_end,
          'person', json_build_object('id', p.id, 'name', p.name),
          'unit', json_build_object('id', u.id, 'name', u.name, 'kind', u.kind))) ORDER BY m.term_start, m.id), '[]'))
        FROM membership m JOIN person p ON p.id = m.person_id LEFT JOIN unit u ON u.id = m.unit_id
        WHERE m.committee_id = w.id AND m.part_time AND (m.term_end IS NULL OR m.term_end >= current_date)))
     FROM committee w WHERE w.subdistrict_id = s.id AND w.kind = 'SUBDISTRICT_WORKING_COMMITTEE'),
  'committees', (SELECT json_build_object('totalCount', count(*), 'edges', coalesce(json_agg(json_build_object('node', json_build_object(
        'id', k.id, 'name', k.name, 'memberships', json_build_object('totalCount', (SELECT count(*) FROM membership m
          WHERE m.committee_id = k.id AND m.part_time AND (m.term_end IS NULL OR m.term_end >= current_date))))) ORDER BY k.name), '[]'))
     FROM committee k WHERE k.subdistrict_id = s.id AND k.kind = 'COMMUNITY_PARTY_COMMITTEE'),
  'units', (SELECT json_build_object('totalCount', count(*), 'edges', coalesce(json_agg(json_build_object('node',
        json_build_object('id', x.id, 'name', x.name, 'kind', x.kind)) ORDER BY x.name), '[]'))
     FROM unit x WHERE x.subdistrict_id = s.id)
)))::text FROM subdistrict s WHERE s.code = $1`

// floorHandler serves SubdistrictOverview for the code in the variables of
// a GraphQL-shaped POST body with net/http and pgx and one statement.
func floorHandler(pool *pgxpool.Pool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Variables struct {
				Code string `json:"code"`
			} `json:"variables"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var out []byte
		if err := pool.QueryRow(r.Context(), floorSQL, body.Variables.Code).Scan(&out); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(out)
	})
}

// loaderWait is the loaders' batching wait the parent asks for (-loader-wait).
func loaderWait() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("BENCH_LOADER_WAIT")); err == nil && d > 0 {
		return d
	}
	return 2 * time.Millisecond
}
