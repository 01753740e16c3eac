package graph

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"cogov/internal/access"
	"cogov/internal/ratelimit"
)

// Limits bound what one operation may ask for. Zero fields take the defaults.
type Limits struct {
	MaxDepth   int // nesting of selection sets; default 20
	MaxNodes   int // nodes a response may hold, lists costed by their `first`; default 50,000
	MaxFields  int // fields after fragments are expanded; default 2,000
	MaxAliases int // times one field may be selected in one selection set; default 30

	// Rate limits in cost points: a bucket per account and one per
	// address, refilled each second, kept in PostgreSQL so that every
	// replica spends the same budget (internal/ratelimit). An operation is
	// admitted by its requested cost (its node count, lists counted by
	// their `first`) and charged its actual cost (the objects its answer
	// holds, at least 1, at most the requested cost), as GitHub and Shopify
	// do: the difference is given back once it has answered.
	AccountBurst, AccountPerSecond int // defaults 200,000 and 20,000
	AddrBurst, AddrPerSecond       int // defaults 400,000 and 40,000
}

func (l *Limits) defaults() {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&l.MaxDepth, 20)
	def(&l.MaxNodes, 50000)
	def(&l.MaxFields, 2000)
	def(&l.MaxAliases, 30)
	def(&l.AccountBurst, 200000)
	def(&l.AccountPerSecond, 20000)
	def(&l.AddrBurst, 400000)
	def(&l.AddrPerSecond, 40000)
}

// Error codes of the limits.
const (
	codeDepth      = "DEPTH_LIMIT_EXCEEDED"
	codeComplexity = "COMPLEXITY_LIMIT_EXCEEDED"
	codeFields     = "FIELD_LIMIT_EXCEEDED"
	codeAliases    = "ALIAS_LIMIT_EXCEEDED"
	codeRate       = "RATE_LIMITED"
)

// limiter is the handler extension that measures each operation after
// validation and refuses it, before any resolver runs, when it is too deep,
// too big, too repetitive or over the caller's rate.
type limiter struct {
	l      Limits
	rates  *ratelimit.Limiter // nil: no rate limit
	log    *slog.Logger
	warned atomic.Int64 // unix second of the last warning that the buckets could not be reached
}

func newLimiter(l Limits, rates *ratelimit.Limiter, log *slog.Logger) *limiter {
	l.defaults()
	if rates != nil {
		rates.OnSettleError(func(err error) {
			log.Warn("rate limit refunds could not be written", "err", err)
		})
	}
	return &limiter{l: l, rates: rates, log: log}
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
	graphql.ResponseInterceptor
} = (*limiter)(nil)

// charged is what an admitted operation was charged, kept in its
// operation context's stats until its answer settles it.
type charged struct {
	buckets   []ratelimit.Bucket
	requested int
	settled   bool
}

const costExtension = "cost"

