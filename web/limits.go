package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/hashicorp/golang-lru/v2/simplelru"
	"golang.org/x/time/rate"
)

// Limits protect the server from clumsy and hostile clients. The zero
// value of a field means its default (DefaultLimits); a negative value
// turns that limit off, except where a field says otherwise.
type Limits struct {
	MaxQueryLength int           // characters in q
	MaxURLLength   int           // bytes of the request URI (longer: 414)
	MaxBodyBytes   int64         // bytes of a request body (the API takes none; larger: 413)
	MaxHeaderBytes int           // bytes of the request line and headers (larger: 431); see HTTPServer
	RequestTimeout time.Duration // a search is stopped after this (503 timeout)
	ExportTimeout  time.Duration // a CSV/JSONL download is cut after this (its end says so)
	MaxConcurrent  int           // searches run at once; more wait for a slot
	QueueTimeout   time.Duration // how long a search or download waits for a slot before 503 busy
	// MaxDownloads is the number of CSV/JSONL downloads streamed at once,
	// in a pool of their own: a download never holds one of the
	// MaxConcurrent search slots, so clients that read a download slowly
	// cost a connection and a download slot, never the searches. More
	// downloads wait up to QueueTimeout, then get 503 busy.
	MaxDownloads int
	// MaxDownloadsPerClient is the number of downloads one client address
	// may run at once; one more is answered 429 too_many_downloads with
	// Retry-After.
	MaxDownloadsPerClient int
	// DownloadIdleTimeout drops a download whose client has taken no
	// bytes for this long (a write blocked on a full connection), freeing
	// its slot; the client sees its download end unfinished.
	DownloadIdleTimeout time.Duration
	// ExportPageSize is the number of articles a download reads from the
	// engine at a time, and so the most records it holds at once
	// (default DefaultExportPageSize).
	ExportPageSize int
	// RatePerSecond and RateBurst make a token bucket per client address
	// for every request but /healthz, /readyz, /metrics and /static/: the
	// API, the UI's pages and /admin/ (429 with Retry-After; an HTML page
	// on the UI).
	RatePerSecond float64
	RateBurst     int
	// MaxRateClients bounds the client addresses the rate limiter keeps a
	// bucket for, least recently seen forgotten first (an address seen
	// again starts with a full bucket). Zero or negative: the default.
	MaxRateClients int
	// TrustProxyHeads (--behind-proxy) takes the client address from the
	// X-Forwarded-For (or X-Real-IP) header of requests that come from one
	// of TrustedProxies, with Gin's trusted-proxy handling
	// (gin.Context.ClientIP): the rightmost address that is not a trusted
	// proxy. Without it, or from any other peer, the headers are ignored
	// and the client address is the connection's.
	TrustProxyHeads bool
	// TrustedProxies are the proxies' addresses or CIDR ranges; empty
	// means DefaultTrustedProxies (loopback). Used only with
	// TrustProxyHeads.
	TrustedProxies []string
}

// DefaultLimits are the limits of a server when Options do not say.
var DefaultLimits = Limits{
	MaxQueryLength:        500,
	MaxURLLength:          8 << 10,
	MaxBodyBytes:          64 << 10,
	MaxHeaderBytes:        64 << 10,
	RequestTimeout:        10 * time.Second,
	ExportTimeout:         5 * time.Minute,
	MaxConcurrent:         16,
	QueueTimeout:          5 * time.Second,
	MaxDownloads:          4,
	MaxDownloadsPerClient: 2,
	DownloadIdleTimeout:   30 * time.Second,
	RatePerSecond:         20,
	RateBurst:             40,
	MaxRateClients:        100_000,
}

