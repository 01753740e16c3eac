package graph

import (
	"context"
	"reflect"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"cogov/internal/access"
)

// One time zone per answer: a DateTime is written with the offset of the
// sub-district its object belongs to. The field being written is walked up
// to the nearest object that says where it is — a TimeZone of its own (a
// sub-district, a venue) or a SubdistrictID — and the sub-district's zone
// comes through the request's loader. Values of no sub-district (a session's
// expiry) take the zone of the viewer's sub-district, or of the viewer a
// sign-in signs in.

var locations sync.Map // time-zone name → *time.Location

func location(name string) *time.Location {
	if name == "" {
		return nil
	}
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	locations.Store(name, l)
	return l
}

// zoneOf is the model.WithZones function of a response.
func zoneOf(ctx context.Context) *time.Location {
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		if fc.Parent == nil {
			break
		}
		if loc, found := zoneOfValue(ctx, fc.Parent.Result); found {
			return loc
		}
	}
	return viewerZone(ctx, access.From(ctx))
}

// viewerZone is the zone of the first sub-district the viewer holds a role in.
func viewerZone(ctx context.Context, v access.Viewer) *time.Location {
	for _, r := range v.Roles {
		if r.SubdistrictID != "" {
			return subdistrictZone(ctx, r.SubdistrictID)
		}
	}
	return nil
}

// zoneOfValue reads where an object is: found is false for values that do
// not say (lists, payloads, connections).
func zoneOfValue(ctx context.Context, v any) (*time.Location, bool) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return nil, false
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil, false
	}
	if f := rv.FieldByName("TimeZone"); f.IsValid() && f.Kind() == reflect.String && f.String() != "" {
		return location(f.String()), true
	}
	if f := rv.FieldByName("SubdistrictID"); f.IsValid() && f.Kind() == reflect.String && f.String() != "" {
		return subdistrictZone(ctx, f.String()), true
	}
	// A sign-in's payload: the zone of the viewer it signs in.
	if f := rv.FieldByName("Viewer"); f.IsValid() && f.Kind() == reflect.Pointer && !f.IsNil() {
		if v, ok := f.Interface().(*access.Viewer); ok {
			return viewerZone(ctx, *v), true
		}
	}
	return nil, false
}

// subdistrictZones caches each sub-district's zone for the process, so that
// writing a DateTime costs no statement after the first: a sub-district's
// zone all but never changes, and updateSubdistrict forgets it here. (Another
// replica may show the old offset until it restarts — the same instant.)
var subdistrictZones sync.Map // sub-district id → *time.Location

func subdistrictZone(ctx context.Context, id string) *time.Location {
	if l, ok := subdistrictZones.Load(id); ok {
		return l.(*time.Location)
	}
	l, ok := ctx.Value(loadersKey{}).(*Loaders)
	if !ok {
		return nil
	}
	sd, err := l.Subdistrict.Load(ctx, id)
	if err != nil {
		return nil
	}
	loc := location(sd.TimeZone)
	if loc != nil {
		subdistrictZones.Store(id, loc)
	}
	return loc
}

// forgetZone drops a sub-district's cached zone after its update.
func forgetZone(id string) { subdistrictZones.Delete(id) }
