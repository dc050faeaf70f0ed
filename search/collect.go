package search

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"newsarchive/index"
)

// A search runs in one pass over the documents its query matches
// (index.Match): each document is checked against the request's filters
// and counted in the facets on the in-memory columns, and the best ones
// are kept in a heap. Facets are disjunctive: a document failing exactly
// one filter still counts in that filter's facet.

// filter keeps the documents whose values in a column include one of a
// set, or whose date is in a range.
type filter struct {
	col      *index.Column // nil for a date range
	want     []bool        // by ordinal of col
	from, to int64         // the date range [from, to), Unix nanoseconds
}

// newValueFilter keeps the documents having one of values in column col.
func newValueFilter(col *index.Column, values []string) *filter {
	f := &filter{col: col, want: make([]bool, len(col.Values))}
	for _, v := range values {
		if o, ok := col.Ordinal(v); ok {
			f.want[o] = true
		}
	}
	return f
}

// newDateFilter keeps the documents dated in [from, to); a zero time is an
// open end.
func newDateFilter(from, to time.Time) *filter {
	f := &filter{from: math.MinInt64 + 1, to: math.MaxInt64}
	if !from.IsZero() {
		f.from = from.UnixNano()
	}
	if !to.IsZero() {
		f.to = to.UnixNano()
	}
	return f
}

func (f *filter) keep(cols *index.Columns, d uint32) bool {
	if f.col == nil {
		date := cols.Date[d]
		return date != index.NoDate && date >= f.from && date < f.to
	}
	for _, o := range f.col.Ordinals(d) {
		if f.want[o] {
			return true
		}
	}
	return false
}

// facetSpec is a facet to count: its name, the column it counts, how many
// values to return, and whether they are ordered by value (dates) rather
// than by count.
type facetSpec struct {
	name    string
	field   string
	size    int
	byValue bool
}

// collectOptions say what a pass collects.
type collectOptions struct {
	hits   int         // the best hits to keep (page offset + size)
	facets []facetSpec // the facets to count
}

// collected is the result of a pass.
type collected struct {
	total    uint64
	eligible uint64      // of total, those after the request's cursor
	hits     []scoredDoc // best first
	facets   map[string][]FacetValue
}

// scoredDoc is a matching document and its sort keys.
type scoredDoc struct {
	doc   uint32
	score float64
	date  int64 // for date orders; NoDate sorts last
	id    int64 // id ordinal: ties are broken by article id
}

// order compares documents in a sort order.
type order struct {
	sort string
}

// before reports whether a sorts before b.
func (o order) before(a, b *scoredDoc) bool {
	switch o.sort {
	case SortNewest:
		if a.date != b.date {
			return a.date > b.date
		}
	case SortOldest:
		if a.date != b.date {
			return lastIfNone(a.date) < lastIfNone(b.date)
		}
	default:
		if a.score != b.score {
			return a.score > b.score
		}
	}
	return a.id < b.id
}

func lastIfNone(date int64) int64 {
	if date == index.NoDate {
		return math.MaxInt64
	}
	return date
}

// worstFirst is a heap of the best hits so far with the worst on top.
type worstFirst struct {
	docs []scoredDoc
	o    order
}

func (h *worstFirst) Len() int           { return len(h.docs) }
func (h *worstFirst) Less(i, j int) bool { return h.o.before(&h.docs[j], &h.docs[i]) }
func (h *worstFirst) Swap(i, j int)      { h.docs[i], h.docs[j] = h.docs[j], h.docs[i] }
func (h *worstFirst) Push(x any)         { h.docs = append(h.docs, x.(scoredDoc)) }
func (h *worstFirst) Pop() any {
	last := h.docs[len(h.docs)-1]
	h.docs = h.docs[:len(h.docs)-1]
	return last
}

