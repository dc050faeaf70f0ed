package index

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"

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
	// columnsFromFile tells the columns were read from the generation's
	// columns file, not from the index.
	columnsFromFile bool
	// bm25 are the BM25 statistics of the word fields' true lengths (nil
	// for a generation written without them: Bleve's own).
	bm25 *search.BM25Stats

	prefixes   prefixCache                        // one-character runs' documents
	runs       runCache                           // long runs' verified documents
	impacts    keptCache[impactKey, []float32]    // words' block-maxima (blockmax.go)
	words      keptCache[wordKey, *wordPostings]  // common words' decoded postings (wordcache.go)
	records    keptCache[uint32, *corpus.Article] // recent hits' records, decoded
	text       atomic.Pointer[foldedText]         // nil until loaded
	stopText   context.CancelFunc
	textLoaded chan struct{} // closed when the loader is done
	// users is read-locked by every read (enter/exit), so that close
	// frees the folded text and the segments only when no query reads
	// them; closed is set under its write lock.
	users  sync.RWMutex
	closed bool
}

// openSnapshot takes the snapshot of generation gen and loads its columns
// (from its columns file when it has one).
// With foldText it starts loading the folded text in the background.
func openSnapshot(ctx context.Context, idx interface {
	Advanced() (bleveindex.Index, error)
}, gen string, foldText bool) (*snapshot, error) {
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
	if s.bm25, err = loadBM25Stats(r); err != nil {
		r.Close()
		return nil, err
	}
	if s.columns, s.columnsFromFile, err = openColumns(ctx, gen, r, s.stored); err != nil {
		r.Close()
		return nil, err
	}
	s.textLoaded = make(chan struct{})
	if !foldText {
		close(s.textLoaded)
		return s, nil
	}
	textCtx, cancel := context.WithCancel(context.Background())
	s.stopText = cancel
	go func() {
		defer close(s.textLoaded)
		var err error
		defer catchFault(debug.SetPanicOnFault(true), &err) // a damaged segment: no folded text, queries verify on the records
		if t := loadFoldedText(textCtx, s.stored, s.columns); t != nil {
			s.text.Store(t)
		}
	}()
	return s, nil
}

// close stops the text loader and releases the snapshot.
func (s *snapshot) close() error {
	if s.stopText != nil {
		s.stopText()
	}
	<-s.textLoaded
	s.users.Lock()
	defer s.users.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if t := s.text.Swap(nil); t != nil {
		t.free()
	}
	return s.reader.Close()
}

// textKey is the context key under which Match passes the generation's
// folded text to ExactPhraseQuery's verifier.
type textKey struct{}

