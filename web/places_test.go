package web_test

import (
	"encoding/json"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"newsarchive/corpus"
	"newsarchive/corpus/sample"
	"newsarchive/search/searchtest"
)

// treeNode is a node of the place hierarchy as the results page shows it.
type treeNode struct {
	Level, Label, Code, URL string
	Count                   int
	Open, Selected          bool
	Children                []*treeNode
}

// placeTree reads the place hierarchy (#place-tree) of a results page.
func placeTree(t *testing.T, doc *html.Node) []*treeNode {
	t.Helper()
	secs := find(doc, byID("place-tree"))
	if len(secs) != 1 {
		return nil
	}
	var list func(ul *html.Node) []*treeNode
	list = func(ul *html.Node) []*treeNode {
		var out []*treeNode
		for li := ul.FirstChild; li != nil; li = li.NextSibling {
			if li.DataAtom != atom.Li {
				continue
			}
			n := &treeNode{Selected: hasClass(li, "on")}
			for _, l := range []string{"province", "prefecture", "county"} {
				if hasClass(li, l) {
					n.Level = l
				}
			}
			links := find(li, func(x *html.Node) bool { return x.DataAtom == atom.A && hasClass(x, "place-link") })
			if len(links) == 0 {
				t.Fatalf("a place without a link: %s", text(li))
			}
			n.URL, n.Code = attr(links[0], "href"), attr(links[0], "data-code")
			var label, count *html.Node
			if d := firstChild(li, atom.Details); d != nil {
				_, n.Open = attrOK(d, "open")
				sum := firstChild(d, atom.Summary)
				label = find(sum, func(x *html.Node) bool { return hasClass(x, "v") })[0]
				count = find(sum, func(x *html.Node) bool { return hasClass(x, "n") })[0]
				n.Children = list(firstChild(d, atom.Ul))
			} else {
				label = find(links[0], func(x *html.Node) bool { return hasClass(x, "v") })[0]
				count = find(links[0], func(x *html.Node) bool { return hasClass(x, "n") })[0]
			}
			n.Label = text(label)
			c, err := strconv.Atoi(strings.ReplaceAll(text(count), ",", ""))
			if err != nil {
				t.Fatalf("count %q of %s", text(count), n.Label)
			}
			n.Count = c
			out = append(out, n)
		}
		return out
	}
	return list(firstChild(secs[0], atom.Ul))
}

func firstChild(n *html.Node, a atom.Atom) *html.Node {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.DataAtom == a {
			return c
		}
	}
	return nil
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// walkTree calls fn for every node with its parent (nil for a province).
func walkTree(ns []*treeNode, parent *treeNode, fn func(n, parent *treeNode)) {
	for _, n := range ns {
		fn(n, parent)
		walkTree(n.Children, n, fn)
	}
}

// crossRows reads the row labels and the level label of the place × topic table.
func crossRows(doc *html.Node) (level string, rows []string) {
	if h := find(doc, byID("crosstab-h")); len(h) == 1 {
		level = strings.TrimSuffix(text(h[0]), " × 主题")
	}
	for _, tb := range find(doc, byTag(atom.Tbody)) {
		if !hasClass(tb.Parent.Parent.Parent, "crosstab") { // not the timeline's table
			continue
		}
		for _, th := range find(tb, func(n *html.Node) bool { return n.DataAtom == atom.Th && attr(n, "scope") == "row" }) {
			rows = append(rows, text(th))
		}
	}
	return level, rows
}

