package index

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bleveindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Match evaluates the common query shapes a node at a time instead of a
// document at a time: each node of the query (a word's postings, an exact
// run's candidates, a conjunction, a disjunction, a sum) yields the part's
// matching documents as one sorted list with their scores, and a parent
// combines its children's lists in one merge. Postings come straight from
// the segments (scores from their frequencies and norms, unscored
// candidates as the postings' own bitmaps) or, for common words, from
// their postings decoded once per generation (wordcache.go), with none of
// the per-match calls, allocations and bookkeeping of Bleve's generic
// searchers.
//
// The scores are Bleve's: each node scores as its Bleve searcher does
// (coordination factor of disjunctions, the query norm the outermost
// composite sets on every word, exact runs' constant boosts and the
// verifier's counts), and a node this file does not know is run by its
// own Bleve searcher, with the same norm. TestVectorMatchesSearchers
// checks documents and scores against the searchers on many queries.

// vres is a node's matches in a part: document numbers in increasing
// order and, when scored, their scores.
type vres struct {
	docs   []uint32
	scores []float64 // nil: unscored
}

// vbufs pools the lists of finished nodes.
var (
	vdocPool   = sync.Pool{New: func() any { return new([]uint32) }}
	vscorePool = sync.Pool{New: func() any { return new([]float64) }}
)

func getDocs() []uint32 { return (*vdocPool.Get().(*[]uint32))[:0] }
func getScores() []float64 {
	return (*vscorePool.Get().(*[]float64))[:0]
}

// release gives r's lists back to the pools.
func (r *vres) release() {
	if cap(r.docs) > 0 && cap(r.docs) <= 1<<22 {
		d := r.docs[:0]
		vdocPool.Put(&d)
	}
	if cap(r.scores) > 0 && cap(r.scores) <= 1<<22 {
		s := r.scores[:0]
		vscorePool.Put(&s)
	}
	r.docs, r.scores = nil, nil
}

// vnorm is the query norm the outermost composite searcher sets on every
// scored leaf; set is false when the query's searcher is not a composite
// (a leaf keeps its own weight then).
type vnorm struct {
	set   bool
	value float64
}

// queryNorm returns the norm Bleve's searcher of q would set, or ok false
// when q's searcher is of a kind the vector evaluation does not mirror.
func (x *Index) queryNorm(ctx context.Context, q query.Query) (vnorm, error) {
	s, err := q.Searcher(ctx, x.snap.reader, x.bleve.Mapping(), search.SearcherOptions{})
	if err != nil {
		return vnorm{}, err
	}
	defer s.Close()
	switch s.(type) {
	case *searcher.ConjunctionSearcher, *searcher.DisjunctionSliceSearcher, *searcher.DisjunctionHeapSearcher,
		*searcher.BooleanSearcher, *sumSearcher:
		return vnorm{set: true, value: 1 / math.Sqrt(s.Weight())}, nil
	}
	return vnorm{}, nil
}

// vectorizable reports whether q is made of nodes the vector evaluation
// knows, all the way down to its leaves, except for the leaves and
// subtrees it runs by their Bleve searchers.
func vectorizable(q query.Query) bool {
	switch q := q.(type) {
	case *SumQuery:
		return !slices.ContainsFunc(q.Queries, func(c query.Query) bool { return !vectorizable(c) })
	case *query.ConjunctionQuery:
		return !slices.ContainsFunc(q.Conjuncts, func(c query.Query) bool { return !vectorizable(c) })
	case *query.DisjunctionQuery:
		return !slices.ContainsFunc(q.Disjuncts, func(c query.Query) bool { return !vectorizable(c) })
	case *query.BooleanQuery:
		return q.Filter == nil && q.Must != nil && (q.Should == nil || shouldOptional(q.Should)) &&
			vectorizable(q.Must) && (q.Should == nil || vectorizable(q.Should)) && (q.MustNot == nil || vectorizable(q.MustNot))
	}
	return true // a leaf: ours, or run by its Bleve searcher
}

func shouldOptional(q query.Query) bool {
	d, ok := q.(*query.DisjunctionQuery)
	return ok && d.Min == 0
}

// vecEval evaluates a query over the documents numbered in [lo, hi).
type vecEval struct {
	x       *Index
	ctx     context.Context
	reader  bleveindex.IndexReader
	segs    []*scorch.SegmentSnapshot
	offsets []uint32
	dicts   map[string][]segment.TermDictionary
	lo, hi  uint32
	score   bool
	norm    vnorm
	dm      search.DocumentMatch // scratch for the verifier
	idBuf   [8]byte
}

