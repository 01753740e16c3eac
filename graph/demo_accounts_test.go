package graph_test

import (
	"testing"
	"time"
)

// TestDemoAccountsScope signs in as the demo accounts: community-1-admin
// books for community 1 and for no other committee; hnig-admin decides on
// bookings of its own venue and cannot touch the Department of Water
// Resources' one.
func TestDemoAccountsScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	street := e.signIn("street-admin", "cogov-demo")
	d := lookupDemo(t, street)

	// Find a weekday afternoon, some weeks ahead, when both big venues are free.
	var hnig, water string
	var start, end time.Time
	for days := 21; days < 50 && (hnig == "" || water == ""); days++ {
		day := testNow().In(shanghai).AddDate(0, 0, days)
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			continue
		}
		start = time.Date(day.Year(), day.Month(), day.Day(), 15, 0, 0, 0, shanghai)
		end = start.Add(2 * time.Hour)
		var out findVenues
		street.doOp(op(t, "venues.graphql", "FindVenues"), "FindVenues", map[string]any{"first": 10, "filter": map[string]any{
			"subdistrictId": d.sd, "minAreaSqm": 1000, "availableFrom": start.Format(time.RFC3339), "availableTo": end.Format(time.RFC3339)}}, &out)
		hnig, water = "", ""
		for _, ed := range out.Venues.Edges {
			switch ed.Node.Unit.Name {
			case "湖南省核工业地质局":
				hnig = ed.Node.ID
			case "湖南省水利厅":
				water = ed.Node.ID
			}
		}
	}
	if hnig == "" || water == "" {
		t.Fatal("no afternoon found when both big venues are free")
	}

	request := op(t, "booking.graphql", "RequestBooking")
	ask := func(as *env, venue, committee string) map[string]any {
		return as.payload(request, "RequestBooking", map[string]any{"venueId": venue, "committeeId": committee,
			"startsAt": start.Format(time.RFC3339), "endsAt": end.Format(time.RFC3339), "purpose": "居民议事会", "expectedAttendees": 60})
	}
	c1 := e.signIn("community-1-admin", "cogov-demo")
	if p := ask(c1, hnig, d.parties[1]); len(errCodes(p)) != 1 || errCodes(p)[0] != "FORBIDDEN" {
		t.Errorf("community-1-admin booking for community 2: %v", p)
	}
	p := ask(c1, hnig, d.parties[0])
	if len(errCodes(p)) != 0 {
		t.Fatalf("community-1-admin booking for community 1: %v", p)
	}
	mine := p["bookings"].([]any)[0].(map[string]any)
	if mine["status"] != "PENDING" {
		t.Errorf("the service space needs approval, got %v", mine["status"])
	}
	p = ask(e.signIn("community-2-admin", "cogov-demo"), water, d.parties[1])
	if len(errCodes(p)) != 0 {
		t.Fatalf("community-2-admin booking the elderly centre: %v", p)
	}
	theirs := p["bookings"].([]any)[0].(map[string]any)

	approve := op(t, "booking.graphql", "ApproveBooking")
	h := e.signIn("hnig-admin", "cogov-demo")
	if p := h.payload(approve, "ApproveBooking", map[string]any{"bookingId": theirs["id"]}); len(errCodes(p)) != 1 || errCodes(p)[0] != "FORBIDDEN" {
		t.Errorf("hnig-admin approving the water centre's booking: %v", p)
	}
	if p := h.payload(op(t, "booking.graphql", "CancelBooking"), "CancelBooking", map[string]any{"bookingId": theirs["id"], "reason": "x"}); len(errCodes(p)) != 1 || errCodes(p)[0] != "FORBIDDEN" {
		t.Errorf("hnig-admin cancelling the water centre's booking: %v", p)
	}
	p = h.payload(approve, "ApproveBooking", map[string]any{"bookingId": mine["id"]})
	if len(errCodes(p)) != 0 || p["booking"].(map[string]any)["status"] != "APPROVED" {
		t.Errorf("hnig-admin approving its own venue's booking: %v", p)
	}
	if p := e.signIn("water-admin", "cogov-demo").payload(approve, "ApproveBooking", map[string]any{"bookingId": theirs["id"]}); len(errCodes(p)) != 0 {
		t.Errorf("water-admin approving its own venue's booking: %v", p)
	}
}
