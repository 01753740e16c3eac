package store

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"cogov/internal/problem"
)

// connectionLost reports whether err is a failure of the connection to
// PostgreSQL rather than of a statement: the server could not be reached,
// is starting up or shutting down, or the connection broke. A context that
// ended (a deadline, a client that went away) is not one.
func connectionLost(err error) bool {
	if err == nil {
		return false
	}
	if _, ok := errors.AsType[*pgconn.ConnectError](err); ok {
		return true // whatever the cause, even a connect timeout: the server was out of reach
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
		return false
	}
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch pgErr.Code {
		case "57P01", // admin_shutdown: the server is stopping, or the backend was terminated
			"57P02", // crash_shutdown
			"57P03", // cannot_connect_now: the server is starting up
			"53300": // too_many_connections
			return true
		}
		return strings.HasPrefix(pgErr.Code, "08") // connection_exception
	}
	if _, ok := errors.AsType[net.Error](err); ok {
		return true
	}
	return pgconn.SafeToRetry(err) || errors.Is(err, pgconn.ErrConnClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
}

// unavailableError is a lost connection, marked so that errors.Is(err,
// problem.ErrUnavailable) holds while errors.As still finds the cause.
type unavailableError struct{ err error }

func (e unavailableError) Error() string        { return e.err.Error() }
func (e unavailableError) Unwrap() error        { return e.err }
func (e unavailableError) Is(target error) bool { return target == problem.ErrUnavailable }

// markUnavailable marks err when the connection was lost.
func markUnavailable(err error) error {
	if err == nil || errors.Is(err, problem.ErrUnavailable) || !connectionLost(err) {
		return err
	}
	return unavailableError{err}
}

// retryOnce runs try and, when it failed because the connection was lost
// before it produced anything (try must guarantee that: it is called only
// where a second run cannot repeat an effect or a result), runs it once
// more on a fresh connection. When an established connection broke, the
// pool is emptied first: after PostgreSQL restarts every pooled connection
// is dead, and emptying the pool at the first failure keeps the requests
// that follow from failing on the others (a backend killed on its own costs
// the other connections a reconnect, which is cheap). When connecting
// failed, the pool holds nothing of it and is left alone.
func retryOnce[T any](ctx context.Context, pool *pgxpool.Pool, try func() (T, error)) (T, error) {
	v, err := try()
	if err == nil || ctx.Err() != nil || !connectionLost(err) {
		return v, err
	}
	if _, connecting := errors.AsType[*pgconn.ConnectError](err); !connecting {
		pool.Reset()
	}
	return try()
}
