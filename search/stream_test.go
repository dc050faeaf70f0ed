package search_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"newsarchive/search"
	"newsarchive/search/searchtest"
)

// TestStreamPagesAsOnePass reads requests through Stream a few hits per
// engine request and compares them with one pass of Each: the same hits
// in the same order, each once, for every order; the total is the
// search's; a limit stops it; a bad request fails before any hit.
func TestStreamPagesAsOnePass(t *testing.T) {
	fx := searchtest.Get(t)
	s := fx.Searcher
	ctx := context.Background()
	for _, r := range []search.Request{
		{},
		{Sort: search.SortOldest},
		{Query: "的"},
		{Query: `"县"`, Sort: search.SortNewest},
		{Query: "经济", Counties: []string{"伊通"}},
	} {
		var want []string
		if err := s.Each(ctx, r, 1<<30, func(h search.Hit) error { want = append(want, h.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		for _, page := range []int{1, 3, 100, 0} {
			st, err := s.Stream(ctx, r, page)
			if err != nil {
				t.Fatal(err)
			}
			if st.Total() != uint64(len(want)) {
				t.Errorf("%+v page %d: total %d, want %d", r, page, st.Total(), len(want))
			}
			var got []string
			if err := st.Each(ctx, 0, func(h search.Hit) error { got = append(got, h.ID); return nil }); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%+v page %d: %d hits, want the %d of one pass in its order", r, page, len(got), len(want))
			}
		}
		if len(want) > 5 {
			st, _ := s.Stream(ctx, r, 2)
			var got []string
			st.Each(ctx, 5, func(h search.Hit) error { got = append(got, h.ID); return nil })
			if !slices.Equal(got, want[:5]) {
				t.Errorf("%+v limit 5: %v, want %v", r, got, want[:5])
			}
		}
	}
	if _, err := s.Stream(ctx, search.Request{Query: `"县`}, 10); !errors.Is(err, search.ErrBadRequest) {
		t.Errorf("unclosed quote: %v, want a bad request", err)
	}
	stop := errors.New("stop")
	st, _ := s.Stream(ctx, search.Request{}, 4)
	n := 0
	if err := st.Each(ctx, 0, func(search.Hit) error {
		n++
		if n == 6 {
			return stop
		}
		return nil
	}); !errors.Is(err, stop) || n != 6 {
		t.Errorf("an error from fn: %v after %d hits", err, n)
	}
}
