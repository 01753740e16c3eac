package store

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"
)

// ListenVenueChanges calls changed with a venue's id each time a committed
// transaction changed its bookings, hours, exceptions or closures, until ctx
// ends. It keeps a connection of its own and reconnects after failures.
func (s *Store) ListenVenueChanges(ctx context.Context, log *slog.Logger, changed func(venueID string)) (err error) {
	defer wrap(&err, "store.ListenVenueChanges")
	return s.listen(ctx, log, "cogov_venue", changed)
}

// ListenNotifications calls added with "<account id>:<notification id>"
// for each notification a committed transaction wrote, until ctx ends, on a
// connection of its own that reconnects after failures.
func (s *Store) ListenNotifications(ctx context.Context, log *slog.Logger, added func(payload string)) (err error) {
	defer wrap(&err, "store.ListenNotifications")
	return s.listen(ctx, log, "cogov_notification", added)
}

// listen calls handle with the payload of each notification on channel.
func (s *Store) listen(ctx context.Context, log *slog.Logger, channel string, handle func(payload string)) error {
	l := &pgxlisten.Listener{
		Connect: func(ctx context.Context) (*pgx.Conn, error) {
			c, err := s.pool.Acquire(ctx)
			if err != nil {
				return nil, err
			}
			return c.Hijack(), nil // the listener owns and closes it
		},
		LogError: func(ctx context.Context, err error) {
			if ctx.Err() == nil { // not the shutdown
				log.WarnContext(ctx, "listen", "channel", channel, "err", err)
			}
		},
		ReconnectDelay: 5 * time.Second,
	}
	l.Handle(channel, pgxlisten.HandlerFunc(func(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
		handle(n.Payload)
		return nil
	}))
	return l.Listen(ctx)
}
