package graph_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"cogov/graph"
	"cogov/internal/access"
	"cogov/internal/demo"
	"cogov/internal/pgtest"
)

// local returns the uuid inside a global id.
func local(t testing.TB, gid string) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(gid)
	if err != nil {
		t.Fatal(err)
	}
	_, id, _ := strings.Cut(string(b), ":")
	return id
}

type demoIDs struct {
	sd, sdLocal string
	parties     []string // global ids of the 12 community party committees, in community order
}

type venueNode struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	AreaSqm      float64  `json:"areaSqm"`
	Capacity     int      `json:"capacity"`
	Facilities   []string `json:"facilities"`
	RequiresAppr bool     `json:"requiresApproval"`
	Unit         struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"unit"`
	Community struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"community"`
	OpeningHours []struct {
		Weekday string `json:"weekday"`
		Opens   string `json:"opens"`
		Closes  string `json:"closes"`
	} `json:"openingHours"`
}

type findVenues struct {
	Venues struct {
		TotalCount int `json:"totalCount"`
		PageInfo   struct {
			HasNextPage bool   `json:"hasNextPage"`
			EndCursor   string `json:"endCursor"`
		} `json:"pageInfo"`
		Edges []struct {
			Node venueNode `json:"node"`
		} `json:"edges"`
	} `json:"venues"`
}

