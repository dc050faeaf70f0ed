package search

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode"

	"newsarchive/corpus/textnorm"
	"newsarchive/engine"
)

// DefaultSuggestBelow is the number of hits under which a search offers
// other spellings (Searcher.SuggestBelow).
const DefaultSuggestBelow = 30

// Limits of "did you mean".
const (
	maxSuggestions = 3  // spellings offered
	maxCounted     = 12 // candidate spellings counted by the engine per query
	maxAuthorHints = 4  // query words looked up as authors
)

// Suggestion is another spelling of a query that finds more articles:
// the query with one of its words replaced by a close word of the
// vocabulary (docs/query-syntax.md), and its number of hits with the same
// filters.
type Suggestion struct {
	Query string `json:"query"`
	Hits  uint64 `json:"hits"`
}

// AuthorHint says that a word of the query is an author's name: Hits
// articles carry Name in their byline, and Query (author:Name) finds them.
type AuthorHint struct {
	Name  string `json:"name"`
	Hits  uint64 `json:"hits"`
	Query string `json:"query"`
}

// candidate is a spelling to count.
type candidate struct {
	query string
	// exact is query with the changed word quoted: the spelling must
	// occur as it is, not only as scattered words.
	exact string
	cost  float64
	rank  int
}

// suggest returns the spellings of r's query that find more than total
// articles, best first. A spelling is r's query with a window of two to
// four characters of a text term replaced by a close vocabulary word
// (vocabulary.similar); the maxCounted cheapest are counted, and one is
// kept when its changed term, quoted, occurs in the archive and the query
// finds more than total articles. They are ranked by the log of the quoted
// count less twice the cost of the change. Terms in authors (names) are
// left as they are.
func (s *Searcher) suggest(ctx context.Context, r Request, n node, total uint64, authors map[string]bool) ([]Suggestion, error) {
	rs := []rune(r.Query)
	var cands []candidate
	seen := map[string]bool{r.Query: true}
	var v *vocabulary
	for _, t := range textTerms(n, nil) {
		if authors[strings.TrimSpace(t.text)] {
			continue // a name, not a misspelling
		}
		start, end, ok := locate(rs, t)
		if !ok {
			continue
		}
		folded := []rune(textnorm.String(string(rs[start:end])))
		if len(folded) != end-start {
			continue // folding changed the length: positions would not map back
		}
		if v == nil {
			v = theVocabulary()
		}
		for i := 0; i < len(folded); i++ {
			for w := minWordLen; w <= maxWordLen && i+w <= len(folded); w++ {
				if !allHan(string(folded[i : i+w])) {
					break
				}
				for _, rep := range v.similar(folded[i : i+w]) {
					if len(folded) <= 2 && rep.cost > 1 {
						// A term of two characters is half changed by
						// one: only a homophone or a swap is offered
						// (赵雪 is not 暴雪).
						continue
					}
					term := string(rs[start:start+i]) + rep.word + string(rs[start+i+w:end])
					q := string(rs[:start]) + term + string(rs[end:])
					if seen[q] {
						continue
					}
					seen[q] = true
					exact := q
					if !t.quoted {
						exact = string(rs[:start]) + `"` + term + `"` + string(rs[end:])
					}
					cands = append(cands, candidate{query: q, exact: exact, cost: rep.cost, rank: rep.rank})
				}
			}
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].cost != cands[j].cost {
			return cands[i].cost < cands[j].cost
		}
		return cands[i].rank < cands[j].rank
	})
	type counted struct {
		Suggestion
		score float64
	}
	var out []counted
	for _, c := range cands[:min(len(cands), maxCounted)] {
		exact, err := s.count(ctx, r, c.exact)
		if err != nil {
			return nil, err
		}
		if exact == 0 {
			continue
		}
		hits, err := s.count(ctx, r, c.query)
		if err != nil {
			return nil, err
		}
		if hits > total {
			// The spelling's own frequency against the size of the change.
			score := math.Log1p(float64(exact)) - 2*c.cost
			out = append(out, counted{Suggestion{Query: c.query, Hits: hits}, score})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score > out[j].score })
	sugg := make([]Suggestion, 0, maxSuggestions)
	for _, c := range out[:min(len(out), maxSuggestions)] {
		sugg = append(sugg, c.Suggestion)
	}
	return sugg, nil
}

// count returns the number of hits of r with query q instead of its own;
// 0 for a query that does not parse.
func (s *Searcher) count(ctx context.Context, r Request, q string) (uint64, error) {
	r.Query, r.Page, r.Size, r.After = q, 0, 0, ""
	p, err := s.plan(r)
	if err != nil {
		return 0, nil // the replacement made the query malformed
	}
	res, err := s.Engine.Search(ctx, p.request(nil, 0, 0))
	if err != nil {
		return 0, fmt.Errorf("count suggestion %q: %w", q, err)
	}
	return res.Total, nil
}

// textTerms appends the text terms of a query (unquoted, quoted, title:)
// that are not negated.
func textTerms(n node, out []termNode) []termNode {
	switch n := n.(type) {
	case termNode:
		if n.field == "" || n.field == fieldTitle {
			out = append(out, n)
		}
	case andNode:
		for _, c := range n.children {
			out = textTerms(c, out)
		}
	case orNode:
		for _, c := range n.children {
			out = textTerms(c, out)
		}
	}
	return out
}

// locate finds a term's text in the query's runes, at or after its
// position.
func locate(rs []rune, t termNode) (start, end int, ok bool) {
	text := []rune(t.text)
	if len(text) == 0 {
		return 0, 0, false
	}
	for i := max(t.pos-1, 0); i+len(text) <= len(rs); i++ {
		if string(rs[i:i+len(text)]) == t.text {
			return i, i + len(text), true
		}
	}
	return 0, 0, false
}

// authorHints returns, for each bare word of the query that is an author's
// name, its number of articles in the whole archive.
func (s *Searcher) authorHints(ctx context.Context, n node) ([]AuthorHint, error) {
	out := []AuthorHint{}
	seen := map[string]bool{}
	for _, t := range textTerms(n, nil) {
		name := strings.TrimSpace(t.text)
		if t.field != "" || t.quoted || seen[name] || len(seen) == maxAuthorHints || strings.IndexFunc(name, unicode.IsSpace) >= 0 {
			continue
		}
		seen[name] = true
		res, err := s.Engine.Search(ctx, &engine.Request{Query: engine.Term{Field: engine.FieldAuthors, Value: name}})
		if err != nil {
			return nil, fmt.Errorf("count author %q: %w", name, err)
		}
		if res.Total > 0 {
			out = append(out, AuthorHint{Name: name, Hits: res.Total, Query: fieldAuthor + ":" + name})
		}
	}
	return out, nil
}
