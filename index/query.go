package index

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"newsarchive/index/analysis"
)

// Scope selects the text fields a query looks in.
type Scope int

// Scopes of a text query.
const (
	ScopeAll  Scope = iota // head and body
	ScopeHead              // kicker, title and subtitle only
)

// ExactQuery matches the articles whose text contains s, character for
// character after folding (full-width, case, traditional characters): the
// exact-recall path. s is cut at characters that are not searchable
// (punctuation, spaces); each run must occur, in the head or the body
// (only the head for ScopeHead). It returns nil when s has no searchable
// character.
//
// The result is an *ExactPhraseQuery; see its Searcher for how it works.
func ExactQuery(s string, scope Scope) query.Query {
	runs := analysis.QueryBigrams(s)
	if len(runs) == 0 {
		return nil
	}
	r := CurrentRanking()
	q := &ExactPhraseQuery{Scope: scope, HeadBoost: r.ExactHeadBoost, Weight: 1, ByLength: r.ExactByLength}
	for _, terms := range runs {
		q.Runs = append(q.Runs, analysis.RunText(terms))
	}
	return q
}

// WordQuery matches the articles that contain every gse word of s, in the
// head or the body, scored by the sum of the fields' BM25 (the head
// weighted by Ranking.HeadBoost). It may miss a substring of a word:
// combine it with ExactQuery for recall.
func WordQuery(s string, scope Scope) query.Query {
	return wordQuery(s, scope, 1, false)
}

// wordQuery is WordQuery with its scores times weight; with any, an
// article needs only some of the words.
func wordQuery(s string, scope Scope, weight float64, any bool) query.Query {
	r := CurrentRanking()
	match := func(field string, boost float64) query.Query {
		return wordMatch(s, field, boost*weight, any)
	}
	if scope == ScopeHead {
		return match(FieldHead, 1)
	}
	return &SumQuery{Queries: []query.Query{match(FieldHead, r.HeadBoost), match(FieldBody, 1)}}
}

// PhraseQuery is what a quoted string means: ExactQuery, ranked by the
// string's occurrences and, with Ranking.PhraseWords, the BM25 of its
// words. It returns nil when s has no searchable character.
func PhraseQuery(s string, scope Scope) query.Query {
	exact := ExactQuery(s, scope)
	if exact == nil {
		return nil
	}
	w := CurrentRanking().PhraseWords
	if w <= 0 {
		return exact
	}
	b := bleve.NewBooleanQuery()
	b.AddMust(exact)
	b.AddShould(wordQuery(s, scope, w, true))
	return b
}

// TextQuery is what a bare search term means: the articles that contain
// it, as words (ranked by BM25) or as an exact substring (recall). Exact
// matches add to the score, so an exact phrase ranks above scattered words.
func TextQuery(s string, scope Scope) query.Query {
	exact := ExactQuery(s, scope)
	if exact == nil {
		return nil
	}
	r := CurrentRanking()
	ex := exact.(*ExactPhraseQuery)
	ex.Weight = r.ExactWeight
	// A term of one word is ranked by its word's BM25 alone: its
	// occurrences as a string carry no more (and no IDF or length
	// normalization), and weighing them flattened the evaluation's
	// keyword queries. Contiguity counts where there are words to be
	// contiguous.
	if n, err := analysis.CountWords(s); err == nil && n < 2 {
		ex.Weight = 0
	}
	return &SumQuery{Queries: []query.Query{WordQuery(s, scope), exact}}
}
