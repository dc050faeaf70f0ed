package opensearch

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"newsarchive/engine"
	"newsarchive/index/analysis"
)

// keywordFields are the engine's keyword fields as the mapping names them
// (the same names).
var keywordFields = map[string]bool{
	engine.FieldCounties: true, engine.FieldProvinces: true, engine.FieldPrefectures: true,
	engine.FieldPlace: true, engine.FieldTopics: true, engine.FieldAuthors: true, engine.FieldPaper: true,
	engine.FieldKind: true, engine.FieldMonth: true, engine.FieldPlaceTopic: true,
}

// compile turns an engine-neutral query into the query DSL. Matching is
// decided by filter clauses only (the exact-recall clauses of Text, terms,
// ranges); the scoring clauses (BM25 on the folded words) are should
// clauses beside them, so they rank and never select.
func compile(q engine.Query) (map[string]any, error) { return compiler{norm: 1}.compile(q) }

// compiler compiles with the query norm of the word clauses: Bleve
// scales every word's score by 1/sqrt of the sum of the query's squared
// word weights (boost times idf), not the exact runs' (see queryNorm).
type compiler struct {
	norm float64
	near map[string][]string // the verified ids of each engine.Near, by nearKey
}

func (c compiler) compile(q engine.Query) (map[string]any, error) {
	switch q := q.(type) {
	case nil, engine.All:
		return obj("match_all", map[string]any{}), nil
	case engine.Text:
		return textClause(q, c.norm)
	case engine.Near:
		ids, ok := c.near[nearKey(q)]
		if !ok {
			return nil, fmt.Errorf("opensearch: proximity %q not verified", q.Terms)
		}
		return nearClause(q, ids), nil
	case engine.Term:
		if !keywordFields[q.Field] {
			return nil, fmt.Errorf("%w: no keyword field %q", engine.ErrBadRequest, q.Field)
		}
		// A keyword weighs little against text, as on the embedded
		// engine (index's termBoost).
		return obj("term", obj(q.Field, map[string]any{"value": q.Value, "boost": termBoost})), nil
	case engine.DateRange:
		return dateRange(q.From, q.To), nil
	case engine.Or:
		if len(q.Any) == 0 {
			return obj("match_none", map[string]any{}), nil
		}
		anyOf := make([]any, 0, len(q.Any))
		for _, x := range q.Any {
			b, err := c.compile(x)
			if err != nil {
				return nil, err
			}
			anyOf = append(anyOf, b)
		}
		return obj("bool", map[string]any{"should": coordinated(anyOf), "minimum_should_match": 1}), nil
	case engine.And:
		must := make([]any, 0, len(q.Must))
		for _, x := range q.Must {
			b, err := c.compile(x)
			if err != nil {
				return nil, err
			}
			must = append(must, b)
		}
		if len(must) == 0 {
			must = append(must, obj("match_all", map[string]any{}))
		}
		b := map[string]any{"must": must}
		if len(q.Not) > 0 {
			not := make([]any, 0, len(q.Not))
			for _, x := range q.Not {
				nb, err := c.compile(x)
				if err != nil {
					return nil, err
				}
				not = append(not, nb)
			}
			b["must_not"] = not
		}
		return obj("bool", b), nil
	}
	return nil, fmt.Errorf("opensearch: unknown query node %T", q)
}

// maxCoordinated is the most alternatives of an Or scored with Bleve's
// coordination factor; more are summed without it.
const maxCoordinated = 6

// coordinated returns the should clauses of alternatives scored as a
// Bleve disjunction scores them: the sum of the matching ones' scores
// times the share of them that match (k of n). That is the sum over
// every pair (i, j) of alternative i's score when j matches too, over n:
// n² clauses, for n up to maxCoordinated.
func coordinated(alts []any) []any {
	n := len(alts)
	if n < 2 || n > maxCoordinated {
		return alts
	}
	out := make([]any, 0, n*n)
	for i, a := range alts {
		for j, b := range alts {
			c := map[string]any{"must": []any{a}, "boost": 1 / float64(n)}
			if i != j {
				c["filter"] = []any{b}
			}
			out = append(out, obj("bool", c))
		}
	}
	return out
}

// The ranking of the embedded engine (index.DefaultRanking; a test checks
// they agree), for the nearest order the cluster can give.
const (
	headBoost      = 0.01 // a word in the head against one in the body
	exactHeadBoost = 3    // a run found in the head against the body
	exactWeight    = 1    // the exact path against the word path
	phraseWords    = 1    // the words of a quoted string, beside its runs
	termBoost      = 0.01 // a keyword term against text
)

