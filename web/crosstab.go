package web

import (
	"context"
	"net/url"

	"newsarchive/search"
)

// The place × topic table of a results page: for the current query and
// its author, paper and date filters, how many articles each place has
// on each topic. Its counts ignore the place and topic filters (like the
// facets of those filters), so that the table still compares places and
// topics once one is ticked; ticked rows and columns are marked.
//
// The rows follow the level being viewed (placeTree.view): the provinces
// without a place filter, a selected province's prefectures (and the
// counties directly under it), a selected prefecture's counties, a
// selected county's siblings; while a single place has hits, its
// children instead (so a corpus of one city shows its counties).
//
// One search without the place and topic filters gives the rows (its
// place facets) and the columns (its topic facet); the cells come from one
// facet over the index's place × topic pairs (Searcher.PlaceTopic). An
// article may carry several topics, so a row's cells can add up to more
// than its total.

// crossMaxRows is the most counties the table shows (the largest first).
const crossMaxRows = 15

type crossTable struct {
	Level  string // the rows' label: 省份, 地市, 区县, or 地区 for a mix
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
// when no matching article has a place.
func (srv *Server) crossTable(ctx context.Context, s *search.Searcher, st state, r search.Request, res *search.Response) (*crossTable, error) {
	base := withoutPlaces(r)
	base.Topics = nil
	base.Page, base.Size, base.After, base.Sort = 0, 1, "", ""
	baseRes := res
	if hasPlaces(r) || len(r.Topics) > 0 {
		var err error
		if baseRes, err = s.Search(ctx, base); err != nil {
			return nil, err
		}
	}
	tree := buildPlaceTree(st, baseRes.Facets, selectedPlaces(s, r))
	places := tree.view()
	if len(places) == 0 {
		return nil, nil
	}
	if len(places) > crossMaxRows {
		places = places[:crossMaxRows]
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
		return func(q url.Values) {
			if name != "topic" { // a place: the only place filter
				q.Del("province")
				q.Del("prefecture")
				q.Del("county")
			}
			q.Set(name, v)
		}
	}
	drop := func(names ...string) func(url.Values) {
		return func(q url.Values) {
			for _, n := range names {
				q.Del(n)
			}
		}
	}
	dropPlaces := drop("province", "prefecture", "county")

	t := &crossTable{Level: "地区"}
	if l := levelOf(places); l != "" {
		t.Level = levelLabels[l]
	}
	for _, tv := range topics {
		t.Topics = append(t.Topics, crossHead{Label: tv.Value, URL: st.url(dropPlaces, only("topic", tv.Value)), Selected: selected("topic", tv.Value)})
	}
	row := func(place *placeNode, total int, topicCounts map[string]int) crossRow {
		cr := crossRow{Total: total}
		param := ""
		if place != nil {
			param = placeParams[place.Level]
			cr.crossHead = crossHead{Label: place.Label, URL: st.url(drop("topic"), only(param, place.Label)), Selected: place.Selected}
			cr.TotalURL = cr.URL
		} else {
			cr.TotalURL = st.url(drop("topic"), dropPlaces)
		}
		for _, tv := range topics {
			cell := crossCell{Count: topicCounts[tv.Value]}
			if cell.Count > 0 {
				if place != nil {
					cell.URL = st.url(only(param, place.Label), only("topic", tv.Value))
				} else {
					cell.URL = st.url(dropPlaces, only("topic", tv.Value))
				}
			}
			cr.Cells = append(cr.Cells, cell)
		}
		return cr
	}
	all := map[string]int{}
	for _, tv := range topics {
		all[tv.Value] = tv.Count
	}
	t.All = row(nil, int(baseRes.Total), all)

	cells := map[string]map[string]map[string]int{} // by level, place, topic
	for _, p := range places {
		if cells[p.Level] == nil {
			c, err := s.PlaceTopic(ctx, base, p.Level)
			if err != nil {
				return nil, err
			}
			cells[p.Level] = c
		}
		t.Rows = append(t.Rows, row(p, p.Count, cells[p.Level][p.Label]))
	}
	return t, nil
}
