package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// viewerQuerier runs each statement in a batch of two, the first setting the
// viewer: both reach the server in one round trip and run in one implicit
// transaction.
type viewerQuerier struct {
	pool *pgxpool.Pool
	set  []any // the arguments of setViewerSQL
}

// send sends the batch of the viewer and one statement. A read whose
// connection turns out to be broken before the first result (the viewer's)
// comes back is sent once more, on a fresh connection: nothing of it has
// run, and it only reads.
func (q viewerQuerier) send(ctx context.Context, sql string, args []any) (*pgxpool.Conn, pgx.BatchResults, error) {
	return q.sendQueued(ctx, []*pgx.QueuedQuery{{SQL: sql, Arguments: args}})
}

// sendQueued sends the batch of the viewer and the statements qs.
func (q viewerQuerier) sendQueued(ctx context.Context, qs []*pgx.QueuedQuery) (*pgxpool.Conn, pgx.BatchResults, error) {
	type sent struct {
		conn *pgxpool.Conn
		br   pgx.BatchResults
	}
	s, err := retryOnce(ctx, q.pool, func() (sent, error) {
		conn, err := q.pool.Acquire(ctx)
		if err != nil {
			return sent{}, err
		}
		b := &pgx.Batch{}
		b.Queue(setViewerSQL, q.set...)
		for _, q := range qs { // queued afresh: pgx keeps a sent query's statement description, which a retry must not reuse
			b.Queue(q.SQL, q.Arguments...)
		}
		br := conn.SendBatch(ctx, b)
		if _, err := br.Exec(); err != nil {
			br.Close()
			conn.Release()
			return sent{}, fmt.Errorf("set viewer: %w", err)
		}
		return sent{conn, br}, nil
	})
	return s.conn, s.br, err
}

// SendBatch sends the statements of b as the viewer, in one round trip and
// one implicit transaction; closing the results gives the connection back.
func (q viewerQuerier) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	conn, br, err := q.sendQueued(ctx, b.QueuedQueries)
	if err != nil {
		return failedBatch{err}
	}
	return &viewerBatch{BatchResults: br, conn: conn}
}

// viewerBatch are the results of viewerQuerier.SendBatch.
type viewerBatch struct {
	pgx.BatchResults
	conn *pgxpool.Conn
}

func (b *viewerBatch) Close() error {
	if b.conn == nil {
		return nil
	}
	err := b.BatchResults.Close()
	b.conn.Release()
	b.conn = nil
	return err
}

// failedBatch are the results of a batch that could not be sent.
type failedBatch struct{ err error }

func (b failedBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, b.err }
func (b failedBatch) Query() (pgx.Rows, error)         { return nil, b.err }
func (b failedBatch) QueryRow() pgx.Row                { return &batchRow{err: b.err} }
func (b failedBatch) Close() error                     { return b.err }
func (b failedBatch) Tx() pgx.Tx                       { return nil }

// Exec runs a statement as the viewer.
func (q viewerQuerier) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	conn, br, err := q.send(ctx, sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	defer conn.Release()
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

// Query runs a query as the viewer; closing the rows releases the connection.
func (q viewerQuerier) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	conn, br, err := q.send(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		conn.Release()
		return nil, err
	}
	return &batchRows{Rows: rows, br: br, conn: conn}, nil
}

// QueryRow runs a query for one row as the viewer.
func (q viewerQuerier) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := q.Query(ctx, sql, args...)
	return &batchRow{rows: rows, err: err}
}

// batchRows are the rows of a batch's query; Close ends the batch and gives
// the connection back (if it holds one: viewerQuerier's).
type batchRows struct {
	pgx.Rows
	br     pgx.BatchResults
	conn   *pgxpool.Conn
	closed bool
	err    error
}

func (r *batchRows) Close() {
	if r.closed {
		return
	}
	r.closed = true
	r.Rows.Close()
	r.err = r.br.Close()
	if r.conn != nil {
		r.conn.Release()
	}
}

func (r *batchRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.err
}