func lookupDemo(t testing.TB, e *env) demoIDs {
	t.Helper()
	var out struct {
		Subdistrict struct {
			ID         string `json:"id"`
			Committees struct {
				Edges []struct {
					Node struct {
						ID        string `json:"id"`
						Community struct {
							Code string `json:"code"`
						} `json:"community"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"committees"`
		} `json:"subdistrict"`
	}
	e.do(`{ subdistrict(code: "houjiatang") { id committees(first: 20, kind: COMMUNITY_PARTY_COMMITTEE) { edges { node { id community { code } } } } } }`, nil, &out)
	d := demoIDs{sd: out.Subdistrict.ID, sdLocal: local(t, out.Subdistrict.ID), parties: make([]string, 12)}
	for _, c := range out.Subdistrict.Committees.Edges {
		var i int
		if _, err := fmtSscanf(c.Node.Community.Code, &i); err != nil {
			t.Fatal(err)
		}
		d.parties[i-1] = c.Node.ID
	}
	return d
}

func fmtSscanf(code string, i *int) (int, error) {
	n := 0
	for _, r := range strings.TrimPrefix(code, "c") {
		n = n*10 + int(r-'0')
	}
	*i = n
	return 1, nil
}

func (d demoIDs) committeeAdmin(t *testing.T, k int) access.Viewer {
	return access.Viewer{AccountID: "00000000-0000-0000-0000-0000000001" + string(rune('0'+k/10)) + string(rune('0'+k%10)),
		Username: "community-admin", Roles: []access.Role{{Kind: access.CommitteeAdmin, ScopeID: local(t, d.parties[k]), SubdistrictID: d.sdLocal}}}
}

func (d demoIDs) unitAdmin(t *testing.T, unitGID, name string) access.Viewer {
	return access.Viewer{AccountID: "00000000-0000-0000-0000-000000000200", Username: name,
		Roles: []access.Role{{Kind: access.UnitAdmin, ScopeID: local(t, unitGID), SubdistrictID: d.sdLocal}}}
}

// TestVenueContract runs venues.graphql against the demo data.
func TestVenueContract(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	doc := operation(t, "venues.graphql")
	d := lookupDemo(t, e)

	// A weekday 10:00–12:00 two weeks ahead for 150 people finds the 2,000 m² space.
	day := nextWeekday(14, time.Monday, 10, 0)
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	var f findVenues
	e.doOp(doc, "FindVenues", map[string]any{"first": 10, "filter": map[string]any{"subdistrictId": d.sd, "minCapacity": 150,
		"availableFrom": day.Format(time.RFC3339), "availableTo": day.Add(2 * time.Hour).Format(time.RFC3339)}}, &f)
	var hnig *venueNode
	for i, v := range f.Venues.Edges {
		if v.Node.Capacity < 150 {
			t.Errorf("%s holds %d < 150", v.Node.Name, v.Node.Capacity)
		}
		if v.Node.AreaSqm == 2000 {
			hnig = &f.Venues.Edges[i].Node
		}
	}
	if hnig == nil {
		t.Fatalf("FindVenues did not find the 2,000 m² service space: %+v", f.Venues.Edges)
	}
	if hnig.Unit.Name != "湖南省核工业地质局" || hnig.Kind != "SERVICE_SPACE" || !hnig.RequiresAppr || hnig.Capacity < 200 || len(hnig.OpeningHours) != 7 ||
		hnig.OpeningHours[0].Weekday != "MONDAY" || hnig.OpeningHours[0].Opens != "08:00" || hnig.OpeningHours[0].Closes != "21:30" {
		t.Errorf("service space = %+v", *hnig)
	}
	// Weekend-only grounds are not open on a weekday.
	for _, v := range f.Venues.Edges {
		if v.Node.Kind == "SPORTS_GROUND" {
			t.Errorf("%s is open on a weekday morning?", v.Node.Name)
		}
	}

	// Facilities (all present), text and paging.
	var g findVenues
	e.doOp(doc, "FindVenues", map[string]any{"first": 1, "filter": map[string]any{"facilities": []string{"舞台", "投影仪"}}}, &g)
	if g.Venues.TotalCount < 2 || !g.Venues.PageInfo.HasNextPage || len(g.Venues.Edges) != 1 {
		t.Errorf("facilities page 1: %+v", g.Venues)
	}
	var g2 findVenues
	e.doOp(doc, "FindVenues", map[string]any{"first": 100, "after": g.Venues.PageInfo.EndCursor, "filter": map[string]any{"facilities": []string{"舞台", "投影仪"}}}, &g2)
	if len(g2.Venues.Edges) != g.Venues.TotalCount-1 || g2.Venues.Edges[0].Node.ID == g.Venues.Edges[0].Node.ID {
		t.Errorf("facilities page 2: %d edges of %d", len(g2.Venues.Edges), g.Venues.TotalCount)
	}
	var txt findVenues
	e.doOp(doc, "FindVenues", map[string]any{"first": 10, "filter": map[string]any{"text": "停车场"}}, &txt)
	if txt.Venues.TotalCount != 2 {
		t.Errorf("text 停车场: %d venues", txt.Venues.TotalCount)
	}

	// VenueCalendar around the demo's approved booking three days ahead, 19:00–21:00.
	evening := nextWeekday(3, testNow().In(shanghai).AddDate(0, 0, 3).Weekday(), 0, 0)
	vars := map[string]any{"id": hnig.ID, "from": evening.Format(time.RFC3339), "to": evening.AddDate(0, 0, 1).Format(time.RFC3339)}
	type calendar struct {
		Node struct {
			ID           string `json:"id"`
			Availability []struct {
				Start string `json:"startsAt"`
				End   string `json:"endsAt"`
				State string `json:"state"`
			} `json:"availability"`
			Bookings struct {
				Edges []struct {
					Node struct {
						ID        string `json:"id"`
						Status    string `json:"status"`
						Purpose   string `json:"purpose"`
						Committee struct {
							Name string `json:"name"`
						} `json:"committee"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"bookings"`
		} `json:"node"`
	}
	var anon calendar
	e.doOp(doc, "VenueCalendar", vars, &anon)
	var states []string
	for _, s := range anon.Node.Availability {
		st, _ := time.Parse(time.RFC3339, s.Start)
		states = append(states, st.In(shanghai).Format("15:04")+" "+s.State)
	}
	want := "[00:00 CLOSED 08:00 FREE 19:00 BOOKED 21:30 CLOSED]"
	if got := strings.Join(strings.Fields(strings.Trim(strings.Join(states, " "), "[]")), " "); "["+got+"]" != want {
		t.Errorf("availability = %v, want %s", states, want)
	}
	if n := len(anon.Node.Bookings.Edges); n != 0 {
		t.Errorf("an anonymous visitor sees %d bookings", n)
	}
	var owner calendar
	e.as(d.unitAdmin(t, hnig.Unit.ID, "hnig-admin")).doOp(doc, "VenueCalendar", vars, &owner)
	if len(owner.Node.Bookings.Edges) != 1 || owner.Node.Bookings.Edges[0].Node.Purpose != "社区居民议事会" ||
		owner.Node.Bookings.Edges[0].Node.Status != "APPROVED" || owner.Node.Bookings.Edges[0].Node.Committee.Name == "" {
		t.Errorf("the owner sees %+v", owner.Node.Bookings.Edges)
	}
	var sys calendar
	e.system().doOp(doc, "VenueCalendar", vars, &sys)
	if len(sys.Node.Bookings.Edges) != 1 {
		t.Errorf("the platform sees %d bookings", len(sys.Node.Bookings.Edges))
	}
	var other calendar
	e.as(d.committeeAdmin(t, 5)).doOp(doc, "VenueCalendar", vars, &other)
	if len(other.Node.Bookings.Edges) != 0 {
		t.Errorf("another committee's admin sees %d bookings", len(other.Node.Bookings.Edges))
	}
}

type requestResult struct {
	RequestBooking struct {
		Bookings []struct {
			ID       string `json:"id"`
			Status   string `json:"status"`
			StartsAt string `json:"startsAt"`
			Venue    struct {
				ID string `json:"id"`
			} `json:"venue"`
		} `json:"bookings"`
		Skipped []struct {
			Start  string `json:"startsAt"`
			Reason string `json:"reason"`
		} `json:"skipped"`
		UserErrors []userError `json:"userErrors"`
	} `json:"requestBooking"`
}

type decision struct {
	Booking *struct {
		ID              string `json:"id"`
		Status          string `json:"status"`
		Version         int    `json:"version"`
		ActualAttendees *int   `json:"actualAttendees"`
	} `json:"booking"`
	UserErrors []userError `json:"userErrors"`
}

// TestBookingContract runs booking.graphql (but SignIn and Viewer) against the demo data.
func TestBookingContract(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	d := lookupDemo(t, e)
	var f findVenues
	e.doOp(operation(t, "venues.graphql"), "FindVenues", map[string]any{"first": 1, "filter": map[string]any{"text": "核工业"}}, &f)
	hnig := f.Venues.Edges[0].Node
	// Signed in as the demo accounts, so that the history names real accounts.
	owner := e.signIn("hnig-admin", demo.Password)
	c1 := e.signIn("community-1-admin", demo.Password)
	c2 := e.signIn("community-2-admin", demo.Password)

	start := nextWeekday(20, time.Tuesday, 14, 0)
	input := func(committee int, s time.Time, extra map[string]any) map[string]any {
		in := map[string]any{"venueId": hnig.ID, "committeeId": d.parties[committee], "startsAt": s.Format(time.RFC3339),
			"endsAt": s.Add(2 * time.Hour).Format(time.RFC3339), "purpose": "社区议事会", "expectedAttendees": 100}
		for k, v := range extra {
			in[k] = v
		}
		return map[string]any{"input": in}
	}
	var r requestResult
	c1.doOp(op(t, "booking.graphql", "RequestBooking"), "RequestBooking", input(0, start, map[string]any{"idempotencyKey": "k-1"}), &r)
	if len(r.RequestBooking.UserErrors) != 0 || len(r.RequestBooking.Bookings) != 1 || r.RequestBooking.Bookings[0].Status != "PENDING" {
		t.Fatalf("request: %+v", r.RequestBooking)
	}
	id := r.RequestBooking.Bookings[0].ID
	// Replay and mismatch.
	var again requestResult
	c1.doOp(op(t, "booking.graphql", "RequestBooking"), "RequestBooking", input(0, start, map[string]any{"idempotencyKey": "k-1"}), &again)
	if len(again.RequestBooking.Bookings) != 1 || again.RequestBooking.Bookings[0].ID != id {
		t.Errorf("replay: %+v", again.RequestBooking)
	}
	c1.doOp(op(t, "booking.graphql", "RequestBooking"), "RequestBooking", input(0, start.Add(time.Hour), map[string]any{"idempotencyKey": "k-1"}), &again)
	if codes(again.RequestBooking.UserErrors) != "INVALID_INPUT@input.idempotencyKey" {
		t.Errorf("key mismatch: %v", codes(again.RequestBooking.UserErrors))
	}
	// A conflicting request.
	var conflict requestResult
	c2.doOp(op(t, "booking.graphql", "RequestBooking"), "RequestBooking", input(1, start.Add(time.Hour), nil), &conflict)
	if codes(conflict.RequestBooking.UserErrors) != "BOOKING_CONFLICT@input.startsAt" || len(conflict.RequestBooking.Bookings) != 0 {
		t.Errorf("conflict: %+v", conflict.RequestBooking)
	}
	// The other rules' codes come back through GraphQL too.
	for _, c := range []struct {
		in   map[string]any
		code string
	}{
		{input(1, start.Add(8*time.Hour), nil), "OUTSIDE_OPENING_HOURS@input.startsAt"},
		{input(1, start.AddDate(0, 0, 1), map[string]any{"expectedAttendees": 900}), "CAPACITY_EXCEEDED@input.expectedAttendees"},
		{input(0, start.AddDate(0, 0, 1), nil), "FORBIDDEN@"},
	} {
		var res requestResult
		c2.doOp(op(t, "booking.graphql", "RequestBooking"), "RequestBooking", c.in, &res)
		if codes(res.RequestBooking.UserErrors) != c.code {
			t.Errorf("want %s, got %v", c.code, codes(res.RequestBooking.UserErrors))
		}
	}

	// Approval: refused, stale, right, twice.
	var a struct {
		ApproveBooking decision `json:"approveBooking"`
	}
	c1.doOp(op(t, "booking.graphql", "ApproveBooking"), "ApproveBooking", map[string]any{"input": map[string]any{"bookingId": id}}, &a)
	if codes(a.ApproveBooking.UserErrors) != "FORBIDDEN@" {
		t.Errorf("committee approves: %v", codes(a.ApproveBooking.UserErrors))
	}
	owner.doOp(op(t, "booking.graphql", "ApproveBooking"), "ApproveBooking", map[string]any{"input": map[string]any{"bookingId": id, "version": 9}}, &a)
	if codes(a.ApproveBooking.UserErrors) != "STALE_VERSION@input.version" {
		t.Errorf("stale: %v", codes(a.ApproveBooking.UserErrors))
	}
	owner.doOp(op(t, "booking.graphql", "ApproveBooking"), "ApproveBooking", map[string]any{"input": map[string]any{"bookingId": id, "version": 1, "note": "同意"}}, &a)
	if a.ApproveBooking.Booking == nil || a.ApproveBooking.Booking.Status != "APPROVED" || a.ApproveBooking.Booking.Version != 2 {
		t.Fatalf("approve: %+v", a.ApproveBooking)
	}
	owner.doOp(op(t, "booking.graphql", "ApproveBooking"), "ApproveBooking", map[string]any{"input": map[string]any{"bookingId": id}}, &a)
	if codes(a.ApproveBooking.UserErrors) != "INVALID_STATE@input.bookingId" {
		t.Errorf("approve twice: %v", codes(a.ApproveBooking.UserErrors))
	}

	// Reject another pending booking; cancel the approved one.
	var r2 requestResult
	c2.doOp(op(t, "booking.graphql", "RequestBooking"), "RequestBooking", input(1, start.AddDate(0, 0, 1), nil), &r2)
	var rj struct {
		RejectBooking decision `json:"rejectBooking"`
	}
	owner.doOp(op(t, "booking.graphql", "RejectBooking"), "RejectBooking", map[string]any{"input": map[string]any{"bookingId": r2.RequestBooking.Bookings[0].ID, "reason": "场地另有安排"}}, &rj)
	if rj.RejectBooking.Booking == nil || rj.RejectBooking.Booking.Status != "REJECTED" {
		t.Errorf("reject: %+v", rj.RejectBooking)
	}
	var cb struct {
		CancelBooking decision `json:"cancelBooking"`
	}
	c1.doOp(op(t, "booking.graphql", "CancelBooking"), "CancelBooking", map[string]any{"input": map[string]any{"bookingId": id, "reason": ""}}, &cb)
	if codes(cb.CancelBooking.UserErrors) != "BLANK@input.reason" {
		t.Errorf("cancel without reason: %v", codes(cb.CancelBooking.UserErrors))
	}
	c1.doOp(op(t, "booking.graphql", "CancelBooking"), "CancelBooking", map[string]any{"input": map[string]any{"bookingId": id, "reason": "改期", "scope": "OCCURRENCE"}}, &cb)
	if cb.CancelBooking.Booking == nil || cb.CancelBooking.Booking.Status != "CANCELLED" {
		t.Errorf("cancel: %+v", cb.CancelBooking)
	}

	// History, oldest first, with the actors as node(id:) shows them to the
	// reader: all of them to the sub-district's administrator, only itself
	// to the venue's unit administrator.
	var h struct {
		Node *struct {
			Status  string `json:"status"`
			History []struct {
				Action string `json:"action"`
				Note   string `json:"note"`
				Actor  *struct {
					ID       string `json:"id"`
					Username string `json:"username"`
				} `json:"actor"`
			} `json:"history"`
		} `json:"node"`
	}
	for _, reader := range []struct {
		as     *env
		name   string
		actors []string // "" where the reader may not see the account
	}{
		{e.signIn("street-admin", demo.Password), "street-admin", []string{"community-1-admin", "hnig-admin", "community-1-admin"}},
		{owner, "hnig-admin", []string{"", "hnig-admin", ""}},
	} {
		reader.as.doOp(op(t, "booking.graphql", "BookingHistory"), "BookingHistory", map[string]any{"id": id}, &h)
		if h.Node == nil || h.Node.Status != "CANCELLED" || len(h.Node.History) != 3 {
			t.Fatalf("history as %s: %+v", reader.name, h.Node)
		}
		for i, want := range []string{"booking.request", "booking.approve", "booking.cancel"} {
			ev := h.Node.History[i]
			actor := ""
			if ev.Actor != nil {
				actor = ev.Actor.Username
			}
			if ev.Action != want || actor != reader.actors[i] {
				t.Errorf("as %s, event %d = %+v, want %s by %q", reader.name, i, ev, want, reader.actors[i])
			}
		}
		if h.Node.History[2].Note != "改期" {
			t.Errorf("cancel event = %+v", h.Node.History[2])
		}
	}
	e.doOp(op(t, "booking.graphql", "BookingHistory"), "BookingHistory", map[string]any{"id": id}, &h)
	if h.Node != nil {
		t.Errorf("an anonymous visitor sees the booking: %+v", h.Node)
	}

	// Attendance for the demo's past approved booking (文艺汇演彩排, community 3).
	past := testNow().AddDate(0, 0, -5)
	var cal struct {
		Node struct {
			Bookings struct {
				Edges []struct {
					Node struct {
						ID      string `json:"id"`
						Status  string `json:"status"`
						Purpose string `json:"purpose"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"bookings"`
		} `json:"node"`
	}
	owner.doOp(operation(t, "venues.graphql"), "VenueCalendar", map[string]any{"id": hnig.ID, "from": past.Format(time.RFC3339), "to": testNow().Format(time.RFC3339)}, &cal)
	var pastID string
	for _, b := range cal.Node.Bookings.Edges {
		if b.Node.Purpose == "文艺汇演彩排" && b.Node.Status == "APPROVED" {
			pastID = b.Node.ID
		}
	}
	if pastID == "" {
		t.Fatalf("no past approved booking: %+v", cal.Node.Bookings.Edges)
	}
	var ra struct {
		RecordAttendance decision `json:"recordAttendance"`
	}
	owner.doOp(op(t, "booking.graphql", "RecordAttendance"), "RecordAttendance", map[string]any{"input": map[string]any{"bookingId": pastID, "actualAttendees": 140}}, &ra)
	if codes(ra.RecordAttendance.UserErrors) != "FORBIDDEN@" {
		t.Errorf("the owner records attendance: %v", codes(ra.RecordAttendance.UserErrors))
	}
	e.as(d.committeeAdmin(t, 2)).doOp(op(t, "booking.graphql", "RecordAttendance"), "RecordAttendance", map[string]any{"input": map[string]any{"bookingId": pastID, "actualAttendees": 140}}, &ra)
	if ra.RecordAttendance.Booking == nil || ra.RecordAttendance.Booking.Status != "COMPLETED" || *ra.RecordAttendance.Booking.ActualAttendees != 140 {
		t.Errorf("attendance: %+v", ra.RecordAttendance)
	}

	// A weekly series with a conflict on its third week, under both policies.
	blocker := nextWeekday(21, time.Thursday, 15, 0)
	var blk requestResult
	c2.doOp(op(t, "booking.graphql", "RequestBooking"), "RequestBooking", input(1, blocker.AddDate(0, 0, 14), nil), &blk)
	if len(blk.RequestBooking.UserErrors) != 0 {
		t.Fatalf("blocker: %v", codes(blk.RequestBooking.UserErrors))
	}
	rec := map[string]any{"recurrence": map[string]any{"frequency": "WEEKLY", "interval": 1, "count": 4, "weekdays": []string{"THURSDAY"}}}
	var all requestResult
	c1.doOp(op(t, "booking.graphql", "RequestBooking"), "RequestBooking", input(0, blocker, rec), &all)
	if !strings.HasPrefix(codes(all.RequestBooking.UserErrors), "BOOKING_CONFLICT") || len(all.RequestBooking.Bookings) != 0 {
		t.Errorf("all or nothing: %+v", all.RequestBooking)
	}
	rec["conflictPolicy"] = "SKIP_CONFLICTS"
	var skip requestResult
	c1.doOp(op(t, "booking.graphql", "RequestBooking"), "RequestBooking", input(0, blocker, rec), &skip)
	if len(skip.RequestBooking.Bookings) != 3 || len(skip.RequestBooking.Skipped) != 1 || skip.RequestBooking.Skipped[0].Reason != "BOOKING_CONFLICT" {
		t.Errorf("skip conflicts: %+v", skip.RequestBooking)
	}
}

// calendarFixture is the demo data, its 2,000 m² service space and the
// calendar feeds served on their own (the viewer from testViewerHeader).
func calendarFixture(t *testing.T) (*env, demoIDs, venueNode, *httptest.Server) {
	t.Helper()
	e := newEnv(t, true)
	d := lookupDemo(t, e)
	var f findVenues
	e.doOp(operation(t, "venues.graphql"), "FindVenues", map[string]any{"first": 1, "filter": map[string]any{"text": "核工业"}}, &f)
	res := graph.NewResolver(e.store, "", pgtest.Clock(t))
	srv := httptest.NewServer(testViewer(graph.CalendarHandler(res, e.store, slog.New(slog.NewTextHandler(io.Discard, nil)))))
	t.Cleanup(srv.Close)
	return e, d, f.Venues.Edges[0].Node, srv
}

// TestCalendarFeeds reads the .ics feeds back with the iCalendar library.
func TestCalendarFeeds(t *testing.T) {
	t.Parallel()
	e, d, hnig, srv := calendarFixture(t)
	get := func(path string, v *access.Viewer) (*http.Response, *ics.Calendar) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if v != nil {
			b, _ := jsonMarshal(v)
			req.Header.Set(testViewerHeader, string(b))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return resp, nil
		}
		cal, err := ics.ParseCalendar(resp.Body)
		if err != nil {
			t.Fatalf("parse %s: %v", path, err)
		}
		return resp, cal
	}
	resp, cal := get("/calendar/venues/"+hnig.ID+".ics", nil)
	if cal == nil || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("venue feed: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// The demo's approved and completed bookings of the service space: 3 past (2 completed, 1 approved) and 1 coming.
	if n := len(cal.Events()); n != 4 {
		t.Errorf("venue feed has %d events, want 4", n)
	}
	for _, ev := range cal.Events() {
		s, err1 := ev.GetStartAt()
		en, err2 := ev.GetEndAt()
		if err1 != nil || err2 != nil || !en.After(s) || !strings.HasSuffix(ev.Id(), "@cogov") {
			t.Errorf("event %s: %v %v %v %v", ev.Id(), s, en, err1, err2)
		}
		if sum := ev.GetProperty(ics.ComponentPropertySummary).Value; sum != "已预订 (booked)" {
			t.Errorf("an anonymous feed names the booking: %q", sum)
		}
	}
	ownerV := d.unitAdmin(t, hnig.Unit.ID, "hnig-admin")
	_, cal = get("/calendar/venues/"+hnig.ID+".ics", &ownerV)
	if cal == nil || !strings.Contains(cal.Events()[0].GetProperty(ics.ComponentPropertySummary).Value, "社区居民议事会") {
		t.Errorf("the owner's feed does not say what was booked")
	}
	if resp, _ := get("/calendar/committees/"+d.parties[0]+".ics", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("anonymous committee feed: %d", resp.StatusCode)
	}
	cv := d.committeeAdmin(t, 0)
	_, cal = get("/calendar/committees/"+d.parties[0]+".ics", &cv)
	if cal == nil || len(cal.Events()) < 3 {
		t.Fatalf("committee feed: %+v", cal)
	}
	if resp, _ := get("/calendar/venues/nonsense.ics", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown venue: %d", resp.StatusCode)
	}

	// A subscription address works without signing in, for that committee
	// only, until it is revoked.
	admin := e.signIn("community-1-admin", "cogov-demo")
	feed := admin.payload(feedOps, "CreateCalendarFeed", map[string]any{"committeeId": d.parties[0]})
	token, _ := feed["token"].(string)
	url, _ := feed["url"].(string)
	if token == "" || !strings.HasPrefix(url, "http://cogov.test/calendar/committees/"+d.parties[0]+".ics?token=") {
		t.Fatalf("createCalendarFeed = %v", feed)
	}
	url = strings.TrimPrefix(url, "http://cogov.test") // the harness's public address
	if _, cal := get(url, nil); cal == nil || len(cal.Events()) < 3 || strings.Contains(cal.Events()[0].GetProperty(ics.ComponentPropertySummary).Value, "已预订") {
		t.Errorf("subscribed feed: %+v", cal)
	}
	if resp, _ := get("/calendar/committees/"+d.parties[1]+".ics?token="+token, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("another committee's feed with this token: %d", resp.StatusCode)
	}
	if p := e.signIn("community-2-admin", "cogov-demo").payload(feedOps, "CreateCalendarFeed", map[string]any{"committeeId": d.parties[0]}); len(errCodes(p)) != 1 || errCodes(p)[0] != "FORBIDDEN" {
		t.Errorf("community-2-admin making community 1's feed: %v", p)
	}
	if p := admin.payload(feedOps, "RevokeCalendarFeeds", map[string]any{"committeeId": d.parties[0]}); p["revokedCount"].(float64) != 1 {
		t.Errorf("revokeCalendarFeeds = %v", p)
	}
	if resp, _ := get(url, nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("revoked feed: %d", resp.StatusCode)
	}
}

const feedOps = `
mutation CreateCalendarFeed($input: CreateCalendarFeedInput!) { createCalendarFeed(input: $input) { url token userErrors { code field message } } }
mutation RevokeCalendarFeeds($input: RevokeCalendarFeedsInput!) { revokeCalendarFeeds(input: $input) { revokedCount userErrors { code field message } } }
`

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }
