package index

import (
	"strings"
	"unicode/utf8"

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
	q := &ExactPhraseQuery{Scope: scope, HeadBoost: r.HeadBoost, Weight: 1}
	for _, terms := range runs {
		q.Runs = append(q.Runs, runText(terms))
	}
	return q
}

// runText rebuilds a run's folded text from its QueryBigrams terms.
func runText(terms []string) string {
	if len(terms) == 1 {
		return terms[0]
	}
	var b strings.Builder
	for _, t := range terms {
		r, _ := utf8.DecodeRuneInString(t)
		b.WriteRune(r)
	}
	_, n := utf8.DecodeRuneInString(terms[len(terms)-1])
	b.WriteString(terms[len(terms)-1][n:])
	return b.String()
}

// WordQuery matches the articles that contain every gse word of s, in the
// head (boosted) or the body. It ranks by BM25 but may miss a substring of
// a word: combine it with ExactQuery for recall.
func WordQuery(s string, scope Scope) query.Query {
	r := CurrentRanking()
	match := func(field string, boost float64) query.Query {
		q := bleve.NewMatchQuery(s)
		q.SetField(field)
		q.Analyzer = analysis.WordAnalyzer
		q.SetOperator(query.MatchQueryOperatorAnd)
		q.SetBoost(boost)
		return q
	}
	if scope == ScopeHead {
		return match(FieldHead, r.HeadBoost)
	}
	return bleve.NewDisjunctionQuery(match(FieldHead, r.HeadBoost), match(FieldBody, 1))
}

// TextQuery is what a bare search term means: the articles that contain
// it, as words (ranked by BM25) or as an exact substring (recall). Exact
// matches add to the score, so an exact phrase ranks above scattered words.
func TextQuery(s string, scope Scope) query.Query {
	exact := ExactQuery(s, scope)
	if exact == nil {
		return nil
	}
	exact.(*ExactPhraseQuery).Weight = CurrentRanking().ExactWeight
	return bleve.NewDisjunctionQuery(WordQuery(s, scope), exact)
}
