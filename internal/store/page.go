package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"cogov/internal/page"
)

// ErrBadCursor is returned for an `after` cursor this store did not issue.
var ErrBadCursor = errors.New("invalid cursor")

// MaxPage is the largest page a connection serves.
const MaxPage = page.Max

// Page asks for the First items after the cursor After ("" for the start).
type Page = page.Page

// Conn is one page of a list (page.Conn).
type Conn[T any] = page.Conn[T]

// cursor is a position in a list ordered by (sort, id): keyset pagination,
// so a page does not shift when rows are added before it.
type cursor struct {
	S  string `json:"s"`
	ID string `json:"i"`
}

func encodeCursor(sort, id string) string {
	b, _ := json.Marshal(cursor{S: sort, ID: id})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || !IsUUID(c.ID) {
		return c, ErrBadCursor
	}
	return c, nil
}

// IsUUID reports whether s is a UUID in its canonical text form.
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if r != '-' {
				return false
			}
		case r >= '0' && r <= '9', r >= 'a' && r <= 'f', r >= 'A' && r <= 'F':
		default:
			return false
		}
	}
	return true
}

// listSpec describes a list of T under parent records.
type listSpec[T any] struct {
	cols   string // the select list, in the order fields returns
	from   string // FROM clause with joins
	parent string // expression of the parent's id (uuid)
	sort   string // text expression giving the order, ties broken by id
	id     string // expression of the item's id (uuid)
	where  string // extra conditions, may use $5 onwards
	with   string // common table expressions where may use ("name AS (...)"), or ""
	args   []any  // the values of $5 onwards
	fields func(*T) []any
}

// pageBounds decodes the cursors of p and checks its size.
func pageBounds(p Page) (after, before *cursor, size int, err error) {
	for _, c := range []struct {
		text string
		into **cursor
	}{{p.After, &after}, {p.Before, &before}} {
		if c.text != "" {
			cur, err := decodeCursor(c.text)
			if err != nil {
				return nil, nil, 0, err
			}
			*c.into = &cur
		}
	}
	size = p.Size()
	if size < 1 || size > MaxPage || (p.First > 0 && p.Last > 0) {
		return nil, nil, 0, fmt.Errorf("page size %d/%d out of range", p.First, p.Last)
	}
	return after, before, size, nil
}

// parts gives the sort key and id of a cursor, nil for none.
func (c *cursor) parts() (sortKey, id *string) {
	if c == nil {
		return nil, nil
	}
	return &c.S, &c.ID
}

// topList fetches one page of a top-level list in the list's order, so that
// an index on (sort COLLATE "C", id) lets the page stop after its items, and
// counts the matches up to countCap (a total of countCap means that many or
// more). The cursors and flags are list's.
func topList[T any](ctx context.Context, tx querier, spec listSpec[T], p Page, countCap int) (*Conn[T], error) {
	after, before, size, err := pageBounds(p)
	if err != nil {
		return nil, err
	}
	key := `(` + spec.sort + `) COLLATE "C"`
	order := key + `, ` + spec.id
	if p.Backward() {
		order = key + ` DESC, ` + spec.id + ` DESC`
	}
	where := "true"
	if spec.where != "" {
		where = spec.where
	}
	// $1–$4 are the cursors (the filter's values are $5 onwards).
	cursors := `($1::text IS NULL OR (` + key + `, ` + spec.id + `) > ($1::text COLLATE "C", $2::uuid))
	  AND ($3::text IS NULL OR (` + key + `, ` + spec.id + `) < ($3::text COLLATE "C", $4::uuid))`
	afterSort, afterID := after.parts()
	beforeSort, beforeID := before.parts()
	// The capped count rides along as an uncorrelated subquery (computed
	// once, with the first row): one statement. A page past the end has no
	// row to carry it and counts on its own.
	count := `SELECT count(*) FROM (SELECT FROM ` + spec.from + ` WHERE ` + where + ` LIMIT ` + fmt.Sprint(countCap) + `) m`
	bq, ok := tx.(batcher)
	if !ok {
		return nil, fmt.Errorf("list: %T sends no batches", tx)
	}
	// The page walks the order index (walkOrderSQL) in the same round trip
	// and transaction as it is planned in, the settings put back after it.
	b := &pgx.Batch{}
	b.Queue(walkOrderSQL)
	b.Queue(withClause(spec)+`SELECT `+spec.cols+`, (`+spec.sort+`)::text, (`+spec.id+`)::text, (`+count+`) FROM `+spec.from+`
	WHERE (`+where+`) AND `+cursors+` ORDER BY `+order+` LIMIT `+fmt.Sprint(size+1),
		append([]any{afterSort, afterID, beforeSort, beforeID}, spec.args...)...)
	b.Queue(walkBackSQL)
	br := bq.SendBatch(ctx, b)
	defer br.Close()
	if _, err := br.Exec(); err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	rows, err := br.Query()
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	c := &Conn[T]{HasPrev: after != nil, HasNext: before != nil, Total: -1}
	for rows.Next() {
		var item T
		var sortKey, id string
		if err := rows.Scan(append(spec.fields(&item), &sortKey, &id, &c.Total)...); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list scan: %w", err)
		}
		if len(c.Items) == size { // one more than the page: another page follows
			markMore(c, p)
			continue
		}
		c.Items = append(c.Items, item)
		c.Cursors = append(c.Cursors, encodeCursor(sortKey, id))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	if _, err := br.Exec(); err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	if p.Backward() {
		slices.Reverse(c.Items)
		slices.Reverse(c.Cursors)
	}
	if c.Total < 0 {
		// The count's parameters are the filter's ($5 onwards); $1–$4 are
		// typed and unused.
		err = tx.QueryRow(ctx, withClause(spec)+`SELECT (`+count+`) WHERE $1::text IS NULL AND $2::uuid IS NULL AND $3::text IS NULL AND $4::uuid IS NULL`,
			append([]any{nil, nil, nil, nil}, spec.args...)...).Scan(&c.Total)
		if err != nil {
			return nil, fmt.Errorf("list count: %w", err)
		}
	}
	return c, nil
}

