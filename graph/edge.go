package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// The edge: what a request must be before the GraphQL handler, a resolver or
// the database sees it. A request that is not is the client's mistake and
// is answered 4xx with a code saying so (BAD_REQUEST for a malformed
// request, BAD_USER_INPUT for a value the schema cannot hold), never as a
// fault of the server, and not logged as one.

// Error codes of the edge and of outages.
const (
	codeBadRequest  = "BAD_REQUEST"
	codeUnavailable = "UNAVAILABLE"
)

// validText reports whether s is text PostgreSQL can store: valid UTF-8
// without NUL characters.
func validText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// httpAnswer is what the GraphQL handler decides, on the way, about the
// status of an HTTP answer: a refusal before execution (400, 405) or an
// outage (503). The transports would answer 200, 400 or 422 (see mediaAnswer).
type httpAnswer struct {
	method  string
	started atomic.Bool // the operation passed every check and executes
	mu      sync.Mutex
	status  int
	header  http.Header
}

type httpAnswerKey struct{}

func httpAnswerFrom(ctx context.Context) *httpAnswer {
	a, _ := ctx.Value(httpAnswerKey{}).(*httpAnswer)
	return a
}

// set asks for status, with headers as name-value pairs; the higher status
// wins (an outage over a refusal).
func (a *httpAnswer) set(status int, header ...string) {
	if a == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if status <= a.status {
		return
	}
	a.status, a.header = status, http.Header{}
	for i := 0; i+1 < len(header); i += 2 {
		a.header.Set(header[i], header[i+1])
	}
}

func (a *httpAnswer) get() (int, http.Header) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.status, a.header
}

// answerWriter gives the answer the status httpAnswer holds, if any.
type answerWriter struct {
	http.ResponseWriter
	a           *httpAnswer
	wroteHeader bool
}

func (w *answerWriter) WriteHeader(code int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	if status, h := w.a.get(); status != 0 {
		for k, v := range h {
			w.Header()[k] = v
		}
		code = status
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *answerWriter) Write(b []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *answerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// checkHTTP refuses, before the GraphQL handler sees them, the HTTP requests
// it would answer without a code: another method than GET and POST, a POST
// that is not JSON, a body or query string that is not a GraphQL request
// (not JSON, not an object, a batch array, a field of the wrong type, text
// that is not UTF-8). The rest goes to next with an httpAnswer in its
// context, through which the handler sets the status.
func checkHTTP(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			if msg := checkGET(r.URL.RawQuery); msg != "" {
				writeError(w, r, http.StatusBadRequest, codeBadRequest, msg)
				return
			}
		case http.MethodPost:
			mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if err != nil || mt != "application/json" {
				writeError(w, r, http.StatusUnsupportedMediaType, codeBadRequest, "a POST must carry a JSON body with Content-Type: application/json")
				return
			}
			body, err := io.ReadAll(r.Body)
			if err != nil {
				writeError(w, r, http.StatusBadRequest, codeBadRequest, "the request body could not be read")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			if msg := checkBody(body); msg != "" {
				writeError(w, r, http.StatusBadRequest, codeBadRequest, msg)
				return
			}
		default:
			w.Header().Set("Allow", "GET, POST")
			writeError(w, r, http.StatusMethodNotAllowed, codeBadRequest, "send GraphQL requests with POST (or GET for queries)")
			return
		}
		a := &httpAnswer{method: r.Method}
		next.ServeHTTP(&answerWriter{ResponseWriter: w, a: a}, r.WithContext(context.WithValue(r.Context(), httpAnswerKey{}, a)))
	})
}

// decodeJSON decodes b into v as the GraphQL transports do (numbers kept
// as json.Number) and refuses anything after the value.
func decodeJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("more after the JSON value")
	}
	return nil
}

// checkBody says what is wrong with a POST body, or "".
func checkBody(b []byte) string {
	if !utf8.Valid(b) {
		return "the request body is not UTF-8"
	}
	var p struct {
		graphql.RawParams
		DocumentID string `json:"documentId"`
	}
	if err := decodeJSON(b, &p); err != nil {
		return "the request body must be one JSON object with a string `query` and, if present, an object `variables` and a string `operationName`" + jsonProblem(err)
	}
	if p.Query == "" && p.DocumentID == "" && p.Extensions["persistedQuery"] == nil {
		return "the request has no `query` (nor a `documentId` or a persisted-query extension)"
	}
	return ""
}

