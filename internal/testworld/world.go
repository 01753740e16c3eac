// Package testworld builds worlds for the domain packages' tests: each test
// gets a database of its own (cloned by internal/pgtest), the domain
// services over it telling the time by the tests' clock, the viewers that act
// in it, and small sub-districts with a few records of each kind (Town). It
// plays the part River's riverdbtest plays: only _test.go files import it,
// and a domain package's tests import it from their external test package
// (package booking_test, meeting_test, ...), since it imports the store,
// which imports the domain packages.
//
// Everything here goes through the services, as a client would, except the
// System reads (SysRow, Count, AuditCount), which look at the database past
// row-level security to check what a call wrote.
package testworld

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"cogov/internal/access"
	"cogov/internal/account"
	"cogov/internal/booking"
	"cogov/internal/cases"
	"cogov/internal/clock"
	"cogov/internal/lists"
	"cogov/internal/meeting"
	"cogov/internal/pgtest"
	"cogov/internal/store"
	"cogov/internal/structure"
)

// World is one test's database and the domain services over it.
type World struct {
	T     testing.TB
	DB    *pgtest.DB
	Store *store.Store
	// Clock is the tests' clock (pgtest.Clock: COGOV_TEST_NOW, or the wall
	// clock); the services and the store tell the time by it.
	Clock     clock.Clock
	Structure *structure.Service
	Bookings  *booking.Service
	Meetings  *meeting.Service
	Lists     *lists.Service
	Cases     *cases.Service
	Accounts  *account.Service
	// Sys is a context acting as a trusted platform task.
	Sys context.Context
	seq atomic.Int64
}

// New returns a world over a fresh, migrated and empty database, dropped when
// the test ends. The services are wired as the server wires them: meetings
// book through the booking service, escalated needs reach meetings' agendas.
func New(t testing.TB) *World {
	t.Helper()
	now := pgtest.Clock(t)
	db := pgtest.New(t, pgtest.Options{})
	st := store.New(db.Pool, now)
	t.Cleanup(func() { _ = st.FlushSignals(context.Background()) }) // before the pool closes
	bookings := booking.NewService(st, now)
	meetings := meeting.NewService(st, bookings, now)
	return &World{
		T: t, DB: db, Store: st, Clock: now,
		Structure: structure.NewService(st, now),
		Bookings:  bookings,
		Meetings:  meetings,
		Lists:     lists.NewService(st, meetings, now),
		Cases:     cases.NewService(st, meetings, now),
		Accounts:  account.NewService(st, account.Options{Now: now}),
		Sys:       System(),
	}
}

// Now is the present by the world's clock.
func (w *World) Now() time.Time { return w.Clock() }

// Unique returns prefix followed by a number no other call of this world returns.
func (w *World) Unique(prefix string) string { return fmt.Sprintf("%s%d", prefix, w.seq.Add(1)) }

// Must fails the test at once when err is not nil: for the steps that build
// the world rather than the calls a test checks.
func (w *World) Must(err error) {
	w.T.Helper()
	if err != nil {
		w.T.Fatal(err)
	}
}

// Row is one query run past row-level security; Scan runs it.
type Row struct {
	w    *World
	sql  string
	args []any
}

// SysRow returns a query to run as a trusted platform task, which row-level
// security lets see every sub-district.
func (w *World) SysRow(sql string, args ...any) Row { return Row{w: w, sql: sql, args: args} }

// Scan runs the query and scans its single row into dest; any error fails the test.
func (r Row) Scan(dest ...any) {
	r.w.T.Helper()
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, r.w.DB.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('cogov.viewer_ready', 'on', true), set_config('cogov.system', 'on', true)`); err != nil {
			return err
		}
		return tx.QueryRow(ctx, r.sql, r.args...).Scan(dest...)
	})
	if err != nil {
		r.w.T.Fatalf("%s %v: %v", r.sql, r.args, err)
	}
}

// Count runs a query returning one number, such as SELECT count(*), past
// row-level security.
func (w *World) Count(sql string, args ...any) int {
	w.T.Helper()
	var n int
	w.SysRow(sql, args...).Scan(&n)
	return n
}

// AuditCount counts the rows of the audit log, the sub-districts' and the
// platform's: a refused change must not add one.
func (w *World) AuditCount() int {
	w.T.Helper()
	return w.Count(`SELECT (SELECT count(*) FROM audit_log) + (SELECT count(*) FROM platform_audit_log)`)
}

// Day is the calendar day s (2006-01-02) at midnight UTC, as the domain
// holds days (terms, exceptions, until days).
func Day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// Shanghai is the time zone of the worlds' sub-districts.
var Shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

// NextWeekday returns the day n days after now in Shanghai, moved forward to
// the weekday wd, at h:m Shanghai time.
func NextWeekday(now time.Time, n int, wd time.Weekday, h, m int) time.Time {
	d := now.In(Shanghai).AddDate(0, 0, n)
	for d.Weekday() != wd {
		d = d.AddDate(0, 0, 1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, Shanghai)
}

// ---- viewers ----

// System is a context acting as a trusted platform task.
func System() context.Context {
	return access.With(context.Background(), access.System("test"))
}

// Anonymous is a context acting as nobody: a visitor who has not signed in.
func Anonymous() context.Context { return context.Background() }

// As is a context acting as v.
func As(v access.Viewer) context.Context { return access.With(context.Background(), v) }

// Viewer is a context acting as a new account holding one role of kind
// over scope in sub-district sd.
func (w *World) Viewer(kind access.RoleKind, scope, sd string) context.Context {
	n := w.seq.Add(1)
	return As(access.Viewer{AccountID: fmt.Sprintf("00000000-0000-0000-0000-%012d", n), Username: fmt.Sprintf("%s-%d", kind, n),
		Roles: []access.Role{{Kind: kind, ScopeID: scope, SubdistrictID: sd}}})
}

// SubdistrictAdmin acts as an administrator of sub-district sd.
func (w *World) SubdistrictAdmin(sd string) context.Context {
	return w.Viewer(access.SubdistrictAdmin, sd, sd)
}

// CommitteeAdmin acts as an administrator of a committee of sd.
func (w *World) CommitteeAdmin(committee, sd string) context.Context {
	return w.Viewer(access.CommitteeAdmin, committee, sd)
}

// UnitAdmin acts as an administrator of a unit of sd.
func (w *World) UnitAdmin(unit, sd string) context.Context {
	return w.Viewer(access.UnitAdmin, unit, sd)
}

// Member acts as the person of sd, signed in to see their own records.
func (w *World) Member(person, sd string) context.Context {
	return w.Viewer(access.Member, person, sd)
}

// Outsider acts as a signed-in account holding no role at all.
func (w *World) Outsider() context.Context {
	return As(access.Viewer{AccountID: fmt.Sprintf("00000000-0000-0000-0000-%012d", w.seq.Add(1)), Username: "nobody"})
}
