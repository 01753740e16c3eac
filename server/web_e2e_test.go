//go:build e2e

// The end-to-end suite of the front end (make test runs it with -tags e2e,
// after building web/): the server's own routes over a fresh copy of the
// demo data, driven in Debian's Chromium by web/e2e/run.mjs (playwright-core
// and axe). It needs Node and the build, which plain `go test ./...` does not.
package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"cogov/graph"
	"cogov/internal/access"
	"cogov/internal/account"
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

	now := pgtest.Clock(t)
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
	srv := httptest.NewServer(routes(config{}, st, res, log))
	t.Cleanup(srv.Close)

	run, cancelRun := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancelRun()
	cmd := exec.CommandContext(run, "node", "e2e/run.mjs")
	cmd.Dir = "../web"
	cmd.Env = append(os.Environ(), "BASE_URL="+srv.URL, "NOW="+now().UTC().Format(time.RFC3339), "CHROMIUM="+chromium)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("web/e2e/run.mjs: %v", err)
	}
}
