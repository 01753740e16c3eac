package cases

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cogov/internal/access"
	"cogov/internal/clock"
	"cogov/internal/problem"
)

// IntakeKey is the API key of one integration (the 110 dispatch, the 12345
// hotline) pushing cases into a sub-district. The key itself is shown once
// and stored as its SHA-256; the callback secret signs the callbacks.
type IntakeKey struct {
	ID            string
	SubdistrictID string
	Name          string
	Source        Source // the source of every case it pushes
	Prefix        string // the key's first characters, to tell keys apart
	CallbackURL   string
	CreatedAt     time.Time
	RevokedAt     *time.Time
}

// IntakeStore is what the intake needs from persistence.
type IntakeStore interface {
	CreateIntakeKey(ctx context.Context, k IntakeKey, hash []byte, secret string) (IntakeKey, error)
	RevokeIntakeKey(ctx context.Context, id string, apply func(*IntakeKey) error) (IntakeKey, error)
	IntakeKeyByHash(ctx context.Context, hash []byte) (IntakeKey, error)
	CaseCategoryByCode(ctx context.Context, sd, code string) (Category, error)
	ClaimCallbacks(ctx context.Context, n int, lease time.Duration) ([]Callback, error)
	FinishCallback(ctx context.Context, id string, delivered bool, errText string, retryAt *time.Time) error
}

// ErrBadKey means an API key is unknown or revoked.
var ErrBadKey = errors.New("the API key is not valid")

// NewKey is a created intake key with its secrets, shown once.
type NewKey struct {
	Key            IntakeKey
	APIKey         string
	CallbackSecret string
}

const keyPrefix = "cgk_"

