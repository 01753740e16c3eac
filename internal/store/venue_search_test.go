package store_test

import (
	"context"
	"slices"
	"testing"

	"cogov/internal/store"
	"cogov/internal/testworld"
)

// TestVenueSearchPages pages through a search with an availability window
// (the order index path) one venue at a time, forwards and backwards, and
// checks that both walks give the order of one large page and its total.
func TestVenueSearchPages(t *testing.T) {
	t.Parallel()
	tw := testworld.NewTown(t)
	for range 5 {
		tw.Venue()
	}
	from, to := tw.Slot()
	f := store.VenueFilter{SubdistrictID: tw.SD, AvailableFrom: from, AvailableTo: to}
	ctx := context.Background()
	all, err := tw.Store.Venues(ctx, f, store.Page{First: 100})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, v := range all.Items {
		want = append(want, v.ID)
	}
	if len(want) < 5 || all.Total != len(want) || all.HasNext || all.HasPrev {
		t.Fatalf("one page: %d venues, total %d, next %v, prev %v", len(want), all.Total, all.HasNext, all.HasPrev)
	}
	var fwd, back []string
	for p := (store.Page{First: 1}); ; {
		c, err := tw.Store.Venues(ctx, f, p)
		if err != nil {
			t.Fatal(err)
		}
		fwd = append(fwd, c.Items[0].ID)
		if c.Total != len(want) || !c.HasNext {
			break
		}
		p = store.Page{First: 1, After: c.Cursors[0]}
	}
	for p := (store.Page{Last: 1}); ; {
		c, err := tw.Store.Venues(ctx, f, p)
		if err != nil {
			t.Fatal(err)
		}
		back = append(back, c.Items[0].ID)
		if !c.HasPrev {
			break
		}
		p = store.Page{Last: 1, Before: c.Cursors[0]}
	}
	slices.Reverse(back)
	if !slices.Equal(fwd, want) || !slices.Equal(back, want) {
		t.Errorf("pages one by one\nforwards  %v\nbackwards %v\nwant      %v", fwd, back, want)
	}
}
