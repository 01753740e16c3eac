package booking

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"

	"cogov/internal/access"
	"cogov/internal/problem"
)

// FeedStore keeps the subscription tokens of committee calendar feeds.
type FeedStore interface {
	CommitteeSubdistricts(ctx context.Context, committeeIDs []string) (map[string]string, error)
	CreateFeed(ctx context.Context, subdistrictID, committeeID string, tokenHash []byte) error
	RevokeFeeds(ctx context.Context, committeeID string) (int, error)
	// FeedCommittee returns the committee and sub-district of a live feed token.
	FeedCommittee(ctx context.Context, tokenHash []byte) (committeeID, subdistrictID string, err error)
}

// Feeds issues and checks the tokens that let a phone calendar subscribe to
// a committee's feed without signing in.
type Feeds struct {
	store     FeedStore
	publicURL string
}

// NewFeeds returns Feeds over store whose addresses start with publicURL,
// the server's address as clients reach it.
func NewFeeds(store FeedStore, publicURL string) *Feeds {
	return &Feeds{store: store, publicURL: strings.TrimSuffix(publicURL, "/")}
}

// Address is the subscription address of a committee's feed, given the id
// the client knows the committee by and a token from Create.
func (f *Feeds) Address(committeeKey, token string) string {
	return f.publicURL + "/calendar/committees/" + committeeKey + ".ics?token=" + token
}

func feedHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func (f *Feeds) committeeSD(ctx context.Context, committeeID string) (string, error) {
	m, err := f.store.CommitteeSubdistricts(ctx, []string{committeeID})
	if err != nil {
		return "", err
	}
	sd, ok := m[committeeID]
	if !ok || committeeID == "" {
		return "", problem.New(problem.NotFound, "no such committee", "committeeId")
	}
	if !access.From(ctx).AdministersCommittee(committeeID, sd) {
		return "", problem.New(problem.Forbidden, "only the committee's administrators manage its calendar feeds")
	}
	return sd, nil
}

// Create issues a new feed token for a committee; it is shown once.
func (f *Feeds) Create(ctx context.Context, committeeID string) (string, error) {
	sd, err := f.committeeSD(ctx, committeeID)
	if err != nil {
		return "", err
	}
	var raw [24]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	return token, f.store.CreateFeed(ctx, sd, committeeID, feedHash(token))
}

// Revoke ends every feed token of a committee and counts them.
func (f *Feeds) Revoke(ctx context.Context, committeeID string) (int, error) {
	if _, err := f.committeeSD(ctx, committeeID); err != nil {
		return 0, err
	}
	return f.store.RevokeFeeds(ctx, committeeID)
}

// ErrFeedToken means a feed token is unknown, revoked or for another committee.
var ErrFeedToken = errors.New("the calendar feed token is not valid")

// Viewer returns the viewer a valid token of committeeID reads the feed as:
// one who may see that committee's bookings and nothing else.
func (f *Feeds) Viewer(ctx context.Context, committeeID, token string) (access.Viewer, error) {
	if token == "" || len(token) > 100 {
		return access.Viewer{}, ErrFeedToken
	}
	c, sd, err := f.store.FeedCommittee(ctx, feedHash(token))
	if errors.Is(err, problem.ErrNotFound) || (err == nil && c != committeeID) {
		return access.Viewer{}, ErrFeedToken
	}
	if err != nil {
		return access.Viewer{}, err
	}
	return access.Viewer{Username: "calendar-feed", Roles: []access.Role{{Kind: access.CommitteeAdmin, ScopeID: c, SubdistrictID: sd}}}, nil
}
