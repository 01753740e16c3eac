// Package structure holds the co-governance structure of a sub-district:
// communities and their grids, stationed units, committees, people and the
// seats they hold. It validates changes before the store writes them; the
// database holds the same invariants as a backstop.
package structure

import (
	"time"
)

// UnitKind is what kind of organisation a unit is.
type UnitKind string

// Unit kinds.
const (
	UnitProvincialAgency   UnitKind = "PROVINCIAL_AGENCY"
	UnitMunicipalAgency    UnitKind = "MUNICIPAL_AGENCY"
	UnitStateEnterprise    UnitKind = "STATE_ENTERPRISE"
	UnitPrivateEnterprise  UnitKind = "PRIVATE_ENTERPRISE"
	UnitInstitution        UnitKind = "INSTITUTION"
	UnitPropertyManagement UnitKind = "PROPERTY_MANAGEMENT"
	UnitSocialOrganization UnitKind = "SOCIAL_ORGANIZATION"
	UnitLawFirm            UnitKind = "LAW_FIRM"
	UnitSchool             UnitKind = "SCHOOL"
	UnitHospital           UnitKind = "HOSPITAL"
	UnitOther              UnitKind = "OTHER"
)

// Valid reports whether k is a known kind.
func (k UnitKind) Valid() bool {
	switch k {
	case UnitProvincialAgency, UnitMunicipalAgency, UnitStateEnterprise, UnitPrivateEnterprise,
		UnitInstitution, UnitPropertyManagement, UnitSocialOrganization, UnitLawFirm, UnitSchool,
		UnitHospital, UnitOther:
		return true
	}
	return false
}

// CommitteeKind is a committee's level and kind.
type CommitteeKind string

// Committee kinds.
const (
	WorkingCommittee        CommitteeKind = "SUBDISTRICT_WORKING_COMMITTEE"
	CommunityPartyCommittee CommitteeKind = "COMMUNITY_PARTY_COMMITTEE"
	CompoundPartyBranch     CommitteeKind = "COMPOUND_PARTY_BRANCH"
)

// Valid reports whether k is a known kind.
func (k CommitteeKind) Valid() bool {
	return k == WorkingCommittee || k == CommunityPartyCommittee || k == CompoundPartyBranch
}

// AtCommunityLevel reports whether committees of this kind belong to a community.
func (k CommitteeKind) AtCommunityLevel() bool { return k != WorkingCommittee }

// Role is the role a member holds on a committee.
type Role string

// Roles.
const (
	RoleSecretary       Role = "SECRETARY"
	RoleDeputySecretary Role = "DEPUTY_SECRETARY"
	RoleMember          Role = "MEMBER"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	return r == RoleSecretary || r == RoleDeputySecretary || r == RoleMember
}

// Subdistrict is a sub-district (街道), the tenant of every other record.
type Subdistrict struct {
	ID                 string
	Code               string
	Name               string
	TimeZone           string
	AreaKm2            *float64
	ResidentPopulation *int
	Demo               bool
}

// Community is a community (社区) of a sub-district.
type Community struct {
	ID            string
	SubdistrictID string
	Code          string
	Name          string
	Demo          bool
}

// Grid is a grid (网格) of a community.
type Grid struct {
	ID            string
	SubdistrictID string
	CommunityID   string
	Name          string
	Demo          bool
}

// Unit is a stationed unit (驻区单位).
type Unit struct {
	ID            string
	SubdistrictID string
	CommunityID   *string
	Name          string
	Kind          UnitKind
	Address       string
	Demo          bool
}

// Committee is a working committee, community party committee or compound party branch.
type Committee struct {
	ID            string
	SubdistrictID string
	CommunityID   *string
	Kind          CommitteeKind
	Name          string
	Demo          bool
}

// Person is a person known to a sub-district.
type Person struct {
	ID            string
	SubdistrictID string
	Name          string
	Demo          bool
}

// Membership is a seat on a committee for a term.
type Membership struct {
	ID            string
	SubdistrictID string
	CommitteeID   string
	PersonID      string
	Role          Role
	PartTime      bool
	UnitID        *string
	Title         string
	TermStart     time.Time  // a calendar day, at midnight UTC
	TermEnd       *time.Time // a calendar day, at midnight UTC; nil while open-ended
	Current       bool       // the term includes today in the sub-district's time zone
	Demo          bool
}

// GridStaffRole is a grid staff member's role.
type GridStaffRole string

// Grid staff roles.
const (
	GridHead       GridStaffRole = "HEAD"
	GridDeputyHead GridStaffRole = "DEPUTY_HEAD"
	GridWorker     GridStaffRole = "WORKER"
)

// GridStaff is a person working in a grid.
type GridStaff struct {
	GridID   string
	PersonID string
	Role     GridStaffRole
}
