// Package account holds accounts, their scoped roles and sessions: signing
// in with a password hashed with argon2id, opaque session tokens stored only
// as hashes, slowing down repeated failures, and the administration of
// accounts and roles.
//
// Signing in is guarded twice. Attempts are counted per username and per
// address in token buckets that every replica shares (internal/ratelimit,
// kept in PostgreSQL), and counted before the password is checked, so that
// simultaneous guesses cannot all pass a count that is only raised after
// their checks. And argon2id takes 64 MiB for each check (its default
// parameters), so the checks and hashes a process runs at once are bounded
// by a semaphore: with 4 slots a burst of sign-ins takes at most 256 MiB.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/argon2id"

	"cogov/internal/access"
	"cogov/internal/clock"
	"cogov/internal/problem"
	"cogov/internal/ratelimit"
)

// Account is a person's or an administrator's login.
type Account struct {
	ID            string
	Username      string
	SubdistrictID *string // home sub-district; nil for platform administrators
	PersonID      *string
	Disabled      bool
	Demo          bool
}

// Role is a role an account holds, scoped to one record.
type Role struct {
	ID            string
	AccountID     string
	Kind          access.RoleKind
	ScopeID       *string
	SubdistrictID *string
}

// Session is a signed-in session.
type Session struct {
	ID        string
	AccountID string
	ExpiresAt time.Time
}

// Credentials is what the store keeps to check a password.
type Credentials struct {
	Account      Account
	PasswordHash string
}

// ErrUnauthenticated means a token is unknown, expired or revoked.
var ErrUnauthenticated = errors.New("the session token is not valid; sign in again")

// Scope is a role's scope as the store finds it.
type Scope struct {
	Kind          string // Subdistrict, Committee, Unit, Person or Grid
	SubdistrictID string
}

// Store is what the service needs from persistence.
type Store interface {
	ratelimit.Store
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	Credentials(ctx context.Context, username string) (Credentials, error)
	RecordSignInFailure(ctx context.Context, username, addr, userAgent, reason string) error
	CreateSession(ctx context.Context, accountID string, tokenHash []byte, expires time.Time, addr, userAgent string) (Session, error)
	SessionViewer(ctx context.Context, tokenHash []byte, now time.Time) (Session, Account, []Role, error)
	RevokeSession(ctx context.Context, sessionID string) error
	RevokeSessions(ctx context.Context, accountID string) (int, error)
	Account(ctx context.Context, id string) (Account, error)
	Roles(ctx context.Context, accountIDs []string) (map[string][]Role, error)
	Role(ctx context.Context, id string) (Role, error)
	CreateAccount(ctx context.Context, a Account, passwordHash string) (Account, error)
	GrantRole(ctx context.Context, r Role) (Role, error)
	RevokeRole(ctx context.Context, id string) error
	OtherSubdistrictAdmins(ctx context.Context, subdistrictID, roleID string) (int, error)
	ScopeOf(ctx context.Context, id string) (Scope, error)
}

// Options tune the service. Zero fields take the defaults.
type Options struct {
	SessionTTL time.Duration // how long a session lasts; 30 days when 0
	// Sign-in attempts allowed in a burst and how often one more is
	// allowed, per username and per address, across every replica.
	// Defaults: 5 per username, one more a minute; 20 per address, one
	// more every 10 s. An attempt that succeeds does not count.
	UserBurst, AddrBurst int
	UserEvery, AddrEvery time.Duration
	// PasswordChecks is how many argon2id checks and hashes this process
	// runs at once, each taking 64 MiB: 4 (256 MiB) when 0.
	PasswordChecks int
	// PasswordWait is how long a sign-in waits for one of those before it
	// is answered RATE_LIMITED; 2 s when 0.
	PasswordWait time.Duration
	// Limits keeps the sign-in buckets; a Limiter over the store when nil.
	Limits *ratelimit.Limiter
	Now    clock.Clock // required: the time sessions start and end by
}