// textClause is an engine.Text, as the embedded engine means it
// (index.TextQuery, index.PhraseQuery):
//
//   - quoted (Exact): the articles holding every run of the string
//     (exactClause), ranked by the runs found (a constant per run and
//     field, weighed by the run's length) and the BM25 of any of its gse
//     words;
//   - bare: those articles, and those whose head or whose body holds
//     every gse word of the string, ranked by the words' BM25 (the head's
//     weighed by headBoost) plus the exact runs' score when the string
//     has two words or more.
func textClause(q engine.Text, norm float64) (map[string]any, error) {
	scope := ScopeAll
	if q.Scope == engine.ScopeHead {
		scope = ScopeHead
	}
	exact, err := exactClause(q.Text, scope)
	if errors.Is(err, ErrNoSearchable) {
		return nil, fmt.Errorf("%w: %q has no searchable character", engine.ErrBadRequest, q.Text)
	}
	if err != nil {
		return nil, err
	}
	words := analysis.Words(q.Text)
	tokens := strings.Join(words, " ")
	match := func(field string, boost float64, operator string) map[string]any {
		return obj("match", obj(field, map[string]any{"query": tokens, "operator": operator, "boost": boost * norm}))
	}
	wordFields := func(operator string, weight float64) []any {
		if tokens == "" {
			return nil
		}
		if scope == ScopeHead {
			return []any{match("head_w", weight, operator)}
		}
		return []any{match("head_w", headBoost*weight, operator), match("body_w", weight, operator)}
	}
	if q.Exact {
		return obj("bool", map[string]any{
			"must":   []any{exactScored(q.Text, scope, exact, 1, true)},
			"should": wordFields("or", phraseWords),
		}), nil
	}
	weight := float64(exactWeight)
	if len(words) < 2 {
		weight = 0
	}
	return obj("bool", map[string]any{
		"should":               append(wordFields("and", 1), exactScored(q.Text, scope, exact, weight, true)),
		"minimum_should_match": 1,
	}), nil
}

// exactScored matches exact and scores each run of s found in the head
// (exactHeadBoost) or the body (1), weighed by its length in characters
// less one, all times weight. Where the embedded engine verifies the
// string (a run of three characters or more) its verifier also counts
// each run's occurrences (up to three, saturated), and so does the
// cluster (scoredRunClause; Lucene counts overlapping occurrences, 哈哈
// twice in 哈哈哈, the embedded engine does not); otherwise, and with
// counted false (a proximity's candidates, which the embedded engine
// does not rescore), a run found scores its boost once.
func exactScored(s string, scope Scope, exact map[string]any, weight float64, counted bool) map[string]any {
	rs := runs(s)
	long := false
	for _, terms := range rs {
		long = long || utf8.RuneCountInString(analysis.RunText(terms)) > 2
	}
	var should []any
	for _, terms := range rs {
		w := weight * max(1, float64(utf8.RuneCountInString(analysis.RunText(terms))-1))
		for _, p := range []string{"head", "body"} {
			if p == "body" && scope == ScopeHead {
				continue
			}
			boost := w
			if p == "head" {
				boost *= exactHeadBoost
			}
			if counted && long {
				should = append(should, scoredRunClause(p, terms, boost))
			} else {
				should = append(should, obj("constant_score", map[string]any{"filter": runClause(p, terms), "boost": boost}))
			}
		}
	}
	return obj("bool", map[string]any{"filter": []any{exact}, "should": should})
}

// dateRange matches the dates in [from, to); a zero time is an open end.
// The mapping's dates are days at midnight UTC.
func dateRange(from, to time.Time) map[string]any {
	r := map[string]any{"format": "strict_date_optional_time"}
	if !from.IsZero() {
		r["gte"] = from.UTC().Format(time.RFC3339Nano)
	}
	if !to.IsZero() {
		r["lt"] = to.UTC().Format(time.RFC3339Nano)
	}
	return obj("range", obj("date", r))
}

// filterClause is the clause of one filter.
func filterClause(f engine.Filter) (map[string]any, error) {
	if f.Field == engine.FieldDate {
		return dateRange(f.From, f.To), nil
	}
	if !keywordFields[f.Field] {
		return nil, fmt.Errorf("%w: no keyword field %q for filter %s", engine.ErrBadRequest, f.Field, f.Name)
	}
	vals := f.Values
	if vals == nil {
		vals = []string{}
	}
	return obj("terms", obj(f.Field, vals)), nil
}

// filterClauses are the clauses of every filter but those named skip
// ("" skips none).
func filterClauses(fs []engine.Filter, skip string) ([]any, error) {
	out := []any{}
	for _, f := range fs {
		if skip != "" && f.Name == skip {
			continue
		}
		c, err := filterClause(f)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
