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
// the connection back.
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
	r.conn.Release()
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
