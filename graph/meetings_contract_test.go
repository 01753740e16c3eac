package graph_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cogov/graph"
)

// TestJointMeetingDoneWhen is the "done when", through the
// operations of meetings.graphql against the demo data, signed in as the
// demo accounts: the sub-district administrator schedules a joint meeting of
// the working committee at the 2,000 m² service space (booking it), invites
// the 11 part-time members, records attendance, minutes and a resolution,
// and launches a project from that resolution matching a community's need
// with a unit's offer; then the dashboard shows it.
func TestJointMeetingDoneWhen(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	d := lookupDemo(t, e)
	street := e.signIn("street-admin", "cogov-demo")
	hnigAdmin := e.signIn("hnig-admin", "cogov-demo")
	community1 := e.signIn("community-1-admin", "cogov-demo")

	var f findVenues
	e.doOp(operation(t, "venues.graphql"), "FindVenues", map[string]any{"first": 1, "filter": map[string]any{"text": "核工业"}}, &f)
	hnig := f.Venues.Edges[0].Node
	if hnig.AreaSqm != 2000 {
		t.Fatalf("the service space is %v m²", hnig.AreaSqm)
	}
	var wc struct {
		Subdistrict struct {
			WorkingCommittee struct {
				ID          string `json:"id"`
				Memberships struct {
					Edges []struct {
						Node struct {
							ID string `json:"id"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"memberships"`
			} `json:"workingCommittee"`
		} `json:"subdistrict"`
	}
	street.do(`{ subdistrict(code: "houjiatang") { workingCommittee { id memberships(first: 100, partTime: true, current: true) { edges { node { id } } } } } }`, nil, &wc)
	var partTime []string
	for _, ed := range wc.Subdistrict.WorkingCommittee.Memberships.Edges {
		partTime = append(partTime, ed.Node.ID)
	}
	if len(partTime) != 11 {
		t.Fatalf("%d part-time members of the working committee, want 11", len(partTime))
	}

	// Schedule: tomorrow 14:00–16:00 in Asia/Shanghai, inside the venue's hours.
	sh, _ := time.LoadLocation("Asia/Shanghai")
	now := testNow().In(sh)
	start := time.Date(now.Year(), now.Month(), now.Day()+1, 14, 0, 0, 0, sh)
	doc := operation(t, "meetings.graphql")
	var sched struct {
		ScheduleJointMeeting struct {
			Meeting *struct {
				ID        string `json:"id"`
				Status    string `json:"status"`
				Conveners []struct {
					ID   string `json:"id"`
					Kind string `json:"kind"`
				} `json:"conveners"`
				Booking struct {
					ID     string `json:"id"`
					Status string `json:"status"`
					Venue  struct {
						ID string `json:"id"`
					} `json:"venue"`
				} `json:"booking"`
				Agenda []struct {
					Position int    `json:"position"`
					Title    string `json:"title"`
				} `json:"agenda"`
				Invitations struct {
					TotalCount int `json:"totalCount"`
					Edges      []struct {
						Node struct {
							ID         string `json:"id"`
							Response   string `json:"response"`
							Membership struct {
								ID     string `json:"id"`
								Person struct {
									Name string `json:"name"`
								} `json:"person"`
							} `json:"membership"`
						} `json:"node"`
					} `json:"edges"`
				} `json:"invitations"`
			} `json:"meeting"`
			UserErrors []userError `json:"userErrors"`
		} `json:"scheduleJointMeeting"`
	}
	input := map[string]any{"convenerIds": []string{wc.Subdistrict.WorkingCommittee.ID}, "title": "街道大工委联席会议",
		"startsAt": start.Format(time.RFC3339), "endsAt": start.Add(2 * time.Hour).Format(time.RFC3339), "venueId": hnig.ID,
		"agenda":               []map[string]any{{"title": "通报辖区需求清单", "durationMinutes": 30, "presenterMembershipId": partTime[0]}, {"title": "研究资源共享项目", "durationMinutes": 60}},
		"inviteeMembershipIds": partTime}
	// A committee administrator may not convene in the working committee's name.
	var refused struct {
		ScheduleJointMeeting struct{ UserErrors []userError } `json:"scheduleJointMeeting"`
	}
	before := e.auditCount()
	community1.doOp(doc, "ScheduleJointMeeting", map[string]any{"input": input}, &refused)
	if codes(refused.ScheduleJointMeeting.UserErrors) != "FORBIDDEN@" || e.auditCount() != before {
		t.Fatalf("community admin scheduling for the working committee: %v", refused.ScheduleJointMeeting.UserErrors)
	}
	street.doOp(doc, "ScheduleJointMeeting", map[string]any{"input": input}, &sched)
	m := sched.ScheduleJointMeeting.Meeting
	if m == nil {
		t.Fatalf("schedule: %v", sched.ScheduleJointMeeting.UserErrors)
	}
	if m.Status != "PLANNED" || m.Booking.Status != "PENDING" || m.Booking.Venue.ID != hnig.ID || len(m.Agenda) != 2 || m.Agenda[1].Position != 2 ||
		len(m.Conveners) != 1 || m.Conveners[0].Kind != "SUBDISTRICT_WORKING_COMMITTEE" {
		t.Errorf("scheduled meeting: %+v", m)
	}
	if m.Invitations.TotalCount != 11 || m.Invitations.Edges[0].Node.Response != "PENDING" || m.Invitations.Edges[0].Node.Membership.Person.Name == "" {
		t.Errorf("invitations: %+v", m.Invitations)
	}
	// The same slot again is refused with the booking's own code, and nothing is written.
	before = e.auditCount()
	street.doOp(doc, "ScheduleJointMeeting", map[string]any{"input": input}, &refused)
	if codes(refused.ScheduleJointMeeting.UserErrors) != "BOOKING_CONFLICT@input.startsAt" || e.auditCount() != before {
		t.Errorf("double booking: %v", refused.ScheduleJointMeeting.UserErrors)
	}
	// The owner approves the booking.
	if p := hnigAdmin.payload(bookingOps, "ApproveBooking", map[string]any{"bookingId": m.Booking.ID}); len(errCodes(p)) > 0 {
		t.Fatalf("approve: %v", p)
	}
	// Answers: the administrator records two answers given by phone.
	var resp struct {
		RespondToInvitation struct {
			Invitation struct{ ID, Response string } `json:"invitation"`
			UserErrors []userError                   `json:"userErrors"`
		} `json:"respondToInvitation"`
	}
	street.doOp(doc, "RespondToInvitation", map[string]any{"input": map[string]any{"invitationId": m.Invitations.Edges[0].Node.ID, "response": "ACCEPTED"}}, &resp)
	if resp.RespondToInvitation.Invitation.Response != "ACCEPTED" {
		t.Errorf("respond: %+v", resp)
	}
	street.doOp(doc, "RespondToInvitation", map[string]any{"input": map[string]any{"invitationId": m.Invitations.Edges[1].Node.ID, "response": "DECLINED"}}, &resp)
	if resp.RespondToInvitation.Invitation.Response != "DECLINED" {
		t.Errorf("respond: %+v", resp)
	}

	// The meeting takes place: move it and its booking two days back.
	var k int
	e.sysScan(`WITH a AS (UPDATE joint_meeting SET starts_at = starts_at - interval '2 days', ends_at = ends_at - interval '2 days'
		WHERE id = '`+local(t, m.ID)+`' RETURNING 1), b AS (UPDATE booking SET during = tstzrange(lower(during) - interval '2 days', upper(during) - interval '2 days'),
		held = tstzrange(lower(held) - interval '2 days', upper(held) - interval '2 days') WHERE id = '`+local(t, m.Booking.ID)+`' RETURNING 1)
		SELECT (SELECT count(*) FROM a) + (SELECT count(*) FROM b)`, &k)
	var outcome struct {
		RecordMeetingOutcome struct {
			Meeting *struct {
				Status    string `json:"status"`
				Minutes   string `json:"minutes"`
				Attendees struct {
					TotalCount int `json:"totalCount"`
				} `json:"attendees"`
				Resolutions []struct{ ID, Text string } `json:"resolutions"`
			} `json:"meeting"`
			UserErrors []userError `json:"userErrors"`
		} `json:"recordMeetingOutcome"`
	}
	attended := append([]string{}, partTime[:1]...)
	attended = append(attended, partTime[2:]...) // the one who declined stayed away: 10 attended
	street.doOp(doc, "RecordMeetingOutcome", map[string]any{"input": map[string]any{"meetingId": m.ID, "attendeeMembershipIds": attended,
		"minutes": "会议听取了需求清单通报，研究了资源共享项目。", "resolutions": []string{"由核工业地质局开放服务空间，承接社区老年人活动需求"}}}, &outcome)
	om := outcome.RecordMeetingOutcome.Meeting
	if om == nil || om.Status != "HELD" || om.Attendees.TotalCount != 10 || len(om.Resolutions) != 1 || om.Minutes == "" {
		t.Fatalf("outcome: %+v %v", om, outcome.RecordMeetingOutcome.UserErrors)
	}
	var bookingStatus string
	var actual int
	e.sysScan(`SELECT status, actual_attendees FROM booking WHERE id = '`+local(t, m.Booking.ID)+`'`, &bookingStatus, &actual)
	if bookingStatus != "COMPLETED" || actual != 10 {
		t.Errorf("the meeting's booking is %s with %d attendees", bookingStatus, actual)
	}

	// A community posts a need, the unit posts an offer of its venue.
	var need struct {
		PostNeed struct {
			Need *struct {
				ID        string `json:"id"`
				Status    string `json:"status"`
				Community struct {
					ID string `json:"id"`
				} `json:"community"`
			} `json:"need"`
			UserErrors []userError `json:"userErrors"`
		} `json:"postNeed"`
	}
	community1.doOp(doc, "PostNeed", map[string]any{"input": map[string]any{"committeeId": d.parties[0], "title": "老年人活动场地不足",
		"category": "ELDERLY_CARE", "description": "社区老年人文体活动缺少室内场地", "peopleAffected": 800, "urgency": "HIGH"}}, &need)
	if need.PostNeed.Need == nil || need.PostNeed.Need.Status != "OPEN" || need.PostNeed.Need.Community.ID == "" {
		t.Fatalf("post need: %+v", need.PostNeed)
	}
	var offer struct {
		PostOffer struct {
			Offer *struct {
				ID    string `json:"id"`
				Venue struct {
					ID string `json:"id"`
				} `json:"venue"`
			} `json:"offer"`
			UserErrors []userError `json:"userErrors"`
		} `json:"postOffer"`
	}
	// Another unit's venue is refused.
	hnigAdmin.doOp(doc, "PostOffer", map[string]any{"input": map[string]any{"unitId": hnig.Unit.ID, "title": "场地", "category": "VENUE", "venueId": "x"}}, &offer)
	if codes(offer.PostOffer.UserErrors) != "NOT_FOUND@input.venueId" {
		t.Errorf("offer with a bad venue: %v", offer.PostOffer.UserErrors)
	}
	hnigAdmin.doOp(doc, "PostOffer", map[string]any{"input": map[string]any{"unitId": hnig.Unit.ID, "title": "社区服务空间每周开放",
		"category": "VENUE", "description": "每周三下午向社区老年人开放", "venueId": hnig.ID}}, &offer)
	if offer.PostOffer.Offer == nil || offer.PostOffer.Offer.Venue.ID != hnig.ID {
		t.Fatalf("post offer: %+v", offer.PostOffer)
	}

	// The project, from the resolution.
	var proj struct {
		LaunchProject struct {
			Project *struct {
				ID     string `json:"id"`
				Status string `json:"status"`
				DueOn  string `json:"dueOn"`
				Needs  []struct{ ID, Status string }
				Offers []struct{ ID string }
				Owner  struct {
					ID       string `json:"id"`
					Typename string `json:"__typename"`
				} `json:"owner"`
				Resolution struct {
					ID string `json:"id"`
				} `json:"resolution"`
			} `json:"project"`
			UserErrors []userError `json:"userErrors"`
		} `json:"launchProject"`
	}
	street.doOp(doc, "LaunchProject", map[string]any{"input": map[string]any{"title": "老年人活动进服务空间", "needIds": []string{need.PostNeed.Need.ID},
		"offerIds": []string{offer.PostOffer.Offer.ID}, "ownerId": hnig.Unit.ID, "dueOn": start.AddDate(0, 3, 0).Format("2006-01-02"),
		"resolutionId": om.Resolutions[0].ID}}, &proj)
	p := proj.LaunchProject.Project
	if p == nil || p.Status != "ACTIVE" || len(p.Needs) != 1 || p.Needs[0].Status != "MATCHED" || len(p.Offers) != 1 ||
		p.Owner.Typename != "Unit" || p.Owner.ID != hnig.Unit.ID || p.Resolution.ID != om.Resolutions[0].ID {
		t.Fatalf("launch: %+v %v", p, proj.LaunchProject.UserErrors)
	}
	var prog struct {
		ReportProjectProgress struct {
			Project *struct {
				Status          string `json:"status"`
				ProgressPercent int    `json:"progressPercent"`
				Updates         []struct {
					Percent int    `json:"percent"`
					Note    string `json:"note"`
				} `json:"updates"`
			} `json:"project"`
			UserErrors []userError `json:"userErrors"`
		} `json:"reportProjectProgress"`
	}
	hnigAdmin.doOp(doc, "ReportProjectProgress", map[string]any{"input": map[string]any{"projectId": p.ID, "percent": 50, "note": "已开放两次"}}, &prog)
	if pp := prog.ReportProjectProgress.Project; pp == nil || pp.ProgressPercent != 50 || len(pp.Updates) != 1 || pp.Updates[0].Note != "已开放两次" {
		t.Fatalf("progress: %+v", prog.ReportProjectProgress)
	}

	// The dashboard of the day the meeting was held, as an anonymous visitor.
	day := start.AddDate(0, 0, -2).Format("2006-01-02")
	var dash dashboard
	e.doOp(doc, "SubdistrictDashboard", map[string]any{"code": "houjiatang", "from": day, "to": day}, &dash)
	s := dash.Subdistrict.Stats
	// 11 part-time seats on the working committee and 46 on the community committees.
	if s.PartTimeMembers != 57 || s.JointMeetingsHeld < 1 || s.SharedAreaSqm < 3000 || s.BookingsApproved < 1 || s.Attendees < 10 ||
		s.ProjectsActive != 0 || s.VenueUtilization == nil {
		t.Errorf("dashboard: %+v", s)
	}
	// Up to today, the project is active and its need still open (matched, not met).
	var upToToday dashboard
	e.doOp(doc, "SubdistrictDashboard", map[string]any{"code": "houjiatang", "from": day, "to": now.Format("2006-01-02")}, &upToToday)
	if s := upToToday.Subdistrict.Stats; s.ProjectsActive < 1 || s.NeedsOpen < 1 {
		t.Errorf("dashboard up to today: %+v", s)
	}
	found := false
	for _, ed := range dash.Subdistrict.Units.Edges {
		if ed.Node.ID == hnig.Unit.ID {
			found = true
			if c := ed.Node.Contribution; c.HostedBookings < 1 || c.HostedHours < 2 || c.Attendees < 10 {
				t.Errorf("the unit's contribution: %+v", c)
			}
		}
	}
	if !found {
		t.Errorf("the unit is not on the dashboard")
	}
	// The CSV exports carry the same figures and the lists.
	srv := httptest.NewServer(graph.Authenticate(e.res.Accounts, slog.New(slog.NewTextHandler(io.Discard, nil)), graph.ExportHandler(e.res, e.store, slog.New(slog.NewTextHandler(io.Discard, nil)))))
	t.Cleanup(srv.Close)
	get := func(path string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+street.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := get("/export/subdistricts/houjiatang/stats.csv?from=" + day + "&to=" + day)
	if code != 200 || !strings.HasPrefix(body, "\ufeff") || !strings.Contains(body, "兼职委员 partTimeMembers,57") || !strings.Contains(body, "联席会议 jointMeetingsHeld,1") {
		t.Errorf("stats.csv: %d %q", code, body)
	}
	if code, body = get("/export/subdistricts/houjiatang/needs.csv"); code != 200 || !strings.Contains(body, "老年人活动场地不足") {
		t.Errorf("needs.csv: %d %q", code, body)
	}
	if code, body = get("/export/subdistricts/houjiatang/projects.csv"); code != 200 || !strings.Contains(body, "老年人活动进服务空间") || !strings.Contains(body, "湖南省核工业地质局") {
		t.Errorf("projects.csv: %d %q", code, body)
	}
	if code, body = get("/export/subdistricts/houjiatang/offers.csv"); code != 200 || !strings.Contains(body, "社区服务空间每周开放") {
		t.Errorf("offers.csv: %d %q", code, body)
	}
	if code, _ = get("/export/subdistricts/houjiatang/stats.csv?from=bad&to=" + day); code != http.StatusBadRequest {
		t.Errorf("stats.csv with a bad day: %d", code)
	}
	if code, _ = get("/export/subdistricts/nowhere/needs.csv"); code != http.StatusNotFound {
		t.Errorf("unknown sub-district: %d", code)
	}

	// Meetings are private to the sub-district: anonymous visitors see none.
	var anon struct {
		Node *struct {
			ID string `json:"id"`
		} `json:"node"`
	}
	e.do(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": m.ID}, &anon)
	if anon.Node != nil {
		t.Errorf("an anonymous visitor sees the meeting")
	}
}
