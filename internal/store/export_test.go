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
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.setViewer(ctx, tx, "", ""); err != nil { // as the store does: row-level security applies
			return err
		}
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
