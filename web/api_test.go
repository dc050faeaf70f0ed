package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"newsarchive/corpus"
	"newsarchive/search"
	"newsarchive/search/searchtest"
	"newsarchive/serving"
	"newsarchive/web"
)

func TestMain(m *testing.M) {
	code := m.Run()
	searchtest.Cleanup()
	os.Exit(code)
}

// server starts the application on a real loopback listener.
func server(t *testing.T) (*httptest.Server, *searchtest.Fixture) {
	t.Helper()
	fx := searchtest.Get(t)
	srv := web.New(serving.Fixed(fx.Engine, fx.Tagger), web.Options{Logger: slog.New(slog.DiscardHandler), Limits: web.Limits{RatePerSecond: -1}})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts, fx
}

// get fetches a path and returns the status, content type and body.
func get(t *testing.T, ts *httptest.Server, path string) (int, string, []byte) {
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
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestSearchResponseContract(t *testing.T) {
	ts, _ := server(t)
	status, ctype, body := get(t, ts, "/api/v1/search?q="+url.QueryEscape("满族")+"&size=3")
	if status != 200 || !strings.HasPrefix(ctype, "application/json") {
		t.Fatalf("status %d, %s: %s", status, ctype, body)
	}
	var res map[string]any
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	wantTop := []string{"authors", "facets", "hits", "next", "page", "query", "size", "suggestions", "took_ms", "total"}
	if got := keys(res); !slices.Equal(got, wantTop) {
		t.Errorf("top-level keys %v, want %v", got, wantTop)
	}
	if res["query"] != "满族" || res["page"] != 1.0 || res["size"] != 3.0 {
		t.Errorf("query/page/size = %v/%v/%v", res["query"], res["page"], res["size"])
	}
	if _, ok := res["next"].(string); !ok {
		t.Errorf("next = %v, want a cursor (there are more than 3 hits)", res["next"])
	}
	hits := res["hits"].([]any)
	if len(hits) != 3 {
		t.Fatalf("%d hits, want 3", len(hits))
	}
	wantHit := []string{"authors", "counties", "county", "date", "highlight", "id", "kicker", "kind", "page", "paper", "places", "score", "source", "subtitle", "title", "topic", "topics"}
	for _, h := range hits {
		hm := h.(map[string]any)
		if got := keys(hm); !slices.Equal(got, wantHit) {
			t.Errorf("hit keys %v, want %v", got, wantHit)
		}
		for _, p := range hm["places"].([]any) {
			if got := keys(p.(map[string]any)); !slices.Equal(got, []string{"code", "display", "level", "name", "prefecture", "province"}) {
				t.Errorf("place keys %v", got)
			}
		}
		hl := hm["highlight"].(map[string]any)
		if _, ok := hl["title"].(string); !ok {
			t.Errorf("highlight.title missing: %v", hl)
		}
		if s, _ := hl["snippet"].(string); !strings.Contains(s, "<mark>") && !strings.Contains(hl["title"].(string), "<mark>") {
			t.Errorf("no <mark> in the highlight: %v", hl)
		}
	}
	facets := res["facets"].(map[string]any)
	if got := keys(facets); !slices.Equal(got, []string{"author", "county", "date", "paper", "prefecture", "province", "topic"}) {
		t.Errorf("facet keys %v", got)
	}
	for name, f := range facets {
		want := []string{"count", "value"}
		if name == "county" || name == "prefecture" || name == "province" {
			want = []string{"code", "count", "value"}
		}
		for _, v := range f.([]any) {
			if got := keys(v.(map[string]any)); !slices.Equal(got, want) {
				t.Errorf("facet %s value keys %v", name, got)
			}
		}
	}
	// An empty result is an empty list and a null cursor, not nulls.
	_, _, body = get(t, ts, "/api/v1/search?q="+url.QueryEscape(`"不存在的短语组合甲乙丙"`))
	if !bytes.Contains(body, []byte(`"total":0`)) || !bytes.Contains(body, []byte(`"next":null,"hits":[]`)) {
		t.Errorf("empty result: %s", body)
	}
}

func TestAPIMatchesSearcher(t *testing.T) {
	ts, fx := server(t)
	_, _, body := get(t, ts, "/api/v1/search?q="+url.QueryEscape("学生 OR 教育")+"&county=伊通&county=梨树县&topic=教育&from=2022-01-01&sort=date&size=5")
	res, err := fx.Searcher.Search(context.Background(), search.Request{
		Query: "学生 OR 教育", Counties: []string{"伊通", "梨树县"}, Topics: []string{"教育"}, From: "2022-01-01", Sort: "date", Size: 5,
	})
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := web.EncodeJSON(&want, res); err != nil {
		t.Fatal(err)
	}
	took := regexp.MustCompile(`"took_ms":\d+`)
	if a, b := took.ReplaceAll(body, nil), took.ReplaceAll(want.Bytes(), nil); !bytes.Equal(a, b) {
		t.Errorf("API and Searcher differ:\n%s\n%s", a, b)
	}
	if res.Total == 0 {
		t.Errorf("the query matches nothing; the comparison tests little")
	}
}

func TestHighlightIsEscapedHTML(t *testing.T) {
	ts, _ := server(t)
	_, _, body := get(t, ts, "/api/v1/search?q=script")
	var res search.Response
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 {
		t.Fatalf("%d hits for script, want 1", len(res.Hits))
	}
	sn := res.Hits[0].Highlight.Snippet
	if strings.Contains(sn, "<script>") || !strings.Contains(sn, "&lt;<mark>script</mark>&gt;") {
		t.Errorf("snippet not escaped: %q", sn)
	}
	// The only tags in highlights are <mark> and </mark>.
	tags := regexp.MustCompile(`<[^>]*>`)
	for _, tag := range tags.FindAllString(sn+res.Hits[0].Highlight.Title, -1) {
		if tag != "<mark>" && tag != "</mark>" {
			t.Errorf("unexpected markup %q in highlight", tag)
		}
	}
}

func TestAPIErrors(t *testing.T) {
	ts, _ := server(t)
	tests := []struct {
		path   string
		status int
		code   string
		msg    string
	}{
		{"/api/v1/search?q=" + url.QueryEscape(`"满族`), 400, "unclosed_quote", "at character 1: the quote is not closed"},
		{"/api/v1/search?q=" + url.QueryEscape("满族 (剪纸"), 400, "unbalanced_paren", "at character 4: this ( is not closed"},
		{"/api/v1/search?q=" + url.QueryEscape("满族 OR"), 400, "misplaced_operator", "OR needs a term after it"},
		{"/api/v1/search?q=" + url.QueryEscape("titel:满族"), 400, "unknown_field", `unknown field "titel"`},
		{"/api/v1/search?q=" + url.QueryEscape("date:2022-13"), 400, "bad_date", "not YYYY"},
		{"/api/v1/search?q=" + url.QueryEscape("，，"), 400, "empty_query", "no letter, digit or Chinese character"},
		{"/api/v1/search?county=" + url.QueryEscape("火星"), 400, "unknown_place", `unknown county "火星"`},
		{"/api/v1/search?topic=" + url.QueryEscape("魔法"), 400, "unknown_topic", `unknown topic "魔法"`},
		{"/api/v1/search?from=2022-02-30", 400, "bad_date", `from "2022-02-30" is not a date`},
		{"/api/v1/search?to=tomorrow", 400, "bad_date", `to "tomorrow" is not a date`},
		{"/api/v1/search?from=2023-01-02&to=2023-01-01", 400, "bad_date", "after to"},
		{"/api/v1/search?sort=best", 400, "bad_sort", `sort "best"`},
		{"/api/v1/search?size=0", 400, "bad_size", "size 0 is out of range"},
		{"/api/v1/search?size=101", 400, "bad_size", "size 101 is out of range"},
		{"/api/v1/search?size=ten", 400, "bad_size", `size "ten" is not a whole number`},
		{"/api/v1/search?page=0", 400, "bad_page", "page 0 is out of range"},
		{"/api/v1/search?page=1000", 400, "bad_page", "past the first 10000 hits"},
		{"/api/v1/search?after=xyz", 400, "bad_cursor", "not a cursor"},
		{"/api/v1/search?after=xyz&page=2", 400, "bad_cursor", "after and page"},
		{"/api/v1/search.csv?q=" + url.QueryEscape(`"满族`), 400, "unclosed_quote", "quote is not closed"},
		{"/api/v1/search.csv?limit=0", 400, "bad_request", "limit"},
		{"/api/v1/search.csv?bom=yes", 400, "bad_request", "bom"},
		{"/api/v1/search.ris?limit=x", 400, "bad_request", "limit"},
		{"/api/v1/search.bib?q=" + url.QueryEscape("(("), 400, "unbalanced_paren", "not closed"},
		{"/api/v1/search.jsonl?q=" + url.QueryEscape("(("), 400, "unbalanced_paren", "not closed"},
		{"/api/v1/search.atom?county=" + url.QueryEscape("火星"), 400, "unknown_place", "unknown county"},
		{"/api/v1/articles/0123456789abcdef", 404, "not_found", "article not found"},
		{"/api/v1/articles/0123456789abcdef/similar", 404, "not_found", "article not found"},
		{"/api/v1/articles/x/similar?size=-2", 400, "bad_size", "size"},
		{"/api/v1/search?cuonty=" + url.QueryEscape("伊通"), 400, "unknown_parameter", `unknown parameter "cuonty"`},
		{"/api/v1/search?sort=page", 400, "too_many", "sort=page orders at most 1000 articles"},
		{"/api/v1/nothing", 404, "not_found", "no such endpoint"},
	}
	for _, tt := range tests {
		status, ctype, body := get(t, ts, tt.path)
		var e web.ErrorBody
		if err := json.Unmarshal(body, &e); err != nil || !strings.HasPrefix(ctype, "application/json") {
			t.Errorf("%s: %s body %q is not a JSON error (%v)", tt.path, ctype, body, err)
			continue
		}
		if status != tt.status || e.Error.Code != tt.code || !strings.Contains(e.Error.Message, tt.msg) {
			t.Errorf("%s: %d %+v, want %d %s %q", tt.path, status, e.Error, tt.status, tt.code, tt.msg)
		}
	}
	resp, err := http.Post(ts.URL+"/api/v1/search", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /api/v1/search: %d, want 405", resp.StatusCode)
	}
}

func TestArticleAndSimilar(t *testing.T) {
	ts, fx := server(t)
	var src corpus.Article
	for _, a := range fx.Articles {
		if strings.Contains(a.Title, "黑土地") {
			src = a
		}
	}
	status, _, body := get(t, ts, "/api/v1/articles/"+src.ID)
	var got corpus.Article
	if err := json.Unmarshal(body, &got); err != nil || status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	if got.ID != src.ID || got.Body != src.Body || got.Title != src.Title || !slices.Equal(got.Counties, src.Counties) {
		t.Errorf("article %s: got %+v", src.ID, got)
	}
	_, _, body = get(t, ts, "/api/v1/articles/"+src.ID+"?q="+url.QueryEscape("黑土地"))
	var withHL web.ArticleResponse
	if err := json.Unmarshal(body, &withHL); err != nil {
		t.Fatal(err)
	}
	if withHL.Highlight == nil || !strings.Contains(withHL.Highlight.Title, "<mark>黑土地</mark>") {
		t.Errorf("article with q: highlight %+v", withHL.Highlight)
	}
	status, _, body = get(t, ts, "/api/v1/articles/"+src.ID+"/similar?size=4")
	var sim web.SimilarResponse
	if err := json.Unmarshal(body, &sim); err != nil || status != 200 {
		t.Fatalf("similar: %d %s", status, body)
	}
	if sim.ID != src.ID || len(sim.Hits) == 0 || len(sim.Hits) > 4 {
		t.Errorf("similar: id %s, %d hits", sim.ID, len(sim.Hits))
	}
	for _, h := range sim.Hits {
		if h.ID == src.ID {
			t.Errorf("an article is similar to itself")
		}
	}
}

func TestCSVExport(t *testing.T) {
	ts, fx := server(t)
	q := url.QueryEscape(`"县"`)
	status, ctype, body := get(t, ts, "/api/v1/search.csv?q="+q+"&sort=date")
	if status != 200 || !strings.HasPrefix(ctype, "text/csv") {
		t.Fatalf("%d %s", status, ctype)
	}
	if !bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		t.Errorf("no byte order mark by default")
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil {
		t.Fatalf("CSV does not parse: %v", err)
	}
	if rows[0][0] != web.CSVQueryMarker || rows[0][1] != `q="县"` {
		t.Errorf("first row %q", rows[0])
	}
	rows = rows[1:]
	if !slices.Equal(rows[0], web.CSVColumns) {
		t.Errorf("header %v", rows[0])
	}
	res, err := fx.Searcher.Search(context.Background(), search.Request{Query: `"县"`})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows)-1 != int(res.Total) || res.Total < 50 {
		t.Errorf("%d rows, total %d", len(rows)-1, res.Total)
	}
	byID := map[string]corpus.Article{}
	for _, a := range fx.Articles {
		byID[a.ID] = a
	}
	for _, row := range rows[1:] {
		a, ok := byID[row[0]]
		if !ok {
			t.Fatalf("row for unknown id %s", row[0])
		}
		if row[8] != a.Title || row[11] != a.Body || row[10] != strings.Join(a.Authors, ";") || row[5] != a.Date {
			t.Errorf("row %s differs from the record", row[0])
		}
	}
	_, _, body = get(t, ts, "/api/v1/search.csv?q=script")
	if !strings.Contains(string(body), `<script>alert(""hi"")</script>`) {
		t.Errorf("the article text is not in the CSV as written: %s", body)
	}
	_, _, body = get(t, ts, "/api/v1/search.csv?q="+q+"&limit=7&bom=0")
	if bytes.HasPrefix(body, []byte("\xef\xbb\xbf")) {
		t.Errorf("bom=0: a byte order mark")
	}
	rows, err = csv.NewReader(bytes.NewReader(body)).ReadAll()
	// The query, the header, 7 articles, and the row saying the limit cut the download.
	if err != nil || len(rows) != 10 || rows[9][0] != web.CSVCutMarker || rows[9][1] != "limit_reached" {
		t.Errorf("limit=7: %d rows (%v)", len(rows), err)
	}
}

