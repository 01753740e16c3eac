package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"cogov/internal/clock"
)

type bench struct {
	cfg    config
	base   string // the child's http://host:port
	dbName string
	admin  string
	now    clock.Clock

	adminToken string   // street-admin
	committees []seat   // community-k-admin and the party committee each administers
	sdID       string   // the sub-district's global id
	calendarID string   // a demo venue for VenueCalendar
	free       []string // the benchmark's venues for distinct slots
	contended  string   // the benchmark's venue for one contended slot
	docs       map[string]string
}

type seat struct{ token, committee string }

// row is one scenario at one concurrency.
type row struct {
	name         string
	c            int
	reqs         uint64
	rps          float64
	p50, p99     time.Duration
	fails        uint64 // non-2xx, transport errors, or GraphQL errors
	goCPU, pgCPU time.Duration
	stmts        float64
	note         string
}

func (b *bench) post(path, token string, body any, out any) error {
	buf, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, b.base+path, bytes.NewReader(buf))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []any           `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return err
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("%v", r.Errors)
	}
	return json.Unmarshal(r.Data, out)
}

func (b *bench) gql(token, query string, vars map[string]any, out any) error {
	return b.post("/graphql", token, map[string]any{"query": query, "variables": vars}, out)
}

func (b *bench) signIn(user string) (string, error) {
	var out struct {
		SignIn struct{ Token *string } `json:"signIn"`
	}
	err := b.gql("", `mutation($u: String!) { signIn(input: {username: $u, password: "cogov-demo"}) { token } }`, map[string]any{"u": user}, &out)
	if err != nil {
		return "", err
	}
	if out.SignIn.Token == nil {
		return "", fmt.Errorf("sign in as %s refused", user)
	}
	return *out.SignIn.Token, nil
}

// setup signs in and finds the ids the operations need.
func (b *bench) setup(context.Context) error {
	b.docs = map[string]string{}
	files, _ := filepath.Glob(filepath.Join(b.cfg.ops, "*.graphql"))
	if len(files) == 0 { // run from elsewhere than the repository's top: every operation would be refused as malformed
		return fmt.Errorf("no operations (*.graphql) in %s: run from the repository's top, or set -ops", b.cfg.ops)
	}
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		b.docs[filepath.Base(f)] = string(text)
	}
	var err error
	if b.adminToken, err = b.signIn("street-admin"); err != nil {
		return err
	}
	for k := 1; k <= 12; k++ {
		tok, err := b.signIn(fmt.Sprintf("community-%d-admin", k))
		if err != nil {
			return err
		}
		var v struct {
			Viewer struct {
				Roles []struct {
					Kind  string
					Scope struct{ ID string }
				}
			}
		}
		if err := b.gql(tok, `{ viewer { roles { kind scope { id } } } }`, nil, &v); err != nil {
			return err
		}
		for _, r := range v.Viewer.Roles {
			if r.Kind == "COMMITTEE_ADMIN" {
				b.committees = append(b.committees, seat{tok, r.Scope.ID})
			}
		}
	}
	if len(b.committees) == 0 {
		return fmt.Errorf("no committee administrator among the demo accounts")
	}
	var sd struct {
		Subdistrict struct{ ID string } `json:"subdistrict"`
	}
	if err := b.gql(b.adminToken, `{ subdistrict(code: "houjiatang") { id } }`, nil, &sd); err != nil {
		return err
	}
	b.sdID = sd.Subdistrict.ID
	var vs struct {
		Venues struct {
			Edges []struct{ Node struct{ ID, Name string } }
		}
	}
	if err := b.gql(b.adminToken, `query($sd: ID!) { venues(first: 100, filter: {subdistrictId: $sd}) { edges { node { id name } } } }`,
		map[string]any{"sd": b.sdID}, &vs); err != nil {
		return err
	}
	for _, e := range vs.Venues.Edges {
		switch {
		case strings.HasPrefix(e.Node.Name, "压测会议室"):
			b.free = append(b.free, e.Node.ID)
		case e.Node.Name == "核工业地质局社区服务空间":
			b.calendarID = e.Node.ID
		}
	}
	if len(b.free) < 2 || b.calendarID == "" {
		return fmt.Errorf("the benchmark's venues are missing (%d found)", len(b.free))
	}
	sort.Strings(b.free)
	b.contended, b.free = b.free[0], b.free[1:]
	return nil
}

// scenario is one operation to drive: a body for each request.
type scenario struct {
	name, path string
	body       func(i uint64) ([]byte, string) // request body and bearer token
	check      func(body []byte) bool          // the answer is a success
	winners    *atomic.Int64                   // bookings made (writes)
	next       func()                          // called before each attack
}

func noErrors(body []byte) bool { return !bytes.Contains(body, []byte(`"errors"`)) }

func (b *bench) doc(file, op string, vars map[string]any) []byte {
	buf, _ := json.Marshal(map[string]any{"query": b.docs[file], "operationName": op, "variables": vars})
	return buf
}

func (b *bench) scenarios() []scenario {
	now := b.now()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	day := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 2)
	twoWeeks := day.AddDate(0, 0, 12)
	for twoWeeks.Weekday() != time.Wednesday {
		twoWeeks = twoWeeks.AddDate(0, 0, 1)
	}
	year := now.In(loc).Year()
	static := func(body []byte, token string) func(uint64) ([]byte, string) {
		return func(uint64) ([]byte, string) { return body, token }
	}
	overview := b.doc("structure.graphql", "SubdistrictOverview", map[string]any{"code": "houjiatang"})
	var slot, key atomic.Uint64
	book := func(venue string, start time.Time, i uint64) ([]byte, string) {
		s := b.committees[i%uint64(len(b.committees))]
		return b.doc("booking.graphql", "RequestBooking", map[string]any{"input": map[string]any{
			"venueId": venue, "committeeId": s.committee, "startsAt": start.Format(time.RFC3339),
			"endsAt": start.Add(30 * time.Minute).Format(time.RFC3339), "purpose": "压测", "expectedAttendees": 10,
			"idempotencyKey": fmt.Sprintf("bench-%d-%d", now.UnixNano(), key.Add(1))}}), s.token
	}
	booked := func(w *atomic.Int64) func([]byte) bool {
		return func(body []byte) bool {
			if bytes.Contains(body, []byte(`"bookings":[{`)) {
				w.Add(1)
				return true
			}
			return noErrors(body) && bytes.Contains(body, []byte(`"userErrors":[{`))
		}
	}
	minimum, _ := json.Marshal(map[string]any{"query": `query Minimum($code: String!) { subdistrict(code: $code) { id name } }`,
		"operationName": "Minimum", "variables": map[string]any{"code": "houjiatang"}})
	var distinct, contended atomic.Int64
	var phase atomic.Uint64
	return []scenario{
		// The least a signed-in operation costs: the session, the rate
		// limit and the request's read transaction around one small read.
		{name: "signed-in minimum", path: "/graphql", check: noErrors, body: static(minimum, b.adminToken)},
		{name: "SubdistrictOverview", path: "/graphql", body: static(overview, b.adminToken), check: noErrors},
		{name: "SubdistrictOverview floor", path: "/floor", body: static(overview, ""), check: func(body []byte) bool {
			return bytes.HasPrefix(body, []byte(`{"data"`))
		}},
		{name: "FindVenues", path: "/graphql", check: noErrors, body: static(b.doc("venues.graphql", "FindVenues", map[string]any{
			"first": 20, "filter": map[string]any{"subdistrictId": b.sdID, "minCapacity": 50,
				"availableFrom": twoWeeks.Add(10 * time.Hour).Format(time.RFC3339), "availableTo": twoWeeks.Add(12 * time.Hour).Format(time.RFC3339)}}), b.adminToken)},
		{name: "VenueCalendar", path: "/graphql", check: noErrors, body: static(b.doc("venues.graphql", "VenueCalendar", map[string]any{
			"id": b.calendarID, "from": day.Format(time.RFC3339), "to": day.AddDate(0, 0, 7).Format(time.RFC3339)}), b.adminToken)},
		{name: "SubdistrictDashboard", path: "/graphql", check: noErrors, body: static(b.doc("meetings.graphql", "SubdistrictDashboard", map[string]any{
			"code": "houjiatang", "from": fmt.Sprintf("%d-01-01", year), "to": fmt.Sprintf("%d-12-31", year)}), b.adminToken)},
		{name: "requestBooking distinct slots", path: "/graphql", winners: &distinct, check: booked(&distinct), body: func(i uint64) ([]byte, string) {
			n := slot.Add(1)
			v := b.free[n%uint64(len(b.free))]
			return book(v, day.Add(time.Duration(n/uint64(len(b.free)))*30*time.Minute), i)
		}},
		{name: "requestBooking one contended slot", path: "/graphql", winners: &contended, check: booked(&contended),
			next: func() { phase.Add(1) }, body: func(i uint64) ([]byte, string) {
				// each measurement its own slot (see runAll), on the same venue
				return book(b.contended, day.AddDate(0, 0, 60).Add(time.Duration(phase.Load())*time.Hour), i)
			}},
	}
}

// runAll runs every scenario at every concurrency, each after a warm-up.
func (b *bench) runAll(ctx context.Context) ([]row, error) {
	var rows []row
	scs := b.scenarios()
	for _, sc := range scs {
		if b.cfg.only != nil && !b.cfg.only[sc.name] && !b.cfg.only[strings.Fields(sc.name)[0]] {
			continue
		}
		for _, c := range b.cfg.conc {
			if b.cfg.warmup > 0 {
				b.attack(sc, c, b.cfg.warmup, nil)
			}
			var runs []row
			var booked []string
			for range max(1, b.cfg.repeat) {
				if sc.winners != nil {
					sc.winners.Store(0)
				}
				if sc.next != nil {
					sc.next()
				}
				r, err := b.measure(ctx, sc, c)
				if err != nil {
					return nil, err
				}
				if sc.winners != nil {
					booked = append(booked, strconv.FormatInt(sc.winners.Load(), 10))
				}
				runs = append(runs, r)
			}
			r := median(runs)
			if booked != nil {
				r.note = strings.Join(booked, ", ") + " booked"
			}
			if len(runs) > 1 {
				lo, hi := runs[0].rps, runs[0].rps
				for _, x := range runs {
					lo, hi = min(lo, x.rps), max(hi, x.rps)
				}
				r.note = strings.TrimPrefix(fmt.Sprintf("%s; median of %d runs, %.0f–%.0f req/s", r.note, len(runs), lo, hi), "; ")
			}
			logf("%-34s c=%-3d %7.0f req/s  p50 %-8s p99 %-8s Go %s/req  PostgreSQL %s/req  %.1f statements/req  %d failed %s",
				r.name, r.c, r.rps, r.p50.Round(10*time.Microsecond), r.p99.Round(10*time.Microsecond),
				r.goCPU.Round(time.Microsecond), r.pgCPU.Round(time.Microsecond), r.stmts, r.fails, r.note)
			rows = append(rows, r)
		}
	}
	return rows, nil
}

// median is the run of the median req/s (the lower middle one of an even
// number): one run's figures, which belong together, rather than medians
// taken column by column.
func median(runs []row) row {
	sorted := append([]row(nil), runs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].rps < sorted[j].rps })
	return sorted[(len(sorted)-1)/2]
}

// attack drives sc with c closed-loop workers for d; m, if not nil,
// gathers the results.
func (b *bench) attack(sc scenario, c int, d time.Duration, m *vegeta.Metrics) (fails uint64) {
	if m == nil && sc.next != nil {
		sc.next()
	}
	var i atomic.Uint64
	targeter := func(t *vegeta.Target) error {
		body, token := sc.body(i.Add(1))
		t.Method, t.URL, t.Body = http.MethodPost, b.base+sc.path, body
		t.Header = http.Header{"Content-Type": {"application/json"}}
		if token != "" {
			t.Header.Set("Authorization", "Bearer "+token)
		}
		return nil
	}
	a := vegeta.NewAttacker(vegeta.Workers(uint64(c)), vegeta.MaxWorkers(uint64(c)), vegeta.Connections(c),
		vegeta.KeepAlive(true), vegeta.Timeout(30*time.Second))
	for res := range a.Attack(targeter, vegeta.ConstantPacer{}, d, sc.name) {
		if m != nil {
			m.Add(res)
		}
		if res.Code != http.StatusOK || res.Error != "" || !sc.check(res.Body) {
			if fails == 0 { // the first failure of a run says what went wrong
				logf("%s c=%d: first failure: HTTP %d %s %.300s", sc.name, c, res.Code, res.Error, res.Body)
			}
			fails++
		}
	}
	return fails
}

func (b *bench) measure(ctx context.Context, sc scenario, c int) (row, error) {
	before, err := b.stats(ctx)
	if err != nil {
		return row{}, err
	}
	var m vegeta.Metrics
	fails := b.attack(sc, c, b.cfg.duration, &m)
	m.Close()
	after, err := b.stats(ctx)
	if err != nil {
		return row{}, err
	}
	r := row{name: sc.name, c: c, reqs: m.Requests, p50: m.Latencies.P50, p99: m.Latencies.P99, fails: fails}
	if secs := (m.Duration + m.Wait).Seconds(); secs > 0 {
		r.rps = float64(m.Requests) / secs
	}
	if m.Requests > 0 {
		n := time.Duration(m.Requests)
		r.goCPU = (after.CPU - before.CPU) / n
		r.pgCPU = (after.pg - before.pg) / n
		r.stmts = float64(after.Statements-before.Statements) / float64(m.Requests)
	}
	return r, nil
}

type sample struct {
	stats
	pg time.Duration
}

// stats reads the child's CPU time and statement count, and the CPU time of
// the PostgreSQL backends serving the benchmark's database (from /proc: the
// server runs on this machine). A backend that ended between two samples
// loses its time; the pools keep theirs open, so few do.
func (b *bench) stats(ctx context.Context) (sample, error) {
	var s sample
	resp, err := http.Get(b.base + "/bench/stats")
	if err != nil {
		return s, err
	}
	err = json.NewDecoder(resp.Body).Decode(&s.stats)
	resp.Body.Close()
	if err != nil {
		return s, err
	}
	conn, err := pgx.Connect(ctx, b.admin)
	if err != nil {
		return s, err
	}
	defer conn.Close(ctx)
	rows, _ := conn.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = $1`, b.dbName)
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return s, err
	}
	for _, pid := range pids {
		s.pg += procCPU(int(pid))
	}
	return s, nil
}

// procCPU is the user and system time of a process, from /proc/<pid>/stat.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name may hold spaces; fields count from after its ')'.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	return time.Duration(ut+st) * tick
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64)
}

