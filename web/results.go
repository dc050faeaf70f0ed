package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"newsarchive/corpus"
	"newsarchive/search"
)

// resultsView is the results page.
type resultsView struct {
	page
	Error string // the 400 message of a malformed request
	// ErrorHeading heads it: 检索式有误 for the query, 检索条件有误 for
	// the other parameters.
	ErrorHeading string
	Req          search.Request
	Res          *search.Response
	Hidden       []field // the search form's hidden filters
	Sorts        []option
	Sidebar      sidebar
	Active       []activeFilter
	Hits         []hitView
	First        int // position of the first hit shown (1-based)
	Last         int
	Cursor       bool // the page was reached with an after cursor
	Pager        pager
	Export       exportLinks
	Empty        []activeFilter // on an empty result: filters to remove
	Time         *timeline
	Table        *crossTable
	Places       *placeTree
}

type option struct {
	Value, Label string
	Selected     bool
}

// sidebar is the filter form: dates and the facets as checkboxes.
type sidebar struct {
	Hidden []field
	From   string
	To     string
	Groups []facetGroup
}

type facetGroup struct {
	Name   string // the parameter: county, topic, author, paper
	Label  string
	Values []facetItem // shown at once
	More   []facetItem // behind "more"
}

type facetItem struct {
	ID      string
	Value   string
	Count   int
	Checked bool
}

// activeFilter is a filter in force and the link that removes it.
type activeFilter struct {
	Label  string
	Remove string
}

type hitView struct {
	search.Hit
	URL       string
	LinkText  string // for a hit without a title
	PageLabel string
	Chips     []chip
}

// chip is a county or topic of a hit, linking to the search narrowed to it.
type chip struct {
	Kind, Label, URL string
	Active           bool
}

type pager struct {
	Prev, Next string
	Pages      []pageLink
	More       string // the next page past the page-number window, by cursor
	FirstPage  string // back to the start, when reading by cursor
}

type pageLink struct {
	N       int
	URL     string
	Current bool
	Gap     bool // an ellipsis
}

type exportLinks struct{ CSV, JSONL, RIS, BibTeX, CSL, Atom string }

var facetLabels = []struct{ Name, Label string }{
	{"province", "省份"}, {"prefecture", "地市"}, {"county", "区县"}, {"topic", "主题"}, {"author", "作者"}, {"paper", "报纸"},
}

// treeFacets are the facets shown only in the place hierarchy, not as
// checkboxes.
var treeFacets = []string{"province", "prefecture"}

// facetShown is how many values of a facet show before "more".
const facetShown = 8

// facetListed is the most values a checkbox facet lists (the county
// facet has every county with hits; the place hierarchy has them all).
const facetListed = 200

func (srv *Server) resultsPage(c *gin.Context) {
	dropTrackingDates(c.Request.URL)
	st := newState(c.Request.URL.Query())
	sort := c.Query("sort")
	if sort == "" && strings.TrimSpace(c.Query("q")) == "" {
		sort = search.SortNewest // what search does without a query
	}
	v := &resultsView{page: newPage("检索结果"), Sorts: sortOptions(sort, false)}
	v.Nav = "search"
	v.Query = c.Query("q")
	v.Hidden = st.hidden("q", "sort")
	if v.Query != "" {
		v.Title = v.Query
	}
	r, err := searchRequest(c)
	var s *search.Searcher
	if err == nil {
		v.Req = r
		if s, err = srv.searcher(c); err == nil {
			v.Res, err = s.Search(c.Request.Context(), r)
		}
	}
	if err != nil {
		if !errors.Is(err, search.ErrBadRequest) {
			srv.failPage(c, err)
			return
		}
		v.Error = pageErrorMessage(err)
		v.ErrorHeading = "检索条件有误"
		if _, ok := errors.AsType[*search.SyntaxError](err); ok {
			v.ErrorHeading = "检索式有误"
		}
		v.Status = http.StatusBadRequest
		v.Sidebar = sidebar{Hidden: st.hidden("from", "to"), From: r.From, To: r.To}
		v.Active = srv.activeFilters(st, r)
		srv.render(c, http.StatusBadRequest, "results", v)
		return
	}
	res := v.Res
	v.Sorts = sortOptions(sort, res.Total <= search.MaxPageOrder)
	v.Feed = "/api/v1/search.atom?" + st.query("sort", "size")
	v.Export = exportLinks{
		CSV:    "/api/v1/search.csv?" + st.query("size"),
		JSONL:  "/api/v1/search.jsonl?" + st.query("size"),
		RIS:    "/api/v1/search.ris?" + st.query("size"),
		BibTeX: "/api/v1/search.bib?" + st.query("size"),
		CSL:    "/api/v1/search.csl.json?" + st.query("size"),
		Atom:   v.Feed,
	}
	v.Sidebar = srv.sidebar(st, r, res)
	v.Active = srv.activeFilters(st, r)
	for _, h := range res.Hits {
		v.Hits = append(v.Hits, srv.hitView(st, h))
	}
	v.Cursor = r.After != ""
	if len(v.Hits) > 0 && !v.Cursor {
		v.First = (res.Page-1)*res.Size + 1
		v.Last = v.First + len(v.Hits) - 1
	}
	v.Pager = newPager(c.Request.URL.Query(), res)
	if res.Total == 0 {
		v.Empty = v.Active
	}
	if v.Places, err = srv.placeFacet(c.Request.Context(), s, st, r, res); err != nil {
		srv.failPage(c, err)
		return
	}
	if res.Total > 0 {
		v.Time = newTimeline(st, r, res.Facets.Date)
		v.Table, err = srv.crossTable(c.Request.Context(), s, st, r, res)
		if err != nil {
			srv.failPage(c, err)
			return
		}
	}
	srv.render(c, http.StatusOK, "results", v)
}

