package graph_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"cogov/graph"
)

// wsClient is a graphql-transport-ws client for tests.
type wsClient struct {
	t   testing.TB
	c   *websocket.Conn
	ctx context.Context
}

// dialWS opens a websocket to e's server; a bounded context guards against
// hangs (it is not a speed check).
func dialWS(t testing.TB, e *env) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.srv.URL, "http"), &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	return &wsClient{t: t, c: c, ctx: ctx}
}

func (w *wsClient) send(v map[string]any) {
	w.t.Helper()
	b, _ := json.Marshal(v)
	if err := w.c.Write(w.ctx, websocket.MessageText, b); err != nil {
		w.t.Fatal(err)
	}
}

// read returns the next message, or the error that ended the socket.
func (w *wsClient) read() (map[string]any, error) {
	_, b, err := w.c.Read(w.ctx)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		w.t.Fatalf("message %s: %v", b, err)
	}
	return m, nil
}

// init sends connection_init with the token, if any, and reads the answer.
func (w *wsClient) init(token string) (map[string]any, error) {
	p := map[string]any{}
	if token != "" {
		p["Authorization"] = "Bearer " + token
	}
	w.send(map[string]any{"type": "connection_init", "payload": p})
	return w.read()
}

// mustInit initialises the socket and fails the test unless it is acknowledged.
func (w *wsClient) mustInit(token string) {
	w.t.Helper()
	m, err := w.init(token)
	if err != nil || m["type"] != "connection_ack" {
		w.t.Fatalf("init: %v %v", m, err)
	}
}

// until reads messages until one for which stop is true, and returns it.
func (w *wsClient) until(stop func(map[string]any) bool) map[string]any {
	w.t.Helper()
	for {
		m, err := w.read()
		if err != nil {
			w.t.Fatalf("socket ended: %v", err)
		}
		if stop(m) {
			return m
		}
	}
}

// alive sends a ping and reads up to its pong, failing on a message of
// type bad for id (a refusal that should not come).
func (w *wsClient) alive(badID string) {
	w.t.Helper()
	w.send(map[string]any{"type": "ping"})
	w.until(func(m map[string]any) bool {
		if m["id"] == badID && (m["type"] == "error" || m["type"] == "complete") {
			w.t.Fatalf("operation %s: %v", badID, m)
		}
		return m["type"] == "pong"
	})
}

// closedWith waits for the server to close the socket and returns the close code and reason.
func (w *wsClient) closedWith() (websocket.StatusCode, string) {
	w.t.Helper()
	for {
		_, _, err := w.c.Read(w.ctx)
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) {
			w.t.Fatalf("the socket ended without a close frame: %v", err)
		}
		return ce.Code, ce.Reason
	}
}

// subscribe subscribes, as operation id, to changes of a venue.
func (w *wsClient) subscribe(id, venue string) {
	w.send(map[string]any{"type": "subscribe", "id": id, "payload": map[string]any{
		"query": `subscription($v: ID!) { venueChanged(venueId: $v) { id } }`, "variables": map[string]any{"v": venue}}})
}

// aVenue returns the global id of a demo venue.
func aVenue(t testing.TB, e *env) string {
	t.Helper()
	var f findVenues
	e.doOp(operation(t, "venues.graphql"), "FindVenues", map[string]any{"first": 1, "filter": map[string]any{}}, &f)
	if len(f.Venues.Edges) == 0 {
		t.Fatal("no venue")
	}
	return f.Venues.Edges[0].Node.ID
}

// TestSocketIdleLimit: a socket with no subscription is closed after the
// idle limit (1000, with the reason); one with a subscription stays open
// past it, and is closed once its subscription is complete.
func TestSocketIdleLimit(t *testing.T) {
	t.Parallel()
	e := newEnvOpts(t, true, graph.Options{Sockets: graph.SocketLimits{Idle: 300 * time.Millisecond}})
	venue := aVenue(t, e)

	// The server's idle clock starts when it takes the socket, so the
	// test's starts before the dial: a start taken after the ack could be
	// later than the server's and see the limit as a little short.
	start := wallNow()
	idle := dialWS(t, e)
	idle.mustInit("")
	code, reason := idle.closedWith()
	if code != websocket.StatusNormalClosure || !strings.Contains(reason, "without a subscription") {
		t.Errorf("idle socket closed with %d %q", code, reason)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("idle socket closed after %v, before the limit", d)
	}

	busy := dialWS(t, e)
	busy.mustInit("")
	busy.subscribe("1", venue)
	busy.alive("1")
	time.Sleep(900 * time.Millisecond) // three idle limits
	busy.alive("1")
	busy.send(map[string]any{"type": "complete", "id": "1"})
	code, reason = busy.closedWith()
	if code != websocket.StatusNormalClosure || !strings.Contains(reason, "without a subscription") {
		t.Errorf("socket whose subscription completed closed with %d %q", code, reason)
	}
}

