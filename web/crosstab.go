package web

import (
	"context"
	"net/url"

	"newsarchive/search"
)

// The county × topic table of a results page: for the current query and
// its author, paper and date filters, how many articles each county has
// on each topic. Its counts ignore the county and topic filters (like the
// facets of those filters), so that the table still compares counties and
// topics once one is ticked; ticked rows and columns are marked.
//
// One search without the county and topic filters gives the rows (its
// county facet) and the columns (its topic facet); the cells come from one
// facet over the index's county × topic pairs (Searcher.CountyTopic). An
// article may carry several topics, so a row's cells can add up to more
// than its total.

// crossMaxRows is the most counties the table shows (the largest first).
const crossMaxRows = 15

type crossTable struct {
	Topics []crossHead
	Rows   []crossRow
	All    crossRow // every matching article, with or without a county
}

type crossHead struct {
	Label    string
	URL      string
	Selected bool
}

type crossRow struct {
	crossHead
	Total    int
	TotalURL string
	Cells    []crossCell
}

type crossCell struct {
	Count int
	URL   string
}

// crossTable computes the table for a request whose response is res; nil
// when no matching article has a county.
func (srv *Server) crossTable(ctx context.Context, s *search.Searcher, st state, r search.Request, res *search.Response) (*crossTable, error) {
	base := r
	base.Counties, base.Topics = nil, nil
	base.Page, base.Size, base.After, base.Sort = 0, 1, "", ""
	baseRes := res
	if len(r.Counties) > 0 || len(r.Topics) > 0 {
		var err error
		if baseRes, err = s.Search(ctx, base); err != nil {
			return nil, err
		}
	}
	counties := baseRes.Facets.County
	if len(counties) == 0 {
		return nil, nil
	}
	if len(counties) > crossMaxRows {
		counties = counties[:crossMaxRows]
	}
	topics := baseRes.Facets.Topic

	selected := func(name, v string) bool {
		for _, x := range st.v[name] {
			if srv.canonical(name, x) == v {
				return true
			}
		}
		return false
	}
	only := func(name, v string) func(url.Values) {
		return func(q url.Values) { q.Del(name); q.Set(name, v) }
	}
	drop := func(name string) func(url.Values) { return func(q url.Values) { q.Del(name) } }

	t := &crossTable{}
	for _, tv := range topics {
		t.Topics = append(t.Topics, crossHead{Label: tv.Value, URL: st.url(drop("county"), only("topic", tv.Value)), Selected: selected("topic", tv.Value)})
	}
	row := func(county string, total int, topicCounts []search.FacetValue) crossRow {
		byTopic := map[string]int{}
		for _, fv := range topicCounts {
			byTopic[fv.Value] = fv.Count
		}
		cr := crossRow{Total: total}
		if county != "" {
			cr.crossHead = crossHead{Label: county, URL: st.url(drop("topic"), only("county", county)), Selected: selected("county", county)}
			cr.TotalURL = cr.URL
		} else {
			cr.TotalURL = st.url(drop("topic"), drop("county"))
		}
		for _, tv := range topics {
			cell := crossCell{Count: byTopic[tv.Value]}
			if cell.Count > 0 {
				if county != "" {
					cell.URL = st.url(only("county", county), only("topic", tv.Value))
				} else {
					cell.URL = st.url(drop("county"), only("topic", tv.Value))
				}
			}
			cr.Cells = append(cr.Cells, cell)
		}
		return cr
	}
	t.All = row("", int(baseRes.Total), topics)

	cells, err := s.CountyTopic(ctx, base)
	if err != nil {
		return nil, err
	}
	for _, cv := range counties {
		var byTopic []search.FacetValue
		for topic, n := range cells[cv.Value] {
			byTopic = append(byTopic, search.FacetValue{Value: topic, Count: n})
		}
		t.Rows = append(t.Rows, row(cv.Value, cv.Count, byTopic))
	}
	return t, nil
}
