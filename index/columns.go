package index

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2/numeric"
	bleveindex "github.com/blevesearch/bleve_index_api"
	"golang.org/x/sync/errgroup"
)

// NoOrdinal marks a document without a value in a column (or a deleted
// document in the id column).
const NoOrdinal = math.MaxUint32

// NoDate is the date of a document that has none.
const NoDate = math.MinInt64

// Columns hold, in memory, the keyword and date values of every document
// of an open generation, by internal document number. They make facets,
// filters and sorts array lookups: Bleve would decode every hit's doc
// values, and its facet builders count strings in maps.
//
// They are built once when a generation is opened, from the term
// dictionaries and postings of the keyword fields (a generation is
// read-only, so the document numbers never change).
type Columns struct {
	// Docs is one past the largest document number.
	Docs uint32
	// ID is the article id column. Its values are sorted, so comparing
	// two documents' ordinals compares their ids; a deleted document
	// has NoOrdinal.
	ID *Column
	// idDocs is the document of each id ordinal.
	idDocs []uint32
	// Date is each document's date in Unix nanoseconds, NoDate for none.
	Date []int64

	keyword map[string]*Column
	// totals holds each column's counts over the live documents of a
	// range of document numbers (a part of Match), by totalsKey.
	totals sync.Map
	// facetRows are sets of columns laid side by side (facetrows.go).
	facetRows keptCache[rowsKey, *facetRows]

	dateRange struct {
		once        sync.Once
		first, last string
	}
}

// Column is one keyword field: its distinct values in byte order, and
// each document's values as ordinals into them.
type Column struct {
	Values []string
	start  []uint32 // document d's ordinals are ords[start[d]:start[d+1]]
	ords   []uint32
	single []uint32 // when no document has two values: each one's ordinal or NoOrdinal; else nil
	inv    inverted // each ordinal's documents, built on first use (docsOf)
}

// inverted is a column turned around: the documents of each ordinal.
type inverted struct {
	once  sync.Once
	start []uint32 // ordinal o's documents are docs[start[o]:start[o+1]]
	docs  []uint32
}

// docsOf returns the documents having ordinal o, increasing; the slice
// must not be changed. The first call inverts the column (one pass over
// it; 4 bytes per value of a document).
func (c *Column) docsOf(o uint32) []uint32 {
	c.inv.once.Do(c.invert)
	return c.inv.docs[c.inv.start[o]:c.inv.start[o+1]]
}

func (c *Column) invert() {
	start := make([]uint32, len(c.Values)+1)
	for _, o := range c.ords {
		start[o+1]++
	}
	for o := 1; o < len(start); o++ {
		start[o] += start[o-1]
	}
	docs := make([]uint32, len(c.ords))
	next := slices.Clone(start[:len(c.Values)])
	for d := 0; d+1 < len(c.start); d++ {
		for _, o := range c.ords[c.start[d]:c.start[d+1]] {
			docs[next[o]] = uint32(d)
			next[o]++
		}
	}
	c.inv.start, c.inv.docs = start, docs
}

// Ordinals returns the ordinals of document d's values; the slice must
// not be changed.
func (c *Column) Ordinals(d uint32) []uint32 {
	return c.ords[c.start[d]:c.start[d+1]]
}

// count adds one to counts for each of document d's ordinals.
func (c *Column) count(counts []int, d uint32) {
	for _, o := range c.ords[c.start[d]:c.start[d+1]] {
		counts[o]++
	}
}

// uncountAll takes one from counts for each ordinal of each of docs.
func (c *Column) uncountAll(counts []int, docs []uint32) {
	if single := c.single; single != nil {
		for _, d := range docs {
			if o := single[d]; o != NoOrdinal {
				counts[o]--
			}
		}
		return
	}
	for _, d := range docs {
		for _, o := range c.ords[c.start[d]:c.start[d+1]] {
			counts[o]--
		}
	}
}

