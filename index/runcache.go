package index

import (
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// A run of three characters or more is not a term of the index: its
// candidates (the articles holding all its bigrams) are verified against
// the folded text, and the verifier counts its occurrences (up to three)
// in the head and the body for the score. A generation never changes, so
// what the verification finds is kept: the articles holding the run, with
// their counts, per part of the generation. It is the postings list the
// run would have if the index held every n-gram, built on first use and
// kept within a budget, the least recently used dropped first (Lucene's
// query cache keeps the documents of frequent filters per segment the
// same way). Only postings are kept, never a query's results: totals,
// facets, ranking and highlights are computed on every query.

// runCacheBudget bounds the bytes of a generation's kept runs.
const runCacheBudget = 64 << 20

// runCacheEntries bounds their number.
const runCacheEntries = 4096

// runKey names a run's postings in one part of the generation.
type runKey struct {
	run    string
	lo, hi uint32
}

// runPostings are the documents of a part holding a run, in increasing
// order, with the occurrences in the head (counts >> 2) and the body
// (counts & 3), each at most occurrenceCap.
type runPostings struct {
	docs   []uint32
	counts []uint8
}

// runCache is a generation's kept runs.
type runCache struct {
	keptCache[runKey, *runPostings]
}

// postings returns the postings of key, built by build on first use; false
// when they could not be built (the caller verifies itself).
func (c *runCache) postings(key runKey, build func() (docs []uint32, counts []uint8, ok bool)) (*runPostings, bool) {
	return c.get(key, runCacheBudget, runCacheEntries, func() (*runPostings, int, bool) {
		docs, counts, ok := build()
		return &runPostings{docs, counts}, 64 + len(docs)*5, ok
	})
}

// keptCache keeps what is built once per key, within a budget of bytes
// and of entries, the least recently used dropped first.
type keptCache[K comparable, V any] struct {
	mu    sync.Mutex
	lru   *simplelru.LRU[K, *keptEntry[V]]
	bytes int
	// budget is the bytes kept: the budget get is given, unless a test
	// set less first.
	budget int
}

// keptEntry is one kept value, built once.
type keptEntry[V any] struct {
	once  sync.Once
	v     V
	ok    bool        // built
	done  atomic.Bool // set once built: ok and v may be read
	added int         // the bytes counted for it
}

// get returns the value of key, built by build (which also gives its
// size in bytes) on first use, even when asked concurrently; false when
// it could not be built, which is forgotten.
func (c *keptCache[K, V]) get(key K, budget, entries int, build func() (V, int, bool)) (V, bool) {
	c.mu.Lock()
	if c.lru == nil {
		c.lru, _ = simplelru.NewLRU[K, *keptEntry[V]](entries, func(_ K, p *keptEntry[V]) {
			c.bytes -= p.added
		})
		if c.budget == 0 {
			c.budget = budget
		}
	}
	p, found := c.lru.Get(key)
	if !found {
		p = &keptEntry[V]{}
		c.lru.Add(key, p)
	}
	c.mu.Unlock()
	p.once.Do(func() {
		size := 0
		defer func() { // also when build panics (a damaged segment): forgotten then
			c.mu.Lock()
			defer c.mu.Unlock()
			defer p.done.Store(true)
			cur, kept := c.lru.Peek(key)
			if kept = kept && cur == p; !kept {
				return
			}
			if !p.ok {
				c.lru.Remove(key)
				return
			}
			p.added = size
			c.bytes += p.added
			for c.bytes > c.budget && c.lru.Len() > 1 {
				c.lru.RemoveOldest()
			}
		}()
		p.v, size, p.ok = build()
	})
	return p.v, p.ok
}

// peek returns the value of key when it is built and kept; it builds
// nothing and waits for nothing.
func (c *keptCache[K, V]) peek(key K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var zero V
	if c.lru == nil {
		return zero, false
	}
	p, found := c.lru.Get(key)
	if !found || !p.done.Load() || !p.ok {
		return zero, false
	}
	return p.v, true
}

// buildRun verifies run on the candidates (in increasing order, within
// one part) against the folded text: the documents holding it, with their
// capped counts in the head and the body.
func buildRun(t *foldedText, run []byte, cands *roaring.Bitmap, lo, hi uint32) ([]uint32, []uint8) {
	var docs []uint32
	var counts []uint8
	run = appendWide(nil, run)
	rare := t.rarest(run)
	it := cands.Iterator()
	it.AdvanceIfNeeded(lo)
	for it.HasNext() {
		d := it.Next()
		if d >= hi {
			break
		}
		h := countRun(t.head(d), run, rare, occurrenceCap)
		b := countRun(t.body(d), run, rare, occurrenceCap)
		if h+b == 0 {
			continue
		}
		docs = append(docs, d)
		counts = append(counts, uint8(h<<2|b))
	}
	return docs, counts
}
