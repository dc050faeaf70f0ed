package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"newsarchive/search/searchtest"
	"newsarchive/serving"
	"newsarchive/web"
)

// handlerWith is the application's handler, to drive with httptest
// requests whose RemoteAddr the test sets.
func handlerWith(t *testing.T, opts web.Options) http.Handler {
	t.Helper()
	fx := searchtest.Get(t)
	opts.Logger = slog.New(slog.DiscardHandler)
	return web.New(serving.Fixed(fx.Engine, fx.Tagger), opts).Handler()
}

// hit sends GET path from peer (host:port) with an X-Forwarded-For
// header (none when forwarded is empty) and returns the status.
func hit(h http.Handler, path, peer, forwarded string) int {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = peer
	if forwarded != "" {
		req.Header.Set("X-Forwarded-For", forwarded)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// slowRate is a rate limit that does not refill during a test: each
// client address has a burst of two requests.
var slowRate = web.Limits{RatePerSecond: 0.001, RateBurst: 2}

func TestForgedForwardedForIsIgnored(t *testing.T) {
	h := handlerWith(t, web.Options{Limits: slowRate})
	const path = "/api/v1/openapi.json"
	// A client forging a new address in every request: one bucket, its
	// connection's.
	var got []int
	for i := range 3 {
		got = append(got, hit(h, path, "203.0.113.5:40000", fmt.Sprintf("198.51.100.%d", i)))
	}
	if fmt.Sprint(got) != "[200 200 429]" {
		t.Errorf("forged X-Forwarded-For from an untrusted peer: %v, want [200 200 429] (the peer's bucket)", got)
	}
	// The forged addresses were not charged: they still have their burst
	// (seen from a peer that forwards nothing).
	if s := hit(h, path, "198.51.100.0:1", ""); s != 200 {
		t.Errorf("the forged address was charged: %d", s)
	}
	// Behind-proxy off: even the loopback proxy is not believed.
	for range 2 {
		hit(h, path, "127.0.0.1:50000", "198.51.100.77")
	}
	if s := hit(h, path, "127.0.0.1:50001", "198.51.100.78"); s != 429 {
		t.Errorf("without --behind-proxy, a loopback peer's header counted: %d, want 429", s)
	}
}

func TestForwardedForFromTrustedProxy(t *testing.T) {
	limits := slowRate
	limits.TrustProxyHeads = true // trusted: loopback, the default
	h := handlerWith(t, web.Options{Limits: limits})
	const path = "/api/v1/openapi.json"
	const proxy = "127.0.0.1:40000"
	// Through the proxy, each client has its own bucket.
	for i := range 5 {
		if s := hit(h, path, proxy, fmt.Sprintf("198.51.100.%d", i)); s != 200 {
			t.Errorf("client %d through the proxy: %d, want 200", i, s)
		}
	}
	if s := hit(h, path, proxy, "198.51.100.0"); s != 200 {
		t.Errorf("client 0's second request: %d", s)
	}
	if s := hit(h, path, proxy, "198.51.100.0"); s != 429 {
		t.Errorf("client 0's third request: %d, want 429 (its own bucket is empty)", s)
	}
	// A client that puts an address of its own in front: the proxy appends
	// the real one, and that one is charged.
	for i, want := range []int{200, 200, 429} {
		if s := hit(h, path, proxy, fmt.Sprintf("192.0.2.%d, 198.51.100.9", i)); s != want {
			t.Errorf("forged address before the proxy's, request %d: %d, want %d", i, s, want)
		}
	}
	// The same header from a peer that is not a trusted proxy is ignored.
	var got []int
	for i := range 3 {
		got = append(got, hit(h, path, "203.0.113.8:1", fmt.Sprintf("198.51.100.%d", 20+i)))
	}
	if fmt.Sprint(got) != "[200 200 429]" {
		t.Errorf("X-Forwarded-For from an untrusted peer, behind a proxy: %v, want [200 200 429]", got)
	}

	// Proxies configured explicitly: loopback is then not trusted.
	limits.TrustedProxies = []string{"10.1.0.0/16"}
	h = handlerWith(t, web.Options{Limits: limits})
	for i := range 3 {
		if s := hit(h, path, "10.1.2.3:1", fmt.Sprintf("198.51.100.%d", i)); s != 200 {
			t.Errorf("through the configured proxy, client %d: %d", i, s)
		}
	}
	got = nil
	for i := range 3 {
		got = append(got, hit(h, path, "127.0.0.1:1", fmt.Sprintf("198.51.100.%d", i)))
	}
	if fmt.Sprint(got) != "[200 200 429]" {
		t.Errorf("loopback peer, not in TrustedProxies: %v, want [200 200 429]", got)
	}
}

func TestLimitsValidate(t *testing.T) {
	if err := (web.Limits{TrustedProxies: []string{"10.0.0.1", "192.168.0.0/16", "::1"}}).Validate(); err != nil {
		t.Errorf("valid proxies: %v", err)
	}
	err := (web.Limits{TrustedProxies: []string{"10.0.0.1", "proxy.example"}}).Validate()
	if err == nil || !strings.Contains(err.Error(), `"proxy.example"`) {
		t.Errorf("invalid proxy: %v", err)
	}
	// A server given an invalid list trusts no one.
	h := handlerWith(t, web.Options{Limits: web.Limits{RatePerSecond: 0.001, RateBurst: 1, TrustProxyHeads: true,
		TrustedProxies: []string{"127.0.0.1", "proxy.example"}}})
	hit(h, "/api/v1/openapi.json", "127.0.0.1:1", "198.51.100.1")
	if s := hit(h, "/api/v1/openapi.json", "127.0.0.1:2", "198.51.100.2"); s != 429 {
		t.Errorf("invalid proxy list: forwarded header believed (%d)", s)
	}
}

func TestUIAndAdminAreRateLimited(t *testing.T) {
	ts := serverWith(t, web.Options{Limits: slowRate, AdminToken: "s3cret"})
	var last *http.Response
	var body string
	for range 3 {
		resp, err := http.Get(ts.URL + "/search?q=" + url.QueryEscape("经济"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		last, body = resp, string(b)
	}
	if last.StatusCode != 429 || !strings.HasPrefix(last.Header.Get("Content-Type"), "text/html") ||
		last.Header.Get("Retry-After") == "" || !strings.Contains(body, `<html lang="zh-Hans">`) ||
		!strings.Contains(body, "请求太频繁") || !strings.Contains(body, "秒后再试") {
		t.Errorf("third UI search: %d %s Retry-After %q: %.300s", last.StatusCode, last.Header.Get("Content-Type"), last.Header.Get("Retry-After"), body)
	}
	// The health checks and static files are not.
	for _, p := range []string{"/healthz", "/readyz", "/static/app.css"} {
		resp, err := http.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s while rate limited: %d", p, resp.StatusCode)
		}
	}

	ts = serverWith(t, web.Options{Limits: slowRate, AdminToken: "s3cret"})
	var statuses []int
	var e web.ErrorBody
	for range 3 {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/admin/stats", nil)
		req.Header.Set("Authorization", "Bearer s3cret")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
		last = resp
	}
	if fmt.Sprint(statuses) != "[200 200 429]" || e.Error.Code != "rate_limited" || last.Header.Get("Retry-After") == "" {
		t.Errorf("admin: %v %+v Retry-After %q, want [200 200 429] rate_limited", statuses, e, last.Header.Get("Retry-After"))
	}
}

func TestUIMalformedRequestIsAChinesePage(t *testing.T) {
	ts := serverWith(t, web.Options{Limits: web.Limits{RatePerSecond: -1}})
	for target, want := range map[string]string{
		"/search?q=%ff":   "参数 q 不是有效的 UTF-8 编码",
		"/search?q=%zz":   "百分号编码不完整",
		"/?q=%ff%fe&x=1":  "不是有效的 UTF-8 编码",
		"/about?county=%": "百分号编码不完整",
	} {
		resp, err := http.Get(ts.URL + target)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body := string(b)
		if resp.StatusCode != 400 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(body, "无法读取这个请求") || !strings.Contains(body, want) {
			t.Errorf("%s: %d %s: %.400s; want a 400 HTML page saying %q", target, resp.StatusCode, resp.Header.Get("Content-Type"), body, want)
		}
	}
	// The API stays JSON.
	status, body := rawGet(t, ts, "/api/v1/search?q=%ff")
	var e web.ErrorBody
	if err := json.Unmarshal([]byte(body), &e); status != 400 || err != nil || e.Error.Code != "bad_request" {
		t.Errorf("API: %d %.200s", status, body)
	}
}

func TestHTTPServerLimitsHeaders(t *testing.T) {
	fx := searchtest.Get(t)
	srv := web.New(serving.Fixed(fx.Engine, fx.Tagger), web.Options{Logger: slog.New(slog.DiscardHandler), Limits: web.Limits{RatePerSecond: -1}})
	hs := srv.HTTPServer()
	if hs.MaxHeaderBytes != 64<<10 || hs.ReadHeaderTimeout != 10*time.Second || hs.ReadTimeout != 30*time.Second ||
		hs.IdleTimeout != 2*time.Minute || hs.WriteTimeout != 5*time.Minute+30*time.Second || hs.ErrorLog == nil {
		t.Errorf("server limits: max header %d, timeouts %s %s %s %s", hs.MaxHeaderBytes, hs.ReadHeaderTimeout, hs.ReadTimeout, hs.WriteTimeout, hs.IdleTimeout)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	send := func(header int) string {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(20 * time.Second))
		go io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: "+strings.Repeat("a", header)+"\r\n\r\n")
		b, _ := io.ReadAll(conn)
		status, _, _ := strings.Cut(string(b), "\r\n")
		return status
	}
	if got := send(1 << 20); got != "HTTP/1.1 431 Request Header Fields Too Large" {
		t.Errorf("1 MB header: %q, want 431", got)
	}
	if got := send(32 << 10); got != "HTTP/1.1 200 OK" {
		t.Errorf("32 KB header: %q, want 200", got)
	}
}
