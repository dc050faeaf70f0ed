package web_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"newsarchive/corpus"
	"newsarchive/web"
)

// TestDatesOutsideRange checks, through the real handlers, that a date
// outside the archive's range (corpus.MinDate..MaxDate) in the query
// language or in the from/to filters is a 400 that says so, on the API, the
// downloads (before the first byte), the Atom feed and the results page (in
// Chinese), and that the ends of the range are accepted and find what they
// should.
func TestDatesOutsideRange(t *testing.T) {
	ts, fx := server(t)
	const rng = "is outside the archive's range 1800-01-01..2200-12-31"
	refused := []struct {
		params url.Values
		msg    string // the API's message
		zh     string // the results page's message
	}{
		{url.Values{"q": {"date:0001"}}, "query, at character 1: date 0001 " + rng,
			"检索式第 1 个字符处：日期 0001 超出本档案的日期范围（1800-01-01 至 2200-12-31）"},
		{url.Values{"q": {"date:9999"}}, "query, at character 1: date 9999 " + rng,
			"检索式第 1 个字符处：日期 9999 超出本档案的日期范围（1800-01-01 至 2200-12-31）"},
		{url.Values{"q": {"date:1000..2000"}}, "query, at character 1: date 1000 " + rng,
			"检索式第 1 个字符处：日期 1000 超出本档案的日期范围（1800-01-01 至 2200-12-31）"},
		{url.Values{"q": {"满族 date:2000..9999-12-31"}}, "query, at character 4: date 9999-12-31 " + rng,
			"检索式第 4 个字符处：日期 9999-12-31 超出本档案的日期范围（1800-01-01 至 2200-12-31）"},
		{url.Values{"q": {"date:1799-12"}}, "query, at character 1: date 1799-12 " + rng,
			"检索式第 1 个字符处：日期 1799-12 超出本档案的日期范围（1800-01-01 至 2200-12-31）"},
		{url.Values{"q": {"date:..2201-01-01"}}, "query, at character 1: date 2201-01-01 " + rng,
			"检索式第 1 个字符处：日期 2201-01-01 超出本档案的日期范围（1800-01-01 至 2200-12-31）"},
		{url.Values{"from": {"1677-01-01"}}, "from: date 1677-01-01 " + rng,
			"日期 1677-01-01 超出本档案的日期范围（1800-01-01 至 2200-12-31）"},
		{url.Values{"from": {"1799-12-31"}}, "from: date 1799-12-31 " + rng,
			"日期 1799-12-31 超出本档案的日期范围（1800-01-01 至 2200-12-31）"},
		{url.Values{"to": {"9999-12-31"}}, "to: date 9999-12-31 " + rng,
			"日期 9999-12-31 超出本档案的日期范围（1800-01-01 至 2200-12-31）"},
		{url.Values{"from": {"2022-01-01"}, "to": {"2201-01-01"}}, "to: date 2201-01-01 " + rng,
			"日期 2201-01-01 超出本档案的日期范围（1800-01-01 至 2200-12-31）"},
	}
	for _, tt := range refused {
		for _, endpoint := range []string{"/api/v1/search", "/api/v1/search.csv", "/api/v1/search.jsonl", "/api/v1/search.atom"} {
			path := endpoint + "?" + tt.params.Encode()
			status, ctype, body := get(t, ts, path)
			var e web.ErrorBody
			if err := json.Unmarshal(body, &e); err != nil || !strings.HasPrefix(ctype, "application/json") {
				t.Errorf("%s: %d %s %q is not a JSON error (%v)", path, status, ctype, body, err)
				continue
			}
			if status != 400 || e.Error.Code != "date_out_of_range" || e.Error.Message != tt.msg {
				t.Errorf("%s: %d %+v, want 400 date_out_of_range %q", path, status, e.Error, tt.msg)
			}
		}
		path := "/search?" + tt.params.Encode()
		status, ctype, body := get(t, ts, path)
		if status != 400 || !strings.HasPrefix(ctype, "text/html") {
			t.Errorf("%s: %d %s, want a 400 page", path, status, ctype)
			continue
		}
		boxes := find(parse(t, string(body)), byID("query-error"))
		var msg []string
		for _, b := range boxes {
			for _, p := range find(b, func(n *html.Node) bool { return hasClass(n, "message") }) {
				msg = append(msg, strings.TrimSpace(text(p)))
			}
		}
		if len(msg) != 1 || msg[0] != tt.zh {
			t.Errorf("%s: page says %q, want %q", path, msg, tt.zh)
		}
	}

	// The ends of the range are dates like any other.
	dated := 0
	for _, a := range fx.Articles {
		if a.Date != "" {
			dated++
		}
	}
	if dated == 0 {
		t.Fatal("no dated article in the fixture")
	}
	for _, params := range []url.Values{
		{"q": {"date:1800..2200"}},
		{"q": {"date:1800-01-01..2200-12-31"}},
		{"from": {corpus.MinDate}},
		{"to": {corpus.MaxDate}},
		{"from": {corpus.MinDate}, "to": {corpus.MaxDate}},
	} {
		path := "/api/v1/search?" + params.Encode()
		status, _, body := get(t, ts, path)
		var res struct{ Total int }
		if err := json.Unmarshal(body, &res); err != nil || status != 200 || res.Total != dated {
			t.Errorf("%s: %d, total %d (%v), want 200 and all %d dated articles", path, status, res.Total, err, dated)
		}
	}
	for _, q := range []string{"date:1800", "date:2200-12-31"} {
		path := "/api/v1/search?q=" + url.QueryEscape(q)
		status, _, body := get(t, ts, path)
		if status != 200 || !strings.Contains(string(body), `"total":0`) {
			t.Errorf("%s: %d %.200s, want 200 and no hits", path, status, body)
		}
	}
}
