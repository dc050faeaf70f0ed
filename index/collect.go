package index

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"

	"newsarchive/engine"
)

// A search runs in one pass over the documents its query matches (Match):
// each document is checked against the request's filters and counted in
// the facets on the in-memory columns, and the best ones are kept in a
// heap. Facets are disjunctive: a document failing exactly one filter
// still counts in that filter's facet.

// filter keeps the documents whose values in a column include one of a
// set, or whose date is in a range.
type filter struct {
	col      *Column // nil for a date range
	want     []bool  // by ordinal of col
	from, to int64   // the date range [from, to), Unix nanoseconds
}

// newValueFilter keeps the documents having one of values in column col.
func newValueFilter(col *Column, values []string) *filter {
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

// passing appends to dst the live documents of [lo, hi) that a value
// filter keeps, increasing, from its column's inverted lists.
func (f *filter) passing(cols *Columns, lo, hi uint32, dst []uint32) []uint32 {
	lists := 0
	for o, want := range f.want {
		if !want {
			continue
		}
		docs := f.col.docsOf(uint32(o))
		i, _ := slices.BinarySearch(docs, lo)
		j, _ := slices.BinarySearch(docs, hi)
		if i == j {
			continue
		}
		lists++
		for _, d := range docs[i:j] {
			if cols.Live(d) {
				dst = append(dst, d)
			}
		}
	}
	if lists > 1 { // a document with two of the values is in both lists
		slices.Sort(dst)
		dst = slices.Compact(dst)
	}
	return dst
}

func (f *filter) keep(cols *Columns, d uint32) bool {
	if f.col == nil {
		date := cols.Date[d]
		return date != NoDate && date >= f.from && date < f.to
	}
	for _, o := range f.col.Ordinals(d) {
		if f.want[o] {
			return true
		}
	}
	return false
}

// collectOptions say what a pass collects.
type collectOptions struct {
	hits   int            // the best hits to keep (page offset + size)
	facets []engine.Facet // the facets to count
}

// collected is the result of a pass.
type collected struct {
	total    uint64
	eligible uint64      // of total, those after the request's cursor
	hits     []scoredDoc // best first
	facets   map[string][]engine.FacetValue
	// unscored is the number of matches a first page in relevance order
	// left unscored: they could not reach it (blockmax.go).
	unscored uint64
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
	case engine.SortNewest:
		if a.date != b.date {
			return a.date > b.date
		}
	case engine.SortOldest:
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

// primary compares a and b on the order's first key only: -1 when a
// sorts before b, 1 after, 0 on a tie (which the ids break).
func (o order) primary(a, b *scoredDoc) int {
	switch o.sort {
	case engine.SortNewest:
		return cmpBefore(a.date > b.date, a.date < b.date)
	case engine.SortOldest:
		da, db := lastIfNone(a.date), lastIfNone(b.date)
		return cmpBefore(da < db, da > db)
	}
	return cmpBefore(a.score > b.score, a.score < b.score)
}

func cmpBefore(before, after bool) int {
	switch {
	case before:
		return -1
	case after:
		return 1
	}
	return 0
}

func lastIfNone(date int64) int64 {
	if date == NoDate {
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

// collect runs the query once, keeping the documents that pass the
// filters, and collects what opts ask for, in order o after the cursor
// place after (nil: from the start).
func (x *Index) collect(ctx context.Context, q query.Query, filters []namedFilter, o order, after *scoredDoc, opts collectOptions) (*collected, error) {
	cols := x.Columns()
	// The facets, and for each the index in filters of its own filter (-1
	// for none).
	facetCols := make([]*Column, len(opts.facets))
	ownFilter := make([]int, len(opts.facets))
	for i, spec := range opts.facets {
		if facetCols[i] = cols.Column(spec.Field); facetCols[i] == nil {
			return nil, fmt.Errorf("%w: no keyword column %q for facet %s", engine.ErrBadRequest, spec.Field, spec.Name)
		}
		ownFilter[i] = -1
		for j, f := range filters {
			if f.name == spec.Name {
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

	parts := make([]partState, x.Parts())
	rows := cols.rows(facetCols)
	for i := range parts {
		parts[i].counts = make([][]int, len(opts.facets))
		for f, col := range facetCols {
			parts[i].counts[f] = make([]int, len(col.Values))
		}
		parts[i].top = worstFirst{o: o, docs: make([]scoredDoc, 0, min(opts.hits, 1024))}
	}
	// The first page in relevance order scores only the matches that
	// could reach it (blockmax.go): the matches are found unscored first.
	prune := o.sort == engine.SortRelevance && after == nil && opts.hits > 0 && q != nil &&
		!x.SearcherMatch && !x.ScoreEveryMatch && vectorizable(q) && boundable(q) &&
		(worthBounding(q) || x.blockTuning.always)
	score := o.sort == engine.SortRelevance && !prune
	// offer puts the kept matches that sort before the page's worst hit
	// on the part's page, counting those after the cursor.
	offer := func(st *partState, kept []uint32, keptScores []float64) {
		for k, d := range kept {
			sd := scoredDoc{doc: d, date: cols.Date[d], id: -1}
			if keptScores != nil {
				sd.score = keptScores[k]
			}
			// Most matches are plainly worse than the page's worst: their
			// id is read only to break a tie.
			full := st.top.Len() >= opts.hits
			if after == nil && full && o.primary(&sd, &st.top.docs[0]) > 0 {
				st.eligible++ // without a cursor every match is eligible
				continue
			}
			sd.id = int64(cols.ID.First(d))
			if after != nil && !o.before(after, &sd) {
				continue
			}
			st.eligible++
			if !full {
				heap.Push(&st.top, sd)
			} else if o.before(&sd, &st.top.docs[0]) {
				st.top.docs[0] = sd
				heap.Fix(&st.top, 0)
			}
		}
	}
	batches := func(fn func(*matchBatch)) error { return x.matchBatches(ctx, q, score, fn) }
	if q == nil && len(filters) == 1 && filters[0].f.col != nil && !x.SearcherMatch {
		// Browsing by one value: the documents passing the filter are
		// listed from its column, not found by a pass over all.
		batches = func(fn func(*matchBatch)) error { return x.passingBatches(ctx, filters[0].f, fn) }
	}
	err := batches(func(b *matchBatch) {
		st := &parts[b.part]
		docs, scores := b.docs, b.scores
		kept, keptScores := docs, scores
		// With every match of the part at hand and one filter at most, a
		// facet counts over all the matches (its own filter's, with one)
		// or those kept, and a large set is counted by its complement.
		simple := b.whole && len(filters) <= 1
		if len(filters) > 0 && !b.passing {
			kept, keptScores = st.kept[:0], st.keptScores[:0]
			for k, d := range docs {
				failed, fails := -1, 0
				for j := range filters {
					if !filters[j].f.keep(cols, d) {
						failed = j
						if fails++; fails > 1 {
							break
						}
					}
				}
				switch fails {
				case 0:
					kept = append(kept, d)
					if scores != nil {
						keptScores = append(keptScores, scores[k])
					}
				case 1:
					if f := facetOfFilter[failed]; f >= 0 && !simple {
						facetCols[f].count(st.counts[f], d)
					}
				}
			}
			st.kept, st.keptScores = kept, keptScores
			if scores == nil {
				keptScores = nil
			}
		}
		st.total += uint64(len(kept))
		if simple {
			// The facets without their own filter count the kept
			// matches, those with it every match (or, browsing by it,
			// every document); side by side where there are several.
			var restKept, restDocs []uint32 // each set's complement, once
			byKept := func(f int) bool { return ownFilter[f] < 0 }
			byDocs := func(f int) bool { return ownFilter[f] >= 0 && !b.passing }
			for f, col := range facetCols {
				if ownFilter[f] >= 0 && b.passing {
					cols.addTotals(col, st.counts[f], b.lo, b.hi)
				}
			}
			restKept = st.countGroup(cols, rows, facetCols, byKept, kept, restKept, b.lo, b.hi)
			restDocs = st.countGroup(cols, rows, facetCols, byDocs, docs, restDocs, b.lo, b.hi)
		} else if rows != nil {
			st.countRows(rows, facetCols, func(int) bool { return true }, kept, 1)
		} else {
			// Facets a column at a time.
			for f, col := range facetCols {
				col.countAll(st.counts[f], kept)
			}
		}
		switch {
		case prune:
			st.all = append(st.all, kept...)
		case opts.hits > 0:
			offer(st, kept, keptScores)
		}
	})
	out := &collected{facets: map[string][]engine.FacetValue{}}
	if err == nil && prune {
		all := make([][]uint32, len(parts))
		for i := range parts {
			all[i] = parts[i].all
		}
		out.unscored, err = x.topByBlocks(ctx, q, all, opts.hits, func(part int, r vres) float64 {
			st := &parts[part]
			offer(st, r.docs, r.scores)
			if st.top.Len() < opts.hits {
				return math.Inf(-1)
			}
			return st.top.docs[0].score
		})
		for i := range parts {
			parts[i].eligible = parts[i].total // no cursor: every match
		}
	}
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}

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
		out.facets[spec.Name] = topValues(facetCols[f].Values, counts, spec)
	}
	return out, nil
}

// partState is what collect gathers of one part of the match: its counts
// and its page, merged at the end.
type partState struct {
	total, eligible uint64
	counts          [][]int // by facet, by ordinal
	top             worstFirst
	kept            []uint32 // a batch's documents passing every filter
	keptScores      []float64
	all             []uint32 // with prune, every match kept, to score after
	scratch         []uint32 // the counters of side-by-side columns
}

// countGroup adds to the counts of the facets in (by index in facetCols)
// their columns' ordinals of docs, matches of the part [lo, hi): side by
// side (rows) where there are several, each as countSet would count it
// (directly, or as the part's totals less those of the complement, rest,
// computed when nil and returned).
func (st *partState) countGroup(cols *Columns, rows *facetRows, facetCols []*Column, in func(int) bool, docs, rest []uint32, lo, hi uint32) []uint32 {
	n := 0
	for f := range facetCols {
		if in(f) {
			n++
		}
	}
	if rows == nil || n < 2 {
		for f, col := range facetCols {
			if in(f) {
				rest = cols.countSet(col, st.counts[f], docs, rest, lo, hi)
			}
		}
		return rest
	}
	if uint64(len(docs))*2 <= uint64(hi-lo) {
		st.countRows(rows, facetCols, in, docs, 1)
		return rest
	}
	for f, col := range facetCols {
		if in(f) {
			cols.addTotals(col, st.counts[f], lo, hi)
		}
	}
	if rest == nil {
		rest = cols.complement(docs, lo, hi)
	}
	st.countRows(rows, facetCols, in, rest, -1)
	return rest
}

// countRows counts docs side by side and adds sign times the counts of
// the facets in to theirs.
func (st *partState) countRows(rows *facetRows, facetCols []*Column, in func(int) bool, docs []uint32, sign int) {
	if st.scratch == nil {
		st.scratch = make([]uint32, rows.width())
	} else {
		clear(st.scratch)
	}
	rows.countAll(st.scratch, docs)
	for f := range facetCols {
		if !in(f) {
			continue
		}
		for o, n := range rows.counts(st.scratch, f) {
			st.counts[f][o] += sign * int(n)
		}
	}
}

// namedFilter is a request's filter on the columns, with its name.
type namedFilter struct {
	name string
	f    *filter
}

// topValues are a facet's values with a count, the most frequent first (ties
// by value), or by value for a facet so specified; at most spec.size.
func topValues(values []string, counts []int, spec engine.Facet) []engine.FacetValue {
	out := []engine.FacetValue{}
	for o, n := range counts {
		if n > 0 && values[o] != "" { // an unknown paper or date is not a value
			out = append(out, engine.FacetValue{Value: values[o], Count: n})
		}
	}
	if !spec.ByValue {
		// Values are in byte order already: a stable sort by count keeps it
		// for ties.
		slices.SortStableFunc(out, func(a, b engine.FacetValue) int { return b.Count - a.Count })
	}
	if spec.Size > 0 && len(out) > spec.Size {
		out = out[:spec.Size]
	}
	return out
}

// sortValue is a collected document's first sort value as a cursor holds
// it: the score, or the date in RFC 3339 ("" for none).
func (o order) sortValue(sd scoredDoc) string {
	if o.sort == engine.SortRelevance {
		return engine.FormatScore(sd.score)
	}
	if sd.date == NoDate {
		return ""
	}
	return time.Unix(0, sd.date).UTC().Format(time.RFC3339Nano)
}

// afterKey is the place of a cursor in the order: a document comes after
// the cursor when afterKey sorts before it.
func afterKey(sortOrder string, c *engine.Cursor, cols *Columns) (scoredDoc, error) {
	var sd scoredDoc
	switch {
	case sortOrder == engine.SortRelevance:
		score, err := strconv.ParseFloat(c.Value, 64)
		if err != nil {
			return sd, err
		}
		sd.score = score
	case c.Value == "":
		sd.date = NoDate
	default:
		t, err := time.Parse(time.RFC3339Nano, c.Value)
		if err != nil {
			return sd, err
		}
		sd.date = t.UnixNano()
	}
	// With an equal key, the documents after the cursor are those whose
	// id sorts after its id (which need not be in this generation).
	sd.id = int64(cols.IDOrdinalAfter(c.ID)) - 1
	return sd, nil
}
