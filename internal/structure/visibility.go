package structure

import (
	"slices"
	"strings"

	"cogov/internal/access"
)

// Who may read what of the structure. Communities, grids, units and
// committees are public. People — their names, committee seats and grid
// posts — are for those who work in the sub-district (any role there but
// member); a member sees only their own person and seats. The GraphQL
// adapter and its loaders ask these functions and pass the answer on;
// row-level security holds the same rule in the database.

// CanSeePeople reports whether the viewer may see every person of
// sub-district sd, their seats and the grid staff.
func CanSeePeople(v access.Viewer, sd string) bool { return v.StaffIn(sd) }

// CanSeePerson reports whether the viewer may see one person of sd and their
// seats: those who may see the sub-district's people, and the person
// themselves.
func CanSeePerson(v access.Viewer, sd, personID string) bool {
	return CanSeePeople(v, sd) || v.IsPerson(personID)
}

// CanSeePersonRecord is CanSeePerson for a person as read.
func CanSeePersonRecord(v access.Viewer, p Person) bool {
	return CanSeePerson(v, p.SubdistrictID, p.ID)
}

// CanSeeSeat is CanSeePerson for the holder of a seat as read.
func CanSeeSeat(v access.Viewer, m Membership) bool {
	return CanSeePerson(v, m.SubdistrictID, m.PersonID)
}

// PeopleScope is the part of one sub-district's people a viewer may see,
// as a list filter takes it.
type PeopleScope struct {
	// None: the viewer may see nobody there, so a list is empty without asking.
	None bool
	// Only, when not empty, lists the only people the viewer may see
	// (sorted, comma-separated ids, so that the scope can key a batch);
	// empty means everyone.
	Only string
}

// PeopleVisibleTo returns which people of sub-district sd the viewer may see.
func PeopleVisibleTo(v access.Viewer, sd string) PeopleScope {
	if CanSeePeople(v, sd) {
		return PeopleScope{}
	}
	own := v.MemberPersons(sd)
	slices.Sort(own)
	return PeopleScope{None: len(own) == 0, Only: strings.Join(own, ",")}
}
