package structure

import (
	"context"

	"cogov/internal/page"
)

// Reads of the structure that the GraphQL adapter asks for outside its
// per-request loaders. The structure itself is public; who may see people is
// in visibility.go.

// SubdistrictByCode returns the sub-district with this code; problem.ErrNotFound when
// there is none.
func (s *Service) SubdistrictByCode(ctx context.Context, code string) (Subdistrict, error) {
	return s.store.SubdistrictByCode(ctx, code)
}

// Subdistricts lists the sub-districts by name.
func (s *Service) Subdistricts(ctx context.Context, p page.Page) (*page.Conn[Subdistrict], error) {
	return s.store.Subdistricts(ctx, p)
}
