package graph

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"cogov/graph/generated"
	"cogov/graph/model"
	"cogov/internal/access"
	"cogov/internal/account"
	"cogov/internal/store"
)

// Options tune the GraphQL handler.
type Options struct {
	Production     bool          // no introspection, no field suggestions
	Introspection  bool          // allow introspection even in production
	OperationLimit time.Duration // deadline of one operation; 0 for 10 s
	Limits         Limits        // depth, size, alias and rate limits
	AllowedOrigins []string      // origins allowed to open websockets besides the server's own
	Accounts       *account.Service
	LoaderWait     time.Duration // how long loaders gather a batch; 2 ms when 0
	Log            *slog.Logger
}

// Error codes a client can see in errors[].extensions.code.
const (
	codeInternal = "INTERNAL"
	codeTimeout  = "TIMEOUT"
	codeBadInput = "BAD_USER_INPUT"
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
	srv := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: r}))
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.AddTransport(transport.Websocket{
		Implementation: transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{OriginPatterns: originHosts(o.AllowedOrigins)}},
		InitFunc: func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			auth := strings.TrimPrefix(p.Authorization(), "Bearer ")
			if auth == "" || o.Accounts == nil {
				return ctx, &p, nil // anonymous
			}
			v, err := o.Accounts.Authenticate(ctx, auth)
			if err != nil {
				return ctx, nil, errors.New("the session token is not valid; sign in again")
			}
			return access.With(ctx, v), &p, nil
		},
		KeepAlivePingInterval: 20 * time.Second,
		InitTimeout:           10 * time.Second,
	})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if o.LoaderWait == 0 {
		o.LoaderWait = 2 * time.Millisecond
	}
	// Fresh loaders for each response: per request for queries and
	// mutations, and per event for subscriptions, whose connection lives on
	// and must not serve a cached, older state.
	srv.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		return next(context.WithValue(ctx, loadersKey{}, NewLoaders(st, o.LoaderWait)))
	})
	srv.SetParserTokenLimit(15000)
	if !o.Production || o.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.SetDisableSuggestion(o.Production)
	srv.Use(newLimiter(o.Limits, r.Rates, o.Log))
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		ctx, cancel := context.WithTimeout(ctx, o.OperationLimit)
		h := next(ctx)
		return func(ctx context.Context) *graphql.Response {
			defer cancel()
			return h(ctx)
		}
	})
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		o.Log.ErrorContext(ctx, "panic in resolver", "panic", p, "path", graphql.GetPath(ctx).String(),
			"request", RequestID(ctx), "stack", string(debug.Stack()))
		return &gqlerror.Error{Message: "internal error", Extensions: map[string]any{"code": codeInternal}}
	})
	srv.SetErrorPresenter(func(ctx context.Context, err error) *gqlerror.Error {
		if e := clientError(err); e != nil {
			if e.Path == nil {
				e.Path = graphql.GetPath(ctx)
			}
			return e
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return &gqlerror.Error{Message: "the operation took too long", Path: graphql.GetPath(ctx),
				Extensions: map[string]any{"code": codeTimeout}}
		}
		o.Log.ErrorContext(ctx, "resolver failed", "err", err, "path", graphql.GetPath(ctx).String(), "request", RequestID(ctx))
		return &gqlerror.Error{Message: "internal error", Path: graphql.GetPath(ctx), Extensions: map[string]any{"code": codeInternal}}
	})
	return srv
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
