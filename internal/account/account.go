// Package account holds accounts, their scoped roles and sessions: signing
// in with a password hashed with argon2id, opaque session tokens stored only
// as hashes, slowing down repeated failures, and the administration of
// accounts and roles.
package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/argon2id"
	"golang.org/x/time/rate"

	"cogov/internal/access"
	"cogov/internal/clock"
	"cogov/internal/problem"
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
	Kind          string // Subdistrict, Committee, Unit or Person
	SubdistrictID string
}

// Store is what the service needs from persistence.
type Store interface {
	Credentials(ctx context.Context, username string) (Credentials, error)
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
	ScopeOf(ctx context.Context, id string) (Scope, error)
}

// Options tune the service.
type Options struct {
	SessionTTL time.Duration // how long a session lasts; 30 days when 0
	// Sign-in failures allowed in a burst and the rate they refill at, per
	// username and per address. Defaults: 5 per username refilling one a
	// minute; 20 per address refilling one every 10 s.
	UserBurst, AddrBurst int
	UserEvery, AddrEvery time.Duration
	Now                  clock.Clock // required: the time sessions start and end by
}

// Service signs people in and administers accounts and roles.
type Service struct {
	store Store
	o     Options
	mu    sync.Mutex
	users map[string]*rate.Limiter
	addrs map[string]*rate.Limiter
	dummy string // a hash to compare against when the username is unknown
}

// NewService returns a Service over store.
func NewService(store Store, o Options) *Service {
	if o.SessionTTL == 0 {
		o.SessionTTL = 30 * 24 * time.Hour
	}
	if o.UserBurst == 0 {
		o.UserBurst, o.UserEvery = 5, time.Minute
	}
	if o.AddrBurst == 0 {
		o.AddrBurst, o.AddrEvery = 20, 10*time.Second
	}
	dummy, _ := argon2id.CreateHash("not a password", argon2id.DefaultParams)
	return &Service{store: store, o: o, users: map[string]*rate.Limiter{}, addrs: map[string]*rate.Limiter{}, dummy: dummy}
}

// Codes this package adds to the problem codes.
const (
	InvalidCredentials problem.Code = "INVALID_CREDENTIALS"
	RateLimited        problem.Code = "RATE_LIMITED"
)

// HashPassword hashes a password with argon2id.
func HashPassword(password string) (string, error) {
	return argon2id.CreateHash(password, argon2id.DefaultParams)
}

func (s *Service) limiter(m map[string]*rate.Limiter, key string, burst int, every time.Duration) *rate.Limiter {
	l, ok := m[key]
	if !ok {
		if len(m) > 100000 { // forget old entries rather than grow without bound
			clear(m)
		}
		l = rate.NewLimiter(rate.Every(every), burst)
		m[key] = l
	}
	return l
}

// throttled reports whether sign-ins for username or from addr must wait,
// and how long.
func (s *Service) throttled(username, addr string) (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.o.Now()
	u := s.limiter(s.users, username, s.o.UserBurst, s.o.UserEvery)
	a := s.limiter(s.addrs, addr, s.o.AddrBurst, s.o.AddrEvery)
	if u.TokensAt(now) < 1 || a.TokensAt(now) < 1 {
		wait := max(delay(u, now), delay(a, now))
		return wait, true
	}
	return 0, false
}

func delay(l *rate.Limiter, now time.Time) time.Duration {
	r := l.ReserveN(now, 1)
	d := r.DelayFrom(now)
	r.CancelAt(now)
	return d
}

// failed records a failed sign-in.
func (s *Service) failed(username, addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.o.Now()
	s.limiter(s.users, username, s.o.UserBurst, s.o.UserEvery).AllowN(now, 1)
	s.limiter(s.addrs, addr, s.o.AddrBurst, s.o.AddrEvery).AllowN(now, 1)
}

// SignedIn is the result of SignIn.
type SignedIn struct {
	Token     string
	ExpiresAt time.Time
	Viewer    access.Viewer
}

// SignIn checks a username and password and opens a session. Failures are
// counted per username and per address; past the allowance SignIn refuses
// with RATE_LIMITED before it looks at the password.
func (s *Service) SignIn(ctx context.Context, username, password, addr, userAgent string) (SignedIn, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if wait, ok := s.throttled(username, addr); ok {
		return SignedIn{}, problem.New(RateLimited, "too many failed sign-ins; try again in "+wait.Round(time.Second).String())
	}
	bad := problem.New(InvalidCredentials, "the username or password is wrong", "password")
	cred, err := s.store.Credentials(ctx, username)
	if errors.Is(err, problem.ErrNotFound) {
		_, _ = argon2id.ComparePasswordAndHash(password, s.dummy) // take as long as a real check
		s.failed(username, addr)
		return SignedIn{}, bad
	}
	if err != nil {
		return SignedIn{}, err
	}
	match, err := argon2id.ComparePasswordAndHash(password, cred.PasswordHash)
	if err != nil {
		return SignedIn{}, err
	}
	if !match || cred.Account.Disabled {
		s.failed(username, addr)
		return SignedIn{}, bad
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return SignedIn{}, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	sess, err := s.store.CreateSession(ctx, cred.Account.ID, hashToken(token), s.o.Now().Add(s.o.SessionTTL), addr, userAgent)
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
	hash, err := HashPassword(in.Password)
	if err != nil {
		return Account{}, err
	}
	return s.store.CreateAccount(ctx, Account{Username: username, SubdistrictID: in.SubdistrictID, PersonID: in.PersonID, Demo: in.Demo}, hash)
}

// scopeKind is the kind of record each role kind is scoped to.
var scopeKind = map[access.RoleKind]string{
	access.SubdistrictAdmin: "Subdistrict",
	access.CommitteeAdmin:   "Committee",
	access.UnitAdmin:        "Unit",
	access.Member:           "Person",
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

// RevokeRole takes a role away.
func (s *Service) RevokeRole(ctx context.Context, roleID string) (Role, error) {
	r, err := s.store.Role(ctx, roleID)
	if errors.Is(err, problem.ErrNotFound) {
		return Role{}, problem.New(problem.NotFound, "no such role", "roleId")
	}
	if err != nil {
		return Role{}, err
	}
	v := access.From(ctx)
	allowed := v.AdministersPlatform() || (r.SubdistrictID != nil && v.AdministersSubdistrict(*r.SubdistrictID))
	if !allowed {
		return Role{}, problem.New(problem.Forbidden, "only the sub-district's administrators revoke its roles")
	}
	return r, s.store.RevokeRole(ctx, roleID)
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
