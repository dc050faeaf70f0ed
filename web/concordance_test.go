package web_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"newsarchive/corpus"
	"newsarchive/corpus/textnorm"
	"newsarchive/engine"
	"newsarchive/search"
	"newsarchive/web"
)

// kwicScan is an occurrence found by scanning the records.
type kwicScan struct {
	id, field          string
	at                 int
	left, match, right string
}

// scanKWIC finds every occurrence of s in the kicker, title, subtitle and
// body of the records kept, folded, at every offset, with n characters of
// context from the original text.
func scanKWIC(articles []corpus.Article, s string, n int, keep func(*corpus.Article) bool) (occs []kwicScan, arts int) {
	needle := []rune(textnorm.String(s))
	flat := strings.NewReplacer("\n", " ", "\r", " ")
	for i := range articles {
		a := &articles[i]
		if keep != nil && !keep(a) {
			continue
		}
		found := false
		for _, f := range [][2]string{{"kicker", a.Kicker}, {"title", a.Title}, {"subtitle", a.Subtitle}, {"body", a.Body}} {
			orig, folded := []rune(f[1]), []rune(textnorm.String(f[1]))
			for at := 0; at+len(needle) <= len(folded); at++ {
				if slices.Equal(folded[at:at+len(needle)], needle) {
					found = true
					end := at + len(needle)
					occs = append(occs, kwicScan{a.ID, f[0], at, flat.Replace(string(orig[max(0, at-n):at])),
						string(orig[at:end]), flat.Replace(string(orig[end:min(len(orig), end+n)]))})
				}
			}
		}
		if found {
			arts++
		}
	}
	return occs, arts
}

func lineKey(id, field string, at int) string { return fmt.Sprintf("%s/%s/%d", id, field, at) }

