package booking

import (
	"slices"
	"strings"

	"cogov/internal/access"
)

// Who may read what of the bookings. When a venue is busy is public (free
// and busy slots); who booked it and why is for the sub-district's
// administrators, the venue unit's and the booking committee's. The GraphQL
// adapter, its loaders and the calendar feeds ask these functions.

// CanSee reports whether the viewer may see a booking in full.
func CanSee(v access.Viewer, b Booking) bool {
	return v.AdministersUnit(b.VenueUnitID, b.SubdistrictID) || v.AdministersCommittee(b.CommitteeID, b.SubdistrictID)
}

// Scope is which bookings of one venue a viewer may see in full, as a list
// filter takes it.
type Scope struct {
	// All: every booking of the venue.
	All bool
	// Committees, when not All, are the only committees whose bookings the
	// viewer may see (sorted, comma-separated ids, so that the scope can key
	// a batch); empty for none.
	Committees string
}

// None reports whether the scope holds no booking at all.
func (s Scope) None() bool { return !s.All && s.Committees == "" }

// ScopeAt returns which bookings of venue v the viewer may see in full: all
// of them for those who administer the venue's unit (or the sub-district),
// otherwise those of the committees they administer there.
func ScopeAt(viewer access.Viewer, v Venue) Scope {
	if viewer.AdministersUnit(v.UnitID, v.SubdistrictID) {
		return Scope{All: true}
	}
	var ids []string
	for _, r := range viewer.Roles {
		if r.Kind == access.CommitteeAdmin && r.SubdistrictID == v.SubdistrictID {
			ids = append(ids, r.ScopeID)
		}
	}
	slices.Sort(ids)
	return Scope{Committees: strings.Join(ids, ",")}
}
