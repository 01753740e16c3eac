package graph_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"cogov/graph"
	"cogov/internal/account"
	"cogov/internal/pgtest"
	"cogov/internal/store"
)

// newReplicas starts n servers over one database, as n replicas of the
// platform behind a load balancer would run: each has its own connection
// pool, store, services and handler, and shares nothing with the others but
// PostgreSQL.
func newReplicas(t *testing.T, n int, opts graph.Options, accounts account.Options) []*env {
	t.Helper()
	now := pgtest.Clock(t)
	db := pgtest.New(t, pgtest.Options{Template: demoTemplate(t, now), Seed: seedDemo(now)})
	var out []*env
	for range n {
		cfg, err := store.PoolConfig(db.OwnerURL, "")
		if err != nil {
			t.Fatal(err)
		}
		pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		st := store.New(pool, now)
		res := graph.NewResolverWith(st, "http://cogov.test", now, accounts)
		o := opts
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
		srv := httptest.NewServer(graph.NewEndpoint(res, st, o, 2*time.Millisecond, testViewer))
		// Cleanups run last-in first-out: the server stops, then its pool
		// closes, and pgtest drops the database after both.
		t.Cleanup(pool.Close)
		t.Cleanup(srv.Close)
		out = append(out, &env{t: t, db: db, store: st, svc: res.Structure, srv: srv, stmts: &atomic.Int64{}, res: res})
	}
	return out
}

// memoryPeak samples the process's heap in use and resident set every few
// milliseconds until stop is called, which returns the peaks.
func memoryPeak() (stop func() (heap, rss uint64)) {
	var heap, rss atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			heap.Store(max(heap.Load(), ms.HeapInuse))
			rss.Store(max(rss.Load(), residentSet()))
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() (uint64, uint64) {
		close(done)
		wg.Wait()
		return heap.Load(), rss.Load()
	}
}

// residentSet is the process's resident set size in bytes, from
// /proc/self/statm; 0 where there is none.
func residentSet() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

const mib = 1 << 20

// signInBurst sends one wrong password per username of users at once,
// spread over the replicas, and returns the answers' codes, how long the
// burst took and how far the heap in use and the resident set rose.
func signInBurst(t *testing.T, rs []*env, users []string) (count map[string]int, took time.Duration, growth, rss int64) {
	t.Helper()
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	stop := memoryPeak()
	codes := make([]string, len(users))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, u := range users {
		wg.Go(func() {
			<-start
			r := rs[i%len(rs)].send(map[string]any{
				"query":     `mutation($input: SignInInput!) { signIn(input: $input) { token userErrors { code } } }`,
				"variables": map[string]any{"input": map[string]any{"username": u, "password": "guess-" + strconv.Itoa(i)}},
			})
			codes[i] = signInCode(r)
		})
	}
	began := wallNow()
	close(start)
	wg.Wait()
	took = time.Since(began)
	heapPeak, rssPeak := stop()
	count = map[string]int{}
	for _, c := range codes {
		count[c]++
	}
	return count, took, int64(heapPeak) - int64(before.HeapInuse), int64(rssPeak)
}

