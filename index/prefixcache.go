package index

import (
	"context"
	"encoding/binary"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// A one-character run is a prefix lookup on an exact-recall field: the OR
// of the postings of every bigram starting with the character (hundreds
// for a common one) and of the character itself. A generation never
// changes, so the result is kept: the first query of a character builds
// its documents as a bitmap, later ones iterate it. It is what indexing
// every character alone would give (schema 4, 12 % more disk), paid once
// per character and generation instead. Only postings are kept, never a
// query's results.

// prefixCacheBudget bounds the bytes of bitmaps a generation keeps; past
// it, characters are looked up by prefix every time.
const prefixCacheBudget = 64 << 20

// prefixCache holds the documents of one-character runs per field.
type prefixCache struct {
	entries sync.Map // field + "\x00" + character → *prefixEntry
	bytes   atomic.Int64
}

type prefixEntry struct {
	once sync.Once
	docs *roaring.Bitmap // nil when building failed or the budget was spent
	// weight is the prefix searcher's Weight, which Bleve's disjunctions
	// fold into the query norm of the word scores beside it: the cached
	// searcher must report the same for scores to stay the same.
	weight float64
}

// prefixKey is the context key under which Match passes the generation's
// prefix cache to ExactPhraseQuery.
type prefixKey struct{}

// searcher returns a searcher of the documents whose field holds a term
// starting with run, building them on first use; nil when it cannot (the
// caller then looks the prefix up itself).
func (c *prefixCache) searcher(ctx context.Context, r bleveindex.IndexReader, field, run string) search.Searcher {
	e := c.entry(ctx, r, field, run)
	if e.docs == nil {
		return nil
	}
	return &bitmapSearcher{docs: e.docs, it: e.docs.Iterator(), weight: e.weight}
}

// docs returns the documents whose field holds a term starting with run,
// building them on first use; false when it cannot. The bitmap is shared:
// read only.
func (c *prefixCache) docs(ctx context.Context, r bleveindex.IndexReader, field, run string) (*roaring.Bitmap, bool) {
	e := c.entry(ctx, r, field, run)
	return e.docs, e.docs != nil
}

// entry returns the entry of run in field, built.
func (c *prefixCache) entry(ctx context.Context, r bleveindex.IndexReader, field, run string) *prefixEntry {
	v, _ := c.entries.LoadOrStore(field+"\x00"+run, &prefixEntry{})
	e := v.(*prefixEntry)
	e.once.Do(func() {
		if c.bytes.Load() > prefixCacheBudget {
			return
		}
		// The build serves every later query: a deadline of the first
		// must not cut it short.
		ctx := context.WithoutCancel(ctx)
		s, err := searcher.NewTermPrefixSearcher(ctx, r, run, field, 1, search.SearcherOptions{Score: "none"})
		if err != nil {
			return
		}
		defer s.Close()
		weight := s.Weight()
		sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0), IndexReader: r}
		bm := roaring.New()
		for {
			d, err := s.Next(sctx)
			if err != nil {
				return
			}
			if d == nil {
				break
			}
			bm.Add(docNumber(d.IndexInternalID))
			sctx.DocumentMatchPool.Put(d)
		}
		bm.RunOptimize()
		c.bytes.Add(int64(bm.GetSizeInBytes()))
		e.docs, e.weight = bm, weight
	})
	return e
}

// bitmapSearcher is a Bleve searcher over a bitmap of document numbers,
// without scores (the exact-recall candidates are unscored).
type bitmapSearcher struct {
	docs   *roaring.Bitmap
	it     roaring.IntPeekable
	weight float64
}

func (s *bitmapSearcher) match(ctx *search.SearchContext) *search.DocumentMatch {
	if !s.it.HasNext() {
		return nil
	}
	d := ctx.DocumentMatchPool.Get()
	d.IndexInternalID = binary.BigEndian.AppendUint64(d.IndexInternalID[:0], uint64(s.it.Next()))
	return d
}

// Next returns the next document.
func (s *bitmapSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	return s.match(ctx), nil
}

// Advance returns the first document at or after id.
func (s *bitmapSearcher) Advance(ctx *search.SearchContext, id bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	s.it.AdvanceIfNeeded(docNumber(id))
	return s.match(ctx), nil
}

// Close does nothing: the bitmap belongs to the cache.
func (s *bitmapSearcher) Close() error { return nil }

// Weight is the weight of the prefix searcher it stands for.
func (s *bitmapSearcher) Weight() float64 { return s.weight }

// SetQueryNorm does nothing: the searcher does not score.
func (s *bitmapSearcher) SetQueryNorm(float64) {}

// Count returns the number of documents.
func (s *bitmapSearcher) Count() uint64 { return s.docs.GetCardinality() }

// Min is 0: the searcher is not a disjunction.
func (s *bitmapSearcher) Min() int { return 0 }

// Size is an estimate of the searcher's own memory.
func (s *bitmapSearcher) Size() int { return 64 }

// DocumentMatchPoolSize is 1: one match is out at a time.
func (s *bitmapSearcher) DocumentMatchPoolSize() int { return 1 }
