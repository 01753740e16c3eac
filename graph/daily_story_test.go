package graph_test

import (
	"cogov/internal/clock"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"cogov/internal/access"
	"cogov/internal/demo"
	"cogov/internal/jobs"
	"cogov/internal/notify"
)

type quickRetry struct{}

func (quickRetry) NextRetry(*rivertype.JobRow) time.Time {
	return wallNow().Add(50 * time.Millisecond)
}

// TestDailyLoopStory is the "done when": community-1-admin requests
// the 2,000 m² space; hnig-admin's inbox shows it and notificationAdded
// reaches hnig-admin's open subscription within a second; hnig-admin
// approves: community-1-admin is notified and the committee's webhook
// receives a signed message; community 2 joins the waitlist for the window,
// community 1 cancels, community 2 is notified and offered the window (held
// against others) and books it; its reminders fire on a test clock, and,
// not checked in, it becomes NO_SHOW and frees the venue.
func TestDailyLoopStory(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	listenNotes(t, e)
	// Deliveries through River, as the server runs them; timers are queued
	// as River jobs too and run below on the test's clock.
	var mu sync.Mutex
	clock := testNow()
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	e.res.Bookings.Now = now
	work, err := jobs.New(e.db.Pool, e.store, now, jobs.Options{RetryPolicy: quickRetry{}})
	if err != nil {
		t.Fatal(err)
	}
	e.res.Notify.Deliver, e.res.Notify.Schedule = work.Deliver, work.Schedule
	if err := work.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = work.Stop(ctx)
	})
	var hookMu sync.Mutex
	var hooks []received
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hookMu.Lock()
		hooks = append(hooks, received{body: b, sig: r.Header.Get(jobs.SignatureHeader), ts: r.Header.Get(jobs.TimestampHeader)})
		hookMu.Unlock()
	}))
	t.Cleanup(hook.Close)

	street := e.signIn("street-admin", demo.Password)
	d := lookupDemo(t, street)
	venue, start, end := freeAfternoon(t, street, d.sd, "湖南省核工业地质局", 24)
	c1, c2, c3 := e.signIn("community-1-admin", demo.Password), e.signIn("community-2-admin", demo.Password), e.signIn("community-3-admin", demo.Password)
	owner := e.signIn("hnig-admin", demo.Password)
	events := noteEvents(t, e, owner.token)
	request := requester(t, venue, start, end)

	// 1. The request reaches hnig-admin's inbox and open subscription.
	first := requestHeard(t, c1, request, d.parties[0], events, "BOOKING_REQUESTED")
	if ok, _ := inboxHas(t, owner, "BOOKING_TO_APPROVE", first); !ok {
		t.Error("not in hnig-admin's inbox")
	}

	// 2. Approval: community-1-admin is notified, the committee's webhook gets a signed message.
	ch := c1.payload(op(t, "daily.graphql", "AddDeliveryChannel"), "AddDeliveryChannel", map[string]any{"ownerId": d.parties[0], "kind": "WEBHOOK", "target": hook.URL})
	secret, _ := ch["secret"].(string)
	if len(errCodes(ch)) != 0 || secret == "" {
		t.Fatalf("add channel: %v", ch)
	}
	c1Unread := notes(t, c1, true).Viewer.Unread
	if p := owner.payload(op(t, "booking.graphql", "ApproveBooking"), "ApproveBooking", map[string]any{"bookingId": first}); len(errCodes(p)) != 0 {
		t.Fatalf("approve: %v", p)
	}
	if r := notes(t, c1, true); r.Viewer.Unread != c1Unread+1 || r.Viewer.Notifications.Edges[0].Node.Kind != "BOOKING_APPROVED" {
		t.Errorf("community-1-admin after the approval: %+v", r.Viewer)
	}
	deadline := wallNow().Add(15 * time.Second)
	for {
		hookMu.Lock()
		n := len(hooks)
		hookMu.Unlock()
		if n > 0 || wallNow().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	hookMu.Lock()
	got := append([]received(nil), hooks...)
	hookMu.Unlock()
	if len(got) != 1 {
		t.Fatalf("webhook received %d messages", len(got))
	}
	ts, _ := strconv.ParseInt(got[0].ts, 10, 64)
	var body jobs.WebhookBody
	_ = json.Unmarshal(got[0].body, &body)
	if got[0].sig != jobs.Sign(secret, ts, got[0].body) || body.Kind != notify.BookingApproved || body.ObjectID != local(t, first) {
		t.Errorf("webhook message %s signed %q", got[0].body, got[0].sig)
	}

	// 3. Community 2 waits for the window; community 1 cancels; community 2 is offered it.
	w := c2.payload(op(t, "daily.graphql", "JoinWaitlist"), "JoinWaitlist", map[string]any{"venueId": venue, "committeeId": d.parties[1],
		"startsAt": start.Format(time.RFC3339), "endsAt": end.Format(time.RFC3339), "purpose": "老年人活动", "expectedAttendees": 40})
	if len(errCodes(w)) != 0 || w["entry"].(map[string]any)["status"] != "WAITING" {
		t.Fatalf("join: %v", w)
	}
	entry := w["entry"].(map[string]any)["id"].(string)
	c2Unread := notes(t, c2, true).Viewer.Unread
	if p := c1.payload(op(t, "booking.graphql", "CancelBooking"), "CancelBooking", map[string]any{"bookingId": first, "reason": "活动取消"}); len(errCodes(p)) != 0 {
		t.Fatalf("cancel: %v", p)
	}
	r := notes(t, c2, true)
	if r.Viewer.Unread != c2Unread+1 || r.Viewer.Notifications.Edges[0].Node.Kind != "WAITLIST_OFFERED" {
		t.Errorf("community-2-admin after the cancellation: %+v", r.Viewer)
	}
	var entryNode struct {
		Node struct {
			Status         string  `json:"status"`
			OfferExpiresAt *string `json:"offerExpiresAt"`
		} `json:"node"`
	}
	c2.do(`query($id: ID!) { node(id: $id) { ... on WaitlistEntry { status offerExpiresAt } } }`, map[string]any{"id": entry}, &entryNode)
	if entryNode.Node.Status != "OFFERED" || entryNode.Node.OfferExpiresAt == nil {
		t.Errorf("entry after the cancellation: %+v", entryNode.Node)
	}
	if p := request(c3, d.parties[2]); len(errCodes(p)) != 1 || errCodes(p)[0] != "BOOKING_CONFLICT" {
		t.Errorf("community 3 takes the window held for community 2: %v", p)
	}
	p := request(c2, d.parties[1])
	if len(errCodes(p)) != 0 {
		t.Fatalf("community 2 books the offered window: %v", p)
	}
	second := p["bookings"].([]any)[0].(map[string]any)["id"].(string)
	c2.do(`query($id: ID!) { node(id: $id) { ... on WaitlistEntry { status offerExpiresAt } } }`, map[string]any{"id": entry}, &entryNode)
	if entryNode.Node.Status != "TAKEN" {
		t.Errorf("entry after booking: %+v", entryNode.Node)
	}
	if p := owner.payload(op(t, "booking.graphql", "ApproveBooking"), "ApproveBooking", map[string]any{"bookingId": second}); len(errCodes(p)) != 0 {
		t.Fatalf("approve the second: %v", p)
	}

	// 4. Reminders and the no-show, on the test clock: the due timers are
	// the River jobs whose scheduled_at has come.
	ran := map[int64]bool{} // timer jobs already run, whatever River did with them
	runDue := func(at time.Time) []string {
		mu.Lock()
		clock = at
		mu.Unlock()
		var raw []byte
		e.sysScan(`SELECT coalesce(json_agg(json_build_object('id', id, 'args', args) ORDER BY scheduled_at), '[]') FROM river_job
			WHERE kind = 'cogov_timer' AND scheduled_at <= '`+at.Format(time.RFC3339Nano)+`'::timestamptz
			AND args->'timer'->>'ObjectID' = '`+local(t, second)+`'`, &raw)
		var due []struct {
			ID   int64          `json:"id"`
			Args jobs.TimerArgs `json:"args"`
		}
		if err := json.Unmarshal(raw, &due); err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, j := range due {
			if ran[j.ID] {
				continue
			}
			ran[j.ID] = true
			if err := e.res.Bookings.RunTimer(access.With(context.Background(), access.System("test")), j.Args.Timer); err != nil {
				t.Fatal(err)
			}
			kinds = append(kinds, j.Args.Timer.Kind)
		}
		return kinds
	}
	before := notes(t, c2, false).Viewer.Notifications.TotalCount
	if k := runDue(start.Add(-24 * time.Hour)); len(k) != 1 || k[0] != "booking.reminder" {
		t.Errorf("24 h before: %v", k)
	}
	if k := runDue(start.Add(-time.Hour)); len(k) != 1 {
		t.Errorf("1 h before: %v", k)
	}
	if n := notes(t, c2, false).Viewer.Notifications; n.TotalCount != before+2 || n.Edges[0].Node.Kind != "BOOKING_REMINDER" {
		t.Errorf("reminders: %d notifications, was %d", n.TotalCount, before)
	}
	if k := runDue(start.Add(20 * time.Minute)); len(k) != 1 || k[0] != "booking.noshow" {
		t.Errorf("after the grace period: %v", k)
	}
	var b struct {
		Node struct {
			Status string `json:"status"`
			Venue  struct {
				Availability []struct{ State string } `json:"availability"`
			} `json:"venue"`
		} `json:"node"`
	}
	c2.do(`query($id: ID!, $from: DateTime!, $to: DateTime!) { node(id: $id) { ... on Booking { status venue { availability(from: $from, to: $to) { state } } } } }`,
		map[string]any{"id": second, "from": start.Add(30 * time.Minute).Format(time.RFC3339), "to": end.Format(time.RFC3339)}, &b)
	if b.Node.Status != "NO_SHOW" || len(b.Node.Venue.Availability) != 1 || b.Node.Venue.Availability[0].State != "FREE" {
		t.Errorf("after the no-show: %+v", b.Node)
	}
	// The no-show counts in the figures of the committee and the venue.
	var figures struct {
		Committee struct {
			NoShows int `json:"noShows"`
		} `json:"committee"`
		Venue struct {
			NoShows int `json:"noShows"`
		} `json:"venue"`
	}
	window := map[string]any{"c": d.parties[1], "v": venue, "from": start.Add(-time.Hour).Format(time.RFC3339), "to": end.Format(time.RFC3339)}
	owner.do(`query($c: ID!, $v: ID!, $from: DateTime!, $to: DateTime!) { venue: node(id: $v) { ... on Venue { noShows(from: $from, to: $to) } }
		committee: node(id: $c) { ... on Committee { noShows(from: $from, to: $to) } } }`, window, &figures)
	if figures.Venue.NoShows != 1 || figures.Committee.NoShows != 0 {
		t.Errorf("hnig-admin's figures: %+v (the committee's are not hnig-admin's)", figures)
	}
	c2.do(`query($c: ID!, $v: ID!, $from: DateTime!, $to: DateTime!) { venue: node(id: $v) { ... on Venue { noShows(from: $from, to: $to) } }
		committee: node(id: $c) { ... on Committee { noShows(from: $from, to: $to) } } }`, window, &figures)
	if figures.Committee.NoShows != 1 {
		t.Errorf("community-2-admin's figures: %+v", figures)
	}
}

type received struct {
	body    []byte
	sig, ts string
}

// wallNow reads the wall clock for deadlines and retry delays of the test
// itself (not the platform's time, which is the test clock).
var wallNow = clock.Wall()
