// Package access says who is acting and what their roles let them do. The
// GraphQL layer puts the Viewer in the request's context after checking the
// session; domain services ask it before they read non-public data or
// change anything, and the store records it in the audit log and hands it to
// PostgreSQL's row-level security.
package access

import "context"

// RoleKind is a kind of role; each role is scoped to one record.
type RoleKind string

// Role kinds.
const (
	// SubdistrictAdmin keeps a sub-district's structure and sees all of it; scope: a sub-district.
	SubdistrictAdmin RoleKind = "SUBDISTRICT_ADMIN"
	// CommitteeAdmin books for a committee, convenes its meetings, posts its needs; scope: a committee.
	CommitteeAdmin RoleKind = "COMMITTEE_ADMIN"
	// UnitAdmin manages a unit's venues, decides on their bookings, posts its offers; scope: a unit.
	UnitAdmin RoleKind = "UNIT_ADMIN"
	// Member is a person's own view of their memberships and invitations; scope: a person.
	Member RoleKind = "MEMBER"
	// GridWorker reports and settles the cases of one grid: its head, a
	// deputy or a worker; scope: a grid. A person working in several grids
	// holds one role per grid.
	GridWorker RoleKind = "GRID_WORKER"
	// Integration is another system pushing cases through the intake
	// endpoint (the 110 dispatch, the 12345 hotline); scope: its intake key.
	// It is never stored as an account's role: the intake endpoint gives it
	// to the request an API key signs.
	Integration RoleKind = "INTEGRATION"
)

// Role is a role held over one record (the scope) of one sub-district.
type Role struct {
	Kind          RoleKind
	ScopeID       string // the sub-district, committee, unit or person
	SubdistrictID string // the sub-district the scope belongs to
}

// Viewer is who makes a request. The zero Viewer is an anonymous visitor.
type Viewer struct {
	AccountID string
	Username  string
	SessionID string // the session the request is signed in with
	Roles     []Role
	System    bool // a trusted task of the platform itself (migrations, demo loading)
}

// System is the viewer of trusted platform tasks.
func System(label string) Viewer { return Viewer{Username: label, System: true} }

type key struct{}

// With returns ctx carrying v.
func With(ctx context.Context, v Viewer) context.Context { return context.WithValue(ctx, key{}, v) }

// From returns the viewer ctx carries; anonymous when none.
func From(ctx context.Context) Viewer {
	v, _ := ctx.Value(key{}).(Viewer)
	return v
}

// Anonymous reports whether nobody is signed in.
func (v Viewer) Anonymous() bool { return v.AccountID == "" && !v.System }

func (v Viewer) has(kind RoleKind, scope string) bool {
	for _, r := range v.Roles {
		if r.Kind == kind && r.ScopeID == scope {
			return true
		}
	}
	return false
}

// AdministersSubdistrict reports whether v administers the sub-district sd.
func (v Viewer) AdministersSubdistrict(sd string) bool {
	return v.AdministersPlatform() || v.has(SubdistrictAdmin, sd)
}

// AdministersCommittee reports whether v may act for a committee of sub-district sd.
func (v Viewer) AdministersCommittee(committeeID, sd string) bool {
	return v.AdministersSubdistrict(sd) || v.has(CommitteeAdmin, committeeID)
}

// AdministersUnit reports whether v may act for a unit of sub-district sd.
func (v Viewer) AdministersUnit(unitID, sd string) bool {
	return v.AdministersSubdistrict(sd) || v.has(UnitAdmin, unitID)
}

// WorksInGrid reports whether v may act on the cases of grid gridID of
// sub-district sd: its grid staff and the sub-district's administrators.
func (v Viewer) WorksInGrid(gridID, sd string) bool {
	return v.AdministersSubdistrict(sd) || v.has(GridWorker, gridID)
}

// Grids returns the grids of sub-district sd whose staff v belongs to.
func (v Viewer) Grids(sd string) []string { return v.scopes(GridWorker, sd) }

// Committees returns the committees of sub-district sd v administers.
func (v Viewer) Committees(sd string) []string { return v.scopes(CommitteeAdmin, sd) }

// Units returns the units of sub-district sd v administers.
func (v Viewer) Units(sd string) []string { return v.scopes(UnitAdmin, sd) }

func (v Viewer) scopes(kind RoleKind, sd string) []string {
	var out []string
	for _, r := range v.Roles {
		if r.Kind == kind && r.SubdistrictID == sd {
			out = append(out, r.ScopeID)
		}
	}
	return out
}

// IsPerson reports whether v is signed in as the person personID.
func (v Viewer) IsPerson(personID string) bool { return v.has(Member, personID) }

// InSubdistrict reports whether v holds any role in sub-district sd.
func (v Viewer) InSubdistrict(sd string) bool {
	if v.AdministersPlatform() {
		return true
	}
	for _, r := range v.Roles {
		if r.SubdistrictID == sd {
			return true
		}
	}
	return false
}

// PlatformAdmin runs the whole deployment: it may create sub-districts; no scope.
const PlatformAdmin RoleKind = "PLATFORM_ADMIN"

// AdministersPlatform reports whether v may act across sub-districts.
func (v Viewer) AdministersPlatform() bool { return v.System || v.has(PlatformAdmin, "") }

// StaffIn reports whether v works in sub-district sd: a platform
// administrator, or any role there but MEMBER (a member sees only their own
// records).
func (v Viewer) StaffIn(sd string) bool {
	if v.AdministersPlatform() {
		return true
	}
	for _, r := range v.Roles {
		if r.SubdistrictID == sd && r.Kind != Member {
			return true
		}
	}
	return false
}

// MemberPersons returns the people of sub-district sd that v is signed in as.
func (v Viewer) MemberPersons(sd string) []string {
	var out []string
	for _, r := range v.Roles {
		if r.Kind == Member && r.SubdistrictID == sd {
			out = append(out, r.ScopeID)
		}
	}
	return out
}
