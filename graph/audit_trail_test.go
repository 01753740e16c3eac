package graph_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestLastAdministratorKeepsRole is the finding as a client saw it:
// street-admin, Houjiatang's only administrator, revoked their own
// SUBDISTRICT_ADMIN role and left the sub-district without one. Now the
// revocation is refused with LAST_ADMINISTRATOR and nothing is written.
func TestLastAdministratorKeepsRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	admin := e.signIn("street-admin", "cogov-demo")
	var v struct {
		Viewer struct {
			Roles []struct{ ID, Kind string }
		}
	}
	admin.do(`{ viewer { roles { id kind } } }`, nil, &v)
	if len(v.Viewer.Roles) != 1 || v.Viewer.Roles[0].Kind != "SUBDISTRICT_ADMIN" {
		t.Fatalf("street-admin's roles: %+v", v.Viewer.Roles)
	}
	before := e.auditCount()
	p := admin.payload(accountOps, "RevokeRole", map[string]any{"roleId": v.Viewer.Roles[0].ID})
	if c := errCodes(p); len(c) != 1 || c[0] != "LAST_ADMINISTRATOR" || p["role"] != nil {
		t.Errorf("street-admin revoking their own role: %v", p)
	}
	if e.auditCount() != before {
		t.Error("the refused revocation wrote to the audit log")
	}
	admin.do(`{ viewer { roles { id kind } } }`, nil, &v)
	if len(v.Viewer.Roles) != 1 {
		t.Errorf("street-admin's roles after the refusal: %+v", v.Viewer.Roles)
	}
}

// auditRow is one row of the audit log, as the tests read it.
type auditRow struct {
	Action, EntityType, ActorLabel, Note string
	ActorID, EntityID, Subdistrict       *string
	Addr, Username                       *string
}

// auditRows reads the audit rows of the given actions, oldest first, from
// the sub-districts' log and the platform's (rows without a sub-district).
func (e *env) auditRows(actions ...string) []auditRow {
	e.t.Helper()
	var rows []auditRow
	e.sysScan(`SELECT coalesce(json_agg(json_build_object('Action', action, 'EntityType', entity_type, 'ActorLabel', actor_label,
			'Note', note, 'ActorID', actor_id, 'EntityID', entity_id, 'Subdistrict', subdistrict_id,
			'Addr', coalesce(after, before) ->> 'remote_addr', 'Username', coalesce(after, before) ->> 'username') ORDER BY id), '[]')
		FROM (SELECT id, subdistrict_id, at, actor_id, actor_label, action, entity_type, entity_id, note, before, after FROM audit_log
			UNION ALL SELECT id, NULL, at, actor_id, actor_label, action, entity_type, entity_id, note, before, after FROM platform_audit_log) a
		WHERE action = ANY('{`+strings.Join(actions, ",")+`}')`, &rows)
	return rows
}

