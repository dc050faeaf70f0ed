package index

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"newsarchive/engine"
	"newsarchive/index/analysis"
)

// NearQuery is the Bleve query of engine.Near: the articles whose folded
// head or body (head only for ScopeHead) holds an occurrence of every term
// with at most Within characters between them, beyond the terms' own
// characters (engine.Near defines it).
//
// Its candidates are the articles holding every term (the AND of the
// terms' exact-recall candidates, unverified); each is then checked on its
// folded text, the generation's in memory or, until that is loaded, its
// stored record folded on the spot, like the verification of
// ExactPhraseQuery.
type NearQuery struct {
	// Terms are folded runs of searchable characters, without repeats.
	Terms  []string `json:"terms"`
	Within int      `json:"within"`
	Scope  Scope    `json:"scope"`
}

// Searcher returns the searcher of the query (Bleve's query.Query).
func (q *NearQuery) Searcher(ctx context.Context, i bleveindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	if len(q.Terms) == 0 {
		return searcher.NewMatchNoneSearcher(i)
	}
	r := CurrentRanking()
	cand := &ExactPhraseQuery{Runs: q.Terms, Scope: q.Scope, HeadBoost: r.ExactHeadBoost, Weight: 1, ByLength: r.ExactByLength, unverified: true}
	s, err := cand.Searcher(ctx, i, m, options)
	if err != nil {
		return nil, err
	}
	v := &nearVerifier{v: newVerifier(i, cand, false), within: q.Within, scope: q.Scope}
	for _, t := range q.Terms {
		v.terms = append(v.terms, appendWide(nil, []byte(t)))
		v.lens = append(v.lens, utf8.RuneCountInString(t))
	}
	if t, ok := ctx.Value(textKey{}).(*foldedText); ok {
		v.text = t
	}
	return searcher.NewFilteringSearcher(ctx, s, v.accept), nil
}

// nearVerifier checks NearQuery candidates. One serves one searcher,
// driven from one goroutine.
type nearVerifier struct {
	v      *verifier   // reads stored records when text is nil
	text   *foldedText // the generation's folded text, or nil
	terms  [][]byte    // in the folded text's encoding (appendWide)
	lens   []int       // the terms' lengths in characters
	within int
	scope  Scope
	head   []byte // the candidate's folded head and body, when read from
	body   []byte // its stored record
	folded []byte // scratch: a field folded, before appendWide
	occ    [][]int
}

// accept keeps a candidate whose head or body has the terms close
// together. A candidate whose record cannot be read is kept: a search may
// return an article too many, never miss one.
func (n *nearVerifier) accept(_ *search.SearchContext, d *search.DocumentMatch) bool {
	var head, body []byte
	if n.text != nil {
		doc := docNumber(d.IndexInternalID)
		head, body = n.text.head(doc), n.text.body(doc)
	} else {
		if !n.v.load(d.IndexInternalID) {
			return true
		}
		n.folded = n.folded[:0]
		for k := range n.v.head {
			if k > 0 {
				n.folded = append(n.folded, '\n')
			}
			n.folded = appendFoldedJSON(n.folded, n.v.head[k].enc)
		}
		n.head = appendWide(n.head[:0], n.folded)
		n.folded = appendFoldedJSON(n.folded[:0], n.v.body.enc)
		n.body = appendWide(n.body[:0], n.folded)
		head, body = n.head, n.body
	}
	if n.near(head) {
		return true
	}
	return n.scope != ScopeHead && n.near(body)
}

// near reports whether text has an occurrence of every term within the
// distance.
func (n *nearVerifier) near(text []byte) bool {
	n.occ = n.occ[:0]
	for _, t := range n.terms {
		n.occ = append(n.occ, occurrences(text, t, nil))
		if len(n.occ[len(n.occ)-1]) == 0 {
			return false
		}
	}
	return analysis.NearSpan(n.occ, n.lens) <= n.within
}

// occurrences appends to dst the character offset in text of every
// occurrence of term, overlapping ones included, in order. Both are UTF-16
// (appendWide).
func occurrences(text, term []byte, dst []int) []int {
	runes, last := 0, 0
	for at := 0; ; {
		i := indexRun(text[at:], term, 0)
		if i < 0 {
			return dst
		}
		i += at
		runes += wideRunes(text[last:i])
		last = i
		dst = append(dst, runes)
		at = i + 2 // a term starts with a whole character: never inside a surrogate pair
	}
}

// nearQuery compiles an engine.Near: its terms folded and cut at
// characters that are not searchable (each run a term), without repeats.
func nearQuery(q engine.Near) (query.Query, error) {
	nq := &NearQuery{Within: q.Within}
	if q.Scope == engine.ScopeHead {
		nq.Scope = ScopeHead
	}
	nq.Terms = analysis.NearRuns(q.Terms)
	if len(nq.Terms) == 0 {
		return nil, fmt.Errorf("%w: %q has no searchable character", engine.ErrBadRequest, strings.Join(q.Terms, " "))
	}
	if q.Within < 0 {
		return nil, fmt.Errorf("%w: proximity %d is negative", engine.ErrBadRequest, q.Within)
	}
	return nq, nil
}
