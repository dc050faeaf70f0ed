package index

import (
	"time"

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

// HeadBoost weighs a match in the head (kicker, title, subtitle) above one in
// the body.
const HeadBoost = 3.0

// ExactQuery matches the articles whose text contains s, character for
// character after folding (full-width, case, traditional characters): the
// exact-recall path. s is cut at characters that are not searchable
// (punctuation, spaces); each run must occur. It returns nil when s has no
// searchable character.
func ExactQuery(s string, scope Scope) query.Query {
	runs := analysis.QueryBigrams(s)
	if len(runs) == 0 {
		return nil
	}
	var musts []query.Query
	for _, run := range runs {
		musts = append(musts, exactRun(run, scope))
	}
	if len(musts) == 1 {
		return musts[0]
	}
	return bleve.NewConjunctionQuery(musts...)
}

func exactRun(terms []string, scope Scope) query.Query {
	one := func(bigramField, unigramField string, boost float64) query.Query {
		if len([]rune(terms[0])) == 1 {
			q := bleve.NewTermQuery(terms[0])
			q.SetField(unigramField)
			q.SetBoost(boost)
			return q
		}
		if len(terms) == 1 {
			q := bleve.NewTermQuery(terms[0])
			q.SetField(bigramField)
			q.SetBoost(boost)
			return q
		}
		q := bleve.NewPhraseQuery(terms, bigramField)
		q.SetBoost(boost)
		return q
	}
	head := one(FieldHeadBigram, FieldHeadUnigram, HeadBoost)
	if scope == ScopeHead {
		return head
	}
	return bleve.NewDisjunctionQuery(head, one(FieldBodyBigram, FieldBodyUnigram, 1))
}

// WordQuery matches the articles that contain every gse word of s, in the
// head (boosted) or the body. It ranks by BM25 but may miss a substring of
// a word: combine it with ExactQuery for recall.
func WordQuery(s string, scope Scope) query.Query {
	match := func(field string, boost float64) query.Query {
		q := bleve.NewMatchQuery(s)
		q.SetField(field)
		q.Analyzer = analysis.WordAnalyzer
		q.SetOperator(query.MatchQueryOperatorAnd)
		q.SetBoost(boost)
		return q
	}
	if scope == ScopeHead {
		return match(FieldHead, HeadBoost)
	}
	return bleve.NewDisjunctionQuery(match(FieldHead, HeadBoost), match(FieldBody, 1))
}

// TextQuery is what a bare search term means: the articles that contain
// it, as words (ranked by BM25) or as an exact substring (recall). Exact
// matches add to the score, so an exact phrase ranks above scattered words.
func TextQuery(s string, scope Scope) query.Query {
	exact := ExactQuery(s, scope)
	if exact == nil {
		return nil
	}
	return bleve.NewDisjunctionQuery(WordQuery(s, scope), exact)
}

// The widest date range an archive holds.
var (
	minDate = mustDate("1800-01-01")
	maxDate = mustDate("2201-01-01")
)

func mustDate(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}
