package search_test

import (
	"context"
	"math"
	"testing"

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
