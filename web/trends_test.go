package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"math"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"newsarchive/search"
	"newsarchive/web"
)

var trendQueries = []string{"经济", `"黑土地"`, "满族 OR 乡村振兴"}

// trendsQuery is the query string of a trends request.
func trendsQuery(queries []string, extra url.Values) string {
	v := url.Values{"q": queries}
	for k, vs := range extra {
		v[k] = vs
	}
	return v.Encode()
}

func getTrends(t *testing.T, ts *httptest.Server, queries []string, extra url.Values) search.Trends {
	t.Helper()
	status, _, body := get(t, ts, "/api/v1/trends?"+trendsQuery(queries, extra))
	if status != 200 {
		t.Fatalf("trends: %d %s", status, body)
	}
	var tr search.Trends
	if err := json.Unmarshal(body, &tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

// monthFacetAPI is the date facet of /api/v1/search for a query and
// filters: matching articles per month.
func monthFacetAPI(t *testing.T, ts *httptest.Server, q string, filters url.Values) map[string]int {
	t.Helper()
	v := url.Values{"size": {"1"}}
	for k, vs := range filters {
		v[k] = vs
	}
	if q != "" {
		v.Set("q", q)
	}
	status, _, body := get(t, ts, "/api/v1/search?"+v.Encode())
	if status != 200 {
		t.Fatalf("search %s: %d %s", v.Encode(), status, body)
	}
	var res search.Response
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, fv := range res.Facets.Date {
		out[fv.Value] = fv.Count
	}
	return out
}

// TestAPITrendsEqualMonthFacets checks every point of /api/v1/trends
// against the date facet of /api/v1/search for the same query and
// filters (by month, and summed by year), and the shares against the
// denominator's facet.
func TestAPITrendsEqualMonthFacets(t *testing.T) {
	ts, _ := server(t)
	for _, tc := range []struct {
		name    string
		filters url.Values
		// dates narrows the reference search, whose date facet ignores
		// from and to (facets are disjunctive).
		dates string
	}{
		{"no filters", nil, ""},
		{"topic", url.Values{"topic": {"教育"}}, ""},
		{"county", url.Values{"county": {"伊通"}}, ""},
		{"province", url.Values{"province": {"吉林省"}}, ""},
		{"dates", url.Values{"from": {"2023-03-15"}, "to": {"2024-02-10"}}, "date:2023-03-15..2024-02-10"},
	} {
		for _, interval := range []string{"", "month", "year"} {
			t.Run(tc.name+"/"+interval, func(t *testing.T) {
				extra := url.Values{}
				for k, vs := range tc.filters {
					extra[k] = vs
				}
				if interval != "" {
					extra.Set("interval", interval)
				}
				tr := getTrends(t, ts, trendQueries, extra)
				byYear := interval == "year"
				if want := map[bool]string{false: "month", true: "year"}[byYear]; tr.Interval != want {
					t.Errorf("interval %q, want %q", tr.Interval, want)
				}
				ref := func(q string) map[string]int {
					f := url.Values{}
					for k, vs := range tc.filters {
						if k != "from" && k != "to" {
							f[k] = vs
						}
					}
					if tc.dates != "" {
						if q != "" {
							q = "(" + q + ") "
						}
						q += tc.dates
					}
					months := monthFacetAPI(t, ts, q, f)
					if !byYear {
						return months
					}
					years := map[string]int{}
					for m, n := range months {
						years[m[:4]] += n
					}
					return years
				}
				if len(tr.Periods) == 0 || len(tr.All) != len(tr.Periods) || len(tr.Series) != len(trendQueries) {
					t.Fatalf("periods %d, all %d, series %d", len(tr.Periods), len(tr.All), len(tr.Series))
				}
				all := ref("")
				sumAll := 0
				for i, p := range tr.Periods {
					if tr.All[i] != all[p] {
						t.Errorf("all %s = %d, the facet says %d", p, tr.All[i], all[p])
					}
					sumAll += tr.All[i]
				}
				if sumAll != sumMap(all) {
					t.Errorf("the axis holds %d articles, the facet %d", sumAll, sumMap(all))
				}
				matched := 0
				for i, s := range tr.Series {
					if s.Query != trendQueries[i] || len(s.Points) != len(tr.Periods) {
						t.Fatalf("series %d: %q with %d points", i, s.Query, len(s.Points))
					}
					want := ref(s.Query)
					sum := 0
					for j, p := range s.Points {
						if p.Period != tr.Periods[j] || p.Count != want[p.Period] || p.All != tr.All[j] {
							t.Errorf("%s %s: %+v, the facet says %d of %d", s.Query, p.Period, p, want[p.Period], tr.All[j])
						}
						if p.All > 0 && math.Abs(p.Share-float64(p.Count)/float64(p.All)) > 1e-12 {
							t.Errorf("%s %s: share %v of %d/%d", s.Query, p.Period, p.Share, p.Count, p.All)
						}
						sum += p.Count
					}
					matched += sum
					if sum != sumMap(want) {
						t.Errorf("%s: the points sum to %d, the month facet to %d", s.Query, sum, sumMap(want))
					}
					if s.Total < uint64(sum) {
						t.Errorf("%s: total %d < %d dated", s.Query, s.Total, sum)
					}
				}
				if matched == 0 {
					t.Errorf("no query matches a dated article: the test compares zeros")
				}
			})
		}
	}
}

func sumMap(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// TestAPITrendsCSV checks trends.csv against the JSON: one row per query
// and period, formula-safe cells, the BOM on request.
func TestAPITrendsCSV(t *testing.T) {
	ts, _ := server(t)
	queries := []string{"-总书记 经济", `"黑土地"`}
	tr := getTrends(t, ts, queries, url.Values{"interval": {"year"}})
	for _, bom := range []bool{false, true} {
		path := "/api/v1/trends.csv?" + trendsQuery(queries, url.Values{"interval": {"year"}})
		if bom {
			path += "&bom=1"
		}
		status, ctype, body := get(t, ts, path)
		if status != 200 || !strings.HasPrefix(ctype, "text/csv") {
			t.Fatalf("%s: %d %s %s", path, status, ctype, body)
		}
		if hasBOM := bytes.HasPrefix(body, []byte("\uFEFF")); hasBOM != bom {
			t.Errorf("bom=%v: the file starts with a BOM: %v", bom, hasBOM)
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(rows[0], ",") != strings.Join(web.TrendsCSVColumns, ",") {
			t.Errorf("header %v", rows[0])
		}
		rows = rows[1:]
		if len(rows) != len(queries)*len(tr.Periods) {
			t.Fatalf("%d rows, want %d", len(rows), len(queries)*len(tr.Periods))
		}
		i := 0
		for _, s := range tr.Series {
			for _, p := range s.Points {
				want := []string{web.CSVCell(s.Query), p.Period, p.From, p.To, strconv.Itoa(p.Count), strconv.Itoa(p.All)}
				if strings.Join(rows[i][:6], "|") != strings.Join(want, "|") {
					t.Errorf("row %d: %v, want %v", i, rows[i], want)
				}
				if sh, err := strconv.ParseFloat(rows[i][6], 64); err != nil || sh != p.Share {
					t.Errorf("row %d: share %q, want %v", i, rows[i][6], p.Share)
				}
				i++
			}
		}
		if rows[0][0] != "'-总书记 经济" {
			t.Errorf("a query starting with - is written %q, want it quoted for spreadsheets", rows[0][0])
		}
	}
}

func TestAPITrendsErrors(t *testing.T) {
	ts, _ := server(t)
	six := strings.Repeat("&q=a", 6)
	for _, tc := range []struct{ path, code, msg string }{
		{"/api/v1/trends", "empty_query", "at least one query"},
		{"/api/v1/trends?q=", "empty_query", "query 1 of the trends is empty"},
		{"/api/v1/trends?" + six[1:], "bad_request", "at most 5 queries"},
		{"/api/v1/trends?q=a&interval=week", "bad_request", `interval "week" is not month or year`},
		{"/api/v1/trends?q=" + url.QueryEscape(`"黑土地`), "unclosed_quote", "the quote is not closed"},
		{"/api/v1/trends?q=a&county=" + url.QueryEscape("火星"), "unknown_place", `unknown county "火星"`},
		{"/api/v1/trends?q=a&from=2022-02-30", "bad_date", "is not a date"},
		{"/api/v1/trends?q=a&province=" + url.QueryEscape("火星"), "unknown_place", "火星"},
		{"/api/v1/trends?q=a&size=5", "unknown_parameter", `unknown parameter "size"`},
		{"/api/v1/trends.csv?q=a&interval=day", "bad_request", `interval "day"`},
	} {
		status, ctype, body := get(t, ts, tc.path)
		var e web.ErrorBody
		if err := json.Unmarshal(body, &e); err != nil || status != 400 || !strings.HasPrefix(ctype, "application/json") {
			t.Errorf("%s: %d %s %s", tc.path, status, ctype, body)
			continue
		}
		if e.Error.Code != tc.code || !strings.Contains(e.Error.Message, tc.msg) {
			t.Errorf("%s: %+v, want %s containing %q", tc.path, e.Error, tc.code, tc.msg)
		}
	}
}

// xmlNode is any XML element, for reading the chart.
type xmlNode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Nodes   []xmlNode  `xml:",any"`
}

func (n *xmlNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// walk calls f on n and every element under it.
func (n *xmlNode) walk(f func(*xmlNode)) {
	f(n)
	for i := range n.Nodes {
		n.Nodes[i].walk(f)
	}
}

// chartSVG cuts the trends chart out of the page and decodes it as XML.
func chartSVG(t *testing.T, page string) xmlNode {
	t.Helper()
	start := strings.Index(page, `<svg class="trends-chart"`)
	end := strings.Index(page, "</figure>")
	if start < 0 || end < start {
		t.Fatalf("no chart in the page")
	}
	svg := page[start:end]
	svg = svg[:strings.LastIndex(svg, "</svg>")+len("</svg>")]
	var root xmlNode
	dec := xml.NewDecoder(strings.NewReader(svg))
	dec.Strict = true
	if err := dec.Decode(&root); err != nil {
		t.Fatalf("the chart is not well-formed XML: %v", err)
	}
	return root
}

// TestTrendsPageChart checks the page's SVG: well-formed, an image with a
// title and a description, one linked point per period per series whose
// link is that period's search, series told apart by more than colour,
// and the table of the same figures.
func TestTrendsPageChart(t *testing.T) {
	ts, _ := uiServer(t)
	filters := url.Values{"topic": {"教育"}}
	tr := getTrends(t, ts, trendQueries, filters)
	status, _, page := fetchPage(t, ts, "/trends?"+trendsQuery(trendQueries, filters))
	if status != 200 {
		t.Fatalf("status %d: %s", status, page)
	}
	root := chartSVG(t, page)
	if root.XMLName.Local != "svg" || root.XMLName.Space != "http://www.w3.org/2000/svg" {
		t.Errorf("root %v", root.XMLName)
	}
	var img *xmlNode
	points := map[string][]*xmlNode{}
	dashes, markers := map[string]bool{}, map[string]bool{}
	root.walk(func(n *xmlNode) {
		switch {
		case n.XMLName.Local == "svg" && n.attr("role") == "img":
			img = n
		case n.XMLName.Local == "a" && n.attr("class") == "point":
			points[n.attr("data-series")] = append(points[n.attr("data-series")], n)
		case n.XMLName.Local == "polyline":
			dashes[n.attr("stroke-dasharray")] = true
		}
	})
	if img == nil {
		t.Fatal("no role=img drawing in the chart")
	}
	var title, desc string
	for _, c := range img.Nodes {
		switch c.XMLName.Local {
		case "title":
			title = c.Text
		case "desc":
			desc = c.Text
		}
	}
	if title == "" || !strings.Contains(desc, "折线图") || !strings.Contains(desc, `「"黑土地"」`) {
		t.Errorf("title %q, desc %q", title, desc)
	}
	if len(dashes) != len(trendQueries) {
		t.Errorf("%d dash patterns for %d series", len(dashes), len(trendQueries))
	}
	if len(points) != len(trendQueries) {
		t.Fatalf("points of %d series, want %d", len(points), len(trendQueries))
	}
	for i, s := range tr.Series {
		ps := points[strconv.Itoa(i+1)]
		if len(ps) != len(tr.Periods) {
			t.Fatalf("series %d: %d points for %d periods", i+1, len(ps), len(tr.Periods))
		}
		for j, p := range ps {
			want := s.Points[j]
			if p.attr("data-period") != want.Period || p.attr("data-count") != strconv.Itoa(want.Count) {
				t.Errorf("point %d/%d: %s %s, want %s %d", i+1, j, p.attr("data-period"), p.attr("data-count"), want.Period, want.Count)
			}
			u, err := url.Parse(p.attr("href"))
			if err != nil || u.Path != "/search" {
				t.Fatalf("point href %q", p.attr("href"))
			}
			q := u.Query()
			if q.Get("q") != s.Query || q.Get("from") != want.From || q.Get("to") != want.To || q.Get("topic") != "教育" {
				t.Errorf("point %s of %s links to %s", want.Period, s.Query, u)
			}
			var shape string
			for _, c := range p.Nodes {
				if c.XMLName.Local == "path" {
					shape = c.attr("d")
				}
			}
			markers[strings.Map(func(r rune) rune {
				if strings.ContainsRune("MLHVZa", r) {
					return r
				}
				return -1
			}, shape)] = true
			if p.attr("aria-label") == "" {
				t.Errorf("point without a label")
			}
		}
	}
	if len(markers) != len(trendQueries) {
		t.Errorf("%d marker shapes for %d series", len(markers), len(trendQueries))
	}
	// The table: a caption, scoped headers, one row per period.
	for _, want := range []string{`<table id="trends-table">`, `<caption id="trends-table-cap">`, `<th scope="colgroup" colspan="2">「&#34;黑土地&#34;」</th>`, `<th scope="row">`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page has no %s", want)
		}
	}
	tbody := page[strings.Index(page, `<table id="trends-table">`):]
	tbody = tbody[strings.Index(tbody, "<tbody>"):strings.Index(tbody, "</tbody>")]
	if n := strings.Count(tbody, "<tr>"); n != len(tr.Periods) {
		t.Errorf("%d table rows, want %d", n, len(tr.Periods))
	}
	// Links to the CSV and the JSON of the same figures.
	if !strings.Contains(page, `id="trends-csv" href="/api/v1/trends.csv?`) {
		t.Errorf("no CSV link")
	}
}

// contrast is the WCAG contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	lum := func(hex string) float64 {
		var c [3]float64
		for i := range c {
			v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
			s := float64(v) / 255
			if s <= 0.04045 {
				c[i] = s / 12.92
			} else {
				c[i] = math.Pow((s+0.055)/1.055, 2.4)
			}
		}
		return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
	}
	la, lb := lum(a), lum(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func TestTrendsColoursContrast(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range web.SeriesStyles {
		for _, bg := range []string{"#ffffff", "#fbfaf6"} {
			if c := contrast(s.Color, bg); c < 4.5 {
				t.Errorf("%s on %s: contrast %.2f, want at least 4.5", s.Color, bg, c)
			}
		}
		key := s.Dash + "/" + s.Marker
		if seen[key] || seen[s.Color] {
			t.Errorf("style %+v repeats another's", s)
		}
		seen[key], seen[s.Color] = true, true
	}
	if len(web.SeriesStyles) < search.MaxTrendQueries {
		t.Errorf("%d styles for %d queries", len(web.SeriesStyles), search.MaxTrendQueries)
	}
}

func TestTrendsPageErrors(t *testing.T) {
	ts, _ := uiServer(t)
	six := strings.Repeat("&q=a", 6)
	for _, tc := range []struct{ path, msg string }{
		{"/trends?" + six[1:], "最多比较 5 个检索式"},
		{"/trends?q=a&interval=week", "时间单位"},
		{"/trends?q=a&show=pie", "纵轴"},
		{"/trends?q=" + url.QueryEscape(`"黑土地`), "检索式或筛选有误"},
		{"/trends?q=a&province=" + url.QueryEscape("火星"), "火星"},
		{"/trends?q=a&from=2022-02-30", "有误"},
	} {
		status, _, page := fetchPage(t, ts, tc.path)
		if status != 400 || !strings.Contains(page, `role="alert"`) || !strings.Contains(page, tc.msg) {
			t.Errorf("%s: %d, want 400 saying %q", tc.path, status, tc.msg)
		}
	}
	// The empty form is no error; blank boxes are dropped.
	status, _, page := fetchPage(t, ts, "/trends")
	if status != 200 || strings.Count(page, `<input id="tq`) != search.MaxTrendQueries || strings.Contains(page, "trends-chart") {
		t.Errorf("/trends: %d", status)
	}
	status, _, page = fetchPage(t, ts, "/trends?q=&q="+url.QueryEscape("经济")+"&q=")
	if status != 200 || !strings.Contains(page, "trends-chart") || strings.Count(page, `class="point"`) == 0 {
		t.Errorf("blank boxes: %d", status)
	}
}

// TestResultsLinkToWorkbench checks the results page's links to the
// trends and the concordance of its query.
func TestResultsLinkToWorkbench(t *testing.T) {
	ts, _ := uiServer(t)
	q := `"黑土地" 保护 -"总书记"`
	_, _, page := fetchPage(t, ts, "/search?q="+url.QueryEscape(q)+"&topic="+url.QueryEscape("农业")+"&sort=date")
	want := "/trends?" + url.Values{"q": {q}, "topic": {"农业"}}.Encode()
	if !strings.Contains(page, `id="trends-link" href="`+htmlAttr(want)+`"`) {
		t.Errorf("no trends link to %s", want)
	}
	wantK := "/concordance?" + url.Values{"q": {`"黑土地"`}, "topic": {"农业"}}.Encode()
	if !strings.Contains(page, `class="concordance-link" href="`+htmlAttr(wantK)+`"`) || strings.Count(page, `class="concordance-link"`) != 1 {
		t.Errorf("want one concordance link, to %s", wantK)
	}
	// Without a quoted string: trends, no concordance.
	_, _, page = fetchPage(t, ts, "/search?q="+url.QueryEscape("经济"))
	if !strings.Contains(page, `id="trends-link"`) || strings.Contains(page, "concordance-link") {
		t.Errorf("经济: the links are wrong")
	}
	// Both pages are in the site's navigation.
	for _, nav := range []string{`<a href="/trends"`, `<a href="/concordance"`} {
		if !strings.Contains(page, nav) {
			t.Errorf("the navigation has no %s", nav)
		}
	}
}

// htmlAttr is a URL as html/template writes it in an attribute.
func htmlAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", "+", "&#43;").Replace(s)
}

// TestWorkbenchPagesAreValidHTML runs the pages' checker (checkHTML,
// ui_test.go) on the trends and concordance pages: filled in, empty, with
// filters, on a bad request.
func TestWorkbenchPagesAreValidHTML(t *testing.T) {
	ts, _ := uiServer(t)
	q := url.QueryEscape
	for _, p := range []struct {
		path   string
		status int
	}{
		{"/trends", 200},
		{"/trends?q=" + q("经济") + "&q=" + q(`"黑土地"`) + "&q=" + q("满族 OR 乡村振兴") + "&q=a&q=b", 200},
		{"/trends?q=" + q("经济") + "&topic=" + q("教育") + "&interval=year&show=count", 200},
		{"/trends?q=" + q("经济") + "&from=2023-01-01&to=2023-03-31", 200},
		{"/trends?q=" + q(`"黑土地`), 400},
		{"/concordance", 200},
		{"/concordance?q=" + q(`"经济"`) + "&width=30&sort=left&page=3&size=50", 200},
		{"/concordance?q=" + q(`"经济"`) + "&county=" + q("伊通"), 200},
		{"/concordance?q=" + q(`"不存在的字符串甲乙"`), 200},
		{"/concordance?q=" + q("经济 满族"), 400},
	} {
		t.Run(p.path, func(t *testing.T) {
			status, h, body := fetchPage(t, ts, p.path)
			if status != p.status {
				t.Fatalf("status %d, want %d", status, p.status)
			}
			if ct := h.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			checkHTML(t, body)
		})
	}
}
