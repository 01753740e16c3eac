// Package store is the only package that speaks SQL. It reads and writes the
// domain's records in PostgreSQL, runs every write in a transaction that also
// tells the audit-log triggers who acts, and turns database errors (no rows,
// unique, foreign-key, check and exclusion violations) into domain errors so
// that no SQL text or constraint name travels further. Every exported method
// puts its name in front of the errors it returns (see wrap), so that a fault
// in the server's log says which operation failed.
package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"cogov/internal/access"
	"cogov/internal/clock"
	"cogov/internal/problem"
)

// Store reads and writes the platform's records.
type Store struct {
	pool *pgxpool.Pool
	now  clock.Clock

	replica *pgxpool.Pool // queries' reads, when set (UseReplica)
	written sync.Map      // account id → WAL position after its last write (UseReplica)

	signals signaller // live-update signals of committed writes, to send (writeTx)
}

// New returns a Store over pool. Every statement runs with now as the
// database's idea of the present (cogov_now() in SQL), so that "current"
// terms and figures follow the clock the services are given.
func New(pool *pgxpool.Pool, now clock.Clock) *Store {
	return &Store{pool: pool, now: now, signals: signaller{pool: pool}}
}

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) (err error) {
	defer wrap(&err, "store.Ping")
	_, err = retryOnce(ctx, s.pool, func() (struct{}, error) { return struct{}{}, s.pool.Ping(ctx) })
	return err
}

// tx is the transaction InTx keeps in its context.
type tx struct {
	pgx.Tx
	// allOrNothing: a failed write fails the whole transaction (InTxAll),
	// so writes take no savepoint and set only their action and note.
	allOrNothing bool
	action, note string // the action and note the transaction has set now
}

type txKey struct{}

// txOf is the transaction ctx carries, if any.
func txOf(ctx context.Context) (*tx, bool) {
	t, ok := ctx.Value(txKey{}).(*tx)
	return t, ok
}

// InTx runs fn with a context whose store calls all share one transaction, so
// that several domain calls commit or roll back together. A write inside it
// takes a savepoint, so that a refused write leaves the transaction usable.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	defer wrap(&err, "store.InTx")
	return s.inTx(ctx, false, "", fn)
}

// InTxAll is InTx for a transaction that fails as a whole when any of its
// writes fails: fn returns every error it meets, so its writes need no
// savepoint to recover from. The transaction begins with action as the
// audit trail's action, the one its first write records.
func (s *Store) InTxAll(ctx context.Context, action string, fn func(ctx context.Context) error) (err error) {
	defer wrap(&err, "store.InTxAll(%q)", action)
	return s.inTx(ctx, true, action, fn)
}

func (s *Store) inTx(ctx context.Context, all bool, action string, fn func(ctx context.Context) error) error {
	if _, ok := txOf(ctx); ok {
		return fn(ctx) // the InTx that began the transaction names it
	}
	err := translate(s.writeTx(ctx, s.viewerArgs(ctx, action, ""), func(t pgx.Tx) error {
		return fn(context.WithValue(ctx, txKey{}, &tx{Tx: t, allOrNothing: all, action: action}))
	}))
	if err == nil {
		s.noteWrite(ctx)
	}
	return err
}

// batcher is a querier that can also send several statements in one round
// trip and one transaction: a transaction, a read session, or viewerQuerier
// (which sends them after the viewer's statement).
type batcher interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// querier runs statements: a transaction, or viewerQuerier outside one.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// read runs fn's queries as the viewer of ctx: inside the transaction ctx
// carries, if any; in the request's read session (ReadSession), if any;
// otherwise each query goes to the server in one batch
// together with the statement that sets the viewer, so a read costs one
// round trip instead of four (BEGIN, set_config, the query, COMMIT). A
// batch runs as one implicit transaction, which is what set_config(...,
// true) and the row-level security policies need.
func (s *Store) read(ctx context.Context, fn func(querier) error) error {
	if t, ok := txOf(ctx); ok {
		return fn(t.Tx)
	}
	if rs, ok := ctx.Value(sessionKey{}).(*readSession); ok {
		if used, err := rs.run(ctx, fn); used {
			return err
		}
	}
	return fn(viewerQuerier{pool: s.pool, set: s.viewerArgs(ctx, "", "")})
}

