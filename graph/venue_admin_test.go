package graph_test

import (
	"testing"
	"time"
)

// hnigVenue returns the global ids of the unit and the community of the
// demo's 2,000 m² space (of the nuclear-industry geological bureau).
func hnigVenue(t *testing.T, e *env) (unit, community string) {
	t.Helper()
	var f findVenues
	e.doOp(operation(t, "venues.graphql"), "FindVenues", map[string]any{"first": 1, "filter": map[string]any{"text": "核工业"}}, &f)
	return f.Venues.Edges[0].Node.Unit.ID, f.Venues.Edges[0].Node.Community.ID
}

// TestVenueAdministration runs the venue mutations through GraphQL as the
// unit's administrator: a new venue, its hours and rules, a closure that
// reports the bookings it hits, and deactivation; then broken inputs, each
// refused with its code and nothing written.
func TestVenueAdministration(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	street := e.signIn("street-admin", "cogov-demo")
	d := lookupDemo(t, street)
	hnigUnit, community := hnigVenue(t, street)
	h := e.signIn("hnig-admin", "cogov-demo")

	p := h.payload(bookingOps, "CreateVenue", map[string]any{"unitId": hnigUnit, "communityId": community, "name": "地质局小会议室",
		"kind": "MEETING_ROOM", "capacity": 30, "areaSqm": 60, "facilities": []string{"投影仪", "白板"}})
	if len(errCodes(p)) != 0 {
		t.Fatalf("createVenue: %v", p)
	}
	venue := p["venue"].(map[string]any)["id"].(string)
	var week []map[string]any
	for _, day := range []string{"MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"} {
		week = append(week, map[string]any{"weekday": day, "opens": "09:00", "closes": "12:00"},
			map[string]any{"weekday": day, "opens": "14:00", "closes": "21:00"})
	}
	if p := h.payload(bookingOps, "SetOpeningHours", map[string]any{"venueId": venue, "weekly": week}); len(errCodes(p)) != 0 {
		t.Fatalf("setOpeningHours: %v", p)
	}
	rules := map[string]any{"venueId": venue, "requiresApproval": false, "minDurationMinutes": 30, "maxDurationMinutes": 240,
		"minNoticeMinutes": 60, "maxDaysAhead": 90, "bufferMinutes": 15, "eligibility": "ALL_COMMITTEES_OF_SUBDISTRICT"}
	if p := h.payload(bookingOps, "SetBookingRules", rules); len(errCodes(p)) != 0 {
		t.Fatalf("setBookingRules: %v", p)
	}
	// A committee books it (no approval needed), then a closure hits the booking.
	day := nextWeekday(10, time.Wednesday, 15, 0)
	c3 := e.signIn("community-3-admin", "cogov-demo")
	p = c3.payload(bookingOps, "RequestBooking", map[string]any{"venueId": venue, "committeeId": d.parties[2],
		"startsAt": day.Format(time.RFC3339), "endsAt": day.Add(time.Hour).Format(time.RFC3339), "purpose": "党员学习", "expectedAttendees": 20})
	if len(errCodes(p)) != 0 || p["bookings"].([]any)[0].(map[string]any)["status"] != "APPROVED" {
		t.Fatalf("requestBooking: %v", p)
	}
	var closure map[string]any
	var data map[string]map[string]any
	h.doOp(`mutation($input: AddClosureInput!) { addClosure(input: $input) { closure { id startsAt endsAt start end } affectedBookings { id status } userErrors { code } } }`, "",
		map[string]any{"input": map[string]any{"venueId": venue, "startsAt": day.Add(-time.Hour).Format(time.RFC3339), "endsAt": day.Add(3 * time.Hour).Format(time.RFC3339), "reason": "线路检修"}}, &data)
	closure = data["addClosure"]
	if aff := closure["affectedBookings"].([]any); len(aff) != 1 {
		t.Errorf("addClosure reports %v", closure)
	}
	// The deprecated names answer the same as the new ones.
	if c, _ := closure["closure"].(map[string]any); c == nil || c["startsAt"] != c["start"] || c["endsAt"] != c["end"] || c["startsAt"] == nil {
		t.Errorf("closure window: %v", closure["closure"])
	}
	if p := h.payload(bookingOps, "RemoveClosure", map[string]any{"closureId": closure["closure"].(map[string]any)["id"]}); len(errCodes(p)) != 0 {
		t.Errorf("removeClosure: %v", p)
	}
	if p := h.payload(bookingOps, "UpdateVenue", map[string]any{"venueId": venue, "capacity": 40, "description": "可容纳40人"}); len(errCodes(p)) != 0 {
		t.Errorf("updateVenue: %v", p)
	}

	bad := []struct {
		name, op string
		input    map[string]any
		code     string
	}{
		{"blank name", "CreateVenue", map[string]any{"unitId": hnigUnit, "communityId": community, "name": " ", "kind": "HALL", "capacity": 10}, "BLANK"},
		{"no capacity", "CreateVenue", map[string]any{"unitId": hnigUnit, "communityId": community, "name": "零", "kind": "HALL", "capacity": 0}, "INVALID_INPUT"},
		{"negative area", "CreateVenue", map[string]any{"unitId": hnigUnit, "communityId": community, "name": "负", "kind": "HALL", "capacity": 5, "areaSqm": -3}, "INVALID_INPUT"},
		{"photo not a URL", "UpdateVenue", map[string]any{"venueId": venue, "photoUrls": []string{"javascript:alert(1)"}}, "INVALID_INPUT"},
		{"closes before opens", "SetOpeningHours", map[string]any{"venueId": venue, "weekly": []map[string]any{{"weekday": "MONDAY", "opens": "18:00", "closes": "09:00"}}}, "INVALID_INPUT"},
		{"overlapping ranges", "SetOpeningHours", map[string]any{"venueId": venue, "weekly": []map[string]any{{"weekday": "MONDAY", "opens": "09:00", "closes": "12:00"}, {"weekday": "MONDAY", "opens": "11:00", "closes": "13:00"}}}, "INVALID_INPUT"},
		{"max below min", "SetBookingRules", map[string]any{"venueId": venue, "requiresApproval": true, "minDurationMinutes": 120, "maxDurationMinutes": 60,
			"minNoticeMinutes": 0, "maxDaysAhead": 30, "bufferMinutes": 0, "eligibility": "ALL_COMMITTEES_OF_SUBDISTRICT"}, "INVALID_INPUT"},
		{"closure ends first", "AddClosure", map[string]any{"venueId": venue, "start": day.Format(time.RFC3339), "end": day.Add(-time.Hour).Format(time.RFC3339)}, "INVALID_INPUT"},
		{"closure ends first (startsAt)", "AddClosure", map[string]any{"venueId": venue, "startsAt": day.Format(time.RFC3339), "endsAt": day.Add(-time.Hour).Format(time.RFC3339)}, "INVALID_INPUT"},
		{"closure without a window", "AddClosure", map[string]any{"venueId": venue, "reason": "?"}, "INVALID_INPUT"},
		{"unknown venue", "DeactivateVenue", map[string]any{"venueId": d.parties[0]}, "NOT_FOUND"},
	}
	for _, c := range bad {
		before := e.auditCount()
		p := h.payload(bookingOps, c.op, c.input)
		if codes := errCodes(p); len(codes) == 0 || codes[0] != c.code {
			t.Errorf("%s: %v, want %s", c.name, p["userErrors"], c.code)
		}
		if e.auditCount() != before {
			t.Errorf("%s: refused but written", c.name)
		}
	}

	if p := h.payload(bookingOps, "DeactivateVenue", map[string]any{"venueId": venue}); len(errCodes(p)) != 0 {
		t.Fatalf("deactivateVenue: %v", p)
	}
	var after findVenues
	street.doOp(operation(t, "venues.graphql"), "FindVenues", map[string]any{"first": 10, "filter": map[string]any{"text": "地质局小会议室"}}, &after)
	if after.Venues.TotalCount != 0 {
		t.Errorf("a deactivated venue is still in the directory")
	}
}
