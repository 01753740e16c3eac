package store

import (
	"context"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// readSession is one request's connection to PostgreSQL: a transaction
// begun, with the viewer set, at the request's first read, which every later
// read of the request goes through, one at a time. A request of a dozen
// batches thus sets the viewer once instead of a dozen times and sees one
// connection's state. It is used only by reads outside a transaction; a
// write begins its own.
type readSession struct {
	s    *Store
	args []any // setViewerSQL's, for the request's viewer

	mu     sync.Mutex
	conn   *pgxpool.Conn
	broken bool // a statement failed: later reads go the usual way
	ended  bool
}

type sessionKey struct{}

// ReadSession returns ctx with a session its reads share, and a func that
// ends it (the transaction is rolled back — it only read — and the
// connection goes back to the pool). Give it only contexts whose viewer
// stays the same throughout, such as a query's.
//
// A function, not a method of Store: it returns no error (the session
// begins at the first read, whose error that read returns).
func ReadSession(ctx context.Context, s *Store) (context.Context, func()) {
	rs := &readSession{s: s, args: s.viewerArgs(ctx, "", "")}
	return context.WithValue(ctx, sessionKey{}, rs), rs.end
}

// run runs fn on the session's connection, beginning the transaction first
// if this is the request's first read. It reports false when the session
// cannot be used (ended, or broken by an earlier failure): the caller then
// reads the usual way.
func (rs *readSession) run(ctx context.Context, fn func(querier) error) (bool, error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.ended || rs.broken {
		return false, nil
	}
	if rs.conn == nil {
		rs.conn = rs.replicaConn(ctx)
	}
	if rs.conn == nil {
		conn, err := retryOnce(ctx, rs.s.pool, func() (*pgxpool.Conn, error) {
			conn, err := rs.s.pool.Acquire(ctx)
			if err != nil {
				return nil, err
			}
			b := &pgx.Batch{}
			b.Queue("BEGIN")
			b.Queue(setViewerSQL, rs.args...)
			if err := conn.SendBatch(ctx, b).Close(); err != nil {
				conn.Release()
				return nil, fmt.Errorf("begin and set viewer: %w", err)
			}
			return conn, nil
		})
		if err != nil {
			return true, err
		}
		rs.conn = conn
	}
	err := fn(sessionQuerier{rs.conn.Conn()})
	if pc := rs.conn.Conn().PgConn(); pc.IsClosed() || pc.TxStatus() != 'T' {
		// A statement failed and aborted the transaction, or the
		// connection is gone: give it up; later reads go the usual way.
		rs.broken = true
		rs.release(ctx)
	}
	return true, err
}

// release ends the transaction and gives the connection back; the caller
// holds mu.
func (rs *readSession) release(ctx context.Context) {
	if rs.conn == nil {
		return
	}
	conn := rs.conn
	rs.conn = nil
	if _, err := conn.Exec(context.WithoutCancel(ctx), "ROLLBACK"); err != nil {
		// Unknown state: close it rather than pass it on.
		_ = conn.Conn().Close(context.WithoutCancel(ctx))
	}
	conn.Release()
}

func (rs *readSession) end() {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.ended = true
	rs.release(context.Background())
}

// sessionQuerier runs statements on the session's connection.
type sessionQuerier struct{ c *pgx.Conn }

func (q sessionQuerier) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return q.c.Exec(ctx, sql, args...)
}
func (q sessionQuerier) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return q.c.Query(ctx, sql, args...)
}
func (q sessionQuerier) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return q.c.SendBatch(ctx, b)
}
func (q sessionQuerier) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return q.c.QueryRow(ctx, sql, args...)
}