// TestAuditTrailOfAccounts: signing in (with the address, whether it
// succeeds or fails), signing out, ending an account's sessions and changing
// roles each leave rows in the audit log that say who did it; the rows of an
// account's sessions belong to its sub-district, whose administrators read
// them.
func TestAuditTrailOfAccounts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	var houjiatang, streetAdmin, clerkID string
	e.sysScan(`SELECT s.id, a.id FROM subdistrict s, account a WHERE s.code = 'houjiatang' AND a.username = 'street-admin'`, &houjiatang, &streetAdmin)

	signIn := op(t, "booking.graphql", "SignIn")
	e.payload(signIn, "SignIn", map[string]any{"username": "street-admin", "password": "wrong-password"})
	e.payload(signIn, "SignIn", map[string]any{"username": "no-such-user", "password": "cogov-demo"})
	failed := e.auditRows("sign-in.failed")
	if len(failed) != 2 {
		t.Fatalf("failed sign-ins: %+v", failed)
	}
	if f := failed[0]; f.EntityType != "account" || deref(f.EntityID) != streetAdmin || deref(f.Subdistrict) != houjiatang ||
		deref(f.Addr) != "127.0.0.1" || deref(f.Username) != "street-admin" || f.Note != "wrong password" {
		t.Errorf("a wrong password: %+v", f)
	}
	// An unknown username is not kept: it may be a password typed in the wrong field.
	if f := failed[1]; f.EntityID != nil || f.Subdistrict != nil || f.Username != nil || deref(f.Addr) != "127.0.0.1" || f.Note != "unknown username" {
		t.Errorf("an unknown username: %+v", f)
	}

	admin := e.signIn("street-admin", "cogov-demo")
	in := e.auditRows("sign-in")
	if len(in) != 1 || in[0].EntityType != "session" || deref(in[0].ActorID) != streetAdmin || in[0].ActorLabel != "street-admin" ||
		deref(in[0].Subdistrict) != houjiatang || deref(in[0].Addr) != "127.0.0.1" {
		t.Errorf("a sign-in: %+v", in)
	}

	var o overview
	admin.doOp(operation(t, "structure.graphql"), "SubdistrictOverview", map[string]any{"code": "houjiatang"}, &o)
	p := admin.payload(accountOps, "CreateAccount", map[string]any{"username": "audit-clerk", "password": "long-enough-1", "subdistrictId": o.Subdistrict.ID})
	clerkID = p["account"].(map[string]any)["id"].(string)
	p = admin.payload(accountOps, "GrantRole", map[string]any{"accountId": clerkID, "kind": "COMMITTEE_ADMIN", "scopeId": o.Subdistrict.Committees.Edges[0].Node.ID})
	role := p["role"].(map[string]any)["id"].(string)
	clerk := e.signIn("audit-clerk", "long-enough-1")
	e.signIn("audit-clerk", "long-enough-1")
	admin.payload(accountOps, "RevokeRole", map[string]any{"roleId": role})
	var roles []auditRow // the demo loader's grants come first
	for _, r := range e.auditRows("role.grant", "role.revoke") {
		if r.ActorLabel == "street-admin" {
			roles = append(roles, r)
		}
	}
	if len(roles) != 2 || roles[0].Action != "role.grant" || roles[1].Action != "role.revoke" ||
		deref(roles[1].ActorID) != streetAdmin || deref(roles[1].Subdistrict) != houjiatang {
		t.Errorf("role changes: %+v", roles)
	}

	clerk.payload(accountOps, "SignOut", map[string]any{})
	out := e.auditRows("sign-out")
	if len(out) != 1 || out[0].EntityType != "session" || out[0].ActorLabel != "audit-clerk" || deref(out[0].Subdistrict) != houjiatang {
		t.Errorf("a sign-out: %+v", out)
	}
	p = admin.payload(accountOps, "RevokeSessions", map[string]any{"accountId": clerkID})
	if p["revokedCount"].(float64) != 1 {
		t.Fatalf("revokeSessions: %v", p)
	}
	revoked := e.auditRows("session.revoke-all")
	if len(revoked) != 1 || revoked[0].EntityType != "session" || deref(revoked[0].ActorID) != streetAdmin || deref(revoked[0].Subdistrict) != houjiatang {
		t.Errorf("ending the clerk's sessions: %+v", revoked)
	}
	// Ending sessions that have all ended already changes nothing and records nothing.
	before := e.auditCount()
	admin.payload(accountOps, "RevokeSessions", map[string]any{"accountId": clerkID})
	if e.auditCount() != before {
		t.Error("ending no session wrote to the audit log")
	}

	// The sub-district's administrators read these rows in the database
	// too: row-level security gives them the rows of their sub-district.
	var visible int
	err := pgx.BeginFunc(context.Background(), e.db.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(context.Background(), `SELECT set_config('cogov.viewer_ready', 'on', true),
			set_config('cogov.viewer_sds', $1, true)`, "{"+houjiatang+"}"); err != nil {
			return err
		}
		return tx.QueryRow(context.Background(), `SELECT count(*) FROM audit_log
			WHERE action IN ('sign-in', 'sign-out', 'sign-in.failed', 'session.revoke-all')`).Scan(&visible)
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := len(failed) - 1 + 3 + len(out) + len(revoked); visible != want { // all but the unknown username's
		t.Errorf("street-admin's sub-district sees %d session rows, want %d", visible, want)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// TestNoOpUpdatesWriteNothing: an update that changes nothing but
// updated_at leaves no audit row. Creating a venue, and setting its hours or
// rules, rewrote the venue's row unchanged, and each rewrite was recorded
// with identical before and after.
func TestNoOpUpdatesWriteNothing(t *testing.T) {
	t.Parallel()
	e, f := newFixture(t)
	sys := e.system()
	before := e.auditCount()
	f.admin.ok("UpdateCommunity", "community", map[string]any{"id": f.c2, "name": "二社区"}) // its name already
	if e.auditCount() != before {
		t.Errorf("renaming a community to its own name wrote %d audit rows", e.auditCount()-before)
	}
	p := sys.payload(bookingOps, "CreateVenue", map[string]any{"unitId": f.unit, "communityId": f.c1, "name": "会议室", "kind": "MEETING_ROOM", "capacity": 50})
	venue := p["venue"].(map[string]any)["id"].(string)
	week := []map[string]any{{"weekday": "MONDAY", "opens": "08:00", "closes": "18:00"}}
	sys.payload(bookingOps, "SetOpeningHours", map[string]any{"venueId": venue, "weekly": week})
	rules := map[string]any{"venueId": venue, "requiresApproval": true, "minDurationMinutes": 30, "maxDurationMinutes": 480,
		"minNoticeMinutes": 0, "maxDaysAhead": 365, "bufferMinutes": 0, "eligibility": "ALL_COMMITTEES_OF_SUBDISTRICT"}
	sys.payload(bookingOps, "SetBookingRules", rules)
	sys.payload(bookingOps, "SetBookingRules", rules) // the same rules again
	var same, venueRows int
	e.sysScan(`SELECT count(*) FILTER (WHERE before IS NOT NULL AND after IS NOT NULL AND (before - 'updated_at') = (after - 'updated_at')),
		count(*) FILTER (WHERE entity_type = 'venue') FROM audit_log`, &same, &venueRows)
	if same != 0 {
		t.Errorf("%d audit rows record an update that changed nothing", same)
	}
	if venueRows != 2 { // the insert, and the rules' first change
		t.Errorf("%d audit rows of the venue itself, want 2 (its creation and the changed rules)", venueRows)
	}
}
