package graph

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cogov/internal/cases"
	"cogov/internal/i18n"
	"cogov/internal/problem"
	"cogov/internal/ratelimit"
)

// The intake: other systems (the 110 dispatch, the 12345 hotline) push
// cases with POST /intake/cases, signed in with their integration's API key
// (Authorization: Bearer cgk_…). The contract is graph/intake-openapi.yaml,
// served at GET /intake/openapi.yaml.

//go:embed intake-openapi.yaml
var intakeOpenAPI []byte

// Each integration may push IntakeBurst cases at once and IntakePerSecond
// more each second, across every replica (internal/ratelimit).
const (
	IntakeBurst     = 60
	IntakePerSecond = 1.0
	maxIntakeBody   = 64 << 10
)

// intakeRequest is the JSON body of POST /intake/cases.
type intakeRequest struct {
	ExternalRef string   `json:"externalRef"`
	GridID      string   `json:"gridId"`
	Category    string   `json:"category"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Address     string   `json:"address"`
	Latitude    *float64 `json:"latitude"`
	Longitude   *float64 `json:"longitude"`
	Photos      []string `json:"photos"`
	Reporter    *struct {
		Name  string `json:"name"`
		Phone string `json:"phone"`
	} `json:"reporter"`
}

// intakeResponse is the answer to a push.
type intakeResponse struct {
	CaseID      string       `json:"caseId"`
	ExternalRef string       `json:"externalRef"`
	Status      cases.Status `json:"status"`
	Created     bool         `json:"created"`
	ReportedAt  time.Time    `json:"reportedAt"`
}

// IntakeOpenAPI serves the intake's OpenAPI document.
func IntakeOpenAPI() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
		_, _ = w.Write(intakeOpenAPI)
	})
}

// IntakeHandler serves POST /intake/cases: 201 with the new case, 200 with
// the case an earlier push of the same externalRef made, 400 for a body
// that is not the JSON asked for, 401 for a missing, unknown or revoked
// key, 422 with the rules the case broke, 429 past the key's rate.
func IntakeHandler(r *Resolver, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ctx := i18n.With(req.Context(), i18n.Match(req.Header.Get("Accept-Language")))
		req = req.WithContext(ctx)
		token, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
		if !ok {
			writeError(w, req, http.StatusUnauthorized, "UNAUTHENTICATED", "send the integration's API key as `Authorization: Bearer <key>`")
			return
		}
		key, err := r.GridCases.AuthenticateIntake(ctx, strings.TrimSpace(token))
		if errors.Is(err, cases.ErrBadKey) {
			writeError(w, req, http.StatusUnauthorized, "UNAUTHENTICATED", err.Error())
			return
		}
		if err != nil {
			intakeFault(w, req, log, err)
			return
		}
		wait, ok, err := r.Rates.Take(ctx, 1, ratelimit.Bucket{Kind: "intake-key", Key: key.ID, Burst: IntakeBurst, PerSecond: IntakePerSecond})
		if err != nil {
			intakeFault(w, req, log, err)
			return
		}
		if !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(max(wait, time.Second).Round(time.Second).Seconds())))
			writeError(w, req, http.StatusTooManyRequests, "RATE_LIMITED", "too many cases pushed; try again later")
			return
		}
		if mt := req.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(mt), "application/json") {
			writeError(w, req, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "send the case as application/json")
			return
		}
		var in intakeRequest
		dec := json.NewDecoder(http.MaxBytesReader(w, req.Body, maxIntakeBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil || dec.More() {
			writeError(w, req, http.StatusBadRequest, "BAD_REQUEST", "the body is not the JSON case the intake takes (GET /intake/openapi.yaml)")
			return
		}
		c := cases.NewCase{ExternalRef: &in.ExternalRef, GridID: localID(typeGrid, in.GridID), Title: in.Title,
			Description: in.Description, Address: in.Address, Latitude: in.Latitude, Longitude: in.Longitude, Photos: in.Photos}
		if in.Reporter != nil {
			c.Reporter = &cases.Personal{Name: in.Reporter.Name, Phone: in.Reporter.Phone}
		}
		out, created, err := r.GridCases.Intake(ctx, key, in.Category, c)
		if l, ok := problem.As(err); ok {
			var errs []map[string]any
			for _, p := range l {
				errs = append(errs, map[string]any{"code": p.Code, "field": strings.Join(p.Field[min(1, len(p.Field)):], "."),
					"message": i18n.Message(ctx, "code."+string(p.Code), p.Message)})
			}
			writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": errs})
			return
		}
		if err != nil {
			intakeFault(w, req, log, err)
			return
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		writeJSON(w, status, intakeResponse{CaseID: globalID(typeCase, out.ID), ExternalRef: deref(out.ExternalRef), Status: out.Status,
			Created: created, ReportedAt: out.ReportedAt})
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// intakeFault answers a fault that is not the client's: 503 for an outage, 500 otherwise.
func intakeFault(w http.ResponseWriter, req *http.Request, log *slog.Logger, err error) {
	if errors.Is(err, problem.ErrUnavailable) {
		w.Header().Set("Retry-After", retryAfterOutage)
		writeError(w, req, http.StatusServiceUnavailable, codeUnavailable, msgUnavailable)
		return
	}
	log.ErrorContext(req.Context(), "intake", "err", err)
	writeError(w, req, http.StatusInternalServerError, codeInternal, "internal error")
}