// defaults fills in the zero fields of o.
func (o *Options) defaults() {
	if o.SessionTTL == 0 {
		o.SessionTTL = 30 * 24 * time.Hour
	}
	if o.UserBurst == 0 {
		o.UserBurst = 5
	}
	if o.UserEvery == 0 {
		o.UserEvery = time.Minute
	}
	if o.AddrBurst == 0 {
		o.AddrBurst = 20
	}
	if o.AddrEvery == 0 {
		o.AddrEvery = 10 * time.Second
	}
	if o.PasswordChecks == 0 {
		o.PasswordChecks = 4
	}
	if o.PasswordWait == 0 {
		o.PasswordWait = 2 * time.Second
	}
}

// Service signs people in and administers accounts and roles.
type Service struct {
	store  Store
	o      Options
	limits *ratelimit.Limiter
	slots  chan struct{} // one token per argon2id check that may run now
	// dummy is a hash to compare against when the username is unknown, made
	// on first use: a hash takes 64 MiB and a tenth of a second.
	dummy func() string
}

// NewService returns a Service over store.
func NewService(store Store, o Options) *Service {
	o.defaults()
	limits := o.Limits
	if limits == nil {
		limits = ratelimit.New(store, o.Now)
	}
	dummy := sync.OnceValue(func() string {
		h, _ := argon2id.CreateHash("not a password", argon2id.DefaultParams)
		runtime.GC() // made in a password slot, before that slot's check: one block at a time
		return h
	})
	return &Service{store: store, o: o, limits: limits, slots: make(chan struct{}, o.PasswordChecks), dummy: dummy}
}

// Codes this package adds to the problem codes.
const (
	InvalidCredentials problem.Code = "INVALID_CREDENTIALS"
	RateLimited        problem.Code = "RATE_LIMITED"
	// LastAdministrator refuses to leave a sub-district without an administrator.
	LastAdministrator problem.Code = "LAST_ADMINISTRATOR"
)

// HashPassword hashes a password with argon2id. It takes 64 MiB while it
// runs; the service runs it in one of its password slots.
func HashPassword(password string) (string, error) {
	return argon2id.CreateHash(password, argon2id.DefaultParams)
}

// withSlot runs fn, an argon2id check or hash, once one of the process's
// password slots is free; it gives up when none is within wait (ok false)
// or when ctx ends. A wait of 0 waits as long as ctx lets it.
func (s *Service) withSlot(ctx context.Context, wait time.Duration, fn func()) (ok bool, err error) {
	var timeout <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case s.slots <- struct{}{}:
	case <-timeout:
		return false, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-s.slots }()
	fn()
	// The 64 MiB fn allocated is garbage now. Collect it before the slot
	// frees, or a stream of checks leaves up to a heap's worth of dead
	// blocks behind each live one (Go collects when the heap has doubled)
	// and the process holds twice what the slots allow. The blocks hold no
	// pointers, so the collection costs a few milliseconds, next to the
	// check's hundred.
	runtime.GC()
	return true, nil
}

// signInBuckets are the buckets a sign-in attempt is counted in.
func (s *Service) signInBuckets(username, addr string) []ratelimit.Bucket {
	return []ratelimit.Bucket{
		{Kind: "signin-user", Key: username, Burst: float64(s.o.UserBurst), PerSecond: 1 / s.o.UserEvery.Seconds()},
		{Kind: "signin-addr", Key: ratelimit.AddrKey(addr), Burst: float64(s.o.AddrBurst), PerSecond: 1 / s.o.AddrEvery.Seconds()},
	}
}

func throttled(wait time.Duration) error {
	return problem.New(RateLimited, "too many failed sign-ins; try again in "+max(wait, time.Second).Round(time.Second).String())
}

// SignedIn is the result of SignIn.
type SignedIn struct {
	Token     string
	ExpiresAt time.Time
	Viewer    access.Viewer
}