// TestPlaceTreeWithoutJavaScript reads the hierarchy with plain HTTP:
// every node's count equals the API's facet for it (the request without
// its place filters), children sit under their parent's code, the level
// in view is open, and the links apply and remove filters.
func TestPlaceTreeWithoutJavaScript(t *testing.T) {
	ts, fx := uiServer(t)
	_ = fx
	q := "q=" + url.QueryEscape("经济")
	res := searchAPI(t, ts, q+"&size=1")
	want := map[string]map[string]int{}
	for level, fs := range map[string][]apiFacet{"province": res.Facets.Province, "prefecture": res.Facets.Prefecture, "county": res.Facets.County} {
		want[level] = map[string]int{}
		for _, f := range fs {
			want[level][f.Value] = f.Count
		}
	}
	r := getResults(t, ts, q)
	tree := placeTree(t, r.doc)
	if len(tree) < 5 {
		t.Fatalf("%d provinces in the tree", len(tree))
	}
	seen := map[string]int{}
	walkTree(tree, nil, func(n, parent *treeNode) {
		seen[n.Level]++
		if got := want[n.Level][n.Label]; got != n.Count || got == 0 {
			t.Errorf("%s %s: %d in the tree, the API's facet %d", n.Level, n.Label, n.Count, got)
		}
		if parent != nil && !strings.HasPrefix(n.Code, strings.TrimRight(parent.Code[:4], "0")) {
			t.Errorf("%s %s under %s %s", n.Code, n.Label, parent.Code, parent.Label)
		}
		if parent != nil && n.Count > parent.Count {
			t.Errorf("%s %d > its parent %s %d", n.Label, n.Count, parent.Label, parent.Count)
		}
		if n.Open || n.Selected {
			t.Errorf("%s open or selected with no place filter", n.Label)
		}
		u, _ := url.Parse(n.URL)
		if u.Query().Get(n.Level) != n.Label || u.Query().Get("q") != "经济" {
			t.Errorf("%s links %s", n.Label, n.URL)
		}
	})
	for level, n := range seen {
		if n != len(want[level]) && level != "county" {
			t.Errorf("%d %s nodes, the facet has %d", n, level, len(want[level]))
		}
	}
	if seen["county"] < 10 || seen["prefecture"] < 10 {
		t.Errorf("tree holds %v", seen)
	}

	// Follow 吉林省's link: it is selected and open, its prefectures show,
	// the counts are unchanged (the tree ignores the place filters), the
	// table's rows are its prefectures, and its link removes it.
	var jilin *treeNode
	for _, n := range tree {
		if n.Label == "吉林省" {
			jilin = n
		}
	}
	if jilin == nil {
		t.Fatal("no 吉林省 in the tree")
	}
	u, _ := url.Parse(jilin.URL)
	r = getResults(t, ts, u.RawQuery)
	if api := searchAPI(t, ts, u.RawQuery+"&size=1"); r.total != int(api.Total) || r.total != jilin.Count {
		t.Errorf("province=吉林省: %d on the page, %d by the API, %d in the tree", r.total, api.Total, jilin.Count)
	}
	tree2 := placeTree(t, r.doc)
	for _, n := range tree2 {
		if n.Label != "吉林省" {
			if n.Open || n.Selected {
				t.Errorf("%s open or selected", n.Label)
			}
			continue
		}
		if !n.Open || !n.Selected || len(n.Children) == 0 {
			t.Errorf("吉林省 open %v selected %v, %d children", n.Open, n.Selected, len(n.Children))
		}
		if n.Count != jilin.Count {
			t.Errorf("吉林省 count %d, before %d", n.Count, jilin.Count)
		}
		ru, _ := url.Parse(n.URL)
		if ru.Query().Has("province") || ru.Query().Get("q") != "经济" {
			t.Errorf("the selected 吉林省 links %s, want its removal", n.URL)
		}
		level, rows := crossRows(r.doc)
		var prefs []string
		for _, c := range n.Children {
			if c.Level == "prefecture" {
				prefs = append(prefs, c.Label)
			}
		}
		if len(prefs) < 2 {
			t.Fatalf("吉林省 has %d prefectures with hits: the test tests little", len(prefs))
		}
		if level != "地市" || !slices.Equal(rows, prefs) {
			t.Errorf("table of 吉林省: %s rows %v, want 地市 %v", level, rows, prefs)
		}
	}
	// No place filter: the table's rows are provinces.
	if level, rows := crossRows(getResults(t, ts, q).doc); level != "省份" || len(rows) != 15 || !slices.Equal(rows, facetValues(res.Facets.Province[:15])) {
		t.Errorf("table without place filter: %s %v, want the 15 largest provinces %v", level, rows, facetValues(res.Facets.Province))
	}
	// A prefecture given by code: its counties, open in the tree; its
	// province open; its link removes the code.
	r = getResults(t, ts, "prefecture=220300&topic="+url.QueryEscape("教育"))
	walkTree(placeTree(t, r.doc), nil, func(n, _ *treeNode) {
		if n.Label == "四平市" {
			if u, _ := url.Parse(n.URL); u.Query().Has("prefecture") || u.Query().Get("topic") != "教育" {
				t.Errorf("the selected 四平市 (220300) links %s, want its removal", n.URL)
			}
		}
	})
	r = getResults(t, ts, "prefecture=220300")
	level, rows := crossRows(r.doc)
	var counties []string
	walkTree(placeTree(t, r.doc), nil, func(n, parent *treeNode) {
		if n.Label == "吉林省" && (!n.Open || n.Selected) {
			t.Errorf("吉林省 with prefecture=220300: open %v selected %v", n.Open, n.Selected)
		}
		if n.Label == "四平市" && (!n.Open || !n.Selected) {
			t.Errorf("四平市 with prefecture=220300: open %v selected %v", n.Open, n.Selected)
		}
		if parent != nil && parent.Label == "四平市" {
			counties = append(counties, n.Label)
		}
	})
	if level != "区县" || len(rows) < 3 || !slices.Equal(rows, counties[:min(len(counties), len(rows))]) || !slices.Contains(rows, "伊通满族自治县") {
		t.Errorf("table of 四平市: %s %v, counties %v", level, rows, counties)
	}
	// A county: its siblings.
	if level, rows := crossRows(getResults(t, ts, "county=220323").doc); level != "区县" || !slices.Equal(rows, counties[:len(rows)]) {
		t.Errorf("table of 伊通: %s %v", level, rows)
	}
}

