package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"strings"
	"time"

	"cogov/internal/access"
	"cogov/internal/page"
	"cogov/internal/problem"
)

// ChannelKind is how a channel delivers.
type ChannelKind string

// Channel kinds.
const (
	// Webhook POSTs a JSON body signed with HMAC-SHA256 of the channel's secret.
	Webhook ChannelKind = "WEBHOOK"
	// WeCom POSTs a text message to a WeCom (企业微信) group robot's webhook address.
	WeCom ChannelKind = "WECOM"
	// SMS sends a text message to a mobile number through the configured sender.
	SMS ChannelKind = "SMS"
)

// Channel is where a unit's or committee's notifications are delivered
// beyond the page.
type Channel struct {
	ID            string
	SubdistrictID string
	UnitID        *string
	CommitteeID   *string
	Kind          ChannelKind
	Target        string // the URL, or the mobile number
	Secret        string // signs webhook bodies; shown once, when the channel is added
	Demo          bool
	CreatedAt     time.Time
}

// Failure is a delivery that failed for good after its retries.
type Failure struct {
	JobID       int64
	ChannelID   string
	ChannelKind ChannelKind
	Kind        Kind
	ObjectType  string
	ObjectID    string
	Attempts    int
	LastError   string
	FailedAt    time.Time
}

// ChannelStore persists channels and reads failed deliveries.
type ChannelStore interface {
	UnitSubdistrict(ctx context.Context, unitID string) (string, error)
	CommitteeSubdistricts(ctx context.Context, committeeIDs []string) (map[string]string, error)
	CreateChannel(ctx context.Context, c Channel) (Channel, error)
	Channel(ctx context.Context, id string) (Channel, error)
	DeleteChannel(ctx context.Context, id string) error
	FailedDeliveries(ctx context.Context, subdistrictID string, p page.Page) (*page.Conn[Failure], error)
	// ChannelChanges lists the audit log's changes of a sub-district's
	// channels, the latest first.
	ChannelChanges(ctx context.Context, subdistrictID string, p page.Page) (*page.Conn[ChannelChange], error)
}

// ChannelChange is a change of a delivery channel as the audit log keeps
// it: the channel as it was added (or, for a removal, as it was), whose
// secret the log never holds, only its fingerprint.
type ChannelChange struct {
	AuditID     int64
	At          time.Time
	Action      string // channel.add, channel.remove
	ActorID     *string
	ChannelID   string
	UnitID      *string
	CommitteeID *string
	Kind        ChannelKind
	Target      string
	// SecretFingerprint is "sha256:" and the first 12 hex digits of the
	// secret's SHA-256; nil for a channel without a secret.
	SecretFingerprint *string
}

// Channels manages delivery channels.
type Channels struct{ store ChannelStore }

// NewChannels returns the channel service over store.
func NewChannels(store ChannelStore) *Channels { return &Channels{store: store} }

// NewChannel is the input of Add.
type NewChannel struct {
	UnitID, CommitteeID string // one of them
	Kind                ChannelKind
	Target              string
	Demo                bool
}

var mobile = func(s string) bool {
	s = strings.TrimPrefix(s, "+86")
	if len(s) != 11 || s[0] != '1' {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Add registers a channel of a unit or committee the viewer administers;
// a webhook gets a fresh secret, returned this once.
func (c *Channels) Add(ctx context.Context, in NewChannel) (Channel, error) {
	v := access.From(ctx)
	ch := Channel{Kind: in.Kind, Target: strings.TrimSpace(in.Target), Demo: in.Demo}
	switch {
	case (in.UnitID == "") == (in.CommitteeID == ""):
		return Channel{}, problem.New(problem.InvalidInput, "give a unit or a committee", "ownerId")
	case in.UnitID != "":
		sd, err := c.store.UnitSubdistrict(ctx, in.UnitID)
		if errors.Is(err, problem.ErrNotFound) {
			return Channel{}, problem.New(problem.NotFound, "no such unit", "ownerId")
		} else if err != nil {
			return Channel{}, err
		}
		if !v.AdministersUnit(in.UnitID, sd) {
			return Channel{}, problem.New(problem.Forbidden, "you may not add channels for this unit")
		}
		ch.SubdistrictID, ch.UnitID = sd, &in.UnitID
	default:
		sds, err := c.store.CommitteeSubdistricts(ctx, []string{in.CommitteeID})
		if err != nil {
			return Channel{}, err
		}
		sd, ok := sds[in.CommitteeID]
		if !ok {
			return Channel{}, problem.New(problem.NotFound, "no such committee", "ownerId")
		}
		if !v.AdministersCommittee(in.CommitteeID, sd) {
			return Channel{}, problem.New(problem.Forbidden, "you may not add channels for this committee")
		}
		ch.SubdistrictID, ch.CommitteeID = sd, &in.CommitteeID
	}
	switch ch.Kind {
	case Webhook, WeCom:
		u, err := url.Parse(ch.Target)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(ch.Target) > 2000 {
			return Channel{}, problem.New(problem.InvalidInput, "a webhook target is an http(s) URL", "target")
		}
	case SMS:
		if !mobile(ch.Target) {
			return Channel{}, problem.New(problem.InvalidInput, "an SMS target is a mobile number of 11 digits", "target")
		}
	default:
		return Channel{}, problem.New(problem.InvalidInput, "unknown channel kind", "kind")
	}
	if ch.Kind == Webhook {
		var b [24]byte
		_, _ = rand.Read(b[:])
		ch.Secret = hex.EncodeToString(b[:])
	}
	return c.store.CreateChannel(ctx, ch)
}

// Remove deletes a channel of a unit or committee the viewer administers.
func (c *Channels) Remove(ctx context.Context, id string) (Channel, error) {
	ch, err := c.store.Channel(ctx, id)
	if errors.Is(err, problem.ErrNotFound) {
		return Channel{}, problem.New(problem.NotFound, "no such channel", "channelId")
	} else if err != nil {
		return Channel{}, err
	}
	v := access.From(ctx)
	if (ch.UnitID != nil && !v.AdministersUnit(*ch.UnitID, ch.SubdistrictID)) ||
		(ch.CommitteeID != nil && !v.AdministersCommittee(*ch.CommitteeID, ch.SubdistrictID)) {
		return Channel{}, problem.New(problem.Forbidden, "you may not remove this channel")
	}
	return ch, c.store.DeleteChannel(ctx, id)
}

// Failures lists the deliveries of a sub-district that failed for good,
// the latest first; for its administrators only (empty for others).
func (c *Channels) Failures(ctx context.Context, subdistrictID string, p page.Page) (*page.Conn[Failure], error) {
	if !access.From(ctx).AdministersSubdistrict(subdistrictID) {
		return &page.Conn[Failure]{HasPrev: p.After != ""}, nil
	}
	return c.store.FailedDeliveries(ctx, subdistrictID, p)
}

// Changes lists the changes of a sub-district's delivery channels, the
// latest first; for its administrators only (empty for others).
func (c *Channels) Changes(ctx context.Context, subdistrictID string, p page.Page) (*page.Conn[ChannelChange], error) {
	if !access.From(ctx).AdministersSubdistrict(subdistrictID) {
		return &page.Conn[ChannelChange]{HasPrev: p.After != ""}, nil
	}
	return c.store.ChannelChanges(ctx, subdistrictID, p)
}