func (x *Index) newVecEval(ctx context.Context, lo, hi uint32, score bool, norm vnorm) *vecEval {
	e := &vecEval{x: x, ctx: ctx, reader: x.snap.reader, lo: lo, hi: hi, score: score, norm: norm, dicts: map[string][]segment.TermDictionary{}}
	snap := x.snap.reader.(*scorch.IndexSnapshot)
	e.segs = snap.Segments()
	var off uint64
	for _, s := range e.segs {
		e.offsets = append(e.offsets, uint32(off))
		off += uint64(s.FullSize()) // deleted documents included: Count is the live ones
	}
	return e
}

func (e *vecEval) options() search.SearcherOptions {
	if e.score {
		return search.SearcherOptions{}
	}
	return search.SearcherOptions{Score: "none"}
}

// eval returns q's matches in the part; with within non-nil, only those
// among within's documents (a conjunction's matches so far: what the
// other clauses already ruled out need not be verified).
func (e *vecEval) eval(q query.Query, within []uint32) (vres, error) {
	if err := e.ctx.Err(); err != nil {
		return vres{}, err
	}
	switch q := q.(type) {
	case *SumQuery:
		if len(q.Queries) == 1 {
			return e.eval(q.Queries[0], within)
		}
		return e.union(q.Queries, false, 0, within)
	case *query.DisjunctionQuery:
		return e.union(q.Disjuncts, true, int(q.Min), within)
	case *query.ConjunctionQuery:
		if len(q.Conjuncts) == 0 {
			return vres{}, nil
		}
		return e.intersect(q.Conjuncts, within)
	case *query.BooleanQuery:
		return e.boolean(q, within)
	case *wordTermQuery:
		if q.bleveScoring() && e.score {
			return e.bleve(q, within)
		}
		return e.word(q, within)
	case *ExactPhraseQuery:
		return e.exact(q, within)
	}
	return e.bleve(q, within)
}

// estimate is an upper bound of q's matches in the generation, for the
// order of a conjunction's clauses (math.MaxUint64: unknown).
func (e *vecEval) estimate(q query.Query) uint64 {
	const unknown = math.MaxUint64
	sum := func(qs []query.Query) uint64 {
		var n uint64
		for _, c := range qs {
			m := e.estimate(c)
			if m == unknown || n+m < n {
				return unknown
			}
			n += m
		}
		return n
	}
	least := func(qs []query.Query) uint64 {
		n := uint64(unknown)
		for _, c := range qs {
			n = min(n, e.estimate(c))
		}
		return n
	}
	switch q := q.(type) {
	case *SumQuery:
		return sum(q.Queries)
	case *query.DisjunctionQuery:
		return sum(q.Disjuncts)
	case *query.ConjunctionQuery:
		return least(q.Conjuncts)
	case *query.BooleanQuery:
		return e.estimate(q.Must)
	case *wordTermQuery:
		return e.count(q.Field, q.Term)
	case *query.TermQuery:
		return e.count(q.FieldVal, q.Term)
	case *ExactPhraseQuery:
		var n uint64
		for _, f := range q.fields() {
			m := uint64(unknown)
			for _, run := range q.Runs {
				if r := []rune(run); len(r) >= 2 {
					m = min(m, e.count(f.name, string(r[:2])))
				}
			}
			if m == unknown {
				return unknown
			}
			n += m
		}
		return n
	}
	return unknown
}

// count is the number of live documents with term in field.
func (e *vecEval) count(field, term string) uint64 {
	ds, err := e.dictionaries(field)
	if err != nil {
		return math.MaxUint64
	}
	var n uint64
	for i, s := range e.segs {
		pl, err := ds[i].PostingsList([]byte(term), s.Deleted(), nil)
		if err != nil {
			return math.MaxUint64
		}
		n += pl.Count()
	}
	return n
}

// costly reports whether q verifies candidates against the text (a run of
// three characters or more, a proximity): a conjunction evaluates such
// clauses last, within what the others match.
func costly(q query.Query) bool {
	switch q := q.(type) {
	case *SumQuery:
		return slices.ContainsFunc(q.Queries, costly)
	case *query.ConjunctionQuery:
		return slices.ContainsFunc(q.Conjuncts, costly)
	case *query.DisjunctionQuery:
		return slices.ContainsFunc(q.Disjuncts, costly)
	case *query.BooleanQuery:
		return costly(q.Must) || (q.Should != nil && costly(q.Should)) || (q.MustNot != nil && costly(q.MustNot))
	case *wordTermQuery, *query.TermQuery, *query.MatchAllQuery, *query.MatchNoneQuery:
		return false
	case *ExactPhraseQuery:
		if q.unverified {
			return false
		}
		return slices.ContainsFunc(q.Runs, func(r string) bool { return utf8.RuneCountInString(r) > 2 })
	}
	return true
}

