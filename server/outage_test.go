package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"cogov/graph"
	"cogov/internal/pgtest"
	"cogov/internal/store"
)

// answer is one response the load got during the restart.
type answer struct {
	start, end time.Time
	write      bool
	status     int
	code       string // extensions.code of the first error, if any
	retryAfter string
	acked      string // the name of the community a write created, when it says it did
	err        error  // the HTTP request itself failed
}

func (a answer) ok() bool { return a.err == nil && a.status == http.StatusOK && a.code == "" }

// TestPostgresRestartUnderLoad restarts the test's own PostgreSQL (a
// throwaway cluster, never the shared one) while readers and writers keep
// the server busy, and /readyz is probed: no answer says INTERNAL, every
// failure says UNAVAILABLE with 503 and Retry-After, /readyz turns 503
// within a second of the server going down, service resumes within a second
// of PostgreSQL accepting connections again, and every write that was
// acknowledged is in the database.
func TestPostgresRestartUnderLoad(t *testing.T) {
	began := time.Now()
	c := pgtest.NewCluster(t)
	ctx := context.Background()
	if err := store.Migrate(ctx, c.URL); err != nil {
		t.Fatal(err)
	}
	cfg, err := store.PoolConfig(c.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	now := pgtest.Clock(t)
	st := store.New(pool, now)
	res := graph.NewResolver(st, "", now)
	logs := &syncBuffer{}
	srv := httptest.NewServer(routes(config{production: true}, st, res, slog.New(slog.NewJSONHandler(logs, nil))))
	defer srv.Close()

	t.Setenv("COGOV_ADMIN_PASSWORD", "a password for tests")
	if err := createAdmin(ctx, res, []string{"-subdistrict", "outage", "-name", "停电街道", "-username", "boss"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	signed, err := res.Accounts.SignIn(ctx, "boss", "a password for tests", "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	sdID := signed.Viewer.Roles[0].SubdistrictID
	sdGID := base64.RawURLEncoding.EncodeToString([]byte("Subdistrict:" + sdID))
	t.Logf("cluster ready and migrated in %v", time.Since(began).Round(time.Millisecond))

	client := &http.Client{Timeout: 10 * time.Second}
	post := func(body map[string]any) answer {
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+signed.Token)
		a := answer{start: time.Now()}
		resp, err := client.Do(req)
		a.end = time.Now()
		if err != nil {
			a.err = err
			return a
		}
		defer resp.Body.Close()
		a.status, a.retryAfter = resp.StatusCode, resp.Header.Get("Retry-After")
		var out struct {
			Data struct {
				CreateCommunity *struct {
					Community  *struct{ Name string }
					UserErrors []struct{ Code string }
				}
			}
			Errors []struct {
				Extensions map[string]any
			}
		}
		raw, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(raw, &out); err != nil {
			a.err = fmt.Errorf("decode %q: %w", raw, err)
			return a
		}
		if len(out.Errors) > 0 {
			a.code, _ = out.Errors[0].Extensions["code"].(string)
		} else if p := out.Data.CreateCommunity; p != nil {
			if p.Community != nil && len(p.UserErrors) == 0 {
				a.acked = p.Community.Name
			} else {
				a.code = fmt.Sprintf("userErrors %+v", p.UserErrors)
			}
		}
		return a
	}

	var (
		mu      sync.Mutex
		answers []answer
		probes  []answer // of /readyz
		wg      sync.WaitGroup
		done    = make(chan struct{})
	)
	record := func(a answer) {
		mu.Lock()
		answers = append(answers, a)
		mu.Unlock()
	}
	// Two readers and two writers, each one request at a time with a pause,
	// so the load is steady without taking the machine's two cores.
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				case <-time.After(5 * time.Millisecond):
				}
				if w < 2 {
					record(post(map[string]any{"query": `{ subdistrict(code: "outage") { name communities(first: 5) { totalCount } } viewer { account { username } } }`}))
					continue
				}
				name := fmt.Sprintf("w%d-%d", w, i)
				a := post(map[string]any{
					"query":     `mutation($in: CreateCommunityInput!) { createCommunity(input: $in) { community { name } userErrors { code } } }`,
					"variables": map[string]any{"in": map[string]any{"subdistrictId": sdGID, "code": name, "name": name}},
				})
				a.write = true
				record(a)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			case <-time.After(50 * time.Millisecond):
			}
			a := answer{start: time.Now()}
			resp, err := client.Get(srv.URL + "/readyz")
			a.end = time.Now()
			if err != nil {
				a.err = err
			} else {
				a.status = resp.StatusCode
				resp.Body.Close()
			}
			mu.Lock()
			probes = append(probes, a)
			mu.Unlock()
		}
	}()

	time.Sleep(700 * time.Millisecond)
	stopping := time.Now()
	c.Stop()
	down := time.Now()
	time.Sleep(time.Second)
	// Find when the server accepts connections again, independently of pg_ctl.
	accepted := make(chan time.Time, 1)
	go func() {
		for {
			at := time.Now()
			if c.Accepting(ctx) {
				accepted <- at
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	c.Start()
	up := <-accepted
	time.Sleep(2 * time.Second)
	close(done)
	wg.Wait()

	// Every answer is a success or an honest outage.
	var unavailable, during int
	for _, a := range answers {
		if a.start.After(stopping) && a.start.Before(up) {
			during++
		}
		switch {
		case a.err != nil:
			t.Errorf("request at %v failed: %v", a.start.Sub(stopping), a.err)
		case a.ok():
		case a.code == "INTERNAL":
			t.Errorf("INTERNAL at %v (status %d)", a.start.Sub(stopping).Round(time.Millisecond), a.status)
		case a.code == "UNAVAILABLE" && a.status == http.StatusServiceUnavailable && a.retryAfter != "":
			unavailable++
		default:
			t.Errorf("answer at %v: status %d code %q Retry-After %q", a.start.Sub(stopping).Round(time.Millisecond), a.status, a.code, a.retryAfter)
		}
	}
	if unavailable == 0 {
		t.Error("no request met the outage: the test did not test it")
	}

	// Service resumes within a second of PostgreSQL accepting connections.
	var recovered time.Duration = -1
	for _, a := range answers {
		if !a.start.Before(up) && a.ok() {
			if d := a.end.Sub(up); recovered < 0 || d < recovered {
				recovered = d
			}
		}
		if a.start.After(up.Add(time.Second)) && !a.ok() {
			t.Errorf("a request %v after PostgreSQL came back failed: status %d code %q", a.start.Sub(up).Round(time.Millisecond), a.status, a.code)
		}
	}
	if recovered < 0 || recovered > time.Second {
		t.Errorf("service resumed %v after PostgreSQL accepted connections; want within 1s", recovered)
	}

	// /readyz says 503 within a second of the server going down, and ready again once it is back.
	readyDown := time.Duration(-1)
	for _, p := range probes {
		if p.err != nil {
			t.Errorf("/readyz at %v: %v", p.start.Sub(stopping), p.err)
			continue
		}
		if p.end.Sub(p.start) > time.Second {
			t.Errorf("/readyz took %v", p.end.Sub(p.start))
		}
		if p.status == http.StatusServiceUnavailable && !p.start.Before(stopping) && readyDown < 0 {
			readyDown = p.end.Sub(down)
		}
		if p.start.After(down) && p.end.Before(up) && p.status != http.StatusServiceUnavailable {
			t.Errorf("/readyz answered %d %v after PostgreSQL stopped", p.status, p.start.Sub(down))
		}
		if p.start.After(up.Add(time.Second)) && p.status != http.StatusOK {
			t.Errorf("/readyz answered %d %v after PostgreSQL came back", p.status, p.start.Sub(up))
		}
	}
	if readyDown < 0 || readyDown > time.Second {
		t.Errorf("/readyz turned 503 %v after PostgreSQL was down; want within 1s", readyDown)
	}

	// Every acknowledged write is there.
	names := map[string]bool{}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('cogov.viewer_ready', 'on', true), set_config('cogov.system', 'on', true)`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT name FROM community WHERE subdistrict_id = $1`, sdID)
		if err != nil {
			return err
		}
		ns, err := pgx.CollectRows(rows, pgx.RowTo[string])
		for _, n := range ns {
			names[n] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	acked, lost := 0, 0
	for _, a := range answers {
		if a.acked != "" {
			acked++
			if !names[a.acked] {
				lost++
				t.Errorf("acknowledged write %s is not in the database", a.acked)
			}
		}
	}
	for _, r := range logs.records(t) {
		if r["level"] == "ERROR" {
			t.Errorf("logged as a fault: %v", r)
			break
		}
	}
	t.Logf("%d answers (%d while PostgreSQL was down or starting, %d UNAVAILABLE), %d writes acknowledged, %d lost; "+
		"PostgreSQL down %v after the stop began, accepting %v later; /readyz 503 %v after it was down; service resumed %v after PostgreSQL accepted; whole test %v",
		len(answers), during, unavailable, acked, lost, down.Sub(stopping).Round(time.Millisecond), up.Sub(down).Round(time.Millisecond),
		readyDown.Round(time.Millisecond), recovered.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}
