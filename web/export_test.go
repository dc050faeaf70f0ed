package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"newsarchive/search"
	"newsarchive/search/searchtest"
	"newsarchive/web"
)

// download fetches a download and returns its body and its
// X-Export-Status trailer.
func download(t *testing.T, base, path string) (int, []byte, string) {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if _, declared := resp.Trailer[http.CanonicalHeaderKey(web.ExportStatusTrailer)]; resp.StatusCode == 200 && !declared {
		t.Errorf("%s: the trailer %s is not declared", path, web.ExportStatusTrailer)
	}
	return resp.StatusCode, b, resp.Trailer.Get(web.ExportStatusTrailer)
}

func jsonLines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

func TestExportSaysWhetherItIsComplete(t *testing.T) {
	ts, fx := server(t)
	q := url.QueryEscape(`"县"`)
	res, err := fx.Searcher.Search(context.Background(), search.Request{Query: `"县"`})
	if err != nil || res.Total < 10 {
		t.Fatalf("total %d: %v", res.Total, err)
	}
	total := int(res.Total)

	// Complete: every article, nothing after the last, the trailer says so.
	for _, limit := range []string{"", "&limit=" + strconv.Itoa(total)} {
		status, body, trailer := download(t, ts.URL, "/api/v1/search.jsonl?q="+q+limit)
		lines := jsonLines(t, body)
		if status != 200 || len(lines) != total || trailer != web.ExportComplete {
			t.Errorf("jsonl%s: %d, %d lines of %d, trailer %q", limit, status, len(lines), total, trailer)
		}
		if _, isErr := lines[len(lines)-1]["error"]; isErr {
			t.Errorf("jsonl%s: a complete download ends with an error line", limit)
		}
		status, body, trailer = download(t, ts.URL, "/api/v1/search.csv?q="+q+limit)
		rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if status != 200 || err != nil || len(rows) != total+2 || trailer != web.ExportComplete || rows[len(rows)-1][0] == web.CSVCutMarker {
			t.Errorf("csv%s: %d, %d rows (%v), trailer %q", limit, status, len(rows), err, trailer)
		}
	}

	// Cut by its limit while more match.
	limit := "&limit=" + strconv.Itoa(total-1)
	status, body, trailer := download(t, ts.URL, "/api/v1/search.jsonl?q="+q+limit)
	lines := jsonLines(t, body)
	if status != 200 || len(lines) != total || trailer != web.ExportCut {
		t.Fatalf("jsonl cut: %d, %d lines, trailer %q", status, len(lines), trailer)
	}
	var end web.ErrorBody
	b, _ := json.Marshal(lines[len(lines)-1])
	json.Unmarshal(b, &end)
	if end.Error.Code != "limit_reached" || !strings.Contains(end.Error.Message, strconv.Itoa(total-1)+" articles, its limit") {
		t.Errorf("jsonl cut: last line %s", b)
	}
	if _, ok := lines[len(lines)-2]["id"]; !ok {
		t.Errorf("jsonl cut: the line before the end is not a record")
	}
	status, body, trailer = download(t, ts.URL, "/api/v1/search.csv?q="+q+limit)
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll() // strict: every row has the header's cells
	if status != 200 || err != nil || len(rows) != total+2 || trailer != web.ExportCut {
		t.Fatalf("csv cut: %d, %d rows (%v), trailer %q", status, len(rows), err, trailer)
	}
	last := rows[len(rows)-1]
	if last[0] != web.CSVCutMarker || last[1] != "limit_reached" || !strings.Contains(last[2], "its limit") || strings.Join(last[3:], "") != "" {
		t.Errorf("csv cut: last row %q", last)
	}

	// Out of time before the first page: a 503 like a search's.
	gone := serverWith(t, web.Options{Limits: web.Limits{RatePerSecond: -1, ExportTimeout: time.Nanosecond}})
	status, body, _ = download(t, gone.URL, "/api/v1/search.jsonl?q="+q)
	if status != http.StatusServiceUnavailable || !strings.Contains(string(body), `"code":"timeout"`) {
		t.Errorf("timed out before the first page: %d %s", status, body)
	}

	// Cut by the export timeout, after the headers: every article with 的,
	// read one at a time (one engine request each, about 1,400 of them,
	// 1.1 s in all on this machine), does not fit in 200 ms; the first
	// page does.
	slow := serverWith(t, web.Options{Limits: web.Limits{RatePerSecond: -1, ExportTimeout: 200 * time.Millisecond, ExportPageSize: 1}})
	status, body, trailer = download(t, slow.URL, "/api/v1/search.jsonl?q=%E7%9A%84")
	lines = jsonLines(t, body)
	b, _ = json.Marshal(lines[len(lines)-1])
	end = web.ErrorBody{}
	json.Unmarshal(b, &end)
	if status != 200 || trailer != web.ExportCut || end.Error.Code != "timeout" || !strings.Contains(end.Error.Message, "longer than the server allows") {
		t.Errorf("timed out: %d, trailer %q, %d lines, last line %s", status, trailer, len(lines), b)
	}
	status, body, trailer = download(t, slow.URL, "/api/v1/search.csv?q=%E7%9A%84")
	rows, err = csv.NewReader(bytes.NewReader(body)).ReadAll()
	if status != 200 || err != nil || trailer != web.ExportCut || rows[len(rows)-1][0] != web.CSVCutMarker || rows[len(rows)-1][1] != "timeout" {
		t.Errorf("csv timed out: %d, trailer %q, %d rows, last %q (%v)", status, trailer, len(rows), rows[len(rows)-1], err)
	}

	// HEAD: the headers of the download, no body, no search.
	resp, err := http.Head(ts.URL + "/api/v1/search.csv?q=" + q)
	if err != nil {
		t.Fatal(err)
	}
	hb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(hb) != 0 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		resp.Header.Get(web.TotalCountHeader) != strconv.Itoa(total) ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "filename*=UTF-8''newsarchive-%E5%8E%BF-") {
		t.Errorf("HEAD: %d %v, %d bytes", resp.StatusCode, resp.Header, len(hb))
	}
}

