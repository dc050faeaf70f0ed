package opensearch

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"newsarchive/corpus"
	"newsarchive/engine"
	"newsarchive/search"
)

// searcherParity runs the same few hundred search requests (words,
// phrases, single characters, every filter, every facet, date ranges,
// every order, cursors two pages deep) through search.Searcher on the
// embedded engine and on the cluster's, and compares the answers: totals
// and every facet equal; for date orders the same ids on each page; for
// relevance the overlap of the first 20, reported, at least 80% for every
// request and 90% on average (both engines score alike: the same BM25 on
// field lengths at Lucene's precision, occurrences of exact runs counted
// alike); a request below 80% is reported with its overlap counting near
// ties (a cluster hit that Bleve scores within nearTie of its 20th), to
// tell a reordering of near ties from a scoring difference.
func searcherParity(t *testing.T, ctx context.Context, bleveEngine engine.Engine, c *Client, tagger *corpus.Tagger) {
	osEngine := &Engine{c: c}
	if err := osEngine.Check(ctx, false); err != nil {
		t.Fatal(err)
	}
	if got, want := osEngine.Info().Articles, bleveEngine.Info().Articles; got != want {
		t.Fatalf("the cluster's engine has %d articles, Bleve's %d", got, want)
	}
	if got, want := osEngine.Info().FirstDate+osEngine.Info().LastDate, bleveEngine.Info().FirstDate+bleveEngine.Info().LastDate; got != want {
		t.Errorf("dates: cluster %s, Bleve %s", got, want)
	}
	bs := &search.Searcher{Engine: bleveEngine, Tagger: tagger}
	ss := &search.Searcher{Engine: osEngine, Tagger: tagger}

	// Filter values: the most frequent of each facet over all articles.
	all, err := bs.Search(ctx, search.Request{Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	top := func(vs []search.FacetValue, n int) []string {
		var out []string
		for _, v := range vs[:min(n, len(vs))] {
			out = append(out, v.Value)
		}
		return out
	}
	counties, topics := top(all.Facets.County, 3), top(all.Facets.Topic, 3)
	authors, papers := top(all.Facets.Author, 2), top(all.Facets.Paper, 2)
	provinces, prefectures := top(all.Facets.Province, 2), top(all.Facets.Prefecture, 2)
	if len(counties) < 2 || len(topics) < 2 || len(authors) < 1 || len(provinces) < 2 {
		t.Fatalf("too few facet values to filter by: %+v", all.Facets)
	}
	queries := []string{
		"", "经济", "发展", "乡村振兴", "习近平", "会议", "新闻联播", "中国", "人民", "合作",
		"经济 发展", "乡村振兴 教育", "脱贫攻坚 农村", "一带一路 合作", "疫情 防控",
		`"乡村振兴"`, `"人类命运共同体"`, `"教育、科技"`, `"两会"`, `“两会”`, `"〇"`, `"二〇二四年"`, `"Ⅻ届"`,
		"的", "国", "〇", "台湾", "臺灣", "title:经济", `-经济 发展`, "经济 OR 教育",
		`"乡村 振兴"~5`, `"经济 发展"~10`, `"中国 人民"~0`, `title:"习近平 会见"~8`,
	}
	type variant struct {
		name string
		edit func(*search.Request)
	}
	variants := []variant{
		{"", func(*search.Request) {}},
		{"county", func(r *search.Request) { r.Counties = counties[:1] }},
		{"counties", func(r *search.Request) { r.Counties = counties[:2] }},
		{"topic", func(r *search.Request) { r.Topics = topics[:1] }},
		{"topics+county", func(r *search.Request) { r.Topics, r.Counties = topics[1:3], counties[1:2] }},
		{"author", func(r *search.Request) { r.Authors = authors[:1] }},
		{"paper", func(r *search.Request) { r.Papers = papers[:1] }},
		{"province", func(r *search.Request) { r.Provinces = provinces[:2] }},
		{"prefecture", func(r *search.Request) { r.Prefectures = prefectures[:1] }},
		{"dates", func(r *search.Request) { r.From, r.To = "2020-01-01", "2021-06-30" }},
		{"from", func(r *search.Request) { r.From = "2023-03-01" }},
		{"to+topic", func(r *search.Request) { r.To, r.Topics = "2019-12-31", topics[:1] }},
	}
	sorts := []string{search.SortRelevance, search.SortNewest, search.SortOldest}

	var requests, pages, relevance, below, belowNearTies int
	var overlapSum float64
	var lowest []string
	for _, q := range queries {
		for vi, v := range variants {
			for si, sortOrder := range sorts {
				// Every query with every order unfiltered; filtered
				// variants take turns over the orders.
				if vi > 0 && (vi+si+len(q))%3 != 0 {
					continue
				}
				r := search.Request{Query: q, Sort: sortOrder, Size: 20}
				v.edit(&r)
				name := fmt.Sprintf("q=%q %s sort=%s", q, v.name, sortOrder)
				requests++
				bAfter, sAfter := "", ""
				for page := 1; page <= 2; page++ {
					br, sr := r, r
					br.After, sr.After = bAfter, sAfter
					b, berr := bs.Search(ctx, br)
					s, serr := ss.Search(ctx, sr)
					if (berr == nil) != (serr == nil) {
						t.Errorf("%s page %d: Bleve %v, cluster %v", name, page, berr, serr)
						break
					}
					if berr != nil {
						break // both refuse it (checked: same kind below)
					}
					pages++
					if b.Total != s.Total {
						t.Errorf("%s page %d: total Bleve %d, cluster %d", name, page, b.Total, s.Total)
					}
					if page == 1 && !reflect.DeepEqual(b.Facets, s.Facets) {
						t.Errorf("%s: facets differ:\n%s", name, facetDiff(b.Facets, s.Facets))
					}
					bIDs, sIDs := hitIDs(b), hitIDs(s)
					if sortOrder == search.SortRelevance {
						if page == 1 && len(bIDs) > 0 {
							o := overlap(bIDs, sIDs)
							relevance++
							overlapSum += o
							if o < 0.8 {
								below++
								// How far from the cut are the
								// cluster's extra hits on Bleve?
								wide := br
								wide.Size = search.MaxSize
								w, err := bs.Search(ctx, wide)
								if err != nil {
									t.Fatal(err)
								}
								nt := nearTieOverlap(b, w, sIDs, nearTie)
								if nt < 0.8 {
									belowNearTies++
								}
								lowest = append(lowest, fmt.Sprintf("%s: %.0f%% (%.0f%% counting hits within %.0f%% of Bleve's 20th score)", name, 100*o, 100*nt, 100*nearTie))
							}
						}
						if len(bIDs) != len(sIDs) {
							t.Errorf("%s page %d: Bleve %d hits, cluster %d", name, page, len(bIDs), len(sIDs))
						}
					} else if !slices.Equal(bIDs, sIDs) {
						t.Errorf("%s page %d: ids differ\nBleve   %v\ncluster %v", name, page, bIDs, sIDs)
					}
					if (b.Next == nil) != (s.Next == nil) {
						t.Errorf("%s page %d: next page on Bleve %v, on the cluster %v", name, page, b.Next != nil, s.Next != nil)
					}
					if b.Next == nil || s.Next == nil {
						break
					}
					bAfter, sAfter = *b.Next, *s.Next
				}
			}
		}
	}
	mean := overlapSum / float64(max(relevance, 1))
	t.Logf("searcher parity: %d requests, %d pages; relevance order: the first 20 overlap by %.1f%% on average over %d requests, %d below 80%%", requests, pages, 100*mean, relevance, below)
	for _, l := range lowest {
		t.Logf("  below 80%%: %s", l)
	}
	if requests < 200 {
		t.Errorf("only %d requests", requests)
	}
	if mean < 0.9 || below > 0 {
		t.Errorf("relevance orders overlap too little: %.1f%% on average, %d of %d below 80%% (%d counting near ties)", 100*mean, below, relevance, belowNearTies)
	}

	// Similar and records answer on both; an unknown id is not found.
	for _, h := range all.Hits {
		a, err := osEngine.Record(ctx, h.ID)
		if err != nil || a.ID != h.ID || a.Body != h.Article.Body || !reflect.DeepEqual(a.Places, h.Article.Places) {
			t.Errorf("record %s on the cluster: %v", h.ID, err)
		}
		sim, err := ss.Similar(ctx, h.ID, 5)
		if err != nil || len(sim) == 0 {
			t.Errorf("similar to %s on the cluster: %d hits, %v", h.ID, len(sim), err)
		}
	}
	if _, err := osEngine.Record(ctx, "0000000000000000"); err == nil || !strings.Contains(err.Error(), engine.ErrNotFound.Error()) {
		t.Errorf("an unknown id: %v", err)
	}

	// Each reads every hit of a query, in order, as Bleve's does.
	req := &engine.Request{Query: engine.Text{Text: "经济"}, Sort: engine.SortNewest}
	collect := func(e engine.Engine) []string {
		var ids []string
		if err := e.Each(ctx, req, func(h engine.Hit) error { ids = append(ids, h.Record.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if b, s := collect(bleveEngine), collect(osEngine); !slices.Equal(b, s) || len(b) < 100 {
		t.Errorf("Each: Bleve %d ids, cluster %d, equal %v", len(b), len(s), slices.Equal(b, s))
	}

	// Stats agree on what both engines count.
	bst, err := bleveEngine.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sst, err := osEngine.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if bst.Articles != sst.Articles || bst.Files != sst.Files || !reflect.DeepEqual(bst.Counties, sst.Counties) ||
		!reflect.DeepEqual(bst.Topics, sst.Topics) || !reflect.DeepEqual(bst.Papers, sst.Papers) || bst.FirstDate != sst.FirstDate || bst.LastDate != sst.LastDate {
		t.Errorf("stats differ:\nBleve   %d articles, %d files, %s..%s\ncluster %d articles, %d files, %s..%s",
			bst.Articles, bst.Files, bst.FirstDate, bst.LastDate, sst.Articles, sst.Files, sst.FirstDate, sst.LastDate)
	}
	t.Logf("stats: %d articles, %d files; size on Bleve %.1f MB, on the cluster %.1f MB (primaries)", sst.Articles, sst.Files, float64(bst.SizeBytes)/1e6, float64(sst.SizeBytes)/1e6)
}

func hitIDs(r *search.Response) []string {
	ids := make([]string, len(r.Hits))
	for i, h := range r.Hits {
		ids[i] = h.ID
	}
	return ids
}

// overlap is the share of a's ids that are also in b.
// nearTie is how close to Bleve's 20th score a hit of the cluster's first
// 20 must score on Bleve to count as a near tie in the report of a
// request below 80%: float32 scores, overlapping occurrences (which
// Lucene counts and the embedded engine does not) and each shard's own
// order of equal scores are what remains between the engines.
const nearTie = 0.05

// nearTieOverlap is overlap of Bleve's first page first with the cluster's
// ids, counting as agreeing a cluster hit outside Bleve's first page that
// Bleve scores within tie of its last hit's score (wide is Bleve's answer
// to the same request with more hits, where those scores are read).
func nearTieOverlap(first, wide *search.Response, cluster []string, tie float64) float64 {
	if len(first.Hits) == 0 {
		return 1
	}
	cut := first.Hits[len(first.Hits)-1].Score * (1 - tie)
	score := map[string]float64{}
	for _, h := range wide.Hits {
		score[h.ID] = h.Score
	}
	n := 0
	for _, id := range cluster {
		if s, ok := score[id]; ok && s >= cut {
			n++
		}
	}
	return float64(min(n, len(first.Hits))) / float64(len(first.Hits))
}

func overlap(a, b []string) float64 {
	if len(a) == 0 {
		return 1
	}
	n := 0
	for _, id := range a {
		if slices.Contains(b, id) {
			n++
		}
	}
	return float64(n) / float64(len(a))
}

// facetDiff lists the facets whose values differ.
func facetDiff(a, b search.Facets) string {
	var out []string
	av, bv := reflect.ValueOf(a), reflect.ValueOf(b)
	for i := range av.NumField() {
		x, y := av.Field(i).Interface().([]search.FacetValue), bv.Field(i).Interface().([]search.FacetValue)
		if !reflect.DeepEqual(x, y) {
			out = append(out, fmt.Sprintf("  %s: Bleve %v\n  %*s cluster %v", av.Type().Field(i).Name, firstFacets(x), len(av.Type().Field(i).Name), "", firstFacets(y)))
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func firstFacets(vs []search.FacetValue) []search.FacetValue { return vs[:min(len(vs), 8)] }
