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
		Counties:   facetValues(c.Facets["county"]),
		Topics:     facetValues(c.Facets["topic"]),
		Papers:     facetValues(c.Facets["paper"]),
		Authors:    facetValues(c.Facets["author"]),
		Months:     facetValues(c.Facets["date"]),
		Generation: info.Generation,
		FirstDate:  info.FirstDate,
		LastDate:   info.LastDate,
	}
	if s.Tagger != nil && s.Tagger.Gazetteer != nil {
		o.Counties = withZeros(o.Counties, s.CuratedCounties())
	}
	if s.Tagger != nil && s.Tagger.Taxonomy != nil {
		o.Topics = withZeros(o.Topics, s.Tagger.Taxonomy.Labels())
	}
	return o, nil
}

// CuratedCounties are the display names of the curated gazetteer's units
// (its 铁东区 is 铁东区（四平）): the unit of that name inside the
// gazetteer's area; nil without a curated gazetteer.
func (s *Searcher) CuratedCounties() []string {
	if s.Tagger == nil || s.Tagger.Gazetteer == nil {
		return nil
	}
	g := s.Tagger.Gazetteer
	area := g.Area()
	var out []string
	for _, name := range g.Units() {
		display := name
		ps := s.Tagger.LookupPlace(name, "")
		for _, p := range ps {
			if len(ps) == 1 || (area != "" && strings.HasPrefix(p.Code, area)) {
				display = p.Display
				break
			}
		}
		out = append(out, display)
	}
	return out
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

// PlaceTopic counts the articles matching a request's query and its
// author, paper and date filters (not its place and topic filters) per
// place of a level (corpus.LevelCounty: the county facet's values;
// LevelPrefecture, LevelProvince: a place's ancestors included) and topic:
// counts[place][topic]. One facet over the index's place × topic pairs
// gives the whole table.
func (s *Searcher) PlaceTopic(ctx context.Context, r Request, level string) (map[string]map[string]int, error) {
	r.Provinces, r.Prefectures, r.Counties, r.Topics = nil, nil, nil, nil
	r.Page, r.Size, r.After, r.Sort = 0, 0, "", ""
	p, err := s.plan(r)
	if err != nil {
		return nil, err
	}
	const pairs = "pairs"
	c, err := s.Engine.Search(ctx, p.request([]engine.Facet{{Name: pairs, Field: engine.FieldPlaceTopic, ByValue: true}}, 0, 0))
	if err != nil {
		return nil, fmt.Errorf("place × topic: %w", engineError(err))
	}
	counts := map[string]map[string]int{}
	for _, v := range c.Facets[pairs] {
		l, rest, ok := strings.Cut(v.Value, engine.PlaceTopicSep)
		if !ok || l != level {
			continue
		}
		place, topic, ok := strings.Cut(rest, engine.PlaceTopicSep)
		if !ok {
			continue
		}
		if counts[place] == nil {
			counts[place] = map[string]int{}
		}
		counts[place][topic] = v.Count
	}
	return counts, nil
}
