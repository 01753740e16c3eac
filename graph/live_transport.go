package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"cogov/internal/access"
	"cogov/internal/account"
)

// The close codes of graphql-transport-ws. A standard client (graphql-ws)
// does not reconnect after 4400, 4401, 4403, 4408, 4409 or 4429: its
// application is told why instead (for 4401, to sign in again).
const (
	closeBadMessage   = 4400 // a message that is not one of the protocol's
	closeUnauthorized = 4401 // a bad, expired or revoked session token; or subscribe before the ack
	closeInitTimeout  = 4408 // no connection_init within the init timeout
	closeDuplicateID  = 4409 // a subscribe with the id of a running operation
	// closeTooMany (4429) is in sockets.go: too many connection_init
	// messages, and the socket limits.
)

// errClosedByServer ends the transport's read loop once the wrapper has
// closed the socket with a protocol close code.
var errClosedByServer = fmt.Errorf("closed by the server: %w", transport.ErrWebsocketClosed)

// protocolConn is the websocket as gqlgen's transport sees it, made to
// close with graphql-transport-ws's codes where gqlgen closes with 1002 or
// does not check (a second connection_init, a duplicate subscription id, a
// subscribe before the ack). Other subprotocols pass through unchanged.
type protocolConn struct {
	transport.WebsocketConn
	mu     sync.Mutex
	inited bool            // connection_init read
	acked  bool            // connection_ack written
	active map[string]bool // ids of operations running
	closed bool
}

func newProtocolConn(c transport.WebsocketConn) *protocolConn {
	return &protocolConn{WebsocketConn: c, active: map[string]bool{}}
}

func (c *protocolConn) transportWS() bool { return c.Subprotocol() == "graphql-transport-ws" }

// SetReadLimit and SetReadDeadline reach the library's connection.
func (c *protocolConn) SetReadLimit(n int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(n)
	}
}

func (c *protocolConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}

// wsHeader is what the wrapper reads of each message.
type wsHeader struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// NextReader reads the next message and closes the socket with the
// protocol's code when the message breaks the protocol's rules.
func (c *protocolConn) NextReader() (int, io.Reader, error) {
	mt, r, err := c.WebsocketConn.NextReader()
	if err != nil || !c.transportWS() {
		return mt, r, err
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return mt, nil, err
	}
	var h wsHeader
	if json.Unmarshal(b, &h) != nil {
		c.closeWith(closeBadMessage, "Invalid message received")
		return mt, nil, errClosedByServer
	}
	c.mu.Lock()
	code, reason := 0, ""
	switch h.Type {
	case "connection_init":
		if c.inited {
			code, reason = closeTooMany, "Too many initialisation requests"
		}
		c.inited = true
	case "subscribe":
		switch {
		case !c.acked:
			code, reason = closeUnauthorized, "Unauthorized"
		case h.ID == "":
			code, reason = closeBadMessage, "Invalid message received"
		case c.active[h.ID]:
			code, reason = closeDuplicateID, fmt.Sprintf("Subscriber for %s already exists", h.ID)
		default:
			c.active[h.ID] = true
		}
	case "complete":
		delete(c.active, h.ID)
	case "ping", "pong":
	default:
		code, reason = closeBadMessage, "Invalid message received"
	}
	c.mu.Unlock()
	if code != 0 {
		c.closeWith(code, reason)
		return mt, nil, errClosedByServer
	}
	return mt, bytes.NewReader(b), nil
}

