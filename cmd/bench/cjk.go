package main

import (
	"context"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
	"github.com/blevesearch/bleve/v2/search/query"

	"newsarchive/corpus"
)

// The cjk baseline: the same parsed records in a Bleve index with Bleve's
// default dynamic mapping and its built-in cjk analyzer (bigrams) as the
// default analyzer: every string field analysed, stored, with term vectors
// and in _all; the date string becomes a datetime field. The only
// departures from the defaults are the five facet fields (counties,
// topics, authors, paper and month, the YYYY-MM of the date, which the
// record lacks) mapped as keywords with doc values, so that its facets
// count whole values as ours do. It is written like index/bench_test.go's
// baseline: parsing on all cores, batches of 1000, unsafe_batch, one wait
// for persistence at the end, no merge.

// cjkMapping returns the baseline's mapping.
func cjkMapping() *mapping.IndexMappingImpl {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = cjk.AnalyzerName
	for _, f := range []string{"counties", "topics", "authors", "paper", "month"} {
		kw := bleve.NewKeywordFieldMapping()
		kw.IncludeInAll = false
		kw.Store = false
		kw.DocValues = true
		m.DefaultMapping.AddFieldMappingsAt(f, kw)
	}
	return m
}

// cjkDocument is the record as the baseline indexes it.
func cjkDocument(a *corpus.Article) map[string]any {
	return map[string]any{
		"id": a.ID, "source": a.Source, "ordinal": a.Ordinal, "kind": a.Kind,
		"paper": a.Paper, "date": a.Date, "page": a.Page,
		"kicker": a.Kicker, "title": a.Title, "subtitle": a.Subtitle,
		"authors": a.Authors, "body": a.Body,
		"counties": a.Counties, "county": a.County, "topics": a.Topics, "topic": a.Topic,
		"month": month(a.Date),
	}
}

