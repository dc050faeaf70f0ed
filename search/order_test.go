package search_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"newsarchive/search"
	"newsarchive/search/searchtest"
)

// TestCursorFromAnotherGeneration checks a cursor whose article is not in
// the index (it was made before a reindex removed it): the next page
// starts at the first hit after its place in the order.
func TestCursorFromAnotherGeneration(t *testing.T) {
	fx := searchtest.Get(t)
	r := search.Request{Query: "经济", Sort: search.SortNewest, Size: 5}
	every := all(t, fx.Searcher, r)
	if len(every) < 50 {
		t.Fatalf("only %d hits", len(every))
	}
	for _, k := range []int{0, 17, len(every) - 2} {
		a, err := fx.Searcher.Article(context.Background(), every[k], "")
		if err != nil {
			t.Fatal(err)
		}
		date, err := time.Parse("2006-01-02", a.Date)
		if err != nil {
			t.Fatal(err)
		}
		// An id just after hit k's, held by no article, in a cursor of
		// this request (its key taken from a real one).
		b, _ := json.Marshal(map[string]any{"s": search.SortNewest, "v": []string{date.Format(time.RFC3339Nano), every[k] + "\x00"}, "k": cursorKey(t, fx.Searcher, r)})
		rc := r
		rc.After = base64.RawURLEncoding.EncodeToString(b)
		res, err := fx.Searcher.Search(context.Background(), rc)
		if err != nil {
			t.Fatal(err)
		}
		want := every[k+1 : min(k+1+r.Size, len(every))]
		if got := ids(res.Hits); !slices.Equal(got, want) {
			t.Errorf("after a cursor just past hit %d: %v, want %v", k, got, want)
		}
	}
}
