package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
)

// GraphQL over HTTP (https://graphql.github.io/graphql-over-http/draft/):
// the answer is application/graphql-response+json when the client's Accept
// allows it and application/json otherwise (also without Accept). A
// request error — the document does not parse or validate, the variables
// do not coerce — is answered 400 under application/graphql-response+json
// and 200 with `errors` under application/json, and, since execution never
// started, without a `data` key in either.

const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// responseMediaType is the media type of the answer to r: the one of
// application/graphql-response+json and application/json that Accept
// prefers (by q, then by order), application/json when Accept names
// neither, only a wildcard, or is absent.
func responseMediaType(r *http.Request) string {
	best, bestQ := mediaJSON, -1.0
	for part := range strings.SplitSeq(r.Header.Get("Accept"), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				q = f
			}
		}
		if q <= 0 || q <= bestQ {
			continue
		}
		switch mt {
		case mediaGraphQLResponse, mediaJSON:
			best, bestQ = mt, q
		case "*/*", "application/*":
			best, bestQ = mediaJSON, q
		}
	}
	return best
}

// markStarted notes, for the HTTP answer, that the operation passed every
// check and is executing: from then on its answer keeps its `data`.
func markStarted(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if a := httpAnswerFrom(ctx); a != nil {
		a.started.Store(true)
	}
	return next(ctx)
}

// mediaAnswer gives the answers of the GraphQL transports (POST and GET)
// the statuses and shape of GraphQL over HTTP. It holds the JSON answer
// until it is complete; an answer of another type (an event stream) passes
// through untouched.
func mediaAnswer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mw := &mediaWriter{ResponseWriter: w, media: responseMediaType(r), a: httpAnswerFrom(r.Context())}
		next.ServeHTTP(mw, r)
		mw.finish()
	})
}

type mediaWriter struct {
	http.ResponseWriter
	media   string
	a       *httpAnswer
	status  int
	through bool // not JSON: written as it comes
	buf     bytes.Buffer
}

func (w *mediaWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	mt, _, _ := mime.ParseMediaType(w.Header().Get("Content-Type"))
	if mt != mediaJSON && mt != mediaGraphQLResponse {
		w.through = true
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *mediaWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.through {
		return w.ResponseWriter.Write(b)
	}
	return w.buf.Write(b)
}

// Flush passes a flush on for answers that pass through.
func (w *mediaWriter) Flush() {
	if w.through {
		_ = http.NewResponseController(w.ResponseWriter).Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *mediaWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *mediaWriter) finish() {
	if w.through {
		return
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	body := w.buf.Bytes()
	started := w.a != nil && w.a.started.Load()
	if !started {
		// A request error: execution never started, so no `data`.
		var m map[string]json.RawMessage
		if decodeJSON(body, &m) == nil && string(m["data"]) == "null" {
			delete(m, "data")
			if b, err := json.Marshal(m); err == nil {
				body = b
			}
		}
		if w.status == http.StatusUnprocessableEntity || w.status == http.StatusBadRequest {
			// gqlgen's statuses for a document that does not parse or
			// validate or variables that do not coerce; a status the edge
			// asked for (httpAnswer) still wins in answerWriter.
			if w.media == mediaJSON {
				w.status = http.StatusOK
			} else {
				w.status = http.StatusBadRequest
			}
		}
	}
	w.Header().Set("Content-Type", w.media)
	w.Header().Del("Content-Length")
	w.ResponseWriter.WriteHeader(w.status)
	_, _ = w.ResponseWriter.Write(body)
}
