package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"cogov/internal/clock"
)

// sqlLog writes every statement of the server's pool to a file, when
// BENCH_SQL_LOG names the file: the statement trace of a run, to see where
// a request's time goes round trip by round trip. Lines are tab-separated:
// Q pid sql args (a statement), E pid µs err (its end, with its round
// trip's time); B pid n (a batch of n), BQ pid sql args err (each of its
// statements), BE pid µs err (the batch's end). Run with -c 1 so that the
// times are the statements' own.
type sqlLog struct {
	next pgx.QueryTracer
	now  clock.Clock
	mu   sync.Mutex
	f    *os.File
}

type sqlStart struct{}

func (l *sqlLog) line(format string, a ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintf(l.f, format+"\n", a...)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (l *sqlLog) TraceQueryStart(ctx context.Context, c *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	ctx = l.next.TraceQueryStart(ctx, c, d)
	l.line("Q\t%d\t%s\t%v", c.PgConn().PID(), oneLine(d.SQL), d.Args)
	return context.WithValue(ctx, sqlStart{}, l.now())
}

func (l *sqlLog) TraceQueryEnd(ctx context.Context, c *pgx.Conn, d pgx.TraceQueryEndData) {
	l.next.TraceQueryEnd(ctx, c, d)
	if t, ok := ctx.Value(sqlStart{}).(time.Time); ok {
		l.line("E\t%d\t%d\t%v", c.PgConn().PID(), l.now().Sub(t).Microseconds(), d.Err)
	}
}

func (l *sqlLog) TraceBatchStart(ctx context.Context, c *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	ctx = l.next.(pgx.BatchTracer).TraceBatchStart(ctx, c, d)
	l.line("B\t%d\t%d", c.PgConn().PID(), d.Batch.Len())
	return context.WithValue(ctx, sqlStart{}, l.now())
}

func (l *sqlLog) TraceBatchQuery(ctx context.Context, c *pgx.Conn, d pgx.TraceBatchQueryData) {
	l.next.(pgx.BatchTracer).TraceBatchQuery(ctx, c, d)
	l.line("BQ\t%d\t%s\t%v\t%v", c.PgConn().PID(), oneLine(d.SQL), d.Args, d.Err)
}

func (l *sqlLog) TraceBatchEnd(ctx context.Context, c *pgx.Conn, d pgx.TraceBatchEndData) {
	l.next.(pgx.BatchTracer).TraceBatchEnd(ctx, c, d)
	if t, ok := ctx.Value(sqlStart{}).(time.Time); ok {
		l.line("BE\t%d\t%d\t%v", c.PgConn().PID(), l.now().Sub(t).Microseconds(), d.Err)
	}
}
