package store

import (
	"strings"
	"testing"

	"cogov/internal/notify"
)

// TestAddNotificationArms checks that a note's statement holds the recipient
// arms of the kinds of audience it names and no other, each numbered after
// the six common arguments in order, and that a note naming no valid id
// writes nothing.
func TestAddNotificationArms(t *testing.T) {
	const u1, u2 = "5d8d043e-fdd6-4e0c-8c86-1711742eeaa0", "40b43c29-5763-41fa-b17d-16cf6a145529"
	base := notify.Note{SubdistrictID: u1, Kind: notify.BookingRequested, ObjectType: "Booking", ObjectID: u2}
	for _, tc := range []struct {
		name string
		to   notify.Audience
		want []string // arms, by what tells them apart, in order
	}{
		{"unit", notify.Audience{Units: []string{u1}}, []string{"'UNIT_ADMIN' AND r.scope_id = ANY($7::text[]::uuid[])"}},
		{"committee and accounts", notify.Audience{Committees: []string{u1}, Accounts: []string{u2}},
			[]string{"'COMMITTEE_ADMIN' AND r.scope_id = ANY($7::text[]::uuid[])", "unnest($8::text[]::uuid[])"}},
		{"every kind", notify.Audience{Units: []string{u1}, Committees: []string{u1}, Subdistricts: []string{u1}, Persons: []string{u1},
			Communities: []string{u1}, Meetings: []string{u1}, Accounts: []string{u1}},
			[]string{"'UNIT_ADMIN' AND r.scope_id = ANY($7::text[]::uuid[])", "'COMMITTEE_ADMIN' AND r.scope_id = ANY($8::text[]::uuid[])",
				"'SUBDISTRICT_ADMIN' AND r.scope_id = ANY($9::text[]::uuid[])", "'MEMBER' AND r.scope_id = ANY($10::text[]::uuid[])",
				"c.community_id = ANY($11::text[]::uuid[])", "i.meeting_id = ANY($12::text[]::uuid[])", "unnest($13::text[]::uuid[])"}},
		{"invalid ids only", notify.Audience{Units: []string{"not-a-uuid"}, Meetings: []string{""}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := base
			n.To = tc.to
			sql, args := addNotification(n)
			if tc.want == nil {
				if sql != "" || args != nil {
					t.Fatalf("got a statement for an audience of no valid id: %q %v", sql, args)
				}
				return
			}
			if len(args) != 6+len(tc.want) {
				t.Errorf("%d arguments, want %d", len(args), 6+len(tc.want))
			}
			if got := strings.Count(sql, "UNION"); got != len(tc.want)-1 {
				t.Errorf("%d UNIONs, want %d:\n%s", got, len(tc.want)-1, sql)
			}
			at := 0
			for _, w := range tc.want {
				i := strings.Index(sql[at:], w)
				if i < 0 {
					t.Fatalf("no %q after offset %d in:\n%s", w, at, sql)
				}
				at += i + len(w)
			}
		})
	}
}
