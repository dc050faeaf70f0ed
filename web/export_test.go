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
	// 1.1 s in all on this machine), does not fit in 300 ms; the first
	// page does.
	slow := serverWith(t, web.Options{Limits: web.Limits{RatePerSecond: -1, ExportTimeout: 300 * time.Millisecond, ExportPageSize: 1}})
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