// countAll adds one to counts for each ordinal of each of docs.
func (c *Column) countAll(counts []int, docs []uint32) {
	if single := c.single; single != nil {
		for _, d := range docs {
			if o := single[d]; o != NoOrdinal {
				counts[o]++
			}
		}
		return
	}
	start, ords := c.start, c.ords
	for _, d := range docs {
		for _, o := range ords[start[d]:start[d+1]] {
			counts[o]++
		}
	}
}

// totalsKey names a column's counts over a range of documents.
type totalsKey struct {
	col    *Column
	lo, hi uint32
}

// countSet adds to counts the ordinals of col of each of docs, matches
// of a part [lo, hi): directly, or when they are most of the part's live
// documents, as the part's totals less those of the part's other live
// documents, rest (computed by complement when nil, and returned).
func (c *Columns) countSet(col *Column, counts []int, docs, rest []uint32, lo, hi uint32) []uint32 {
	if uint64(len(docs))*2 <= uint64(hi-lo) {
		col.countAll(counts, docs)
		return rest
	}
	c.addTotals(col, counts, lo, hi)
	if rest == nil {
		rest = c.complement(docs, lo, hi)
	}
	col.uncountAll(counts, rest)
	return rest
}

// addTotals adds to counts col's counts over the live documents of [lo,
// hi), counted once per column and range.
func (c *Columns) addTotals(col *Column, counts []int, lo, hi uint32) {
	key := totalsKey{col, lo, hi}
	v, ok := c.totals.Load(key)
	if !ok {
		t := make([]int, len(col.Values))
		col.countAll(t, c.complement(nil, lo, hi))
		v, _ = c.totals.LoadOrStore(key, t)
	}
	for o, n := range v.([]int) {
		counts[o] += n
	}
}

// complement lists the live documents of [lo, hi) that are not in docs
// (increasing, within the range).
func (c *Columns) complement(docs []uint32, lo, hi uint32) []uint32 {
	rest := make([]uint32, 0, max(0, int(hi-lo)-len(docs)))
	k := 0
	for d := lo; d < hi; d++ {
		if k < len(docs) && docs[k] == d {
			k++
			continue
		}
		if c.ID.First(d) != NoOrdinal {
			rest = append(rest, d)
		}
	}
	return rest
}

// First returns the ordinal of document d's first value, NoOrdinal when
// it has none.
func (c *Column) First(d uint32) uint32 {
	if c.start[d] == c.start[d+1] {
		return NoOrdinal
	}
	return c.ords[c.start[d]]
}

// Ordinal returns the ordinal of a value, false when no document has it.
func (c *Column) Ordinal(value string) (uint32, bool) {
	i, ok := slices.BinarySearch(c.Values, value)
	return uint32(i), ok
}

// Column returns the column of a keyword field (FieldCounties,
// FieldProvinces, FieldPrefectures, FieldPlace, FieldTopics, FieldAuthors,
// FieldPaper, FieldMonth, FieldPlaceTopic, FieldKind), nil for another
// field.
func (c *Columns) Column(field string) *Column { return c.keyword[field] }

// Live reports whether document d is an article of the generation (not
// deleted, not past the end).
func (c *Columns) Live(d uint32) bool {
	return d < c.Docs && c.ID.First(d) != NoOrdinal
}

// columnFields are the keyword fields held as columns, besides the id.
var columnFields = []string{FieldCounties, FieldProvinces, FieldPrefectures, FieldPlace, FieldTopics, FieldAuthors, FieldPaper, FieldMonth, FieldPlaceTopic, FieldKind}

