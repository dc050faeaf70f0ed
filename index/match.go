package index

import (
	"context"
	"fmt"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"newsarchive/corpus"
)

// snapshot is the one Bleve snapshot of a read-only generation, with what
// is derived from it: the columns and the stored-record reader. All
// queries of the generation run on it, so document numbers agree.
type snapshot struct {
	reader  bleveindex.IndexReader
	stored  *storedReader
	columns *Columns
}

// openSnapshot takes the generation's snapshot and loads its columns.
func openSnapshot(ctx context.Context, idx interface {
	Advanced() (bleveindex.Index, error)
}) (*snapshot, error) {
	adv, err := idx.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	if _, ok := r.(*scorch.IndexSnapshot); !ok {
		r.Close()
		return nil, fmt.Errorf("index reader is a %T, not a scorch snapshot", r)
	}
	s := &snapshot{reader: r, stored: newStoredReader(r)}
	if s.columns, err = loadColumns(ctx, r, s.stored.docs()); err != nil {
		r.Close()
		return nil, err
	}
	return s, nil
}

// Columns returns the generation's in-memory columns.
func (x *Index) Columns() *Columns { return x.snap.columns }

// Match runs q over the generation and calls fn with the number of every
// matching document, in document order, and its score when score is true
// (BM25 on the word fields, see TextQuery; otherwise 0). A nil q matches
// every article with a score of 1.
//
// Match is the engine under search: it leaves to the caller what Bleve's
// collector would do (ranking, paging, facets), which the caller does on
// Columns.
func (x *Index) Match(ctx context.Context, q query.Query, score bool, fn func(doc uint32, score float64)) error {
	if q == nil {
		cols := x.snap.columns
		for d := range cols.Docs {
			if d%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			if cols.ID.First(d) != NoOrdinal {
				fn(d, 1)
			}
		}
		return nil
	}
	ctx = context.WithValue(ctx, search.GetScoringModelCallbackKey,
		search.GetScoringModelCallbackFn(func() string { return bleveindex.BM25Scoring }))
	ctx = search.ContextWithTermSearchersCounter(ctx)
	opts := search.SearcherOptions{}
	if !score {
		opts.Score = "none"
	}
	s, err := q.Searcher(ctx, x.snap.reader, x.Mapping(), opts)
	if err != nil {
		return fmt.Errorf("match: %w", err)
	}
	defer s.Close()
	sctx := &search.SearchContext{
		DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0),
		IndexReader:       x.snap.reader,
	}
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		d, err := s.Next(sctx)
		if err != nil {
			return fmt.Errorf("match: %w", err)
		}
		if d == nil {
			return nil
		}
		s := d.Score
		if !score {
			s = 0
		}
		fn(docNumber(d.IndexInternalID), s)
		sctx.DocumentMatchPool.Put(d)
	}
}

// RecordAt returns the stored record of document d.
func (x *Index) RecordAt(d uint32) (corpus.Article, error) {
	raw, ok := x.snap.stored.record(internalID(d), nil)
	if !ok {
		return corpus.Article{}, fmt.Errorf("%w: document %d", ErrNotFound, d)
	}
	return decodeRecord(raw)
}

// internalID is the scorch internal id of document number d.
func internalID(d uint32) bleveindex.IndexInternalID {
	id := make(bleveindex.IndexInternalID, 8)
	id[4], id[5], id[6], id[7] = byte(d>>24), byte(d>>16), byte(d>>8), byte(d)
	return id
}