// withClause is the WITH clause of spec's common table expressions, if any.
func withClause[T any](spec listSpec[T]) string {
	if spec.with == "" {
		return ""
	}
	return "WITH " + spec.with + " "
}

// walkOrderSQL turns bitmap scans and sorts off for the rest of the
// transaction, and plans each statement for its own values, keeping how
// the settings were for walkBackSQL. The planner estimates the matches of
// the checks it cannot see into (a venue search's availability) far too
// low and would collect every candidate by a bitmap scan and sort them (at
// 10,000 venues, 910 candidates and their eligible committees, 7.5 ms
// against 2.5 ms); a top-level page is meant to walk the order index and
// stop after it. A generic plan (which PostgreSQL tries from a prepared
// statement's sixth run) knows nothing of the window and, without bitmap
// scans, reads the whole of venue_busy and venue_shut (90 ms at 1,000
// venues against 1 ms). walkBackSQL puts the settings back, since the
// transaction may serve the request's other reads.
const walkOrderSQL = `SELECT set_config('cogov.walk_back', concat_ws(' ', current_setting('enable_bitmapscan'),
		current_setting('enable_sort'), current_setting('plan_cache_mode')), true),
	set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true),
	set_config('plan_cache_mode', 'force_custom_plan', true)`

// walkBackSQL undoes walkOrderSQL.
const walkBackSQL = `SELECT set_config('enable_bitmapscan', split_part(current_setting('cogov.walk_back'), ' ', 1), true),
	set_config('enable_sort', split_part(current_setting('cogov.walk_back'), ' ', 2), true),
	set_config('plan_cache_mode', split_part(current_setting('cogov.walk_back'), ' ', 3), true)`

// markMore notes that items lie beyond the page p, on the side it runs to.
func markMore[T any](c *Conn[T], p Page) {
	if p.Backward() {
		c.HasPrev = true
	} else {
		c.HasNext = true
	}
}

// noParent is the parent of top-level lists.
const noParent = "00000000-0000-0000-0000-000000000000"

// list fetches one page of items for each parent in a single statement: the
// total per parent (from one marker row per parent, so that a page past the
// end still knows it), the page between the cursors and one item more to
// tell whether another page follows — counted from the start, or for a
// backward page (Last) from the end, its items then put back in order.
func list[T any](ctx context.Context, tx querier, spec listSpec[T], parents []string, p Page) (map[string]*Conn[T], error) {
	after, before, size, err := pageBounds(p)
	if err != nil {
		return nil, err
	}
	order := `_sort COLLATE "C", _id`
	if p.Backward() {
		order = `_sort COLLATE "C" DESC, _id DESC`
	}
	nb := 5 + len(spec.args) // the before cursor's parameters follow the filter's
	where := spec.parent + " = ANY($1::text[]::uuid[])"
	if spec.where != "" {
		where += " AND (" + spec.where + ")"
	}
	with := "WITH "
	if spec.with != "" {
		with += spec.with + ", "
	}
	base := with + `base AS (
	SELECT ` + spec.cols + `, (` + spec.parent + `)::text AS _parent, (` + spec.sort + `)::text AS _sort, (` + spec.id + `) AS _id
	FROM ` + spec.from + ` WHERE ` + where + `
)`
	between := `($2::text IS NULL OR (_sort COLLATE "C", _id) > ($2::text COLLATE "C", $3::uuid))
	  AND ($` + fmt.Sprint(nb) + `::text IS NULL OR (_sort COLLATE "C", _id) < ($` + fmt.Sprint(nb) + `::text COLLATE "C", $` + fmt.Sprint(nb+1) + `::uuid))`
	sql := base + `, counted AS (
	SELECT *, count(*) OVER (PARTITION BY _parent) AS _total FROM base
), paged AS (
	SELECT *, row_number() OVER (PARTITION BY _parent ORDER BY ` + order + `) AS _rn FROM counted
	WHERE ` + between + `
)
SELECT * FROM paged WHERE _rn <= $4
UNION ALL
SELECT * FROM (SELECT DISTINCT ON (_parent) *, 0::bigint AS _rn FROM counted ORDER BY _parent) totals
ORDER BY _parent, _rn`
	if len(parents) == 1 {
		// One parent (every top-level list, and a nested one under a
		// single object): the same rows without partitions — the total
		// counted once, the page sorted once and cut by LIMIT, the marker
		// row any one row of the list, and the rows in the page's order
		// (by _rn, as below). About 40 % less time for this statement (57
		// units: 0.37 → 0.23 ms, pgbench).
		sql = base + `, total AS (SELECT count(*) AS _total FROM base)
(SELECT b.*, t._total, row_number() OVER (ORDER BY ` + order + `) AS _rn FROM base b, total t
	WHERE ` + between + `
	ORDER BY ` + order + ` LIMIT $4)
UNION ALL
(SELECT b.*, t._total, 0::bigint FROM base b, total t LIMIT 1)
ORDER BY _rn`
	}
	afterSort, afterID := after.parts()
	beforeSort, beforeID := before.parts()
	args := append(append([]any{parents, afterSort, afterID, size + 1}, spec.args...), beforeSort, beforeID)
	if p.Count {
		return countList(ctx, tx, spec, with, where, nb, args)
	}
	rows, err := tx.Query(ctx, strings.TrimSpace(sql), args...)
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	defer rows.Close()
	out := make(map[string]*Conn[T], len(parents))
	for rows.Next() {
		var item T
		var parent, sortKey, id string
		var total, rn int64
		dest := append(spec.fields(&item), &parent, &sortKey, &id, &total, &rn)
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("list scan: %w", err)
		}
		c := out[parent]
		if c == nil {
			// A bound on the other side says that items lie beyond it.
			c = &Conn[T]{Total: int(total), HasPrev: after != nil, HasNext: before != nil}
			out[parent] = c
		}
		if rn == 0 { // the row that carries the parent's total
			continue
		}
		if int(rn) > size { // one more than the page: another page follows
			markMore(c, p)
			continue
		}
		c.Items = append(c.Items, item)
		c.Cursors = append(c.Cursors, encodeCursor(sortKey, id))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	if p.Backward() {
		for _, c := range out {
			slices.Reverse(c.Items)
			slices.Reverse(c.Cursors)
		}
	}
	return out, nil
}

// countList answers a Count page of list: each parent's total, counted as
// list counts it (over the whole list, whatever the cursors), and no items.
// The statement takes list's parameters, the cursors' and the size typed and
// unused, so that the filter's keep their numbers.
func countList[T any](ctx context.Context, tx querier, spec listSpec[T], with, where string, nb int, args []any) (map[string]*Conn[T], error) {
	sql := with + `base AS (SELECT (` + spec.parent + `)::text AS _parent FROM ` + spec.from + ` WHERE ` + where + `)
SELECT _parent, count(*)
FROM base, (SELECT $2::text, $3::uuid, $4::int, $` + fmt.Sprint(nb) + `::text, $` + fmt.Sprint(nb+1) + `::uuid) unused
GROUP BY _parent`
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("list count: %w", err)
	}
	defer rows.Close()
	out := map[string]*Conn[T]{}
	for rows.Next() {
		var parent string
		var total int64
		if err := rows.Scan(&parent, &total); err != nil {
			return nil, fmt.Errorf("list count scan: %w", err)
		}
		out[parent] = &Conn[T]{Total: int(total)}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list count: %w", err)
	}
	return out, nil
}
