package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"newsarchive/corpus"
	"newsarchive/search/searchtest"
	"newsarchive/serving"
	"newsarchive/web"
)

// uiServer starts the application on a real loopback listener.
func uiServer(t *testing.T) (*httptest.Server, *searchtest.Fixture) {
	t.Helper()
	fx := searchtest.Get(t)
	// Not rate limited: these tests load many pages at once
	// (TestUIAndAdminAreRateLimited checks the UI's rate limit).
	srv := web.New(serving.Fixed(fx.Engine, fx.Tagger), web.Options{Logger: slog.New(slog.DiscardHandler), Limits: web.Limits{RatePerSecond: -1}})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, fx
}

// fetchPage gets a page and returns its status and body.
func fetchPage(t *testing.T, ts *httptest.Server, path string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

// article finds a fixture article.
func article(t *testing.T, fx *searchtest.Fixture, ok func(corpus.Article) bool) corpus.Article {
	t.Helper()
	for _, a := range fx.Articles {
		if ok(a) {
			return a
		}
	}
	t.Fatal("no such article in the fixture")
	return corpus.Article{}
}

// scriptArticle is the sample article whose body holds <script>alert("hi")</script>.
func scriptArticle(t *testing.T, fx *searchtest.Fixture) corpus.Article {
	return article(t, fx, func(a corpus.Article) bool { return strings.Contains(a.Body, `<script>alert("hi")</script>`) })
}

func TestPagesAreValidHTML(t *testing.T) {
	ts, fx := uiServer(t)
	script := scriptArticle(t, fx)
	photo := article(t, fx, func(a corpus.Article) bool { return a.Kind == corpus.KindPhoto && a.Date != "" })
	long := article(t, fx, func(a corpus.Article) bool { return strings.Count(a.Body, "\n") >= 3 && len(a.Counties) > 0 })
	q := url.QueryEscape
	pages := []struct {
		path   string
		status int
	}{
		{"/", 200},
		{"/search", 200},
		{"/search?q=" + q("满族"), 200},
		{"/search?q=script", 200},
		{"/search?q=" + q("满族") + "&county=" + q("伊通") + "&topic=" + q("教育") + "&from=2022-01-01&to=2022-12-31&sort=date", 200},
		{"/search?q=" + q("满族") + "&county=" + q("双辽市"), 200}, // empty
		{"/search?q=" + q(`"满族`), 400},
		{"/search?q=" + q("满族") + "&page=x", 400},
		{"/search?q=" + q("满族") + "&county=" + q("火星"), 400},
		{"/search?province=22", 200},
		{"/search?prefecture=220300&q=" + q("活动"), 200},
		{"/search?county=220323", 200},
		{"/search?county=" + q("鼓楼区"), 400},
		{"/search?q=" + q("place:吉林"), 400},
		{"/search?size=5&page=3", 200},
		{"/search?page=400", 200}, // past the last page
		{"/articles/" + script.ID + "?q=script", 200},
		{"/articles/" + script.ID, 200},
		{"/articles/" + photo.ID + "?q=" + q("学生"), 200},
		{"/articles/" + long.ID + "?q=" + q(`"双减" -满族 (教育 OR title:研培)`), 200},
		{"/articles/no-such-id", 404},
		{"/about", 200},
		{"/no/such/page", 404},
	}
	for _, p := range pages {
		t.Run(p.path, func(t *testing.T) {
			status, h, body := fetchPage(t, ts, p.path)
			if status != p.status {
				t.Fatalf("status %d, want %d", status, p.status)
			}
			if ct := h.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			checkHTML(t, body)
			if strings.Contains(body, "<script>alert") {
				t.Errorf("article text came through unescaped")
			}
		})
	}
}

// voidElements have no end tag.
var voidElements = map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true,
	"img": true, "input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true}

// checkHTML reports the problems htmlProblems finds in a page.
func checkHTML(t *testing.T, page string) {
	t.Helper()
	for _, p := range htmlProblems(page) {
		t.Error(p)
	}
}

// htmlProblems checks a page's markup: every element closed in order, ids
// unique, scripts only from /static, no inline styles or event handlers,
// nothing loaded from another host, every form control labelled.
func htmlProblems(page string) []string {
	var problems []string
	errorf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if !strings.HasPrefix(page, "<!DOCTYPE html>") {
		errorf("no doctype")
	}
	z := html.NewTokenizer(strings.NewReader(page))
	var stack []string
	ids := map[string]int{}
	labelFor := map[string]bool{}
	type control struct {
		id, desc string
		labelled bool
	}
	var controls []control
	inLabel := 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				errorf("tokenizer: %v", z.Err())
			}
			break
		}
		tok := z.Token()
		switch tt {
		case html.StartTagToken, html.SelfClosingTagToken:
			attrs := map[string]string{}
			for _, a := range tok.Attr {
				if _, dup := attrs[a.Key]; dup {
					errorf("<%s> has attribute %s twice", tok.Data, a.Key)
				}
				attrs[a.Key] = a.Val
				if strings.HasPrefix(a.Key, "on") {
					errorf("<%s> has an inline event handler %s", tok.Data, a.Key)
				}
				if a.Key == "style" {
					errorf("<%s> has an inline style (the CSP forbids it)", tok.Data)
				}
			}
			if id, ok := attrs["id"]; ok {
				ids[id]++
			}
			switch tok.Data {
			case "script":
				if !strings.HasPrefix(attrs["src"], "/static/") {
					errorf("script not from /static: %v", tok)
				}
			case "link", "img", "iframe", "object", "embed", "source":
				if tok.Data == "link" && strings.HasPrefix(attrs["rel"], "schema.") {
					break // a metadata prefix's namespace (schema.DC), never loaded
				}
				for _, k := range []string{"src", "href"} {
					if v := attrs[k]; v != "" && !strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//") {
						errorf("<%s %s=%q> loads from another host", tok.Data, k, v)
					}
				}
			case "style":
				errorf("inline <style> element")
			case "label":
				if f := attrs["for"]; f != "" {
					labelFor[f] = true
				}
			case "input", "select", "textarea":
				typ := attrs["type"]
				if tok.Data == "input" && (typ == "hidden" || typ == "submit" || typ == "button") {
					break
				}
				controls = append(controls, control{id: attrs["id"], desc: tok.String(),
					labelled: inLabel > 0 || attrs["aria-label"] != "" || attrs["aria-labelledby"] != ""})
			}
			if tt == html.SelfClosingTagToken || voidElements[tok.Data] {
				if tt == html.SelfClosingTagToken && !voidElements[tok.Data] && !inSVG(stack) {
					errorf("self-closing <%s/> outside SVG", tok.Data)
				}
				break
			}
			if tok.Data == "label" {
				inLabel++
			}
			stack = append(stack, tok.Data)
		case html.EndTagToken:
			if voidElements[tok.Data] {
				errorf("end tag of void element </%s>", tok.Data)
				break
			}
			if len(stack) == 0 || stack[len(stack)-1] != tok.Data {
				errorf("</%s> does not close the open element (open: %v)", tok.Data, stack)
				return problems
			}
			stack = stack[:len(stack)-1]
			if tok.Data == "label" {
				inLabel--
			}
		}
	}
	if len(stack) > 0 {
		errorf("elements left open: %v", stack)
	}
	for id, n := range ids {
		if n > 1 {
			errorf("id %q used %d times", id, n)
		}
	}
	for _, c := range controls {
		if !c.labelled && (c.id == "" || !labelFor[c.id]) {
			errorf("form control without a label: %s", c.desc)
		}
	}
	return problems
}

