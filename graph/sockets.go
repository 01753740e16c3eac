package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"cogov/internal/access"
	"cogov/internal/account"
	"cogov/internal/problem"
)

// SocketLimits bound the websockets of one server. Zero fields take the
// defaults. They are counted by each server process: a socket holds memory
// and goroutines of the process it is open on, not of its replicas.
type SocketLimits struct {
	Idle       time.Duration // a socket with no operation running is closed after this long; default 60 s
	PerSocket  int           // subscriptions one socket may run at once; default 20
	PerAccount int           // sockets one account may hold open at once; default 10
	PerAddr    int           // sockets one address may hold open at once, signed in or not; default 50
	// SessionCheck is how often a signed-in socket's session is checked
	// again; a socket whose session has expired or been revoked is closed
	// with 4401. Default 30 s.
	SessionCheck time.Duration
	// InitTimeout is how long a socket may take to send connection_init;
	// it is closed with 4408 after. Default 10 s.
	InitTimeout time.Duration
}

func (l *SocketLimits) defaults() {
	if l.Idle == 0 {
		l.Idle = time.Minute
	}
	if l.InitTimeout == 0 {
		l.InitTimeout = 10 * time.Second
	}
	for _, f := range []struct {
		v *int
		d int
	}{{&l.PerSocket, 20}, {&l.PerAccount, 10}, {&l.PerAddr, 50}} {
		if *f.v == 0 {
			*f.v = f.d
		}
	}
}

// closeTooMany is the close code of graphql-transport-ws for "too many".
const closeTooMany = 4429

// A subscription refused for the limit of its socket is refused before it
// runs: graphql-transport-ws sends that as an error message, not as a result.
func init() { errcode.RegisterErrorType(codeSubscriptions, errcode.KindProtocol) }

// codeSubscriptions is the error code of a subscription over the limit of its socket.
const codeSubscriptions = "SUBSCRIPTION_LIMIT_EXCEEDED"

// sockets counts the open websockets by account and by address.
type sockets struct {
	l         SocketLimits
	accept    websocket.AcceptOptions // to refuse a socket with a close code
	mu        sync.Mutex
	byAccount map[string]int
	byAddr    map[string]int
}

func newSockets(l SocketLimits, origins []string) *sockets {
	l.defaults()
	return &sockets{l: l, byAccount: map[string]int{}, byAddr: map[string]int{},
		accept: websocket.AcceptOptions{OriginPatterns: originHosts(origins), Subprotocols: []string{"graphql-transport-ws", "graphql-ws"}}}
}

// take counts one more socket under key, unless max are open already.
func (s *sockets) take(m map[string]int, key string, max int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m[key] >= max {
		return false
	}
	m[key]++
	return true
}

func (s *sockets) give(m map[string]int, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m[key]--; m[key] <= 0 {
		delete(m, key)
	}
}

// serve runs a websocket request through next with a socket in its
// context, unless its address holds too many already: then the socket is
// accepted only to be closed with 4429 and the reason, which a browser's
// client can read (a refused upgrade shows it only a failed connection).
func (s *sockets) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	addr := requestInfoFrom(r.Context()).Addr
	if !s.take(s.byAddr, addr, s.l.PerAddr) {
		c, err := websocket.Accept(w, r, &s.accept)
		if err != nil {
			return // Accept has answered (a cross-origin request, say)
		}
		_ = c.Close(closeTooMany, fmt.Sprintf("at most %d websockets may be open from one address", s.l.PerAddr))
		return
	}
	defer s.give(s.byAddr, addr)
	sock := &socket{reg: s, pending: map[*graphql.OperationContext]bool{}}
	defer sock.end()
	next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), socketKey{}, sock)))
}

type socketKey struct{}

func socketFrom(ctx context.Context) *socket {
	s, _ := ctx.Value(socketKey{}).(*socket)
	return s
}

// socket is one open websocket: its account, the operations it runs and
// its idle timer.
type socket struct {
	reg     *sockets
	mu      sync.Mutex
	conn    transport.WebsocketConn
	account string
	subs    int // subscriptions running
	ops     int // operations running, subscriptions included
	pending map[*graphql.OperationContext]bool
	idle    *time.Timer
	ended   bool
}