// getConcordance reads one page of /api/v1/concordance.
func getConcordance(t *testing.T, ts *httptest.Server, v url.Values) search.Concordance {
	t.Helper()
	status, _, body := get(t, ts, "/api/v1/concordance?"+v.Encode())
	if status != 200 {
		t.Fatalf("concordance %s: %d %s", v.Encode(), status, body)
	}
	var c search.Concordance
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// allConcordance reads every page of /api/v1/concordance.
func allConcordance(t *testing.T, ts *httptest.Server, v url.Values) (search.Concordance, []search.ConcordanceLine) {
	t.Helper()
	var first *search.Concordance
	var lines []search.ConcordanceLine
	for page := 1; ; page++ {
		v.Set("page", strconv.Itoa(page))
		c := getConcordance(t, ts, v)
		if first == nil {
			first = &c
		}
		if len(c.Lines) == 0 {
			break
		}
		if c.Occurrences != first.Occurrences || c.Page != page {
			t.Fatalf("page %d: %d occurrences, page %d; first page %d", page, c.Occurrences, c.Page, first.Occurrences)
		}
		lines = append(lines, c.Lines...)
	}
	return *first, lines
}

// TestAPIConcordanceEqualsScan checks /api/v1/concordance, every page,
// against a brute-force scan of the records: the same occurrences, no
// more, with the same context, with filters from the parameters.
func TestAPIConcordanceEqualsScan(t *testing.T) {
	ts, fx := server(t)
	byID := map[string]*corpus.Article{}
	for i := range fx.Articles {
		byID[fx.Articles[i].ID] = &fx.Articles[i]
	}
	for _, tc := range []struct {
		name   string
		params url.Values
		str    string
		width  int
		keep   func(*corpus.Article) bool
	}{
		{name: "quoted", params: url.Values{"q": {`"黑土地"`}}, str: "黑土地"},
		{name: "bare, width 5", params: url.Values{"q": {"经济"}, "width": {"5"}}, str: "经济", width: 5},
		{name: "traditional", params: url.Values{"q": {"經濟"}, "width": {"12"}}, str: "經濟", width: 12},
		{name: "county", params: url.Values{"q": {`"发展"`}, "county": {"伊通"}}, str: "发展",
			keep: func(a *corpus.Article) bool { return slices.Contains(a.Counties, "伊通满族自治县") }},
		{name: "prefecture", params: url.Values{"q": {`"发展"`}, "prefecture": {"四平市"}}, str: "发展",
			keep: func(a *corpus.Article) bool {
				return slices.Contains(engine.PlacesOf(a).Prefectures, "四平市")
			}},
		{name: "dates, right sort", params: url.Values{"q": {`"经济"`}, "from": {"2023-01-01"}, "to": {"2023-06-30"}, "sort": {"right"}}, str: "经济",
			keep: func(a *corpus.Article) bool { return a.Date >= "2023-01-01" && a.Date <= "2023-06-30" }},
		{name: "excluded", params: url.Values{"q": {`"习近平" -"总书记"`}, "width": {"100"}}, str: "习近平", width: 100,
			keep: func(a *corpus.Article) bool {
				return !strings.Contains(textnorm.String(a.Kicker+"\n"+a.Title+"\n"+a.Subtitle+"\n"+a.Body), "总书记")
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.width
			if n == 0 {
				n = search.DefaultContext
			}
			want, wantArts := scanKWIC(fx.Articles, tc.str, n, tc.keep)
			if len(want) == 0 {
				t.Fatalf("the fixture has no %q", tc.str)
			}
			tc.params.Set("size", "500")
			c, lines := allConcordance(t, ts, tc.params)
			if c.Occurrences != len(want) || len(lines) != len(want) || c.Articles != wantArts || c.Cut || c.Context != n {
				t.Fatalf("%d occurrences (%d listed, cut %v, context %d) in %d articles; the scan: %d in %d",
					c.Occurrences, len(lines), c.Cut, c.Context, c.Articles, len(want), wantArts)
			}
			got := map[string]search.ConcordanceLine{}
			for _, l := range lines {
				k := lineKey(l.ID, l.Field, l.Offset)
				if _, dup := got[k]; dup {
					t.Fatalf("%s listed twice", k)
				}
				got[k] = l
			}
			for _, w := range want {
				l, ok := got[lineKey(w.id, w.field, w.at)]
				if !ok {
					t.Fatalf("missing %s", lineKey(w.id, w.field, w.at))
				}
				a := byID[w.id]
				if l.Left != w.left || l.Match != w.match || l.Right != w.right || l.Title != a.Title || l.Date != a.Date || l.Paper != a.Paper {
					t.Fatalf("%s: %+v, want %+v", lineKey(w.id, w.field, w.at), l, w)
				}
			}
			if tc.params.Get("sort") == "right" {
				for i := 1; i < len(lines); i++ {
					if rightKey(lines[i-1], n) > rightKey(lines[i], n) {
						t.Fatalf("lines %d and %d out of right-context order: %q, %q", i-1, i, lines[i-1].Right, lines[i].Right)
					}
				}
			}
		})
	}
}

// rightKey is what the right sort compares: the folded right context,
// its first 32 characters.
func rightKey(l search.ConcordanceLine, width int) string {
	r := []rune(textnorm.String(l.Right))
	return string(r[:min(len(r), 32, width)])
}

// formulaNeedle finds in the records a two-character string followed by
// a character a spreadsheet reads as the start of a formula, so that a
// right context starts with it.
func formulaNeedle(t *testing.T, articles []corpus.Article) string {
	t.Helper()
	for _, a := range articles {
		rs := []rune(a.Body)
		for i := 2; i < len(rs); i++ {
			if strings.ContainsRune("-+=@－＋", rs[i]) && rs[i-1] > 0x4e00 && rs[i-2] > 0x4e00 {
				return string(rs[i-2 : i])
			}
		}
	}
	t.Fatal("no string before - + = or @ in the fixture")
	return ""
}

// TestAPIConcordanceCSV checks concordance.csv against the JSON lines,
// in their order: every line, formula-safe cells, the BOM on request, a
// limit that cuts the download with its marker row and trailer.
func TestAPIConcordanceCSV(t *testing.T) {
	ts, fx := server(t)
	needle := formulaNeedle(t, fx.Articles)
	for _, tc := range []struct {
		params url.Values
		bom    bool
	}{
		{url.Values{"q": {`"经济"`}, "sort": {"left"}, "width": {"8"}}, false},
		{url.Values{"q": {`"` + needle + `"`}, "width": {"6"}}, true},
	} {
		jv := url.Values{"size": {"500"}}
		for k, vs := range tc.params {
			jv[k] = vs
		}
		c, lines := allConcordance(t, ts, jv)
		if len(lines) < 2 {
			t.Fatalf("%v: %d lines", tc.params, len(lines))
		}
		path := "/api/v1/concordance.csv?" + tc.params.Encode()
		if tc.bom {
			path += "&bom=1"
		}
		status, body, trailer := download(t, ts.URL, path)
		if status != 200 || trailer != web.ExportComplete {
			t.Fatalf("%s: %d, trailer %q: %s", path, status, trailer, body)
		}
		if bytes.HasPrefix(body, []byte("\uFEFF")) != tc.bom {
			t.Errorf("%s: BOM %v", path, !tc.bom)
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF")))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rows[0], web.ConcordanceCSVColumns) {
			t.Errorf("header %v", rows[0])
		}
		rows = rows[1:]
		if len(rows) != len(lines) || len(rows) != c.Occurrences {
			t.Fatalf("%s: %d rows, %d lines", path, len(rows), len(lines))
		}
		quoted := 0
		for i, l := range lines {
			want := []string{l.ID, l.Date, l.Paper, web.CSVCell(l.Title), l.Field, strconv.Itoa(l.Offset), web.CSVCell(l.Left), web.CSVCell(l.Match), web.CSVCell(l.Right)}
			if !slices.Equal(rows[i][:9], want) || !strings.HasSuffix(rows[i][9], "/articles/"+url.PathEscape(l.ID)+"?q="+url.QueryEscape(c.Query)) {
				t.Fatalf("row %d: %q, want %q", i, rows[i], want)
			}
			if strings.HasPrefix(rows[i][8], "'") {
				quoted++
			}
		}
		if tc.bom && quoted == 0 {
			t.Errorf("no right context of %q starts with a formula character: the test proves nothing", needle)
		}
	}
	// A limit cuts the download: its lines, then the marker row.
	status, body, trailer := download(t, ts.URL, "/api/v1/concordance.csv?q="+url.QueryEscape(`"经济"`)+"&limit=3")
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || status != 200 || trailer != web.ExportCut || len(rows) != 5 {
		t.Fatalf("limit=3: %d, trailer %q, %d rows, %v", status, trailer, len(rows), err)
	}
	if last := rows[4]; last[0] != web.CSVCutMarker || last[1] != "limit_reached" || !strings.Contains(last[2], "3 lines") {
		t.Errorf("last row %q", last)
	}
}

func TestAPIConcordanceErrors(t *testing.T) {
	ts, _ := server(t)
	esc := url.QueryEscape
	for _, tc := range []struct{ path, code, msg string }{
		{"/api/v1/concordance", "bad_request", "looks for one string"},
		{"/api/v1/concordance?q=" + esc("经济 满族"), "bad_request", "this query has 2"},
		{"/api/v1/concordance?q=" + esc(`"经济" OR "满族"`), "bad_request", "this query has 2"},
		{"/api/v1/concordance?q=" + esc(`"经济`), "unclosed_quote", "the quote is not closed"},
		{"/api/v1/concordance?q=a&width=0", "bad_request", `width "0" is not a whole number from 1 to 100`},
		{"/api/v1/concordance?q=a&width=101", "bad_request", `width "101"`},
		{"/api/v1/concordance?q=a&width=wide", "bad_request", `width "wide"`},
		{"/api/v1/concordance?q=a&sort=up", "bad_sort", `sort "up"`},
		{"/api/v1/concordance?q=a&page=0", "bad_page", "page 0 is out of range"},
		{"/api/v1/concordance?q=a&size=501", "bad_size", "size 501 is out of range"},
		{"/api/v1/concordance?q=a&county=" + esc("火星"), "unknown_place", `unknown county "火星"`},
		{"/api/v1/concordance?q=a&prefecture=" + esc("火星"), "unknown_place", "火星"},
		{"/api/v1/concordance.csv?q=a&limit=0", "bad_size", `limit "0"`},
		{"/api/v1/concordance.csv?q=a&page=2", "unknown_parameter", `unknown parameter "page"`},
		{"/api/v1/concordance.csv?q=" + esc("a b"), "bad_request", "this query has 2"},
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

// TestConcordancePage checks the page's table against the API: the same
// lines in the same order, aligned in columns, each linking to its
// article; paging and the errors in Chinese.
func TestConcordancePage(t *testing.T) {
	ts, _ := uiServer(t)
	for _, sort := range []string{"", "right", "left", "-date"} {
		v := url.Values{"q": {`"经济"`}, "width": {"10"}, "size": {"50"}, "page": {"2"}}
		if sort != "" {
			v.Set("sort", sort)
		}
		c := getConcordance(t, ts, v)
		status, _, page := fetchPage(t, ts, "/concordance?"+v.Encode())
		if status != 200 || len(c.Lines) != 50 {
			t.Fatalf("sort %q: %d, %d lines", sort, status, len(c.Lines))
		}
		tbody := page[strings.Index(page, "<tbody>"):strings.Index(page, "</tbody>")]
		rows := strings.Split(tbody, "<tr ")[1:]
		if len(rows) != len(c.Lines) {
			t.Fatalf("sort %q: %d rows, %d lines", sort, len(rows), len(c.Lines))
		}
		for i, l := range c.Lines {
			r := rows[i]
			for _, want := range []string{
				fmt.Sprintf(`data-id="%s" data-field="%s" data-offset="%d"`, l.ID, l.Field, l.Offset),
				`<td class="n">` + strconv.Itoa(51+i) + `</td>`,
				`<td class="left"><div>` + htmlText(l.Left) + `</div></td>`,
				`<td class="kw">` + htmlText(l.Match) + `</td>`,
				`<td class="right"><div>` + htmlText(l.Right) + `</div></td>`,
				`href="/articles/` + l.ID + `?q=` + htmlAttr(url.QueryEscape(c.String)) + `"`,
			} {
				if !strings.Contains(r, want) {
					t.Fatalf("sort %q, row %d: no %s in %s", sort, i, want, r)
				}
			}
		}
		for _, want := range []string{`rel="prev"`, `aria-current="page">2</a>`, `<th scope="col" class="left">`, `id="kwic-csv" href="/api/v1/concordance.csv?`} {
			if !strings.Contains(page, want) {
				t.Errorf("sort %q: the page has no %s", sort, want)
			}
		}
	}
	for _, tc := range []struct{ path, msg string }{
		{"/concordance?q=" + url.QueryEscape("经济 满族"), "只找一个字符串"},
		{"/concordance?q=a&width=500", "上下文宽度"},
		{"/concordance?q=a&sort=up", "排序 sort=up 无效"},
		{"/concordance?q=a&size=1000", "每页行数"},
		{"/concordance?q=a&province=" + url.QueryEscape("火星"), "火星"},
		{"/concordance?q=" + url.QueryEscape(`"经济`), "检索式或参数有误"},
	} {
		status, _, page := fetchPage(t, ts, tc.path)
		if status != 400 || !strings.Contains(page, `role="alert"`) || !strings.Contains(page, tc.msg) {
			t.Errorf("%s: %d, want 400 saying %q", tc.path, status, tc.msg)
		}
	}
	if status, _, page := fetchPage(t, ts, "/concordance"); status != 200 || strings.Contains(page, `id="kwic"`) || !strings.Contains(page, `id="kq"`) {
		t.Errorf("/concordance: %d", status)
	}
}

// htmlText is text as html/template writes it.
func htmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}
