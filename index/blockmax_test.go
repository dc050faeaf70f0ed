package index

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"newsarchive/engine"
)

// TestBlockMaxMatchesScoringAll checks that a first page in relevance
// order, scored only where a block's bound reaches the page
// (blockmax.go), is the page that scoring every match gives: the same
// hits with the same scores and cursors, totals and facets, for words,
// phrases, single characters, combinations and filters, on one segment
// and many, in one part and several. It also checks that matches were
// left unscored, or it would test nothing.
func TestBlockMaxMatchesScoringAll(t *testing.T) {
	text := func(s string) engine.Query { return engine.Text{Text: s} }
	queries := []engine.Query{
		text("经济"), text("发展"), text("中国"), text("合作 发展"), text("生态 保护"),
		text("习近平 总书记 考察"), text("中"), text("县"), text("高质量发展"),
		engine.Text{Text: "高质量发展", Exact: true}, engine.Text{Text: "发展", Scope: engine.ScopeHead},
		engine.And{Must: []engine.Query{text("经济"), text("发展")}},
		engine.And{Must: []engine.Query{text("发展")}, Not: []engine.Query{text("经济")}},
		engine.Or{Any: []engine.Query{text("农业"), text("工业")}},
		// A bare word as the search package sends it: its byline term
		// has no bound and is scored apart.
		engine.Or{Any: []engine.Query{text("经济"), engine.Term{Field: engine.FieldAuthors, Value: "经济"}}},
		engine.Or{Any: []engine.Query{text("发展"), engine.Term{Field: engine.FieldTopics, Value: "经济"}}},
	}
	bareWord := len(queries) - 2
	facets := []engine.Facet{
		{Name: "county", Field: engine.FieldCounties}, {Name: "topic", Field: engine.FieldTopics},
		{Name: "date", Field: engine.FieldMonth},
	}
	for n, idx := range []*Index{columnsIndex(t), segmentedIndex(t, 64)} {
		idx.blockTuning = blockTuning{docs: 16, firstRound: 8, always: true}
		cols := idx.Columns()
		topics := cols.Column(engine.FieldTopics)
		filterSets := [][]engine.Filter{
			nil,
			{{Name: "topic", Field: engine.FieldTopics, Values: topics.Values[:1]}},
		}
		var unscored, matches, bareUnscored uint64
		for _, parts := range []int{1, 2} {
			idx.MatchParts = parts
			for qi, q := range queries {
				for _, filters := range filterSets {
					for _, size := range []int{1, 4, 20} {
						name := fmt.Sprintf("index %d, %d parts, query %d %v, %d filters, size %d", n, parts, qi, q, len(filters), size)
						r := &engine.Request{Query: q, Filters: filters, Facets: facets, Size: size}
						var got [2]*engine.Result
						for k, all := range []bool{false, true} {
							idx.ScoreEveryMatch = all
							res, err := idx.Search(context.Background(), r)
							if err != nil {
								t.Fatalf("%s: %v", name, err)
							}
							got[k] = res
						}
						idx.ScoreEveryMatch = false
						pruned, all := got[0], got[1]
						if pruned.Total != all.Total || pruned.Eligible != all.Eligible {
							t.Errorf("%s: total %d, eligible %d; scoring all %d, %d", name, pruned.Total, pruned.Eligible, all.Total, all.Eligible)
						}
						if !reflect.DeepEqual(pruned.Facets, all.Facets) {
							t.Errorf("%s: facets differ from scoring all's", name)
						}
						if !reflect.DeepEqual(pruned.Hits, all.Hits) {
							for i := range min(len(pruned.Hits), len(all.Hits)) {
								if pruned.Hits[i].Record.ID != all.Hits[i].Record.ID || pruned.Hits[i].Score != all.Hits[i].Score {
									t.Errorf("%s: hit %d is %s (%v), scoring all %s (%v)", name, i,
										pruned.Hits[i].Record.ID, pruned.Hits[i].Score, all.Hits[i].Record.ID, all.Hits[i].Score)
									break
								}
							}
							t.Errorf("%s: %d hits differ from scoring all's %d", name, len(pruned.Hits), len(all.Hits))
						}
						// What the pruning left unscored, through collect.
						cq, nf, o, after, err := idx.prepare(r)
						if err != nil {
							t.Fatal(err)
						}
						c, err := idx.collect(context.Background(), cq, nf, o, after, collectOptions{hits: size})
						if err != nil {
							t.Fatal(err)
						}
						unscored += c.unscored
						matches += c.total
						if qi == bareWord {
							bareUnscored += c.unscored
						}
					}
				}
			}
		}
		// By default only the queries worth it are pruned: a quoted
		// string's (its words rank its exact matches), not a bare word's.
		idx.blockTuning.always = false
		for _, c := range []struct {
			q      engine.Query
			pruned bool
		}{{engine.Text{Text: "高质量发展", Exact: true}, true}, {queries[bareWord], false}} {
			cq, nf, o, after, err := idx.prepare(&engine.Request{Query: c.q, Size: 1})
			if err != nil {
				t.Fatal(err)
			}
			col, err := idx.collect(context.Background(), cq, nf, o, after, collectOptions{hits: 1})
			if err != nil {
				t.Fatal(err)
			}
			if (col.unscored > 0) != c.pruned {
				t.Errorf("index %d, %v: %d of %d matches left unscored by default, want pruned %v", n, c.q, col.unscored, col.total, c.pruned)
			}
		}
		t.Logf("index %d: %d of %d matches left unscored", n, unscored, matches)
		if unscored == 0 || bareUnscored == 0 {
			t.Errorf("index %d: %d matches left unscored, %d of the bare word: the pruning is not exercised", n, unscored, bareUnscored)
		}
	}
}