// report is the markdown table of the rows; the floor's ratio beside cogov's.
func report(rows []row) string {
	floor := map[int]float64{}
	for _, r := range rows {
		if r.name == "SubdistrictOverview floor" {
			floor[r.c] = r.rps
		}
	}
	var sb strings.Builder
	sb.WriteString("| operation | c | req/s | p50 ms | p99 ms | CPU ms/req Go | CPU ms/req PostgreSQL | statements/req | failed | note |\n")
	sb.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
	for _, r := range rows {
		note := r.note
		if r.name == "SubdistrictOverview" && floor[r.c] > 0 {
			note = strings.TrimSuffix(fmt.Sprintf("%.0f %% of the floor; %s", 100*r.rps/floor[r.c], note), "; ")
		}
		fmt.Fprintf(&sb, "| %s | %d | %.0f | %s | %s | %s | %s | %.1f | %d | %s |\n", r.name, r.c, r.rps, ms(r.p50), ms(r.p99),
			ms(r.goCPU), ms(r.pgCPU), r.stmts, r.fails, note)
	}
	return sb.String()
}

const (
	beginMark = "<!-- bench-http:begin -->"
	endMark   = "<!-- bench-http:end -->"
)

// writeMarkdown puts the table, with the date, commit, machine and load,
// between the markers of the file (or at its end).
func writeMarkdown(cfg config, table string) error {
	runs := ""
	if cfg.repeat > 1 {
		runs = fmt.Sprintf("; %d measurements of each, the one of median req/s shown", cfg.repeat)
	}
	section := fmt.Sprintf("%s\n`make bench-http` on %s, commit %s, %s; load average before the run %s; %s per measurement after %s of warm-up, closed loop%s.\n\n%s%s",
		beginMark, clock.Wall()().UTC().Format("2006-01-02 15:04 MST"), commit(), machine(), startLoad, cfg.duration, cfg.warmup, runs, table, endMark)
	if err := os.MkdirAll(filepath.Dir(cfg.out), 0o755); err != nil {
		return err
	}
	old, err := os.ReadFile(cfg.out)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	text := string(old)
	i, j := strings.Index(text, beginMark), strings.Index(text, endMark)
	if i >= 0 && j > i {
		text = text[:i] + section + text[j+len(endMark):]
	} else {
		if text == "" {
			text = "# Benchmarks\n\n"
		}
		text += "\n" + section + "\n"
	}
	return os.WriteFile(cfg.out, []byte(text), 0o644)
}

// startLoad is the load average when the program started.
var startLoad = loadavg()
