// Command server runs the cogov GraphQL platform.
//
//	server [-demo]      migrate the database, optionally load the demo data, serve HTTP
//	server migrate      apply the migrations and exit
//
// Configuration comes from the environment; see README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/cors"
	"go.opentelemetry.io/otel/trace"

	"cogov/graph"
	"cogov/internal/access"
	"cogov/internal/account"
	"cogov/internal/cases"
	"cogov/internal/clock"
	"cogov/internal/demo"
	"cogov/internal/gctune"
	"cogov/internal/jobs"
	"cogov/internal/notify"
	"cogov/internal/store"
	"cogov/server/graphiql"
	"cogov/web"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	slog.SetDefault(log)
	log.Info("garbage collector", "GOGC", gctune.Apply(os.Getenv)) // see internal/gctune
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], log)
	stop()
	if err != nil {
		log.Error("exit", "err", err)
		os.Exit(1)
	}
}

// config is the server's configuration, read from the environment.
type config struct {
	databaseURL    string
	appDatabaseURL string
	replicaURL     string // DATABASE_REPLICA_URL: a streaming replica for queries' reads
	httpAddr       string
	publicURL      string
	corsOrigins    []string
	production     bool
	introspection  bool
	sockets        graph.SocketLimits
	accounts       account.Options  // sign-in limits and password slots; zero fields take the defaults
	limits         graph.Limits     // operation-cost budgets; zero fields take the defaults
	documents      *graph.Documents // registered documents: the contract's and COGOV_PERSISTED_DOCUMENTS_DIR's manifests
	persistedOnly  bool             // COGOV_PERSISTED_ONLY: run only registered documents
	adminAddr      string           // COGOV_ADMIN_ADDR: /metrics and /debug/pprof/; none when empty
	metrics        *graph.Metrics   // set by run; nil in tests that need none
	tracer         trace.Tracer     // set by run when OTEL_EXPORTER_OTLP_ENDPOINT is; nil otherwise
	reminders      []time.Duration  // COGOV_REMINDERS: lead times of reminders; nil for the default 24h,1h
	offerHold      time.Duration    // COGOV_WAITLIST_HOLD: how long a freed window is held for the first waiting committee
}

func loadConfig() (config, error) {
	c := config{
		databaseURL:    os.Getenv("DATABASE_URL"),
		appDatabaseURL: os.Getenv("APP_DATABASE_URL"),
		replicaURL:     os.Getenv("DATABASE_REPLICA_URL"),
		httpAddr:       envOr("HTTP_ADDR", ":8080"),
		publicURL:      envOr("PUBLIC_URL", "http://localhost:8080"),
		introspection:  os.Getenv("COGOV_INTROSPECTION") == "true",
		adminAddr:      os.Getenv("COGOV_ADMIN_ADDR"),
	}
	if c.databaseURL == "" {
		return c, errors.New("DATABASE_URL is not set (make run sets it up for you)")
	}
	switch env := envOr("COGOV_ENV", "development"); env {
	case "development":
	case "production":
		c.production = true
	default:
		return c, fmt.Errorf("COGOV_ENV must be development or production, not %q", env)
	}
	switch v := os.Getenv("COGOV_PERSISTED_ONLY"); v {
	case "", "false":
	case "true":
		c.persistedOnly = true
	default:
		return c, fmt.Errorf("COGOV_PERSISTED_ONLY must be true or false, not %q", v)
	}
	docs, err := graph.LoadDocuments(os.Getenv("COGOV_PERSISTED_DOCUMENTS_DIR"))
	if err != nil {
		return c, fmt.Errorf("COGOV_PERSISTED_DOCUMENTS_DIR: %w", err)
	}
	c.documents = docs
	if v := os.Getenv("COGOV_WS_IDLE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return c, fmt.Errorf("COGOV_WS_IDLE must be a duration such as 60s, not %q", v)
		}
		c.sockets.Idle = d
	}
	for _, n := range []struct {
		name string
		v    *int
	}{{"COGOV_WS_SUBSCRIPTIONS", &c.sockets.PerSocket}, {"COGOV_WS_PER_ACCOUNT", &c.sockets.PerAccount}, {"COGOV_WS_PER_ADDRESS", &c.sockets.PerAddr}} {
		if v := os.Getenv(n.name); v != "" {
			i, err := strconv.Atoi(v)
			if err != nil || i <= 0 {
				return c, fmt.Errorf("%s must be a positive number, not %q", n.name, v)
			}
			*n.v = i
		}
	}
	if err := loadLimits(&c); err != nil {
		return c, err
	}
	if v := os.Getenv("COGOV_REMINDERS"); v != "" {
		for _, part := range strings.Split(v, ",") {
			d, err := time.ParseDuration(strings.TrimSpace(part))
			if err != nil || d <= 0 {
				return c, fmt.Errorf("COGOV_REMINDERS must list durations such as 24h,1h, not %q", v)
			}
			c.reminders = append(c.reminders, d)
		}
	}
	if v := os.Getenv("COGOV_WAITLIST_HOLD"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return c, fmt.Errorf("COGOV_WAITLIST_HOLD must be a duration such as 2h, not %q", v)
		}
		c.offerHold = d
	}
	for _, o := range strings.Split(os.Getenv("CORS_ALLOWED_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			if o == "*" {
				return c, errors.New("CORS_ALLOWED_ORIGINS must list origins; a wildcard is not allowed with credentials")
			}
			c.corsOrigins = append(c.corsOrigins, o)
		}
	}
	return c, nil
}

