package web_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"newsarchive/search/searchtest"
	"newsarchive/serving"
	"newsarchive/web"
)

func serverWith(t *testing.T, opts web.Options) *httptest.Server {
	t.Helper()
	fx := searchtest.Get(t)
	opts.Logger = slog.New(slog.DiscardHandler)
	ts := httptest.NewServer(web.New(serving.Fixed(fx.Engine, fx.Tagger), opts).Handler())
	t.Cleanup(ts.Close)
	return ts
}

// rawGet sends a request line as given, bypassing Go's URL checks, and
// returns the status and body.
func rawGet(t *testing.T, ts *httptest.Server, target string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, "GET "+target+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(conn)
	resp := string(b)
	var status int
	if len(resp) > 12 {
		status = int(resp[9]-'0')*100 + int(resp[10]-'0')*10 + int(resp[11]-'0')
	}
	_, body, _ := strings.Cut(resp, "\r\n\r\n")
	return status, body
}

func TestHostileRequests(t *testing.T) {
	ts := serverWith(t, web.Options{Limits: web.Limits{RatePerSecond: -1}})
	long := strings.Repeat("满", 501)
	tests := []struct {
		target string
		status int
		msg    string
	}{
		{"/api/v1/search?q=" + url.QueryEscape(long), 400, "q is 501 characters long; the limit is 500"},
		{"/api/v1/search?q=" + strings.Repeat("a", 9000), 414, "longer than 8192 bytes"},
		{"/api/v1/search?q=%ff%fe", 400, `parameter "q" is not valid UTF-8`},
		{"/api/v1/search?q=%zz", 400, "query is malformed"},
		{"/api/v1/search?cuonty=伊通", 400, `unknown parameter "cuonty"`},
		{"/api/v1/facets?x=1", 400, `unknown parameter "x" (this endpoint takes no parameters)`},
		{"/api/v1/search?size=1000000000000000000000", 400, "is not a whole number"},
		{"/api/v1/search?page=99999999", 400, "past the first 10000 hits"},
		{"/api/v1/search?size=-5", 400, "out of range"},
		{"/api/v1/articles/..%2F..%2Fetc%2Fpasswd", 404, ""},
		{"/api/v1/../../etc/passwd", 404, ""},
		{"/static/../../../etc/passwd", 404, ""},
		{"/api/v1/search?q=" + url.QueryEscape(strings.Repeat("(", 300)), 400, "not closed"},
		{"/api/v1/search?q=" + url.QueryEscape(strings.Repeat("a OR ", 90)+"a"), 200, ""},
	}
	for _, tt := range tests {
		start := time.Now()
		status, body := rawGet(t, ts, tt.target)
		var e web.ErrorBody
		if json.Unmarshal([]byte(body), &e) == nil && e.Error.Message != "" {
			body = e.Error.Message
		}
		t.Logf("%.40s: %s", tt.target, time.Since(start))
		if status != tt.status || !strings.Contains(body, tt.msg) {
			t.Errorf("%.80s: %d %.200q, want %d %q", tt.target, status, body, tt.status, tt.msg)
		}
		if strings.Contains(body, "root:") {
			t.Errorf("%s: a file of the system came back", tt.target)
		}
	}
	resp, err := http.Post(ts.URL+"/api/v1/search", "application/json", strings.NewReader(strings.Repeat("x", 100<<10)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("100 KB body: %d, want 413", resp.StatusCode)
	}
	// Still healthy, still answering.
	status, body := rawGet(t, ts, "/api/v1/search?q=%E6%BB%A1%E6%97%8F")
	if status != 200 || !strings.Contains(body, `"total":`) {
		t.Errorf("after the hostile requests: %d %.200s", status, body)
	}
}

func TestRateLimit(t *testing.T) {
	ts := serverWith(t, web.Options{Limits: web.Limits{RatePerSecond: 1, RateBurst: 3}})
	var statuses []int
	var retry string
	for range 5 {
		resp, err := http.Get(ts.URL + "/api/v1/facets")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
		if resp.StatusCode == http.StatusTooManyRequests {
			retry = resp.Header.Get("Retry-After")
		}
	}
	if statuses[0] != 200 || statuses[2] != 200 || statuses[4] != 429 || retry != "1" {
		t.Errorf("statuses %v, Retry-After %q; want 3×200 then 429 with Retry-After 1", statuses, retry)
	}
	// The health checks are not rate limited.
	resp, err := http.Get(ts.URL + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("healthz while rate limited: %v %v", resp.StatusCode, err)
	}
}

func TestRequestTimeoutStopsTheSearch(t *testing.T) {
	ts := serverWith(t, web.Options{Limits: web.Limits{RatePerSecond: -1, RequestTimeout: time.Nanosecond}})
	resp, err := http.Get(ts.URL + "/api/v1/search?q=" + url.QueryEscape("经济"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e web.ErrorBody
	json.NewDecoder(resp.Body).Decode(&e)
	if resp.StatusCode != http.StatusServiceUnavailable || e.Error.Code != "timeout" {
		t.Errorf("%d %+v, want 503 timeout", resp.StatusCode, e)
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	ts := serverWith(t, web.Options{Limits: web.Limits{RatePerSecond: -1}})
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ok: "} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(string(b), want) {
			t.Errorf("%s: %d %q", path, resp.StatusCode, b)
		}
	}
	for _, p := range []string{"/api/v1/search?q=x", "/api/v1/search?q=%22"} {
		resp, err := http.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	// A request is counted after its response is sent: poll a little.
	var m string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(ts.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m = string(b)
		if strings.Contains(m, `status="400"} 1`) && strings.Contains(m, `status="200"} 1`) {
			break
		}
	}
	fx := searchtest.Get(t)
	for _, want := range []string{
		`newsarchive_http_requests_total{method="GET",route="/api/v1/search",status="200"} 1`,
		`newsarchive_http_requests_total{method="GET",route="/api/v1/search",status="400"} 1`,
		`newsarchive_http_request_duration_seconds_bucket{route="/api/v1/search",le="+Inf"} 2`,
		"newsarchive_index_articles " + itoa(len(fx.Articles)),
		"newsarchive_last_reindex_timestamp_seconds 0",
		"go_goroutines",
	} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestSecurityHeaders(t *testing.T) {
	ts := serverWith(t, web.Options{Limits: web.Limits{RatePerSecond: -1}})
	resp, err := http.Get(ts.URL + "/api/v1/facets")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q", csp)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("no nosniff")
	}
}

func TestAdminEndpoints(t *testing.T) {
	off := serverWith(t, web.Options{Limits: web.Limits{RatePerSecond: -1}})
	resp, err := http.Get(off.URL + "/admin/stats")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("admin without a token configured: %d, want 404", resp.StatusCode)
	}
	reloaded := 0
	on := serverWith(t, web.Options{Limits: web.Limits{RatePerSecond: -1}, AdminToken: "s3cret",
		Admin: web.Admin{Reload: func() error { reloaded++; return nil }}})
	do := func(method, path, token string) (int, string) {
		req, _ := http.NewRequest(method, on.URL+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, _ := do("GET", "/admin/stats", ""); status != 401 {
		t.Errorf("no token: %d", status)
	}
	if status, _ := do("GET", "/admin/stats", "s3cret-not"); status != 401 {
		t.Errorf("wrong token: %d", status)
	}
	if status, body := do("GET", "/admin/stats", "s3cret"); status != 200 || !strings.Contains(body, `"articles":`) {
		t.Errorf("stats: %d %s", status, body)
	}
	if status, _ := do("POST", "/admin/reload", "s3cret"); status != 200 || reloaded != 1 {
		t.Errorf("reload: %d, reloaded %d", status, reloaded)
	}
	if status, body := do("POST", "/admin/reindex", "s3cret"); status != 501 || !strings.Contains(body, "no corpus") {
		t.Errorf("reindex without a corpus: %d %s", status, body)
	}
}

// TestRateLimitHeaders: normal answers say how many requests are left,
// so that a script can pace itself before a 429.
func TestRateLimitHeaders(t *testing.T) {
	// A slow refill (one token per 100 s) so that the counts do not move
	// between requests on a loaded machine.
	ts := serverWith(t, web.Options{Limits: web.Limits{RatePerSecond: 0.01, RateBurst: 3}})
	var got [][3]string
	for range 4 {
		resp, err := http.Get(ts.URL + "/api/v1/facets")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		got = append(got, [3]string{resp.Header.Get("RateLimit-Limit"), resp.Header.Get("RateLimit-Remaining"), resp.Header.Get("RateLimit-Reset")})
		if len(got) == 4 && resp.StatusCode != http.StatusTooManyRequests {
			t.Errorf("fourth request: %d, want 429", resp.StatusCode)
		}
	}
	// Remaining 2, 1, 0, then 0 (turned away); Reset: the seconds until
	// the bucket is full again (100 s per token used).
	want := [][3]string{{"3", "2", "100"}, {"3", "1", "200"}, {"3", "0", "300"}, {"3", "0", "300"}}
	for i := range want {
		if got[i][0] != want[i][0] || got[i][1] != want[i][1] {
			t.Errorf("request %d: RateLimit-Limit %q Remaining %q, want %q %q", i+1, got[i][0], got[i][1], want[i][0], want[i][1])
		}
		if r, _ := strconv.Atoi(got[i][2]); r < 99 || r > 301 || (i < 3 && r/100 != i+1 && (r+1)/100 != i+1) {
			t.Errorf("request %d: RateLimit-Reset %q, want about %s", i+1, got[i][2], want[i][2])
		}
	}
}
