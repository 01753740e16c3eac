// Command benchhttp measures the GraphQL server over HTTP the way clients
// load it: it starts the server's handler in a child process on a fresh
// clone of a template database with the demo data, drives the contract
// operations of graph/operations with vegeta's library (closed loop: c
// workers each sending the next request when the last is answered, after a
// warm-up), runs a floor handler for SubdistrictOverview (net/http, pgx and
// one hand-written SQL statement) in the same run, and prints req/s,
// p50/p99, CPU per request (the child's getrusage and the PostgreSQL
// backends' /proc times) and statements per request. With -out it writes
// the table as markdown.
//
//	go run ./cmd/benchhttp [-duration 3s] [-warmup 1s] [-c 1,16,64] [-only SubdistrictOverview,...] [-out docs/benchmarks.md]
//
// DATABASE_URL names a role that may create databases (make bench-http sets it up).
// BENCH_SQL_LOG=file writes every statement the server sends, with its round
// trip's time, to file (sqllog.go): with -c 1, a request's statements one by one.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"cogov/internal/clock"
)

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, "benchhttp: "+format+"\n", args...) }

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-serve" {
		if err := serve(os.Getenv("BENCH_DATABASE_URL")); err != nil {
			logf("serve: %v", err)
			os.Exit(1)
		}
		return
	}
	if err := run(); err != nil {
		logf("%v", err)
		os.Exit(1)
	}
}

type config struct {
	duration, warmup time.Duration
	conc             []int
	only             map[string]bool
	out              string
	ops              string
	loaderWait       time.Duration
	pool             int
	repeat           int
}

func run() error {
	var cfg config
	var conc, only string
	flag.DurationVar(&cfg.duration, "duration", 3*time.Second, "measured time of each scenario at each concurrency")
	flag.DurationVar(&cfg.warmup, "warmup", time.Second, "unmeasured load before each measurement")
	flag.StringVar(&conc, "c", "1,16,64", "concurrencies (closed-loop workers)")
	flag.StringVar(&only, "only", "", "comma-separated scenario names to run (all when empty)")
	flag.StringVar(&cfg.out, "out", "", "write the table as markdown to this file")
	flag.StringVar(&cfg.ops, "ops", "graph/operations", "directory of the contract operations")
	flag.IntVar(&cfg.repeat, "repeat", 1, "measurements of each scenario at each concurrency; the table shows the one of median req/s and the range")
	flag.IntVar(&cfg.pool, "pool", 0, "the server pool's connections (0: the server's default; as pool_max_conns in its DATABASE_URL)")
	flag.DurationVar(&cfg.loaderWait, "loader-wait", 2*time.Millisecond, "how long the server's loaders gather a batch (the server's own: 2 ms)")
	flag.Parse()
	for _, s := range strings.Split(conc, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return fmt.Errorf("-c: %q is not a concurrency", s)
		}
		cfg.conc = append(cfg.conc, n)
	}
	if only != "" {
		cfg.only = map[string]bool{}
		for _, s := range strings.Split(only, ",") {
			cfg.only[strings.TrimSpace(s)] = true
		}
	}
	admin := os.Getenv("DATABASE_URL")
	if admin == "" {
		return fmt.Errorf("DATABASE_URL is not set (make bench-http sets it up)")
	}
	ctx := context.Background()
	now := clock.Wall()
	start := now()
	dbURL, drop, err := prepare(ctx, admin, now)
	if err != nil {
		return fmt.Errorf("prepare database: %w", err)
	}
	defer drop()
	logf("database ready in %s", time.Since(start).Round(time.Millisecond))

	exe, err := os.Executable()
	if err != nil {
		return err
	}
	child := exec.Command(exe, "-serve")
	child.Env = append(os.Environ(), "BENCH_DATABASE_URL="+dbURL, "BENCH_LOADER_WAIT="+cfg.loaderWait.String(), fmt.Sprintf("BENCH_POOL=%d", cfg.pool))
	child.Stderr = os.Stderr
	stdin, err := child.StdinPipe()
	if err != nil {
		return err
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		return err
	}
	if err := child.Start(); err != nil {
		return err
	}
	defer func() {
		stdin.Close()
		_ = child.Wait()
	}()
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return fmt.Errorf("server did not start: %w", err)
	}
	logf("server at %s", strings.TrimSpace(addr))
	b := &bench{cfg: cfg, base: "http://" + strings.TrimSpace(addr), dbName: dbNameOf(dbURL), admin: admin, now: now}
	if err := b.setup(ctx); err != nil {
		return err
	}
	rows, err := b.runAll(ctx)
	if err != nil {
		return err
	}
	table := report(rows)
	fmt.Print(table)
	if cfg.out != "" {
		return writeMarkdown(cfg, table)
	}
	return nil
}

func dbNameOf(u string) string {
	i := strings.LastIndex(u, "/")
	name := u[i+1:]
	if j := strings.IndexByte(name, '?'); j >= 0 {
		name = name[:j]
	}
	return name
}

// machine describes where the run happened: CPUs, load and PostgreSQL.
func machine() string {
	host, _ := os.Hostname()
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				model = strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d CPUs (%s), %s %s/%s", host, runtime.NumCPU(), model, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// loadavg is the 1-minute load average.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}

func commit() string {
	out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "unknown"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		c += " (with uncommitted changes)"
	}
	return c
}
