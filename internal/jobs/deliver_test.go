package jobs_test

import (
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

	"cogov/internal/booking"
	"cogov/internal/clock"
	"cogov/internal/jobs"
	"cogov/internal/notify"
	"cogov/internal/page"
	"cogov/internal/testworld"
)

// fastRetry retries a failed job after 50 ms, so that a test sees retries.
type fastRetry struct{}

func (fastRetry) NextRetry(*rivertype.JobRow) time.Time {
	return clock.Wall()().Add(50 * time.Millisecond) // River schedules by the wall clock
}

// hook is a webhook receiver that answers the statuses given in turn (200
// once they run out) and keeps what it received.
type hook struct {
	mu       sync.Mutex
	statuses []int
	got      []received
	srv      *httptest.Server
}

type received struct {
	body      []byte
	signature string
	timestamp string
	status    int
}

func newHook(t *testing.T, statuses ...int) *hook {
	h := &hook{statuses: statuses}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		status := 200
		if len(h.statuses) > 0 {
			status, h.statuses = h.statuses[0], h.statuses[1:]
		}
		h.got = append(h.got, received{body: b, signature: r.Header.Get(jobs.SignatureHeader), timestamp: r.Header.Get(jobs.TimestampHeader), status: status})
		h.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hook) received() []received {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]received(nil), h.got...)
}

// deliveryTown is a Town whose booking service notifies, with River working
// the deliveries.
func deliveryTown(t *testing.T, maxAttempts int) (*testworld.Town, *notify.Channels, *jobs.Jobs) {
	tw := testworld.NewTown(t)
	notes := notify.NewService(tw.Store, tw.Clock)
	tw.Bookings.Notes = notes
	j, err := jobs.New(tw.DB.Pool, tw.Store, tw.Clock, jobs.Options{RetryPolicy: fastRetry{}, MaxAttempts: maxAttempts})
	if err != nil {
		t.Fatal(err)
	}
	notes.Deliver = j.Deliver
	start(t, j)
	return tw, notify.NewChannels(tw.Store), j
}

