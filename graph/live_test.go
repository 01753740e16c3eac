package graph_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"cogov/graph"
	"cogov/internal/pgtest"
	"cogov/internal/store"
)

// listen starts the change listener of a replica (as server/main.go does)
// until the test ends.
func listen(t *testing.T, st *store.Store, res *graph.Resolver) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		_ = st.ListenVenueChanges(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), res.Hub.Changed)
	}()
}

// changer changes a venue through GraphQL as a signed-in committee
// administrator: a booking requested, then cancelled, then another, each a
// change of the venue.
type changer struct {
	t       *testing.T
	c1      *env
	venue   string
	party   string
	n       int
	pending string // the booking to cancel next, if any
}

func newChanger(t *testing.T, e *env) *changer {
	street := e.signIn("street-admin", "cogov-demo")
	d := lookupDemo(t, street)
	var f findVenues
	street.doOp(operation(t, "venues.graphql"), "FindVenues", map[string]any{"first": 1, "filter": map[string]any{"text": "核工业"}}, &f)
	return &changer{t: t, c1: e.signIn("community-1-admin", "cogov-demo"), venue: f.Venues.Edges[0].Node.ID, party: d.parties[0]}
}

// change makes one change to the venue.
func (c *changer) change() {
	c.t.Helper()
	c.n++
	if c.pending != "" {
		p := c.c1.payload(op(c.t, "booking.graphql", "CancelBooking"), "CancelBooking", map[string]any{"bookingId": c.pending, "reason": "实时更新测试"})
		if len(errCodes(p)) != 0 {
			c.t.Fatalf("cancel: %v", p)
		}
		c.pending = ""
		return
	}
	// Slots one hour apart on a few Thursdays, three weeks ahead and on.
	k := c.n / 2
	start := nextWeekday(21+7*(k/6), time.Thursday, 9+k%6, 0)
	p := c.c1.payload(op(c.t, "booking.graphql", "RequestBooking"), "RequestBooking", map[string]any{"venueId": c.venue, "committeeId": c.party,
		"startsAt": start.Format(time.RFC3339), "endsAt": start.Add(time.Hour).Format(time.RFC3339), "purpose": "实时更新测试", "expectedAttendees": 10})
	if len(errCodes(p)) != 0 {
		c.t.Fatalf("request: %v", p)
	}
	c.pending = p["bookings"].([]any)[0].(map[string]any)["id"].(string)
}

// receive makes changes until want events have come on events, one change
// at a time, each waited for (the hub coalesces signals that come faster
// than a subscriber reads; a change made before the subscription was in
// place brings no event, so a change with no event in a second is
// followed by another). It returns the number of changes made.
func (c *changer) receive(events <-chan string, want int) int {
	c.t.Helper()
	deadline := time.After(40 * time.Second)
	got := 0
	start := c.n
	for got < want {
		c.change()
		select {
		case ev, ok := <-events:
			if !ok {
				c.t.Fatalf("the subscription ended after %d events of %d", got, want)
			}
			if !strings.Contains(ev, c.venue) {
				c.t.Fatalf("event for another venue: %s", ev)
			}
			got++
		case <-time.After(time.Second):
		case <-deadline:
			c.t.Fatalf("%d events of %d before the deadline", got, want)
		}
		time.Sleep(20 * time.Millisecond) // short spacing between changes
	}
	return c.n - start
}

// wsEvents subscribes over graphql-transport-ws to the venue on w and
// returns the channel of its `next` messages.
func wsEvents(w *wsClient, venue string) <-chan string {
	w.subscribe("1", venue)
	events := make(chan string, 100)
	go func() {
		for {
			_, b, err := w.c.Read(w.ctx)
			if err != nil {
				close(events)
				return
			}
			if strings.Contains(string(b), `"next"`) {
				events <- string(b)
			}
		}
	}()
	return events
}

// TestSubscriptionFiftyEvents: one venueChanged subscription over the
// websocket receives 50 events for 50 changes, and stays open.
func TestSubscriptionFiftyEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	listen(t, e.store, e.res)
	ch := newChanger(t, e)
	w := dialWS(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	w.ctx = ctx
	m, err := w.init(ch.c1.token)
	if err != nil || m["type"] != "connection_ack" || m["payload"] != nil {
		t.Fatalf("init: %v %v (the ack carries no payload)", m, err)
	}
	start := wallNow()
	n := ch.receive(wsEvents(w, ch.venue), 50)
	t.Logf("50 events for %d changes in %v", n, time.Since(start).Round(time.Millisecond))
}

// TestSocketBadToken: a bad token at init is closed with 4401, and so is a
// second attempt with it: a standard client stops and asks to sign in.
func TestSocketBadToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	for i := 0; i < 2; i++ {
		w := dialWS(t, e)
		w.send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer forged-token"}})
		if code, reason := w.closedWith(); code != 4401 || reason == "" {
			t.Errorf("attempt %d: closed with %d %q", i+1, code, reason)
		}
	}
}

