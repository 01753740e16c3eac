package store

import "fmt"

// wrap puts the name of a store operation in front of the error *errp, if
// there is one, so that a fault in the server's log says which query failed:
//
//	store.Venue("5f0c…"): fetch by id: ERROR: … (SQLSTATE 57014)
//
// It wraps with %w, so errors.Is and errors.As see what it wraps as before:
// problem.ErrNotFound, a problem.List, ErrBadCursor, a *pgconn.PgError. The
// name reaches only the log: a client sees a problem's code and message, or
// "internal error". Every exported method of Store defers it on its named
// error result, as pkgsite's derrors.Wrap:
//
//	func (s *Store) Venue(ctx context.Context, id string) (_ booking.Venue, err error) {
//		defer wrap(&err, "store.Venue(%q)", id)
//
// An error that is a lost connection to PostgreSQL is marked on the way, so
// that errors.Is(err, problem.ErrUnavailable) tells an outage from a fault.
//
// Arguments name the records (ids, a code, a username) and count lists; they
// never include secrets (token and password hashes) or text people typed.
func wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), markUnavailable(*errp))
	}
}