// loadColumns reads the columns of the snapshot r, whose documents are
// numbered below docs. Fields are read in parallel.
func loadColumns(ctx context.Context, r bleveindex.IndexReader, sr *storedReader, docs uint32) (*Columns, error) {
	c := &Columns{Docs: docs, keyword: map[string]*Column{}}
	var (
		g  errgroup.Group
		mu sync.Mutex
	)
	// load reads one column on a goroutine of its own, guarded against a
	// damaged segment.
	load := func(field string, fn func() error) {
		g.Go(func() error {
			if err := guarded(fn); err != nil {
				return fmt.Errorf("column %s: %w", field, err)
			}
			return nil
		})
	}
	for _, f := range columnFields {
		load(f, func() error {
			col, err := loadColumn(ctx, r, f, docs)
			if err == nil {
				mu.Lock()
				c.keyword[f] = col
				mu.Unlock()
			}
			return err
		})
	}
	load(FieldID, func() (err error) {
		c.ID, err = loadIDs(ctx, r, sr, docs)
		return err
	})
	load(FieldDate, func() (err error) {
		c.Date, err = loadDates(ctx, r, docs)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	c.idDocs = make([]uint32, len(c.ID.Values))
	for d := range docs {
		if o := c.ID.First(d); o != NoOrdinal {
			c.idDocs[o] = d
		}
	}
	return c, nil
}

// visitPostings calls fn with the number of every document holding term
// in field.
func visitPostings(ctx context.Context, r bleveindex.IndexReader, field, term string, fn func(doc uint32)) error {
	tfr, err := r.TermFieldReader(ctx, []byte(term), field, false, false, false)
	if err != nil {
		return err
	}
	defer tfr.Close()
	var tfd bleveindex.TermFieldDoc
	for {
		next, err := tfr.Next(tfd.Reset())
		if err != nil {
			return err
		}
		if next == nil {
			return nil
		}
		fn(docNumber(next.ID))
	}
}

// docNumber is the document number of a scorch internal id.
func docNumber(id bleveindex.IndexInternalID) uint32 {
	if len(id) != 8 {
		return NoOrdinal
	}
	return uint32(binary.BigEndian.Uint64(id))
}

// loadColumn reads one keyword field: its terms in order, and for each the
// documents holding it.
func loadColumn(ctx context.Context, r bleveindex.IndexReader, field string, docs uint32) (*Column, error) {
	dict, err := r.FieldDict(field)
	if err != nil {
		return nil, err
	}
	defer dict.Close()
	col := &Column{start: make([]uint32, docs+1)}
	// The (document, ordinal) pairs are gathered in chunks of a fixed
	// size: a field with millions of values is never copied to grow.
	type pair struct{ doc, ord uint32 }
	const chunk = 1 << 16
	var chunks [][]pair
	for {
		e, err := dict.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			break
		}
		ord := uint32(len(col.Values))
		col.Values = append(col.Values, e.Term)
		err = visitPostings(ctx, r, field, e.Term, func(d uint32) {
			if d < docs {
				if len(chunks) == 0 || len(chunks[len(chunks)-1]) == chunk {
					chunks = append(chunks, make([]pair, 0, chunk))
				}
				last := &chunks[len(chunks)-1]
				*last = append(*last, pair{d, ord})
				col.start[d+1]++
			}
		})
		if err != nil {
			return nil, err
		}
	}
	// Counting sort of the pairs by document; within a document the
	// ordinals stay in value order.
	for d := uint32(1); d <= docs; d++ {
		col.start[d] += col.start[d-1]
	}
	col.ords = make([]uint32, col.start[docs])
	next := slices.Clone(col.start[:docs])
	for _, c := range chunks {
		for _, p := range c {
			col.ords[next[p.doc]] = p.ord
			next[p.doc]++
		}
	}
	col.setSingle()
	return col, nil
}

// setSingle keeps the column also as one ordinal per document when no
// document has two values (paper, month, kind): counting it is then one
// read per document.
func (c *Column) setSingle() {
	docs := len(c.start) - 1
	single := make([]uint32, docs)
	for d := range docs {
		switch c.start[d+1] - c.start[d] {
		case 0:
			single[d] = NoOrdinal
		case 1:
			single[d] = c.ords[c.start[d]]
		default:
			return
		}
	}
	c.single = single
}

// loadIDs reads the id column from the id field's doc values, in one
// pass over the documents: the postings of 200,000 one-document terms
// would take several times longer.
func loadIDs(ctx context.Context, r bleveindex.IndexReader, sr *storedReader, docs uint32) (*Column, error) {
	dvr, err := r.DocValueReader([]string{FieldID})
	if err != nil {
		return nil, err
	}
	ids := make([]string, docs)
	live := make([]idKey, 0, docs)
	for d := range docs {
		if d%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !sr.live(uint64(d)) {
			continue
		}
		err := dvr.VisitDocValues(internalID(d), func(_ string, term []byte) {
			ids[d] = string(term)
		})
		if err != nil {
			return nil, err
		}
		if ids[d] != "" {
			live = append(live, newIDKey(ids[d], d))
		}
	}
	sortByID(live, ids)
	col := &Column{Values: make([]string, len(live)), start: make([]uint32, docs+1), ords: make([]uint32, len(live))}
	for o, k := range live {
		col.Values[o] = ids[k.doc]
		col.start[k.doc+1] = 1
	}
	for d := uint32(1); d <= docs; d++ {
		col.start[d] += col.start[d-1]
	}
	for o, k := range live {
		col.ords[col.start[k.doc]] = uint32(o)
	}
	return col, nil
}

// idKey sorts a document by its id: the id's first eight bytes as a
// number in the strings' order, the strings compared only on a tie.
type idKey struct {
	prefix uint64
	doc    uint32
}

func newIDKey(id string, d uint32) idKey {
	var p uint64
	for i := range min(8, len(id)) {
		p |= uint64(id[i]) << (56 - 8*i)
	}
	return idKey{p, d}
}

// sortByID sorts keys by the ids of their documents.
func sortByID(keys []idKey, ids []string) {
	slices.SortFunc(keys, func(a, b idKey) int {
		if c := cmp.Compare(a.prefix, b.prefix); c != 0 {
			return c
		}
		return strings.Compare(ids[a.doc], ids[b.doc])
	})
}

// loadDates reads the date field: the full-precision terms (shift 0) of
// its numeric encoding.
func loadDates(ctx context.Context, r bleveindex.IndexReader, docs uint32) ([]int64, error) {
	dates := make([]int64, docs)
	for i := range dates {
		dates[i] = NoDate
	}
	// Only the full-precision terms: their first byte is the shift's.
	dict, err := r.FieldDictPrefix(FieldDate, []byte{numeric.ShiftStartInt64})
	if err != nil {
		return nil, err
	}
	defer dict.Close()
	for {
		e, err := dict.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			return dates, nil
		}
		pc := numeric.PrefixCoded(e.Term)
		if shift, err := pc.Shift(); err != nil || shift != 0 {
			continue
		}
		v, err := pc.Int64()
		if err != nil {
			continue
		}
		err = visitPostings(ctx, r, FieldDate, e.Term, func(d uint32) {
			if d < docs {
				dates[d] = v
			}
		})
		if err != nil {
			return nil, err
		}
	}
}