// SignIn checks a username and password and opens a session.
//
// The attempt is counted, per username and per address, before anything
// else: past the allowance SignIn answers RATE_LIMITED without looking at
// the password, and simultaneous attempts each take their own token, so
// that no more of them reach the check than the allowance. A wrong password
// keeps its token; an attempt that succeeds, or never reached the check,
// gives it back. The check itself waits for one of the process's password
// slots and is answered RATE_LIMITED when none frees up in PasswordWait.
// Every outcome but a throttled one is written to the audit log with the
// address: a session row for a success, a sign-in.failed row for a failure.
func (s *Service) SignIn(ctx context.Context, username, password, addr, userAgent string) (_ SignedIn, err error) {
	username = strings.ToLower(strings.TrimSpace(username))
	buckets := s.signInBuckets(username, addr)
	wait, ok, err := s.limits.Take(ctx, 1, buckets...)
	if err != nil {
		return SignedIn{}, err
	}
	if !ok {
		return SignedIn{}, throttled(wait)
	}
	counted := true // until the attempt turns out not to be a failed guess
	defer func() {
		if !counted {
			if rerr := s.limits.Return(ctx, 1, buckets...); rerr != nil && err == nil {
				err = rerr
			}
		}
	}()
	cred, err := s.store.Credentials(ctx, username)
	known := err == nil
	if err != nil && !errors.Is(err, problem.ErrNotFound) {
		counted = false
		return SignedIn{}, err
	}
	var match bool
	var cerr error
	got, err := s.withSlot(ctx, s.o.PasswordWait, func() {
		hash := cred.PasswordHash
		if !known {
			hash = s.dummy() // an unknown username takes as long as a real check
		}
		match, cerr = argon2id.ComparePasswordAndHash(password, hash)
	})
	if err != nil || !got {
		counted = false
		if err != nil {
			return SignedIn{}, err
		}
		return SignedIn{}, problem.New(RateLimited, "too many sign-ins at once; try again in a few seconds")
	}
	if cerr != nil {
		return SignedIn{}, cerr
	}
	reason := ""
	switch {
	case !known:
		reason = "unknown username"
	case !match:
		reason = "wrong password"
	case cred.Account.Disabled:
		reason = "account disabled"
	}
	if reason != "" {
		if err := s.store.RecordSignInFailure(ctx, username, addr, userAgent, reason); err != nil {
			return SignedIn{}, err
		}
		return SignedIn{}, problem.New(InvalidCredentials, "the username or password is wrong", "password")
	}
	counted = false
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return SignedIn{}, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	// The session is opened by the account itself: the audit log says who signed in.
	as := access.With(ctx, access.Viewer{AccountID: cred.Account.ID, Username: cred.Account.Username})
	sess, err := s.store.CreateSession(as, cred.Account.ID, hashToken(token), s.o.Now().Add(s.o.SessionTTL), addr, userAgent)
	if err != nil {
		return SignedIn{}, err
	}
	roles, err := s.store.Roles(ctx, []string{cred.Account.ID})
	if err != nil {
		return SignedIn{}, err
	}
	return SignedIn{Token: token, ExpiresAt: sess.ExpiresAt, Viewer: viewerOf(sess, cred.Account, roles[cred.Account.ID])}, nil
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func viewerOf(sess Session, a Account, roles []Role) access.Viewer {
	v := access.Viewer{AccountID: a.ID, Username: a.Username, SessionID: sess.ID}
	for _, r := range roles {
		ar := access.Role{Kind: r.Kind}
		if r.ScopeID != nil {
			ar.ScopeID = *r.ScopeID
		}
		if r.SubdistrictID != nil {
			ar.SubdistrictID = *r.SubdistrictID
		}
		v.Roles = append(v.Roles, ar)
	}
	return v
}

// Authenticate turns a bearer token into the viewer it signs in.
func (s *Service) Authenticate(ctx context.Context, token string) (access.Viewer, error) {
	if token == "" || len(token) > 200 {
		return access.Viewer{}, ErrUnauthenticated
	}
	sess, a, roles, err := s.store.SessionViewer(ctx, hashToken(token), s.o.Now())
	if errors.Is(err, problem.ErrNotFound) {
		return access.Viewer{}, ErrUnauthenticated
	}
	if err != nil {
		return access.Viewer{}, err
	}
	return viewerOf(sess, a, roles), nil
}

// SignOut ends the viewer's session, or all their sessions.
func (s *Service) SignOut(ctx context.Context, all bool) (int, error) {
	v := access.From(ctx)
	if v.SessionID == "" {
		return 0, problem.New(problem.Forbidden, "you are not signed in")
	}
	if all {
		return s.store.RevokeSessions(ctx, v.AccountID)
	}
	return 1, s.store.RevokeSession(ctx, v.SessionID)
}

// administers reports whether the viewer administers the account: platform
// administrators all of them, sub-district administrators those of their
// sub-district.
func administers(v access.Viewer, a Account) bool {
	if v.AdministersPlatform() {
		return true
	}
	return a.SubdistrictID != nil && v.AdministersSubdistrict(*a.SubdistrictID)
}

// RevokeSessions ends every session of an account (an administrator's action).
func (s *Service) RevokeSessions(ctx context.Context, accountID string) (int, error) {
	a, err := s.store.Account(ctx, accountID)
	if errors.Is(err, problem.ErrNotFound) {
		return 0, problem.New(problem.NotFound, "no such account", "accountId")
	}
	if err != nil {
		return 0, err
	}
	v := access.From(ctx)
	if !administers(v, a) && v.AccountID != a.ID {
		return 0, problem.New(problem.Forbidden, "only the account's administrators may end its sessions")
	}
	return s.store.RevokeSessions(ctx, accountID)
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,39}$`)

// NewAccount is the input of CreateAccount.
type NewAccount struct {
	Username, Password string
	SubdistrictID      *string
	PersonID           *string
	Demo               bool
}

// CreateAccount creates an account. Sub-district administrators create
// accounts of their own sub-district; only platform administrators create
// accounts without one.
func (s *Service) CreateAccount(ctx context.Context, in NewAccount) (Account, error) {
	v := access.From(ctx)
	if in.SubdistrictID == nil && !v.AdministersPlatform() {
		return Account{}, problem.New(problem.Forbidden, "only platform administrators create accounts outside a sub-district")
	}
	if in.SubdistrictID != nil {
		sc, err := s.store.ScopeOf(ctx, *in.SubdistrictID)
		if errors.Is(err, problem.ErrNotFound) || (err == nil && sc.Kind != "Subdistrict") {
			return Account{}, problem.New(problem.NotFound, "no such sub-district", "subdistrictId")
		}
		if err != nil {
			return Account{}, err
		}
		if !v.AdministersSubdistrict(*in.SubdistrictID) {
			return Account{}, problem.New(problem.Forbidden, "only the sub-district's administrators create its accounts")
		}
	}
	var l problem.List
	username := strings.ToLower(strings.TrimSpace(in.Username))
	if !usernamePattern.MatchString(username) {
		l.Add(problem.InvalidInput, "a username is 2 to 40 lower-case letters, digits, dots, hyphens or underscores", "username")
	}
	if n := len([]rune(in.Password)); n < 8 || n > 200 {
		l.Add(problem.InvalidInput, "a password has 8 to 200 characters", "password")
	}
	if in.PersonID != nil {
		sc, err := s.store.ScopeOf(ctx, *in.PersonID)
		switch {
		case errors.Is(err, problem.ErrNotFound) || (err == nil && sc.Kind != "Person"):
			l.Add(problem.NotFound, "no such person", "personId")
		case err != nil:
			return Account{}, err
		case in.SubdistrictID == nil || sc.SubdistrictID != *in.SubdistrictID:
			l.Add(problem.WrongSubdistrict, "the person belongs to another sub-district", "personId")
		}
	}
	if err := l.Err(); err != nil {
		return Account{}, err
	}
	var hash string
	var herr error
	if _, err := s.withSlot(ctx, 0, func() { hash, herr = HashPassword(in.Password) }); err != nil {
		return Account{}, err
	}
	if herr != nil {
		return Account{}, herr
	}
	return s.store.CreateAccount(ctx, Account{Username: username, SubdistrictID: in.SubdistrictID, PersonID: in.PersonID, Demo: in.Demo}, hash)
}

// scopeKind is the kind of record each role kind is scoped to.
var scopeKind = map[access.RoleKind]string{
	access.SubdistrictAdmin: "Subdistrict",
	access.CommitteeAdmin:   "Committee",
	access.UnitAdmin:        "Unit",
	access.Member:           "Person",
	access.GridWorker:       "Grid",
}

// GrantRole gives an account a role. The viewer must administer the
// sub-district of the scope (platform administrators: any), and the account
// must belong to that sub-district.
func (s *Service) GrantRole(ctx context.Context, accountID string, kind access.RoleKind, scopeID *string) (Role, error) {
	v := access.From(ctx)
	a, err := s.store.Account(ctx, accountID)
	if errors.Is(err, problem.ErrNotFound) {
		return Role{}, problem.New(problem.NotFound, "no such account", "accountId")
	}
	if err != nil {
		return Role{}, err
	}
	if kind == access.PlatformAdmin {
		if !v.AdministersPlatform() {
			return Role{}, problem.New(problem.Forbidden, "only platform administrators make platform administrators")
		}
		if scopeID != nil {
			return Role{}, problem.New(problem.InvalidInput, "a platform administrator has no scope", "scopeId")
		}
		return s.store.GrantRole(ctx, Role{AccountID: a.ID, Kind: kind})
	}
	want, ok := scopeKind[kind]
	if !ok {
		return Role{}, problem.New(problem.InvalidInput, "unknown role kind", "kind")
	}
	if scopeID == nil {
		return Role{}, problem.New(problem.InvalidInput, "this role needs a scope", "scopeId")
	}
	sc, err := s.store.ScopeOf(ctx, *scopeID)
	if errors.Is(err, problem.ErrNotFound) || (err == nil && sc.Kind != want) {
		return Role{}, problem.New(problem.NotFound, "the scope must be a "+strings.ToLower(want), "scopeId")
	}
	if err != nil {
		return Role{}, err
	}
	if !v.AdministersSubdistrict(sc.SubdistrictID) {
		return Role{}, problem.New(problem.Forbidden, "only the sub-district's administrators grant its roles")
	}
	if a.SubdistrictID == nil || *a.SubdistrictID != sc.SubdistrictID {
		return Role{}, problem.New(problem.WrongSubdistrict, "the account belongs to another sub-district", "accountId")
	}
	sd := sc.SubdistrictID
	return s.store.GrantRole(ctx, Role{AccountID: a.ID, Kind: kind, ScopeID: scopeID, SubdistrictID: &sd})
}

// RevokeRole takes a role away. A sub-district keeps at least one
// administrator whose account is enabled: revoking the last one's
// SUBDISTRICT_ADMIN role — their own or, for a platform administrator,
// anyone's — is refused with LAST_ADMINISTRATOR, since only the command line
// could give the sub-district one back. The count and the revocation share
// a transaction that locks the sub-district's administrators, so two
// administrators revoking each other at once cannot both succeed.
func (s *Service) RevokeRole(ctx context.Context, roleID string) (Role, error) {
	var r Role
	err := s.store.InTx(ctx, func(ctx context.Context) error {
		var err error
		r, err = s.store.Role(ctx, roleID)
		if errors.Is(err, problem.ErrNotFound) {
			return problem.New(problem.NotFound, "no such role", "roleId")
		}
		if err != nil {
			return err
		}
		v := access.From(ctx)
		allowed := v.AdministersPlatform() || (r.SubdistrictID != nil && v.AdministersSubdistrict(*r.SubdistrictID))
		if !allowed {
			return problem.New(problem.Forbidden, "only the sub-district's administrators revoke its roles")
		}
		if r.Kind == access.SubdistrictAdmin && r.SubdistrictID != nil {
			others, err := s.store.OtherSubdistrictAdmins(ctx, *r.SubdistrictID, r.ID)
			if err != nil {
				return err
			}
			if others == 0 {
				return problem.New(LastAdministrator, "this is the sub-district's last administrator; make another account its administrator first", "roleId")
			}
		}
		return s.store.RevokeRole(ctx, roleID)
	})
	if err != nil {
		return Role{}, err
	}
	return r, nil
}

// CanSee reports whether the viewer may see an account and its roles: the
// account itself and its administrators.
func CanSee(v access.Viewer, a Account) bool {
	return v.AccountID == a.ID || administers(v, a)
}

// Account fetches an account the viewer may see.
func (s *Service) Account(ctx context.Context, id string) (Account, error) {
	a, err := s.store.Account(ctx, id)
	if err != nil {
		return Account{}, err
	}
	if !CanSee(access.From(ctx), a) {
		return Account{}, problem.ErrNotFound
	}
	return a, nil
}
