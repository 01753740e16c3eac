package jobs_test

import (
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"cogov/internal/access"
	"cogov/internal/clock"
	"cogov/internal/jobs"
	"cogov/internal/lists"
	"cogov/internal/notify"
	"cogov/internal/testworld"
)

// overdueTown is a Town whose lists notify; grant makes an account
// holding one role, whose name told shows.
type overdueTown struct {
	*testworld.Town
	accounts map[string]string // account id → name
}

func newOverdueTown(t *testing.T) *overdueTown {
	tw := testworld.NewTown(t)
	tw.Lists.Notes = notify.NewService(tw.Store, tw.Clock)
	return &overdueTown{Town: tw, accounts: map[string]string{}}
}

func (tw *overdueTown) grant(name string, kind access.RoleKind, scope string) {
	var id string
	tw.SysRow(`WITH a AS (INSERT INTO account (username, password_hash, subdistrict_id) VALUES ($1, 'x', $2) RETURNING id)
		INSERT INTO account_role (account_id, kind, scope_id, subdistrict_id) SELECT id, $3, $4, $2 FROM a RETURNING account_id`,
		name, tw.SD, string(kind), scope).Scan(&id)
	tw.accounts[id] = name
}

// project launches a project of owner (a unit with unit, else a
// committee) due on the day days from the sub-district's today (nil: no
// due day).
func (tw *overdueTown) project(title string, unit bool, owner string, days *int) lists.Project {
	in := lists.NewProject{Title: title, NeedIDs: []string{tw.Need()}}
	if unit {
		in.OwnerUnitID = &owner
	} else {
		in.OwnerCommitteeID = &owner
	}
	if days != nil {
		d := tw.Now().In(testworld.Shanghai)
		due := time.Date(d.Year(), d.Month(), d.Day()+*days, 0, 0, 0, 0, time.UTC)
		in.DueOn = &due
	}
	p, err := tw.Lists.LaunchProject(tw.Sys, in)
	tw.Must(err)
	return p
}

func days(n int) *int { return &n }

// told lists "project title → recipient" of the PROJECT_OVERDUE notifications, sorted.
func (tw *overdueTown) told() []string {
	var pairs []string
	tw.SysRow(`SELECT coalesce(array_agg(p.title || '→' || n.account_id::text), '{}') FROM notification n JOIN project p ON p.id = n.object_id
		WHERE n.kind = 'PROJECT_OVERDUE' AND n.object_type = 'Project'`).Scan(&pairs)
	for i, p := range pairs {
		title, acct, _ := strings.Cut(p, "→")
		pairs[i] = title + "→" + tw.accounts[acct]
	}
	sort.Strings(pairs)
	return pairs
}

