//go:build e2e

// The end-to-end suite of the front end (make test runs it with -tags e2e,
// after building web/): the server's own routes over a fresh copy of the
// demo data, driven in Debian's Chromium by web/e2e/run.mjs (playwright-core
// and axe). It needs Node and the build, which plain `go test ./...` does not.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"cogov/graph"
	"cogov/internal/access"
	"cogov/internal/account"
	"cogov/internal/clock"
	"cogov/internal/demo"
	"cogov/internal/pgtest"
	"cogov/internal/store"
	"cogov/web"
)

func TestWebEndToEnd(t *testing.T) {
	if !web.Built() {
		t.Fatal("the front end is not built into this binary: run `make web` first (make test does)")
	}
	out, err := exec.Command("../scripts/chromium.sh").Output()
	if err != nil {
		t.Fatalf("scripts/chromium.sh: %v", err)
	}
	chromium := strings.TrimSpace(string(out))

	// The server's clock: the test's, moved on by the suite through
	// POST /e2e/clock (only this test's server has the route) to reach a
	// booking's check-in window and the end of a meeting, then moved back.
	base := pgtest.Clock(t)
	var shift atomic.Int64
	now := clock.Clock(func() time.Time { return base().Add(time.Duration(shift.Load())) })
	plan, err := demo.NewPlan(now())
	if err != nil {
		t.Fatal(err)
	}
	db := pgtest.New(t, pgtest.Options{Template: "demo_" + plan.Key(), Seed: func(ctx context.Context, pool *pgxpool.Pool) error {
		st := store.New(pool, now)
		ctx = access.With(ctx, access.System("demo-loader"))
		if _, err := demo.Load(ctx, st, now); err != nil {
			return err
		}
		return demo.LoadAccounts(ctx, st, account.NewService(st, account.Options{Now: now}))
	}})
	st := store.New(db.Pool, now)
	res := graph.NewResolver(st, "http://cogov.test", now)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go func() { _ = st.ListenVenueChanges(ctx, log, res.Hub.Changed) }()
	go func() { _ = st.ListenNotifications(ctx, log, res.Notes.Added) }()
	mux := http.NewServeMux()
	mux.Handle("/", routes(config{}, st, res, log))
	mux.HandleFunc("POST /e2e/clock", func(w http.ResponseWriter, r *http.Request) {
		shift.Store(0)
		if at := r.FormValue("at"); at != "" {
			to, err := time.Parse(time.RFC3339, at)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			shift.Store(int64(to.Sub(base())))
		}
		fmt.Fprint(w, now().UTC().Format(time.RFC3339Nano))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	run, cancelRun := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancelRun()
	cmd := exec.CommandContext(run, "node", "e2e/run.mjs")
	cmd.Dir = "../web"
	cmd.Env = append(os.Environ(), "BASE_URL="+srv.URL, "NOW="+now().UTC().Format(time.RFC3339), "CHROMIUM="+chromium)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("web/e2e/run.mjs: %v", err)
	}
}
