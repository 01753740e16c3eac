package cases

import "cogov/internal/access"

// Who may read what of the grid cases. The GraphQL adapter, the exports
// and the service ask these functions; row-level security holds the same
// rules in the database (migration 00013: cases for those who work in the
// sub-district, residents' personal data for the case's handlers).

// CanSee reports whether v may see the cases of sub-district sd: those who
// work there (any role but member). Cases describe residents' troubles and
// are not public.
func CanSee(v access.Viewer, sd string) bool { return v.StaffIn(sd) }

// Handles reports whether v handles case c and so may see its residents'
// personal data (the reporter, the parties): the sub-district's
// administrators, the staff of its grid, the administrators of its
// community's party committee and of the unit it is routed to.
func Handles(v access.Viewer, c Case) bool {
	if v.AdministersSubdistrict(c.SubdistrictID) || v.WorksInGrid(c.GridID, c.SubdistrictID) {
		return true
	}
	if c.PartyCommitteeID != "" && v.AdministersCommittee(c.PartyCommitteeID, c.SubdistrictID) {
		return true
	}
	return c.RoutedUnitID != nil && v.AdministersUnit(*c.RoutedUnitID, c.SubdistrictID)
}

// ActsAt reports whether v may move case c at its current level: the
// sub-district's administrators always; the community's administrators up
// to the community level; the grid's staff at the grid level.
func ActsAt(v access.Viewer, c Case) bool {
	if v.AdministersSubdistrict(c.SubdistrictID) {
		return true
	}
	switch c.Level {
	case LevelGrid:
		if v.WorksInGrid(c.GridID, c.SubdistrictID) {
			return true
		}
		fallthrough
	case LevelCommunity:
		return c.PartyCommitteeID != "" && v.AdministersCommittee(c.PartyCommitteeID, c.SubdistrictID)
	}
	return false
}

// ForUnit reports whether v administers the unit case c is routed to.
func ForUnit(v access.Viewer, c Case) bool {
	return c.RoutedUnitID != nil && v.AdministersUnit(*c.RoutedUnitID, c.SubdistrictID)
}

// Shown returns c as v may see it: without the reporter's contact unless
// v handles it.
func Shown(v access.Viewer, c Case) Case {
	if !Handles(v, c) {
		c.Reporter = nil
	}
	return c
}

// OverdueScope is whose overdue cases a viewer watches: the level above the
// one a case is late at. Community administrators watch the grid cases of
// their communities; sub-district administrators the cases at the community
// level and above.
type OverdueScope struct {
	// Committees: the party committees whose communities' grid-level cases v watches.
	Committees []string
	// Subdistricts: where v watches cases at the community level and above.
	Subdistricts []string
}

// Empty reports whether the scope watches nothing.
func (s OverdueScope) Empty() bool { return len(s.Committees) == 0 && len(s.Subdistricts) == 0 }

// OverdueScopeOf returns whose overdue cases v watches.
func OverdueScopeOf(v access.Viewer) OverdueScope {
	var s OverdueScope
	for _, r := range v.Roles {
		switch r.Kind {
		case access.SubdistrictAdmin:
			s.Subdistricts = append(s.Subdistricts, r.ScopeID)
		case access.CommitteeAdmin:
			s.Committees = append(s.Committees, r.ScopeID)
		}
	}
	return s
}