// children evaluates qs within within.
func (e *vecEval) children(qs []query.Query, within []uint32) ([]vres, error) {
	out := make([]vres, 0, len(qs))
	for _, c := range qs {
		r, err := e.eval(c, within)
		if err != nil {
			for i := range out {
				out[i].release()
			}
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// union merges the matches of qs: with coord, as a Bleve disjunction
// (the sum times the share of qs matching, at least min of them);
// otherwise the plain sum (SumQuery).
func (e *vecEval) union(qs []query.Query, coord bool, min int, within []uint32) (vres, error) {
	if len(qs) == 0 {
		return vres{}, nil
	}
	rs, err := e.children(qs, within)
	if err != nil {
		return vres{}, err
	}
	if len(rs) == 1 && min <= 1 {
		return rs[0], nil // a disjunction of one scores as its clause (coord 1/1)
	}
	// One clause matching nothing in the part (an author no article has):
	// the others' merge, and with one left, that clause scaled in place.
	if min <= 1 {
		live := rs[:0:0]
		for i := range rs {
			if len(rs[i].docs) > 0 {
				live = append(live, rs[i])
			} else {
				rs[i].release()
			}
		}
		if len(live) == 0 {
			return vres{}, nil
		}
		if len(live) == 1 {
			r := live[0]
			if e.score && coord {
				if r.scores == nil {
					r.scores = make([]float64, len(r.docs))
				}
				f := 1 / float64(len(rs))
				for k := range r.scores {
					r.scores[k] *= f
				}
			}
			return r, nil
		}
		if len(live) < len(rs) && !coord {
			rs = live // a sum ignores the empty ones; coord counts them
		} else if len(live) < len(rs) {
			for i := range rs {
				if len(rs[i].docs) == 0 {
					rs[i] = vres{}
				}
			}
		}
	}
	out := mergeUnion(rs, e.score, coord, max(min, 1))
	for i := range rs {
		rs[i].release()
	}
	return out, nil
}

// mergeUnion is the k-way merge of rs.
func mergeUnion(rs []vres, scored, coord bool, min int) vres {
	if len(rs) == 1 && min <= 1 && (!scored || !coord || rs[0].scores == nil) {
		out := vres{docs: append(getDocs(), rs[0].docs...)}
		if scored {
			if rs[0].scores == nil {
				out.scores = make([]float64, len(out.docs)) // unscored: 0
			} else {
				out.scores = append(getScores(), rs[0].scores...)
			}
		}
		return out
	}
	if len(rs) == 2 {
		return mergeTwo(rs[0], rs[1], scored, coord, min)
	}
	out := vres{docs: getDocs()}
	if scored {
		out.scores = getScores()
	}
	pos := make([]int, len(rs))
	n := float64(len(rs))
	for {
		next := uint32(math.MaxUint32)
		done := true
		for i, r := range rs {
			if pos[i] < len(r.docs) {
				done = false
				if d := r.docs[pos[i]]; d < next {
					next = d
				}
			}
		}
		if done {
			return out
		}
		count, sum := 0, 0.0
		for i, r := range rs {
			if pos[i] < len(r.docs) && r.docs[pos[i]] == next {
				count++
				if r.scores != nil {
					sum += r.scores[pos[i]]
				}
				pos[i]++
			}
		}
		if count < min {
			continue
		}
		out.docs = append(out.docs, next)
		if scored {
			if coord {
				sum *= float64(count) / n
			}
			out.scores = append(out.scores, sum)
		}
	}
}

// mergeTwo is mergeUnion of two lists.
func mergeTwo(a, b vres, scored, coord bool, min int) vres {
	out := vres{docs: getDocs()}
	if scored {
		out.scores = getScores()
	}
	if min > 2 {
		return out
	}
	n := len(a.docs) + len(b.docs)
	out.docs = slices.Grow(out.docs, n)
	if !scored {
		out.docs = unionDocs(out.docs, a.docs, b.docs, min <= 1)
		return out
	}
	out.scores = slices.Grow(out.scores, n)
	// A document in one list scores half its score with coord, one in
	// both the sum (coord 2/2). An unscored list scores 0.
	half := 1.0
	if coord {
		half = 0.5
	}
	ad, bd, as, bs := a.docs, b.docs, a.scores, b.scores
	one := min <= 1
	i, j := 0, 0
	for i < len(ad) && j < len(bd) {
		da, db := ad[i], bd[j]
		switch {
		case da < db:
			if one {
				out.docs = append(out.docs, da)
				out.scores = append(out.scores, scoreAt(as, i)*half)
			}
			i++
		case db < da:
			if one {
				out.docs = append(out.docs, db)
				out.scores = append(out.scores, scoreAt(bs, j)*half)
			}
			j++
		default:
			out.docs = append(out.docs, da)
			out.scores = append(out.scores, scoreAt(as, i)+scoreAt(bs, j))
			i++
			j++
		}
	}
	if one {
		out = appendHalf(out, ad[i:], as, i, half)
		out = appendHalf(out, bd[j:], bs, j, half)
	}
	return out
}

// scoreAt is scores[i], 0 for an unscored list.
func scoreAt(scores []float64, i int) float64 {
	if scores == nil {
		return 0
	}
	return scores[i]
}

// appendHalf appends docs (a list's tail from its from-th document) with
// their scores times half.
func appendHalf(out vres, docs []uint32, scores []float64, from int, half float64) vres {
	out.docs = append(out.docs, docs...)
	for k := range docs {
		out.scores = append(out.scores, scoreAt(scores, from+k)*half)
	}
	return out
}

// unionDocs appends to dst the documents of a or b (of both, without
// one), in increasing order.
func unionDocs(dst, a, b []uint32, one bool) []uint32 {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		da, db := a[i], b[j]
		switch {
		case da < db:
			if one {
				dst = append(dst, da)
			}
			i++
		case db < da:
			if one {
				dst = append(dst, db)
			}
			j++
		default:
			dst = append(dst, da)
			i++
			j++
		}
	}
	if one {
		dst = append(dst, a[i:]...)
		dst = append(dst, b[j:]...)
	}
	return dst
}

// intersect is a Bleve conjunction of qs: the documents all match, scored
// by the sum.
func (e *vecEval) intersect(qs []query.Query, within []uint32) (vres, error) {
	// The clauses that verify text go last, each within the matches of
	// those before it.
	rs := make([]vres, len(qs))
	fail := func(err error) (vres, error) {
		for i := range rs {
			rs[i].release()
		}
		return vres{}, err
	}
	var order []int
	for pass := range 2 {
		for i, c := range qs {
			if costly(c) == (pass == 1) {
				order = append(order, i)
			}
		}
	}
	// Among the clauses that do not verify, the rarest first.
	cheap := order[:0:0]
	for _, i := range order {
		if !costly(qs[i]) {
			cheap = append(cheap, i)
		}
	}
	if len(cheap) > 1 {
		est := make(map[int]uint64, len(cheap))
		for _, i := range cheap {
			est[i] = e.estimate(qs[i])
		}
		slices.SortStableFunc(order[:len(cheap)], func(a, b int) int { return cmp.Compare(est[a], est[b]) })
	}
	var cur []uint32 // the intersection so far (nil before the first)
	var owned vres
	defer func() { owned.release() }()
	for k, i := range order {
		lim := within
		if k > 0 {
			lim = cur
		}
		r, err := e.eval(qs[i], lim)
		if err != nil {
			return fail(err)
		}
		rs[i] = r
		if k == 0 {
			cur = r.docs
			continue
		}
		next := mergeIntersect([]vres{{docs: cur}, {docs: r.docs}}, false)
		owned.release()
		owned, cur = next, next.docs
	}
	out := mergeIntersect(rs, e.score)
	for i := range rs {
		rs[i].release()
	}
	return out, nil
}

// mergeIntersect intersects rs, summing the scores in the order of rs.
func mergeIntersect(rs []vres, scored bool) vres {
	out := vres{docs: getDocs()}
	if scored {
		out.scores = getScores()
	}
	if len(rs) == 0 {
		return out
	}
	// Lead with the shortest list; look the others up by galloping.
	lead := 0
	for i, r := range rs {
		if len(r.docs) < len(rs[lead].docs) {
			lead = i
		}
	}
	pos := make([]int, len(rs))
next:
	for k, d := range rs[lead].docs {
		for i, r := range rs {
			if i == lead {
				continue
			}
			p := gallop(r.docs, pos[i], d)
			pos[i] = p
			if p == len(r.docs) {
				return out
			}
			if r.docs[p] != d {
				continue next
			}
		}
		out.docs = append(out.docs, d)
		if scored {
			sum := 0.0
			for i, r := range rs {
				if r.scores == nil {
					continue
				}
				if i == lead {
					sum += r.scores[k]
				} else {
					sum += r.scores[pos[i]]
				}
			}
			out.scores = append(out.scores, sum)
		}
	}
	return out
}

// gallop returns the first index at or after from where docs[i] >= d.
func gallop(docs []uint32, from int, d uint32) int {
	if from >= len(docs) || docs[from] >= d {
		return from
	}
	step := 1
	lo, hi := from, from+1
	for hi < len(docs) && docs[hi] < d {
		lo = hi
		step *= 2
		hi = from + step
	}
	hi = min(hi, len(docs))
	// docs[lo] < d; docs[hi] >= d or hi == len(docs)
	i, _ := slices.BinarySearch(docs[lo+1:hi], d)
	return lo + 1 + i
}

// subtract removes not's documents from r.
func subtract(r vres, not []uint32) vres {
	if len(not) == 0 {
		return r
	}
	w, p := 0, 0
	for k, d := range r.docs {
		p = gallop(not, p, d)
		if p < len(not) && not[p] == d {
			continue
		}
		r.docs[w] = d
		if r.scores != nil {
			r.scores[w] = r.scores[k]
		}
		w++
	}
	r.docs = r.docs[:w]
	if r.scores != nil {
		r.scores = r.scores[:w]
	}
	return r
}

// boolean is Bleve's boolean searcher with a must clause (vectorizable
// makes sure): the must's documents but the must-not's, scored by the
// must's score plus the should's where it matches.
func (e *vecEval) boolean(q *query.BooleanQuery, within []uint32) (vres, error) {
	must, err := e.eval(q.Must, within)
	if err != nil {
		return vres{}, err
	}
	if q.MustNot != nil {
		sub := *e
		sub.score = false
		not, err := sub.eval(q.MustNot, must.docs)
		if err != nil {
			must.release()
			return vres{}, err
		}
		must = subtract(must, not.docs)
		not.release()
	}
	if q.Should == nil || !e.score {
		return must, nil
	}
	should, err := e.eval(q.Should, must.docs)
	if err != nil {
		must.release()
		return vres{}, err
	}
	if must.scores == nil {
		must.scores = make([]float64, len(must.docs)) // unscored: 0
	}
	p := 0
	for k, d := range must.docs {
		p = gallop(should.docs, p, d)
		if p < len(should.docs) && should.docs[p] == d && should.scores != nil {
			must.scores[k] += should.scores[p]
		}
	}
	should.release()
	return must, nil
}

// bleve runs q's own Bleve searcher over the part.
func (e *vecEval) bleve(q query.Query, within []uint32) (vres, error) {
	s, err := q.Searcher(e.ctx, e.reader, e.x.bleve.Mapping(), e.options())
	if err != nil {
		return vres{}, fmt.Errorf("match: %w", err)
	}
	defer s.Close()
	if e.norm.set && e.score {
		s.SetQueryNorm(e.norm.value)
	}
	out := vres{docs: getDocs()}
	if e.score {
		out.scores = getScores()
	}
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0), IndexReader: e.reader}
	w := withinFilter{docs: within}
	var d *search.DocumentMatch
	if e.lo > 0 {
		d, err = s.Advance(sctx, internalID(e.lo))
	} else {
		d, err = s.Next(sctx)
	}
	for ; ; d, err = s.Next(sctx) {
		if err != nil {
			out.release()
			return vres{}, fmt.Errorf("match: %w", err)
		}
		if d == nil {
			return out, nil
		}
		doc := docNumber(d.IndexInternalID)
		if doc >= e.hi {
			return out, nil
		}
		if !w.keep(doc) {
			sctx.DocumentMatchPool.Put(d)
			continue
		}
		out.docs = append(out.docs, doc)
		if e.score {
			out.scores = append(out.scores, d.Score)
		}
		sctx.DocumentMatchPool.Put(d)
		if len(out.docs)%4096 == 0 && e.ctx.Err() != nil {
			out.release()
			return vres{}, e.ctx.Err()
		}
	}
}

