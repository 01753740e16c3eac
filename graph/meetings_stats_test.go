package graph_test

import (
	"context"
	"math"
	"testing"
	"time"

	"cogov/internal/access"
	"cogov/internal/booking"
)

type dashboard struct {
	Subdistrict struct {
		ID    string `json:"id"`
		Stats struct {
			PartTimeMembers    int      `json:"partTimeMembers"`
			UnitsSharingVenues int      `json:"unitsSharingVenues"`
			SharedAreaSqm      float64  `json:"sharedAreaSqm"`
			BookingsApproved   int      `json:"bookingsApproved"`
			BookedHours        float64  `json:"bookedHours"`
			Attendees          int      `json:"attendees"`
			VenueUtilization   *float64 `json:"venueUtilization"`
			JointMeetingsHeld  int      `json:"jointMeetingsHeld"`
			NeedsOpen          int      `json:"needsOpen"`
			NeedsMet           int      `json:"needsMet"`
			ProjectsActive     int      `json:"projectsActive"`
			ProjectsCompleted  int      `json:"projectsCompleted"`
		} `json:"stats"`
		Units struct {
			Edges []struct {
				Node struct {
					ID           string `json:"id"`
					Name         string `json:"name"`
					Contribution struct {
						HostedBookings int     `json:"hostedBookings"`
						HostedHours    float64 `json:"hostedHours"`
						Attendees      int     `json:"attendees"`
					} `json:"contribution"`
				} `json:"node"`
			} `json:"edges"`
		} `json:"units"`
	} `json:"subdistrict"`
}