func TestJSONLExport(t *testing.T) {
	ts, fx := server(t)
	status, _, body := get(t, ts, "/api/v1/search.jsonl?county="+url.QueryEscape("伊通"))
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	want := 0
	for _, a := range fx.Articles {
		if slices.Contains(a.Counties, "伊通满族自治县") {
			want++
		}
	}
	lines := strings.Split(strings.TrimSuffix(string(body), "\n"), "\n")
	if len(lines) != want || want == 0 {
		t.Errorf("%d lines, want %d", len(lines), want)
	}
	for _, l := range lines {
		var a corpus.Article
		if err := json.Unmarshal([]byte(l), &a); err != nil || a.ID == "" || a.Body == "" {
			t.Errorf("line %q: %v", l, err)
		}
	}
}

func TestAtomFeed(t *testing.T) {
	ts, _ := server(t)
	status, ctype, body := get(t, ts, "/api/v1/search.atom?q="+url.QueryEscape("经济"))
	if status != 200 || !strings.HasPrefix(ctype, "application/atom+xml") {
		t.Fatalf("%d %s", status, ctype)
	}
	var feed struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		Title   string   `xml:"title"`
		ID      string   `xml:"id"`
		Updated string   `xml:"updated"`
		Entries []struct {
			Title   string `xml:"title"`
			ID      string `xml:"id"`
			Updated string `xml:"updated"`
			Link    struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
			Content string `xml:"content"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(body, &feed); err != nil {
		t.Fatalf("feed does not parse: %v", err)
	}
	if feed.Title != "newsarchive: 经济" || feed.ID == "" || len(feed.Entries) != web.FeedSize {
		t.Errorf("feed %q id %q with %d entries", feed.Title, feed.ID, len(feed.Entries))
	}
	for i, e := range feed.Entries {
		if e.Title == "" || e.Content == "" || !strings.HasPrefix(e.Link.Href, "/articles/") {
			t.Errorf("entry %d: %+v", i, e)
		}
		if i > 0 && e.Updated > feed.Entries[i-1].Updated {
			t.Errorf("entries are not newest first")
		}
	}
	if feed.Updated != feed.Entries[0].Updated {
		t.Errorf("feed updated %s, newest entry %s", feed.Updated, feed.Entries[0].Updated)
	}
}

func TestFacetsEndpoint(t *testing.T) {
	ts, fx := server(t)
	_, _, body := get(t, ts, "/api/v1/facets")
	var o search.Overview
	if err := json.Unmarshal(body, &o); err != nil {
		t.Fatal(err)
	}
	if int(o.Articles) != len(fx.Articles) || len(o.Topics) == 0 || len(o.Papers) == 0 || o.FirstDate == "" {
		t.Errorf("facets: %+v", o)
	}
	papers := map[string]int{}
	for _, a := range fx.Articles {
		if a.Paper != "" {
			papers[a.Paper]++
		}
	}
	for _, p := range o.Papers {
		if papers[p.Value] != p.Count {
			t.Errorf("paper %s: %d, want %d", p.Value, p.Count, papers[p.Value])
		}
	}
}

func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	ts, fx := server(t)
	_, _, body := get(t, ts, "/api/v1/openapi.json")
	var spec struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(body, &spec); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(spec.OpenAPI, "3.") {
		t.Errorf("openapi %q", spec.OpenAPI)
	}
	routed := map[string]bool{}
	param := regexp.MustCompile(`:([a-z]+)`)
	for _, r := range web.New(serving.Fixed(fx.Engine, fx.Tagger), web.Options{}).Routes() {
		if !strings.HasPrefix(r.Path, "/api/") {
			continue
		}
		p := param.ReplaceAllString(r.Path, "{$1}")
		routed[r.Method+" "+p] = true
		op, ok := spec.Paths[p][strings.ToLower(r.Method)]
		if !ok {
			t.Errorf("route %s %s is not in openapi.json", r.Method, p)
			continue
		}
		if _, ok := op["responses"].(map[string]any)["200"]; !ok {
			t.Errorf("%s %s: no 200 response described", r.Method, p)
		}
	}
	for p, ops := range spec.Paths {
		for m := range ops {
			if !routed[strings.ToUpper(m)+" "+p] {
				t.Errorf("openapi.json describes %s %s, which is not routed", m, p)
			}
		}
	}
}

// TestAPIFacetsAgainstScan checks facet counts over HTTP against a scan of
// the records: ticking a county leaves the county facet's counts as they
// were without it (disjunctive) and narrows every other facet.
func TestAPIFacetsAgainstScan(t *testing.T) {
	ts, fx := server(t)
	facets := func(query string) search.Facets {
		t.Helper()
		_, _, body := get(t, ts, "/api/v1/search?"+query)
		var res search.Response
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return res.Facets
	}
	count := func(values []search.FacetValue, v string) int {
		for _, fv := range values {
			if fv.Value == v {
				return fv.Count
			}
		}
		return 0
	}
	q := "q=" + url.QueryEscape(`"县"`)
	open := facets(q)
	ticked := facets(q + "&county=" + url.QueryEscape("伊通"))
	for _, c := range open.County {
		if got := count(ticked.County, c.Value); got != c.Count {
			t.Errorf("county %s: %d with 伊通 ticked, %d without", c.Value, got, c.Count)
		}
	}
	want := map[string]int{}
	for _, a := range fx.Articles {
		if !slices.Contains(a.Counties, "伊通满族自治县") {
			continue
		}
		if !strings.Contains(a.Kicker+"\n"+a.Title+"\n"+a.Subtitle+"\n"+a.Body, "县") && !strings.Contains(a.Kicker+a.Title+a.Subtitle+a.Body, "縣") {
			continue
		}
		for _, tp := range a.Topics {
			want[tp]++
		}
	}
	if len(want) == 0 {
		t.Fatal("no 伊通 article with 县: the test tests nothing")
	}
	for tp, n := range want {
		if got := count(ticked.Topic, tp); got != n {
			t.Errorf("topic %s under 伊通: %d, scan %d", tp, got, n)
		}
	}
	if len(ticked.Topic) != len(want) {
		t.Errorf("topic facet under 伊通 has %d values, scan %d", len(ticked.Topic), len(want))
	}
}