// TestSocketSubscriptionLimit: a socket runs at most PerSocket
// subscriptions at once; the next is refused with an error message, and
// once one completes another may start.
func TestSocketSubscriptionLimit(t *testing.T) {
	t.Parallel()
	e := newEnvOpts(t, true, graph.Options{Sockets: graph.SocketLimits{PerSocket: 3}})
	venue := aVenue(t, e)
	w := dialWS(t, e)
	w.mustInit("")
	for _, id := range []string{"1", "2", "3"} {
		w.subscribe(id, venue)
	}
	w.alive("3")
	w.subscribe("4", venue)
	m := w.until(func(m map[string]any) bool { return m["id"] == "4" })
	b, _ := json.Marshal(m)
	if m["type"] != "error" || !strings.Contains(string(b), "SUBSCRIPTION_LIMIT_EXCEEDED") {
		t.Errorf("the fourth subscription: %s", b)
	}
	w.send(map[string]any{"type": "complete", "id": "1"})
	w.until(func(m map[string]any) bool { return m["id"] == "1" && m["type"] == "complete" })
	w.subscribe("5", venue)
	w.alive("5")
}

// reopen opens sockets until one is acknowledged, within a bound: a
// socket just closed by the client is released once the server has read
// its close.
func reopen(t *testing.T, e *env, token string) *wsClient {
	t.Helper()
	for deadline := wallNow().Add(10 * time.Second); ; {
		w := dialWS(t, e)
		m, err := w.init(token)
		if err == nil && m["type"] == "connection_ack" {
			return w
		}
		if wallNow().After(deadline) {
			t.Fatalf("no room was made: %v %v", m, err)
		}
		_ = w.c.CloseNow()
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSocketsPerAddress: an address may hold PerAddr sockets, initialised
// or not; one more is closed with 4429 and the reason before its init, and
// closing one makes room.
func TestSocketsPerAddress(t *testing.T) {
	t.Parallel()
	e := newEnvOpts(t, false, graph.Options{Sockets: graph.SocketLimits{PerAddr: 2}})
	first, second := dialWS(t, e), dialWS(t, e)
	first.mustInit("")
	_ = second // open, not initialised: it counts too
	over := dialWS(t, e)
	code, reason := over.closedWith()
	if code != 4429 || !strings.Contains(reason, "address") {
		t.Errorf("a third socket of the address closed with %d %q", code, reason)
	}
	_ = first.c.Close(websocket.StatusNormalClosure, "")
	reopen(t, e, "")
}

// TestSocketsPerAccount: an account may hold PerAccount sockets; one more
// is closed at its init with 4429 and the reason, the others go on, and
// closing one makes room.
func TestSocketsPerAccount(t *testing.T) {
	t.Parallel()
	e := newEnvOpts(t, true, graph.Options{Sockets: graph.SocketLimits{PerAccount: 1}})
	token := e.signIn("street-admin", "cogov-demo").token
	first := dialWS(t, e)
	first.mustInit(token)
	second := dialWS(t, e)
	second.send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + token}})
	code, reason := second.closedWith()
	if code != 4429 || !strings.Contains(reason, "account") {
		t.Errorf("a second socket of the account closed with %d %q", code, reason)
	}
	first.alive("")
	anonymous := dialWS(t, e) // the limit is the account's, not the address's
	anonymous.mustInit("")
	_ = first.c.Close(websocket.StatusNormalClosure, "")
	reopen(t, e, token)
}

// TestSubscriptionOutlivesOperationLimit: a subscription is not an
// operation with a deadline; it delivers events after the operation limit
// (and after its first event), until the client completes it.
func TestSubscriptionOutlivesOperationLimit(t *testing.T) {
	t.Parallel()
	e := newEnvOpts(t, true, graph.Options{OperationLimit: 500 * time.Millisecond})
	var id string
	e.sysScan(`SELECT id::text FROM venue ORDER BY id LIMIT 1`, &id)
	venue := base64.RawURLEncoding.EncodeToString([]byte("Venue:" + id))
	w := dialWS(t, e)
	w.mustInit("")
	w.subscribe("1", venue)
	events := make(chan map[string]any)
	go func() {
		defer close(events)
		for {
			m, err := w.read()
			if err != nil {
				return
			}
			events <- m
		}
	}()
	// The hub learns of the subscription once the resolver has read the
	// venue: signal until an event arrives, within a bound.
	next := func() {
		t.Helper()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case m, ok := <-events:
				if !ok || m["type"] != "next" {
					t.Fatalf("subscription: %v", m)
				}
				return
			case <-tick.C:
				e.res.Hub.Changed(id)
			case <-w.ctx.Done():
				t.Fatal("no event")
			}
		}
	}
	next()
	time.Sleep(time.Second) // twice the operation limit
	next()
}
