package index

import (
	"context"
	"math"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// SumQuery matches the articles any of its queries matches and scores
// each by the sum of the scores of the queries that match it. Bleve's
// disjunction multiplies that sum by the share of its queries that
// matched (a coordination factor): for a word in the head or the body,
// that halves an article that has it only in its body, the known-item
// evaluation's most common case, against one that also has it in its
// title. Without scores it is Bleve's disjunction.
type SumQuery struct {
	Queries []query.Query `json:"queries"`
}

// Searcher returns the searcher of the query (Bleve's query.Query).
func (q *SumQuery) Searcher(ctx context.Context, i bleveindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	var children []search.Searcher
	for _, c := range q.Queries {
		s, err := c.Searcher(ctx, i, m, options)
		if err != nil {
			closeAll(children)
			return nil, err
		}
		children = append(children, s)
	}
	if options.Score == "none" || len(children) < 2 {
		if len(children) == 1 {
			return children[0], nil
		}
		return searcher.NewDisjunctionSearcher(ctx, i, children, 0, options)
	}
	s := &sumSearcher{children: children, curr: make([]*search.DocumentMatch, len(children))}
	s.computeQueryNorm()
	return s, nil
}

// computeQueryNorm normalizes the children's weights as Bleve's
// disjunction does (a composite above sets the norm again).
func (s *sumSearcher) computeQueryNorm() {
	w := s.Weight()
	if w <= 0 {
		return
	}
	s.SetQueryNorm(1 / math.Sqrt(w))
}

// sumSearcher is SumQuery's scoring searcher: a disjunction over its
// children in document order, scoring the plain sum.
type sumSearcher struct {
	children []search.Searcher
	curr     []*search.DocumentMatch // each child's current match; nil: exhausted
	started  bool
	min      bleveindex.IndexInternalID
}

func (s *sumSearcher) start(ctx *search.SearchContext) error {
	s.started = true
	for k, c := range s.children {
		d, err := c.Next(ctx)
		if err != nil {
			return err
		}
		s.curr[k] = d
	}
	return nil
}

// Next returns the next document any child matches, scored by the sum of
// the children's scores on it.
func (s *sumSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if !s.started {
		if err := s.start(ctx); err != nil {
			return nil, err
		}
	}
	var first *search.DocumentMatch
	for _, d := range s.curr {
		if d != nil && (first == nil || d.IndexInternalID.Compare(first.IndexInternalID) < 0) {
			first = d
		}
	}
	if first == nil {
		return nil, nil
	}
	s.min = append(s.min[:0], first.IndexInternalID...)
	var rv *search.DocumentMatch
	sum := 0.0
	for k, d := range s.curr {
		if d == nil || !d.IndexInternalID.Equals(s.min) {
			continue
		}
		sum += d.Score
		if rv == nil {
			rv = d
		} else {
			ctx.DocumentMatchPool.Put(d)
		}
		next, err := s.children[k].Next(ctx)
		if err != nil {
			return nil, err
		}
		s.curr[k] = next
	}
	rv.Score = sum
	rv.Expl = nil
	return rv, nil
}

// Advance moves every child to ID or after it and returns the first match
// from there.
func (s *sumSearcher) Advance(ctx *search.SearchContext, id bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	for k, c := range s.children {
		d := s.curr[k]
		if s.started && d == nil {
			continue // exhausted
		}
		if s.started && d.IndexInternalID.Compare(id) >= 0 {
			continue
		}
		if d != nil {
			ctx.DocumentMatchPool.Put(d)
		}
		next, err := c.Advance(ctx, id)
		if err != nil {
			return nil, err
		}
		s.curr[k] = next
	}
	s.started = true
	return s.Next(ctx)
}

// Close closes the children.
func (s *sumSearcher) Close() error {
	var first error
	for _, c := range s.children {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Weight is the sum of the children's weights.
func (s *sumSearcher) Weight() float64 {
	w := 0.0
	for _, c := range s.children {
		w += c.Weight()
	}
	return w
}

// SetQueryNorm passes the norm to the children.
func (s *sumSearcher) SetQueryNorm(n float64) {
	for _, c := range s.children {
		c.SetQueryNorm(n)
	}
}

// Count is the sum of the children's counts (an upper bound).
func (s *sumSearcher) Count() uint64 {
	var n uint64
	for _, c := range s.children {
		n += c.Count()
	}
	return n
}

// Min is 0: one matching child is enough.
func (s *sumSearcher) Min() int { return 0 }

// Size estimates the searcher's memory.
func (s *sumSearcher) Size() int {
	n := 64 + len(s.min)
	for _, c := range s.children {
		n += c.Size() + 8
	}
	return n
}

// DocumentMatchPoolSize is what the children need, plus one match held
// per child.
func (s *sumSearcher) DocumentMatchPoolSize() int {
	n := len(s.children)
	for _, c := range s.children {
		n += c.DocumentMatchPoolSize()
	}
	return n
}
