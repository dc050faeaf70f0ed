package search

import (
	"context"
	"fmt"
	"strings"

	"github.com/blevesearch/bleve/v2"

	"newsarchive/index"
)

// Overview describes the whole archive, for building a search form: every
// county, topic and paper with its number of articles, the most frequent
// authors, and the date range.
type Overview struct {
	Articles   uint64       `json:"articles"`
	Counties   []FacetValue `json:"counties"`
	Topics     []FacetValue `json:"topics"`
	Papers     []FacetValue `json:"papers"`
	Authors    []FacetValue `json:"authors"`
	Months     []FacetValue `json:"months"` // articles per month, oldest first
	FirstDate  string       `json:"first_date"`
	LastDate   string       `json:"last_date"`
	Generation string       `json:"generation"`
}

// Overview counts the archive. Counties and topics the gazetteer and
// taxonomy know but no article carries are listed with a count of 0.
func (s *Searcher) Overview(ctx context.Context) (*Overview, error) {
	req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 0, 0, false)
	for _, f := range facetList {
		req.AddFacet(f.name, bleve.NewFacetRequest(f.field, max(f.size, 200)))
	}
	res, err := s.Index.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("overview: %w", err)
	}
	o := &Overview{
		Articles:   res.Total,
		Counties:   facetValues(res.Facets["county"], false),
		Topics:     facetValues(res.Facets["topic"], false),
		Papers:     facetValues(res.Facets["paper"], false),
		Authors:    facetValues(res.Facets["author"], false),
		Months:     facetValues(res.Facets["date"], true),
		Generation: s.Index.Name(),
	}
	if s.Tagger != nil && s.Tagger.Gazetteer != nil {
		o.Counties = withZeros(o.Counties, s.Tagger.Gazetteer.Units())
	}
	if s.Tagger != nil && s.Tagger.Taxonomy != nil {
		o.Topics = withZeros(o.Topics, s.Tagger.Taxonomy.Labels())
	}
	if o.FirstDate, o.LastDate, err = s.dateRange(ctx); err != nil {
		return nil, err
	}
	return o, nil
}

func withZeros(counts []FacetValue, all []string) []FacetValue {
	have := map[string]bool{}
	for _, c := range counts {
		have[c.Value] = true
	}
	for _, v := range all {
		if !have[v] {
			counts = append(counts, FacetValue{Value: v, Count: 0})
			have[v] = true
		}
	}
	return counts
}

// dateRange returns the first and last dates in the archive.
func (s *Searcher) dateRange(ctx context.Context) (first, last string, err error) {
	for _, desc := range []bool{false, true} {
		p := &plan{sort: SortOldest}
		if desc {
			p.sort = SortNewest
		}
		req := p.request(dateQuery(minDate, maxDate), 1)
		req.Fields = []string{index.FieldRecord}
		res, err := s.Index.SearchInContext(ctx, req)
		if err != nil {
			return "", "", fmt.Errorf("date range: %w", err)
		}
		if len(res.Hits) == 0 {
			return "", "", nil
		}
		a, err := index.DecodeRecord(res.Hits[0].Fields)
		if err != nil {
			return "", "", err
		}
		if desc {
			last = a.Date
		} else {
			first = a.Date
		}
	}
	return first, last, nil
}

// CountyTopic counts the articles matching a request's query and its
// author, paper and date filters (not its county and topic filters) per
// county and topic: counts[county][topic]. One facet over the index's
// county × topic pairs gives the whole table.
func (s *Searcher) CountyTopic(ctx context.Context, r Request) (map[string]map[string]int, error) {
	r.Counties, r.Topics = nil, nil
	r.Page, r.Size, r.After, r.Sort = 0, 0, "", ""
	p, err := s.plan(r)
	if err != nil {
		return nil, err
	}
	req := bleve.NewSearchRequestOptions(p.query(""), 0, 0, false)
	req.AddFacet("pairs", bleve.NewFacetRequest(index.FieldCountyTopic, 100_000))
	res, err := s.Index.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("county × topic: %w", err)
	}
	counts := map[string]map[string]int{}
	if fr := res.Facets["pairs"]; fr != nil && fr.Terms != nil {
		for _, t := range fr.Terms.Terms() {
			county, topic, ok := strings.Cut(t.Term, index.CountyTopicSep)
			if !ok {
				continue
			}
			if counts[county] == nil {
				counts[county] = map[string]int{}
			}
			counts[county][topic] = t.Count
		}
	}
	return counts, nil
}