// TestSharedPlaceName400: the API's JSON and the UI's Chinese page list
// the candidates with their codes; codes and display names work.
func TestSharedPlaceName400(t *testing.T) {
	ts, _ := uiServer(t)
	for _, path := range []string{"/api/v1/search", "/api/v1/search.csv", "/api/v1/search.jsonl", "/api/v1/search.atom"} {
		status, _, body := get(t, ts, path+"?county="+url.QueryEscape("铁东区"))
		var e struct {
			Error struct{ Code, Message string }
		}
		if status != 400 || json.Unmarshal(body, &e) != nil || e.Error.Code != "ambiguous_place" ||
			!strings.Contains(e.Error.Message, "铁东区（四平） 220303") || !strings.Contains(e.Error.Message, "铁东区（鞍山） 210302") {
			t.Errorf("%s?county=铁东区: %d %s", path, status, body)
		}
	}
	status, _, body := get(t, ts, "/api/v1/search?prefecture="+url.QueryEscape("火星"))
	if status != 400 || !strings.Contains(string(body), `unknown prefecture \"火星\"`) {
		t.Errorf("unknown prefecture: %d %s", status, body)
	}
	status, _, page := fetchPage(t, ts, "/search?county="+url.QueryEscape("鼓楼区"))
	msg := find(parse(t, page), func(n *html.Node) bool { return hasClass(n, "message") })
	if status != 400 || len(msg) != 1 || !strings.HasPrefix(text(msg[0]), "县级单位“鼓楼区”有4个：") ||
		!strings.Contains(text(msg[0]), "鼓楼区（福州） 350102") || !strings.Contains(text(msg[0]), "鼓楼区（开封） 410204") {
		t.Errorf("UI page for 鼓楼区: %d %v", status, msg)
	}
	status, _, page = fetchPage(t, ts, "/search?q="+url.QueryEscape("place:吉林"))
	msg = find(parse(t, page), func(n *html.Node) bool { return hasClass(n, "message") })
	if status != 400 || len(msg) != 1 || text(msg[0]) != "检索式第 1 个字符处：地名“吉林”有2个：吉林省 220000、吉林市 220200；请改用代码或所列名称" {
		t.Errorf("UI page for place:吉林: %d %v", status, msg)
	}
	// The same districts by code and by display name, through every endpoint.
	byCode := searchAPI(t, ts, "county=220303")
	byName := searchAPI(t, ts, "county="+url.QueryEscape("铁东区（四平）"))
	if byCode.Total == 0 || byCode.Total != byName.Total {
		t.Errorf("county=220303: %d, county=铁东区（四平）: %d", byCode.Total, byName.Total)
	}
	for _, path := range []string{"/api/v1/search.jsonl?county=220303", "/api/v1/search.jsonl?prefecture=2203&province=22&county=220303"} {
		status, _, body := get(t, ts, path)
		if n := strings.Count(string(body), "\n"); status != 200 || n != int(byCode.Total) {
			t.Errorf("%s: %d, %d lines, want %d", path, status, n, byCode.Total)
		}
	}
	status, _, body = get(t, ts, "/api/v1/search.atom?prefecture=220300")
	if status != 200 || !strings.Contains(string(body), "<entry>") {
		t.Errorf("atom with prefecture: %d", status)
	}
}

