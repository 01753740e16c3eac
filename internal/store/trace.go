package store

import (
	"context"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Tracer returns a pgx tracer that records each statement, and each batch,
// as an OpenTelemetry span under the request's span (the statement's text,
// never its arguments). Set it as the pool's ConnConfig.Tracer.
func Tracer(tp trace.TracerProvider) pgx.QueryTracer {
	return pgxTracer{tp.Tracer("cogov/internal/store")}
}

type pgxTracer struct{ t trace.Tracer }

var _ pgx.BatchTracer = pgxTracer{}

func (p pgxTracer) start(ctx context.Context, name, sql string) context.Context {
	ctx, _ = p.t.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system", "postgresql"), attribute.String("db.statement", sql)))
	return ctx
}

func end(ctx context.Context, err error) {
	span := trace.SpanFromContext(ctx)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "statement failed")
	}
	span.End()
}

func (p pgxTracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	return p.start(ctx, "postgresql query", d.SQL)
}
func (pgxTracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryEndData) {
	end(ctx, d.Err)
}
func (p pgxTracer) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return p.start(ctx, "postgresql batch", "")
}
func (pgxTracer) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	trace.SpanFromContext(ctx).AddEvent("statement", trace.WithAttributes(attribute.String("db.statement", d.SQL)))
}
func (pgxTracer) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchEndData) {
	end(ctx, d.Err)
}