// dictionaries returns the term dictionary of field in each segment.
func (e *vecEval) dictionaries(field string) ([]segment.TermDictionary, error) {
	if d, ok := e.dicts[field]; ok {
		return d, nil
	}
	ds := make([]segment.TermDictionary, len(e.segs))
	for i, s := range e.segs {
		d, err := s.Segment().Dictionary(field)
		if err != nil {
			return nil, fmt.Errorf("match: dictionary of %s: %w", field, err)
		}
		ds[i] = d
	}
	e.dicts[field] = ds
	return ds, nil
}

// advanceRatio is how much shorter than the postings a list of documents
// must be for postings to skip to each of them instead of reading all.
const advanceRatio = 1

// postings calls fn with every posting of term in field within the part
// (and among within's documents when within is not nil), in document
// order; with freq, the postings carry their frequencies and norms. When
// within is much shorter than the postings, the iterator skips to each of
// its documents instead of reading every posting.
func (e *vecEval) postings(field, term string, freq bool, within []uint32, fn func(doc uint32, p segment.Posting)) error {
	ds, err := e.dictionaries(field)
	if err != nil {
		return err
	}
	for i, s := range e.segs {
		off := e.offsets[i]
		end := off + uint32(s.FullSize())
		lo, hi := max(e.lo, off), min(e.hi, end)
		if lo >= hi {
			continue
		}
		pl, err := ds[i].PostingsList([]byte(term), s.Deleted(), nil)
		if err != nil {
			return fmt.Errorf("match: postings of %q in %s: %w", term, field, err)
		}
		it := pl.Iterator(freq, freq, false, nil)
		fail := func(err error) error { return fmt.Errorf("match: postings of %q in %s: %w", term, field, err) }
		if within != nil && uint64(len(within))*advanceRatio < pl.Count()*uint64(hi-lo)/uint64(end-off) {
			var cur uint32 // the current posting's document
			var p segment.Posting
			for _, w := range within {
				if w < lo {
					continue
				}
				if w >= hi {
					break
				}
				if p == nil || cur < w {
					if p, err = it.Advance(uint64(w - off)); err != nil {
						return fail(err)
					}
					if p == nil {
						break
					}
					cur = off + uint32(p.Number())
				}
				if cur == w {
					fn(w, p)
				}
			}
			continue
		}
		wf := withinFilter{docs: within}
		var p segment.Posting
		if lo > off {
			p, err = it.Advance(uint64(lo - off))
		} else {
			p, err = it.Next()
		}
		for ; ; p, err = it.Next() {
			if err != nil {
				return fail(err)
			}
			if p == nil {
				break
			}
			d := off + uint32(p.Number())
			if d >= hi {
				break
			}
			if wf.keep(d) {
				fn(d, p)
			}
		}
	}
	return nil
}

