package search_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"

	"newsarchive/index"
	"newsarchive/search"
	"newsarchive/search/searchtest"
)

// TestOrderAgreesWithBleve checks the search's own collection (parallel
// parts, in-memory columns) against Bleve's collector on the same query:
// the same hits in the same order with the same scores, two pages deep.
func TestOrderAgreesWithBleve(t *testing.T) {
	fx := searchtest.Get(t)
	idx := fx.Searcher.Index
	byID := &bsearch.SortField{Field: index.FieldID, Type: bsearch.SortFieldAsString}
	for _, c := range []struct {
		sort  string
		order bsearch.SortOrder
	}{
		{search.SortRelevance, bsearch.SortOrder{&bsearch.SortScore{Desc: true}, byID}},
		{search.SortNewest, bsearch.SortOrder{&bsearch.SortField{Field: index.FieldDate, Type: bsearch.SortFieldAsDate, Desc: true, Missing: bsearch.SortFieldMissingLast}, byID}},
		{search.SortOldest, bsearch.SortOrder{&bsearch.SortField{Field: index.FieldDate, Type: bsearch.SortFieldAsDate, Missing: bsearch.SortFieldMissingLast}, byID}},
	} {
		for _, q := range []string{"经济", "高质量发展", "县"} {
			req := bleve.NewSearchRequestOptions(index.TextQuery(q, index.ScopeAll), 120, 0, false)
			req.SortByCustom(c.order)
			want, err := idx.Search(req)
			if err != nil {
				t.Fatal(err)
			}
			var got []search.Hit
			var total uint64
			for page := 1; page <= 2; page++ {
				res, err := fx.Searcher.Search(context.Background(), search.Request{Query: q, Sort: c.sort, Size: 60, Page: page})
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, res.Hits...)
				total = res.Total
			}
			if total != want.Total || len(got) != len(want.Hits) || len(got) == 0 {
				t.Errorf("%s sort=%s: %d hits of %d, Bleve %d of %d", q, c.sort, len(got), total, len(want.Hits), want.Total)
				continue
			}
			for i, h := range want.Hits {
				if got[i].ID != h.ID {
					t.Errorf("%s sort=%s: hit %d is %s, Bleve's %s", q, c.sort, i, got[i].ID, h.ID)
					break
				}
				if c.sort == search.SortRelevance && math.Abs(got[i].Score-h.Score) > 1e-9*h.Score {
					t.Errorf("%s: hit %d scores %v, Bleve %v", q, i, got[i].Score, h.Score)
					break
				}
			}
		}
	}
}

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
