package graph_test

import "testing"

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
