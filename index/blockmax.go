package index

import (
	"cmp"
	"math"
	"slices"

	"github.com/blevesearch/bleve/v2/search/query"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// A search in relevance order without a cursor needs the scores of its
// page's hits only. Its matches are found without scores (bitmaps, no
// frequencies read: totals, facets and filters need no more), and only
// the matches that could reach the page are scored. For that, a part's
// documents are cut into blocks of impactBlock; each word keeps, per
// block, the most its postings there can weigh (the block-max of
// Ding and Suel's WAND), and a query's bound in a block is the sum of its
// leaves' (exact runs weigh at most a constant). The blocks are scored
// best bound first; once the page is full, a block whose bound is below
// the page's worst score cannot change it and is left unscored. The page
// is the one every match scored gives, ties included: a skipped match
// scores strictly less than each hit.
//
// A word's block-maxima are built on the first query of the word (one
// pass over its postings, as that query would read them anyway) and kept
// with the generation, within impactCacheBudget.

// impactBlock is the documents of a block (blockTuning.docs overrides
// it).
const impactBlock = 128

// blockTuning sets the blocks and rounds of topByBlocks for tests, whose
// indexes are too small for the defaults to skip anything; zero values
// are the defaults.
type blockTuning struct {
	docs       uint32 // documents per block
	firstRound int    // the documents of the first round
	always     bool   // prune every query with a bound, not only those worth it
}

// impactCacheBudget bounds the bytes of a generation's kept block-maxima
// (4 bytes per block: 31 KB per word and part at a million documents).
const impactCacheBudget = 48 << 20

// impactCacheEntries bounds their number.
const impactCacheEntries = 8192

// boundMargin is how much a bound is raised over its sum: the scores are
// summed in other orders, so rounding may put one an ulp or so above it.
const boundMargin = 1 + 1e-9

// impactKey names a word's block-maxima in one part: they depend on the
// field's statistics and the ranking's BM25 parameters, fixed for a
// generation but for tests.
type impactKey struct {
	field, term string
	rawTF       bool
	k1, b, avg  float64
	lo, hi      uint32
	block       uint32
}

// bound is an upper bound of a query's scores in each block of a part:
// c plus each word's weight times the most its postings weigh in the
// block, except for the documents of forced, which are scored whatever
// their block's bound (the matches of an optional clause with no bound:
// a bare word's byline term).
type bound struct {
	c      float64
	words  []wordBound
	forced []uint32 // increasing
}

// wordBound is a leaf's weight and, by block, the most its saturation
// (a word's, an exact run's) reaches there.
type wordBound struct {
	w    float64
	most []float32 // by block
}

// scale multiplies the bound by f.
func (b *bound) scale(f float64) {
	b.c *= f
	for i := range b.words {
		b.words[i].w *= f
	}
}

// boundable reports whether the scores of q have a bound: every leaf a
// word scored by the archive's BM25 or an exact run, combined by sums,
// conjunctions, disjunctions and boolean queries, except for optional
// clauses (of a sum, a disjunction, a should) of any kind, whose matches
// are scored apart when they are few.
func boundable(q query.Query) bool {
	optional := func(qs ...query.Query) bool {
		return !slices.ContainsFunc(qs, func(c query.Query) bool { return c != nil && vectorizable(c) && !boundable(c) && !leaf(c) })
	}
	all := func(qs []query.Query) bool {
		return !slices.ContainsFunc(qs, func(c query.Query) bool { return !boundable(c) })
	}
	switch q := q.(type) {
	case *SumQuery:
		return optional(q.Queries...)
	case *query.ConjunctionQuery:
		return all(q.Conjuncts)
	case *query.DisjunctionQuery:
		return optional(q.Disjuncts...)
	case *query.BooleanQuery:
		return q.Must != nil && boundable(q.Must) && optional(q.Should)
	case *wordTermQuery:
		return !q.bleveScoring()
	case *ExactPhraseQuery:
		return true
	}
	return false
}

// worthBounding reports whether pruning q's scoring can pay: whether q
// scores words over the matches of another clause (a boolean query's
// should, as a quoted string's words ranking its exact matches). A word's
// postings in zap are read in chunks of about a thousand, their
// frequencies decoded one after the other: skipping to scattered blocks
// costs about what reading them all does. So where a query's words are
// its matches (a bare word, words all required), scoring its few best
// blocks after finding its matches unscored costs more than scoring every
// match once (measured: docs/performance.md); where a should clause's
// words are far commoner than the matches (发展 beside "高质量发展"),
// scoring them only in the best blocks saves most of their reading.
func worthBounding(q query.Query) bool {
	some := func(qs ...query.Query) bool {
		return slices.ContainsFunc(qs, func(c query.Query) bool { return c != nil && worthBounding(c) })
	}
	switch q := q.(type) {
	case *SumQuery:
		return some(q.Queries...)
	case *query.ConjunctionQuery:
		return some(q.Conjuncts...)
	case *query.DisjunctionQuery:
		return some(q.Disjuncts...)
	case *query.BooleanQuery:
		return q.Should != nil || some(q.Must)
	}
	return false
}

// leaf reports whether q is a leaf the vector evaluation runs by its
// Bleve searcher (no bound of its own).
func leaf(q query.Query) bool {
	switch q.(type) {
	case *SumQuery, *query.ConjunctionQuery, *query.DisjunctionQuery, *query.BooleanQuery, *wordTermQuery, *ExactPhraseQuery:
		return false
	}
	return true
}

// maxForced is the most documents of a part scored apart, as the matches
// of optional clauses with no bound, for a page of hits.
func maxForced(hits int) int { return max(8*hits, 2048) }

// bound returns the bound of q in the part; false when q has none (or
// its optional clauses with no bound match too many documents). A sum, a
// conjunction and a boolean query score the sum of their clauses, a
// disjunction at most the sum (its coordination factor is at most 1); a
// must-not clause only removes.
func (e *vecEval) bound(q query.Query, hits int) (bound, bool, error) {
	var out bound
	bounded := 0 // clauses with a bound
	add := func(optional bool, qs ...query.Query) (bool, error) {
		for _, c := range qs {
			if c == nil {
				continue
			}
			if optional && !boundable(c) {
				// Scored apart: elsewhere it adds nothing.
				sub := *e
				sub.score = false
				r, err := sub.eval(c, nil)
				if err != nil {
					return false, err
				}
				out.forced = mergeUnion([]vres{{docs: out.forced}, r}, false, false, 1).docs
				r.release()
				if len(out.forced) > maxForced(hits) {
					return false, nil
				}
				continue
			}
			b, ok, err := e.bound(c, hits)
			if !ok || err != nil {
				return false, err
			}
			bounded++
			out.c += b.c
			out.words = append(out.words, b.words...)
			if len(b.forced) > 0 {
				out.forced = mergeUnion([]vres{{docs: out.forced}, {docs: b.forced}}, false, false, 1).docs
			}
		}
		return len(out.forced) <= maxForced(hits), nil
	}
	var ok bool
	var err error
	switch q := q.(type) {
	case *SumQuery:
		ok, err = add(true, q.Queries...)
	case *query.ConjunctionQuery:
		ok, err = add(false, q.Conjuncts...)
	case *query.DisjunctionQuery:
		// Outside the forced documents at most the clauses with a bound
		// match: the coordination factor is at most their share.
		if ok, err = add(true, q.Disjuncts...); ok && err == nil && bounded < len(q.Disjuncts) {
			out.scale(float64(bounded) / float64(len(q.Disjuncts)))
		}
	case *query.BooleanQuery:
		if ok, err = add(false, q.Must); ok && err == nil {
			ok, err = add(true, q.Should)
		}
	case *ExactPhraseQuery:
		lists, cached, err := e.runLists(q)
		if err != nil {
			return bound{}, false, err
		}
		if cached {
			// Each run's most in each block, from its counts.
			size := e.blockDocs()
			for i, p := range lists {
				most := make([]float32, blocks(e.lo, e.hi, size))
				rw := q.Weight * q.runWeight(q.Runs[i])
				for j, d := range p.docs {
					h, b := int(p.counts[j]>>2), int(p.counts[j]&3)
					if q.Scope == ScopeHead {
						b = 0
					}
					raise(most, (d-e.lo)/size, q.HeadBoost*saturate(h)+saturate(b))
				}
				out.words = append(out.words, wordBound{w: rw, most: most})
			}
			return out, true, nil
		}
		// A run scores its fields' boosts, or when verified their
		// occurrences saturated (counted up to occurrenceCap).
		per := 0.0
		for _, f := range q.fields() {
			per += f.boost
		}
		for _, run := range q.Runs {
			out.c += q.runWeight(run) * saturate(occurrenceCap) * per
		}
		ok = true
	case *wordTermQuery:
		if q.bleveScoring() {
			return bound{}, false, nil
		}
		sc, scored, err := newWordScorer(e.ctx, q, e.reader)
		if err != nil || !scored {
			return bound{}, false, err
		}
		if e.norm.set {
			sc.setQueryNorm(e.norm.value)
		}
		most, err := e.impacts(q, &sc)
		if err != nil {
			return bound{}, false, err
		}
		out.words = append(out.words, wordBound{w: sc.weight * sc.idfRest, most: most})
		ok = true
	}
	return out, ok, err
}

// impacts returns the most a posting of q's word weighs (its saturation,
// rounded up to a float32) in each block of the part, from the
// generation's cache or one pass over the postings.
func (e *vecEval) impacts(q *wordTermQuery, sc *wordScorer) ([]float32, error) {
	size := e.blockDocs()
	key := impactKey{q.Field, q.Term, sc.rawTF, sc.k1, sc.b, sc.avgLen, e.lo, e.hi, size}
	var berr error
	most, _ := e.x.snap.impacts.get(key, impactCacheBudget, impactCacheEntries, func() ([]float32, int, bool) {
		most := make([]float32, blocks(e.lo, e.hi, size))
		berr = e.postings(q.Field, q.Term, true, nil, func(d uint32, p segment.Posting) {
			raise(most, (d-e.lo)/size, sc.saturation(p.Frequency(), p.Norm()))
		})
		return most, 64 + 4*len(most), berr == nil
	})
	return most, berr
}

// raise makes most[k] at least f, rounded up to a float32.
func raise(most []float32, k uint32, f float64) {
	if v := math.Nextafter32(float32(f), float32(math.Inf(1))); v > most[k] {
		most[k] = v
	}
}

// blocks is the number of blocks of size documents of the part [lo, hi).
func blocks(lo, hi, size uint32) int { return int((hi - lo + size - 1) / size) }

// blockDocs is the documents of a block.
func (e *vecEval) blockDocs() uint32 {
	if n := e.x.blockTuning.docs; n > 0 {
		return n
	}
	return impactBlock
}

// topByBlocks scores the matches kept (the part's matches that pass the
// filters, increasing) that could reach a page of hits, best bound first,
// handing each scored set to offer, which returns the page's worst score
// so far (-Inf while the page is not full). It returns the number of
// matches left unscored.
func (e *vecEval) topByBlocks(q query.Query, kept []uint32, hits int, offer func(vres) float64) (int, error) {
	if len(kept) == 0 {
		return 0, nil // (a nil within is no restriction)
	}
	scoreAll := func() (int, error) {
		r, err := e.eval(q, kept)
		if err != nil {
			return 0, err
		}
		offer(r)
		r.release()
		return 0, nil
	}
	if len(kept) <= 2*hits {
		return scoreAll()
	}
	b, ok, err := e.bound(q, hits)
	if err != nil {
		return 0, err
	}
	if !ok {
		return scoreAll()
	}
	size := e.blockDocs()
	n := blocks(e.lo, e.hi, size)
	ub := make([]float64, n)
	for k := range ub {
		ub[k] = b.c
	}
	for _, w := range b.words {
		for k, m := range w.most {
			ub[k] += w.w * float64(m)
		}
	}
	count := make([]int32, n)
	for _, d := range kept {
		count[(d-e.lo)/size]++
	}
	var order []int
	for k, c := range count {
		if c > 0 {
			ub[k] *= boundMargin
			order = append(order, k)
		}
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(ub[b], ub[a]) })
	// Rounds of blocks, each scored as one set of documents: the first
	// some times a page, the next ones growing, each only of the blocks
	// whose bound reaches the page's worst score so far.
	round := make([]int32, n)
	worst := math.Inf(-1)
	budget := max(8*hits, 2048)
	if n := e.x.blockTuning.firstRound; n > 0 {
		budget = n
	}
	scored := 0
	for r, pos := int32(1), 0; pos < len(order) && ub[order[pos]] >= worst; r++ {
		taken := 0
		for ; pos < len(order) && ub[order[pos]] >= worst && taken < budget; pos++ {
			round[order[pos]] = r
			taken += int(count[order[pos]])
		}
		// The forced documents are scored in the first round, only then.
		within := getDocs()
		f := 0
		for _, d := range kept {
			f = gallop(b.forced, f, d)
			forced := f < len(b.forced) && b.forced[f] == d
			if forced && r == 1 || !forced && round[(d-e.lo)/size] == r {
				within = append(within, d)
			}
		}
		if len(within) > 0 { // (a nil within is no restriction)
			res, err := e.eval(q, within)
			scored += len(within)
			(&vres{docs: within}).release()
			if err != nil {
				return 0, err
			}
			worst = offer(res)
			res.release()
		}
		budget = min(budget*4, len(kept))
	}
	return len(kept) - scored, nil
}
