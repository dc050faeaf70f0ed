package index

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"

	"newsarchive/engine"
)

// TestOrderAgreesWithBleve checks the engine's own collection (parallel
// parts, in-memory columns) against Bleve's collector on the same query:
// the same hits in the same order with the same scores, two pages deep.
func TestOrderAgreesWithBleve(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	linkTestCorpus(t, corpusDir, 20)
	update(t, corpusDir, indexDir, true)
	idx := openIndex(t, indexDir)
	idx.MatchParts = 3 // through the merging of parallel parts
	byID := &bsearch.SortField{Field: FieldID, Type: bsearch.SortFieldAsString}
	for _, c := range []struct {
		sort  string
		order bsearch.SortOrder
	}{
		{engine.SortRelevance, bsearch.SortOrder{&bsearch.SortScore{Desc: true}, byID}},
		{engine.SortNewest, bsearch.SortOrder{&bsearch.SortField{Field: FieldDate, Type: bsearch.SortFieldAsDate, Desc: true, Missing: bsearch.SortFieldMissingLast}, byID}},
		{engine.SortOldest, bsearch.SortOrder{&bsearch.SortField{Field: FieldDate, Type: bsearch.SortFieldAsDate, Missing: bsearch.SortFieldMissingLast}, byID}},
	} {
		for _, q := range []string{"经济", "高质量发展", "县"} {
			req := bleve.NewSearchRequestOptions(TextQuery(q, ScopeAll), 120, 0, false)
			req.SortByCustom(c.order)
			want, err := idx.searchBleve(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			var got []engine.Hit
			var total uint64
			for page := range 2 {
				res, err := idx.Search(context.Background(), &engine.Request{Query: engine.Text{Text: q}, Sort: c.sort, Offset: 60 * page, Size: 60})
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
				if got[i].Record.ID != h.ID {
					t.Errorf("%s sort=%s: hit %d is %s, Bleve's %s", q, c.sort, i, got[i].Record.ID, h.ID)
					break
				}
				if c.sort == engine.SortRelevance && math.Abs(got[i].Score-h.Score) > 1e-9*h.Score {
					t.Errorf("%s: hit %d scores %v, Bleve %v", q, i, got[i].Score, h.Score)
					break
				}
			}
		}
	}
}
