package index

import (
	"sync/atomic"

	bsearch "github.com/blevesearch/bleve/v2/search"
)

// Ranking holds the parameters of relevance ranking, all applied at query
// time (none is stored in the index). docs/analysis.md, "Ranking", says
// how each was chosen by the known-item evaluation (internal/rankeval).
type Ranking struct {
	// HeadBoost weighs a match in the head (kicker, title, subtitle)
	// against one in the body (1), on the word and the exact path.
	HeadBoost float64
	// ExactWeight scales the exact path's score (a run found as a
	// substring) against the word path's BM25 in TextQuery.
	ExactWeight float64
	// K1 and B are BM25's term-frequency saturation and length
	// normalization on the word fields.
	K1, B float64
}

// DefaultRanking is the archive's ranking.
var DefaultRanking = Ranking{HeadBoost: 3, ExactWeight: 1, K1: 1.2, B: 0.75}

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