// DefaultTrustedProxies are the proxies trusted with TrustProxyHeads when
// Limits.TrustedProxies is empty: a proxy on the same machine.
var DefaultTrustedProxies = []string{"127.0.0.0/8", "::1"}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	pick := func(v, def int) int {
		if v == 0 {
			return def
		}
		return v
	}
	l.MaxQueryLength = pick(l.MaxQueryLength, d.MaxQueryLength)
	l.MaxURLLength = pick(l.MaxURLLength, d.MaxURLLength)
	l.MaxHeaderBytes = pick(l.MaxHeaderBytes, d.MaxHeaderBytes)
	l.MaxConcurrent = pick(l.MaxConcurrent, d.MaxConcurrent)
	l.MaxDownloads = pick(l.MaxDownloads, d.MaxDownloads)
	l.MaxDownloadsPerClient = pick(l.MaxDownloadsPerClient, d.MaxDownloadsPerClient)
	l.RateBurst = pick(l.RateBurst, d.RateBurst)
	if l.MaxRateClients <= 0 {
		l.MaxRateClients = d.MaxRateClients
	}
	if l.MaxBodyBytes == 0 {
		l.MaxBodyBytes = d.MaxBodyBytes
	}
	if l.RequestTimeout == 0 {
		l.RequestTimeout = d.RequestTimeout
	}
	if l.ExportTimeout == 0 {
		l.ExportTimeout = d.ExportTimeout
	}
	if l.DownloadIdleTimeout == 0 {
		l.DownloadIdleTimeout = d.DownloadIdleTimeout
	}
	if l.QueueTimeout == 0 {
		l.QueueTimeout = d.QueueTimeout
	}
	if l.RatePerSecond == 0 {
		l.RatePerSecond = d.RatePerSecond
	}
	if l.TrustProxyHeads && len(l.TrustedProxies) == 0 {
		l.TrustedProxies = DefaultTrustedProxies
	}
	return l
}

// Validate reports the first field of l that a server cannot use: today,
// a trusted proxy that is neither an IP address nor a CIDR range.
func (l Limits) Validate() error {
	for _, p := range l.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err == nil {
			continue
		}
		if net.ParseIP(p) == nil {
			return fmt.Errorf("trusted proxy %q is neither an IP address nor a CIDR range", p)
		}
	}
	return nil
}

// trustProxies configures which peers' forwarded headers the engine
// believes: none unless TrustProxyHeads. An invalid list trusts no one
// (and is logged), so a typo never opens the headers to every client.
func (srv *Server) trustProxies(e *gin.Engine) {
	l := srv.limits
	var proxies []string
	if l.TrustProxyHeads {
		proxies = l.TrustedProxies
		if err := l.Validate(); err != nil {
			srv.log.Error("forwarded headers trusted from no one", "err", err)
			proxies = nil
		}
	}
	if err := e.SetTrustedProxies(proxies); err != nil {
		srv.log.Error("forwarded headers trusted from no one", "err", err)
		_ = e.SetTrustedProxies(nil) // nil never fails
	}
}

// securityHeaders are sent with every response.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	c.Next()
}

// problem is why a request is turned away: for the API (JSON, English)
// and for the UI (an HTML page, Chinese).
type problem struct {
	status        int
	code, message string // the API's error code and message
	heading, text string // the UI's error page
}

// checkRequest turns away requests no page or endpoint takes: overlong
// URLs, parameters that are not UTF-8, oversized bodies, overlong queries.
func (srv *Server) checkRequest(c *gin.Context) {
	l := srv.limits
	bad := func(message, text string) problem {
		return problem{http.StatusBadRequest, "bad_request", message, "无法读取这个请求", text}
	}
	if l.MaxURLLength > 0 && len(c.Request.RequestURI) > l.MaxURLLength {
		srv.reject(c, problem{http.StatusRequestURITooLong, "uri_too_long", fmt.Sprintf("the URL is longer than %d bytes", l.MaxURLLength),
			"地址太长", fmt.Sprintf("这个地址超过了 %d 字节，请缩短检索词或减少筛选条件。", l.MaxURLLength)})
		return
	}
	if c.Request.ContentLength > l.MaxBodyBytes && l.MaxBodyBytes > 0 {
		srv.reject(c, problem{http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the request body is larger than %d bytes", l.MaxBodyBytes),
			"请求内容太大", fmt.Sprintf("请求内容超过了 %d 字节。", l.MaxBodyBytes)})
		return
	}
	if l.MaxBodyBytes > 0 {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, l.MaxBodyBytes)
	}
	q, err := parseQueryString(c.Request.URL.RawQuery)
	if err != nil {
		srv.reject(c, bad(err.Error(), "地址中的参数格式有误（百分号编码不完整），请检查链接或重新输入检索词。"))
		return
	}
	if !utf8.ValidString(c.Request.URL.Path) {
		srv.reject(c, bad("the path is not valid UTF-8", "地址中的路径不是有效的 UTF-8 编码。"))
		return
	}
	for name, values := range q {
		for _, v := range values {
			if !utf8.ValidString(name) || !utf8.ValidString(v) {
				srv.reject(c, bad(fmt.Sprintf("parameter %q is not valid UTF-8", strings.ToValidUTF8(name, "\uFFFD")),
					fmt.Sprintf("参数 %s 不是有效的 UTF-8 编码，请检查链接或重新输入检索词。", strings.ToValidUTF8(name, "\uFFFD"))))
				return
			}
		}
	}
	if l.MaxQueryLength > 0 {
		if n := utf8.RuneCountInString(q.Get("q")); n > l.MaxQueryLength {
			srv.reject(c, bad(fmt.Sprintf("q is %d characters long; the limit is %d", n, l.MaxQueryLength),
				fmt.Sprintf("检索词有 %d 个字符，最多 %d 个。", n, l.MaxQueryLength)))
			return
		}
	}
	c.Next()
}

