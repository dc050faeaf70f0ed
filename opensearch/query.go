package opensearch

import (
	"errors"
	"strings"
	"unicode/utf8"

	"newsarchive/index/analysis"
)

// ErrNoSearchable is returned for a quoted string without a searchable
// character (only punctuation, spaces or symbols such as Ⅻ): the archive
// rejects it on both engines.
var ErrNoSearchable = errors.New("opensearch: quoted string without a searchable character")

// Scope selects the text a query looks in.
type Scope int

// Scopes of a query, as index.Scope.
const (
	ScopeAll  Scope = iota // head and body
	ScopeHead              // kicker, title and subtitle only
)

// Query is what a search matches.
type Query struct {
	// Exact are quoted strings: an article matches when it contains each
	// of them, after folding, as the Bleve index defines it
	// (index.ExactQuery): a string is cut into runs of searchable
	// characters at every other character, and each run must occur
	// whole, in the head or the body.
	Exact []string
	// Words, if set, ranks the matches (BM25 on its gse words, as
	// WordTokens cuts them); it does not
	// restrict them. Without Exact, it matches articles having all its
	// words.
	Words string
	Scope Scope
	Filter
}

// Filter restricts a search by the keyword fields: values of one field
// are alternatives (OR), fields combine with AND. Empty matches all.
type Filter struct {
	Counties, Topics, Papers, Authors, Kinds, IDs []string
	// From and To bound the date (YYYY-MM-DD, inclusive); an article
	// without a date is outside any bound.
	From, To string
}

// runs returns the exact-recall runs of a quoted string: per run the
// terms to find in the *_x fields (analysis.QueryBigrams), the Bleve
// index's own cut, so that the one-character-or-more decision is made on
// the folded text of each run.
func runs(s string) [][]string { return analysis.QueryBigrams(s) }

// exactClause is the query of one quoted string, or ErrNoSearchable.
func exactClause(s string, scope Scope) (map[string]any, error) {
	rs := runs(s)
	if len(rs) == 0 {
		return nil, ErrNoSearchable
	}
	prefixes := []string{"head"}
	if scope != ScopeHead {
		prefixes = append(prefixes, "body")
	}
	var must []any
	for _, terms := range rs {
		var alts []any
		for _, p := range prefixes {
			alts = append(alts, runClause(p, terms))
		}
		if len(alts) == 1 {
			must = append(must, alts[0])
		} else {
			must = append(must, obj("bool", map[string]any{"should": alts, "minimum_should_match": 1}))
		}
	}
	if len(must) == 1 {
		return must[0].(map[string]any), nil
	}
	return obj("bool", obj("filter", must)), nil
}

// runClause matches a run (its QueryBigrams terms) in the head or the
// body (prefix "head" or "body").
func runClause(prefix string, terms []string) map[string]any {
	switch {
	case len(terms) == 1 && utf8.RuneCountInString(terms[0]) == 1:
		return obj("term", obj(prefix+"_c", terms[0]))
	case len(terms) == 1:
		return obj("term", obj(prefix+"_x", terms[0]))
	}
	return obj("match_phrase", obj(prefix+"_x", map[string]any{"query": strings.Join(terms, " "), "slop": 0}))
}

// scoredRunClause is runClause scored by the run's occurrences: the
// exact fields' similarity (archive_occurrences) gives boost ×
// sat(min(occurrences, 3)), BM25's saturation with k1 1.2 and no length
// normalization, as the embedded engine's verifier scores a run.
func scoredRunClause(prefix string, terms []string, boost float64) map[string]any {
	switch {
	case len(terms) == 1 && utf8.RuneCountInString(terms[0]) == 1:
		return obj("term", obj(prefix+"_c", map[string]any{"value": terms[0], "boost": boost}))
	case len(terms) == 1:
		return obj("term", obj(prefix+"_x", map[string]any{"value": terms[0], "boost": boost}))
	}
	return obj("match_phrase", obj(prefix+"_x", map[string]any{"query": strings.Join(terms, " "), "slop": 0, "boost": boost}))
}

func obj(k string, v any) map[string]any { return map[string]any{k: v} }

// body returns the query DSL of q; scored adds the ranking clauses.
func (q *Query) body(scored bool) (map[string]any, error) {
	var filter, must, should []any
	for _, s := range q.Exact {
		c, err := exactClause(s, q.Scope)
		if err != nil {
			return nil, err
		}
		filter = append(filter, c)
	}
	words := strings.TrimSpace(q.Words)
	fields := []string{"head_w^3", "body_w"}
	if q.Scope == ScopeHead {
		fields = fields[:1]
	}
	if words != "" {
		mm := obj("multi_match", map[string]any{"query": WordTokens(words), "fields": fields, "operator": "and"})
		if len(q.Exact) == 0 {
			must = append(must, mm)
		} else if scored {
			should = append(should, mm)
		}
	}
	if scored {
		// The quoted strings rank too, as words of the folded text.
		for _, s := range q.Exact {
			should = append(should, obj("multi_match", map[string]any{"query": WordTokens(s), "fields": fields}))
		}
	}
	f := q.Filter
	for _, t := range []struct {
		field string
		vals  []string
	}{{"counties", f.Counties}, {"topics", f.Topics}, {"paper", f.Papers}, {"authors", f.Authors}, {"kind", f.Kinds}, {"id", f.IDs}} {
		if len(t.vals) > 0 {
			filter = append(filter, obj("terms", obj(t.field, t.vals)))
		}
	}
	if f.From != "" || f.To != "" {
		r := map[string]any{"format": "strict_date"}
		if f.From != "" {
			r["gte"] = f.From
		}
		if f.To != "" {
			r["lte"] = f.To
		}
		filter = append(filter, obj("range", obj("date", r)))
	}
	b := map[string]any{}
	if len(filter) > 0 {
		b["filter"] = filter
	}
	if len(must) > 0 {
		b["must"] = must
	}
	if len(should) > 0 {
		b["should"] = should
	}
	if len(b) == 0 {
		return obj("match_all", map[string]any{}), nil
	}
	return obj("bool", b), nil
}