// TestArticlePageShowsPlaces: each place links to its search, with its
// ancestors before it.
func TestArticlePageShowsPlaces(t *testing.T) {
	ts, fx := uiServer(t)
	a := article(t, fx, func(a corpus.Article) bool {
		return len(a.Places) > 0 && a.Places[0].Code == "220323"
	})
	_, _, page := fetchPage(t, ts, "/articles/"+a.ID)
	lists := find(parse(t, page), func(n *html.Node) bool { return n.DataAtom == atom.Ul && hasClass(n, "places") })
	if len(lists) != 1 {
		t.Fatalf("%d place lists", len(lists))
	}
	var got []string
	for _, l := range find(lists[0], byTag(atom.A)) {
		got = append(got, text(l)+" "+attr(l, "href"))
	}
	want := []string{
		"吉林省 /search?province=" + url.QueryEscape("吉林省"),
		"四平市 /search?prefecture=" + url.QueryEscape("四平市"),
		"伊通满族自治县 /search?county=" + url.QueryEscape("伊通满族自治县"),
	}
	if len(got) < 3 || !slices.Equal(got[:3], want) {
		t.Errorf("place links %v, want first %v", got, want)
	}
}

func facetValues(fs []apiFacet) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Value)
	}
	return out
}

// TestSampleTableShowsCounties: a corpus of one city (the embedded sample,
// all 四平) shows the counties of 四平市 with no place filter: one
// province, one prefecture, so the table descends twice. The sample page
// whose 示范县 the tagger reads as 范县 (河南) is left out: with it, two
// provinces have hits and the table rightly shows provinces.
func TestSampleTableShowsCounties(t *testing.T) {
	fx := searchtest.Get(t)
	dir := t.TempDir()
	corpusDir := filepath.Join(dir, "corpus")
	os.Mkdir(corpusDir, 0o755)
	err := fs.WalkDir(sample.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == "2024-09-20-sample-03.txt" {
			return err
		}
		b, err := fs.ReadFile(sample.FS, p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(corpusDir, p), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := serveCorpus(t, corpusDir, filepath.Join(dir, "index"), fx.Tagger)

	r := getResults(t, ts, "")
	level, rows := crossRows(r.doc)
	want := []string{"伊通满族自治县", "梨树县", "双辽市", "铁东区（四平）", "铁西区（四平）"}
	sorted := slices.Sorted(slices.Values(rows))
	if level != "区县" || !slices.Equal(sorted, slices.Sorted(slices.Values(want))) {
		t.Errorf("sample table: %s %v, want 区县 %v", level, rows, want)
	}
	tree := placeTree(t, r.doc)
	if len(tree) != 1 || tree[0].Label != "吉林省" || !tree[0].Open || len(tree[0].Children) != 1 || !tree[0].Children[0].Open || len(tree[0].Children[0].Children) != len(want) {
		t.Errorf("sample tree: %+v", tree)
	}
}

// TestCuratedCountiesByDisplayName: the about page's county links and
// /api/v1/facets name the curated units by their display names, so that
// every link finds its articles (铁东区 alone would be a 400).
func TestCuratedCountiesByDisplayName(t *testing.T) {
	ts, _ := uiServer(t)
	_, _, page := fetchPage(t, ts, "/about")
	var hrefs []string
	for _, a := range find(parse(t, page), byTag(atom.A)) {
		if h := attr(a, "href"); strings.HasPrefix(h, "/search?county=") {
			hrefs = append(hrefs, h)
		}
	}
	var names []string
	for _, h := range hrefs {
		u, _ := url.Parse(h)
		names = append(names, u.Query().Get("county"))
	}
	if len(hrefs) < 6 || !slices.Contains(names, "铁东区（四平）") || slices.Contains(names, "铁东区") {
		t.Errorf("about page county links %v", names)
	}
	for _, h := range hrefs {
		if status, _, _ := fetchPage(t, ts, h); status != 200 {
			t.Errorf("%s: %d", h, status)
		}
	}
	_, _, body := get(t, ts, "/api/v1/facets")
	var o struct{ Counties []apiFacet }
	if err := json.Unmarshal(body, &o); err != nil {
		t.Fatal(err)
	}
	for _, c := range o.Counties {
		if c.Value == "铁东区" || c.Value == "铁西区" {
			t.Errorf("facets list %s (%d)", c.Value, c.Count)
		}
	}
}