// batchRow is pgx.Row over batchRows.
type batchRow struct {
	rows pgx.Rows
	err  error
}

func (r *batchRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		r.rows.Close()
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}

// actionTx is a write's view of an InTxAll transaction whose audit action
// (and note) changes with the write: its first statement goes to the
// server in one batch behind setActionSQL, so that the change costs no
// round trip of its own. Batches, copies and savepoints send the action
// first, alone.
type actionTx struct {
	pgx.Tx
	t            *tx
	action, note string
	sent         bool
}

// batch is a batch of the action and sql, marking the action sent.
func (a *actionTx) batch(sql string, args []any) *pgx.Batch {
	b := &pgx.Batch{}
	b.Queue(setActionSQL, a.action, a.note)
	b.Queue(sql, args...)
	a.sent, a.t.action, a.t.note = true, a.action, a.note
	return b
}

// flush sends the action alone, if not yet sent.
func (a *actionTx) flush(ctx context.Context) error {
	if a.sent {
		return nil
	}
	if _, err := a.Tx.Exec(ctx, setActionSQL, a.action, a.note); err != nil {
		return fmt.Errorf("set action: %w", err)
	}
	a.sent, a.t.action, a.t.note = true, a.action, a.note
	return nil
}

// send sends the action and sql in one batch and reads the action's result.
func (a *actionTx) send(ctx context.Context, sql string, args []any) (pgx.BatchResults, error) {
	br := a.Tx.SendBatch(ctx, a.batch(sql, args))
	if _, err := br.Exec(); err != nil {
		br.Close()
		return nil, fmt.Errorf("set action: %w", err)
	}
	return br, nil
}

func (a *actionTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if a.sent {
		return a.Tx.Exec(ctx, sql, args...)
	}
	br, err := a.send(ctx, sql, args)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, err
}

func (a *actionTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if a.sent {
		return a.Tx.Query(ctx, sql, args...)
	}
	br, err := a.send(ctx, sql, args)
	if err != nil {
		return nil, err
	}
	rows, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	return &batchRows{Rows: rows, br: br}, nil
}

func (a *actionTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := a.Query(ctx, sql, args...)
	return &batchRow{rows: rows, err: err}
}

func (a *actionTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if !a.sent {
		// In front of b's statements, in the same round trip.
		qs := append([]*pgx.QueuedQuery{{SQL: setActionSQL, Arguments: []any{a.action, a.note}}}, b.QueuedQueries...)
		a.sent, a.t.action, a.t.note = true, a.action, a.note
		return &skipFirst{BatchResults: a.Tx.SendBatch(ctx, &pgx.Batch{QueuedQueries: qs})}
	}
	return a.Tx.SendBatch(ctx, b)
}

func (a *actionTx) CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	if err := a.flush(ctx); err != nil {
		return 0, err
	}
	return a.Tx.CopyFrom(ctx, table, cols, src)
}

func (a *actionTx) Begin(ctx context.Context) (pgx.Tx, error) {
	if err := a.flush(ctx); err != nil {
		return nil, err
	}
	return a.Tx.Begin(ctx)
}

// skipFirst is the results of a batch with setActionSQL queued in front:
// the caller reads its own statements' results.
type skipFirst struct {
	pgx.BatchResults
	skipped bool
	err     error
}

func (s *skipFirst) skip() error {
	if !s.skipped {
		s.skipped = true
		if _, err := s.BatchResults.Exec(); err != nil {
			s.err = fmt.Errorf("set action: %w", err)
		}
	}
	return s.err
}

func (s *skipFirst) Exec() (pgconn.CommandTag, error) {
	if err := s.skip(); err != nil {
		return pgconn.CommandTag{}, err
	}
	return s.BatchResults.Exec()
}

func (s *skipFirst) Query() (pgx.Rows, error) {
	if err := s.skip(); err != nil {
		return nil, err
	}
	return s.BatchResults.Query()
}

func (s *skipFirst) QueryRow() pgx.Row {
	if err := s.skip(); err != nil {
		return &batchRow{err: err}
	}
	return s.BatchResults.QueryRow()
}
