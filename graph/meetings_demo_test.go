package graph_test

import (
	"testing"
	"time"
)

// TestMeetingDemoData checks the demo's joint meetings and lists, and who sees them.
func TestMeetingDemoData(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	const q = `{ subdistrict(code: "houjiatang") {
	  jointMeetings(first: 10, status: HELD) { totalCount edges { node { title agenda { title } minutes resolutions { text }
	    invitations(first: 100) { totalCount } attendees(first: 100) { totalCount } } } }
	  needs(first: 100) { totalCount edges { node { status level escalations { to } } } }
	  offers(first: 100) { totalCount edges { node { venue { name } } } }
	  active: projects(first: 10, status: ACTIVE) { totalCount edges { node { updates { percent } resolution { id } } } }
	  completed: projects(first: 10, status: COMPLETED) { totalCount }
	  dropped: projects(first: 10, status: DROPPED) { totalCount }
	} }`
	type conn struct {
		TotalCount int `json:"totalCount"`
	}
	var out struct {
		Subdistrict struct {
			JointMeetings struct {
				TotalCount int `json:"totalCount"`
				Edges      []struct {
					Node struct {
						Title       string
						Agenda      []struct{ Title string }
						Minutes     string
						Resolutions []struct{ Text string }
						Invitations conn
						Attendees   conn
					} `json:"node"`
				} `json:"edges"`
			} `json:"jointMeetings"`
			Needs struct {
				TotalCount int `json:"totalCount"`
				Edges      []struct {
					Node struct {
						Status, Level string
						Escalations   []struct{ To string }
					} `json:"node"`
				} `json:"edges"`
			} `json:"needs"`
			Offers struct {
				TotalCount int `json:"totalCount"`
				Edges      []struct {
					Node struct {
						Venue *struct{ Name string }
					} `json:"node"`
				} `json:"edges"`
			} `json:"offers"`
			Active struct {
				TotalCount int `json:"totalCount"`
				Edges      []struct {
					Node struct {
						Updates    []struct{ Percent int }
						Resolution *struct{ ID string }
					} `json:"node"`
				} `json:"edges"`
			} `json:"active"`
			Completed, Dropped conn
		} `json:"subdistrict"`
	}
	street := e.signIn("street-admin", "cogov-demo")
	street.do(q, nil, &out)
	s := out.Subdistrict
	if s.JointMeetings.TotalCount != 6 {
		t.Fatalf("%d held meetings, want 6", s.JointMeetings.TotalCount)
	}
	for _, ed := range s.JointMeetings.Edges {
		m := ed.Node
		// The working committee has 11 part-time members among its current seats.
		if len(m.Agenda) != 3 || m.Minutes == "" || len(m.Resolutions) == 0 || m.Invitations.TotalCount < 11 || m.Attendees.TotalCount == 0 ||
			m.Attendees.TotalCount >= m.Invitations.TotalCount {
			t.Errorf("meeting %s: %+v", m.Title, m)
		}
	}
	escalated := 0
	for _, ed := range s.Needs.Edges {
		if ed.Node.Level == "SUBDISTRICT" && len(ed.Node.Escalations) == 1 {
			escalated++
		}
	}
	if s.Needs.TotalCount != 8 || escalated != 1 {
		t.Errorf("%d needs, %d escalated", s.Needs.TotalCount, escalated)
	}
	venues := map[string]bool{}
	for _, ed := range s.Offers.Edges {
		if ed.Node.Venue != nil {
			venues[ed.Node.Venue.Name] = true
		}
	}
	if s.Offers.TotalCount != 6 || !venues["核工业地质局社区服务空间"] || !venues["水利厅老年活动中心"] {
		t.Errorf("offers: %d %v", s.Offers.TotalCount, venues)
	}
	if s.Active.TotalCount != 2 || s.Completed.TotalCount != 1 || s.Dropped.TotalCount != 1 || len(s.Active.Edges[0].Node.Updates) == 0 {
		t.Errorf("projects: %+v", s)
	}
	// Anonymous visitors see the lists but no meeting.
	var anon struct {
		Subdistrict struct {
			JointMeetings conn `json:"jointMeetings"`
			Needs         conn `json:"needs"`
		} `json:"subdistrict"`
	}
	e.do(`{ subdistrict(code: "houjiatang") { jointMeetings(first: 1) { totalCount } needs(first: 1) { totalCount } } }`, nil, &anon)
	if anon.Subdistrict.JointMeetings.TotalCount != 0 || anon.Subdistrict.Needs.TotalCount != 8 {
		t.Errorf("anonymous: %+v", anon)
	}
}