func inSVG(stack []string) bool { return slices.Contains(stack, "svg") }

// parse parses a page into a tree.
func parse(t *testing.T, page string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// find returns the elements under n for which ok holds, in document order.
func find(n *html.Node, ok func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && ok(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), class)
}

func byID(id string) func(*html.Node) bool {
	return func(n *html.Node) bool { return attr(n, "id") == id }
}

func byTag(a atom.Atom) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.DataAtom == a }
}

// text is the text content of n.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// paragraphs are the non-empty lines of an article body, as the page
// shows them.
func paragraphs(body string) []string {
	var out []string
	for _, p := range strings.Split(body, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func TestArticleTextRendersAsText(t *testing.T) {
	ts, fx := uiServer(t)
	a := scriptArticle(t, fx)
	for _, q := range []string{"", "script", "活动 script"} {
		path := "/articles/" + a.ID
		if q != "" {
			path += "?q=" + url.QueryEscape(q)
		}
		status, _, page := fetchPage(t, ts, path)
		if status != 200 {
			t.Fatalf("%s: status %d", path, status)
		}
		doc := parse(t, page)
		body := find(doc, byID("body"))
		if len(body) != 1 {
			t.Fatalf("%s: no #body", path)
		}
		var got []string
		for _, p := range find(body[0], byTag(atom.P)) {
			got = append(got, text(p))
		}
		if want := paragraphs(a.Body); !slices.Equal(got, want) {
			t.Errorf("%s: body paragraphs\n got %q\nwant %q", path, got, want)
		}
		marks := find(body[0], byTag(atom.Mark))
		if q == "" && len(marks) > 0 {
			t.Errorf("%s: %d marks without a query", path, len(marks))
		}
		if q != "" {
			if len(marks) == 0 {
				t.Errorf("%s: no marks", path)
			}
			for _, m := range marks {
				if mt := text(m); !strings.Contains(q, strings.ToLower(mt)) {
					t.Errorf("%s: marked %q, not a query term", path, mt)
				}
			}
		}
		if n := len(find(doc, byTag(atom.Script))); n != 1 {
			t.Errorf("%s: %d script elements, want only app.js", path, n)
		}
		h1 := find(doc, byTag(atom.H1))
		if len(h1) != 1 || text(h1[0]) != a.Title {
			t.Errorf("%s: h1 %v, want %q", path, h1, a.Title)
		}
		if c := find(doc, byID("citation")); len(c) != 1 || !strings.Contains(text(c[0]), a.Title+"[N/OL]. "+a.Paper+", "+a.Date+"("+a.Page+")[") {
			t.Errorf("%s: citation %q", path, text(c[0]))
		}
	}

	// In the results, the snippet shows the code as text.
	_, _, page := fetchPage(t, ts, "/search?q=script")
	doc := parse(t, page)
	snippets := find(doc, func(n *html.Node) bool { return hasClass(n, "snippet") })
	if len(snippets) != 1 || !strings.Contains(text(snippets[0]), `<script>alert("hi")</script>`) {
		t.Errorf("snippet of the script article: %v", snippets)
	}
}

func TestArticlePage(t *testing.T) {
	ts, fx := uiServer(t)
	photo := article(t, fx, func(a corpus.Article) bool {
		return a.Kind == corpus.KindPhoto && a.Date != "" && len(a.Counties) > 0 && len(a.Topics) > 0
	})
	_, _, page := fetchPage(t, ts, "/articles/"+photo.ID)
	doc := parse(t, page)
	caps := find(doc, byTag(atom.Figcaption))
	if len(caps) != 1 || !strings.Contains(text(caps[0]), paragraphs(photo.Body)[0]) {
		t.Errorf("photo caption not shown as a figcaption: %v", caps)
	}
	links := map[string]bool{}
	for _, a := range find(doc, byTag(atom.A)) {
		links[attr(a, "href")] = true
	}
	for _, c := range photo.Counties {
		if !links["/search?county="+url.QueryEscape(c)] {
			t.Errorf("no link to county %s", c)
		}
	}
	for _, c := range photo.Topics {
		if !links["/search?topic="+url.QueryEscape(c)] {
			t.Errorf("no link to topic %s", c)
		}
	}
	if pl := find(doc, byID("permalink")); len(pl) != 1 || attr(pl[0], "href") != "/articles/"+photo.ID {
		t.Errorf("permalink %v", pl)
	}
	similar := find(doc, func(n *html.Node) bool { return hasClass(n, "similar") })
	if len(similar) != 1 || len(find(similar[0], byTag(atom.Li))) == 0 {
		t.Errorf("no similar articles listed")
	}
	if !strings.Contains(page, photo.Source) {
		t.Errorf("source file %s not shown", photo.Source)
	}

	status, _, page := fetchPage(t, ts, "/articles/0000000000000000")
	if status != 404 || !strings.Contains(page, "找不到这篇文章") {
		t.Errorf("unknown article: status %d", status)
	}
}

// resultsPage fetches a results page and reads what it shows.
type resultsPage struct {
	status int
	doc    *html.Node
	page   string
	total  int
	facets map[string]map[string]int // name → value → count
	ticked map[string][]string
}

func getResults(t *testing.T, ts *httptest.Server, query string) resultsPage {
	t.Helper()
	status, _, page := fetchPage(t, ts, "/search?"+query)
	r := resultsPage{status: status, page: page, doc: parse(t, page), facets: map[string]map[string]int{}, ticked: map[string][]string{}}
	if tot := find(r.doc, byID("total")); len(tot) == 1 {
		n, err := strconv.Atoi(strings.ReplaceAll(text(tot[0]), ",", ""))
		if err != nil {
			t.Fatal(err)
		}
		r.total = n
	}
	for _, in := range find(r.doc, func(n *html.Node) bool { return n.DataAtom == atom.Input && attr(n, "type") == "checkbox" }) {
		name, value := attr(in, "name"), attr(in, "value")
		lbl := find(r.doc, func(n *html.Node) bool { return n.DataAtom == atom.Label && attr(n, "for") == attr(in, "id") })
		if len(lbl) != 1 {
			t.Fatalf("checkbox %s=%s has no label", name, value)
		}
		counts := find(lbl[0], func(n *html.Node) bool { return hasClass(n, "n") })
		n, _ := strconv.Atoi(strings.ReplaceAll(text(counts[0]), ",", ""))
		if r.facets[name] == nil {
			r.facets[name] = map[string]int{}
		}
		r.facets[name][value] = n
		for _, a := range in.Attr {
			if a.Key == "checked" {
				r.ticked[name] = append(r.ticked[name], value)
			}
		}
	}
	return r
}

func TestResultsPageMatchesAPI(t *testing.T) {
	ts, _ := uiServer(t)
	q := "q=" + url.QueryEscape("活动") + "&county=" + url.QueryEscape("伊通")
	r := getResults(t, ts, q)
	if r.status != 200 {
		t.Fatalf("status %d", r.status)
	}
	res := searchAPI(t, ts, q)
	if r.total != int(res.Total) {
		t.Errorf("total %d, API says %d", r.total, res.Total)
	}
	for name, values := range map[string][]apiFacet{"county": res.Facets.County, "topic": res.Facets.Topic, "author": res.Facets.Author} {
		for _, v := range values {
			if r.facets[name][v.Value] != v.Count {
				t.Errorf("facet %s %s: page %d, API %d", name, v.Value, r.facets[name][v.Value], v.Count)
			}
		}
	}
	// 伊通 is ticked under its canonical name; other counties still count
	// (disjunctive), so a second one can be added.
	if !slices.Equal(r.ticked["county"], []string{"伊通满族自治县"}) {
		t.Errorf("ticked counties %v", r.ticked["county"])
	}
	if len(r.facets["county"]) < 2 {
		t.Errorf("county facet %v: the other counties are gone", r.facets["county"])
	}
	hits := find(r.doc, func(n *html.Node) bool { return hasClass(n, "hit") })
	if len(hits) != len(res.Hits) {
		t.Fatalf("%d hits shown, API %d", len(hits), len(res.Hits))
	}
	for i, h := range hits {
		title := find(h, func(n *html.Node) bool { return hasClass(n, "title") })
		if len(title) != 1 || text(title[0]) != res.Hits[i].Title {
			t.Errorf("hit %d: title %q, want %q", i, text(title[0]), res.Hits[i].Title)
		}
		a := find(title[0], byTag(atom.A))
		// The search rides along, for the article page's back link.
		if want := "/articles/" + res.Hits[i].ID + "?" + (url.Values{"q": {"活动"}, "county": {"伊通"}}).Encode(); attr(a[0], "href") != want {
			t.Errorf("hit %d links %q, want %q", i, attr(a[0], "href"), want)
		}
		if len(find(h, byTag(atom.Mark))) == 0 {
			t.Errorf("hit %d has no highlight", i)
		}
		chips := find(h, func(n *html.Node) bool { return hasClass(n, "chip") })
		if len(chips) != len(res.Hits[i].Counties)+len(res.Hits[i].Topics) {
			t.Errorf("hit %d: %d chips", i, len(chips))
		}
	}
	// Export links carry the same parameters.
	for _, id := range []string{"export-csv", "export-jsonl", "export-ris", "export-bib", "export-csl", "export-atom"} {
		a := find(r.doc, byID(id))
		if len(a) != 1 {
			t.Fatalf("no #%s", id)
		}
		u, err := url.Parse(attr(a[0], "href"))
		if err != nil || !strings.HasPrefix(u.Path, "/api/v1/search.") || u.Query().Get("q") != "活动" || u.Query().Get("county") != "伊通" {
			t.Errorf("#%s href %q", id, attr(a[0], "href"))
		}
	}
	// They work with every parameter the page takes (the API refuses
	// parameters an endpoint does not take).
	r = getResults(t, ts, q+"&sort=date&size=1&page=2")
	for _, id := range []string{"export-csv", "export-jsonl", "export-ris", "export-bib", "export-csl", "export-atom"} {
		a := find(r.doc, byID(id))
		if len(a) != 1 {
			t.Fatalf("no #%s", id)
		}
		resp, err := http.Get(ts.URL + attr(a[0], "href"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(b) == 0 {
			t.Errorf("#%s %s: status %d: %s", id, attr(a[0], "href"), resp.StatusCode, b)
		}
	}
}

func TestResultsPageStates(t *testing.T) {
	ts, _ := uiServer(t)

	// A malformed query: 400, the message on the page, the form kept.
	r := getResults(t, ts, "q="+url.QueryEscape("满族 (剪纸"))
	if r.status != 400 {
		t.Errorf("bad query: status %d", r.status)
	}
	msg := find(r.doc, byID("query-error"))
	if len(msg) != 1 || !strings.Contains(text(msg[0]), "检索式第 4 个字符处的左括号没有闭合") {
		t.Errorf("bad query: message %v", msg)
	}
	// Every kind of error is in Chinese on the page, with its position.
	for q, want := range map[string]string{
		`"乡村振兴`:        "检索式第 1 个字符处的引号没有闭合",
		`教育 OR`:        "检索式第 4 个字符处的 OR 后面缺少检索词",
		`titel:满族`:     "检索式第 1 个字符处：没有“titel”这个字段",
		`"乡村 振兴"~`:     "检索式第 8 个字符处的 ~ 后面要写字符数",
		`date:2022-13`: "date:2022-13 不是有效的日期或日期范围",
	} {
		r := getResults(t, ts, "q="+url.QueryEscape(q))
		msg := find(r.doc, byID("query-error"))
		if r.status != 400 || len(msg) != 1 || !strings.Contains(text(msg[0]), want) || !strings.Contains(text(msg[0]), "检索式有误") || strings.Contains(text(msg[0]), "character") {
			t.Errorf("q=%s: %d, message %v, want %q", q, r.status, msg, want)
		}
	}
	for params, want := range map[string]string{
		"sort=best":                       "没有“best”这种排序",
		"page=ten":                        "页码“ten”不是整数",
		"size=0":                          "每页篇数 0 超出范围",
		"from=2023-01-02&to=2023-01-01":   "起始日期 2023-01-02 晚于截止日期 2023-01-01",
		"topic=" + url.QueryEscape("魔法"):  "没有“魔法”这个主题",
		"county=" + url.QueryEscape("火星"): "未知的县级单位“火星”",
		"after=xyz":                       "游标无效",
		"sort=page":                       "按版面顺序排列最多 1000 篇",
	} {
		r := getResults(t, ts, params)
		msg := find(r.doc, byID("query-error"))
		if r.status != 400 || len(msg) != 1 || !strings.Contains(text(msg[0]), want) || !strings.Contains(text(msg[0]), "检索条件有误") {
			t.Errorf("%s: %d, message %v, want %q under 检索条件有误", params, r.status, msg, want)
		}
	}
	if in := find(r.doc, byID("q")); len(in) != 1 || attr(in[0], "value") != "满族 (剪纸" {
		t.Errorf("bad query: the box lost the query")
	}

	// An empty result says so and offers to remove each filter.
	r = getResults(t, ts, "q="+url.QueryEscape("满族")+"&county="+url.QueryEscape("双辽市")+"&from=2022-01-01")
	if r.status != 200 || r.total != 0 {
		t.Fatalf("empty result: status %d, total %d", r.status, r.total)
	}
	empty := find(r.doc, byID("empty"))
	if len(empty) != 1 || !strings.Contains(text(empty[0]), "没有找到匹配的文章") {
		t.Fatalf("empty result not explained")
	}
	var removes []string
	for _, a := range find(empty[0], byTag(atom.A)) {
		removes = append(removes, attr(a, "href"))
	}
	want := []string{
		"/search?from=2022-01-01&q=" + url.QueryEscape("满族"),
		"/search?county=" + url.QueryEscape("双辽市") + "&q=" + url.QueryEscape("满族"),
	}
	if !slices.Equal(removes, want) {
		t.Errorf("remove links %q, want %q", removes, want)
	}
	if got := getResults(t, ts, strings.TrimPrefix(removes[0], "/search?")); got.total == 0 {
		t.Errorf("removing the county still finds nothing")
	}

	// Pagination: numbered pages, the current one marked.
	r = getResults(t, ts, "size=10&page=3")
	cur := find(r.doc, func(n *html.Node) bool {
		return n.DataAtom == atom.A && attr(n, "aria-current") == "page" && text(n) == "3"
	})
	if len(cur) != 1 {
		t.Errorf("page 3 not marked current")
	}
	next := find(r.doc, func(n *html.Node) bool { return n.DataAtom == atom.A && attr(n, "rel") == "next" })
	if len(next) != 1 || attr(next[0], "href") != "/search?page=4&size=10" {
		t.Errorf("next page link %v", next)
	}
	if ol := find(r.doc, func(n *html.Node) bool { return hasClass(n, "hits") }); len(ol) != 1 || attr(ol[0], "start") != "21" {
		t.Errorf("hits of page 3 do not start at 21")
	}
}

// searchAPI runs the same query through the JSON API.
func searchAPI(t *testing.T, ts *httptest.Server, query string) apiResponse {
	t.Helper()
	resp, err := http.Get(ts.URL + "/api/v1/search?" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out apiResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

type apiFacet = struct {
	Value string
	Count int
	Code  string
}

type apiResponse struct {
	Total int64
	Hits  []struct {
		ID, Title        string
		Counties, Topics []string
		Highlight        struct{ Title, Snippet string }
	}
	Facets struct {
		County, Prefecture, Province, Topic, Author, Paper, Date []apiFacet
	}
}

func TestHTMLCheckerFindsProblems(t *testing.T) {
	const head = `<!DOCTYPE html><html lang="zh-Hans"><head><title>x</title></head><body>`
	const tail = `</body></html>`
	for _, bad := range []string{
		`<p><b>unclosed</p>`,
		`<div><p>x</div>`,
		`<p>open`,
		`<script>alert("hi")</script>`,
		`<p onclick="x()">x</p>`,
		`<p style="color:red">x</p>`,
		`<link rel="stylesheet" href="https://cdn.example/x.css">`,
		`<input name="q" type="search">`,
		`<label for="a">A</label><select id="b" name="b"></select>`,
		`<p id="x">a</p><p id="x">b</p>`,
		`<div/>`,
	} {
		if p := htmlProblems(head + bad + tail); len(p) == 0 {
			t.Errorf("no problem found in %s", bad)
		}
	}
	ok := `<form><label for="q">Q</label><input id="q" name="q"><label><input type="checkbox" name="c"> C</label>` +
		`<input type="hidden" name="h" value="1"><button type="submit">Go</button></form>` +
		`<svg viewBox="0 0 1 1"><rect x="0" y="0" width="1" height="1"/></svg><script src="/static/app.js"></script>`
	if p := htmlProblems(head + ok + tail); len(p) > 0 {
		t.Errorf("problems in a good page: %v", p)
	}
}

// hitLinks are the article links of a results page, in order.
func hitLinks(doc *html.Node) []string {
	var out []string
	for _, h := range find(doc, func(n *html.Node) bool { return hasClass(n, "hit") }) {
		for _, t := range find(h, func(n *html.Node) bool { return hasClass(n, "title") }) {
			for _, a := range find(t, byTag(atom.A)) {
				out = append(out, attr(a, "href"))
			}
		}
	}
	return out
}

// TestBackLinkKeepsState follows an article from page 2 of a filtered,
// sorted search: its back link returns to the same hits on the same page,
// and an article reached from elsewhere has no back link.
func TestBackLinkKeepsState(t *testing.T) {
	ts, _ := uiServer(t)
	topic := searchAPI(t, ts, "q="+url.QueryEscape("活动")).Facets.Topic[0].Value // the largest
	search := url.Values{"q": {"活动"}, "topic": {topic}, "from": {"2023-01-01"}, "sort": {"-date"}, "size": {"5"}, "page": {"2"}}
	r := getResults(t, ts, search.Encode())
	links := hitLinks(r.doc)
	if r.status != 200 || r.total <= 10 || len(links) != 5 {
		t.Fatalf("results: status %d, total %d, %d hits", r.status, r.total, len(links))
	}
	_, _, page := fetchPage(t, ts, links[2])
	back := find(parse(t, page), func(n *html.Node) bool { return n.DataAtom == atom.A && hasClass(n.Parent, "back") })
	if len(back) != 1 {
		t.Fatalf("article %s has no back link", links[2])
	}
	href := attr(back[0], "href")
	u, err := url.Parse(href)
	if err != nil || u.Path != "/search" {
		t.Fatalf("back link %q", href)
	}
	for k := range search {
		if !slices.Equal(u.Query()[k], search[k]) {
			t.Errorf("back link %s: %s=%v, want %v", href, k, u.Query()[k], search[k])
		}
	}
	again := getResults(t, ts, u.RawQuery)
	if again.total != r.total || !slices.Equal(hitLinks(again.doc), links) {
		t.Errorf("back: %d hits %v, want %d %v", again.total, hitLinks(again.doc), r.total, links)
	}
	// Read by cursor, the place is the cursor.
	_, _, body := get(t, ts, "/api/v1/search?size=5&q="+url.QueryEscape("活动"))
	var first struct{ Next string }
	if err := json.Unmarshal(body, &first); err != nil || first.Next == "" {
		t.Fatalf("no cursor: %v %s", err, body)
	}
	cur := url.Values{"q": {"活动"}, "size": {"5"}, "after": {first.Next}}
	r = getResults(t, ts, cur.Encode())
	l := hitLinks(r.doc)
	if len(l) != 5 {
		t.Fatalf("%d hits by cursor", len(l))
	}
	_, _, page = fetchPage(t, ts, l[0])
	b := find(parse(t, page), func(n *html.Node) bool { return n.DataAtom == atom.A && hasClass(n.Parent, "back") })
	if len(b) != 1 || attr(b[0], "href") != "/search?"+cur.Encode() {
		t.Errorf("an article reached by cursor: back link %v, want /search?%s", b, cur.Encode())
	}
	// From elsewhere (a similar article, a bare link): no back link.
	id := strings.TrimPrefix(strings.SplitN(links[0], "?", 2)[0], "/articles/")
	_, _, page = fetchPage(t, ts, "/articles/"+id)
	if n := find(parse(t, page), func(n *html.Node) bool { return hasClass(n, "back") }); len(n) != 0 {
		t.Errorf("an article opened from its permalink has a back link")
	}
}

// TestDateLinkListsDayInPageOrder follows an article's date link: the
// day's items, by paper, page and position on the page (not by id).
func TestDateLinkListsDayInPageOrder(t *testing.T) {
	ts, fx := uiServer(t)
	perDay := map[string][]corpus.Article{}
	for _, a := range fx.Articles {
		if a.Date != "" {
			perDay[a.Date] = append(perDay[a.Date], a)
		}
	}
	day := ""
	for d, as := range perDay {
		if len(as) > len(perDay[day]) || len(as) == len(perDay[day]) && d < day {
			day = d
		}
	}
	items := perDay[day]
	_, _, page := fetchPage(t, ts, "/articles/"+items[0].ID)
	var dateURL string
	for _, a := range find(parse(t, page), byTag(atom.A)) {
		for _, tm := range find(a, byTag(atom.Time)) {
			if attr(tm, "datetime") == day {
				dateURL = attr(a, "href")
			}
		}
	}
	u, err := url.Parse(dateURL)
	if err != nil || u.Path != "/search" || u.Query().Get("sort") != "page" {
		t.Fatalf("date link %q", dateURL)
	}
	q := u.Query()
	q.Set("size", "100")
	r := getResults(t, ts, q.Encode())
	slices.SortFunc(items, func(a, b corpus.Article) int {
		pa, _ := strconv.Atoi(a.Page)
		pb, _ := strconv.Atoi(b.Page)
		if c := strings.Compare(a.Paper, b.Paper); c != 0 {
			return c
		}
		if pa != pb {
			return pa - pb
		}
		return a.Ordinal - b.Ordinal
	})
	var want []string
	for _, a := range items {
		want = append(want, "/articles/"+a.ID+"?"+url.Values{"from": {day}, "to": {day}, "sort": {"page"}, "size": {"100"}}.Encode())
	}
	if got := hitLinks(r.doc); r.total != len(items) || !slices.Equal(got, want) {
		t.Errorf("the day %s (%d items): %d listed\n got %v\nwant %v", day, len(items), r.total, got, want)
	}
	sel := find(r.doc, func(n *html.Node) bool { return n.DataAtom == atom.Option && attr(n, "value") == "page" })
	if len(sel) != 1 || !slices.ContainsFunc(sel[0].Attr, func(a html.Attribute) bool { return a.Key == "selected" }) {
		t.Errorf("the sort menu does not show 版面顺序 chosen")
	}
}

// TestTimelineShowsCounts checks the timeline's numbers: a table beside
// the chart with every period's count (the bar's count, linked to the
// same period), adding up to the dated matches; with few bars each also
// carries its count as a label.
func TestTimelineShowsCounts(t *testing.T) {
	ts, _ := uiServer(t)
	for _, params := range []string{"q=" + url.QueryEscape("活动"), "q=" + url.QueryEscape("活动") + "&from=2024-05-01&to=2024-05-31"} {
		r := getResults(t, ts, params)
		bars := find(r.doc, func(n *html.Node) bool { return n.DataAtom == atom.A && hasClass(n, "bar") })
		table := find(r.doc, byID("timeline-table"))
		if len(bars) == 0 || len(table) != 1 {
			t.Fatalf("%s: %d bars, %d tables", params, len(bars), len(table))
		}
		barCount := map[string]string{} // href → count
		for _, b := range bars {
			barCount[attr(b, "href")] = attr(b, "data-count")
		}
		rows := find(table[0], byTag(atom.Tr))[1:] // after the header
		sum, linked := 0, 0
		for _, row := range rows {
			td := find(row, byTag(atom.Td))
			n, err := strconv.Atoi(text(td[0]))
			if err != nil {
				t.Fatalf("%s: count %q", params, text(td[0]))
			}
			sum += n
			if a := find(td[0], byTag(atom.A)); len(a) == 1 {
				linked++
				if barCount[attr(a[0], "href")] != text(td[0]) {
					t.Errorf("%s: row %s links %s with %s, the bar says %s", params, text(row), attr(a[0], "href"), text(td[0]), barCount[attr(a[0], "href")])
				}
			} else if n != 0 {
				t.Errorf("%s: row %s has articles and no link", params, text(row))
			}
		}
		if linked != len(bars) {
			t.Errorf("%s: %d linked rows, %d bars", params, linked, len(bars))
		}
		api := searchAPI(t, ts, params)
		dated := 0
		for _, m := range api.Facets.Date {
			if strings.HasPrefix(params, "q="+url.QueryEscape("活动")+"&from") && !strings.HasPrefix(m.Value, "2024-") {
				continue // the narrowed timeline shows the year
			}
			dated += m.Count
		}
		if sum != dated {
			t.Errorf("%s: the table adds up to %d, the date facet to %d", params, sum, dated)
		}
		labels := find(r.doc, func(n *html.Node) bool {
			return n.Type == html.ElementNode && n.Data == "text" && hasClass(n.Parent, "counts")
		})
		if len(rows) <= 24 {
			if len(labels) != len(bars) {
				t.Errorf("%s: %d bars, %d count labels", params, len(bars), len(labels))
			}
			for i, l := range labels {
				if text(l) != attr(bars[i], "data-count") {
					t.Errorf("%s: label %d says %s, the bar %s", params, i, text(l), attr(bars[i], "data-count"))
				}
			}
		} else if len(labels) != 0 {
			t.Errorf("%s: %d count labels on %d bars", params, len(labels), len(rows))
		}
	}
}