// TestProjectOverdue: the overdue check tells of each active project past
// its due day the administrators of its owner and of its sub-district, and
// no one else; two checks at once tell of each project once, and a later
// check tells of nothing again; a project due today (until its day ends),
// one without a due day and one completed are not told of; a project whose
// due day was moved later is told of again once that day has passed.
func TestProjectOverdue(t *testing.T) {
	t.Parallel()
	tw := newOverdueTown(t)
	tw.grant("sd-admin", access.SubdistrictAdmin, tw.SD)
	tw.grant("unit-admin", access.UnitAdmin, tw.Unit)
	tw.grant("pc-admin", access.CommitteeAdmin, tw.PC)
	tw.grant("wc-admin", access.CommitteeAdmin, tw.WC) // owns nothing overdue

	tw.project("单位项目", true, tw.Unit, days(-1))
	tw.project("社区项目", false, tw.PC, days(-3))
	tw.project("今天到期", true, tw.Unit, days(0))
	tw.project("工委项目", false, tw.WC, days(2))
	tw.project("不限期", true, tw.Unit, nil)
	done := tw.project("已完成", false, tw.PC, days(-5))
	if _, err := tw.Lists.Complete(tw.Sys, done.ID, "完成"); err != nil {
		t.Fatal(err)
	}

	now := tw.Now()
	var wg sync.WaitGroup
	counts := make([]int, 2)
	errs := make([]error, 2)
	for i := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			counts[i], errs[i] = tw.Lists.NotifyOverdue(testworld.System(), now)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"单位项目→sd-admin", "单位项目→unit-admin", "社区项目→pc-admin", "社区项目→sd-admin"}
	if got := tw.told(); strings.Join(got, ",") != strings.Join(want, ",") || counts[0]+counts[1] != 2 {
		t.Fatalf("two checks at once told %d and %d projects:\n got %v\nwant %v", counts[0], counts[1], got, want)
	}
	// Later the same local day (halfway to its end), so that the project
	// due today is not yet overdue at whatever hour the test runs.
	d := now.In(testworld.Shanghai)
	later := now.Add(time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, testworld.Shanghai).Sub(now) / 2)
	if n, err := tw.Lists.NotifyOverdue(testworld.System(), later); err != nil || n != 0 {
		t.Errorf("a later check the same day: %d projects, %v", n, err)
	}
	if _, err := tw.Lists.NotifyOverdue(tw.Admin, now); err == nil {
		t.Error("a sub-district administrator ran the platform's overdue check")
	}

	// The unit's project gets ten more days; once they pass it is told of again.
	tw.SysRow(`UPDATE project SET due_on = due_on + 10 WHERE title = '单位项目' RETURNING id`).Scan(new(string))
	// A day on, the project due today is overdue, the moved one not yet.
	if n, err := tw.Lists.NotifyOverdue(testworld.System(), now.Add(24*time.Hour)); err != nil || n != 1 {
		t.Errorf("a day on: %d projects, %v", n, err)
	}
	if n, err := tw.Lists.NotifyOverdue(testworld.System(), now.Add(10*24*time.Hour)); err != nil || n != 2 {
		t.Errorf("after the new due day: %d projects, %v", n, err) // and 工委项目 by then
	}
	want = append(want, "今天到期→sd-admin", "今天到期→unit-admin", "单位项目→sd-admin", "单位项目→unit-admin", "工委项目→sd-admin", "工委项目→wc-admin")
	sort.Strings(want)
	if got := tw.told(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("after the moved due day:\n got %v\nwant %v", got, want)
	}
}

// TestOverdueJob: River runs the overdue check as a periodic job (once as
// soon as its leader starts) at the time of the clock the jobs were given.
func TestOverdueJob(t *testing.T) {
	t.Parallel()
	tw := newOverdueTown(t)
	tw.grant("unit-admin", access.UnitAdmin, tw.Unit)
	tw.project("下周到期", true, tw.Unit, days(7))
	// The jobs' clock is eight days on: the project is overdue by it.
	later := clock.Fixed(tw.Now().Add(8 * 24 * time.Hour))
	j, err := jobs.New(tw.DB.Pool, tw.Store, later, jobs.Options{Overdue: tw.Lists.NotifyOverdue, OverdueEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	start(t, j)
	deadline := clock.Wall()().Add(20 * time.Second)
	for clock.Wall()().Before(deadline) {
		if got := tw.told(); len(got) == 1 && got[0] == "下周到期→unit-admin" {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("the periodic job told %v", tw.told())
}

// TestUnschedule: dropping the timers of a record deletes its timer jobs
// that have not started, and no other record's.
func TestUnschedule(t *testing.T) {
	t.Parallel()
	tw := newOverdueTown(t)
	j, err := jobs.New(tw.DB.Pool, tw.Store, tw.Clock, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := tw.Now().Add(48 * time.Hour)
	a, b := "0b5a4c6e-0000-4000-8000-00000000000a", "0b5a4c6e-0000-4000-8000-00000000000b"
	tw.Must(j.Schedule(tw.Sys, []notify.Timer{{Kind: "booking.reminder", SubdistrictID: tw.SD, ObjectID: a, At: at},
		{Kind: "booking.noshow", SubdistrictID: tw.SD, ObjectID: a, At: at}, {Kind: "booking.reminder", SubdistrictID: tw.SD, ObjectID: b, At: at}}))
	tw.Must(j.Unschedule(tw.Sys, []string{a}))
	count := func(id string) int {
		return tw.Count(`SELECT count(*) FROM river_job WHERE kind = 'cogov_timer' AND args->'timer'->>'ObjectID' = $1`, id)
	}
	if count(a) != 0 || count(b) != 1 {
		t.Errorf("timers left: %d of the dropped record, %d of the other", count(a), count(b))
	}
}
