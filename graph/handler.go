package graph

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"time"

	"github.com/coder/websocket"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/trace"

	"cogov/graph/generated"
	"cogov/graph/model"
	"cogov/internal/account"
	"cogov/internal/i18n"
	"cogov/internal/problem"
	"cogov/internal/store"
)

// Options tune the GraphQL handler.
type Options struct {
	Production     bool          // no introspection, no field suggestions
	Introspection  bool          // allow introspection even in production
	OperationLimit time.Duration // deadline of one operation; 0 for 10 s
	Limits         Limits        // depth, size, alias and rate limits
	AllowedOrigins []string      // origins allowed to open websockets besides the server's own
	Sockets        SocketLimits  // idle time and counts of websockets
	Accounts       *account.Service
	LoaderWait     time.Duration // how long loaders gather a batch; 2 ms when 0
	Documents      *Documents    // registered (persisted) documents; the contract's when nil
	PersistedOnly  bool          // run only registered documents
	Metrics        *Metrics      // Prometheus metrics; none when nil
	Tracer         trace.Tracer  // OpenTelemetry spans of operations and root fields; none when nil
	Log            *slog.Logger
}

// Error codes a client can see in errors[].extensions.code.
const (
	codeInternal = "INTERNAL"
	codeTimeout  = "TIMEOUT"
	codeCanceled = "CANCELED"
	codeBadInput = "BAD_USER_INPUT"
)

// An outage is answered with this message and Retry-After (seconds).
const (
	msgUnavailable   = "the database is unavailable; try again shortly"
	retryAfterOutage = "1"
)

// NewHandler builds the GraphQL endpoint: POST and GET (queries only) with a
// parser token limit, a query cache, an error presenter that lets only
// client errors through and a recover func that never shows a panic.
func NewHandler(r *Resolver, st *store.Store, o Options) *handler.Server {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.OperationLimit == 0 {
		o.OperationLimit = 10 * time.Second
	}
	if o.LoaderWait == 0 {
		o.LoaderWait = 2 * time.Millisecond
	}
	cfg := generated.Config{Resolvers: r}
	cfg.Directives.AsSignedIn = asSignedIn(st, o.LoaderWait) // see signin.go
	srv := handler.New(generated.NewExecutableSchema(cfg))
	srv.AddTransport(transport.GET{})
	// Server-sent events (graphql-sse, distinct connections mode) before
	// POST: both take a JSON POST, this one only with Accept: text/event-stream.
	srv.AddTransport(transport.SSE{KeepAlivePingInterval: 20 * time.Second})
	srv.AddTransport(transport.POST{})
	srv.AddTransport(transport.Websocket{
		Implementation:        socketAccept{transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{OriginPatterns: originHosts(o.AllowedOrigins)}}},
		InitFunc:              socketInit(o),
		KeepAlivePingInterval: 20 * time.Second, // graphql-ws (legacy)
		PingPongInterval:      20 * time.Second, // graphql-transport-ws; clients answer pong
		MissingPongOk:         true,
		InitTimeout:           initTimeout(o.Sockets),
	})
	if o.Documents == nil {
		docs, err := ContractDocuments()
		if err != nil {
			panic(err) // the embedded contract is checked by the tests
		}
		o.Documents = docs
	}
	srv.SetQueryCache(documentCache{docs: o.Documents, lru: lru.New[*ast.QueryDocument](1000)})
	srv.Use(persisted{docs: o.Documents, only: o.PersistedOnly}) // see persisted.go
	if !o.PersistedOnly {
		srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	}
	srv.AroundOperations(markStarted) // see mediaAnswer
	if o.Tracer != nil {
		srv.Use(tracing{o.Tracer})
	}
	if o.Metrics != nil {
		srv.AroundResponses(o.Metrics.aroundResponses)
		srv.AroundOperations(o.Metrics.aroundOperations)
	}
	// Fresh loaders for each response: per request for queries and
	// mutations, and per event for subscriptions, whose connection lives on
	// and must not serve a cached, older state.
	srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		ctx = context.WithValue(ctx, loadersKey{}, NewLoaders(st, o.LoaderWait))
		return next(model.WithZones(ctx, zoneOf))
	})
	srv.SetParserTokenLimit(15000)
	if !o.Production || o.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.SetDisableSuggestion(o.Production)
	srv.Use(&inputCheck{})
	srv.Use(newLimiter(o.Limits, r.Rates, o.Log))
	// A query's reads share one connection and transaction, the viewer set
	// once (store.ReadSession). Registered after the limiter, so that the
	// session ends, and its connection is back in the pool, before the
	// limiter settles the charge with a connection of its own: a request
	// never waits for a second connection while holding one.
	srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		if !graphql.HasOperationContext(ctx) {
			return next(ctx)
		}
		if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation != ast.Query {
			return next(ctx)
		}
		ctx, end := store.ReadSession(ctx, st)
		defer end()
		return next(ctx)
	})
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if graphql.GetOperationContext(ctx).Operation.Operation == ast.Subscription {
			// A subscription lives as long as its socket wants it: a
			// deadline would end it after the first event or 10 s. Its
			// session is checked again while it runs.
			return watchHTTPSession(ctx, o, next)
		}
		ctx, cancel := context.WithTimeout(ctx, o.OperationLimit)
		h := next(ctx)
		return func(ctx context.Context) *graphql.Response {
			defer cancel()
			return h(ctx)
		}
	})
	srv.Use(socketGate{}) // last: see socketGate
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		o.Log.ErrorContext(ctx, "panic in resolver", "panic", p, "path", graphql.GetPath(ctx).String(),
			"request", RequestID(ctx), "trace", RequestTrace(ctx), "stack", string(debug.Stack()))
		return &gqlerror.Error{Message: "internal error", Extensions: map[string]any{"code": codeInternal}}
	})
	present := errorPresenter(o)
	srv.SetErrorPresenter(func(ctx context.Context, err error) *gqlerror.Error {
		return localized(ctx, present(ctx, err))
	})
	return srv
}

