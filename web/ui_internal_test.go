package web

import (
	"bytes"
	"html/template"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"newsarchive/corpus"
	"newsarchive/search"
)

func TestParagraphs(t *testing.T) {
	got := paragraphs("第一段 <mark>a&amp;b</mark>\n\n  第二段\n")
	if len(got) != 2 || string(got[0]) != "第一段 <mark>a&amp;b</mark>" || string(got[1]) != "第二段" {
		t.Errorf("paragraphs = %q", got)
	}
}

func TestTimelineByMonth(t *testing.T) {
	st := newState(url.Values{"q": {"经济"}, "page": {"3"}})
	months := []search.FacetValue{{Value: "2023-11", Count: 4}, {Value: "2024-01", Count: 8}, {Value: "2024-02", Count: 2}}
	tl := newTimeline(st, search.Request{Query: "经济"}, months)
	if tl == nil || tl.ByYear || len(tl.Bars) != 4 || tl.Max != 8 {
		t.Fatalf("timeline %+v", tl)
	}
	want := []struct {
		period   string
		count    int
		from, to string
	}{{"2023-11", 4, "2023-11-01", "2023-11-30"}, {"2023-12", 0, "", ""}, {"2024-01", 8, "2024-01-01", "2024-01-31"}, {"2024-02", 2, "2024-02-01", "2024-02-29"}}
	for i, w := range want {
		b := tl.Bars[i]
		if b.Period != w.period || b.Count != w.count {
			t.Errorf("bar %d: %s %d, want %s %d", i, b.Period, b.Count, w.period, w.count)
		}
		if w.count == 0 {
			if b.URL != "" || b.H != 0 {
				t.Errorf("empty month %s has a bar", b.Period)
			}
			continue
		}
		u, _ := url.Parse(b.URL)
		q := u.Query()
		if u.Path != "/search" || q.Get("from") != w.from || q.Get("to") != w.to || q.Get("q") != "经济" || q.Has("page") {
			t.Errorf("bar %s links %s", b.Period, b.URL)
		}
	}
	if tl.Bars[2].H != tlPlotHeight || tl.Bars[0].H != tlPlotHeight/2 {
		t.Errorf("heights %v %v", tl.Bars[2].H, tl.Bars[0].H)
	}
	if tl.Whole != "" {
		t.Errorf("whole-period link without a period")
	}

	// Narrowed to a month: the months of its year, the month marked, and a
	// way back.
	r := search.Request{Query: "经济", From: "2024-01-01", To: "2024-01-31"}
	st = newState(url.Values{"q": {"经济"}, "from": {r.From}, "to": {r.To}})
	tl = newTimeline(st, r, months)
	if len(tl.Bars) != 12 || tl.Bars[0].Period != "2024-01" || !tl.Bars[0].Current || !tl.Bars[0].Selected ||
		tl.Bars[1].Selected || tl.Bars[1].URL == "" || tl.Bars[2].URL != "" || !tl.Narrowed() {
		t.Errorf("timeline narrowed to a month %+v", tl.Bars[:3])
	}
	if tl.Whole != "/search?q="+url.QueryEscape("经济") {
		t.Errorf("whole-period link %q", tl.Whole)
	}
	// Narrowed to more than a year: just those months.
	r = search.Request{From: "2023-11-15", To: "2025-01-01"}
	tl = newTimeline(newState(nil), r, months)
	if len(tl.Bars) != 4 || tl.Bars[0].Period != "2023-11" || tl.Narrowed() {
		t.Errorf("timeline narrowed to a long period: %d bars from %s", len(tl.Bars), tl.Bars[0].Period)
	}
}

func TestTimelineByYear(t *testing.T) {
	var months []search.FacetValue
	for _, m := range []string{"2001-03", "2001-07", "2010-01", "2015-12"} {
		months = append(months, search.FacetValue{Value: m, Count: 1})
	}
	months = append(months, search.FacetValue{Value: "bad", Count: 5})
	tl := newTimeline(newState(nil), search.Request{}, months)
	if !tl.ByYear || len(tl.Bars) != 15 || tl.Bars[0].Count != 2 || tl.Bars[0].Period != "2001" {
		t.Fatalf("timeline %+v", tl.Bars[0])
	}
	if tl.Bars[0].URL != "/search?from=2001-01-01&to=2001-12-31" {
		t.Errorf("year bar links %s", tl.Bars[0].URL)
	}
	for _, b := range tl.Bars {
		if b.X < 0 || b.X+b.W > tlWidth {
			t.Errorf("bar %s outside the chart", b.Period)
		}
	}
	if newTimeline(newState(nil), search.Request{}, nil) != nil {
		t.Errorf("a timeline without dates")
	}
}