// buildCJK indexes the corpus into dir and returns the number of articles.
func buildCJK(ctx context.Context, parser *corpus.Parser, files []corpus.File, dir string) (int, error) {
	idx, err := bleve.NewUsing(dir, cjkMapping(), bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, map[string]interface{}{"unsafe_batch": true})
	if err != nil {
		return 0, err
	}
	closed := false
	defer func() {
		if !closed {
			idx.Close()
		}
	}()
	n := 0
	batch := idx.NewBatch()
	err = parser.ParseFiles(ctx, files, 0, func(res corpus.FileResult) error {
		for i := range res.Items {
			if err := batch.Index(res.Items[i].ID, cjkDocument(&res.Items[i])); err != nil {
				return err
			}
			n++
		}
		if batch.Size() >= 1000 {
			if err := idx.Batch(batch); err != nil {
				return err
			}
			batch = idx.NewBatch()
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	persisted := make(chan error, 1)
	batch.SetPersistedCallback(func(err error) { persisted <- err })
	if err := idx.Batch(batch); err != nil {
		return n, err
	}
	if err := <-persisted; err != nil {
		return n, err
	}
	closed = true
	return n, idx.Close()
}

// cjkEngine answers the query mix from the baseline index: each word is a
// match query on _all with operator AND (all its bigrams), each quoted
// phrase a match-phrase query on _all, all of them must match (a
// conjunction); county and topic filters are term queries on the keyword
// fields, dates an inclusive date range; relevance is Bleve's default
// scoring, sort=date is newest first. Each request returns 20 hits with
// every stored field, Bleve's html highlighter on title and body, and the
// same five facets as ours, disjunctive as ours are (a facet whose filter
// is set is counted by one more search without that filter, run
// concurrently).
type cjkEngine struct {
	idx bleve.Index
}

func (e *cjkEngine) count() (int, error) {
	n, err := e.idx.DocCount()
	return int(n), err
}

func (e *cjkEngine) search(ctx context.Context, r baseRequest) (*baseResponse, error) {
	var text []query.Query
	for i, t := range r.Terms {
		if r.Quoted[i] {
			text = append(text, bleve.NewMatchPhraseQuery(t))
		} else {
			q := bleve.NewMatchQuery(t)
			q.SetOperator(query.MatchQueryOperatorAnd)
			text = append(text, q)
		}
	}
	filters := map[string]query.Query{}
	terms := func(field string, values []string) query.Query {
		var qs []query.Query
		for _, v := range values {
			q := bleve.NewTermQuery(v)
			q.SetField(field)
			qs = append(qs, q)
		}
		return bleve.NewDisjunctionQuery(qs...)
	}
	if len(r.Counties) > 0 {
		filters["county"] = terms("counties", r.Counties)
	}
	if len(r.Topics) > 0 {
		filters["topic"] = terms("topics", r.Topics)
	}
	if r.From != "" || r.To != "" {
		from, err := parseDay(r.From)
		if err != nil {
			return nil, err
		}
		to, err := parseDay(r.To)
		if err != nil {
			return nil, err
		}
		t := true
		q := bleve.NewDateRangeInclusiveQuery(from, to, &t, &t)
		q.SetField("date")
		filters["date"] = q
	}
	build := func(except string) query.Query {
		all := append([]query.Query{}, text...)
		for name, f := range filters {
			if name != except {
				all = append(all, f)
			}
		}
		if len(all) == 0 {
			return bleve.NewMatchAllQuery()
		}
		return bleve.NewConjunctionQuery(all...)
	}
	req := bleve.NewSearchRequestOptions(build(""), r.Size, 0, false)
	req.Fields = []string{"*"}
	req.Highlight = bleve.NewHighlightWithStyle(html.Name)
	req.Highlight.AddField("title")
	req.Highlight.AddField("body")
	if r.ByDate {
		req.SortBy([]string{"-date", "_id"})
	} else {
		req.SortBy([]string{"-_score", "_id"})
	}
	type facetResult struct {
		name string
		res  *bleve.SearchResult
		err  error
	}
	extra := make(chan facetResult, len(baseFacets))
	pending := 0
	for _, f := range baseFacets {
		if filters[f.name] == nil {
			req.AddFacet(f.name, bleve.NewFacetRequest(f.field, f.size))
			continue
		}
		pending++
		go func() {
			fr := bleve.NewSearchRequestOptions(build(f.name), 0, 0, false)
			fr.AddFacet(f.name, bleve.NewFacetRequest(f.field, f.size))
			res, err := e.idx.SearchInContext(ctx, fr)
			extra <- facetResult{f.name, res, err}
		}()
	}
	res, err := e.idx.SearchInContext(ctx, req)
	facets := map[string]*search.FacetResult{}
	for ; pending > 0; pending-- {
		fr := <-extra
		if fr.err != nil {
			err = fr.err
			continue
		}
		facets[fr.name] = fr.res.Facets[fr.name]
	}
	if err != nil {
		return nil, err
	}
	for name, f := range res.Facets {
		facets[name] = f
	}
	out := &baseResponse{Total: int64(res.Total), Hits: []baseHit{}, Facets: map[string][]facetValue{}}
	for _, f := range baseFacets {
		out.Facets[f.name] = []facetValue{}
	}
	for _, h := range res.Hits {
		hit := baseHit{ID: h.ID, Score: h.Score, Highlight: map[string]string{}}
		hit.Title, _ = h.Fields["title"].(string)
		hit.Paper, _ = h.Fields["paper"].(string)
		if d, ok := h.Fields["date"].(string); ok {
			hit.Date = d
		}
		for field, frags := range h.Fragments {
			hit.Highlight[field] = strings.Join(frags, " … ")
		}
		out.Hits = append(out.Hits, hit)
	}
	for name, f := range facets {
		if f == nil || f.Terms == nil {
			continue
		}
		for _, t := range f.Terms.Terms() {
			out.Facets[name] = append(out.Facets[name], facetValue{t.Term, t.Count})
		}
	}
	return out, nil
}

// parseDay reads a YYYY-MM-DD date; the empty string is the zero time,
// an open end of a range.
func parseDay(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.DateOnly, s)
}