// bitmap returns the documents of term in field, all of the generation
// (not only the part), as a bitmap of document numbers.
func (e *vecEval) bitmap(field, term string) (*roaring.Bitmap, error) {
	ds, err := e.dictionaries(field)
	if err != nil {
		return nil, err
	}
	var out *roaring.Bitmap
	for i, s := range e.segs {
		pl, err := ds[i].PostingsList([]byte(term), s.Deleted(), nil)
		if err != nil {
			return nil, fmt.Errorf("match: postings of %q in %s: %w", term, field, err)
		}
		it := pl.Iterator(false, false, false, nil)
		var bm *roaring.Bitmap
		if o, ok := it.(segment.OptimizablePostingsIterator); ok {
			if bm = o.ActualBitmap(); bm == nil {
				if n, ok := o.DocNum1Hit(); ok {
					bm = roaring.BitmapOf(uint32(n))
				}
			}
		}
		if bm == nil {
			bm = roaring.New()
			for p, err := it.Next(); p != nil || err != nil; p, err = it.Next() {
				if err != nil {
					return nil, fmt.Errorf("match: postings of %q in %s: %w", term, field, err)
				}
				bm.Add(uint32(p.Number()))
			}
		}
		if len(e.segs) == 1 && e.offsets[0] == 0 {
			return bm, nil // the segment's own bitmap: read only
		}
		if e.offsets[i] > 0 {
			bm = roaring.AddOffset64(bm, int64(e.offsets[i]))
		}
		if out == nil {
			out = bm.Clone()
		} else {
			out.Or(bm)
		}
	}
	if out == nil {
		out = roaring.New()
	}
	return out, nil
}