// TestMeetingBookingVisibility: a meeting's booking is shown by
// JointMeeting.booking exactly to those node(id:) shows it to (the
// booking's rule: the administrators of the sub-district, of the venue's
// unit and of the booking committee); every viewer of the meeting, an
// invitee among them, reads where it is held from JointMeeting.venue.
func TestMeetingBookingVisibility(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	street := e.signIn("street-admin", "cogov-demo")
	var f findVenues
	e.doOp(operation(t, "venues.graphql"), "FindVenues", map[string]any{"first": 1, "filter": map[string]any{"text": "核工业"}}, &f)
	venueID := f.Venues.Edges[0].Node.ID
	var wc struct {
		Subdistrict struct{ WorkingCommittee struct{ ID string } }
	}
	street.do(`{ subdistrict(code: "houjiatang") { workingCommittee { id } } }`, nil, &wc)
	// Tomorrow 14:00–16:00 in Asia/Shanghai, every current member invited.
	now := testNow().In(shanghai)
	start := time.Date(now.Year(), now.Month(), now.Day()+1, 14, 0, 0, 0, shanghai)
	p := street.payload(op(t, "meetings.graphql", "ScheduleJointMeeting"), "ScheduleJointMeeting", map[string]any{
		"convenerIds": []string{wc.Subdistrict.WorkingCommittee.ID}, "title": "街道大工委联席会议", "venueId": venueID,
		"startsAt": start.Format(time.RFC3339), "endsAt": start.Add(2 * time.Hour).Format(time.RFC3339)})
	m, _ := p["meeting"].(map[string]any)
	if m == nil || m["booking"] == nil {
		t.Fatalf("schedule: %v", p)
	}
	meetingID, bookingID := m["id"].(string), m["booking"].(map[string]any)["id"].(string)

	const q = `query($m: ID!, $b: ID!) {
		meeting: node(id: $m) { ... on JointMeeting { id booking { id } venue { id } invitations(first: 100) { totalCount } } }
		booking: node(id: $b) { id }
	}`
	for _, c := range []struct {
		user          string
		seesBooking   bool
		mustBeInvited bool
	}{
		{"street-admin", true, false}, // the sub-district's and the booking committee's administrator
		{"hnig-admin", true, false},   // the venue's unit
		{"member-demo", false, true},  // an invitee: a part-time member of the working committee
		{"community-1-admin", false, false},
	} {
		var out struct {
			Meeting *struct {
				ID          string
				Booking     *struct{ ID string }
				Venue       *struct{ ID string }
				Invitations struct{ TotalCount int }
			}
			Booking *struct{ ID string }
		}
		e.signIn(c.user, "cogov-demo").do(q, map[string]any{"m": meetingID, "b": bookingID}, &out)
		if out.Meeting == nil || out.Meeting.Venue == nil || out.Meeting.Venue.ID != venueID {
			t.Errorf("%s: the meeting and its venue: %+v", c.user, out.Meeting)
			continue
		}
		if c.mustBeInvited && out.Meeting.Invitations.TotalCount != 1 {
			t.Errorf("%s sees %d invitations, want their own: the case is not tested", c.user, out.Meeting.Invitations.TotalCount)
		}
		byMeeting, byNode := out.Meeting.Booking != nil, out.Booking != nil
		if byMeeting != c.seesBooking || byNode != c.seesBooking {
			t.Errorf("%s: the booking through the meeting %v, through node() %v; want %v both ways", c.user, byMeeting, byNode, c.seesBooking)
		}
	}
}