// TestFiguresByHand computes the figures of a tiny sub-district (Asia/Shanghai,
// UTC+8) for the days 2025-03-01 and 2025-03-02, that is the instants
// [2025-02-28T16:00Z, 2025-03-02T16:00Z), and compares them with the
// numbers worked out by hand in the comments. An anonymous visitor reads
// them: they are public aggregates.
func TestFiguresByHand(t *testing.T) {
	t.Parallel()
	e, f := newFixture(t)
	sys := e.system()
	u2 := sys.ok("CreateUnit", "unit", map[string]any{"subdistrictId": f.sd, "name": "第二单位", "kind": "SCHOOL", "communityId": f.c1})
	venue := func(unit, name string, area float64, opens, closes string) string {
		p := sys.payload(bookingOps, "CreateVenue", map[string]any{"unitId": unit, "communityId": f.c1, "name": name, "kind": "HALL",
			"capacity": 100, "areaSqm": area})
		id := p["venue"].(map[string]any)["id"].(string)
		var week []map[string]any
		for _, d := range []string{"MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"} {
			week = append(week, map[string]any{"weekday": d, "opens": opens, "closes": closes})
		}
		sys.payload(bookingOps, "SetOpeningHours", map[string]any{"venueId": id, "weekly": week})
		return id
	}
	// A: 100 m², open 08:00–20:00 (12 h a day); C: 200 m², open around the
	// clock (24 h a day); B: 999 m², no longer taking bookings, so it counts nowhere.
	a := venue(f.unit, "甲厅", 100, "08:00", "20:00")
	c := venue(u2, "丙厅", 200, "00:00", "24:00")
	b := venue(f.unit, "乙厅", 999, "00:00", "24:00")
	sys.payload(bookingOps, "DeactivateVenue", map[string]any{"venueId": b})

	// Seats: two current part-time seats, one ended part-time seat, one full-time seat → partTimeMembers 2.
	sys.ok("CreateMembership", "membership", map[string]any{"committeeId": f.wc, "personId": f.p1, "role": "MEMBER", "partTime": true, "unitId": f.unit, "termStart": "2024-01-01"})
	sys.ok("CreateMembership", "membership", map[string]any{"committeeId": f.pc, "personId": f.p2, "role": "MEMBER", "partTime": true, "unitId": u2, "termStart": "2024-01-01"})
	sys.ok("CreateMembership", "membership", map[string]any{"committeeId": f.wc, "personId": f.p3, "role": "MEMBER", "partTime": true, "unitId": u2, "termStart": "2020-01-01", "termEnd": "2020-12-31"})
	sys.ok("CreateMembership", "membership", map[string]any{"committeeId": f.pc, "personId": f.p3, "role": "MEMBER", "partTime": false, "termStart": "2024-01-01"})

	sh := time.FixedZone("CST", 8*3600)
	at := func(d, hm string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", d+" "+hm, sh)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	ctx := access.With(context.Background(), access.System("test"))
	book := func(venue string, start, end time.Time, status booking.Status, attended *int) {
		t.Helper()
		bk := booking.Booking{SubdistrictID: rawID(t, f.sd), VenueID: rawID(t, venue), CommitteeID: rawID(t, f.pc), Start: start, End: end,
			HeldEnd: end, Purpose: "活动", ExpectedAttendees: 10, Status: status, ActualAttendees: attended}
		if _, _, err := e.store.CreateBookings(ctx, booking.NewRequest{SubdistrictID: bk.SubdistrictID, VenueID: bk.VenueID,
			CommitteeID: bk.CommitteeID, Fingerprint: "test"}, []booking.Booking{bk}, false); err != nil {
			t.Fatal(err)
		}
	}
	n := func(v int) *int { return &v }
	// #1 A, 03-01 10:00–12:00, completed, 12 came: counts; 2 h; 12 attendees.
	book(a, at("2025-03-01", "10:00"), at("2025-03-01", "12:00"), booking.Completed, n(12))
	// #2 C, 02-28 22:00 – 03-01 02:00, completed, 50 came: starts before the
	// period, so it does not count, but its 2 h after midnight do; its 50 attendees do not.
	book(c, at("2025-02-28", "22:00"), at("2025-03-01", "02:00"), booking.Completed, n(50))
	// #3 C, 03-02 23:00 – 03-03 01:00, completed, 30 came: counts; 1 h inside; 30 attendees.
	book(c, at("2025-03-02", "23:00"), at("2025-03-03", "01:00"), booking.Completed, n(30))
	// #4 C, 03-01 03:00–04:00 local, which is 02-28 19:00Z: inside in the
	// sub-district's time zone although its UTC date is outside; counts; 1 h.
	book(c, time.Date(2025, 2, 28, 19, 0, 0, 0, time.UTC), time.Date(2025, 2, 28, 20, 0, 0, 0, time.UTC), booking.Approved, nil)
	// #5 A, 03-03 00:30–01:30 local (03-02 16:30Z): its UTC date is inside, but it is outside.
	book(a, time.Date(2025, 3, 2, 16, 30, 0, 0, time.UTC), time.Date(2025, 3, 2, 17, 30, 0, 0, time.UTC), booking.Approved, nil)
	// #6 A pending and #7 C cancelled inside the period: neither counts.
	book(a, at("2025-03-01", "14:00"), at("2025-03-01", "15:00"), booking.Pending, nil)
	book(c, at("2025-03-01", "14:00"), at("2025-03-01", "15:00"), booking.Cancelled, nil)
	// bookingsApproved = #1 #3 #4 = 3; bookedHours = 2 + 2 + 1 + 1 = 6;
	// attendees = 12 + 30 = 42. Open hours: A 12 h × 2 days + C 24 h × 2
	// days = 72 h, so venueUtilization = 6 / 72.

	// Meetings: one held on 03-01 14:00 (counts), one held at 03-03 00:30
	// local (03-02 16:30Z, outside), one cancelled inside → jointMeetingsHeld 1.
	meet := func(start time.Time, held bool) {
		p := sys.payload(meetingOps, "ScheduleJointMeeting", map[string]any{"convenerIds": []string{f.wc}, "title": "联席会议",
			"startsAt": start.Format(time.RFC3339), "endsAt": start.Add(time.Hour).Format(time.RFC3339)})
		id := p["meeting"].(map[string]any)["id"].(string)
		if held {
			sys.payload(meetingOps, "RecordMeetingOutcome", map[string]any{"meetingId": id, "attendeeMembershipIds": []string{}, "minutes": "纪要"})
		} else {
			sys.payload(meetingOps, "CancelJointMeeting", map[string]any{"meetingId": id, "reason": "取消"})
		}
	}
	meet(at("2025-03-01", "14:00"), true)
	meet(time.Date(2025, 3, 2, 16, 30, 0, 0, time.UTC), true)
	meet(at("2025-03-02", "09:00"), false)

	// Needs, with their times set by hand (local times):
	// N1 posted 02-20, open → open at the end.
	// N2 posted 02-20, met 03-01 12:00 → met in the period.
	// N3 posted 03-02 10:00, closed 03-05 → open at the end.
	// N4 posted 03-05 → not yet posted.
	// N5 posted 03-01 04:00 (02-28 20:00Z), met 03-03 01:00 → open at the end.
	// needsOpen = 3 (N1 N3 N5), needsMet = 1 (N2).
	need := func(status, created, ended string) string {
		id := sys.payload(meetingOps, "PostNeed", map[string]any{"committeeId": f.pc, "title": "需求", "category": "OTHER"})["need"].(map[string]any)["id"].(string)
		if status != "OPEN" {
			sys.payload(meetingOps, "SetNeedStatus", map[string]any{"needId": id, "status": status})
		}
		col := map[string]string{"MET": "met_at", "CLOSED": "closed_at"}[status]
		set := "created_at = '" + created + "'"
		if col != "" {
			set += ", " + col + " = '" + ended + "'"
		}
		var k int
		e.sysScan(`WITH u AS (UPDATE need SET `+set+` WHERE id = '`+rawID(t, id)+`' RETURNING 1) SELECT count(*) FROM u`, &k)
		return id
	}
	need("OPEN", "2025-02-20 10:00+08", "")
	need("MET", "2025-02-20 10:00+08", "2025-03-01 12:00+08")
	need("CLOSED", "2025-03-02 10:00+08", "2025-03-05 10:00+08")
	need("OPEN", "2025-03-05 10:00+08", "")
	need("MET", "2025-03-01 04:00+08", "2025-03-03 01:00+08")

	// Projects of the unit: P1 launched 02-01, active → active at the end;
	// P2 launched 02-01, completed 03-02 12:00 → completed in the period;
	// P3 launched 02-01, dropped 02-27 → neither; P4 launched 03-04 → neither.
	// projectsActive = 1, projectsCompleted = 1.
	project := func(end, created, ended string) {
		nid := sys.payload(meetingOps, "PostNeed", map[string]any{"committeeId": f.pc, "title": "项目需求", "category": "OTHER"})["need"].(map[string]any)["id"].(string)
		id := sys.payload(meetingOps, "LaunchProject", map[string]any{"title": "项目", "needIds": []string{nid}, "ownerId": f.unit})["project"].(map[string]any)["id"].(string)
		switch end {
		case "COMPLETED":
			sys.payload(meetingOps, "CompleteProject", map[string]any{"projectId": id})
		case "DROPPED":
			sys.payload(meetingOps, "DropProject", map[string]any{"projectId": id, "reason": "放弃"})
		}
		set := "created_at = '" + created + "'"
		if ended != "" {
			set += ", ended_at = '" + ended + "'"
		}
		var k int
		e.sysScan(`WITH u AS (UPDATE project SET `+set+` WHERE id = '`+rawID(t, id)+`' RETURNING 1) SELECT count(*) FROM u`, &k)
		// The project's need is posted now, after the period: it does not count.
		_ = nid
	}
	project("", "2025-02-01 10:00+08", "")
	project("COMPLETED", "2025-02-01 10:00+08", "2025-03-02 12:00+08")
	project("DROPPED", "2025-02-01 10:00+08", "2025-02-27 12:00+08")
	project("", "2025-03-04 10:00+08", "")

	var d dashboard
	e.doOp(op(t, "meetings.graphql", "SubdistrictDashboard"), "SubdistrictDashboard", map[string]any{"code": "testsd", "from": "2025-03-01", "to": "2025-03-02"}, &d)
	s := d.Subdistrict.Stats
	want := map[string]float64{"partTimeMembers": 2, "unitsSharingVenues": 2, "sharedAreaSqm": 300, "bookingsApproved": 3, "bookedHours": 6,
		"attendees": 42, "venueUtilization": 6.0 / 72, "jointMeetingsHeld": 1, "needsOpen": 3, "needsMet": 1, "projectsActive": 1, "projectsCompleted": 1}
	got := map[string]float64{"partTimeMembers": float64(s.PartTimeMembers), "unitsSharingVenues": float64(s.UnitsSharingVenues),
		"sharedAreaSqm": s.SharedAreaSqm, "bookingsApproved": float64(s.BookingsApproved), "bookedHours": s.BookedHours,
		"attendees": float64(s.Attendees), "jointMeetingsHeld": float64(s.JointMeetingsHeld), "needsOpen": float64(s.NeedsOpen),
		"needsMet": float64(s.NeedsMet), "projectsActive": float64(s.ProjectsActive), "projectsCompleted": float64(s.ProjectsCompleted)}
	if s.VenueUtilization != nil {
		got["venueUtilization"] = *s.VenueUtilization
	}
	for k, w := range want {
		if math.Abs(got[k]-w) > 1e-9 {
			t.Errorf("%s = %v, want %v", k, got[k], w)
		}
	}
	// Contributions: the unit's venue A hosted #1 (2 h, 12 people); the
	// second unit's venue C hosted #3 and #4 (starting inside) and the 2 h
	// of #2 inside the period: 4 h, 30 people.
	contrib := map[string][3]float64{}
	for _, ed := range d.Subdistrict.Units.Edges {
		c := ed.Node.Contribution
		contrib[ed.Node.ID] = [3]float64{float64(c.HostedBookings), c.HostedHours, float64(c.Attendees)}
	}
	if got, want := contrib[f.unit], [3]float64{1, 2, 12}; got != want {
		t.Errorf("unit contribution %v, want %v", got, want)
	}
	if got, want := contrib[u2], [3]float64{2, 4, 30}; got != want {
		t.Errorf("second unit contribution %v, want %v", got, want)
	}

	// The page of units loads the first period its selection asks for with
	// it (graph/follow.go, units); a second period under another alias, and
	// a unit read by id, go through the Contribution loader. Both give the
	// same figures: b the period above, a its second day, read by id too.
	type figures struct {
		HostedBookings int     `json:"hostedBookings"`
		HostedHours    float64 `json:"hostedHours"`
		Attendees      int     `json:"attendees"`
	}
	var two struct {
		Subdistrict struct {
			Units struct {
				Edges []struct {
					Node struct {
						ID   string  `json:"id"`
						RawA figures `json:"a"`
						RawB figures `json:"b"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"units"`
		} `json:"subdistrict"`
	}
	e.do(`query($code: String!) { subdistrict(code: $code) { units(first: 100) { edges { node { id
		a: contribution(from: "2025-03-02", to: "2025-03-02") { hostedBookings hostedHours attendees }
		b: contribution(from: "2025-03-01", to: "2025-03-02") { hostedBookings hostedHours attendees } } } } } }`,
		map[string]any{"code": "testsd"}, &two)
	if len(two.Subdistrict.Units.Edges) != len(d.Subdistrict.Units.Edges) {
		t.Fatalf("%d units, want %d", len(two.Subdistrict.Units.Edges), len(d.Subdistrict.Units.Edges))
	}
	for _, ed := range two.Subdistrict.Units.Edges {
		n := ed.Node
		if got, want := [3]float64{float64(n.RawB.HostedBookings), n.RawB.HostedHours, float64(n.RawB.Attendees)}, contrib[n.ID]; got != want {
			t.Errorf("unit %s: contribution through the loader %v, with the page %v", n.ID, got, want)
		}
		var byID struct {
			Node struct {
				Contribution figures `json:"contribution"`
			} `json:"node"`
		}
		e.do(`query($id: ID!) { node(id: $id) { ... on Unit { contribution(from: "2025-03-02", to: "2025-03-02") { hostedBookings hostedHours attendees } } } }`,
			map[string]any{"id": n.ID}, &byID)
		if byID.Node.Contribution != n.RawA {
			t.Errorf("unit %s: contribution of 03-02 by id %+v, with the page %+v", n.ID, byID.Node.Contribution, n.RawA)
		}
	}
	// A community's page of units loads them too (by community).
	var community struct {
		Node struct {
			Units struct {
				Edges []struct {
					Node struct {
						ID           string  `json:"id"`
						Contribution figures `json:"contribution"`
					} `json:"node"`
				} `json:"edges"`
			} `json:"units"`
		} `json:"node"`
	}
	e.do(`query($id: ID!) { node(id: $id) { ... on Community { units(first: 10) { edges { node { id
		contribution(from: "2025-03-01", to: "2025-03-02") { hostedBookings hostedHours attendees } } } } } } }`,
		map[string]any{"id": f.c1}, &community)
	if ed := community.Node.Units.Edges; len(ed) != 1 || ed[0].Node.ID != u2 || ed[0].Node.Contribution != (figures{2, 4, 30}) {
		t.Errorf("community's units: %+v, want the second unit with 2 bookings, 4 h, 30 people", ed)
	}
}