// withinFilter tells, for increasing document numbers, whether each is
// one of docs (every one when docs is nil).
type withinFilter struct {
	docs []uint32
	p    int
}

func (w *withinFilter) keep(d uint32) bool {
	if w.docs == nil {
		return true
	}
	w.p = gallop(w.docs, w.p, d)
	return w.p < len(w.docs) && w.docs[w.p] == d
}

// docsOf lists bm's documents within the part and, when within is not
// nil, among within's.
func (e *vecEval) docsOf(bm *roaring.Bitmap, within []uint32) []uint32 {
	if within == nil {
		return e.rangeDocs(bm)
	}
	out := getDocs()
	it := bm.Iterator()
	if len(within) == 0 {
		return out
	}
	if n := rangeCardinality(bm, within[0], within[len(within)-1]); n <= uint64(len(within)) {
		// The bitmap's documents walked, within galloped along.
		it.AdvanceIfNeeded(within[0])
		p := 0
		for it.HasNext() {
			d := it.Next()
			if p = gallop(within, p, d); p == len(within) {
				break
			}
			if within[p] == d {
				out = append(out, d)
			}
		}
		return out
	}
	// One iterator advanced along within (galloping in an array
	// container, scanning words in a bitmap one), not a lookup of each.
	for _, d := range within {
		if it.AdvanceIfNeeded(d); !it.HasNext() {
			break
		}
		if it.PeekNext() == d {
			out = append(out, d)
		}
	}
	return out
}

// rangeCardinality is the number of bm's documents in [lo, hi].
func rangeCardinality(bm *roaring.Bitmap, lo, hi uint32) uint64 {
	n := bm.Rank(hi)
	if lo > 0 {
		n -= bm.Rank(lo - 1)
	}
	return n
}

// rangeDocs lists bm's documents within the part.
func (e *vecEval) rangeDocs(bm *roaring.Bitmap) []uint32 {
	out := getDocs()
	it := bm.Iterator()
	it.AdvanceIfNeeded(e.lo)
	for it.HasNext() {
		d := it.Next()
		if d >= e.hi {
			break
		}
		out = append(out, d)
	}
	return out
}

