package index

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"

	"newsarchive/engine"
)

// TestFacetsCountEveryMatch checks totals and disjunctive facets against
// a count over the stored records of the documents Match finds, for
// queries matching few articles and most of them (counted by complement),
// no query, and none, one and two filters, in one part and in three.
func TestFacetsCountEveryMatch(t *testing.T) {
	checkFacetsCountEveryMatch(t, columnsIndex(t))
}

// TestFacetsCountEveryMatchOverSegments is the same check on an index of
// many small segments.
func TestFacetsCountEveryMatchOverSegments(t *testing.T) {
	checkFacetsCountEveryMatch(t, segmentedIndex(t, 64))
}

func checkFacetsCountEveryMatch(t *testing.T, idx *Index) {
	cols := idx.Columns()
	facets := []engine.Facet{
		{Name: "county", Field: engine.FieldCounties}, {Name: "topic", Field: engine.FieldTopics},
		{Name: "author", Field: engine.FieldAuthors}, {Name: "paper", Field: engine.FieldPaper},
		{Name: "date", Field: engine.FieldMonth},
	}
	// The values of each document, by facet, from the columns' own source:
	// the stored records (as TestColumnsHoldEveryRecordsValues checks).
	values := func(d uint32, field string) []string {
		var out []string
		for _, o := range cols.Column(field).Ordinals(d) {
			out = append(out, cols.Column(field).Values[o])
		}
		return out
	}
	county := cols.Column(engine.FieldCounties)
	topic := cols.Column(engine.FieldTopics)
	if len(county.Values) < 2 || len(topic.Values) < 2 {
		t.Fatalf("test index has %d counties, %d topics", len(county.Values), len(topic.Values))
	}
	countyFilter := engine.Filter{Name: "county", Field: engine.FieldCounties, Values: []string{county.Values[0]}}
	topicFilter := engine.Filter{Name: "topic", Field: engine.FieldTopics, Values: []string{topic.Values[1]}}
	has := func(d uint32, f engine.Filter) bool {
		return slices.ContainsFunc(values(d, f.Field), func(v string) bool { return slices.Contains(f.Values, v) })
	}
	queries := []engine.Query{
		nil,
		engine.Text{Text: "中", Exact: true},
		engine.Text{Text: "的"},
		engine.Text{Text: "黑土地"},
	}
	for _, parts := range []int{1, 3} {
		idx.MatchParts = parts
		for _, eq := range queries {
			var matches []uint32
			if eq == nil {
				for d := range cols.Docs {
					if cols.Live(d) {
						matches = append(matches, d)
					}
				}
			} else {
				q, err := compile(eq)
				if err != nil {
					t.Fatal(err)
				}
				for d := range matchAll(t, idx, q, false) {
					matches = append(matches, d)
				}
			}
			for _, filters := range [][]engine.Filter{nil, {countyFilter}, {countyFilter, topicFilter}} {
				name := fmt.Sprintf("%v, filters %v, %d parts", eq, filters, parts)
				res, err := idx.Search(context.Background(), &engine.Request{Query: eq, Filters: filters, Facets: facets, Size: 10})
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				var total uint64
				want := map[string]map[string]int{}
				for _, f := range facets {
					want[f.Name] = map[string]int{}
				}
				for _, d := range matches {
					fails := []string{}
					for _, f := range filters {
						if !has(d, f) {
							fails = append(fails, f.Name)
						}
					}
					if len(fails) == 0 {
						total++
					}
					for _, f := range facets {
						if len(fails) == 0 || (len(fails) == 1 && fails[0] == f.Name) {
							for _, v := range values(d, f.Field) {
								if v != "" {
									want[f.Name][v]++
								}
							}
						}
					}
				}
				if res.Total != total {
					t.Errorf("%s: total %d, records give %d", name, res.Total, total)
				}
				// Without a cursor every match is eligible for the pages;
				// after the page's last hit, all the others are.
				if res.Eligible != total {
					t.Errorf("%s: %d eligible without a cursor, want the total %d", name, res.Eligible, total)
				}
				for _, sort := range []string{engine.SortRelevance, engine.SortNewest, engine.SortOldest} {
					r := &engine.Request{Query: eq, Filters: filters, Sort: sort, Size: 10}
					first, err := idx.Search(context.Background(), r)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if first.Eligible != total || len(first.Hits) != min(10, int(total)) {
						t.Errorf("%s sort %q: %d eligible, %d hits; want %d, %d", name, sort, first.Eligible, len(first.Hits), total, min(10, int(total)))
					}
					if len(first.Hits) == 0 {
						continue
					}
					r.After = &first.Hits[len(first.Hits)-1].Cursor
					next, err := idx.Search(context.Background(), r)
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if want := total - uint64(len(first.Hits)); next.Eligible != want {
						t.Errorf("%s sort %q: %d eligible after the first page, want %d", name, sort, next.Eligible, want)
					}
				}
				for _, f := range facets {
					got := map[string]int{}
					for _, v := range res.Facets[f.Name] {
						got[v.Value] = v.Count
					}
					if !maps.Equal(got, want[f.Name]) {
						t.Errorf("%s: facet %s = %v, records give %v", name, f.Name, got, want[f.Name])
					}
				}
			}
			if eq != nil && len(matches)*2 < int(cols.Docs) && eq.(engine.Text).Text == "的" {
				t.Errorf("%v matches %d of %d documents: the complement is not exercised", eq, len(matches), cols.Docs)
			}
		}
	}
}