// loadLimits reads the sign-in limits, the password slots and the
// operation-cost budgets. Unset variables leave the defaults (see README.md).
func loadLimits(c *config) error {
	ints := []struct {
		name string
		dest *int
	}{
		{"COGOV_SIGNIN_USER_BURST", &c.accounts.UserBurst},
		{"COGOV_SIGNIN_ADDR_BURST", &c.accounts.AddrBurst},
		{"COGOV_PASSWORD_CHECKS", &c.accounts.PasswordChecks},
		{"COGOV_COST_ACCOUNT_BURST", &c.limits.AccountBurst},
		{"COGOV_COST_ACCOUNT_PER_SECOND", &c.limits.AccountPerSecond},
		{"COGOV_COST_ADDR_BURST", &c.limits.AddrBurst},
		{"COGOV_COST_ADDR_PER_SECOND", &c.limits.AddrPerSecond},
	}
	for _, v := range ints {
		if s := os.Getenv(v.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				return fmt.Errorf("%s must be a whole number of at least 1, not %q", v.name, s)
			}
			*v.dest = n
		}
	}
	durations := []struct {
		name string
		dest *time.Duration
	}{
		{"COGOV_SIGNIN_USER_EVERY", &c.accounts.UserEvery},
		{"COGOV_SIGNIN_ADDR_EVERY", &c.accounts.AddrEvery},
		{"COGOV_PASSWORD_CHECK_WAIT", &c.accounts.PasswordWait},
	}
	for _, v := range durations {
		if s := os.Getenv(v.name); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil || d <= 0 {
				return fmt.Errorf("%s must be a positive duration such as 10s or 1m, not %q", v.name, s)
			}
			*v.dest = d
		}
	}
	return nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func run(ctx context.Context, args []string, log *slog.Logger) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	withDemo := fs.Bool("demo", false, "load the Houjiatang demo data into an empty database")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cmd, cmdArgs := fs.Arg(0), fs.Args()
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if err := store.Migrate(ctx, cfg.databaseURL); err != nil {
		return err
	}
	log.Info("migrations applied")
	if cmd == "migrate" {
		return nil
	}
	if cmd != "" && cmd != "create-admin" {
		return fmt.Errorf("unknown command %q (commands: migrate, create-admin)", cmd)
	}

	poolCfg, err := store.PoolConfig(cfg.databaseURL, cfg.appDatabaseURL)
	if err != nil {
		return err
	}
	tp, stopTracing, err := setupTracing(ctx)
	if err != nil {
		return fmt.Errorf("OpenTelemetry: %w", err)
	}
	defer stopTracing(context.Background()) //nolint:errcheck
	if tp != nil {
		poolCfg.ConnConfig.Tracer = store.Tracer(tp)
		cfg.tracer = tp.Tracer("cogov/graph")
	}
	pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer pool.Close() // last, after the HTTP server has drained
	// The one place the platform reads the wall clock: everything below is
	// handed it.
	now := clock.Wall()
	st := store.New(pool, now)
	defer func() {
		// The live-update signals of what committed last go out before the
		// pool closes, whichever way run returns.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := st.FlushSignals(ctx); err != nil {
			log.Warn("live-update signals not sent", "err", err)
		}
	}()
	if cfg.replicaURL != "" {
		// The replica's URL names the same kind of role as the primary's
		// pool: the app role when APP_DATABASE_URL is set, else the owner.
		owner, app := cfg.replicaURL, ""
		if cfg.appDatabaseURL != "" {
			owner, app = "", cfg.replicaURL
		}
		rcfg, err := store.PoolConfig(owner, app)
		if err != nil {
			return fmt.Errorf("DATABASE_REPLICA_URL: %w", err)
		}
		rcfg.ConnConfig.Tracer = poolCfg.ConnConfig.Tracer
		replica, err := pgxpool.NewWithConfig(ctx, rcfg)
		if err != nil {
			return fmt.Errorf("connect to the replica: %w", err)
		}
		defer replica.Close()
		store.UseReplica(st, replica)
		log.Info("queries read from the replica")
	}
	res := graph.NewResolverWith(st, cfg.publicURL, now, cfg.accounts)
	// Deliveries beyond the page run on River: jobs are inserted in the
	// transaction of each change and worked by every replica.
	work, err := jobs.New(pool, st, now, jobs.Options{Log: log, Timers: func(ctx context.Context, t notify.Timer) error {
		if strings.HasPrefix(t.Kind, "meeting.") {
			return res.Meetings.RunTimer(ctx, t)
		}
		return res.Bookings.RunTimer(ctx, t)
	}, Overdue: res.Lists.NotifyOverdue, VenueShutEvery: time.Hour})
	if err != nil {
		return err
	}
	res.Notify.Deliver, res.Notify.Schedule, res.Notify.Unschedule = work.Deliver, work.Schedule, work.Unschedule
	res.Bookings.Reminders, res.Meetings.Reminders = cfg.reminders, cfg.reminders
	res.Bookings.OfferHold = cfg.offerHold

	if cmd == "create-admin" {
		return createAdmin(ctx, res, cmdArgs[1:], os.Stdout)
	}
	if *withDemo {
		sys := access.With(ctx, access.System("demo-loader"))
		loaded, err := demo.Load(sys, st, now)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if err := demo.LoadAccounts(sys, st, res.Accounts); err != nil {
			return fmt.Errorf("demo accounts: %w", err)
		}
		log.Info("demo data", "loaded", loaded)
	}

	// Live updates for subscriptions: committed venue changes reach the hub.
	go func() {
		if err := st.ListenVenueChanges(ctx, log, res.Hub.Changed); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("venue change listener stopped", "err", err)
		}
	}()
	go func() {
		if err := st.ListenNotifications(ctx, log, res.Notes.Added); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("notification listener stopped", "err", err)
		}
	}()

	reg := newRegistry()
	cfg.metrics = graph.NewMetrics(reg)
	cfg.metrics.WatchPool(pool)
	if cfg.adminAddr != "" {
		admin := &http.Server{Addr: cfg.adminAddr, Handler: adminRoutes(reg), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			log.Info("admin listening", "addr", cfg.adminAddr)
			if err := admin.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("admin server stopped", "err", err)
			}
		}()
		defer admin.Close()
	}
	// Callbacks to the systems that push cases (the outbox of case_callback),
	// every few seconds until the server stops.
	go (&cases.Deliverer{Store: st, Now: now, Log: log}).Run(ctx, 5*time.Second)

	// Every request's context derives from base; shutting down cancels it,
	// which ends the websockets that Shutdown itself does not wait for.
	base, cancelBase := context.WithCancel(context.Background())
	defer cancelBase()
	srv := &http.Server{
		Addr:              cfg.httpAddr,
		Handler:           routes(cfg, st, res, log),
		BaseContext:       func(net.Listener) context.Context { return base },
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	srv.RegisterOnShutdown(cancelBase)
	// Not base: Stop, below, ends the jobs after the HTTP server has drained.
	if err := work.Start(context.Background()); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	errc := make(chan error, 1)
	go func() {
		log.Info("listening", "addr", cfg.httpAddr, "graphiql", !cfg.production)
		errc <- srv.ListenAndServe()
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	// The answered operations' refunds still owed go to their buckets.
	if settleErr := res.Rates.Settle(shutdownCtx); settleErr != nil {
		log.Warn("rate limit refunds could not be written", "err", settleErr)
	}
	// Running deliveries finish (or are retried by a replica later).
	if stopErr := work.Stop(shutdownCtx); stopErr != nil && err == nil {
		err = fmt.Errorf("stop jobs: %w", stopErr)
	}
	return err
}

func routes(cfg config, st *store.Store, res *graph.Resolver, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/graphql", graph.NewEndpoint(res, st, graph.Options{Production: cfg.production, Introspection: cfg.introspection,
		AllowedOrigins: cfg.corsOrigins, Sockets: cfg.sockets, Limits: cfg.limits, Log: log,
		Documents: cfg.documents, PersistedOnly: cfg.persistedOnly, Metrics: cfg.metrics, Tracer: cfg.tracer}, 2*time.Millisecond, nil))
	if !cfg.production {
		// GraphiQL from the binary itself: no CDN, so it works on an intranet.
		mux.Handle("/graphiql", graphiql.Handler())
		mux.Handle("/graphiql/", graphiql.Handler())
	}
	// The schema as SDL for code generators, also where introspection is off.
	mux.Handle("GET /graphql/schema.graphql", graph.SchemaHandler())
	cal := graph.Authenticate(res.Accounts, log, graph.CalendarHandler(res, st, log))
	mux.Handle("GET /calendar/venues/{file}", cal)
	mux.Handle("GET /calendar/committees/{file}", cal)
	// CSV exports for the monthly report, authorized like the queries: behind
	// Authenticate, so `Authorization: Bearer` reads as the signed-in viewer.
	// Cases pushed by the 110 dispatch and the 12345 hotline, signed in with an
	// API key of the integration (graph/intake-openapi.yaml).
	mux.Handle("POST /intake/cases", graph.IntakeHandler(res, log))
	mux.Handle("GET /intake/openapi.yaml", graph.IntakeOpenAPI())
	mux.Handle("GET /export/subdistricts/{code}/{file}", graph.Authenticate(res.Accounts, log, graph.ExportHandler(res, st, log)))
	// The front end (web/), built into the binary; its client routes get
	// index.html.
	mux.Handle("/", web.Handler())
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("ok\n"))
	})
	// Ready while PostgreSQL answers within half a second: a load balancer
	// probing every second sees an outage within a second or two.
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 500*time.Millisecond)
		defer cancel()
		if err := st.Ping(ctx); err != nil {
			log.Warn("not ready", "err", err)
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	c := cors.New(cors.Options{
		AllowedOrigins: cfg.corsOrigins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		// What real front ends send: tracing (W3C Trace Context, Sentry)
		// and Apollo Client's client awareness headers.
		AllowedHeaders: []string{"Authorization", "Content-Type", "Accept", "traceparent", "tracestate", "baggage", "sentry-trace",
			"apollographql-client-name", "apollographql-client-version"},
		// The request id users quote and the wait a 429 asks for.
		ExposedHeaders:   []string{"X-Request-Id", "Retry-After"},
		AllowCredentials: true,
		MaxAge:           600,
	})
	var h http.Handler = c.Handler(mux)
	if cfg.tracer != nil {
		h = traced(h)
	}
	return accessLog(log, cfg.metrics, h)
}

// accessLog logs each request once it is answered: method, path, status,
// duration and the request id that the GraphQL error log uses too.
func accessLog(log *slog.Logger, m *graph.Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		m.ObserveHTTP(r.Pattern, r.Method, rec.status, time.Since(start))
		if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			return // probes would drown the log
		}
		log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"ms", time.Since(start).Milliseconds(), "request", w.Header().Get("X-Request-Id"), "trace", graph.TraceID(r.Header.Get("traceparent")))
	})
}

// statusRecorder remembers the status a handler answered with.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (websockets).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
