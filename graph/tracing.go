package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// tracing is the handler extension that opens an OpenTelemetry span for
// each operation (named by the operation) and one for each of its root
// fields; the store's pgx tracer (store.Tracer) adds the statements below
// them. Only with Options.Tracer set, which the server does only when
// OTEL_EXPORTER_OTLP_ENDPOINT is.
type tracing struct{ tracer trace.Tracer }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
	graphql.RootFieldInterceptor
} = tracing{}

func (tracing) ExtensionName() string                   { return "Tracing" }
func (tracing) Validate(graphql.ExecutableSchema) error { return nil }

func (t tracing) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	rc := graphql.GetOperationContext(ctx)
	name, typ := rc.OperationName, ""
	if rc.Operation != nil {
		typ = string(rc.Operation.Operation)
		if name == "" {
			name = rc.Operation.Name
		}
	}
	ctx, span := t.tracer.Start(ctx, "graphql "+typ+" "+name, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attribute.String("graphql.operation.name", name), attribute.String("graphql.operation.type", typ)))
	defer span.End()
	resp := next(ctx)
	if resp != nil && len(resp.Errors) > 0 {
		span.SetStatus(codes.Error, resp.Errors[0].Message)
	}
	return resp
}

func (t tracing) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fc := graphql.GetRootFieldContext(ctx)
	typ := "Query"
	if fc.Field.ObjectDefinition != nil {
		typ = fc.Field.ObjectDefinition.Name
	}
	ctx, span := t.tracer.Start(ctx, "graphql field "+typ+"."+fc.Field.Name)
	defer span.End()
	return next(ctx)
}