func TestCSVCellNeutralisesFormulas(t *testing.T) {
	for in, want := range map[string]string{
		"=1+2":                         "'=1+2",
		"+86 434 1234":                 "'+86 434 1234",
		"-3 度":                         "'-3 度",
		"@SUM(A1)":                     "'@SUM(A1)",
		"\t=cmd":                       "'\t=cmd",
		"\r=cmd":                       "'\r=cmd",
		"":                             "",
		"伊通 =1":                        "伊通 =1",
		"'quoted":                      "'quoted",
		"１=全角":                         "１=全角",
		`<script>alert("hi")</script>`: `<script>alert("hi")</script>`,
	} {
		if got := web.CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCSVExportNeutralisesFormulas indexes bulletins whose headings and
// text start like spreadsheet formulas and downloads them: the CSV cells
// start with ', the JSONL records are as written.
func TestCSVExportNeutralisesFormulas(t *testing.T) {
	fx := searchtest.Get(t)
	dir := t.TempDir()
	corpusDir := filepath.Join(dir, "corpus")
	os.Mkdir(corpusDir, 0o755)
	page := "---\npaper: 测试日报\ndate: 2024-01-02\npage: 1\n---\n\n" +
		"## @伊通县委\n### =HYPERLINK(\"http://example.invalid/\",\"点此领奖\")\n本报记者 张三\n\n-3度的寒潮明日抵达伊通满族自治县。\n\n" +
		"### +86热线开通\n\n@所有人 热线电话已经开通。\n"
	if err := os.WriteFile(filepath.Join(corpusDir, "2024-01-02.txt"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	ts := serveCorpus(t, corpusDir, filepath.Join(dir, "index"), fx.Tagger)

	_, body, trailer := download(t, ts.URL, "/api/v1/search.csv?sort=-date")
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 4 || trailer != web.ExportComplete {
		t.Fatalf("%d rows (%v), trailer %q: %s", len(rows), err, trailer, body)
	}
	byTitle := map[string][]string{}
	for _, r := range rows[2:] {
		byTitle[r[8]] = r
	}
	first, ok := byTitle[`'=HYPERLINK("http://example.invalid/","点此领奖")`]
	if !ok {
		t.Fatalf("no neutralised =HYPERLINK title in %q", rows)
	}
	if first[7] != "'@伊通县委" || first[11] != "'-3度的寒潮明日抵达伊通满族自治县。" || first[10] != "张三" {
		t.Errorf("first article: kicker %q, body %q, authors %q", first[7], first[11], first[10])
	}
	second, ok := byTitle["'+86热线开通"]
	if !ok || !strings.HasPrefix(second[11], "'@所有人") {
		t.Errorf("second article: %q", second)
	}
	// The JSONL download keeps the text as written.
	_, body, _ = download(t, ts.URL, "/api/v1/search.jsonl")
	if !strings.Contains(string(body), `"title":"=HYPERLINK(\"http://example.invalid/\",\"点此领奖\")"`) || !strings.Contains(string(body), `"body":"-3度`) {
		t.Errorf("jsonl: %s", body)
	}
}

// jsonlIDs are the ids of a JSONL download, in order.
func jsonlIDs(t *testing.T, body []byte) []string {
	t.Helper()
	var ids []string
	for _, l := range jsonLines(t, body) {
		id, _ := l["id"].(string)
		ids = append(ids, id)
	}
	return ids
}

// TestExportStreamsEveryHit downloads searches read 7 articles at a time
// (a page per engine request, each after the last one's cursor: about 200
// pages for the whole fixture): each download has exactly its total of
// articles (X-Total-Count), every one once, in the order of a single pass
// of the engine (Searcher.Each), for each order, with and without a
// query and filters. There is no cap: the old one (10,000) cut the
// 13,992 articles of the xwlb corpus.
func TestExportStreamsEveryHit(t *testing.T) {
	fx := searchtest.Get(t)
	ts := serverWith(t, web.Options{Limits: web.Limits{RatePerSecond: -1, ExportPageSize: 7}})
	ctx := context.Background()
	for _, r := range []search.Request{
		{},                        // every article, newest first
		{Sort: search.SortOldest}, // oldest first
		{Query: "的"},              // by relevance: a score on every page
		{Query: `"县"`, Sort: search.SortNewest},
		{Query: "的 OR 县", Counties: []string{"伊通"}, Sort: search.SortRelevance},
		{Topics: []string{"党建"}, From: "2020-01-01"},
	} {
		var want []string
		if err := fx.Searcher.Each(ctx, r, 1<<30, func(h search.Hit) error { want = append(want, h.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		res, err := fx.Searcher.Search(ctx, r)
		if err != nil || int(res.Total) != len(want) || len(want) == 0 {
			t.Fatalf("%+v: total %d, %d hits: %v", r, res.Total, len(want), err)
		}
		v := url.Values{}
		if r.Query != "" {
			v.Set("q", r.Query)
		}
		if r.Sort != "" {
			v.Set("sort", r.Sort)
		}
		for _, c := range r.Counties {
			v.Add("county", c)
		}
		for _, c := range r.Topics {
			v.Add("topic", c)
		}
		if r.From != "" {
			v.Set("from", r.From)
		}
		resp, body := fetchAll(t, ts.URL, "/api/v1/search.jsonl?"+v.Encode())
		got := jsonlIDs(t, body)
		if resp.StatusCode != 200 || resp.Header.Get(web.TotalCountHeader) != strconv.Itoa(len(want)) || resp.Trailer.Get(web.ExportStatusTrailer) != web.ExportComplete {
			t.Errorf("%s: %d, X-Total-Count %s of %d, trailer %q", v.Encode(), resp.StatusCode, resp.Header.Get(web.TotalCountHeader), len(want), resp.Trailer.Get(web.ExportStatusTrailer))
		}
		if !slices.Equal(got, want) {
			seen := map[string]int{}
			for _, id := range got {
				seen[id]++
			}
			dup := 0
			for _, n := range seen {
				dup += n - 1
			}
			t.Errorf("%s: %d articles (%d repeated), want the %d of one pass in its order", v.Encode(), len(got), dup, len(want))
		}
		resp, body = fetchAll(t, ts.URL, "/api/v1/search.csv?"+v.Encode())
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))).ReadAll()
		if err != nil || len(rows) != len(want)+2 || resp.Trailer.Get(web.ExportStatusTrailer) != web.ExportComplete {
			t.Errorf("%s: CSV of %d rows (%v), want %d + the query row and the header", v.Encode(), len(rows), err, len(want))
			continue
		}
		for i, row := range rows[2:] {
			if row[0] != want[i] {
				t.Errorf("%s: CSV row %d is %s, want %s", v.Encode(), i, row[0], want[i])
				break
			}
		}
	}
	// The whole fixture, no query: every record.
	resp, body := fetchAll(t, ts.URL, "/api/v1/search.jsonl")
	if got := jsonlIDs(t, body); len(got) != len(fx.Articles) || resp.Header.Get(web.TotalCountHeader) != strconv.Itoa(len(fx.Articles)) {
		t.Errorf("no query: %d articles, X-Total-Count %s, want %d", len(got), resp.Header.Get(web.TotalCountHeader), len(fx.Articles))
	}
}

// TestCSVFirstRowAndBOM: a CSV download starts with a UTF-8 byte order
// mark (Excel then reads it as UTF-8; bom=0 leaves it out), then the
// #query row describing the search (query, filters, order, total, time
// of the export, its results page), then the header.
func TestCSVFirstRowAndBOM(t *testing.T) {
	ts, fx := server(t)
	r := search.Request{Query: "的 OR 县 -黑土地", Counties: []string{"伊通"}, Topics: []string{"教育"}, From: "2020-01-01", Sort: search.SortOldest}
	res, err := fx.Searcher.Search(context.Background(), r)
	if err != nil || res.Total == 0 {
		t.Fatalf("total %d: %v", res.Total, err)
	}
	v := url.Values{"q": {r.Query}, "county": {"伊通"}, "topic": {"教育"}, "from": {r.From}, "sort": {r.Sort}}
	before := time.Now().Truncate(time.Second)
	resp, body := fetchAll(t, ts.URL, "/api/v1/search.csv?"+v.Encode())
	after := time.Now()
	if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte("\xef\xbb\xbf#query,")) {
		t.Fatalf("%d: %.80q, want a BOM then #query", resp.StatusCode, body)
	}
	rows, err := csv.NewReader(bytes.NewReader(body[3:])).ReadAll()
	if err != nil || len(rows) != int(res.Total)+2 {
		t.Fatalf("%d rows (%v), want %d", len(rows), err, res.Total+2)
	}
	q := rows[0]
	if q[0] != web.CSVQueryMarker || q[1] != "q=的 OR 县 -黑土地" || q[2] != "county=伊通; topic=教育; from=2020-01-01" || q[3] != "sort=-date" ||
		q[4] != "total="+strconv.FormatUint(res.Total, 10) || !strings.HasPrefix(q[6], "url=/search?") || strings.Join(q[7:], "") != "" {
		t.Errorf("first row %q", q)
	}
	at, err := time.Parse(time.RFC3339, strings.TrimPrefix(q[5], "exported="))
	if err != nil || at.Before(before) || at.After(after) || !strings.HasSuffix(q[5], "+08:00") {
		t.Errorf("export time %q (%v), want between %s and %s, China Standard Time", q[5], err, before, after)
	}
	page, err := url.Parse(strings.TrimPrefix(q[6], "url="))
	if err != nil || page.Query().Get("q") != r.Query || page.Query().Get("county") != "伊通" || page.Query().Get("sort") != "-date" {
		t.Errorf("results page %q", q[6])
	} else if status, _, _ := fetchPage(t, ts, page.String()); status != 200 {
		t.Errorf("results page %s: %d", page, status)
	}
	if !slices.Equal(rows[1], web.CSVColumns) {
		t.Errorf("header %q", rows[1])
	}
	// No query: the defaults are said.
	_, body = fetchAll(t, ts.URL, "/api/v1/search.csv?limit=1&bom=0")
	rows, err = csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || rows[0][1] != "q=" || rows[0][2] != "" || rows[0][3] != "sort=date" || rows[0][4] != "total="+strconv.Itoa(len(fx.Articles)) {
		t.Errorf("no query: first row %q (%v)", rows[0], err)
	}
	// A query that starts like a formula is neutralised as every cell.
	_, body = fetchAll(t, ts.URL, "/api/v1/search.csv?limit=1&q="+url.QueryEscape("-县 经济"))
	rows, _ = csv.NewReader(bytes.NewReader(body[3:])).ReadAll()
	if len(rows) == 0 || rows[0][1] != "q=-县 经济" {
		t.Errorf("query -县: first row %q", rows)
	}
}

// TestDownloadNames: every download is named after its query, filters
// and day (filename* in UTF-8 for the Chinese, an ASCII filename for old
// clients); the Atom feed is a feed, not a download.
func TestDownloadNames(t *testing.T) {
	ts, _ := server(t)
	day := today().Format("2006-01-02")
	for _, ext := range []string{"csv", "jsonl", "ris", "bib", "csl.json"} {
		for query, want := range map[string]string{
			"q=" + url.QueryEscape("乡村振兴"):                                             "newsarchive-乡村振兴-" + day + "." + ext,
			"q=" + url.QueryEscape(`"黑土地" OR 满族`) + "&county=" + url.QueryEscape("伊通"): "newsarchive-黑土地-OR-满族-伊通-" + day + "." + ext,
			"": "newsarchive-全部-" + day + "." + ext,
			"q=" + url.QueryEscape(`title:"a/b\c"`) + "&from=2020-01-01": "newsarchive-titlea" + "bc-2020-01-01-" + day + "." + ext,
		} {
			resp, err := http.Head(ts.URL + "/api/v1/search." + ext + "?" + query)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			cd := resp.Header.Get("Content-Disposition")
			if name := downloadFileName(t, cd); resp.StatusCode != 200 || name != want {
				t.Errorf("%s?%s: %d, file %q, want %q (%s)", ext, query, resp.StatusCode, name, want, cd)
			}
			if !strings.Contains(cd, `filename="newsarchive-`) || !strings.Contains(cd, day+"."+ext+`"`) {
				t.Errorf("%s?%s: ASCII file name in %q", ext, query, cd)
			}
			if resp.Header.Get(web.TotalCountHeader) == "" {
				t.Errorf("%s?%s: HEAD without %s", ext, query, web.TotalCountHeader)
			}
		}
	}
	// The trends' and the concordance's figures, named after their
	// queries too.
	for path, want := range map[string]string{
		"/api/v1/trends.csv?q=" + url.QueryEscape("经济") + "&q=" + url.QueryEscape("满族"): "newsarchive-经济-满族-" + day + ".trends.csv",
		"/api/v1/concordance.csv?q=" + url.QueryEscape(`"黑土地"`):                         "newsarchive-黑土地-" + day + ".concordance.csv",
	} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if name := downloadFileName(t, resp.Header.Get("Content-Disposition")); resp.StatusCode != 200 || name != want {
			t.Errorf("%s: %d, file %q, want %q", path, resp.StatusCode, name, want)
		}
	}
	resp, err := http.Get(ts.URL + "/api/v1/search.atom?q=" + url.QueryEscape("经济"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if cd := resp.Header.Get("Content-Disposition"); cd != "" {
		t.Errorf("the Atom feed is a download: %q", cd)
	}
}

// collectedHeap is the live Go heap after two collections.
func collectedHeap() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// exportHeapBound bounds how much the live heap may grow while a download
// is in flight, stalled by its client: a page of records (10 here), the
// 64 KiB write buffer, the connection's buffers. Holding a download's
// records would take more than its body's size (2.8 MB for the fixture).
const exportHeapBound = 1 << 20

// TestExportMemoryIsFlat downloads a small result set (100 articles) and
// the whole fixture (about 1,430 articles, 2.8 MB of CSV), each stalled by
// its client after the first bytes, and measures the live heap of the
// server (this process) while the download waits: it grows by less than
// exportHeapBound and by about as much for the large download as for the
// small one (the large holds no more than a page either). Each download,
// resumed, arrives whole.
func TestExportMemoryIsFlat(t *testing.T) {
	ts := slowServer(t, web.Limits{ExportPageSize: 10, DownloadIdleTimeout: time.Minute})
	stalled := func(path, addr string) (growth int64, size int) {
		t.Helper()
		base := collectedHeap()
		d, err := startSlowDownload(t, ts, path, addr)
		if err != nil || d.status != 200 {
			t.Fatalf("%s: %v", path, err)
		}
		time.Sleep(300 * time.Millisecond) // the server fills the buffers and blocks
		growth = collectedHeap() - base
		body, trailer, err := d.finish()
		want := web.ExportComplete
		if strings.Contains(path, "limit=") {
			want = web.ExportCut
		}
		if err != nil || trailer != want {
			t.Fatalf("%s: %d bytes, trailer %q: %v", path, len(body), trailer, err)
		}
		return growth, len(body)
	}
	stalled("/api/v1/search.csv?limit=5", "192.0.2.9") // warm up: the templates, pools, the index's caches
	small, smallSize := stalled("/api/v1/search.csv?q=%E7%9A%84&limit=100", "192.0.2.10")
	large, largeSize := stalled("/api/v1/search.csv", "192.0.2.11")
	jsonl, jsonlSize := stalled("/api/v1/search.jsonl", "192.0.2.12")
	t.Logf("live heap growth while stalled: %d KiB for %d KB (100 articles), %d KiB for %d KB (every article, CSV), %d KiB for %d KB (JSONL)",
		small>>10, smallSize/1000, large>>10, largeSize/1000, jsonl>>10, jsonlSize/1000)
	if largeSize < 2<<20 || largeSize < 10*smallSize {
		t.Fatalf("the large download has %d bytes, the small %d: not large enough to tell", largeSize, smallSize)
	}
	for name, g := range map[string]int64{"small": small, "large": large, "jsonl": jsonl} {
		if g > exportHeapBound {
			t.Errorf("%s download: the live heap grew by %d KiB, over %d KiB", name, g>>10, exportHeapBound>>10)
		}
	}
	if large > small+exportHeapBound/2 {
		t.Errorf("the live heap grew by %d KiB for every article, %d KiB for 100: it grows with the download", large>>10, small>>10)
	}
}
