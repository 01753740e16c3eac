package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// readSession is one request's connection to PostgreSQL: a transaction
// begun, with the viewer set, at the request's first read, which every later
// read of the request goes through. A request of a dozen batches thus sets
// the viewer once instead of a dozen times and sees one connection's state.
// It is used only by reads outside a transaction; a write begins its own.
//
// Reads are pipelined: the statements that the request's goroutines ask for
// while the connection is busy (the loaders of one level of a query, each
// dispatching its batch at about the same moment) wait in a queue and go to
// the server together as one pgx.Batch, one round trip, when the connection
// is free again. Their rows are read into memory (bufferedRows), so each
// caller scans its own result in its own goroutine afterwards.
type readSession struct {
	s    *Store
	args []any // setViewerSQL's, for the request's viewer

	mu       sync.Mutex
	conn     *pgxpool.Conn
	queue    []*pipeItem
	flushing bool // a goroutine is sending the queue
	broken   bool // a statement failed: later reads go the usual way
	ended    bool
}

type sessionKey struct{}

// errSessionGone tells run's fn that the session cannot serve its statement
// (ended, or its transaction aborted by another statement of the same
// round trip): run then answers false and the read goes the usual way.
var errSessionGone = errors.New("read session unavailable")

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

// run runs fn with the session's pipelined querier. It reports false when
// the session cannot be used (ended, or broken by an earlier failure): the
// caller then reads the usual way.
func (rs *readSession) run(ctx context.Context, fn func(querier) error) (bool, error) {
	rs.mu.Lock()
	gone := rs.ended || rs.broken
	rs.mu.Unlock()
	if gone {
		return false, nil
	}
	err := fn(pipeQuerier{rs})
	if errors.Is(err, errSessionGone) {
		return false, nil
	}
	return true, err
}

// pipeItem is one statement waiting for the session's connection: a query
// (or Exec) whose rows come back buffered, or a caller's own batch, which
// gets the connection to itself until it closes its results.
type pipeItem struct {
	sql   string
	args  []any
	batch *pgx.Batch

	done chan struct{}
	rows *bufferedRows
	br   *sessionBatch
	err  error
	gone bool // the session could not serve it: errSessionGone
}

// submit queues it and waits for its answer. The goroutine that finds the
// connection idle sends the queue, and keeps sending what queued up meanwhile,
// until the queue is empty.
func (rs *readSession) submit(ctx context.Context, it *pipeItem) {
	it.done = make(chan struct{})
	rs.mu.Lock()
	if rs.ended || rs.broken {
		rs.mu.Unlock()
		it.gone = true
		return
	}
	rs.queue = append(rs.queue, it)
	lead := !rs.flushing
	rs.flushing = true
	rs.mu.Unlock()
	if lead {
		// Let the goroutines that are ready to ask (siblings whose loaders
		// fired together) queue their statements into this round trip.
		runtime.Gosched()
		rs.flush(ctx)
	}
	<-it.done
}

// flush sends the queue until it is empty: the plain statements at its head
// as one batch, then a caller's own batch, if one is next, whose results get
// the connection to themselves; their Close goes on flushing.
func (rs *readSession) flush(ctx context.Context) {
	for {
		rs.mu.Lock()
		items := rs.queue
		if len(items) == 0 {
			rs.flushing = false
			if rs.ended {
				rs.release(context.Background())
			}
			rs.mu.Unlock()
			return
		}
		if rs.ended || rs.broken {
			rs.queue = nil
			rs.mu.Unlock()
			for _, it := range items {
				it.gone = true
				close(it.done)
			}
			continue
		}
		n := 0
		for n < len(items) && items[n].batch == nil {
			n++
		}
		plain := items[:n]
		var own *pipeItem
		if n < len(items) {
			own = items[n]
		}
		rs.queue = append([]*pipeItem(nil), items[min(n+1, len(items)):]...)
		rs.mu.Unlock()

		var err error
		switch {
		case rs.conn == nil:
			err = rs.open(ctx, plain) // the transaction's start and the first statements (if any): one round trip
		case len(plain) > 0:
			rs.send(ctx, plain)
		}
		if err != nil {
			for _, it := range append(plain, own) {
				if it != nil {
					it.err = err
					close(it.done)
				}
			}
			continue
		}
		if own == nil {
			rs.check()
			continue
		}
		if !rs.usable() {
			own.gone = true
			close(own.done)
			rs.check()
			continue
		}
		own.br = &sessionBatch{BatchResults: rs.conn.Conn().SendBatch(ctx, own.batch), rs: rs, ctx: ctx}
		close(own.done)
		return // still flushing: the batch's Close goes on
	}
}

// send runs plain statements as one batch and buffers their results.
func (rs *readSession) send(ctx context.Context, plain []*pipeItem) {
	conn := rs.conn.Conn()
	rs.results(conn, conn.SendBatch(ctx, queue(&pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(plain))}, plain)), plain)
}