// jsonProblem says briefly, without echoing the client's text, what
// encoding/json found wrong.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return fmt.Sprintf(" (found a JSON %s; batches are not supported)", typeErr.Value)
		}
		return fmt.Sprintf(" (`%s` is a JSON %s)", typeErr.Field, typeErr.Value)
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf(" (invalid JSON at byte %d)", syntaxErr.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return " (the JSON ends too early)"
	}
	return ""
}

// checkGET says what is wrong with the query string of a GET, or "".
func checkGET(rawQuery string) string {
	q, msg := checkQueryString(rawQuery)
	if msg != "" {
		return msg
	}
	for _, name := range []string{"variables", "extensions"} {
		if v := q.Get(name); v != "" {
			var m map[string]any
			if err := decodeJSON([]byte(v), &m); err != nil {
				return "the `" + name + "` parameter must be a JSON object" + jsonProblem(err)
			}
		}
	}
	return ""
}

// checkQueryString parses a query string whose names and values must all
// be text; it says what is wrong, or "".
func checkQueryString(rawQuery string) (url.Values, string) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, "the query string is malformed"
	}
	for k, vs := range q {
		if !validText(k) {
			return nil, "the query string holds a NUL character or bytes that are not UTF-8"
		}
		for _, v := range vs {
			if !validText(v) {
				return nil, "the query string parameter " + strconv.Quote(k) + " holds a NUL character or bytes that are not UTF-8"
			}
		}
	}
	return q, ""
}

