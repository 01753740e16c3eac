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
				log.WarnContext(ctx, "listen for venue changes", "err", err)
			}
		},
		ReconnectDelay: 5 * time.Second,
	}
	l.Handle("cogov_venue", pgxlisten.HandlerFunc(func(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
		changed(n.Payload)
		return nil
	}))
	return l.Listen(ctx)
}