// start works j's jobs until the test ends.
func start(t *testing.T, j *jobs.Jobs) {
	ctx, cancel := context.WithCancel(context.Background())
	if err := j.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stop, done := context.WithTimeout(context.Background(), 5*time.Second)
		defer done()
		_ = j.Stop(stop)
		cancel()
	})
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	now := clock.Wall() // a deadline in real time, not the day
	deadline := now().Add(20 * time.Second)
	for !ok() {
		if now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWebhookDelivery: a booking request queues, in its transaction, a
// delivery to the unit's webhook; the receiver answers 500 twice and River
// retries; the third attempt delivers the generic JSON with a valid
// HMAC-SHA256 signature. A refused request queues nothing.
func TestWebhookDelivery(t *testing.T) {
	t.Parallel()
	tw, channels, _ := deliveryTown(t, 5)
	h := newHook(t, 500, 500)
	ch, err := channels.Add(tw.UnitAdmin(tw.Unit, tw.SD), notify.NewChannel{UnitID: tw.Unit, Kind: notify.Webhook, Target: h.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Secret) < 32 {
		t.Fatalf("secret %q", ch.Secret)
	}
	venue := tw.Venue()
	start, end := tw.Slot()
	res, err := tw.Bookings.RequestBooking(tw.CommitteeAdmin(tw.PC, tw.SD), booking.Request{VenueID: venue, CommitteeID: tw.PC,
		Start: start, End: end, Purpose: "居民议事会", ExpectedAttendees: 10})
	if err != nil {
		t.Fatal(err)
	}
	// The same slot again is refused: nothing more is queued.
	if _, err := tw.Bookings.RequestBooking(tw.CommitteeAdmin(tw.WC, tw.SD), booking.Request{VenueID: venue, CommitteeID: tw.WC,
		Start: start, End: end, Purpose: "冲突", ExpectedAttendees: 10}); err == nil {
		t.Fatal("conflicting request booked")
	}
	waitFor(t, "the third attempt", func() bool { return len(h.received()) >= 3 })
	time.Sleep(300 * time.Millisecond) // nothing more should come
	got := h.received()
	if len(got) != 3 || got[0].status != 500 || got[1].status != 500 || got[2].status != 200 {
		t.Fatalf("attempts: %d %+v", len(got), got)
	}
	for _, r := range got {
		ts, err := strconv.ParseInt(r.timestamp, 10, 64)
		if err != nil {
			t.Fatalf("timestamp %q", r.timestamp)
		}
		if want := jobs.Sign(ch.Secret, ts, r.body); r.signature != want {
			t.Errorf("signature %q, want %q", r.signature, want)
		}
		if jobs.Sign("another secret", ts, r.body) == r.signature {
			t.Error("another secret signs the same")
		}
	}
	var body jobs.WebhookBody
	if err := json.Unmarshal(got[2].body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Kind != notify.BookingRequested || body.ObjectType != "Booking" || body.ObjectID != res.Bookings[0].ID ||
		body.Message != "收到新的场地预约申请：居民议事会" || body.SubdistrictID != tw.SD {
		t.Errorf("body: %+v", body)
	}
	var jobState string
	tw.SysRow(`SELECT state::text FROM river_job WHERE kind = 'cogov_deliver'`).Scan(&jobState)
	if n := tw.Count(`SELECT count(*) FROM river_job WHERE kind = 'cogov_deliver'`); n != 1 || jobState != "completed" {
		t.Errorf("%d delivery jobs, state %s", n, jobState)
	}
}

// TestWeComAndFailure: the WeCom robot receives its text message format; a
// webhook that keeps failing is discarded after its attempts and shown to
// the sub-district's administrator, not to a unit's.
func TestWeComAndFailure(t *testing.T) {
	t.Parallel()
	tw, channels, _ := deliveryTown(t, 2)
	robot := newHook(t)
	down := newHook(t, 500, 500, 500)
	unitAdmin := tw.UnitAdmin(tw.Unit, tw.SD)
	if _, err := channels.Add(unitAdmin, notify.NewChannel{UnitID: tw.Unit, Kind: notify.WeCom, Target: robot.srv.URL + "/cgi-bin/webhook/send?key=k"}); err != nil {
		t.Fatal(err)
	}
	if _, err := channels.Add(unitAdmin, notify.NewChannel{UnitID: tw.Unit, Kind: notify.Webhook, Target: down.srv.URL}); err != nil {
		t.Fatal(err)
	}
	if _, err := channels.Add(tw.CommitteeAdmin(tw.PC, tw.SD), notify.NewChannel{UnitID: tw.Unit, Kind: notify.Webhook, Target: down.srv.URL}); err == nil {
		t.Error("a committee's administrator added a channel to a unit")
	}
	start, end := tw.Slot()
	if _, err := tw.Bookings.RequestBooking(tw.CommitteeAdmin(tw.PC, tw.SD), booking.Request{VenueID: tw.Venue(), CommitteeID: tw.PC,
		Start: start, End: end, Purpose: "议事", ExpectedAttendees: 10}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the robot", func() bool { return len(robot.received()) == 1 })
	var msg struct {
		MsgType string `json:"msgtype"`
		Text    struct {
			Content string `json:"content"`
		} `json:"text"`
	}
	if err := json.Unmarshal(robot.received()[0].body, &msg); err != nil || msg.MsgType != "text" || msg.Text.Content != "收到新的场地预约申请：议事" {
		t.Errorf("robot message %s: %v", robot.received()[0].body, err)
	}
	waitFor(t, "the failed delivery", func() bool {
		c, err := channels.Failures(tw.Admin, tw.SD, firstPage)
		return err == nil && c.Total == 1
	})
	c, _ := channels.Failures(tw.Admin, tw.SD, firstPage)
	f := c.Items[0]
	if f.Attempts != 2 || f.ChannelKind != notify.Webhook || f.Kind != notify.BookingRequested || f.LastError == "" {
		t.Errorf("failure: %+v", f)
	}
	if len(down.received()) != 2 {
		t.Errorf("%d attempts at the failing webhook", len(down.received()))
	}
	if c, _ := channels.Failures(unitAdmin, tw.SD, firstPage); c.Total != 0 {
		t.Error("a unit's administrator reads the sub-district's failed deliveries")
	}
}

var firstPage = page.Page{First: 20}