// queue adds the statements of plain to b.
func queue(b *pgx.Batch, plain []*pipeItem) *pgx.Batch {
	for _, it := range plain {
		b.Queue(it.sql, it.args...)
	}
	return b
}

// open acquires the connection at the session's first read and sends the
// transaction's start (BEGIN and the viewer) in one batch with the first
// plain statements, if any (a caller's own batch may come first): one round
// trip, not two. A connection found lost at BEGIN is replaced once
// (retryOnce): nothing has run yet.
func (rs *readSession) open(ctx context.Context, plain []*pipeItem) error {
	if conn := rs.replicaConn(ctx); conn != nil {
		rs.conn = conn
		if len(plain) > 0 {
			rs.send(ctx, plain)
		}
		return nil
	}
	_, err := retryOnce(ctx, rs.s.pool, func() (struct{}, error) {
		conn, err := rs.s.pool.Acquire(ctx)
		if err != nil {
			return struct{}{}, err
		}
		b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(plain)+2)}
		b.Queue("BEGIN")
		b.Queue(setViewerSQL, rs.args...)
		br := conn.Conn().SendBatch(ctx, queue(b, plain)) // queued afresh on a retry, as viewerQuerier's
		_, err = br.Exec()
		if err == nil {
			_, err = br.Exec()
		}
		if err != nil {
			_ = br.Close()
			conn.Release() // in a transaction or broken: the pool closes it
			return struct{}{}, fmt.Errorf("begin and set viewer: %w", err)
		}
		rs.conn = conn
		rs.results(conn.Conn(), br, plain)
		return struct{}{}, nil
	})
	return err
}

// results buffers the results of plain's statements, in order, from br and
// closes it. After a statement fails, the rest are gone: the transaction
// is aborted.
func (rs *readSession) results(conn *pgx.Conn, br pgx.BatchResults, plain []*pipeItem) {
	failed := false
	for _, it := range plain {
		if failed {
			it.gone = true // the transaction is aborted: not this statement's fault
			continue
		}
		rows, err := br.Query()
		it.rows, it.err = buffer(conn, rows, err)
		failed = it.err != nil
	}
	_ = br.Close() // a failure is the failing statement's error, above
	for _, it := range plain {
		close(it.done)
	}
}

// usable reports whether the transaction is still open.
func (rs *readSession) usable() bool {
	if rs.conn == nil {
		return false
	}
	pc := rs.conn.Conn().PgConn()
	return !pc.IsClosed() && pc.TxStatus() == 'T'
}

// check gives the connection up when a statement failed and aborted the
// transaction, or the connection is gone; later reads go the usual way.
func (rs *readSession) check() {
	if rs.conn == nil || rs.usable() {
		return
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.broken = true
	rs.release(context.Background())
}

// release ends the transaction and gives the connection back; the caller
// holds mu or is the only one using the connection.
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

// end ends the session. The request's reads are over, so nothing queues
// after this; a statement still on its way (of a canceled request) is
// answered first, and the goroutine sending it releases the connection.
func (rs *readSession) end() {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.ended = true
	if !rs.flushing {
		rs.release(context.Background())
	}
}

// pipeQuerier runs statements through the session's queue.
type pipeQuerier struct{ rs *readSession }

func (q pipeQuerier) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	it := &pipeItem{sql: sql, args: args}
	q.rs.submit(ctx, it)
	if it.gone {
		it.err = errSessionGone
	}
	if it.err != nil {
		return &bufferedRows{err: it.err}, it.err // non-nil, as pgx's Query answers
	}
	return it.rows, nil
}

func (q pipeQuerier) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	rows.Close()
	return rows.CommandTag(), nil
}

func (q pipeQuerier) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := q.Query(ctx, sql, args...)
	return &batchRow{rows: rows, err: err} // batch.go
}

func (q pipeQuerier) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	it := &pipeItem{batch: b}
	q.rs.submit(ctx, it)
	switch {
	case it.gone:
		return errBatch{errSessionGone}
	case it.err != nil:
		return errBatch{it.err}
	}
	return it.br
}

// sessionBatch is a caller's own batch on the session's connection; closing
// it hands the connection back to the queue, which its caller goes on
// sending.
type sessionBatch struct {
	pgx.BatchResults
	rs   *readSession
	ctx  context.Context
	once sync.Once
}

func (b *sessionBatch) Close() error {
	err := b.BatchResults.Close()
	b.once.Do(func() {
		b.rs.check()
		b.rs.flush(b.ctx)
	})
	return err
}

// errBatch answers every result of a batch that could not be sent with err.
type errBatch struct{ err error }

func (b errBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, b.err }
func (b errBatch) Query() (pgx.Rows, error)         { return nil, b.err }
func (b errBatch) QueryRow() pgx.Row                { return &batchRow{err: b.err} }
func (b errBatch) Close() error                     { return b.err }
func (b errBatch) Tx() pgx.Tx                       { return nil }