// setViewerSQL tells PostgreSQL, for this transaction only, who is asking:
// the audit trigger records the actor and the row-level security policies
// read the sub-districts the viewer holds roles in. Its arguments are
// viewerArgs'.
const setViewerSQL = `SELECT set_config('cogov.viewer_ready', 'on', true), set_config('cogov.system', $1, true),
	set_config('cogov.viewer_sds', $2::text[]::uuid[]::text, true), set_config('cogov.actor_id', $3, true),
	set_config('cogov.actor_label', $4, true), set_config('cogov.action', $5, true), set_config('cogov.note', $6, true),
	set_config('cogov.now', $7, true), set_config('cogov.staff_sds', $8::text[]::uuid[]::text, true),
	set_config('cogov.persons', $9::text[]::uuid[]::text, true), set_config('cogov.admin_sds', $10::text[]::uuid[]::text, true),
	set_config('cogov.scopes', $11::text[]::uuid[]::text, true)`

// beginViewerSQL is BEGIN followed by setViewerSQL with viewer's values
// written as literals: one simple-protocol query (which takes no
// parameters). Strings are quoted by doubling their quotes, which is exact
// under standard_conforming_strings (on since PostgreSQL 9.1, and required
// by pgx); a NUL, which no text value may hold, is refused.
func beginViewerSQL(viewer []any) (string, error) {
	lits := make([]string, len(viewer))
	for i, a := range viewer {
		switch v := a.(type) {
		case string:
			lits[i] = quoteLiteral(v)
		case []string:
			elems := make([]string, len(v))
			for j, e := range v {
				elems[j] = `"` + strings.ReplaceAll(strings.ReplaceAll(e, `\`, `\\`), `"`, `\"`) + `"`
			}
			lits[i] = quoteLiteral("{" + strings.Join(elems, ",") + "}")
		default:
			return "", fmt.Errorf("viewer argument %d: unexpected %T", i+1, a)
		}
		if strings.ContainsRune(lits[i], 0) {
			return "", fmt.Errorf("viewer argument %d holds a NUL", i+1)
		}
	}
	var err error
	sql := placeholder.ReplaceAllStringFunc(setViewerSQL, func(p string) string {
		n, _ := strconv.Atoi(p[1:])
		if n < 1 || n > len(lits) {
			err = fmt.Errorf("setViewerSQL's %s has no argument", p)
			return p
		}
		return lits[n-1]
	})
	return "BEGIN; " + sql, err
}

var placeholder = regexp.MustCompile(`\$[0-9]+`)

// quoteLiteral is s as an SQL string literal (standard_conforming_strings).
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// viewerArgs are the arguments of setViewerSQL for the viewer of ctx.
func (s *Store) viewerArgs(ctx context.Context, action, note string) []any {
	v := access.From(ctx)
	sds := map[string]bool{}
	for _, r := range v.Roles {
		if r.SubdistrictID != "" {
			sds[r.SubdistrictID] = true
		}
	}
	list := make([]string, 0, len(sds))
	staff := []string{} // where the viewer works: sees every person (structure.CanSeePeople)
	persons := []string{}
	for sd := range sds {
		list = append(list, sd)
		if v.StaffIn(sd) {
			staff = append(staff, sd)
		}
		persons = append(persons, v.MemberPersons(sd)...)
	}
	system := "" // platform tasks and platform administrators see every sub-district
	if v.AdministersPlatform() {
		system = "on"
	}
	// The sub-districts v administers and the records v's other roles are
	// over (grids, committees, units): who handles a grid case (cogov_case_handler).
	admin, scopes := []string{}, []string{}
	for _, r := range v.Roles {
		switch {
		case r.Kind == access.SubdistrictAdmin:
			admin = append(admin, r.ScopeID)
		case r.ScopeID != "" && r.Kind != access.Member && r.Kind != access.Integration:
			scopes = append(scopes, r.ScopeID)
		}
	}
	return []any{system, list, v.AccountID, v.Username, action, note, s.now().Format(time.RFC3339Nano), staff, persons, admin, scopes}
}

// write runs fn in a transaction whose audit-log rows carry the actor from
// ctx, the action name and a note; database errors come back as domain errors.
func (s *Store) write(ctx context.Context, action, note string, fn func(pgx.Tx) error) error {
	if t, ok := txOf(ctx); ok {
		if t.allOrNothing {
			// A failure fails the transaction (InTxAll): no savepoint,
			// only the action and note, when they change, sent with the
			// write's first statement.
			if t.action == action && t.note == note {
				return translate(fn(t.Tx))
			}
			return translate(fn(&actionTx{Tx: t.Tx, t: t, action: action, note: note}))
		}
		// A savepoint, so that a refused write inside a larger transaction
		// leaves the transaction usable and the caller can decide; begun
		// together with the viewer's action in one round trip.
		return translate(savepoint(ctx, t.Tx, s.viewerArgs(ctx, action, note), fn))
	}
	err := translate(s.writeTx(ctx, s.viewerArgs(ctx, action, note), fn))
	if err == nil {
		s.noteWrite(ctx)
	}
	return err
}

// writeUnaudited is write for statements that touch no audited table (no
// audit_row trigger reads the action): inside an all-or-nothing transaction
// (InTxAll) it sends no action of its own — the set_config would be recorded
// nowhere — and leaves the transaction's action as it was, so that the next
// audited write still sends its own when it differs. Elsewhere it is write.
func (s *Store) writeUnaudited(ctx context.Context, action string, fn func(pgx.Tx) error) error {
	if t, ok := txOf(ctx); ok && t.allOrNothing {
		return translate(fn(t.Tx))
	}
	return s.write(ctx, action, "", fn)
}

const setActionSQL = `SELECT set_config('cogov.action', $1, true), set_config('cogov.note', $2, true)`

// savepoint runs fn inside a savepoint of tx, with the viewer (and its
// action) set: rolled back to on an error, released otherwise. Savepoints
// of nested writes share a name, which PostgreSQL resolves to the latest.
func savepoint(ctx context.Context, tx pgx.Tx, viewer []any, fn func(pgx.Tx) error) error {
	b := &pgx.Batch{}
	b.Queue("SAVEPOINT cogov_write")
	b.Queue(setViewerSQL, viewer...)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("savepoint and set viewer: %w", err)
	}
	if err := fn(tx); err != nil {
		if _, rerr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT cogov_write"); rerr != nil {
			return errors.Join(err, fmt.Errorf("roll back to savepoint: %w", rerr))
		}
		return err
	}
	if _, err := tx.Exec(ctx, "RELEASE SAVEPOINT cogov_write"); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// constraintProblems maps constraint names to the problem a violation means.
var constraintProblems = map[string]problem.Problem{
	"subdistrict_code_key":              {Code: problem.AlreadyExists, Field: []string{"input", "code"}, Message: "another sub-district has this code"},
	"community_subdistrict_id_code_key": {Code: problem.AlreadyExists, Field: []string{"input", "code"}, Message: "another community of the sub-district has this code"},
	"community_subdistrict_id_name_key": {Code: problem.AlreadyExists, Field: []string{"input", "name"}, Message: "another community of the sub-district has this name"},
	"grid_community_id_name_key":        {Code: problem.AlreadyExists, Field: []string{"input", "name"}, Message: "another grid of the community has this name"},
	"unit_subdistrict_id_name_key":      {Code: problem.AlreadyExists, Field: []string{"input", "name"}, Message: "another unit of the sub-district has this name"},
	"committee_subdistrict_id_name_key": {Code: problem.AlreadyExists, Field: []string{"input", "name"}, Message: "another committee of the sub-district has this name"},
	"committee_one_working":             {Code: problem.AlreadyExists, Field: []string{"input", "kind"}, Message: "the sub-district already has a working committee"},
	"committee_one_party":               {Code: problem.AlreadyExists, Field: []string{"input", "communityId"}, Message: "the community already has a party committee"},
	"committee_level":                   {Code: problem.KindMismatch, Field: []string{"input", "communityId"}, Message: "the committee's kind does not fit its level"},
	"grid_staff_one_head":               {Code: problem.AlreadyExists, Field: []string{"input", "headId"}, Message: "the grid already has a head"},
	"grid_staff_pkey":                   {Code: problem.InvalidInput, Field: []string{"input"}, Message: "a person can hold only one post in a grid"},
	"membership_term_order":             {Code: problem.TermReversed, Field: []string{"input", "termEnd"}, Message: "a term cannot end before it starts"},
	"membership_part_time_unit":         {Code: problem.InvalidInput, Field: []string{"input", "unitId"}, Message: "a part-time member, and only one, represents a unit"},
	"account_username_key":              {Code: problem.AlreadyExists, Field: []string{"input", "username"}, Message: "another account has this username"},
	"account_role_once":                 {Code: problem.AlreadyExists, Field: []string{"input", "kind"}, Message: "the account already holds this role"},
	"membership_no_overlap":             {Code: problem.OverlappingTerm, Field: []string{"input", "termStart"}, Message: "the person already holds a seat on this committee for an overlapping term"},
	// Venues and bookings.
	"booking_no_overlap":     {Code: problem.BookingConflict, Field: []string{"input", "startsAt"}, Message: "the venue is already booked then (changeover time included)"},
	"venue_unit_id_name_key": {Code: problem.AlreadyExists, Field: []string{"input", "name"}, Message: "the unit already has a venue with this name"},
	"venue_hours_no_overlap": {Code: problem.InvalidInput, Field: []string{"input", "weekly"}, Message: "ranges of one day must not overlap"},
	"venue_duration_order":   {Code: problem.InvalidInput, Field: []string{"input", "maxDurationMinutes"}, Message: "the longest booking cannot be shorter than the shortest"},
	"waitlist_entry_once":    {Code: problem.AlreadyExists, Field: []string{"input", "startsAt"}, Message: "the committee already waits for this window"},
}

// constraintErr is the domain error a violation of the named constraint means.
func constraintErr(name string) error { return problem.List{constraintProblems[name]} }

// translate turns a PostgreSQL error into a domain error where it means one.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	if p, ok := constraintProblems[pgErr.ConstraintName]; ok {
		return problem.List{p}
	}
	switch pgErr.Code {
	case "23505":
		return problem.New(problem.AlreadyExists, "a record with these values already exists")
	case "23503":
		return problem.New(problem.NotFound, "a record the input names does not exist")
	case "23514", "22001", "22003", "22007", "22008", "22P02":
		return problem.New(problem.InvalidInput, "a value is out of range")
	case "23P01":
		return problem.New(problem.InvalidState, "the change conflicts with another record")
	case "42501": // a row-level security policy refused the row: the domain missed a check
		return problem.New(problem.Forbidden, "you may not change this record")
	case "40001", "40P01":
		return fmt.Errorf("concurrent update, try again: %w", err)
	}
	return err
}

// collect runs a query and scans each row with fields, which lists the
// destinations of one row's columns in order.
func collect[T any](ctx context.Context, q querier, fields func(*T) []any, sql string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	return collectRows(rows, err, fields)
}

// collectRows is collect for rows already asked for (a batch's).
func collectRows[T any](rows pgx.Rows, err error, fields func(*T) []any) ([]T, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (T, error) {
		var v T
		err := row.Scan(fields(&v)...)
		return v, err
	})
}

// one is collect for a single row; it returns notFound when there is none.
func one[T any](ctx context.Context, q querier, notFound error, fields func(*T) []any, sql string, args ...any) (T, error) {
	var v T
	err := q.QueryRow(ctx, sql, args...).Scan(fields(&v)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return v, notFound
	}
	return v, err
}

// pick returns m[id] from a by-id fetch, or notFound when m lacks it.
func pick[T any](m map[string]T, err error, id string, notFound error) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	v, ok := m[id]
	if !ok {
		return zero, notFound
	}
	return v, nil
}

// readMap runs a query and keys its rows by key.
func readMap[T any](ctx context.Context, s *Store, sql string, fields func(*T) []any, key func(T) string, args ...any) (map[string]T, error) {
	out := map[string]T{}
	err := s.read(ctx, func(tx querier) error {
		items, err := collect(ctx, tx, fields, sql, args...)
		for _, it := range items {
			out[key(it)] = it
		}
		return err
	})
	return out, err
}

// byIDs fetches records by id in one statement; missing ones (and ids that
// are not uuids) are absent from the map.
func byIDs[T any](ctx context.Context, s *Store, cols, from, idExpr string, fields func(*T) []any, idOf func(T) string, ids []string) (map[string]T, error) {
	valid := okIDs(ids)
	if len(valid) == 0 {
		return map[string]T{}, nil
	}
	m, err := readMap(ctx, s, `SELECT `+cols+` FROM `+from+` WHERE `+idExpr+` = ANY($1::text[]::uuid[])`, fields, idOf, valid)
	if err != nil {
		return nil, fmt.Errorf("fetch by id: %w", err)
	}
	return m, nil
}

// okIDs drops ids that are not uuids, which would otherwise fail the cast
// instead of matching nothing.
func okIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if IsUUID(id) {
			out = append(out, id)
		}
	}
	return out
}