// CheckURL answers 400 to a request whose path or query string is not
// text (a NUL, bytes that are not UTF-8, a malformed escape) before next
// sees it: path segments and parameters reach the database as text.
func CheckURL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		msg := ""
		if !validText(r.URL.Path) {
			msg = "the path holds a NUL character or bytes that are not UTF-8"
		} else {
			_, msg = checkQueryString(r.URL.RawQuery)
		}
		if msg != "" {
			http.Error(w, msg, http.StatusBadRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// inputCheck is the handler extension that refuses, after validation and
// before any resolver runs, an operation whose arguments hold what no
// column can: text with a NUL or that is not UTF-8 (in a literal of the
// document or in a variable), an Int outside 32 bits (GraphQL's Int is
// 32-bit, and PostgreSQL's integer columns are too; the parser only refuses
// what does not fit 64). It also refuses, over HTTP, the operations that
// cannot work there: a subscription (it needs a websocket or server-sent
// events) and a mutation sent with GET.
type inputCheck struct{ schema *ast.Schema }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = (*inputCheck)(nil)

func (*inputCheck) ExtensionName() string { return "InputCheck" }
func (c *inputCheck) Validate(s graphql.ExecutableSchema) error {
	c.schema = s.Schema()
	return nil
}

func badInput(pos *ast.Position, format string, args ...any) *gqlerror.Error {
	e := &gqlerror.Error{Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": codeBadInput}}
	if pos != nil {
		e.Locations = []gqlerror.Location{{Line: pos.Line, Column: pos.Column}}
	}
	return e
}

// MutateOperationContext checks the operation about to run.
func (c *inputCheck) MutateOperationContext(ctx context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if rc.Operation == nil {
		return nil
	}
	ha := httpAnswerFrom(ctx)
	if ha != nil {
		switch {
		case rc.Operation.Operation == ast.Subscription && !(ha.method == http.MethodPost && acceptsEventStream(rc.Headers)):
			ha.set(http.StatusBadRequest)
			return &gqlerror.Error{Message: "subscriptions are served over a websocket (subprotocol graphql-transport-ws) or as server-sent events (POST with Accept: text/event-stream) at this address, not over plain POST or GET",
				Extensions: map[string]any{"code": codeBadRequest}}
		case rc.Operation.Operation == ast.Mutation && ha.method == http.MethodGet:
			ha.set(http.StatusMethodNotAllowed, "Allow", "POST")
			return &gqlerror.Error{Message: "mutations must be sent with POST", Extensions: map[string]any{"code": codeBadRequest}}
		}
	}
	var err *gqlerror.Error
	for _, v := range rc.Operation.VariableDefinitions {
		if err = c.checkVar(v.Type, rc.Variables[v.Variable], "$"+v.Variable, v.Position); err != nil {
			break
		}
	}
	if err == nil {
		err = checkLiterals(rc.Operation.SelectionSet, rc.Operation.Directives, rc.Doc.Fragments, map[string]bool{})
	}
	if err != nil {
		ha.set(http.StatusBadRequest)
	}
	return err
}

// checkVar checks the value v of a variable, or a part of it, of type t
// (nil where the schema says nothing, e.g. inside a custom scalar).
func (c *inputCheck) checkVar(t *ast.Type, v any, path string, pos *ast.Position) *gqlerror.Error {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if !validText(x) {
			return badInput(pos, "%s holds a NUL character or text that is not UTF-8", path)
		}
	case []any:
		var elem *ast.Type
		if t != nil {
			elem = t.Elem
		}
		for i, e := range x {
			if err := c.checkVar(elem, e, fmt.Sprintf("%s[%d]", path, i), pos); err != nil {
				return err
			}
		}
	case map[string]any:
		var def *ast.Definition
		if t != nil && t.Elem == nil && c.schema != nil {
			def = c.schema.Types[t.NamedType]
		}
		for k, e := range x {
			if !validText(k) {
				return badInput(pos, "%s has a field name with a NUL character or that is not UTF-8", path)
			}
			var ft *ast.Type
			if def != nil {
				if f := def.Fields.ForName(k); f != nil {
					ft = f.Type
				}
			}
			if err := c.checkVar(ft, e, path+"."+k, pos); err != nil {
				return err
			}
		}
	default:
		for t != nil && t.Elem != nil { // a single value given for a list
			t = t.Elem
		}
		if t != nil && t.NamedType == "Int" && !isInt32(x) {
			return badInput(pos, "%s is outside the range of Int (-2147483648 to 2147483647)", path)
		}
	}
	return nil
}

// isInt32 reports whether a decoded number fits a 32-bit Int.
func isInt32(v any) bool {
	var f float64
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		if err != nil {
			return true // not an integer: coercion has already refused it
		}
		f = float64(i)
	case int64:
		f = float64(n)
	case int:
		f = float64(n)
	case int32:
		return true
	case float64:
		f = n
	default:
		return true
	}
	return f >= math.MinInt32 && f <= math.MaxInt32
}

// checkLiterals checks the literal arguments of the fields and directives
// of a selection set, following fragments once each.
func checkLiterals(set ast.SelectionSet, dirs ast.DirectiveList, frags ast.FragmentDefinitionList, seen map[string]bool) *gqlerror.Error {
	for _, d := range dirs {
		if err := checkArgs(d.Arguments); err != nil {
			return err
		}
	}
	for _, sel := range set {
		var err *gqlerror.Error
		switch s := sel.(type) {
		case *ast.Field:
			if err = checkArgs(s.Arguments); err == nil {
				err = checkLiterals(s.SelectionSet, s.Directives, frags, seen)
			}
		case *ast.InlineFragment:
			err = checkLiterals(s.SelectionSet, s.Directives, frags, seen)
		case *ast.FragmentSpread:
			if err = checkLiterals(nil, s.Directives, frags, seen); err == nil && !seen[s.Name] {
				seen[s.Name] = true
				if f := frags.ForName(s.Name); f != nil {
					err = checkLiterals(f.SelectionSet, f.Directives, frags, seen)
				}
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func checkArgs(args ast.ArgumentList) *gqlerror.Error {
	for _, a := range args {
		if err := checkLiteral(a.Value, a.Name); err != nil {
			return err
		}
	}
	return nil
}

// checkLiteral checks a literal value of the document; variables in it are
// checked with the variables.
func checkLiteral(v *ast.Value, path string) *gqlerror.Error {
	if v == nil {
		return nil
	}
	switch v.Kind {
	case ast.StringValue, ast.BlockValue:
		if !validText(v.Raw) {
			return badInput(v.Position, "argument %s holds a NUL character or text that is not UTF-8", path)
		}
	case ast.IntValue:
		if v.ExpectedType != nil && v.ExpectedType.NamedType == "Int" {
			if _, err := strconv.ParseInt(v.Raw, 10, 32); err != nil {
				return badInput(v.Position, "argument %s is outside the range of Int (-2147483648 to 2147483647)", path)
			}
		}
	case ast.ListValue:
		for i, c := range v.Children {
			if err := checkLiteral(c.Value, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case ast.ObjectValue:
		for _, c := range v.Children {
			if err := checkLiteral(c.Value, path+"."+c.Name); err != nil {
				return err
			}
		}
	}
	return nil
}
