package web_test

import (
	"encoding/csv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"newsarchive/corpus"
	"newsarchive/search"
	"newsarchive/search/searchtest"
	"newsarchive/serving"
	"newsarchive/web"
)

// Absolute links (permalink, citation, Atom) come from the configured base
// URL; a client's Host header never reaches them.
func TestBaseURLNotHostHeader(t *testing.T) {
	fx := searchtest.Get(t)
	res, err := fx.Searcher.Search(t.Context(), search.Request{Query: "经济", Size: 1})
	if err != nil || len(res.Hits) == 0 {
		t.Fatalf("no article to link to: %v", err)
	}
	id := res.Hits[0].ID
	fetch := func(ts *httptest.Server, path string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		req.Host = "evil.example"
		req.Header.Set("X-Forwarded-Proto", "https")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	for _, base := range []string{"https://archive.example.org/na", ""} {
		srv := web.New(serving.Fixed(fx.Engine, fx.Tagger), web.Options{Logger: slog.New(slog.DiscardHandler), Limits: web.Limits{RatePerSecond: -1}, BaseURL: base})
		ts := httptest.NewServer(srv.Handler())
		page := fetch(ts, "/articles/"+id)
		feed := fetch(ts, "/api/v1/search.atom?q="+url.QueryEscape("经济"))
		csvBody := fetch(ts, "/api/v1/search.csv?limit=1&q="+url.QueryEscape(res.Hits[0].Title))
		ts.Close()
		rows, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll()
		if err == nil && len(rows) > 0 { // the #query row: its results page is under the base URL too
			if got := rows[0][6]; got != "url="+base+"/search?q="+url.QueryEscape(res.Hits[0].Title) {
				t.Errorf("base %q: the #query row's url %q", base, got)
			}
			rows = rows[1:]
		}
		if err != nil || len(rows) < 2 || rows[0][len(rows[0])-1] != "url" {
			t.Fatalf("CSV: %v %q", err, rows)
		}
		if got := rows[1][len(rows[1])-1]; got != base+"/articles/"+rows[1][0] {
			t.Errorf("base %q: CSV url %q", base, got)
		}
		for name, body := range map[string]string{"article page": page, "Atom feed": feed, "CSV": csvBody} {
			if strings.Contains(body, "evil.example") {
				t.Errorf("base %q: the %s carries the request's Host header", base, name)
			}
		}
		want := base + "/articles/" + id
		if !strings.Contains(page, want) {
			t.Errorf("base %q: the article page has no permalink %s", base, want)
		}
		if !strings.Contains(feed, `href="`+want+`"`) {
			t.Errorf("base %q: the feed does not link %s", base, want)
		}
		if !strings.Contains(feed, "<id>urn:newsarchive:article:"+id+"</id>") {
			t.Errorf("base %q: the feed's entry id is not the stable urn", base)
		}
	}
	for _, bad := range []string{"ftp://x", "archive.example.org", "http://x/?q=1", "http://user@x"} {
		if _, err := web.CheckBaseURL(bad); err == nil {
			t.Errorf("CheckBaseURL(%q): no error", bad)
		}
	}
	if got, err := web.CheckBaseURL("https://archive.example.org/na/"); err != nil || got != "https://archive.example.org/na" {
		t.Errorf("CheckBaseURL: %q, %v", got, err)
	}
}

// An article's old path-based id (every id before schema 6) answers with a
// 301 to its id now, on the API and on the article page, keeping the query.
func TestOldIDRedirects(t *testing.T) {
	ts, fx := server(t)
	var a *corpus.Article
	for i := range fx.Articles {
		if fx.Articles[i].Paper != "" && fx.Articles[i].Date != "" && fx.Articles[i].Page != "" {
			a = &fx.Articles[i]
			break
		}
	}
	if a == nil {
		t.Fatal("no article with page metadata in the fixture")
	}
	old := corpus.ArticleID(a.Source, a.Ordinal)
	if old == a.ID {
		t.Fatalf("article %s has its path id", a.ID)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for path, want := range map[string]string{
		"/api/v1/articles/" + old:                          "/api/v1/articles/" + a.ID,
		"/api/v1/articles/" + old + "/similar?size=2":      "/api/v1/articles/" + a.ID + "/similar?size=2",
		"/articles/" + old + "?q=" + url.QueryEscape("经济"): "/articles/" + a.ID + "?q=" + url.QueryEscape("经济"),
	} {
		resp, err := client.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
			t.Errorf("%s: %d Location %q, want 301 to %s", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	// An unknown id is still a 404.
	if status, _, _ := get(t, ts, "/api/v1/articles/0123456789abcdef"); status != http.StatusNotFound {
		t.Errorf("unknown id: %d, want 404", status)
	}
}