// TestBrowseByFilterMatchesScan checks that a search without a query and
// with one value filter, whose documents are listed from the filter's
// column, gives what the pass over every document gives (SearcherMatch):
// totals, facets, and the pages and cursors of every order, for filters
// of one value and of several (documents with two of them included).
func TestBrowseByFilterMatchesScan(t *testing.T) {
	for _, idx := range []*Index{columnsIndex(t), segmentedIndex(t, 64)} {
		cols := idx.Columns()
		county := cols.Column(engine.FieldCounties)
		// The county with the most documents, and a value set of the
		// first five.
		best, most := 0, 0
		for o := range county.Values {
			if n := len(county.docsOf(uint32(o))); n > most {
				best, most = o, n
			}
		}
		filters := []engine.Filter{
			{Name: "county", Field: engine.FieldCounties, Values: []string{county.Values[best]}},
			{Name: "county", Field: engine.FieldCounties, Values: county.Values[:min(5, len(county.Values))]},
			{Name: "topic", Field: engine.FieldTopics, Values: cols.Column(engine.FieldTopics).Values},
			{Name: "county", Field: engine.FieldCounties, Values: []string{"无此县"}},
		}
		facets := []engine.Facet{
			{Name: "county", Field: engine.FieldCounties}, {Name: "topic", Field: engine.FieldTopics},
			{Name: "paper", Field: engine.FieldPaper}, {Name: "date", Field: engine.FieldMonth},
		}
		for _, parts := range []int{1, 3} {
			idx.MatchParts = parts
			for _, f := range filters {
				for _, sort := range []string{engine.SortRelevance, engine.SortNewest, engine.SortOldest} {
					name := fmt.Sprintf("%s=%d values, sort %q, %d parts", f.Name, len(f.Values), sort, parts)
					r := &engine.Request{Filters: []engine.Filter{f}, Facets: facets, Sort: sort, Size: 7}
					var pages [2][]*engine.Result
					for k, scan := range []bool{false, true} {
						idx.SearcherMatch = scan
						req := *r
						for range 3 {
							res, err := idx.Search(context.Background(), &req)
							if err != nil {
								t.Fatalf("%s: %v", name, err)
							}
							pages[k] = append(pages[k], res)
							if len(res.Hits) == 0 {
								break
							}
							req.After = &res.Hits[len(res.Hits)-1].Cursor
						}
					}
					idx.SearcherMatch = false
					if len(pages[0]) != len(pages[1]) {
						t.Fatalf("%s: %d pages listed, %d by the scan", name, len(pages[0]), len(pages[1]))
					}
					for p := range pages[0] {
						got, want := pages[0][p], pages[1][p]
						if got.Total != want.Total || got.Eligible != want.Eligible {
							t.Errorf("%s page %d: total %d, eligible %d; the scan %d, %d", name, p, got.Total, got.Eligible, want.Total, want.Eligible)
						}
						if !reflect.DeepEqual(got.Facets, want.Facets) {
							t.Errorf("%s page %d: facets %v, the scan %v", name, p, got.Facets, want.Facets)
						}
						if !reflect.DeepEqual(got.Hits, want.Hits) {
							t.Errorf("%s page %d: hits differ from the scan's", name, p)
						}
					}
					if f.Values[0] == county.Values[best] && (pages[0][0].Total == 0 || len(pages[0]) < 2) {
						t.Errorf("%s: %d hits, %d pages: the test does not page", name, pages[0][0].Total, len(pages[0]))
					}
				}
			}
		}
	}
}

// TestFacetRowsCountAsColumns checks that columns laid side by side
// count each column's ordinals of a list of documents as the columns
// themselves do, multi-valued columns included.
func TestFacetRowsCountAsColumns(t *testing.T) {
	cols := columnsIndex(t).Columns()
	var set []*Column
	for _, f := range []string{engine.FieldCounties, engine.FieldTopics, engine.FieldAuthors, engine.FieldPaper, engine.FieldMonth} {
		set = append(set, cols.Column(f))
	}
	rows := cols.rows(set)
	if rows == nil || cols.rows(set) != rows {
		t.Fatal("the side-by-side columns were not built once and kept")
	}
	multi := false
	for step := 1; step <= 7; step += 3 {
		var docs []uint32
		for d := uint32(0); d < cols.Docs; d += uint32(step) {
			docs = append(docs, d)
			multi = multi || len(set[0].Ordinals(d)) > 1
		}
		got := make([]uint32, rows.width())
		rows.countAll(got, docs)
		for i, col := range set {
			counts := make([]int, len(col.Values))
			col.countAll(counts, docs)
			want := make([]uint32, len(counts))
			for o, n := range counts {
				want[o] = uint32(n)
			}
			if !reflect.DeepEqual(rows.counts(got, i), want) {
				t.Errorf("every %d documents: column %d counts %v side by side, %v alone", step, i, rows.counts(got, i), want)
			}
		}
	}
	if !multi {
		t.Error("no document has two counties: multi-valued columns are not exercised")
	}
}