// TestSignInBurstAcrossReplicas sends 40 simultaneous wrong passwords for
// one account from one address, spread over three replicas: the per-account
// allowance (5) is shared through PostgreSQL and counted before the
// password is checked, so at most 5 guesses reach argon2id and the rest are
// throttled, and the heap grows by at most those 5 checks' 64 MiB each.
// Then 40 at once for 40 accounts, to one server (the bound on checks is a
// process's), of which the per-address allowance (20) lets 20 through to
// the check: at most 4 checks run at once, so the heap grows by at most
// 4 × 64 MiB, where 40 checks at once took 2.5 GiB. Not parallel: it
// measures the process's memory, which other tests would share.
func TestSignInBurstAcrossReplicas(t *testing.T) {
	const slots, block, slack = 4, 64 * mib, 32 * mib // account.Options' default; argon2id.DefaultParams.Memory

	t.Run("one account", func(t *testing.T) {
		rs := newReplicas(t, 3, graph.Options{}, account.Options{})
		users := make([]string, 40)
		for i := range users {
			users[i] = "street-admin"
		}
		count, took, growth, rss := signInBurst(t, rs, users)
		t.Logf("40 guesses for one account over 3 replicas in %v: %v; heap in use grew by %d MiB at most, resident set peaked at %d MiB",
			took.Round(time.Millisecond), count, growth/mib, rss/mib)
		if count["INVALID_CREDENTIALS"] > 5 {
			t.Errorf("%d guesses were checked; the per-account allowance is 5", count["INVALID_CREDENTIALS"])
		}
		if count["INVALID_CREDENTIALS"] < 1 {
			t.Errorf("no guess was checked at all")
		}
		if count["INVALID_CREDENTIALS"]+count["RATE_LIMITED"] != len(users) {
			t.Errorf("answers other than a wrong password or throttled: %v", count)
		}
		// Three replicas in this one process have three sets of slots: the
		// 5 checks the allowance admits bound the heap here.
		if bound := int64(5*block + slack); growth > bound {
			t.Errorf("the heap grew by %d MiB; 5 checks of 64 MiB allow %d MiB", growth/mib, bound/mib)
		}
		if rss > 500*mib && !raceEnabled {
			t.Errorf("the process reached %d MiB; the bound is 500 MiB", rss/mib)
		}
	})

	t.Run("many accounts", func(t *testing.T) {
		// A longer wait for a password slot, so that the guesses the limits
		// let through queue for one rather than being throttled at once
		// (but within the operation's 10 s deadline).
		rs := newReplicas(t, 1, graph.Options{}, account.Options{PasswordWait: 5 * time.Second})
		users := make([]string, 40)
		for i := range users {
			users[i] = "nobody-" + strconv.Itoa(i)
		}
		count, took, growth, rss := signInBurst(t, rs, users)
		t.Logf("40 guesses for 40 accounts to one server in %v: %v; heap in use grew by %d MiB at most, resident set peaked at %d MiB",
			took.Round(time.Millisecond), count, growth/mib, rss/mib)
		if count["INVALID_CREDENTIALS"] > 20 {
			t.Errorf("%d guesses were checked; the per-address allowance is 20", count["INVALID_CREDENTIALS"])
		}
		if count["INVALID_CREDENTIALS"] < slots {
			t.Errorf("only %d guesses were checked; the slots alone let %d through", count["INVALID_CREDENTIALS"], slots)
		}
		if count["INVALID_CREDENTIALS"]+count["RATE_LIMITED"] != len(users) {
			t.Errorf("answers other than a wrong password or throttled: %v", count)
		}
		if bound := int64(slots*block + slack); growth > bound {
			t.Errorf("the heap grew by %d MiB; %d checks of 64 MiB at once allow %d MiB", growth/mib, slots, bound/mib)
		}
		if rss > 500*mib && !raceEnabled {
			t.Errorf("the process reached %d MiB; the bound is 500 MiB", rss/mib)
		}
	})
}

// signInCode is the outcome of a signIn: its first userError's code, "OK"
// with a token, or the top-level error's code.
func signInCode(r gqlResponse) string {
	if len(r.Errors) > 0 {
		c, _ := r.Errors[0].Extensions["code"].(string)
		return "error " + c
	}
	var out struct {
		SignIn struct {
			Token      *string
			UserErrors []struct{ Code string }
		} `json:"signIn"`
	}
	if err := json.Unmarshal(r.Data, &out); err != nil {
		return "undecodable"
	}
	if len(out.SignIn.UserErrors) > 0 {
		return out.SignIn.UserErrors[0].Code
	}
	if out.SignIn.Token != nil {
		return "OK"
	}
	return "empty"
}

// TestCostBudgetAcrossReplicas spends the operation-cost budget of an
// account and of an address through three replicas: the budget is one,
// kept in PostgreSQL, not one per replica.
func TestCostBudgetAcrossReplicas(t *testing.T) {
	t.Parallel()
	// requests 20 and returns more objects than that: charged 20
	q := `{ subdistrict(code: "houjiatang") { units(first: 20) { edges { node { id } } } } }`

	t.Run("per account", func(t *testing.T) {
		t.Parallel()
		rs := newReplicas(t, 3, graph.Options{Limits: graph.Limits{AccountBurst: 50, AccountPerSecond: 1}}, account.Options{})
		s := rs[0].signIn("street-admin", "cogov-demo")
		var status []int
		for _, r := range rs {
			c := *s
			c.srv = r.srv // the same session token, sent to each replica in turn
			status = append(status, c.post(q, nil).status)
		}
		if status[0] != http.StatusOK || status[1] != http.StatusOK || status[2] != http.StatusTooManyRequests {
			t.Errorf("statuses %v: 50 points pay for two operations of 20 across all replicas, not per replica", status)
		}
	})

	t.Run("per address, concurrently", func(t *testing.T) {
		t.Parallel()
		rs := newReplicas(t, 3, graph.Options{Limits: graph.Limits{AddrBurst: 5, AddrPerSecond: 1}}, account.Options{})
		const n = 30
		var ok, limited atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				switch rs[i%len(rs)].post(`{ __typename }`, nil).status { // costs 1
				case http.StatusOK:
					ok.Add(1)
				case http.StatusTooManyRequests:
					limited.Add(1)
				}
			})
		}
		began := wallNow()
		close(start)
		wg.Wait()
		// The bucket holds 5 and refills one a second while the burst runs.
		allowed := 5 + int64(time.Since(began).Seconds()) + 1
		t.Logf("%d of %d accepted, %d refused with 429 (allowed at most %d)", ok.Load(), n, limited.Load(), allowed)
		if ok.Load() > allowed || ok.Load()+limited.Load() != n {
			t.Errorf("%d accepted and %d refused of %d; at most %d may pass", ok.Load(), limited.Load(), n, allowed)
		}
	})
}