// localized puts a top-level error's message in the answer's language; the
// code stays, and in Chinese the English text stays as extensions.detail.
func localized(ctx context.Context, e *gqlerror.Error) *gqlerror.Error {
	code, _ := e.Extensions["code"].(string)
	if msg := i18n.Message(ctx, "error."+code, e.Message); msg != e.Message {
		if e.Extensions == nil {
			e.Extensions = map[string]any{}
		}
		e.Extensions["detail"] = e.Message
		e.Message = msg
	}
	return e
}

// errorPresenter turns a resolver's or the request's error into what the
// client sees: its own errors as they are, a deadline as TIMEOUT, and
// anything else, logged, as INTERNAL.
func errorPresenter(o Options) func(ctx context.Context, err error) *gqlerror.Error {
	return func(ctx context.Context, err error) *gqlerror.Error {
		if e := clientError(err); e != nil {
			if e.Path == nil {
				e.Path = graphql.GetPath(ctx)
			}
			return e
		}
		if errors.Is(err, problem.ErrUnavailable) {
			httpAnswerFrom(ctx).set(http.StatusServiceUnavailable, "Retry-After", retryAfterOutage)
			o.Log.WarnContext(ctx, "database unavailable", "err", err, "path", graphql.GetPath(ctx).String(), "request", RequestID(ctx))
			return &gqlerror.Error{Message: msgUnavailable, Path: graphql.GetPath(ctx), Extensions: map[string]any{"code": codeUnavailable}}
		}
		if errors.Is(err, context.Canceled) {
			// The client went away (or its subscription ended): nobody
			// reads this, and it is no fault of the server.
			return &gqlerror.Error{Message: "the operation was canceled", Path: graphql.GetPath(ctx),
				Extensions: map[string]any{"code": codeCanceled}}
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return &gqlerror.Error{Message: "the operation took too long", Path: graphql.GetPath(ctx),
				Extensions: map[string]any{"code": codeTimeout}}
		}
		o.Log.ErrorContext(ctx, "resolver failed", "err", err, "path", graphql.GetPath(ctx).String(), "request", RequestID(ctx), "trace", RequestTrace(ctx))
		return &gqlerror.Error{Message: "internal error", Path: graphql.GetPath(ctx), Extensions: map[string]any{"code": codeInternal}}
	}
}

// clientError finds in err's chain an error meant for the client: one of
// gqlgen's own (parse, validation, variable coercion, which carry a code) or
// a model.InputError. Anything else is a fault and is not shown.
func clientError(err error) *gqlerror.Error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		switch v := e.(type) {
		case *model.InputError:
			return &gqlerror.Error{Message: v.Msg, Extensions: map[string]any{"code": codeBadInput}}
		case *gqlerror.Error:
			if v.Extensions["code"] != nil && v.Err == nil {
				return v
			}
		}
	}
	return nil
}

// originHosts turns allowed origins into the host patterns the websocket
// library checks the Origin header against (the server's own host is always allowed).
func originHosts(origins []string) []string {
	var hosts []string
	for _, o := range origins {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			hosts = append(hosts, u.Host)
		}
	}
	return hosts
}
