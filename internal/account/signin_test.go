package account

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"cogov/internal/clock"
	"cogov/internal/problem"
	"cogov/internal/ratelimit"
)

// fakeStore keeps token buckets in memory and one account, and records the
// order of the calls SignIn makes. Methods SignIn does not need are left to
// the nil Store it embeds.
type fakeStore struct {
	Store
	mu     sync.Mutex
	calls  []string
	tokens map[string]float64
	hash   string
}

func newFakeStore(t *testing.T) *fakeStore {
	// Cheap parameters: these tests are about the order of things, not argon2id.
	h, err := argon2id.CreateHash("right-password", &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	if err != nil {
		t.Fatal(err)
	}
	return &fakeStore{tokens: map[string]float64{}, hash: h}
}

func (f *fakeStore) record(call string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
}

func (f *fakeStore) takeCalls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

func (f *fakeStore) TakeTokens(_ context.Context, bs []ratelimit.Bucket, cost float64, _ time.Time) ([]ratelimit.Taken, error) {
	f.record("take")
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []ratelimit.Taken
	for _, b := range bs {
		k := b.Kind + "/" + b.Key
		left, ok := f.tokens[k]
		if !ok {
			left = b.Burst
		}
		granted := left >= cost
		if granted {
			left -= cost
		}
		f.tokens[k] = left
		out = append(out, ratelimit.Taken{Kind: b.Kind, Key: b.Key, Granted: granted, Tokens: left})
	}
	return out, nil
}

func (f *fakeStore) ReturnTokens(_ context.Context, bs []ratelimit.Bucket, cost float64) error {
	f.record("return")
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, b := range bs {
		k := b.Kind + "/" + b.Key
		f.tokens[k] = min(b.Burst, f.tokens[k]+cost)
	}
	return nil
}

func (f *fakeStore) SweepBuckets(context.Context, time.Time) (int, error) { return 0, nil }

func (f *fakeStore) Credentials(_ context.Context, username string) (Credentials, error) {
	f.record("credentials")
	if username != "alice" {
		return Credentials{}, problem.ErrNotFound
	}
	return Credentials{Account: Account{ID: "a1", Username: "alice"}, PasswordHash: f.hash}, nil
}

func (f *fakeStore) RecordSignInFailure(_ context.Context, _, _, _, reason string) error {
	f.record("failure: " + reason)
	return nil
}

func (f *fakeStore) CreateSession(_ context.Context, accountID string, _ []byte, expires time.Time, _, _ string) (Session, error) {
	f.record("session")
	return Session{ID: "s1", AccountID: accountID, ExpiresAt: expires}, nil
}

func (f *fakeStore) Roles(context.Context, []string) (map[string][]Role, error) {
	return map[string][]Role{}, nil
}

func (f *fakeStore) left(kind, key string) float64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokens[kind+"/"+key]
}

func fakeService(f *fakeStore, o Options) *Service {
	o.Now = clock.Fixed(time.Date(2027, 2, 6, 23, 30, 0, 0, time.UTC))
	return NewService(f, o)
}

func code(err error) problem.Code {
	l, _ := problem.As(err)
	if len(l) == 0 {
		return ""
	}
	return l[0].Code
}

// TestSignInCountsBeforeTheCheck: the attempt takes its token before the
// account is read and the password checked, and an attempt past the
// allowance is refused before either.
func TestSignInCountsBeforeTheCheck(t *testing.T) {
	f := newFakeStore(t)
	s := fakeService(f, Options{UserBurst: 2})
	for i := range 2 {
		_, err := s.SignIn(context.Background(), "alice", "guess", "203.0.113.9", "test")
		if code(err) != InvalidCredentials {
			t.Fatalf("guess %d: %v", i+1, err)
		}
		if got, want := f.takeCalls(), []string{"take", "credentials", "failure: wrong password"}; !slices.Equal(got, want) {
			t.Errorf("guess %d: calls %v, want %v", i+1, got, want)
		}
	}
	_, err := s.SignIn(context.Background(), "alice", "right-password", "203.0.113.9", "test")
	if code(err) != RateLimited {
		t.Fatalf("third attempt: %v", err)
	}
	// The address's token, taken in the same statement, is given back: the
	// attempt did no work and counts against nothing.
	if got, want := f.takeCalls(), []string{"take", "return"}; !slices.Equal(got, want) {
		t.Errorf("throttled attempt: calls %v, want %v (no credentials read, no check)", got, want)
	}
	if got := f.left("signin-addr", "203.0.113.9"); got != 18 {
		t.Errorf("the address has %v tokens left, want 18 (20 less the two guesses)", got)
	}
}

// TestSignInGivesBackWhatDidNotFail: a sign-in that succeeds, or that found
// no free password slot, does not count against the allowance.
func TestSignInGivesBackWhatDidNotFail(t *testing.T) {
	f := newFakeStore(t)
	s := fakeService(f, Options{UserBurst: 1, PasswordChecks: 1, PasswordWait: 20 * time.Millisecond})
	for i := range 3 {
		if _, err := s.SignIn(context.Background(), "alice", "right-password", "203.0.113.9", "test"); err != nil {
			t.Fatalf("sign-in %d: %v", i+1, err)
		}
	}
	if got := f.left("signin-user", "alice"); got != 1 {
		t.Errorf("after three sign-ins alice has %v tokens, want 1: successes do not count", got)
	}
	f.takeCalls()

	s.slots <- struct{}{} // every slot busy
	_, err := s.SignIn(context.Background(), "alice", "guess", "203.0.113.9", "test")
	<-s.slots
	if code(err) != RateLimited {
		t.Fatalf("with every password slot busy: %v", err)
	}
	if got, want := f.takeCalls(), []string{"take", "credentials", "return"}; !slices.Equal(got, want) {
		t.Errorf("with every slot busy: calls %v, want %v", got, want)
	}
	if got := f.left("signin-user", "alice"); got != 1 {
		t.Errorf("alice has %v tokens after a guess that was never checked, want 1", got)
	}
	// With the slot free the guess is checked, and counts.
	if _, err := s.SignIn(context.Background(), "alice", "guess", "203.0.113.9", "test"); code(err) != InvalidCredentials {
		t.Fatalf("with a free slot: %v", err)
	}
	if got := f.left("signin-user", "alice"); got != 0 {
		t.Errorf("alice has %v tokens after a wrong password, want 0", got)
	}
}

// TestPasswordSlots: no more checks run at once than there are slots.
func TestPasswordSlots(t *testing.T) {
	s := fakeService(newFakeStore(t), Options{PasswordChecks: 3})
	var mu sync.Mutex
	running, most := 0, 0
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			ok, err := s.withSlot(context.Background(), 0, func() {
				mu.Lock()
				running++
				most = max(most, running)
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
				mu.Lock()
				running--
				mu.Unlock()
			})
			if !ok || err != nil {
				t.Errorf("withSlot = %v, %v", ok, err)
			}
		})
	}
	wg.Wait()
	if most > 3 {
		t.Errorf("%d checks ran at once; there are 3 slots", most)
	}
}
