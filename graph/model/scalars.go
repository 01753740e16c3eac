// Package model holds the GraphQL models: the ones gqlgen generates and the
// scalars written here. Most object types bind straight to domain types.
package model

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// zonesKey carries, in a response's context, the function that says in
// which time zone a DateTime of the field being written is shown.
type zonesKey struct{}

// WithZones returns ctx with zoneOf, which tells for the field being written
// (graphql.GetFieldContext) the time zone of the sub-district its value
// belongs to, or nil to leave the instant as it is.
func WithZones(ctx context.Context, zoneOf func(ctx context.Context) *time.Location) context.Context {
	return context.WithValue(ctx, zonesKey{}, zoneOf)
}

// MarshalDateTime writes an instant in RFC 3339 with the offset of the
// sub-district it belongs to, so that one answer has one offset per
// sub-district (+08:00 for Houjiatang) whatever the instant was read as.
func MarshalDateTime(t time.Time) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(ctx context.Context, w io.Writer) error {
		if zoneOf, ok := ctx.Value(zonesKey{}).(func(context.Context) *time.Location); ok {
			if loc := zoneOf(ctx); loc != nil {
				t = t.In(loc)
			}
		}
		_, err := io.WriteString(w, strconv.Quote(t.Format(time.RFC3339)))
		return err
	})
}

// UnmarshalDateTime reads an instant in RFC 3339; an offset is required.
func UnmarshalDateTime(_ context.Context, v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, inputErr("DateTime must be a string in RFC 3339, e.g. 2026-12-01T10:00:00+08:00")
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, inputErr("DateTime %q is not RFC 3339 with an offset, e.g. 2026-12-01T10:00:00+08:00", s)
	}
	return t, nil
}

// MarshalDate writes a calendar day as YYYY-MM-DD.
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.Format(time.DateOnly)))
	})
}

// UnmarshalDate reads a calendar day written YYYY-MM-DD, as midnight UTC.
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, inputErr("Date must be a string YYYY-MM-DD")
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, inputErr("Date %q is not a day written YYYY-MM-DD", s)
	}
	return t, nil
}

// MarshalLocalTime writes minutes after midnight as HH:MM.
func MarshalLocalTime(m int) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(fmt.Sprintf("%02d:%02d", m/60, m%60)))
	})
}

// UnmarshalLocalTime reads HH:MM (00:00 to 24:00) as minutes after midnight.
func UnmarshalLocalTime(v any) (int, error) {
	s, ok := v.(string)
	if !ok || len(s) != 5 || s[2] != ':' {
		return 0, inputErr("LocalTime must be a string HH:MM")
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, inputErr("LocalTime %q is not a time HH:MM between 00:00 and 24:00", s)
	}
	return h*60 + m, nil
}

// Node is any object with a global id; the concrete types are domain types,
// so the interface asks nothing of them.
type Node any

// InputError is a mistake in a request's arguments that the client can fix;
// it reaches the client with extensions.code BAD_USER_INPUT.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

func inputErr(format string, args ...any) error {
	return &InputError{Msg: fmt.Sprintf(format, args...)}
}
