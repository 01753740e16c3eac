package store

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The store's write transactions send their live-update signals (channels
// cogov_venue and cogov_notification) after they commit, many transactions'
// signals in one statement, instead of each notifying inside its own
// transaction: PostgreSQL commits notifying transactions one at a time, so
// they cannot share a WAL flush (migration 00026, docs/benchmarks.md).
//
// A write transaction begins with cogov.notify_later on; the triggers then
// gather each signal once in the transaction-local setting cogov.later.
// COMMIT goes in one round trip with the statement that reads it, and the
// signals of a transaction that committed go to the signaller. A signal is
// lost only when the process stops between the commit and the signal's send;
// a subscriber reads what changed when it reconnects, and notifications stay
// in Viewer.notifications.

// notifyLaterSQL, added to the select list of the viewer's statement, turns
// on the gathering for the transaction.
const notifyLaterSQL = `, set_config('cogov.notify_later', 'on', true)`

// commitLaterSQL reads the signals the transaction gathered and commits it:
// one simple-protocol query, one round trip.
const commitLaterSQL = `SELECT current_setting('cogov.later', true); COMMIT`

// writeTx runs fn in the transaction of InTx and write. It begins with the
// viewer (setViewerSQL's arguments) and the gathering of signals on in the
// same round trip: BEGIN and the viewer's statement, its arguments written as
// literals, go as one simple-protocol query. A BEGIN that fails because the
// connection was lost is sent once more on a fresh connection: nothing of the
// transaction has run yet. It commits together with reading the signals, and
// hands them to the signaller once committed.
func (s *Store) writeTx(ctx context.Context, viewer []any, fn func(pgx.Tx) error) error {
	sql, err := beginViewerSQL(viewer)
	if err != nil {
		return err
	}
	sql += notifyLaterSQL
	type begun struct {
		c *pgxpool.Conn
		t pgx.Tx
	}
	b, err := retryOnce(ctx, s.pool, func() (begun, error) {
		c, err := s.pool.Acquire(ctx)
		if err != nil {
			return begun{}, err
		}
		t, err := c.BeginTx(ctx, pgx.TxOptions{BeginQuery: sql})
		if err != nil {
			c.Release()
			return begun{}, err
		}
		return begun{c, t}, nil
	})
	if err != nil {
		return err
	}
	// Released in any state: the pool closes a connection left inside a
	// transaction or busy, rather than hand it out again.
	defer b.c.Release()
	sent := false
	defer func() {
		if !sent {
			_ = b.t.Rollback(ctx)
		}
	}()
	if err := fn(b.t); err != nil {
		return err
	}
	sent = true // COMMIT is sent: the transaction ends with it, or the connection is closed
	rows, err := b.t.Query(ctx, commitLaterSQL, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return err
	}
	later, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[*string])
	if err != nil {
		return err
	}
	if later != nil && *later != "" {
		s.signals.add(*later)
	}
	return nil
}

// signaller sends the signals of committed transactions: at once when it is
// idle, and otherwise together with every signal that came in while it sent
// the last ones, in one statement. Signals keep their order.
type signaller struct {
	mu      sync.Mutex
	pool    *pgxpool.Pool
	pending []string      // "<channel> <payload>" lines
	idle    chan struct{} // while a send runs: closed when it ends with nothing pending; nil while idle
}

// sendTimeout bounds one send of gathered signals.
const sendTimeout = 10 * time.Second

// add queues the lines of a committed transaction's cogov.later.
func (g *signaller) add(lines string) {
	g.mu.Lock()
	for _, l := range strings.Split(lines, "\n") {
		if l != "" {
			g.pending = append(g.pending, l)
		}
	}
	if g.idle != nil || len(g.pending) == 0 {
		g.mu.Unlock()
		return
	}
	g.idle = make(chan struct{})
	g.mu.Unlock()
	go g.run()
}

// run sends what is pending until nothing is.
func (g *signaller) run() {
	for {
		g.mu.Lock()
		lines := g.pending
		g.pending = nil
		if len(lines) == 0 {
			close(g.idle)
			g.idle = nil
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		if err := g.send(lines); err != nil {
			slog.Default().Warn("live-update signals not sent", "signals", len(lines), "err", err)
		}
	}
}

// send notifies every line's channel with its payload, in one statement
// (one transaction: PostgreSQL keeps their order).
func (g *signaller) send(lines []string) error {
	channels, payloads := make([]string, len(lines)), make([]string, len(lines))
	for i, l := range lines {
		channels[i], payloads[i], _ = strings.Cut(l, " ")
	}
	ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
	defer cancel()
	_, err := retryOnce(ctx, g.pool, func() (struct{}, error) {
		_, err := g.pool.Exec(ctx, `SELECT pg_notify(c, p) FROM unnest($1::text[], $2::text[]) AS x (c, p)`, channels, payloads)
		return struct{}{}, err
	})
	return err
}

// FlushSignals waits until the live-update signals of the transactions
// committed so far are sent, or ctx ends: for a server shutting down before
// it closes the pool.
func (s *Store) FlushSignals(ctx context.Context) (err error) {
	defer wrap(&err, "store.FlushSignals")
	for {
		s.signals.mu.Lock()
		idle := s.signals.idle
		s.signals.mu.Unlock()
		if idle == nil {
			return nil
		}
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