func (*limiter) ExtensionName() string                   { return "Limits" }
func (*limiter) Validate(graphql.ExecutableSchema) error { return nil }
func limitErr(code, format string, args ...any) *gqlerror.Error {
	return &gqlerror.Error{Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": code}}
}

// measure walks an operation: its depth, fields, most-repeated field and node cost.
type measure struct {
	vars     map[string]any
	frags    ast.FragmentDefinitionList
	fields   int
	depth    int
	aliases  int
	visiting map[string]bool
}

// firstOf is the page size a field asks for — its `first` or `last`, or
// the default page for a connection that names neither — or 0 for a field
// that is no connection.
func (m *measure) firstOf(f *ast.Field) int {
	for _, name := range []string{"first", "last"} {
		if n := m.intArg(f, name); n > 0 {
			return n
		}
	}
	if f.Definition != nil && f.Definition.Arguments.ForName("first") != nil && f.Definition.Arguments.ForName("last") != nil {
		return defaultPage
	}
	return 0
}

// intArg is the value of an Int argument of f, or 0 when it has none.
func (m *measure) intArg(f *ast.Field, name string) int {
	a := f.Arguments.ForName(name)
	if a == nil || a.Value == nil {
		return 0
	}
	v, err := a.Value.Value(m.vars)
	if err != nil {
		return 0
	}
	switch n := v.(type) {
	case int64:
		return int(n)
	case int:
		return n
	case float64:
		return int(n)
	}
	return 0
}

// walk returns the node cost of a selection set at depth d.
func (m *measure) walk(set ast.SelectionSet, d int) float64 {
	if d > m.depth {
		m.depth = d
	}
	if d > 200 { // far past any limit: stop walking
		return 0
	}
	cost := 0.0
	seen := map[string]int{}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			m.fields++
			seen[s.Name]++
			if seen[s.Name] > m.aliases {
				m.aliases = seen[s.Name]
			}
			child := m.walk(s.SelectionSet, d+1)
			if first := m.firstOf(s); first > 0 {
				cost += float64(first) * (1 + child)
			} else {
				cost += child
			}
		case *ast.InlineFragment:
			cost += m.walk(s.SelectionSet, d)
		case *ast.FragmentSpread:
			if m.visiting[s.Name] {
				continue
			}
			if f := m.frags.ForName(s.Name); f != nil {
				m.visiting[s.Name] = true
				cost += m.walk(f.SelectionSet, d)
				m.visiting[s.Name] = false
			}
		}
	}
	return cost
}

// MutateOperationContext enforces the limits on the operation about to run.
func (x *limiter) MutateOperationContext(ctx context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if rc.Operation == nil {
		return nil
	}
	m := &measure{vars: rc.Variables, frags: rc.Doc.Fragments, visiting: map[string]bool{}}
	nodes := m.walk(rc.Operation.SelectionSet, 1)
	switch {
	case m.depth > x.l.MaxDepth:
		return limitErr(codeDepth, "the operation nests %d levels deep; at most %d are allowed", m.depth, x.l.MaxDepth)
	case m.fields > x.l.MaxFields:
		return limitErr(codeFields, "the operation selects %d fields; at most %d are allowed", m.fields, x.l.MaxFields)
	case m.aliases > x.l.MaxAliases:
		return limitErr(codeAliases, "the operation selects one field %d times in one place; at most %d are allowed", m.aliases, x.l.MaxAliases)
	case nodes > float64(x.l.MaxNodes):
		return limitErr(codeComplexity, "the operation may return %.0f nodes; at most %d are allowed (lists count by their `first`)", nodes, x.l.MaxNodes)
	}
	cost := int(math.Max(1, nodes))
	buckets, wait, ok := x.charge(ctx, cost)
	if !ok {
		if h, ok := ctx.Value(retryKey{}).(*retryAfter); ok {
			h.set(wait)
		}
		return limitErr(codeRate, "too many requests; retry in %d s", int(math.Ceil(wait.Seconds())))
	}
	rc.Stats.SetExtension(costExtension, &charged{buckets: buckets, requested: cost})
	return nil
}

// InterceptResponse settles an operation's charge once it has answered: the
// points it requested beyond what it returned go back to its buckets (an
// answer of more objects than requested, edges and nodes counted apart, is
// charged its requested cost), and
// the answer says both (extensions.cost.requested and .actual, as Shopify's
// extensions.cost does). A subscription keeps its requested cost: it is
// settled, without a refund, at its first event.
func (x *limiter) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || !graphql.HasOperationContext(ctx) {
		return resp
	}
	rc := graphql.GetOperationContext(ctx)
	c, _ := rc.Stats.GetExtension(costExtension).(*charged)
	if c == nil || c.settled {
		return resp
	}
	c.settled = true
	// More objects than requested (a small operation's data object,
	// connections and edges outnumber the nodes it was costed at) is charged,
	// and reported, as requested.
	actual := min(max(1, objects(resp.Data)), c.requested)
	if rc.Operation.Operation != ast.Subscription && actual < c.requested && len(c.buckets) > 0 {
		x.refund(float64(c.requested-actual), c.buckets)
	}
	if resp.Extensions == nil {
		resp.Extensions = map[string]any{}
	}
	resp.Extensions[costExtension] = map[string]int{"requested": c.requested, "actual": actual}
	return resp
}