// collect runs the plan's query once and collects what opts ask for.
func (s *Searcher) collect(ctx context.Context, p *plan, opts collectOptions) (*collected, error) {
	cols := s.Index.Columns()
	// The filters in a fixed order; a facet's filter has the facet's name.
	type namedFilter struct {
		name string
		f    *filter
	}
	var filters []namedFilter
	for _, name := range filterOrder {
		if f := p.filters[name]; f != nil {
			filters = append(filters, namedFilter{name, f})
		}
	}
	// The facets, and for each the index in filters of its own filter (-1
	// for none).
	facetCols := make([]*index.Column, len(opts.facets))
	ownFilter := make([]int, len(opts.facets))
	for i, spec := range opts.facets {
		if facetCols[i] = cols.Column(spec.field); facetCols[i] == nil {
			return nil, fmt.Errorf("search: no column for facet %s (%s)", spec.name, spec.field)
		}
		ownFilter[i] = -1
		for j, f := range filters {
			if f.name == spec.name {
				ownFilter[i] = j
			}
		}
	}
	// The facet counting the documents that fail only filter j.
	facetOfFilter := make([]int, len(filters))
	for j := range filters {
		facetOfFilter[j] = -1
	}
	for i, j := range ownFilter {
		if j >= 0 {
			facetOfFilter[j] = i
		}
	}

	o := order{p.sort}
	var after *scoredDoc
	if p.after != nil {
		k, err := afterKey(p.sort, p.after, cols)
		if err != nil {
			return nil, badRequest("after cursor: %v", err)
		}
		after = &k
	}

	// Each part of the match has its own counts and heap, merged at the end.
	type partState struct {
		total, eligible uint64
		counts          [][]int // by facet, by ordinal
		top             worstFirst
	}
	parts := make([]partState, s.Index.Parts())
	for i := range parts {
		parts[i].counts = make([][]int, len(opts.facets))
		for f, col := range facetCols {
			parts[i].counts[f] = make([]int, len(col.Values))
		}
		parts[i].top = worstFirst{o: o, docs: make([]scoredDoc, 0, min(opts.hits, 1024))}
	}
	err := s.Index.Match(ctx, p.text, p.sort == SortRelevance, func(part int, d uint32, score float64) {
		st := &parts[part]
		failed, fails := -1, 0
		for j := range filters {
			if !filters[j].f.keep(cols, d) {
				failed = j
				if fails++; fails > 1 {
					return
				}
			}
		}
		if fails == 1 {
			if f := facetOfFilter[failed]; f >= 0 {
				for _, o := range facetCols[f].Ordinals(d) {
					st.counts[f][o]++
				}
			}
			return
		}
		st.total++
		for f, col := range facetCols {
			for _, o := range col.Ordinals(d) {
				st.counts[f][o]++
			}
		}
		if opts.hits == 0 {
			return
		}
		sd := scoredDoc{doc: d, score: score, date: cols.Date[d], id: int64(cols.ID.First(d))}
		if after != nil && !o.before(after, &sd) {
			return
		}
		st.eligible++
		if st.top.Len() < opts.hits {
			heap.Push(&st.top, sd)
		} else if o.before(&sd, &st.top.docs[0]) {
			st.top.docs[0] = sd
			heap.Fix(&st.top, 0)
		}
	})
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}

	out := &collected{facets: map[string][]FacetValue{}}
	for i := range parts {
		out.total += parts[i].total
		out.eligible += parts[i].eligible
		out.hits = append(out.hits, parts[i].top.docs...)
	}
	slices.SortFunc(out.hits, func(a, b scoredDoc) int {
		if o.before(&a, &b) {
			return -1
		}
		return 1
	})
	out.hits = out.hits[:min(len(out.hits), opts.hits)]
	for f, spec := range opts.facets {
		counts := parts[0].counts[f]
		for i := 1; i < len(parts); i++ {
			for o, n := range parts[i].counts[f] {
				counts[o] += n
			}
		}
		out.facets[spec.name] = topValues(facetCols[f].Values, counts, spec)
	}
	return out, nil
}

// filterOrder is the order in which filters are checked.
var filterOrder = []string{"county", "prefecture", "province", "topic", "author", "paper", "date"}

// topValues are a facet's values with a count, the most frequent first (ties
// by value), or by value for a facet so specified; at most spec.size.
func topValues(values []string, counts []int, spec facetSpec) []FacetValue {
	out := []FacetValue{}
	for o, n := range counts {
		if n > 0 && values[o] != "" { // an unknown paper or date is not a value
			out = append(out, FacetValue{Value: values[o], Count: n})
		}
	}
	if !spec.byValue {
		// Values are in byte order already: a stable sort by count keeps it
		// for ties.
		slices.SortStableFunc(out, func(a, b FacetValue) int { return b.Count - a.Count })
	}
	if len(out) > spec.size {
		out = out[:spec.size]
	}
	return out
}

// hit reads the record of a collected document.
func (s *Searcher) hit(sd scoredDoc, hl *highlighter) (Hit, error) {
	a, err := s.Index.RecordAt(sd.doc)
	if err != nil {
		return Hit{}, fmt.Errorf("hit %d: %w", sd.doc, err)
	}
	return newHit(a, sd.score, hl), nil
}

// sortValue is a collected document's first sort value as a cursor holds
// it: the score, or the date in RFC 3339 ("" for none).
func (p *plan) sortValue(sd scoredDoc) string {
	if p.sort == SortRelevance {
		return formatScore(sd.score)
	}
	if sd.date == index.NoDate {
		return ""
	}
	return time.Unix(0, sd.date).UTC().Format(time.RFC3339Nano)
}

// afterKey is the place of a cursor's values in the order: a document
// comes after the cursor when afterKey sorts before it.
func afterKey(sortOrder string, values []string, cols *index.Columns) (scoredDoc, error) {
	var sd scoredDoc
	switch {
	case sortOrder == SortRelevance:
		score, err := strconv.ParseFloat(values[0], 64)
		if err != nil {
			return sd, err
		}
		sd.score = score
	case values[0] == "":
		sd.date = index.NoDate
	default:
		t, err := time.Parse(time.RFC3339Nano, values[0])
		if err != nil {
			return sd, err
		}
		sd.date = t.UnixNano()
	}
	// With an equal key, the documents after the cursor are those whose
	// id sorts after its id (which need not be in this generation).
	sd.id = int64(cols.IDOrdinalAfter(values[1])) - 1
	return sd, nil
}

func formatScore(score float64) string { return strconv.FormatFloat(score, 'g', -1, 64) }
