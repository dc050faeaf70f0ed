package index

import (
	"sync/atomic"

	bsearch "github.com/blevesearch/bleve/v2/search"
)

// Ranking holds the parameters of relevance ranking, all applied at query
// time (none is stored in the index). docs/analysis.md, "Ranking", says
// how each was chosen by the known-item evaluation (internal/rankeval).
type Ranking struct {
	// HeadBoost weighs a word found in the head (kicker, title,
	// subtitle) against one in the body (1) on the word path.
	HeadBoost float64
	// ExactHeadBoost weighs a run found in the head against one in the
	// body (1) on the exact path.
	ExactHeadBoost float64
	// ExactWeight scales the exact path's score (a run found as a
	// substring) against the word path's BM25 in TextQuery.
	ExactWeight float64
	// ExactByLength weighs each run of the exact path by its length in
	// characters less one (its number of bigrams), so that a long run
	// found whole, a title typed as it is, counts for more than a word.
	ExactByLength bool
	// PhraseWords adds the word path's BM25 of a quoted string, times
	// this weight, to its exact score (0: a quoted string ranks by its
	// occurrences alone).
	PhraseWords float64
	// RawTF scores a word's term frequency itself in BM25 (false: its
	// square root, as Bleve does).
	RawTF bool
	// IDFPower is the power of a word's idf in its score (2: Bleve's,
	// whose query weight and term score each hold one).
	IDFPower float64
	// K1 and B are BM25's term-frequency saturation and length
	// normalization on the word fields.
	K1, B float64
}

// DefaultRanking is the archive's ranking: words scored by BM25 on the
// raw term frequency with idf once, k1 0.8, b 0.5 (docs/analysis.md, "The
// second round"), with field lengths at Lucene's precision
// (lucenePrecision) so that a cluster ranks alike.
var DefaultRanking = Ranking{
	HeadBoost:      0.01,
	ExactHeadBoost: 3,
	ExactWeight:    1,
	ExactByLength:  true,
	PhraseWords:    1,
	RawTF:          true,
	IDFPower:       1,
	K1:             0.8,
	B:              0.5,
}

var ranking atomic.Pointer[Ranking]

func init() { SetRanking(DefaultRanking) }

// CurrentRanking returns the ranking queries are built with.
func CurrentRanking() Ranking { return *ranking.Load() }

// SetRanking changes the ranking of the queries built after it, for
// experiments (cmd/rankeval's flags). K1 and B are Bleve's process-wide
// BM25 parameters (bleve/v2/search.BM25_k1, BM25_b): set them before any
// search runs, not while one does. Programs serve DefaultRanking.
func SetRanking(r Ranking) {
	ranking.Store(&r)
	bsearch.BM25_k1, bsearch.BM25_b = r.K1, r.B
}