// refund gives points back, deferred (ratelimit.Limiter.Defer): the refunds
// of the operations answered within a few milliseconds are written in one
// statement, or with the bucket's next take, and cost no round trip of
// their own. A failure only costs the caller budget.
func (x *limiter) refund(points float64, bs []ratelimit.Bucket) {
	x.rates.Defer(points, bs...)
}

// objects counts the JSON objects of an answer's data: the nodes, edges and
// other objects it returned. One pass over the bytes, no decoding.
func objects(data []byte) int {
	n, inString, escaped := 0, false, false
	for _, b := range data {
		switch {
		case escaped:
			escaped = false
		case inString:
			switch b {
			case '\\':
				escaped = true
			case '"':
				inString = false
			}
		case b == '"':
			inString = true
		case b == '{':
			n++
		}
	}
	return n
}

// take is rates.Take that turns a panic (a store without a database) into
// an error, so that the limiter never takes the request down with it.
func (x *limiter) take(ctx context.Context, cost float64, bs []ratelimit.Bucket) (wait time.Duration, ok bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("rate limit: panic: %v", p)
		}
	}()
	return x.rates.Take(ctx, cost, bs...)
}

// charge takes cost points from the caller's buckets — the account's, if
// signed in, and the address's — before the operation runs, and returns
// them, or reports how long to wait. When the buckets cannot be reached
// (PostgreSQL is down) the operation goes on: it needs the database too and
// fails on its own, and the limit exists to protect the database.
func (x *limiter) charge(ctx context.Context, cost int) ([]ratelimit.Bucket, time.Duration, bool) {
	if x.rates == nil {
		return nil, 0, true
	}
	var bs []ratelimit.Bucket
	if v := access.From(ctx); v.AccountID != "" {
		bs = append(bs, ratelimit.Bucket{Kind: "cost-account", Key: v.AccountID, Burst: float64(x.l.AccountBurst), PerSecond: float64(x.l.AccountPerSecond)})
	}
	bs = append(bs, ratelimit.Bucket{Kind: "cost-addr", Key: ratelimit.AddrKey(requestInfoFrom(ctx).Addr),
		Burst: float64(x.l.AddrBurst), PerSecond: float64(x.l.AddrPerSecond)})
	wait, ok, err := x.take(ctx, float64(cost), bs)
	if err != nil {
		if now := x.rates.Now().Unix(); x.warned.Swap(now) != now { // at most one warning a second
			x.log.WarnContext(ctx, "rate limit buckets unreachable; the operation runs unmetered", "err", err, "request", RequestID(ctx))
		}
		return nil, 0, true
	}
	if wait == ratelimit.Never { // more than a whole burst: never allowed
		wait = time.Minute
	}
	return bs, wait, ok
}

type retryKey struct{}

// retryAfter carries a rate-limit refusal from the extension to the HTTP layer.
type retryAfter struct {
	mu   sync.Mutex
	wait time.Duration
}

func (r *retryAfter) set(d time.Duration) {
	r.mu.Lock()
	r.wait = d
	r.mu.Unlock()
}

func (r *retryAfter) get() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.wait
}

// statusWriter turns the response into 429 with Retry-After when the
// operation was refused for its rate.
type statusWriter struct {
	http.ResponseWriter
	ra          *retryAfter
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	if d := w.ra.get(); d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(d.Seconds()))))
		code = http.StatusTooManyRequests
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer (websockets).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// RateLimitStatus lets the limits answer 429 with Retry-After.
func RateLimitStatus(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ra := &retryAfter{}
		ctx := context.WithValue(r.Context(), retryKey{}, ra)
		next.ServeHTTP(&statusWriter{ResponseWriter: w, ra: ra}, r.WithContext(ctx))
	})
}