// TestSocketProtocolCodes: each breach of graphql-transport-ws closes the
// socket with the protocol's code.
func TestSocketProtocolCodes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	venue := aVenue(t, e)
	for _, c := range []struct {
		name string
		do   func(w *wsClient)
		code websocket.StatusCode
	}{
		{"subscribe before init", func(w *wsClient) { w.subscribe("1", venue) }, 4401},
		{"not a message", func(w *wsClient) {
			_ = w.c.Write(w.ctx, websocket.MessageText, []byte("hello"))
		}, 4400},
		{"unknown type", func(w *wsClient) { w.mustInit(""); w.send(map[string]any{"type": "start"}) }, 4400},
		{"second init", func(w *wsClient) { w.mustInit(""); w.send(map[string]any{"type": "connection_init"}) }, 4429},
		{"duplicate id", func(w *wsClient) { w.mustInit(""); w.subscribe("1", venue); w.alive("1"); w.subscribe("1", venue) }, 4409},
	} {
		w := dialWS(t, e)
		c.do(w)
		if code, reason := w.closedWith(); code != c.code {
			t.Errorf("%s: closed with %d %q, want %d", c.name, code, reason, c.code)
		}
	}
}

// TestSocketInitTimeout: a socket that sends no connection_init within the
// init timeout (200 ms here) is closed with 4408.
func TestSocketInitTimeout(t *testing.T) {
	t.Parallel()
	e := newEnvOpts(t, false, graph.Options{Sockets: graph.SocketLimits{InitTimeout: 200 * time.Millisecond}})
	w := dialWS(t, e)
	if code, reason := w.closedWith(); code != 4408 {
		t.Errorf("closed with %d %q", code, reason)
	}
}

// TestSocketSessionRevoked: signing out ends the live subscriptions of the
// session with 4401 (the session is checked again every 100 ms here).
func TestSocketSessionRevoked(t *testing.T) {
	t.Parallel()
	e := newEnvOpts(t, true, graph.Options{Sockets: graph.SocketLimits{SessionCheck: 100 * time.Millisecond}})
	member := e.signIn("member-demo", "cogov-demo")
	venue := aVenue(t, e)
	w := dialWS(t, e)
	w.mustInit(member.token)
	w.subscribe("1", venue)
	w.alive("1")
	time.Sleep(300 * time.Millisecond) // still open after a few checks
	w.alive("1")
	if r := member.post(`mutation { signOut(input: {}) { revokedCount userErrors { code } } }`, nil); len(r.Errors) != 0 || !strings.Contains(string(r.Data), `"revokedCount":1`) {
		t.Fatalf("sign out: %s %+v", r.Data, r.Errors)
	}
	start := wallNow()
	if code, reason := w.closedWith(); code != 4401 {
		t.Errorf("closed with %d %q", code, reason)
	}
	t.Logf("closed %v after the sign-out", time.Since(start).Round(time.Millisecond))
}

// TestSubscriptionAcrossReplicas: two endpoints over one database, each
// with its own resolver, hub and change listener, as two replicas of the
// server; a change made through one reaches a subscriber of the other.
func TestSubscriptionAcrossReplicas(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	now := pgtest.Clock(t)
	st2 := store.New(e.db.Pool, now)
	res2 := graph.NewResolver(st2, "http://cogov.test", now)
	srv2 := httptest.NewServer(graph.NewEndpoint(res2, st2, graph.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, 0, nil))
	t.Cleanup(srv2.Close)
	listen(t, e.store, e.res)
	listen(t, st2, res2)

	ch := newChanger(t, e) // changes through the first replica
	other := *e
	other.srv = srv2
	w := dialWS(t, &other) // subscribes on the second
	w.mustInit("")
	n := ch.receive(wsEvents(w, ch.venue), 3)
	t.Logf("3 events on the second replica for %d changes through the first", n)
}

// TestSubscriptionSSE: venueChanged as server-sent events (graphql-sse,
// distinct connections mode): a POST with Accept: text/event-stream,
// signed in by its Authorization header, receives `next` events as the
// venue changes.
func TestSubscriptionSSE(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	listen(t, e.store, e.res)
	ch := newChanger(t, e)
	events := sseEvents(t, e, ch.c1.token, ch.venue)
	n := ch.receive(events, 5)
	t.Logf("5 events over SSE for %d changes", n)
}

// sseEvents subscribes to the venue over graphql-sse with the token and
// returns the channel of the data of its `next` events, closed at
// `complete` or when the stream ends.
func sseEvents(t *testing.T, e *env, token, venue string) <-chan string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	body, _ := json.Marshal(map[string]any{"query": `subscription($v: ID!) { venueChanged(venueId: $v) { id name } }`, "variables": map[string]any{"v": venue}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.URL, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	events := make(chan string, 100)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		next := false
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "event: next":
				next = true
			case next && strings.HasPrefix(line, "data: "):
				events <- strings.TrimPrefix(line, "data: ")
				next = false
			case line == "event: complete":
				return
			}
		}
	}()
	return events
}

// TestSubscriptionSSERevoked: signing out ends a subscription over SSE
// signed in with the session: its last event is an UNAUTHENTICATED error,
// then `complete` (the session is checked again every 100 ms here).
func TestSubscriptionSSERevoked(t *testing.T) {
	t.Parallel()
	e := newEnvOpts(t, true, graph.Options{Sockets: graph.SocketLimits{SessionCheck: 100 * time.Millisecond}})
	member := e.signIn("member-demo", "cogov-demo")
	events := sseEvents(t, e, member.token, aVenue(t, e))
	time.Sleep(300 * time.Millisecond) // still open after a few checks
	select {
	case ev, ok := <-events:
		t.Fatalf("before the sign-out: %q %v", ev, ok)
	default:
	}
	if r := member.post(`mutation { signOut(input: {}) { revokedCount } }`, nil); len(r.Errors) != 0 {
		t.Fatalf("sign out: %+v", r.Errors)
	}
	var last string
	for ev := range events {
		last = ev
	}
	if !strings.Contains(last, "UNAUTHENTICATED") {
		t.Errorf("last event: %q", last)
	}
}
