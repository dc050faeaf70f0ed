package index

import (
	"math"
	"slices"

	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// A common word's postings in zap are decoded, chunk after chunk, on
// every query that scores them: at a million articles that is a third of
// a query's time. A generation never changes, so the decoded postings of
// its common words are kept: per word and field, the documents of the
// whole generation with each posting's frequency and length code (8
// bytes a posting), built the first time a query scores the word, kept
// within a budget, least recently used first (as the run cache keeps
// long runs). Scores are computed from them on every query, bit for bit
// as from the postings.

// wordCacheBudget bounds the bytes of a generation's kept postings.
const wordCacheBudget = 160 << 20

// wordCacheEntries bounds their number.
const wordCacheEntries = 4096

// wordCacheMin is the fewest postings a word is kept for: rarer words are
// read in a few chunks anyway.
const wordCacheMin = 4096

// wordKey names a word's postings in a field of the generation.
type wordKey struct{ field, term string }

// wordPostings are a word's postings in a field: documents increasing
// and, per posting, its frequency << lengthBits | its length code.
type wordPostings struct {
	docs []uint32
	tf   []uint32
}

// lengthBits holds a luceneCode (lengthCodes ≤ 1 << lengthBits).
const lengthBits = 10

var _ [1<<lengthBits - lengthCodes]struct{} // fails to compile if a code does not fit

// maxKeptFreq is the highest frequency a kept posting can hold.
const maxKeptFreq = 1<<(32-lengthBits) - 1

// keptWord returns the kept postings of term in field, read and kept on
// first use; nil for a rare word or a frequency too high to pack. A
// conjunction's later clause that would have skipped to a few documents
// reads the word whole the first time: once per generation.
func (e *vecEval) keptWord(field, term string) (*wordPostings, error) {
	least := uint64(wordCacheMin)
	switch m := e.x.keptWordMin; {
	case m < 0 || len(e.segs) == 0:
		return nil, nil
	case m > 0:
		least = uint64(m)
	}
	key := wordKey{field, term}
	c := &e.x.snap.words
	if wp, ok := c.peek(key); ok {
		return wp, nil
	}
	n := e.count(field, term)
	if n < least || n == math.MaxUint64 {
		return nil, nil
	}
	var berr error
	wp, _ := c.get(key, wordCacheBudget, wordCacheEntries, func() (*wordPostings, int, bool) {
		wp := &wordPostings{docs: make([]uint32, 0, n), tf: make([]uint32, 0, n)}
		full := *e
		full.lo, full.hi = 0, ^uint32(0)
		packable := true
		berr = full.postings(field, term, true, nil, func(d uint32, p segment.Posting) {
			f := p.Frequency()
			if f > maxKeptFreq {
				packable = false
			}
			wp.docs = append(wp.docs, d)
			wp.tf = append(wp.tf, uint32(f)<<lengthBits|uint32(luceneCode(normLength(p.Norm()))))
		})
		if berr != nil || !packable {
			return nil, 0, false
		}
		return wp, 64 + 4*(cap(wp.docs)+cap(wp.tf)), true
	})
	return wp, berr
}

// normLength is the field length a posting's norm (1/√length) stands
// for.
func normLength(norm float64) int { return int(math.Round(1 / (norm * norm))) }

// part returns the postings' positions within [lo, hi).
func (wp *wordPostings) part(lo, hi uint32) (int, int) {
	i, _ := slices.BinarySearch(wp.docs, lo)
	j, _ := slices.BinarySearch(wp.docs[i:], hi)
	return i, i + j
}

// scored returns the postings within [lo, hi) (and among within's
// documents when within is not nil) with their scores by sc.
func (wp *wordPostings) scored(sc *wordScorer, lo, hi uint32, within []uint32) vres {
	i, j := wp.part(lo, hi)
	docs, tf := wp.docs[i:j], wp.tf[i:j]
	out := vres{docs: getDocs(), scores: getScores()}
	if within == nil {
		out.docs = append(out.docs, docs...)
		for _, v := range tf {
			out.scores = append(out.scores, sc.scorePacked(v))
		}
		return out
	}
	eachCommon(within, docs, func(_, k int) {
		out.docs = append(out.docs, docs[k])
		out.scores = append(out.scores, sc.scorePacked(tf[k]))
	})
	return out
}

// scorePacked is the score of a kept posting (frequency << lengthBits |
// length code).
func (s *wordScorer) scorePacked(v uint32) float64 {
	return s.scoreCode(uint64(v>>lengthBits), int(v&(1<<lengthBits-1)))
}

// eachCommon calls fn with the positions in a and in b of each document
// both increasing lists hold, in order, walking the shorter list and
// galloping along the longer.
func eachCommon(a, b []uint32, fn func(i, j int)) {
	if len(a) > len(b) {
		eachCommon(b, a, func(i, j int) { fn(j, i) })
		return
	}
	p := 0
	for i, d := range a {
		if p = gallop(b, p, d); p == len(b) {
			return
		}
		if b[p] == d {
			fn(i, p)
		}
	}
}