// parseQueryString parses a URL's query, saying which part is malformed.
func parseQueryString(raw string) (url.Values, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, fmt.Errorf("the URL's query is malformed: %w", err)
	}
	return q, nil
}

// wantsJSON reports whether a request is answered in JSON: the API and the
// admin endpoints.
func wantsJSON(c *gin.Context) bool {
	return isAPI(c) || strings.HasPrefix(c.Request.URL.Path, "/admin/")
}

// reject answers a request that breaks a limit: JSON under /api/ and
// /admin/, an HTML error page in Chinese elsewhere.
func (srv *Server) reject(c *gin.Context, p problem) {
	if wantsJSON(c) {
		apiError(c, p.status, p.code, p.message)
		return
	}
	srv.errorPage(c, p.status, p.heading, p.text)
	c.Abort()
}

// slots bounds the searches (or the downloads) running at once.
type slots chan struct{}

// acquireSlot waits up to QueueTimeout for a search slot; when none frees
// up it answers 503 with Retry-After and reports false.
func (srv *Server) acquireSlot(c *gin.Context) (release func(), ok bool) {
	return srv.waitSlot(c, srv.slots, problem{http.StatusServiceUnavailable, "busy", "the server is busy with other searches; retry in a second",
		"服务器正忙", "同时进行的检索太多，请稍后再试。"}, "1")
}

// waitSlot takes a slot of s, waiting up to QueueTimeout; when none frees
// up it answers busy with Retry-After retry and reports false. A nil s
// has no bound.
func (srv *Server) waitSlot(c *gin.Context, s slots, busy problem, retry string) (release func(), ok bool) {
	if s == nil {
		return func() {}, true
	}
	select {
	case s <- struct{}{}: // a free slot: no waiting
		return func() { <-s }, true
	default:
	}
	t := time.NewTimer(srv.limits.QueueTimeout)
	defer t.Stop()
	select {
	case s <- struct{}{}:
		return func() { <-s }, true
	case <-t.C:
		c.Header("Retry-After", retry)
		srv.reject(c, busy)
	case <-c.Request.Context().Done():
		if errors.Is(c.Request.Context().Err(), context.DeadlineExceeded) {
			srv.reject(c, problem{http.StatusServiceUnavailable, "timeout", "the search took too long",
				"检索超时", "这次检索用时太长，请缩小范围后再试。"})
		} else {
			c.Abort() // the client went away
		}
	}
	return nil, false
}

// downloads bounds the CSV/JSONL downloads: a pool of their own, and a
// number per client address.
type downloads struct {
	pool      slots // nil: no bound
	perClient int   // ≤ 0: no bound

	mu     sync.Mutex
	active map[string]int // downloads running or waiting, by client address; no zero entries
}

func newDownloads(l Limits) *downloads {
	d := &downloads{perClient: l.MaxDownloadsPerClient, active: map[string]int{}}
	if l.MaxDownloads > 0 {
		d.pool = make(slots, l.MaxDownloads)
	}
	return d
}

// downloadRetry is the Retry-After of a download turned away: downloads
// last a while.
const downloadRetry = "5"

