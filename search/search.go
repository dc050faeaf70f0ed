// Package search turns a query string and filters into results: hits with
// their records and facets. It knows nothing of HTTP.
//
// The query language is documented in docs/query-syntax.md. This first
// version reads terms separated by spaces (all must match) and "quoted"
// exact strings; filters come from Request fields.
package search

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"newsarchive/corpus"
	"newsarchive/index"
)

// MaxSize is the largest page of hits a request may ask for.
const MaxSize = 100

// Request is a search: a query string and filters.
type Request struct {
	Query    string
	Counties []string // any of them (OR); gazetteer short names accepted
	Topics   []string // any of them (OR)
	From, To string   // YYYY-MM-DD, inclusive
	Size     int      // default 20
}

// Hit is one matching article.
type Hit struct {
	corpus.Article
	Score float64 `json:"score"`
}

// Result is the answer to a Request.
type Result struct {
	Total uint64        `json:"total"`
	Took  time.Duration `json:"-"`
	Hits  []Hit         `json:"hits"`
}

// ErrBadRequest wraps every error caused by the request itself.
var ErrBadRequest = errors.New("bad request")

// Searcher runs requests against an open index.
type Searcher struct {
	Index  *index.Index
	Tagger *corpus.Tagger // resolves county and topic names
}

// Search runs a request.
func (s *Searcher) Search(ctx context.Context, r Request) (*Result, error) {
	q, err := s.buildQuery(r)
	if err != nil {
		return nil, err
	}
	size := r.Size
	if size <= 0 {
		size = 20
	}
	if size > MaxSize {
		return nil, fmt.Errorf("%w: size %d is over the limit of %d", ErrBadRequest, size, MaxSize)
	}
	req := bleve.NewSearchRequestOptions(q, size, 0, false)
	req.Fields = []string{index.FieldRecord}
	start := time.Now()
	res, err := s.Index.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	out := &Result{Total: res.Total, Took: time.Since(start), Hits: make([]Hit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		a, err := index.DecodeRecord(h.Fields)
		if err != nil {
			return nil, fmt.Errorf("hit %s: %w", h.ID, err)
		}
		out.Hits = append(out.Hits, Hit{Article: a, Score: h.Score})
	}
	return out, nil
}

func (s *Searcher) buildQuery(r Request) (query.Query, error) {
	var musts []query.Query
	terms, err := splitTerms(r.Query)
	if err != nil {
		return nil, err
	}
	for _, t := range terms {
		var q query.Query
		if t.quoted {
			q = index.ExactQuery(t.text, index.ScopeAll)
		} else {
			q = index.TextQuery(t.text, index.ScopeAll)
		}
		if q == nil {
			return nil, fmt.Errorf("%w: %q has no letter, digit or Chinese character to search for", ErrBadRequest, t.text)
		}
		musts = append(musts, q)
	}
	if q, err := s.keywordFilter(index.FieldCounties, r.Counties, s.countyName); err != nil {
		return nil, err
	} else if q != nil {
		musts = append(musts, q)
	}
	if q, err := s.keywordFilter(index.FieldTopics, r.Topics, s.topicName); err != nil {
		return nil, err
	} else if q != nil {
		musts = append(musts, q)
	}
	if r.From != "" || r.To != "" {
		q, err := dateRange(r.From, r.To)
		if err != nil {
			return nil, err
		}
		musts = append(musts, q)
	}
	if len(musts) == 0 {
		return bleve.NewMatchAllQuery(), nil
	}
	return bleve.NewConjunctionQuery(musts...), nil
}

func (s *Searcher) countyName(name string) (string, bool) {
	if s.Tagger == nil || s.Tagger.Gazetteer == nil {
		return name, true
	}
	return s.Tagger.Gazetteer.Canonical(name)
}

func (s *Searcher) topicName(name string) (string, bool) {
	if s.Tagger == nil || s.Tagger.Taxonomy == nil {
		return name, true
	}
	return s.Tagger.Taxonomy.Canonical(name)
}

func (s *Searcher) keywordFilter(field string, values []string, canonical func(string) (string, bool)) (query.Query, error) {
	if len(values) == 0 {
		return nil, nil
	}
	var any []query.Query
	for _, v := range values {
		c, ok := canonical(strings.TrimSpace(v))
		if !ok {
			return nil, fmt.Errorf("%w: unknown %s %q", ErrBadRequest, strings.TrimSuffix(field, "s"), v)
		}
		q := bleve.NewTermQuery(c)
		q.SetField(field)
		any = append(any, q)
	}
	return bleve.NewDisjunctionQuery(any...), nil
}

func dateRange(from, to string) (query.Query, error) {
	parse := func(name, s string) (time.Time, error) {
		if s == "" {
			return time.Time{}, nil
		}
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return t, fmt.Errorf("%w: %s %q is not a date (want YYYY-MM-DD)", ErrBadRequest, name, s)
		}
		return t, nil
	}
	f, err := parse("from", from)
	if err != nil {
		return nil, err
	}
	t, err := parse("to", to)
	if err != nil {
		return nil, err
	}
	if !t.IsZero() {
		t = t.AddDate(0, 0, 1) // inclusive
	}
	if !f.IsZero() && !t.IsZero() && !f.Before(t) {
		return nil, fmt.Errorf("%w: from %s is after to %s", ErrBadRequest, from, to)
	}
	incl, excl := true, false
	q := bleve.NewDateRangeInclusiveQuery(f, t, &incl, &excl)
	q.SetField(index.FieldDate)
	return q, nil
}

type term struct {
	text   string
	quoted bool
}

// splitTerms splits a query into space-separated terms and "quoted"
// strings (straight or curly quotes).
func splitTerms(s string) ([]term, error) {
	var terms []term
	rs := []rune(s)
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case r == ' ' || r == '\t' || r == '\u3000':
			i++
		case r == '"' || r == '“' || r == '”':
			j := i + 1
			for j < len(rs) && rs[j] != '"' && rs[j] != '”' && rs[j] != '“' {
				j++
			}
			if j == len(rs) {
				return nil, fmt.Errorf("%w: the quote at character %d is not closed", ErrBadRequest, i+1)
			}
			terms = append(terms, term{string(rs[i+1 : j]), true})
			i = j + 1
		default:
			j := i
			for j < len(rs) && rs[j] != ' ' && rs[j] != '\t' && rs[j] != '\u3000' && rs[j] != '"' {
				j++
			}
			terms = append(terms, term{string(rs[i:j]), false})
			i = j
		}
	}
	return terms, nil
}
