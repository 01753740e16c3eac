package store

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"cogov/internal/access"
)

// UseReplica sends the reads of queries (ReadSession) to replica, a pool
// on a streaming replica of s's database, with read-your-writes: after an
// account's write commits, the store notes the primary's WAL position, and
// that account's next query reads from the replica only once the replica
// has replayed up to it (pg_last_wal_replay_lsn), otherwise from the
// primary. Writes, and reads outside a query, always go to the primary.
// The positions are kept by this process: with several server replicas,
// route an account's requests to one of them (or keep the position in its
// session row) for the guarantee to hold across them.
func UseReplica(s *Store, replica *pgxpool.Pool) { s.replica = replica }

// noteWrite records the primary's WAL position after the viewer's write
// committed, when a replica is in use.
func (s *Store) noteWrite(ctx context.Context) {
	id := access.From(ctx).AccountID
	if s.replica == nil || id == "" {
		return
	}
	var lsn string
	if err := s.pool.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&lsn); err != nil {
		// Unknown: read this account from the primary until it writes again.
		lsn = "FFFFFFFF/FFFFFFFF"
	}
	s.written.Store(id, lsn)
}

// replicaConn returns a connection to the replica with the session's
// transaction begun and the viewer set, or nil when the replica has not yet
// replayed the viewer's last write (or cannot be reached): the session then
// reads from the primary.
func (rs *readSession) replicaConn(ctx context.Context) *pgxpool.Conn {
	s := rs.s
	if s.replica == nil {
		return nil
	}
	lsn := "0/0"
	if v, ok := s.written.Load(access.From(ctx).AccountID); ok {
		lsn = v.(string)
	}
	conn, err := s.replica.Acquire(ctx)
	if err != nil {
		return nil
	}
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	b.Queue(`SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn`, lsn)
	b.Queue(setViewerSQL, rs.args...)
	br := conn.SendBatch(ctx, b)
	_, err = br.Exec()
	var caughtUp bool
	if err == nil {
		err = br.QueryRow().Scan(&caughtUp)
	}
	if err == nil {
		_, err = br.Exec()
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil || !caughtUp {
		if _, rerr := conn.Exec(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
		}
		conn.Release()
		return nil
	}
	return conn
}
