package graph_test

import (
	"testing"
	"time"

	"cogov/internal/demo"
)

// freeAfternoon finds a weekday afternoon, some weeks ahead, when the demo
// venue of the unit named unit is free for two hours; it returns the venue's
// global id and the window.
func freeAfternoon(t *testing.T, e *env, sd, unit string, fromDays int) (string, time.Time, time.Time) {
	t.Helper()
	for days := fromDays; days < fromDays+40; days++ {
		day := testNow().In(shanghai).AddDate(0, 0, days)
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			continue
		}
		start := time.Date(day.Year(), day.Month(), day.Day(), 15, 0, 0, 0, shanghai)
		end := start.Add(2 * time.Hour)
		var out findVenues
		e.doOp(op(t, "venues.graphql", "FindVenues"), "FindVenues", map[string]any{"first": 10, "filter": map[string]any{
			"subdistrictId": sd, "minAreaSqm": 1000, "availableFrom": start.Format(time.RFC3339), "availableTo": end.Format(time.RFC3339)}}, &out)
		for _, ed := range out.Venues.Edges {
			if ed.Node.Unit.Name == unit {
				return ed.Node.ID, start, end
			}
		}
	}
	t.Fatalf("no free afternoon at %s", unit)
	return "", time.Time{}, time.Time{}
}

type inboxResult struct {
	Viewer struct {
		Inbox struct {
			TotalCount int `json:"totalCount"`
			Edges      []struct {
				Node struct {
					Kind     string  `json:"kind"`
					Since    string  `json:"since"`
					Deadline *string `json:"deadline"`
					Object   struct {
						ID       string `json:"id"`
						Typename string `json:"__typename"`
						Status   string `json:"status"`
					} `json:"object"`
				} `json:"node"`
			} `json:"edges"`
		} `json:"inbox"`
	} `json:"viewer"`
}

// inboxHas reports whether the inbox of as lists the object id as kind.
func inboxHas(t *testing.T, as *env, kind, id string) (bool, int) {
	t.Helper()
	var in inboxResult
	as.doOp(op(t, "daily.graphql", "Inbox"), "Inbox", map[string]any{"first": 100}, &in)
	for _, ed := range in.Viewer.Inbox.Edges {
		if ed.Node.Kind == kind && ed.Node.Object.ID == id {
			return true, in.Viewer.Inbox.TotalCount
		}
	}
	return false, in.Viewer.Inbox.TotalCount
}

type bookingsResult struct {
	Node struct {
		Bookings struct {
			TotalCount int `json:"totalCount"`
			Edges      []struct {
				Node struct {
					ID       string `json:"id"`
					Status   string `json:"status"`
					StartsAt string `json:"startsAt"`
				} `json:"node"`
			} `json:"edges"`
		} `json:"bookings"`
	} `json:"node"`
}

// TestWorkLists: a request of community 1 at the 2,000 m² space appears in
// hnig-admin's inbox and in the unit's pending requests, and in community 1's
// bookings; it leaves the inbox once approved. Others see none of it.
func TestWorkLists(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	street := e.signIn("street-admin", demo.Password)
	d := lookupDemo(t, street)
	venue, start, end := freeAfternoon(t, street, d.sd, "湖南省核工业地质局", 21)
	c1 := e.signIn("community-1-admin", demo.Password)
	owner := e.signIn("hnig-admin", demo.Password)
	_, before := inboxHas(t, owner, "", "")

	p := c1.payload(op(t, "booking.graphql", "RequestBooking"), "RequestBooking", map[string]any{"venueId": venue, "committeeId": d.parties[0],
		"startsAt": start.Format(time.RFC3339), "endsAt": end.Format(time.RFC3339), "purpose": "居民议事会", "expectedAttendees": 60})
	if len(errCodes(p)) != 0 {
		t.Fatalf("request: %v", p)
	}
	id := p["bookings"].([]any)[0].(map[string]any)["id"].(string)

	if ok, n := inboxHas(t, owner, "BOOKING_TO_APPROVE", id); !ok || n != before+1 {
		t.Errorf("hnig-admin's inbox: has it %v, count %d (was %d)", ok, n, before)
	}
	if ok, _ := inboxHas(t, street, "BOOKING_TO_APPROVE", id); !ok {
		t.Error("the sub-district's administrator decides too: not in street-admin's inbox")
	}
	for _, other := range []string{"water-admin", "community-2-admin"} {
		if ok, _ := inboxHas(t, e.signIn(other, demo.Password), "BOOKING_TO_APPROVE", id); ok {
			t.Errorf("%s's inbox has the request", other)
		}
	}

	mine := func(as *env, status []string) bookingsResult {
		var r bookingsResult
		vars := map[string]any{"committeeId": d.parties[0], "first": 100, "from": start.Add(-time.Hour).Format(time.RFC3339), "to": end.Format(time.RFC3339)}
		if status != nil {
			vars["status"] = status
		}
		as.doOp(op(t, "daily.graphql", "MyCommitteeBookings"), "MyCommitteeBookings", vars, &r)
		return r
	}
	if r := mine(c1, []string{"PENDING"}); r.Node.Bookings.TotalCount != 1 || r.Node.Bookings.Edges[0].Node.ID != id {
		t.Errorf("community 1's pending bookings: %+v", r.Node.Bookings)
	}
	if r := mine(c1, []string{"APPROVED"}); r.Node.Bookings.TotalCount != 0 {
		t.Errorf("community 1's approved bookings before approval: %+v", r.Node.Bookings)
	}
	if r := mine(e.signIn("community-2-admin", demo.Password), nil); r.Node.Bookings.TotalCount != 0 {
		t.Errorf("community-2-admin sees community 1's bookings: %+v", r.Node.Bookings)
	}

	requests := func(as *env) int {
		var r struct {
			Node struct {
				Unit struct {
					BookingRequests struct {
						TotalCount int `json:"totalCount"`
					} `json:"bookingRequests"`
				} `json:"unit"`
			} `json:"node"`
		}
		as.do(`query($v: ID!, $from: DateTime, $to: DateTime) { node(id: $v) { ... on Venue { unit { bookingRequests(status: [PENDING], from: $from, to: $to) { totalCount } } } } }`,
			map[string]any{"v": venue, "from": start.Format(time.RFC3339), "to": end.Format(time.RFC3339)}, &r)
		return r.Node.Unit.BookingRequests.TotalCount
	}
	if n := requests(owner); n != 1 {
		t.Errorf("the unit's pending requests in the window: %d", n)
	}
	if n := requests(c1); n != 0 {
		t.Errorf("community-1-admin reads the unit's requests: %d", n)
	}

	if p := owner.payload(op(t, "booking.graphql", "ApproveBooking"), "ApproveBooking", map[string]any{"bookingId": id}); len(errCodes(p)) != 0 {
		t.Fatalf("approve: %v", p)
	}
	if ok, n := inboxHas(t, owner, "BOOKING_TO_APPROVE", id); ok || n != before {
		t.Errorf("after approval the inbox still has it (%v) or counts %d, not %d", ok, n, before)
	}
	if r := mine(c1, []string{"APPROVED", "PENDING"}); r.Node.Bookings.TotalCount != 1 || r.Node.Bookings.Edges[0].Node.Status != "APPROVED" {
		t.Errorf("community 1's bookings after approval: %+v", r.Node.Bookings)
	}
}