// WriteJSON writes a message, noting the ack and the operations that end.
func (c *protocolConn) WriteJSON(v any) error {
	if !c.transportWS() {
		return c.WebsocketConn.WriteJSON(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var h wsHeader
	_ = json.Unmarshal(b, &h)
	c.mu.Lock()
	switch h.Type {
	case "connection_ack":
		c.acked = true
	case "complete", "error":
		delete(c.active, h.ID)
	}
	c.mu.Unlock()
	return c.WebsocketConn.WriteJSON(json.RawMessage(b))
}

// WriteClose closes with the code given, except that gqlgen's 1002 becomes
// 4408 for the init timeout and 4400 otherwise; only the first close counts.
func (c *protocolConn) WriteClose(code int, reason string) error {
	if c.transportWS() && code == transport.WebsocketCloseProtocolError {
		if strings.Contains(reason, "timeout") {
			code, reason = closeInitTimeout, "Connection initialisation timeout"
		} else {
			code = closeBadMessage
		}
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.mu.Unlock()
	return c.WebsocketConn.WriteClose(code, reason)
}

func (c *protocolConn) closeWith(code int, reason string) {
	_ = c.WriteClose(code, reason)
	_ = c.WebsocketConn.Close()
}

// msgSessionEnded is the close reason of a socket whose session ended.
const msgSessionEnded = "the session has ended; sign in again"

// watchSession re-checks the socket's session token every interval until
// ctx ends, and closes the socket with 4401 once the session has expired
// or been revoked; its subscriptions end with it. An outage is not an end:
// the check is tried again at the next interval.
func (s *socket) watchSession(ctx context.Context, o Options, token string) {
	every := o.Sockets.SessionCheck
	if every <= 0 {
		every = 30 * time.Second
	}
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if _, err := o.Accounts.Authenticate(ctx, token); errors.Is(err, account.ErrUnauthenticated) {
				s.mu.Lock()
				c := s.conn
				s.mu.Unlock()
				if c != nil {
					_ = c.WriteClose(closeUnauthorized, msgSessionEnded)
					_ = c.Close()
				}
				return
			}
		}
	}()
}

// Flush lets the SSE transport send each event as it comes, through the
// writers that set an answer's status.
func (w *answerWriter) Flush() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// Flush: see answerWriter.Flush.
func (w *statusWriter) Flush() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

// acceptsEventStream reports whether a request asks for server-sent events
// (the graphql-sse protocol, which the SSE transport serves).
func acceptsEventStream(h http.Header) bool {
	return strings.Contains(h.Get("Accept"), "text/event-stream")
}

// initTimeout is the limits' init timeout, or its default.
func initTimeout(l SocketLimits) time.Duration {
	l.defaults()
	return l.InitTimeout
}

// watchHTTPSession runs a subscription served over HTTP (server-sent
// events) signed in by a bearer token, and re-checks its session as
// watchSession does for sockets: once the session has expired or been
// revoked the subscription sends one last result, an UNAUTHENTICATED error,
// and completes. Other operations, and subscriptions on a socket (which
// watchSession covers) or without a session, run as they are.
func watchHTTPSession(ctx context.Context, o Options, next graphql.OperationHandler) graphql.ResponseHandler {
	token := strings.TrimPrefix(graphql.GetOperationContext(ctx).Headers.Get("Authorization"), "Bearer ")
	if socketFrom(ctx) != nil || access.From(ctx).SessionID == "" || token == "" || o.Accounts == nil {
		return next(ctx)
	}
	every := o.Sockets.SessionCheck
	if every <= 0 {
		every = 30 * time.Second
	}
	ctx, cancel := context.WithCancel(ctx)
	var ended atomic.Bool
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if _, err := o.Accounts.Authenticate(ctx, token); errors.Is(err, account.ErrUnauthenticated) {
				ended.Store(true)
				cancel()
				return
			}
		}
	}()
	h := next(ctx)
	done := false
	return func(rctx context.Context) *graphql.Response {
		if done {
			return nil
		}
		r := h(rctx)
		if r == nil {
			done = true
			cancel()
			if ended.Load() {
				return &graphql.Response{Errors: gqlerror.List{{Message: msgSessionEnded, Extensions: map[string]any{"code": codeUnauthenticated}}}}
			}
		}
		return r
	}
}

// codeUnauthenticated is the code of an error that asks to sign in again.
const codeUnauthenticated = "UNAUTHENTICATED"
