package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"cogov/internal/access"
	"cogov/internal/pgtest"
	"cogov/internal/problem"
	"cogov/internal/store"
	"cogov/internal/structure"
)

// TestErrorsNameTheOperation checks, against a database, that what the store
// returns names the operation in front and still is what it was: a
// not-found is problem.ErrNotFound and a refused write its problem.List.
func TestErrorsNameTheOperation(t *testing.T) {
	db := pgtest.New(t, pgtest.Options{})
	st := store.New(db.Pool, pgtest.Clock(t))
	ctx := access.With(context.Background(), access.System("test"))
	const missing = "7c3c1f9e-0000-4000-8000-000000000001"

	sd, err := st.CreateSubdistrict(ctx, structure.Subdistrict{Code: "wrapsd", Name: "包装街道", TimeZone: "Asia/Shanghai"})
	if err != nil {
		t.Fatal(err)
	}
	notFound := []struct {
		call func() error
		want string
	}{
		{func() error { _, err := st.Venue(ctx, missing); return err }, `store.Venue("` + missing + `"): not found`},
		{func() error { _, err := st.SubdistrictByCode(ctx, "nowhere"); return err }, `store.SubdistrictByCode("nowhere"): not found`},
		{func() error { _, err := st.Role(ctx, "not-a-uuid"); return err }, `store.Role("not-a-uuid"): not found`},
		{func() error { _, err := st.Account(ctx, missing); return err }, `store.Account("` + missing + `"): not found`},
		{func() error {
			_, err := st.UpdateCommunity(ctx, missing, func(*structure.Community) error { return nil })
			return err
		}, `store.UpdateCommunity("` + missing + `"): not found`},
	}
	for _, c := range notFound {
		err := c.call()
		if err == nil || err.Error() != c.want || !errors.Is(err, problem.ErrNotFound) {
			t.Errorf("got %v (errors.Is not found: %v), want %q", err, errors.Is(err, problem.ErrNotFound), c.want)
		}
	}

	_, err = st.CreateSubdistrict(ctx, structure.Subdistrict{Code: "wrapsd", Name: "又一个", TimeZone: "Asia/Shanghai"})
	if !problem.Has(err, problem.AlreadyExists) || !strings.HasPrefix(err.Error(), "store.CreateSubdistrict: ") {
		t.Errorf("a second sub-district with the same code: %v", err)
	}
	_, err = st.UpdateSubdistrict(ctx, sd.ID, func(*structure.Subdistrict) error {
		return problem.New(problem.Forbidden, "no", "id")
	})
	if l, ok := problem.As(err); !ok || len(l) != 1 || l[0].Code != problem.Forbidden || l[0].Message != "no" ||
		!strings.HasPrefix(err.Error(), `store.UpdateSubdistrict("`+sd.ID+`"): `) {
		t.Errorf("a refusal of apply: %v", err)
	}
}