// acquireDownload admits a download: at most MaxDownloadsPerClient per
// client address (429 beyond), then a slot of the download pool, waiting
// up to QueueTimeout (503 busy after it).
func (srv *Server) acquireDownload(c *gin.Context) (release func(), ok bool) {
	d := srv.downloads
	client := srv.clientAddr(c)
	d.mu.Lock()
	if d.perClient > 0 && d.active[client] >= d.perClient {
		d.mu.Unlock()
		c.Header("Retry-After", downloadRetry)
		srv.reject(c, problem{http.StatusTooManyRequests, "too_many_downloads",
			fmt.Sprintf("your address already has %d downloads running, the most it may; retry when one has finished", d.perClient),
			"下载太多", fmt.Sprintf("您的地址已有 %d 个下载正在进行，请等其中一个完成后再试。", d.perClient)})
		return nil, false
	}
	d.active[client]++
	d.mu.Unlock()
	done := func() {
		d.mu.Lock()
		if d.active[client]--; d.active[client] <= 0 {
			delete(d.active, client)
		}
		d.mu.Unlock()
	}
	free, ok := srv.waitSlot(c, d.pool, problem{http.StatusServiceUnavailable, "busy",
		"the server is busy with other downloads; retry in a few seconds", "服务器正忙", "同时进行的下载太多，请稍后再试。"}, downloadRetry)
	if !ok {
		done()
		return nil, false
	}
	return func() { free(); done() }, true
}

// rateLimiter is a token bucket per client address, for at most max
// addresses: the least recently seen one is forgotten to make room.
type rateLimiter struct {
	limit rate.Limit
	burst int

	mu      sync.Mutex
	clients *simplelru.LRU[string, *rate.Limiter]
}

// newRateLimiter returns the limiter of l, nil when l turns it off.
func newRateLimiter(l Limits) *rateLimiter {
	if l.RatePerSecond < 0 {
		return nil
	}
	// NewLRU fails only for a size below 1, which max rules out.
	clients, _ := simplelru.NewLRU[string, *rate.Limiter](max(l.MaxRateClients, 1), nil)
	return &rateLimiter{limit: rate.Limit(l.RatePerSecond), burst: l.RateBurst, clients: clients}
}

// reserve takes a token for client, or says how long until one is free;
// left is the number of tokens the client's bucket holds afterwards.
func (rl *rateLimiter) reserve(client string) (ok bool, wait time.Duration, left float64) {
	rl.mu.Lock()
	lim, found := rl.clients.Get(client)
	if !found {
		lim = rate.NewLimiter(rl.limit, rl.burst)
		rl.clients.Add(client, lim)
	}
	rl.mu.Unlock()
	r := lim.Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		return false, d, 0
	}
	return true, 0, max(lim.Tokens(), 0)
}

// tracked is the number of client addresses the limiter holds a bucket
// for.
func (rl *rateLimiter) tracked() int {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return rl.clients.Len()
}

// clientAddr is the address a request is counted against: Gin's ClientIP,
// which believes forwarded headers only from the trusted proxies.
func (srv *Server) clientAddr(c *gin.Context) string {
	if ip := c.ClientIP(); ip != "" {
		return ip
	}
	return c.Request.RemoteAddr
}

// allowRate takes a token from the client's bucket; when it is empty it
// answers 429 with Retry-After and reports false. Every answer carries the
// IETF draft's RateLimit-Limit (the bucket's size), RateLimit-Remaining
// (the requests the client may make now) and RateLimit-Reset (seconds
// until the bucket is full again), so that a script can pace itself
// before it is turned away.
func (srv *Server) allowRate(c *gin.Context) bool {
	if srv.rate == nil {
		return true
	}
	ok, wait, left := srv.rate.reserve(srv.clientAddr(c))
	burst := float64(srv.rate.burst)
	c.Header("RateLimit-Limit", strconv.Itoa(srv.rate.burst))
	c.Header("RateLimit-Remaining", strconv.Itoa(int(math.Floor(left))))
	reset := 0
	if srv.rate.limit > 0 {
		reset = int(math.Ceil((burst - left) / float64(srv.rate.limit)))
	}
	c.Header("RateLimit-Reset", strconv.Itoa(max(reset, int(math.Ceil(wait.Seconds())))))
	if ok {
		return true
	}
	secs := max(int(math.Ceil(wait.Seconds())), 1)
	c.Header("Retry-After", strconv.Itoa(secs))
	srv.reject(c, problem{http.StatusTooManyRequests, "rate_limited", fmt.Sprintf("too many requests from your address; retry in %d s", secs),
		"请求太频繁", fmt.Sprintf("您的地址在短时间内发出的请求太多，请 %d 秒后再试。", secs)})
	return false
}
