// Package notify holds what the platform tells people: the inbox of what
// waits for each person (computed from the records), and notifications,
// one durable record per recipient account written in the same transaction
// as the change that causes it (a transactional outbox), from which
// deliveries beyond the page (webhooks, SMS) are queued as jobs of that
// same transaction.
package notify

import (
	"context"

	"cogov/internal/clock"
	"cogov/internal/page"
)

// Store is what the service needs from persistence.
type Store interface {
	Inbox(ctx context.Context, s InboxScope, p page.Page) (*page.Conn[Item], error)
}

// Service reads inboxes and writes and reads notifications.
type Service struct {
	store Store
	// Now tells the time.
	Now clock.Clock
}

// NewService returns a Service over store that tells the time by now.
func NewService(store Store, now clock.Clock) *Service { return &Service{store: store, Now: now} }