// word is a word's postings, scored by the archive's BM25 as
// wordTermSearcher scores them.
func (e *vecEval) word(q *wordTermQuery, within []uint32) (vres, error) {
	if !e.score {
		bm, err := e.bitmap(q.Field, q.Term)
		if err != nil {
			return vres{}, err
		}
		return vres{docs: e.docsOf(bm, within)}, nil
	}
	sc, ok, err := newWordScorer(e.ctx, q, e.reader)
	if err != nil {
		return vres{}, err
	}
	if !ok {
		return e.bleve(q, within)
	}
	if e.norm.set {
		sc.setQueryNorm(e.norm.value)
	}
	wp, err := e.keptWord(q.Field, q.Term)
	if err != nil {
		return vres{}, err
	}
	if wp != nil {
		return wp.scored(&sc, e.lo, e.hi, within), nil
	}
	out := vres{docs: getDocs(), scores: getScores()}
	err = e.postings(q.Field, q.Term, true, within, func(d uint32, p segment.Posting) {
		out.docs = append(out.docs, d)
		out.scores = append(out.scores, sc.score(p.Frequency(), p.Norm()))
	})
	if err != nil {
		out.release()
		return vres{}, err
	}
	return out, nil
}

// exact is ExactPhraseQuery's searcher: per run, the candidates of each
// field scored by the field's boost (a disjunction over the fields), the
// runs conjoined, then long runs verified.
func (e *vecEval) exact(q *ExactPhraseQuery, within []uint32) (vres, error) {
	if e.score && q.Weight == 0 {
		// Every match scores 0 (a one-word term's recall path): its
		// documents unscored, which a parent's merge counts as 0.
		sub := *e
		sub.score = false
		return sub.exact(q, within)
	}
	fields := q.fields()
	if r, ok, err := e.cachedExact(q, within); ok || err != nil {
		return r, err
	}
	if !e.score {
		return e.exactUnscored(q, within)
	}
	var runs []vres
	release := func() {
		for i := range runs {
			runs[i].release()
		}
	}
	for _, run := range q.Runs {
		alts := make([]vres, 0, len(fields))
		for _, f := range fields {
			bm, err := e.candidates(run, f.name)
			if err != nil {
				release()
				for i := range alts {
					alts[i].release()
				}
				return vres{}, err
			}
			r := vres{docs: e.docsOf(bm, within), scores: getScores()}
			boost := f.boost * q.runWeight(run)
			for range r.docs {
				r.scores = append(r.scores, boost)
			}
			alts = append(alts, r)
		}
		if len(alts) == 1 {
			runs = append(runs, alts[0])
			continue
		}
		runs = append(runs, mergeUnion(alts, true, true, 1))
		for i := range alts {
			alts[i].release()
		}
	}
	var out vres
	switch len(runs) {
	case 0:
		return vres{}, nil
	case 1:
		out = runs[0]
	default:
		out = mergeIntersect(runs, true)
		release()
	}
	if !costly(q) { // no long run to verify
		return out, nil
	}
	return e.verify(q, out), nil
}

// exactUnscored is exact's documents unscored: every run's candidates in
// its fields or'ed, the runs and'ed, as bitmaps, listed once, then
// verified when a run is long.
func (e *vecEval) exactUnscored(q *ExactPhraseQuery, within []uint32) (vres, error) {
	var all *roaring.Bitmap
	for _, run := range q.Runs {
		var alts []*roaring.Bitmap
		for _, f := range q.fields() {
			bm, err := e.candidates(run, f.name)
			if err != nil {
				return vres{}, err
			}
			alts = append(alts, bm)
		}
		if len(alts) == 0 {
			return vres{}, nil
		}
		bm := alts[0]
		if len(alts) > 1 {
			bm = roaring.FastOr(alts...)
		}
		if all == nil {
			all = bm
		} else {
			all = roaring.FastAnd(all, bm)
		}
	}
	if all == nil {
		return vres{}, nil
	}
	out := vres{docs: e.docsOf(all, within)}
	if !costly(q) { // no long run to verify
		return out, nil
	}
	return e.verify(q, out), nil
}

// candidates returns the documents whose exact-recall field may hold run
// (exactly those for one or two characters), as runCandidates finds them.
func (e *vecEval) candidates(run, field string) (*roaring.Bitmap, error) {
	runes := []rune(run)
	switch len(runes) {
	case 1:
		if bm, ok := e.x.snap.prefixes.docs(e.ctx, e.reader, field, run); ok {
			return bm, nil
		}
		return e.prefixBitmap(run, field)
	case 2:
		return e.bitmap(field, run)
	}
	var out *roaring.Bitmap
	seen := map[string]bool{}
	for k := 0; k+1 < len(runes); k++ {
		bg := string(runes[k : k+2])
		if seen[bg] {
			continue
		}
		seen[bg] = true
		bm, err := e.bitmap(field, bg)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = bm.Clone()
		} else {
			out.And(bm)
		}
	}
	return out, nil
}