// sortOptions are the orders the form offers; the page order
// (search.SortPage) when the results are few enough for it, or chosen.
func sortOptions(cur string, pageOrder bool) []option {
	opts := []option{
		{Value: "", Label: "相关度"},
		{Value: search.SortNewest, Label: "日期（新→旧）"},
		{Value: search.SortOldest, Label: "日期（旧→新）"},
	}
	if pageOrder || cur == search.SortPage {
		opts = append(opts, option{Value: search.SortPage, Label: "版面顺序（日期、报纸、版次）"})
	}
	for i := range opts {
		opts[i].Selected = opts[i].Value == cur || (cur == search.SortRelevance && opts[i].Value == "")
	}
	return opts
}

// canonical is the name under which a facet lists a filter value (伊通 is
// listed as 伊通满族自治县, 220323 too); a value it does not know stays as
// it is.
func (srv *Server) canonical(name, value string) string {
	if srv.tagger == nil {
		return value
	}
	s := &search.Searcher{Tagger: srv.tagger}
	if c, err := s.Canonical(name, value); err == nil {
		return c
	}
	return value
}

// placeFacet is the place hierarchy of a results page: the place facets
// of the request without its place filters (res itself when it has none).
func (srv *Server) placeFacet(ctx context.Context, s *search.Searcher, st state, r search.Request, res *search.Response) (*placeTree, error) {
	base := res
	if hasPlaces(r) {
		br := withoutPlaces(r)
		br.Page, br.Size, br.After = 0, 1, ""
		var err error
		if base, err = s.Search(ctx, br); err != nil {
			return nil, err
		}
	}
	t := buildPlaceTree(st, base.Facets, selectedPlaces(s, r))
	if len(t.Roots) == 0 {
		return nil, nil
	}
	return t, nil
}

func requestValues(r search.Request, name string) []string {
	switch name {
	case "province":
		return r.Provinces
	case "prefecture":
		return r.Prefectures
	case "county":
		return r.Counties
	case "topic":
		return r.Topics
	case "author":
		return r.Authors
	case "paper":
		return r.Papers
	}
	return nil
}

func facetValues(f search.Facets, name string) []search.FacetValue {
	switch name {
	case "county":
		return f.County
	case "topic":
		return f.Topic
	case "author":
		return f.Author
	case "paper":
		return f.Paper
	}
	return nil
}

func (srv *Server) sidebar(st state, r search.Request, res *search.Response) sidebar {
	sb := sidebar{
		Hidden: st.hidden("from", "to", "county", "topic", "author", "paper"),
		From:   r.From,
		To:     r.To,
	}
	for _, fl := range facetLabels {
		if slices.Contains(treeFacets, fl.Name) {
			continue
		}
		g := facetGroup{Name: fl.Name, Label: fl.Label}
		checked := map[string]bool{}
		for _, v := range requestValues(r, fl.Name) {
			if v = strings.TrimSpace(v); v != "" {
				checked[srv.canonical(fl.Name, v)] = true
			}
		}
		var items []facetItem
		listed := map[string]bool{}
		for i, fv := range facetValues(res.Facets, fl.Name) {
			if i >= facetListed && !checked[fv.Value] {
				continue
			}
			items = append(items, facetItem{Value: fv.Value, Count: fv.Count, Checked: checked[fv.Value]})
			listed[fv.Value] = true
		}
		// A ticked value without matches still shows, so it can be unticked.
		var missing []facetItem
		for _, v := range requestValues(r, fl.Name) {
			cv := srv.canonical(fl.Name, strings.TrimSpace(v))
			if cv != "" && !listed[cv] {
				missing = append(missing, facetItem{Value: cv, Checked: true})
				listed[cv] = true
			}
		}
		items = append(missing, items...)
		ids := map[string]bool{}
		for i := range items {
			items[i].ID = facetID(fl.Name, items[i].Value, ids)
		}
		// Ticked values always show, whatever their rank.
		for _, it := range items {
			if len(g.Values) < facetShown || it.Checked {
				g.Values = append(g.Values, it)
			} else {
				g.More = append(g.More, it)
			}
		}
		if len(items) > 0 {
			sb.Groups = append(sb.Groups, g)
		}
	}
	return sb
}