func random(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashKey(k string) []byte {
	h := sha256.Sum256([]byte(k))
	return h[:]
}

// CreateIntakeKey creates the API key of an integration of a sub-district;
// its administrators may. The key and the callback secret are in the
// result only.
func (s *Service) CreateIntakeKey(ctx context.Context, sd, name string, source Source, callbackURL string) (NewKey, error) {
	v := access.From(ctx)
	if !v.AdministersSubdistrict(sd) {
		if v.InSubdistrict(sd) {
			return NewKey{}, forbidden("create intake keys")
		}
		return NewKey{}, problem.New(problem.NotFound, "no such sub-district", "subdistrictId")
	}
	var l problem.List
	name = l.RequireText(name, maxShort, "name")
	if source != Diversion110 && source != Hotline12345 {
		l.Add(problem.InvalidInput, "an integration pushes HOTLINE_12345 or DIVERSION_110 cases", "source")
	}
	callbackURL = strings.TrimSpace(callbackURL)
	if callbackURL != "" {
		u, err := url.Parse(callbackURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(callbackURL) > maxURL {
			l.Add(problem.InvalidInput, "the callback is an http(s) address", "callbackUrl")
		}
	}
	if err := l.Err(); err != nil {
		return NewKey{}, err
	}
	raw, err := random(32)
	if err != nil {
		return NewKey{}, err
	}
	secret, err := random(32)
	if err != nil {
		return NewKey{}, err
	}
	apiKey := keyPrefix + raw
	k, err := s.store.CreateIntakeKey(ctx, IntakeKey{SubdistrictID: sd, Name: name, Source: source, Prefix: apiKey[:10], CallbackURL: callbackURL},
		hashKey(apiKey), secret)
	if err != nil {
		return NewKey{}, err
	}
	return NewKey{Key: k, APIKey: apiKey, CallbackSecret: secret}, nil
}

// RevokeIntakeKey revokes an intake key; the sub-district's administrators may.
func (s *Service) RevokeIntakeKey(ctx context.Context, id string) (IntakeKey, error) {
	now := s.Now()
	k, err := s.store.RevokeIntakeKey(ctx, id, func(k *IntakeKey) error {
		if !access.From(ctx).AdministersSubdistrict(k.SubdistrictID) {
			return forbidden("revoke intake keys")
		}
		if k.RevokedAt == nil {
			k.RevokedAt = &now
		}
		return nil
	})
	if errors.Is(err, problem.ErrNotFound) {
		return k, problem.New(problem.NotFound, "no such intake key", "intakeKeyId")
	}
	return k, err
}

// AuthenticateIntake turns an API key into its intake key: ErrBadKey when
// it is unknown or revoked.
func (s *Service) AuthenticateIntake(ctx context.Context, apiKey string) (IntakeKey, error) {
	if !strings.HasPrefix(apiKey, keyPrefix) || len(apiKey) > 100 {
		return IntakeKey{}, ErrBadKey
	}
	k, err := s.store.IntakeKeyByHash(access.With(ctx, access.System("intake")), hashKey(apiKey))
	if errors.Is(err, problem.ErrNotFound) || (err == nil && k.RevokedAt != nil) {
		return IntakeKey{}, ErrBadKey
	}
	return k, err
}

// IntakeViewer is who an intake request acts as: the integration, in its
// sub-district only.
func IntakeViewer(k IntakeKey) access.Viewer {
	return access.Viewer{Username: "intake:" + k.Name, Roles: []access.Role{{Kind: access.Integration, ScopeID: k.ID, SubdistrictID: k.SubdistrictID}}}
}

// Intake records a case an integration pushes, of the category with the
// code categoryCode (OTHER when empty), once per external reference
// (in.ExternalRef, required): pushing the same reference again returns the
// case made the first time (created false) and changes nothing. The case's
// source is the key's; in.Source, CategoryID and IntakeKeyID are ignored.
func (s *Service) Intake(ctx context.Context, k IntakeKey, categoryCode string, in NewCase) (c Case, created bool, err error) {
	ctx = access.With(ctx, IntakeViewer(k))
	ref := ""
	if in.ExternalRef != nil {
		ref = strings.TrimSpace(*in.ExternalRef)
	}
	if ref == "" || len(ref) > maxShort {
		return Case{}, false, problem.New(problem.InvalidInput, "externalRef is 1 to 100 characters", "externalRef")
	}
	if c, err := s.store.CaseByRef(ctx, k.SubdistrictID, k.Source, ref); err == nil {
		return c, false, nil
	} else if !errors.Is(err, problem.ErrNotFound) {
		return Case{}, false, err
	}
	code := categoryCode
	if code == "" {
		code = "OTHER"
	}
	cat, err := s.store.CaseCategoryByCode(ctx, k.SubdistrictID, strings.ToUpper(code))
	if errors.Is(err, problem.ErrNotFound) {
		return Case{}, false, problem.New(problem.NotFound, "no such category", "category")
	}
	if err != nil {
		return Case{}, false, err
	}
	in.Source, in.CategoryID, in.ExternalRef, in.IntakeKeyID, in.ReportedAt = k.Source, cat.ID, &ref, &k.ID, nil
	c, err = s.Report(ctx, in)
	if problem.Has(err, problem.AlreadyExists) { // pushed twice at once: the other push made it
		c, err = s.store.CaseByRef(ctx, k.SubdistrictID, k.Source, ref)
		return c, false, err
	}
	return c, err == nil, err
}

// ---- delivering callbacks ----

// Sign returns the signature of a callback body sent at ts with secret:
// "sha256=" and the hex HMAC-SHA256 of "<ts>.<body>".
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d.", ts)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Deliverer delivers the callbacks of the outbox (case_callback): each is
// claimed for a lease, POSTed signed, and marked delivered on a 2xx answer
// or tried again later with a growing wait, up to MaxAttempts. A callback
// is delivered at least once; the X-Cogov-Delivery header lets the
// receiver drop a repeat. The claim is a single UPDATE … FOR UPDATE SKIP
// LOCKED, so several replicas can run a Deliverer. (When River joins the
// platform, a job inserted in the same transaction replaces the outbox row
// and RunOnce becomes the job's Work.)
type Deliverer struct {
	Store       IntakeStore
	Client      *http.Client
	Now         clock.Clock
	Log         *slog.Logger
	MaxAttempts int           // 10 when 0
	Lease       time.Duration // how long a claim holds; 5 minutes when 0
}

// backoff is the wait after the n-th failed attempt: 30 s doubling, at most an hour.
func backoff(n int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// RunOnce delivers the callbacks that are due, up to 50; it returns how
// many were delivered.
func (d *Deliverer) RunOnce(ctx context.Context) (int, error) {
	ctx = access.With(ctx, access.System("callbacks"))
	lease := d.Lease
	if lease == 0 {
		lease = 5 * time.Minute
	}
	attempts := d.MaxAttempts
	if attempts == 0 {
		attempts = 10
	}
	due, err := d.Store.ClaimCallbacks(ctx, 50, lease)
	if err != nil {
		return 0, err
	}
	delivered := 0
	for _, cb := range due {
		err := d.send(ctx, cb)
		if err == nil {
			delivered++
			if ferr := d.Store.FinishCallback(ctx, cb.ID, true, "", nil); ferr != nil {
				return delivered, ferr
			}
			continue
		}
		var retry *time.Time
		if cb.Attempts < attempts {
			t := d.Now().Add(backoff(cb.Attempts))
			retry = &t
		}
		if d.Log != nil {
			d.Log.Warn("callback not delivered", "callback", cb.ID, "attempt", cb.Attempts, "err", err)
		}
		if ferr := d.Store.FinishCallback(ctx, cb.ID, false, err.Error(), retry); ferr != nil {
			return delivered, ferr
		}
	}
	return delivered, nil
}

func (d *Deliverer) send(ctx context.Context, cb Callback) error {
	if cb.URL == "" {
		return errors.New("the integration has no callback address")
	}
	ts := d.Now().Unix()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cb.URL, bytes.NewReader(cb.Payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Cogov-Event", cb.Event)
	req.Header.Set("X-Cogov-Delivery", cb.ID)
	req.Header.Set("X-Cogov-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Cogov-Signature", Sign(cb.Secret, ts, cb.Payload))
	client := d.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("answered %s", resp.Status)
	}
	return nil
}

// Run delivers due callbacks every interval until ctx ends.
func (d *Deliverer) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := d.RunOnce(ctx); err != nil && ctx.Err() == nil && d.Log != nil {
			d.Log.Error("callbacks", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