// admit counts the socket for the viewer it was initialised as, and
// starts its idle timer; it says why not when the account has too many.
func (s *socket) admit(v access.Viewer) error {
	if v.AccountID != "" {
		if !s.reg.take(s.reg.byAccount, v.AccountID, s.reg.l.PerAccount) {
			return fmt.Errorf("at most %d websockets may be open for one account; close one first", s.reg.l.PerAccount)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.account = v.AccountID
	if !s.ended {
		s.idle = time.AfterFunc(s.reg.l.Idle, s.closeIdle)
	}
	return nil
}

// closeIdle closes the socket if it still runs nothing.
func (s *socket) closeIdle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ops > 0 || s.ended || s.conn == nil {
		return
	}
	_ = s.conn.WriteClose(int(websocket.StatusNormalClosure), fmt.Sprintf("closed after %v without a subscription", s.reg.l.Idle))
}

// start counts an operation about to run on the socket; a subscription
// over the limit is refused.
func (s *socket) start(rc *graphql.OperationContext) *gqlerror.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := rc.Operation.Operation == ast.Subscription
	if sub && s.subs >= s.reg.l.PerSocket {
		return &gqlerror.Error{Message: fmt.Sprintf("at most %d subscriptions may run on one websocket; complete one first", s.reg.l.PerSocket),
			Extensions: map[string]any{"code": codeSubscriptions}}
	}
	if sub {
		s.subs++
	}
	s.ops++
	s.pending[rc] = sub
	if s.idle != nil {
		s.idle.Stop()
	}
	return nil
}

// running returns the function that uncounts an operation counted by
// start, once however often it is called; it is called when the
// operation's context ends, at the latest.
func (s *socket) running(ctx context.Context, rc *graphql.OperationContext) func() {
	s.mu.Lock()
	sub, ok := s.pending[rc]
	delete(s.pending, rc)
	s.mu.Unlock()
	if !ok {
		return func() {}
	}
	done := sync.OnceFunc(func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if sub {
			s.subs--
		}
		if s.ops--; s.ops == 0 && s.idle != nil && !s.ended {
			s.idle.Reset(s.reg.l.Idle)
		}
	})
	context.AfterFunc(ctx, done)
	return done
}

// end forgets the socket once its connection is over.
func (s *socket) end() {
	s.mu.Lock()
	s.ended = true
	if s.idle != nil {
		s.idle.Stop()
	}
	account := s.account
	admitted := s.idle != nil
	s.mu.Unlock()
	if admitted && account != "" {
		s.reg.give(s.reg.byAccount, account)
	}
}

// socketGate is the handler extension that counts the operations of each
// websocket and refuses a subscription over the limit of its socket. It
// must be the last extension that can refuse an operation: an operation it
// counted is uncounted when the operation's context ends.
type socketGate struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
	graphql.OperationInterceptor
} = socketGate{}

func (socketGate) ExtensionName() string                   { return "SocketGate" }
func (socketGate) Validate(graphql.ExecutableSchema) error { return nil }

func (socketGate) MutateOperationContext(ctx context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if s := socketFrom(ctx); s != nil && rc.Operation != nil {
		return s.start(rc)
	}
	return nil
}

// InterceptOperation uncounts an operation when its last response has gone
// (before the transport tells the client it is complete), or when its
// context ends.
func (socketGate) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	s := socketFrom(ctx)
	if s == nil {
		return next(ctx)
	}
	done := s.running(ctx, graphql.GetOperationContext(ctx))
	h := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		r := h(ctx)
		if r == nil {
			done()
		}
		return r
	}
}

// socketAccept accepts websockets as the library does and hands the
// connection to the request's socket, which closes it when idle.
type socketAccept struct {
	transport.CoderWebsocketImplementation
}

func (a socketAccept) Accept(w http.ResponseWriter, r *http.Request, o transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	c, err := a.CoderWebsocketImplementation.Accept(w, r, o)
	if err != nil {
		return c, err
	}
	pc := newProtocolConn(c)
	if s := socketFrom(r.Context()); s != nil {
		s.mu.Lock()
		s.conn = pc
		s.mu.Unlock()
	}
	return pc, nil
}

// socketInit authenticates a websocket by its connection_init payload and
// admits it, or refuses it with the close code and reason.
func socketInit(o Options) transport.WebsocketInitFunc {
	return func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		var v access.Viewer
		auth := strings.TrimPrefix(p.Authorization(), "Bearer ")
		if auth != "" && o.Accounts != nil {
			var err error
			v, err = o.Accounts.Authenticate(ctx, auth)
			if errors.Is(err, problem.ErrUnavailable) {
				o.Log.WarnContext(ctx, "database unavailable", "err", err, "request", RequestID(ctx))
				const msg = "the database is unavailable; try again shortly"
				return transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, int(websocket.StatusTryAgainLater)), msg), nil, errors.New(msg)
			}
			if err != nil {
				if !errors.Is(err, account.ErrUnauthenticated) {
					o.Log.ErrorContext(ctx, "authenticate websocket", "err", err, "request", RequestID(ctx))
				}
				// 4401: a standard client stops and asks to sign in
				// again, instead of reconnecting with the same token.
				const msg = "the session token is not valid; sign in again"
				return transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, closeUnauthorized), msg), nil, errors.New(msg)
			}
			ctx = access.With(ctx, v)
		}
		if s := socketFrom(ctx); s != nil {
			if err := s.admit(v); err != nil {
				return transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, closeTooMany), err.Error()), nil, err
			}
			if v.SessionID != "" {
				s.watchSession(ctx, o, auth)
			}
		}
		// The ack carries no payload: the init payload holds the token.
		return ctx, nil, nil
	}
}
