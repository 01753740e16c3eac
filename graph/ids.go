package graph

import (
	"cogov/internal/gid"
	"cogov/internal/store"
)

// Global ids are opaque to clients: base64url of "Type:uuid". The type lets
// node(id:) find the record; clients must not take them apart.

func globalID(typ, id string) string { return gid.Encode(typ, id) }

// parseGlobalID splits a global id into its type and uuid; ok is false for
// anything this server did not issue.
func parseGlobalID(g string) (typ, id string, ok bool) {
	typ, id, ok = gid.Decode(g)
	if !ok || !store.IsUUID(id) {
		return "", "", false
	}
	return typ, id, true
}

// localID returns the uuid of a global id of type typ, or "" when gid is not one.
func localID(typ, gid string) string {
	t, id, ok := parseGlobalID(gid)
	if !ok || t != typ {
		return ""
	}
	return id
}

// localIDs is localID over a list.
func localIDs(typ string, gids []string) []string {
	out := make([]string, len(gids))
	for i, g := range gids {
		out[i] = localID(typ, g)
	}
	return out
}

// optLocalID is localID for an optional argument.
func optLocalID(typ string, gid *string) *string {
	if gid == nil {
		return nil
	}
	id := localID(typ, *gid)
	return &id
}

// noMatch stands for a filter id that names nothing: no record has it.
var noMatch = "00000000-0000-0000-0000-000000000000"

// filterID turns an optional filter argument into a uuid; an id that is not
// of the type filters everything out.
func filterID(typ string, gid *string) string {
	if gid == nil {
		return ""
	}
	if id := localID(typ, *gid); id != "" {
		return id
	}
	return noMatch
}

// Type names used in global ids.
const (
	typeSubdistrict = "Subdistrict"
	typeCommunity   = "Community"
	typeGrid        = "Grid"
	typeUnit        = "Unit"
	typeCommittee   = "Committee"
	typePerson      = "Person"
	typeMembership  = "Membership"
	typeAccount     = "Account"
	typeRole        = "Role"
)
