package meeting

import (
	"cogov/internal/access"
	"cogov/internal/structure"
)

// Who may read what of the joint meetings. The GraphQL adapter and its
// loaders ask these functions; row-level security keeps meetings inside
// their sub-district in the database too. A meeting's venue is seen with
// the meeting (venues are public); the booking made for it follows the
// booking's own rule (booking.CanSee), wherever it is reached from.

// CanSee reports whether v may see the meetings of sub-district sd: anyone
// holding a role there. Minutes, invitations and attendance name people and
// record deliberations, so they stay inside the sub-district.
func CanSee(v access.Viewer, sd string) bool { return v.InSubdistrict(sd) }

// InviteesVisibleTo returns whose invitations and attendance of the meetings
// of sd the viewer may see: everyone's for those who work in the
// sub-district, a member's own only, as for the people themselves.
func InviteesVisibleTo(v access.Viewer, sd string) structure.PeopleScope {
	return structure.PeopleVisibleTo(v, sd)
}
