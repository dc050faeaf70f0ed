package index

import (
	"context"
	"fmt"
	"maps"
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
