package web_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"newsarchive/index"
	"newsarchive/search/searchtest"
	"newsarchive/serving"
	"newsarchive/web"
)

// With no generation served (the source closed), requests get 503 with
// Retry-After: JSON on the API, a page in Chinese on the UI; never a crash.
func TestNoGenerationIs503(t *testing.T) {
	fx := searchtest.Get(t)
	idx, err := index.Open(fx.Dir)
	if err != nil {
		t.Fatal(err)
	}
	src := serving.Fixed(idx, fx.Tagger)
	ts := httptest.NewServer(web.New(src, web.Options{Logger: slog.New(slog.DiscardHandler), Limits: web.Limits{RatePerSecond: -1}}).Handler())
	defer ts.Close()
	if status, _, _ := get(t, ts, "/api/v1/search?q=%E7%BB%8F%E6%B5%8E"); status != 200 {
		t.Fatalf("before close: %d", status)
	}
	src.Close()
	for _, path := range []string{"/api/v1/search?q=%E7%BB%8F%E6%B5%8E", "/api/v1/search.csv?q=x", "/search?q=%E7%BB%8F%E6%B5%8E", "/readyz"} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		buf := make([]byte, 4096)
		n, _ := resp.Body.Read(buf)
		b.Write(buf[:n])
		resp.Body.Close()
		if resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s: %d, want 503", path, resp.StatusCode)
		}
		switch {
		case strings.HasPrefix(path, "/api/"):
			if resp.Header.Get("Retry-After") == "" || !strings.Contains(b.String(), `"unavailable"`) {
				t.Errorf("%s: Retry-After %q, body %s", path, resp.Header.Get("Retry-After"), b.String())
			}
		case strings.HasPrefix(path, "/search"):
			if resp.Header.Get("Retry-After") == "" || !strings.Contains(b.String(), "索引暂时不可用") {
				t.Errorf("%s: Retry-After %q, body %.200s", path, resp.Header.Get("Retry-After"), b.String())
			}
		}
	}
}
