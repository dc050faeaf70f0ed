package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"newsarchive/web"
)

func corsRequest(t *testing.T, method, url, origin string, header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// TestCORS: off by default; with origins configured, the API (and only
// the API) lets those origins' pages read its answers and its headers.
func TestCORS(t *testing.T) {
	off := serverWith(t, web.Options{Limits: web.Limits{RatePerSecond: -1}})
	if r := corsRequest(t, "GET", off.URL+"/api/v1/facets", "https://example.org", nil); r.StatusCode != 200 || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("CORS off: %d, Allow-Origin %q", r.StatusCode, r.Header.Get("Access-Control-Allow-Origin"))
	}

	on := serverWith(t, web.Options{Limits: web.Limits{RatePerSecond: 5, RateBurst: 100}, CORSOrigins: []string{"https://example.org"}})
	r := corsRequest(t, "GET", on.URL+"/api/v1/search?q=经济", "https://example.org", nil)
	exposed := r.Header.Get("Access-Control-Expose-Headers")
	if r.StatusCode != 200 || r.Header.Get("Access-Control-Allow-Origin") != "https://example.org" ||
		!strings.Contains(strings.ToLower(exposed), "ratelimit-remaining") || r.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("allowed origin: %d, Allow-Origin %q, Expose %q, Credentials %q", r.StatusCode, r.Header.Get("Access-Control-Allow-Origin"), exposed, r.Header.Get("Access-Control-Allow-Credentials"))
	}
	// A preflight: answered by the middleware, GET and HEAD only.
	p := corsRequest(t, "OPTIONS", on.URL+"/api/v1/search", "https://example.org", map[string]string{"Access-Control-Request-Method": "GET"})
	if p.StatusCode/100 != 2 || !strings.Contains(p.Header.Get("Access-Control-Allow-Methods"), "GET") || strings.Contains(p.Header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Errorf("preflight: %d, Allow-Methods %q", p.StatusCode, p.Header.Get("Access-Control-Allow-Methods"))
	}
	// Another origin gets no permission.
	if r := corsRequest(t, "GET", on.URL+"/api/v1/facets", "https://evil.example", nil); r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin: Allow-Origin %q", r.Header.Get("Access-Control-Allow-Origin"))
	}
	// The UI is not shared.
	if r := corsRequest(t, "GET", on.URL+"/", "https://example.org", nil); r.StatusCode != 200 || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("UI page: %d, Allow-Origin %q", r.StatusCode, r.Header.Get("Access-Control-Allow-Origin"))
	}

	if err := web.CheckCORSOrigins([]string{"*", "https://a.example", "http://localhost:3000"}); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"example.org", "https://a.example/path", "ftp://x", "https://"} {
		if err := web.CheckCORSOrigins([]string{bad}); err == nil {
			t.Errorf("CheckCORSOrigins(%q) accepted", bad)
		}
	}
}
