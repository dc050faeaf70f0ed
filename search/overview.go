package search

import (
	"context"
	"fmt"
	"strings"

	"newsarchive/engine"
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
	specs := make([]engine.Facet, len(facetList))
	for i, f := range facetList {
		f.Size = max(f.Size, 200)
		specs[i] = f
	}
	c, err := s.Engine.Search(ctx, &engine.Request{Facets: specs})
	if err != nil {
		return nil, fmt.Errorf("overview: %w", err)
	}
	info := s.Engine.Info()
	o := &Overview{
		Articles:   c.Total,
		Counties:   c.Facets["county"],
		Topics:     c.Facets["topic"],
		Papers:     c.Facets["paper"],
		Authors:    c.Facets["author"],
		Months:     c.Facets["date"],
		Generation: info.Generation,
		FirstDate:  info.FirstDate,
		LastDate:   info.LastDate,
	}
	if s.Tagger != nil && s.Tagger.Gazetteer != nil {
		o.Counties = withZeros(o.Counties, s.Tagger.Gazetteer.Units())
	}
	if s.Tagger != nil && s.Tagger.Taxonomy != nil {
		o.Topics = withZeros(o.Topics, s.Tagger.Taxonomy.Labels())
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
	const pairs = "pairs"
	c, err := s.Engine.Search(ctx, p.request([]engine.Facet{{Name: pairs, Field: engine.FieldCountyTopic, ByValue: true}}, 0, 0))
	if err != nil {
		return nil, fmt.Errorf("county × topic: %w", engineError(err))
	}
	counts := map[string]map[string]int{}
	for _, v := range c.Facets[pairs] {
		county, topic, ok := strings.Cut(v.Value, engine.CountyTopicSep)
		if !ok {
			continue
		}
		if counts[county] == nil {
			counts[county] = map[string]int{}
		}
		counts[county][topic] = v.Count
	}
	return counts, nil
}
