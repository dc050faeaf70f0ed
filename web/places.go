package web

import (
	"fmt"
	"net/url"
	"strings"

	"newsarchive/corpus"
	"newsarchive/search"
)

// The place facet of a results page is a hierarchy: provinces, each
// opening (<details>) to its prefectures and the counties directly under
// it, each prefecture to its counties. It is built from the place facets
// of a search without place filters (counts: the articles matching the
// query and the other filters in each place, its places inside
// included), so a parent's count is at least any child's. Every node has
// a link that makes it the only place filter, or, when it is the filter
// in force, removes it. The level in view opens: the selected places and
// their ancestors, and a single province (or prefecture) when it is the
// only one with hits.

// placeParams are the place filter parameters, by level.
var placeParams = map[string]string{corpus.LevelProvince: "province", corpus.LevelPrefecture: "prefecture", corpus.LevelCounty: "county"}

// levelLabels name the levels in Chinese.
var levelLabels = map[string]string{corpus.LevelProvince: "省份", corpus.LevelPrefecture: "地市", corpus.LevelCounty: "区县"}

type placeNode struct {
	Level    string
	Label    string // the display name
	Code     string
	Count    int
	URL      string // applies the place as the only place filter, or removes it when Selected
	Selected bool
	Open     bool // its children show (the details element is open)
	ID       string
	Children []*placeNode
}

// placeTree is the hierarchy of places with hits.
type placeTree struct {
	Roots []*placeNode
	Any   bool // some place filter is in force
	Clear string
}

// selectedPlaces returns the request's place filters by level and
// canonical value, each with the values as given (a code, a short name),
// which removing it must take out of the URL.
func selectedPlaces(s *search.Searcher, r search.Request) map[string]map[string][]string {
	out := map[string]map[string][]string{}
	for level, values := range map[string][]string{corpus.LevelProvince: r.Provinces, corpus.LevelPrefecture: r.Prefectures, corpus.LevelCounty: r.Counties} {
		out[level] = map[string][]string{}
		for _, v := range values {
			if c, err := s.Canonical(placeParams[level], v); err == nil && strings.TrimSpace(v) != "" {
				out[level][c] = append(out[level][c], v)
			}
		}
	}
	return out
}

// withoutPlaces is r without its place filters.
func withoutPlaces(r search.Request) search.Request {
	r.Provinces, r.Prefectures, r.Counties = nil, nil, nil
	return r
}

func hasPlaces(r search.Request) bool {
	return len(r.Provinces)+len(r.Prefectures)+len(r.Counties) > 0
}

// buildPlaceTree arranges the place facets of res (a search without place
// filters) as a hierarchy, by the facet values' codes.
func buildPlaceTree(st state, f search.Facets, sel map[string]map[string][]string) *placeTree {
	t := &placeTree{}
	byCode := map[string]*placeNode{}
	dropPlaces := func(v url.Values) {
		for _, p := range placeParams {
			v.Del(p)
		}
	}
	node := func(level string, fv search.FacetValue) *placeNode {
		given := sel[level][fv.Value]
		n := &placeNode{Level: level, Label: fv.Value, Code: fv.Code, Count: fv.Count, Selected: len(given) > 0}
		if n.Selected {
			n.URL = st.url(func(v url.Values) {
				for _, g := range given {
					removeValue(placeParams[level], g)(v)
				}
			})
			t.Any = true
		} else {
			n.URL = st.url(dropPlaces, setValue(placeParams[level], fv.Value))
		}
		n.ID = "place-" + fv.Code
		return n
	}
	for _, fv := range f.Province {
		if len(fv.Code) != 6 {
			continue
		}
		n := node(corpus.LevelProvince, fv)
		byCode[fv.Code[:2]] = n
		t.Roots = append(t.Roots, n)
	}
	for _, fv := range f.Prefecture {
		if len(fv.Code) != 6 {
			continue
		}
		if parent := byCode[fv.Code[:2]]; parent != nil {
			n := node(corpus.LevelPrefecture, fv)
			byCode[fv.Code[:4]] = n
			parent.Children = append(parent.Children, n)
		}
	}
	for _, fv := range f.County {
		if len(fv.Code) != 6 || strings.HasSuffix(fv.Code, "00") { // a prefecture among the counties (a city paper's home)
			continue
		}
		parent := byCode[fv.Code[:4]]
		if parent == nil {
			parent = byCode[fv.Code[:2]]
		}
		if parent != nil {
			parent.Children = append(parent.Children, node(corpus.LevelCounty, fv))
		}
	}
	// Open the selected places and their ancestors.
	var open func(n *placeNode) bool
	open = func(n *placeNode) bool {
		inside := false
		for _, c := range n.Children {
			if open(c) {
				inside = true
			}
		}
		n.Open = (n.Selected || inside) && len(n.Children) > 0
		return n.Selected || inside
	}
	for _, n := range t.Roots {
		open(n)
	}
	// With nothing selected, a single place with hits opens, and again.
	if !t.Any {
		level := t.Roots
		for len(level) == 1 && len(level[0].Children) > 0 {
			level[0].Open = true
			level = level[0].Children
		}
	}
	if t.Any {
		t.Clear = st.url(dropPlaces)
	}
	return t
}

// view returns the places a table of the tree compares: the children of
// the deepest selected places (for a selected county, its siblings), the
// provinces when nothing is selected, descending while a single place has
// hits.
func (t *placeTree) view() []*placeNode {
	var rows []*placeNode
	var walk func(parent *placeNode, ns []*placeNode)
	found := false
	walk = func(parent *placeNode, ns []*placeNode) {
		for _, n := range ns {
			deeper := false
			for _, c := range n.Children {
				if c.Selected || c.Open {
					deeper = true
				}
			}
			switch {
			case n.Selected && n.Level == corpus.LevelCounty:
				if parent != nil && !found {
					rows, found = parent.Children, true
				}
			case n.Selected && !deeper:
				rows, found = append(rows, n.Children...), true
			}
			walk(n, n.Children)
		}
	}
	walk(nil, t.Roots)
	if !found {
		rows = t.Roots
	}
	for len(rows) == 1 && len(rows[0].Children) > 0 {
		rows = rows[0].Children
	}
	return rows
}

// levelOf is the level of the rows of a view ("" for a mix, which a
// province's prefectures and its counties directly under it make).
func levelOf(rows []*placeNode) string {
	level := ""
	for i, n := range rows {
		if i == 0 {
			level = n.Level
		} else if n.Level != level {
			return ""
		}
	}
	return level
}

// placeLinks are links to the search of each of an article's places,
// with the ancestors of a place before it (吉林省 › 四平市 › 伊通满族自治县).
func placeLinks(a corpus.Article) [][]link {
	var out [][]link
	for _, p := range a.Places {
		var chain []link
		if p.Province != "" && p.Level != corpus.LevelProvince {
			chain = append(chain, link{Label: p.Province, URL: searchURL(url.Values{"province": {p.Province}})})
		}
		if p.Prefecture != "" && p.Level == corpus.LevelCounty {
			chain = append(chain, link{Label: p.Prefecture, URL: searchURL(url.Values{"prefecture": {p.Prefecture}})})
		}
		chain = append(chain, link{Label: p.Display, URL: searchURL(url.Values{placeParams[p.Level]: {p.Display}})})
		out = append(out, chain)
	}
	return out
}

// placeTitle is a node's accessible description: 吉林省，53 篇.
func (n *placeNode) Desc() string { return fmt.Sprintf("%s，%d 篇", n.Label, n.Count) }