// prefixBitmap is a one-character run's documents looked up by prefix,
// when the prefix cache has no room.
func (e *vecEval) prefixBitmap(run, field string) (*roaring.Bitmap, error) {
	s, err := searcher.NewTermPrefixSearcher(e.ctx, e.reader, run, field, 1, search.SearcherOptions{Score: "none"})
	if err != nil {
		return nil, fmt.Errorf("match: prefix %q in %s: %w", run, field, err)
	}
	defer s.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0), IndexReader: e.reader}
	bm := roaring.New()
	var d *search.DocumentMatch
	if e.lo > 0 {
		d, err = s.Advance(sctx, internalID(e.lo))
	} else {
		d, err = s.Next(sctx)
	}
	for ; d != nil && err == nil; d, err = s.Next(sctx) {
		doc := docNumber(d.IndexInternalID)
		if doc >= e.hi {
			break
		}
		bm.Add(doc)
		sctx.DocumentMatchPool.Put(d)
	}
	if err != nil {
		return nil, fmt.Errorf("match: prefix %q in %s: %w", run, field, err)
	}
	return bm, nil
}

// verify keeps the candidates whose text holds every long run, rescored
// by the verifier when scoring.
func (e *vecEval) verify(q *ExactPhraseQuery, r vres) vres {
	v := newVerifier(e.reader, q, e.score)
	if t := e.x.snap.text.Load(); t != nil {
		v.text = t
		for i := range v.runs {
			v.runs[i].rare = t.rarest(v.runs[i].wide)
		}
	}
	w := 0
	for k, d := range r.docs {
		if k%1024 == 0 && e.ctx.Err() != nil {
			break // the caller sees the context's error
		}
		binary.BigEndian.PutUint64(e.idBuf[:], uint64(d))
		e.dm.IndexInternalID = e.idBuf[:]
		if r.scores != nil {
			e.dm.Score = r.scores[k]
		}
		if !v.accept(nil, &e.dm) {
			continue
		}
		r.docs[w] = d
		if r.scores != nil {
			r.scores[w] = e.dm.Score
		}
		w++
	}
	r.docs = r.docs[:w]
	if r.scores != nil {
		r.scores = r.scores[:w]
	}
	return r
}

// cachedExact is exact for a query whose runs are all long, from the
// generation's run cache (runcache.go); false when it does not apply (a
// short run, or no folded text yet).
func (e *vecEval) cachedExact(q *ExactPhraseQuery, within []uint32) (vres, bool, error) {
	lists, ok, err := e.runLists(q)
	if !ok || err != nil {
		return vres{}, ok, err
	}
	// The documents holding every run (in the head for ScopeHead), among
	// within's; scored as the verifier scores them.
	out := vres{docs: getDocs()}
	if e.score {
		out.scores = getScores()
	}
	lead := 0
	for i, p := range lists {
		if len(p.docs) < len(lists[lead].docs) {
			lead = i
		}
	}
	pos := make([]int, len(lists))
	w := withinFilter{docs: within}
next:
	for k, d := range lists[lead].docs {
		if !w.keep(d) {
			continue
		}
		score := 0.0
		for i, p := range lists {
			j := k
			if i != lead {
				j = gallop(p.docs, pos[i], d)
				pos[i] = j
				if j == len(p.docs) {
					break next
				}
				if p.docs[j] != d {
					continue next
				}
			}
			h, b := int(p.counts[j]>>2), int(p.counts[j]&3)
			if q.Scope == ScopeHead {
				if h == 0 {
					continue next
				}
				b = 0
			}
			score += q.runWeight(q.Runs[i]) * (q.HeadBoost*saturate(h) + saturate(b))
		}
		out.docs = append(out.docs, d)
		if e.score {
			out.scores = append(out.scores, q.Weight*score)
		}
	}
	return out, true, nil
}

// runLists are the part's postings of q's runs from the generation's run
// cache; false when it does not apply (a short run, or no folded text
// yet).
func (e *vecEval) runLists(q *ExactPhraseQuery) ([]*runPostings, bool, error) {
	t := e.x.snap.text.Load()
	if t == nil || q.unverified || len(q.Runs) == 0 {
		return nil, false, nil
	}
	for _, run := range q.Runs {
		if utf8.RuneCountInString(run) <= 2 {
			return nil, false, nil
		}
	}
	lists := make([]*runPostings, len(q.Runs))
	for i, run := range q.Runs {
		var berr error
		p, ok := e.x.snap.runs.postings(runKey{run, e.lo, e.hi}, func() ([]uint32, []uint8, bool) {
			head, err := e.candidates(run, FieldHeadBigram)
			if err != nil {
				berr = err
				return nil, nil, false
			}
			body, err := e.candidates(run, FieldBodyBigram)
			if err != nil {
				berr = err
				return nil, nil, false
			}
			docs, counts := buildRun(t, []byte(run), roaring.Or(head, body), e.lo, e.hi)
			return docs, counts, true
		})
		if berr != nil {
			return nil, false, berr
		}
		if !ok {
			return nil, false, nil
		}
		lists[i] = p
	}
	return lists, true, nil
}