func TestPager(t *testing.T) {
	next := "CURSOR"
	// The last page that page numbers reach: the next one goes by cursor.
	res := &search.Response{Total: 50_000, Page: 100, Size: 100, Next: &next}
	p := newPager(url.Values{"q": {"a"}, "size": {"100"}, "page": {"100"}}, res)
	if p.Next != "" || p.More != "/search?after=CURSOR&q=a&size=100" {
		t.Errorf("pager at the window's end: next %q more %q", p.Next, p.More)
	}
	if last := p.Pages[len(p.Pages)-1]; last.N != 100 || !last.Current {
		t.Errorf("last page link %+v", last)
	}
	// Reading by cursor: the next cursor, and a way back to the start.
	p = newPager(url.Values{"q": {"a"}, "after": {"OLD"}}, res)
	if p.Next != "/search?after=CURSOR&q=a" || p.FirstPage != "/search?q=a" || len(p.Pages) != 0 {
		t.Errorf("pager by cursor %+v", p)
	}
	// Page numbers around the current page, with gaps.
	res = &search.Response{Total: 200, Page: 6, Size: 10}
	p = newPager(url.Values{}, res)
	var got []int
	for _, l := range p.Pages {
		got = append(got, l.N) // 0 for a gap
	}
	if !reflect.DeepEqual(got, []int{1, 0, 4, 5, 6, 7, 8, 0, 20}) {
		t.Errorf("page numbers %v", got)
	}
	if p.Prev != "/search?page=5" || p.Next != "/search?page=7" {
		t.Errorf("prev %q next %q", p.Prev, p.Next)
	}
	if p := newPager(url.Values{}, &search.Response{Total: 5, Page: 1, Size: 20}); len(p.Pages) != 0 || p.Next != "" {
		t.Errorf("one page has a pager: %+v", p)
	}
}

// TestArticleTemplateEscapes renders an article whose every field holds
// markup and checks that the page shows it as text.
func TestArticleTemplateEscapes(t *testing.T) {
	const nasty = `<b>粗</b> & "引" '号' <script>alert(1)</script>`
	a := corpus.Article{ID: "x", Source: nasty + ".txt", Kind: corpus.KindArticle, Paper: nasty, Date: "2024-01-02", Page: nasty,
		Kicker: nasty, Title: nasty, Subtitle: nasty, Authors: []string{nasty}, Body: nasty + "\n" + nasty,
		Counties: []string{nasty}, Topics: []string{nasty}}
	// What the search package makes of it, with 引 marked.
	mark := func(s string) template.HTML {
		return template.HTML(strings.ReplaceAll(html.EscapeString(s), "引", "<mark>引</mark>"))
	}
	h := html.EscapeString(nasty)
	v := articleView{page: newPage(articleTitle(a)), A: a, PageLabel: pageLabel(a.Page),
		Kicker: mark(nasty), HeadTitle: mark(nasty), Subtitle: mark(nasty), Paragraphs: paragraphs(string(mark(a.Body))),
		Counties:  []link{{Label: nasty, URL: searchURL(url.Values{"county": {nasty}})}},
		Topics:    []link{{Label: nasty, URL: searchURL(url.Values{"topic": {nasty}})}},
		Authors:   []link{{Label: nasty, URL: searchURL(url.Values{"author": {nasty}})}},
		Permalink: "http://h/articles/x", Cite: (&Server{baseURL: "http://h"}).articleCitation(a, time.Date(2026, 12, 3, 0, 0, 0, 0, archiveZone)),
		Similar: []hitView{{Hit: search.Hit{ID: "y", Title: nasty, Paper: nasty}, URL: "/articles/y"}}}
	v.Query = nasty
	v.HeaderSearch = true
	tmpl, _, err := loadUI()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tmpl["article"].ExecuteTemplate(&buf, "layout", v); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "<b>") || strings.Contains(out, "<script>alert") || strings.Contains(out, h) == false {
		t.Errorf("markup in article text was not escaped")
	}
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	var scripts, bolds int
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "script" {
			scripts++
		}
		if n.Type == html.ElementNode && n.Data == "b" {
			bolds++
		}
		if n.Type == html.TextNode {
			texts = append(texts, n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if scripts != 1 || bolds != 0 {
		t.Errorf("%d script and %d b elements", scripts, bolds)
	}
	all := strings.Join(texts, "")
	if n := strings.Count(all, `<b>粗</b> & "`); n < 10 {
		t.Errorf("the text shows %d times as text, want every field", n)
	}
}