// WaitFoldedText waits until the folded text the exact-query verifier
// reads is loaded (or the generation opened without it), or ctx is done.
func (x *Index) WaitFoldedText(ctx context.Context) error {
	select {
	case <-x.snap.textLoaded:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Columns returns the generation's in-memory columns.
func (x *Index) Columns() *Columns { return x.snap.columns }

// MinDocsPerPart is the fewest documents Match gives each of its parallel
// parts; smaller generations are matched by one goroutine.
const MinDocsPerPart = 16_384

// Parts returns the number of parallel parts Match uses: one per CPU, or
// fewer for a small generation; MatchParts overrides it.
func (x *Index) Parts() int {
	if x.MatchParts > 0 {
		return x.MatchParts
	}
	return max(1, min(runtime.GOMAXPROCS(0), int(x.snap.columns.Docs)/MinDocsPerPart))
}

// Match runs q over the generation and calls fn with the number of every
// matching document and its score when score is true (BM25 on the word
// fields, see TextQuery; otherwise 0). A nil q matches every article with
// a score of 1.
//
// The documents are cut into Parts() ranges of document numbers, matched
// in parallel. A query made of the archive's usual nodes is evaluated a
// node at a time over each range (vecmatch.go), with Bleve's scores;
// any other (or every one, with SearcherMatch) by its own Bleve searcher
// advanced to the start of the range. fn is called concurrently from one
// goroutine per part, with the part's number, and in document order
// within a part.
//
// Match is the engine under search: it leaves to the caller what Bleve's
// collector would do (ranking, paging, facets), which the caller does on
// Columns.
//
// Match on a closed generation returns ErrClosed; a memory fault in a
// damaged segment file returns ErrDamaged.
func (x *Index) Match(ctx context.Context, q query.Query, score bool, fn func(part int, doc uint32, score float64)) error {
	return x.matchBatches(ctx, q, score, func(b *matchBatch) {
		for k, d := range b.docs {
			if b.scores != nil {
				fn(b.part, d, b.scores[k])
			} else {
				fn(b.part, d, 0)
			}
		}
	})
}

// batchSize is the number of documents a searcher's matches are handed
// on in.
const batchSize = 1024

// matchBatch is some of a part's matches, in increasing document order,
// with their scores (nil without scores).
type matchBatch struct {
	part   int
	lo, hi uint32 // the part's documents are numbered in [lo, hi)
	docs   []uint32
	scores []float64
	// whole is true when docs are all of the part's matches.
	whole bool
	// passing is true when the match is every live document of the
	// part and docs are those of them that the request's one filter
	// keeps (passingBatches).
	passing bool
}

// inParts runs fn on every part of the generation's documents at once,
// each a range [lo, hi) of document numbers, within the snapshot, and
// returns their errors joined.
func (x *Index) inParts(fn func(part int, lo, hi uint32) error) error {
	return x.inNParts(x.Parts(), fn)
}

// inNParts is inParts with the number of parts given.
func (x *Index) inNParts(parts int, fn func(part int, lo, hi uint32) error) error {
	if err := x.snap.enter(); err != nil {
		return err
	}
	defer x.snap.exit()
	docs := x.snap.columns.Docs
	bound := func(part int) uint32 { return uint32(uint64(docs) * uint64(part) / uint64(parts)) }
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for part := range parts {
		wg.Go(func() { errs[part] = fn(part, bound(part), bound(part+1)) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// passingBatches hands on, for no query and the one value filter f, each
// part's live documents that f keeps, with a score of 1 as matchBatches
// gives every document of no query.
func (x *Index) passingBatches(ctx context.Context, f *filter, fn func(*matchBatch)) error {
	return x.inParts(func(part int, lo, hi uint32) error {
		b := matchBatch{part: part, lo: lo, hi: hi, whole: true, passing: true}
		b.docs = f.passing(x.snap.columns, lo, hi, getDocs())
		b.scores = getScores()
		for range b.docs {
			b.scores = append(b.scores, 1)
		}
		defer (&vres{docs: b.docs, scores: b.scores}).release()
		fn(&b)
		return ctx.Err()
	})
}

// matchBatches is Match handing on the matches in batches, valid until fn
// returns: every match of a part at once (whole) where the query is
// evaluated a node at a time or is nil, else batches of batchSize.
func (x *Index) matchBatches(ctx context.Context, q query.Query, score bool, fn func(*matchBatch)) error {
	run := func(part int, lo, hi uint32) error {
		b := batcher{batch: matchBatch{part: part, lo: lo, hi: hi}, fn: fn}
		err := x.matchRange(ctx, q, score, lo, hi, b.add)
		b.done()
		return err
	}
	switch {
	case q == nil:
		run = func(part int, lo, hi uint32) error {
			b := matchBatch{part: part, lo: lo, hi: hi, docs: getDocs(), whole: true}
			defer func() { (&vres{docs: b.docs}).release() }()
			id := x.snap.columns.ID
			for d := lo; d < hi; d++ {
				if id.First(d) != NoOrdinal {
					b.docs = append(b.docs, d)
				}
			}
			b.scores = getScores()
			for range b.docs {
				b.scores = append(b.scores, 1)
			}
			defer func() { (&vres{scores: b.scores}).release() }()
			fn(&b)
			return ctx.Err()
		}
	case !x.SearcherMatch && vectorizable(q):
		vctx, norm, err := x.vecContext(ctx, q, score)
		if err != nil {
			return err
		}
		run = func(part int, lo, hi uint32) (err error) {
			defer catchFault(debug.SetPanicOnFault(true), &err)
			e := x.newVecEval(search.ContextWithTermSearchersCounter(vctx), lo, hi, score, norm)
			r, err := e.eval(q, nil)
			if err != nil {
				return err
			}
			defer r.release()
			if err := ctx.Err(); err != nil {
				return err
			}
			fn(&matchBatch{part: part, lo: lo, hi: hi, docs: r.docs, scores: r.scores, whole: true})
			return nil
		}
	}
	return x.inParts(run)
}

// vecContext is the context and the query norm a node-at-a-time
// evaluation of q runs with, taken within the snapshot (the parts enter
// it again, not nested).
func (x *Index) vecContext(ctx context.Context, q query.Query, score bool) (context.Context, vnorm, error) {
	if err := x.snap.enter(); err != nil {
		return nil, vnorm{}, err
	}
	defer x.snap.exit()
	vctx := x.matchContext(ctx)
	if !score {
		return vctx, vnorm{}, nil
	}
	norm, err := x.queryNorm(search.ContextWithTermSearchersCounter(vctx), q)
	if err != nil {
		return nil, vnorm{}, fmt.Errorf("match: %w", err)
	}
	return vctx, norm, nil
}

// topByBlocks scores, in each part, the matches of kept[part] that could
// reach a page of hits (blockmax.go), handing each scored set to offer,
// which returns the part's worst hit's score so far (-Inf while its page
// is not full). It returns the number of matches left unscored.
func (x *Index) topByBlocks(ctx context.Context, q query.Query, kept [][]uint32, hits int, offer func(part int, r vres) float64) (uint64, error) {
	vctx, norm, err := x.vecContext(ctx, q, true)
	if err != nil {
		return 0, err
	}
	var unscored atomic.Uint64
	err = x.inNParts(len(kept), func(part int, lo, hi uint32) (err error) {
		defer catchFault(debug.SetPanicOnFault(true), &err)
		e := x.newVecEval(search.ContextWithTermSearchersCounter(vctx), lo, hi, true, norm)
		n, err := e.topByBlocks(q, kept[part], hits, func(r vres) float64 { return offer(part, r) })
		unscored.Add(uint64(n))
		return err
	})
	return unscored.Load(), err
}

// batcher gathers matches into batches.
type batcher struct {
	batch matchBatch
	fn    func(*matchBatch)
}

func (b *batcher) add(d uint32, s float64) {
	if b.batch.docs == nil {
		b.batch.docs, b.batch.scores = make([]uint32, 0, batchSize), make([]float64, 0, batchSize)
	}
	b.batch.docs, b.batch.scores = append(b.batch.docs, d), append(b.batch.scores, s)
	if len(b.batch.docs) == batchSize {
		b.done()
	}
}

// done hands on what is gathered.
func (b *batcher) done() {
	if len(b.batch.docs) > 0 {
		b.fn(&b.batch)
	}
	b.batch.docs, b.batch.scores = b.batch.docs[:0], b.batch.scores[:0]
}

// matchContext is ctx with what the query's searchers read: the scoring
// model, the generation's BM25 statistics, its folded text and its prefix
// cache.
func (x *Index) matchContext(ctx context.Context) context.Context {
	ctx = context.WithValue(ctx, search.GetScoringModelCallbackKey,
		search.GetScoringModelCallbackFn(func() string { return bleveindex.BM25Scoring }))
	ctx = x.scoring(ctx)
	if t := x.snap.text.Load(); t != nil {
		ctx = context.WithValue(ctx, textKey{}, t)
	}
	return context.WithValue(ctx, prefixKey{}, &x.snap.prefixes)
}

// matchRange is Match by Bleve's searcher over the documents numbered in
// [lo, hi) (q is not nil: matchBatches lists a nil q's documents itself).
func (x *Index) matchRange(ctx context.Context, q query.Query, score bool, lo, hi uint32, fn func(doc uint32, score float64)) (err error) {
	defer catchFault(debug.SetPanicOnFault(true), &err)
	ctx = search.ContextWithTermSearchersCounter(x.matchContext(ctx))
	opts := search.SearcherOptions{}
	if !score {
		opts.Score = "none"
	}
	s, err := q.Searcher(ctx, x.snap.reader, x.bleve.Mapping(), opts)
	if err != nil {
		return fmt.Errorf("match: %w", err)
	}
	defer s.Close()
	sctx := &search.SearchContext{
		DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0),
		IndexReader:       x.snap.reader,
	}
	var d *search.DocumentMatch
	if lo > 0 {
		d, err = s.Advance(sctx, internalID(lo))
	} else {
		d, err = s.Next(sctx)
	}
	for n := 1; ; n++ {
		if err != nil {
			return fmt.Errorf("match: %w", err)
		}
		if d == nil {
			return nil
		}
		doc := docNumber(d.IndexInternalID)
		if doc >= hi {
			return nil
		}
		if score {
			fn(doc, d.Score)
		} else {
			fn(doc, 0)
		}
		sctx.DocumentMatchPool.Put(d)
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		d, err = s.Next(sctx)
	}
}

// RecordAt returns the stored record of document d (kept decoded for the
// next pages); ErrClosed once the generation is closed.
func (x *Index) RecordAt(d uint32) (corpus.Article, error) { return x.recordAt(d, true) }

// recordAt reads the record of document d; with keep, it keeps it decoded
// (an export's pass over many records keeps none, so as not to push the
// pages' records out).
func (x *Index) recordAt(d uint32, keep bool) (a corpus.Article, err error) {
	if err := x.snap.enter(); err != nil {
		return a, err
	}
	defer x.snap.exit()
	defer catchFault(debug.SetPanicOnFault(true), &err)
	read := func() (*corpus.Article, int, error) {
		raw, ok := x.snap.stored.record(internalID(d), nil)
		if !ok {
			return nil, 0, fmt.Errorf("%w: document %d", ErrNotFound, d)
		}
		a, err := decodeRecordJSON(raw)
		if err != nil {
			return nil, 0, err
		}
		return &a, 256 + len(raw), nil
	}
	if !keep {
		if kept, ok := x.snap.records.peek(d); ok {
			return cloneArticle(kept), nil
		}
		r, _, err := read()
		if err != nil {
			return corpus.Article{}, err
		}
		return *r, nil
	}
	var rerr error
	kept, ok := x.snap.records.get(d, recordCacheBudget, recordCacheEntries, func() (*corpus.Article, int, bool) {
		r, size, err := read()
		rerr = err
		return r, size, err == nil
	})
	if !ok {
		if rerr == nil { // a concurrent call's build failed: its error again
			_, _, rerr = read()
		}
		if rerr == nil {
			rerr = fmt.Errorf("%w: document %d", ErrNotFound, d)
		}
		return corpus.Article{}, rerr
	}
	return cloneArticle(kept), nil
}

// A page of hits decodes its records (zstd, then JSON: a fifth of a
// query's time at 200,000 articles); the records of recent pages are kept
// decoded, as Solr's document cache keeps stored documents. The kept
// record is never handed out: each caller gets its own copy.

// recordCacheBudget bounds the bytes of a generation's kept records (as
// their JSON).
const recordCacheBudget = 32 << 20

// recordCacheEntries bounds their number.
const recordCacheEntries = 8192

// cloneArticle is a copy of a that shares no slice with it.
func cloneArticle(a *corpus.Article) corpus.Article {
	c := *a
	c.Authors = slices.Clone(a.Authors)
	c.Counties = slices.Clone(a.Counties)
	c.Places = slices.Clone(a.Places)
	c.Topics = slices.Clone(a.Topics)
	c.Aliases = slices.Clone(a.Aliases)
	return c
}

// internalID is the scorch internal id of document number d.
func internalID(d uint32) bleveindex.IndexInternalID {
	id := make(bleveindex.IndexInternalID, 8)
	id[4], id[5], id[6], id[7] = byte(d>>24), byte(d>>16), byte(d>>8), byte(d)
	return id
}