// DateRange returns the first and last dates of the live documents as
// YYYY-MM-DD, "" when none has a date. It is computed once.
func (c *Columns) DateRange() (first, last string) {
	c.dateRange.once.Do(func() { c.dateRange.first, c.dateRange.last = c.computeDateRange() })
	return c.dateRange.first, c.dateRange.last
}

func (c *Columns) computeDateRange() (first, last string) {
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	for d := range c.Docs {
		if date := c.Date[d]; date != NoDate && c.Live(d) {
			lo, hi = min(lo, date), max(hi, date)
		}
	}
	if hi == math.MinInt64 {
		return "", ""
	}
	day := func(ns int64) string { return time.Unix(0, ns).UTC().Format("2006-01-02") }
	return day(lo), day(hi)
}

// Doc returns the document number of an article id.
func (c *Columns) Doc(id string) (uint32, bool) {
	o, ok := c.ID.Ordinal(id)
	if !ok {
		return 0, false
	}
	return c.idDocs[o], true
}

// IDOrdinalAfter returns the smallest id ordinal whose id sorts after id:
// documents with an ordinal at or above it come after id.
func (c *Columns) IDOrdinalAfter(id string) uint32 {
	return uint32(sort.SearchStrings(c.ID.Values, id+"\x00"))
}
