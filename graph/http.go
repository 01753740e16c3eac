package graph

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"cogov/internal/access"
	"cogov/internal/account"
	"cogov/internal/i18n"
	"cogov/internal/problem"
	"cogov/internal/store"
)

// RequestInfo is what the HTTP layer knows about a request's origin.
type RequestInfo struct {
	ID        string // a request id for the logs, also sent back as X-Request-Id
	TraceID   string // the trace id of a W3C traceparent header, if the client sent one
	Addr      string // the client's address
	UserAgent string
}

// TraceID returns the trace id of a W3C Trace Context `traceparent` header
// (version-traceid-parentid-flags), or "" when h is not a valid one, so
// that a log line can be found from a front end's OpenTelemetry or Sentry
// trace.
func TraceID(h string) string {
	parts := strings.Split(strings.TrimSpace(h), "-")
	if len(parts) < 4 || len(parts[0]) != 2 || parts[0] == "ff" || len(parts[1]) != 32 || len(parts[2]) != 16 || len(parts[3]) != 2 ||
		(parts[0] == "00" && len(parts) != 4) {
		return ""
	}
	for _, p := range parts[:4] {
		if strings.Trim(p, "0123456789abcdef") != "" {
			return ""
		}
	}
	if strings.Trim(parts[1], "0") == "" || strings.Trim(parts[2], "0") == "" {
		return "" // all-zero ids are invalid
	}
	return parts[1]
}

// RequestTrace returns the trace id the client sent with the request of ctx.
func RequestTrace(ctx context.Context) string { return requestInfoFrom(ctx).TraceID }

type requestInfoKey struct{}

func requestInfoFrom(ctx context.Context) RequestInfo {
	ri, _ := ctx.Value(requestInfoKey{}).(RequestInfo)
	return ri
}

// RequestID returns the id of the request ctx belongs to.
func RequestID(ctx context.Context) string { return requestInfoFrom(ctx).ID }

// clientAddr is the address of the peer; the server does not trust
// X-Forwarded-For, since a client can send any value in it.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Authenticate turns `Authorization: Bearer <token>` into the request's
// viewer. Without the header the request is anonymous; with a token that is
// unknown, expired or revoked it is refused with 401, so that a client knows
// to sign in again rather than silently seeing less.
func Authenticate(accounts *account.Service, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b [8]byte
		_, _ = rand.Read(b[:])
		ri := RequestInfo{ID: hex.EncodeToString(b[:]), TraceID: TraceID(r.Header.Get("traceparent")), Addr: clientAddr(r), UserAgent: r.UserAgent()}
		w.Header().Set("X-Request-Id", ri.ID)
		ctx := context.WithValue(r.Context(), requestInfoKey{}, ri)
		ctx = i18n.With(ctx, i18n.Match(r.Header.Get("Accept-Language")))
		if h := r.Header.Get("Authorization"); h != "" {
			token, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				writeError(w, r, http.StatusUnauthorized, "UNAUTHENTICATED", "the Authorization header must be `Bearer <token>`")
				return
			}
			v, err := accounts.Authenticate(ctx, strings.TrimSpace(token))
			if errors.Is(err, account.ErrUnauthenticated) {
				writeError(w, r, http.StatusUnauthorized, "UNAUTHENTICATED", err.Error())
				return
			}
			if errors.Is(err, problem.ErrUnavailable) {
				log.WarnContext(ctx, "database unavailable", "err", err, "request", ri.ID)
				w.Header().Set("Retry-After", retryAfterOutage)
				writeError(w, r, http.StatusServiceUnavailable, codeUnavailable, msgUnavailable)
				return
			}
			if err != nil {
				log.ErrorContext(ctx, "authenticate", "err", err, "request", ri.ID, "trace", ri.TraceID)
				writeError(w, r, http.StatusInternalServerError, codeInternal, "internal error")
				return
			}
			ctx = access.With(ctx, v)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// writeError answers a request with a GraphQL-shaped error and a status.
func writeError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	msg = i18n.Message(i18n.With(r.Context(), i18n.Match(r.Header.Get("Accept-Language"))), "error."+code, msg)
	w.Header().Set("Content-Type", responseMediaType(r))
	w.WriteHeader(status)
	b, _ := jsonMarshal(map[string]any{"errors": []any{map[string]any{"message": msg, "extensions": map[string]any{"code": code}}}})
	_, _ = w.Write(b)
}

// MaxBody caps a request body.
const MaxBody = 256 << 10

// limitBody refuses bodies over MaxBody with 413, whether or not the client
// announced the length.
func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > MaxBody {
			writeError(w, r, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", "the request body is larger than 256 KiB")
			return
		}
		if r.Body != nil && r.Method == http.MethodPost {
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeError(w, r, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", "the request body is larger than 256 KiB")
				return
			}
			if err != nil {
				writeError(w, r, http.StatusBadRequest, "BAD_REQUEST", "the request body could not be read")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		next.ServeHTTP(w, r)
	})
}

// NewEndpoint is the whole /graphql endpoint over the services of r, with
// per-request loaders over st: body cap, authentication, the checks of a
// request's shape (checkHTTP), rate-limit statuses, websocket limits,
// per-request loaders and the GraphQL handler. wrap,
// if not nil, wraps the handler right after authentication (tests use it).
func NewEndpoint(r *Resolver, st *store.Store, o Options, loaderWait time.Duration, wrap func(http.Handler) http.Handler) http.Handler {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	o.Accounts = r.Accounts
	o.LoaderWait = loaderWait
	socks := newSockets(o.Sockets, o.AllowedOrigins)
	gql := NewHandler(r, st, o)
	checked := checkHTTP(documentIDs(mediaAnswer(RateLimitStatus(gql))))
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch up := req.Header.Get("Upgrade"); {
		case strings.EqualFold(up, "websocket"):
			socks.serve(w, req, gql) // the websocket needs the connection itself
			return
		case up != "":
			writeError(w, req, http.StatusBadRequest, codeBadRequest, "only an upgrade to a websocket is supported")
			return
		}
		checked.ServeHTTP(w, req)
	})
	if wrap != nil {
		h = wrap(h)
	}
	return limitBody(Authenticate(r.Accounts, o.Log, h))
}
