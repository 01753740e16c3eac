package graph_test

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var dateTimeText = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)

// dateTimes collects every RFC 3339 instant in a decoded JSON answer.
func dateTimes(v any, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		for _, y := range x {
			dateTimes(y, out)
		}
	case []any:
		for _, y := range x {
			dateTimes(y, out)
		}
	case string:
		if dateTimeText.MatchString(x) {
			*out = append(*out, x)
		}
	}
}

// TestOneTimeZonePerAnswer reads the DateTime fields of the contract's
// answers over the demo data — venue calendars (opening edges and bookings),
// booking history, the sign-in's expiry, meetings, invitations, needs,
// escalations, offers, projects and their updates — as anonymous visitors
// and as signed-in administrators: every one is written with Houjiatang's
// offset, +08:00, whatever the instant was stored or computed as.
func TestOneTimeZonePerAnswer(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	street := e.signIn("street-admin", "cogov-demo")
	var found []string
	check := func(what string, out map[string]any) {
		t.Helper()
		var got []string
		dateTimes(out, &got)
		if len(got) == 0 {
			t.Errorf("%s: no DateTime in the answer: the check proves nothing", what)
		}
		for _, s := range got {
			if !strings.HasSuffix(s, "+08:00") {
				t.Errorf("%s: %s is not written with +08:00", what, s)
			}
		}
		found = append(found, got...)
	}

	var signIn map[string]any
	e.do(`mutation { signIn(input: {username: "hnig-admin", password: "cogov-demo"}) { token expiresAt } }`, nil, &signIn)
	check("SignIn", signIn)

	var venues map[string]any
	e.do(`{ venues(first: 1, filter: {text: "核工业"}) { edges { node { id } } } }`, nil, &venues)
	hnig := venues["venues"].(map[string]any)["edges"].([]any)[0].(map[string]any)["node"].(map[string]any)["id"].(string)
	now := testNow()
	from, to := now.AddDate(0, 0, -21).UTC().Format(time.RFC3339), now.AddDate(0, 0, 14).UTC().Format(time.RFC3339)
	for _, who := range []*env{e, street} {
		var cal map[string]any
		who.doOp(operation(t, "venues.graphql"), "VenueCalendar", map[string]any{"id": hnig, "from": from, "to": to}, &cal)
		check("VenueCalendar", cal)
	}
	var history map[string]any
	street.do(`query($id: ID!, $from: DateTime!, $to: DateTime!) { node(id: $id) { ... on Venue {
		closures(from: $from, to: $to) { startsAt endsAt start end }
		bookings(first: 20, from: $from, to: $to) { edges { node { startsAt endsAt requestedAt history { at } } } } } } }`,
		map[string]any{"id": hnig, "from": from, "to": to}, &history)
	check("booking history", history)
	var lists map[string]any
	street.do(`{ subdistrict(code: "houjiatang") {
		jointMeetings(first: 3) { edges { node { startsAt endsAt invitations(first: 5) { edges { node { respondedAt } } } } } }
		needs(first: 20) { edges { node { postedAt metAt closedAt escalations { at } } } }
		offers(first: 20) { edges { node { postedAt } } }
		projects(first: 20) { edges { node { launchedAt endedAt updates { at } } } } } }`, nil, &lists)
	check("meetings and lists", lists)
	t.Logf("%d DateTime values checked", len(found))
}
