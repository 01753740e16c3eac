package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ExplainVenueSearch returns the EXPLAIN ANALYZE plan of the directory
// search for f, for the benchmark to show which indexes it uses.
func (s *Store) ExplainVenueSearch(ctx context.Context, f VenueFilter) (string, error) {
	spec := venueSearch(f)
	var lines []string
	// As the store does: the viewer set, row-level security applies.
	err := s.writeTx(ctx, s.viewerArgs(ctx, "", ""), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, walkOrderSQL); err != nil { // as topList plans it
			return err
		}
		// The same statement list runs (the page and its capped count), prefixed with EXPLAIN.
		rows, err := tx.Query(ctx, `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) `+withClause(spec)+`SELECT `+spec.cols+`, (SELECT count(*) FROM (SELECT FROM `+spec.from+` WHERE `+spec.where+` LIMIT `+fmt.Sprint(VenueCountCap)+`) m) FROM `+spec.from+` WHERE $1::text IS NULL AND $2::text IS NULL AND $3::text IS NULL AND $4::int IS NULL AND `+spec.where+
			` ORDER BY (`+spec.sort+`) COLLATE "C", v.id LIMIT 21`, append([]any{nil, nil, nil, nil}, spec.args...)...)
		if err != nil {
			return err
		}
		lines, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	return strings.Join(lines, "\n"), err
}

// WhereRead runs one query in the read path (s.read) as the viewer of ctx:
// whether it ran on a replica, and whether subdistrict code exists there.
func WhereRead(ctx context.Context, s *Store, code string) (onReplica, found bool, err error) {
	err = s.read(ctx, func(q querier) error {
		return q.QueryRow(ctx, `SELECT pg_is_in_recovery(), EXISTS (SELECT 1 FROM subdistrict WHERE code = $1)`, code).Scan(&onReplica, &found)
	})
	return onReplica, found, err
}

// WriteSQL runs one statement in a write transaction (s.write) as the viewer of ctx.
func WriteSQL(ctx context.Context, s *Store, sql string) error {
	return s.write(ctx, "test", "", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, sql)
		return err
	})
}

// Querier and Batcher are the read path's statement runners, for the
// session tests.
type (
	Querier = querier
	Batcher = batcher
)

// Read runs fn as s's reads do (in the read session of ctx, if any).
func Read(ctx context.Context, s *Store, fn func(Querier) error) error { return s.read(ctx, fn) }

// Queued returns how many statements wait in the read session of ctx.
func Queued(ctx context.Context) int {
	rs := ctx.Value(sessionKey{}).(*readSession)
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return len(rs.queue)
}

// ViewerSet begins a transaction as InTx does, with the viewer of ctx and
// action, and returns what PostgreSQL holds for the actor's label, the
// action and the viewer's sub-districts.
func ViewerSet(ctx context.Context, s *Store, action string) (label, act, sds string, err error) {
	err = s.InTxAll(ctx, action, func(ctx context.Context) error {
		return s.read(ctx, func(q querier) error {
			return q.QueryRow(ctx, `SELECT current_setting('cogov.actor_label'), current_setting('cogov.action'),
				current_setting('cogov.viewer_sds')`).Scan(&label, &act, &sds)
		})
	})
	return label, act, sds, err
}

// AuditActions are the actions the audit trail recorded for entity id, oldest first.
func AuditActions(ctx context.Context, s *Store, id string) (out []string, err error) {
	err = s.read(ctx, func(q querier) error {
		rows, err := q.Query(ctx, `SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id`, id)
		out, err = collectRows(rows, err, func(a *string) []any { return []any{a} })
		return err
	})
	return out, err
}

// Gathered is what the transaction ctx carries has gathered in cogov.later:
// the live-update signals it will send after its commit.
func Gathered(ctx context.Context, s *Store) (later string, err error) {
	err = s.read(ctx, func(q querier) error {
		return q.QueryRow(ctx, `SELECT coalesce(current_setting('cogov.later', true), '')`).Scan(&later)
	})
	return later, err
}