// facetID is the id of a facet value's checkbox, f-<facet>-<value>
// (white space as _): the same value has the same id on the next page,
// so that the script returns the focus to the box just ticked (its form
// is sent to /search#<id>). taken holds the ids given so far.
func facetID(name, value string, taken map[string]bool) string {
	id := "f-" + name + "-" + strings.Join(strings.Fields(value), "_")
	for n := 2; taken[id]; n++ {
		id = fmt.Sprintf("f-%s-%s-%d", name, strings.Join(strings.Fields(value), "_"), n)
	}
	taken[id] = true
	return id
}

// activeFilters lists the filters in force with links that remove them.
func (srv *Server) activeFilters(st state, r search.Request) []activeFilter {
	var out []activeFilter
	for _, fl := range facetLabels {
		for _, v := range st.v[fl.Name] {
			out = append(out, activeFilter{Label: fl.Label + "：" + srv.canonical(fl.Name, v), Remove: st.url(removeValue(fl.Name, v))})
		}
	}
	if r.From != "" || r.To != "" {
		label := "日期：" + r.From + " 至 " + r.To
		switch {
		case r.From == "":
			label = "日期：" + r.To + " 及以前"
		case r.To == "":
			label = "日期：" + r.From + " 及以后"
		}
		out = append(out, activeFilter{Label: label, Remove: st.url(setPeriod("", ""))})
	}
	return out
}

func (srv *Server) hitView(st state, h search.Hit) hitView {
	hv := hitView{Hit: h, URL: st.articleURL(h.ID), PageLabel: pageLabel(h.Page)}
	if strings.TrimSpace(h.Title) == "" {
		hv.LinkText = "（无标题）"
		if h.Kind == corpus.KindPhoto {
			hv.LinkText = "图片：" + cut(h.Article.Body, 24)
		}
	}
	for _, v := range h.Counties {
		hv.Chips = append(hv.Chips, chip{Kind: "county", Label: v, URL: st.url(addValue("county", v)), Active: st.has("county", v)})
	}
	for _, v := range h.Topics {
		hv.Chips = append(hv.Chips, chip{Kind: "topic", Label: v, URL: st.url(addValue("topic", v)), Active: st.has("topic", v)})
	}
	return hv
}

// cut shortens s to about n characters.
func cut(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// newPager links the pages around the current one. Past the last page
// that page numbers reach (search.MaxWindow hits), it links the next page
// with the response's cursor.
func newPager(q url.Values, res *search.Response) pager {
	st := newState(q)
	var p pager
	pageURL := func(n int) string {
		if n <= 1 {
			return st.url()
		}
		return st.url(setValue("page", fmt.Sprint(n)))
	}
	cursorURL := func(after string) string { return st.url(setValue("after", after)) }
	if q.Get("after") != "" {
		p.FirstPage = st.url()
		if res.Next != nil {
			p.Next = cursorURL(*res.Next)
		}
		return p
	}
	size := max(res.Size, 1)
	pages := int((res.Total + uint64(size) - 1) / uint64(size))
	reachable := min(pages, search.MaxWindow/size)
	cur := res.Page
	if pages <= 1 {
		return p
	}
	if cur > 1 {
		p.Prev = pageURL(cur - 1)
	}
	if cur < reachable {
		p.Next = pageURL(cur + 1)
	} else if res.Next != nil {
		p.More = cursorURL(*res.Next)
	}
	p.Pages = pageLinks(cur, reachable, pageURL)
	return p
}

// pageLinks are the numbered links of a pager over pages 1..last: the
// first, the last and two on each side of cur, with a gap where pages are
// left out.
func pageLinks(cur, last int, url func(int) string) []pageLink {
	var out []pageLink
	prev := 0
	for n := 1; n <= last; n++ {
		if n != 1 && n != last && (n < cur-2 || n > cur+2) {
			continue
		}
		if prev != 0 && n > prev+1 {
			out = append(out, pageLink{Gap: true})
		}
		out = append(out, pageLink{N: n, URL: url(n), Current: n == cur})
		prev = n
	}
	return out
}

// highlights are the hit's highlight fields as HTML, for the templates.
func (h hitView) TitleHTML() template.HTML    { return template.HTML(h.Highlight.Title) }
func (h hitView) KickerHTML() template.HTML   { return template.HTML(h.Highlight.Kicker) }
func (h hitView) SubtitleHTML() template.HTML { return template.HTML(h.Highlight.Subtitle) }
func (h hitView) SnippetHTML() template.HTML  { return template.HTML(h.Highlight.Snippet) }
