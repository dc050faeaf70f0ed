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
	"golang.org/x/time/rate"
)

// Limits protect the server from clumsy and hostile clients. The zero
// value of a field means its default (DefaultLimits); a negative value
// turns that limit off.
type Limits struct {
	MaxQueryLength  int           // characters in q
	MaxURLLength    int           // bytes of the request URI
	MaxBodyBytes    int64         // bytes of a request body (the API takes none)
	RequestTimeout  time.Duration // a search is stopped after this
	ExportTimeout   time.Duration // a CSV/JSONL download is cut after this
	MaxConcurrent   int           // searches run at once; more wait for a slot
	QueueTimeout    time.Duration // how long a request waits for a slot before 503
	RatePerSecond   float64       // API requests per second per client address
	RateBurst       int           // API requests a client may make at once
	MaxRateClients  int           // client addresses tracked by the rate limiter
	TrustProxyHeads bool          // take the client address from X-Forwarded-For
}

// DefaultLimits are the limits of a server when Options do not say.
var DefaultLimits = Limits{
	MaxQueryLength: 500,
	MaxURLLength:   8 << 10,
	MaxBodyBytes:   64 << 10,
	RequestTimeout: 10 * time.Second,
	ExportTimeout:  5 * time.Minute,
	MaxConcurrent:  16,
	QueueTimeout:   5 * time.Second,
	RatePerSecond:  20,
	RateBurst:      40,
	MaxRateClients: 100_000,
}

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
	l.MaxConcurrent = pick(l.MaxConcurrent, d.MaxConcurrent)
	l.RateBurst = pick(l.RateBurst, d.RateBurst)
	l.MaxRateClients = pick(l.MaxRateClients, d.MaxRateClients)
	if l.MaxBodyBytes == 0 {
		l.MaxBodyBytes = d.MaxBodyBytes
	}
	if l.RequestTimeout == 0 {
		l.RequestTimeout = d.RequestTimeout
	}
	if l.ExportTimeout == 0 {
		l.ExportTimeout = d.ExportTimeout
	}
	if l.QueueTimeout == 0 {
		l.QueueTimeout = d.QueueTimeout
	}
	if l.RatePerSecond == 0 {
		l.RatePerSecond = d.RatePerSecond
	}
	return l
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

// checkRequest turns away requests no page or endpoint takes: overlong
// URLs, parameters that are not UTF-8, oversized bodies, overlong queries.
func (srv *Server) checkRequest(c *gin.Context) {
	l := srv.limits
	if l.MaxURLLength > 0 && len(c.Request.RequestURI) > l.MaxURLLength {
		srv.reject(c, http.StatusRequestURITooLong, "uri_too_long", fmt.Sprintf("the URL is longer than %d bytes", l.MaxURLLength))
		return
	}
	if c.Request.ContentLength > l.MaxBodyBytes && l.MaxBodyBytes > 0 {
		srv.reject(c, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the request body is larger than %d bytes", l.MaxBodyBytes))
		return
	}
	if l.MaxBodyBytes > 0 {
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, l.MaxBodyBytes)
	}
	q, err := parseQueryString(c.Request.URL.RawQuery)
	if err != nil {
		srv.reject(c, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	if !utf8.ValidString(c.Request.URL.Path) {
		srv.reject(c, http.StatusBadRequest, "bad_request", "the path is not valid UTF-8")
		return
	}
	for name, values := range q {
		for _, v := range values {
			if !utf8.ValidString(name) || !utf8.ValidString(v) {
				srv.reject(c, http.StatusBadRequest, "bad_request", fmt.Sprintf("parameter %q is not valid UTF-8", strings.ToValidUTF8(name, "\uFFFD")))
				return
			}
		}
	}
	if l.MaxQueryLength > 0 {
		if n := utf8.RuneCountInString(q.Get("q")); n > l.MaxQueryLength {
			srv.reject(c, http.StatusBadRequest, "bad_request", fmt.Sprintf("q is %d characters long; the limit is %d", n, l.MaxQueryLength))
			return
		}
	}
	c.Next()
}

// parseQueryString parses a URL's query, saying which part is malformed.
func parseQueryString(raw string) (url.Values, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, fmt.Errorf("the URL's query is malformed: %v", err)
	}
	return q, nil
}

// reject answers a request that breaks a limit: JSON under /api, text
// elsewhere.
func (srv *Server) reject(c *gin.Context, status int, code, message string) {
	if isAPI(c) {
		apiError(c, status, code, message)
		return
	}
	c.Header("Content-Type", "text/plain; charset=utf-8")
	c.String(status, message+"\n")
	c.Abort()
}

// slots bounds the searches running at once.
type slots chan struct{}

// acquireSlot waits up to QueueTimeout for a search slot; when none frees
// up it answers 503 with Retry-After and reports false.
func (srv *Server) acquireSlot(c *gin.Context) (release func(), ok bool) {
	if srv.slots == nil {
		return func() {}, true
	}
	select {
	case srv.slots <- struct{}{}: // a free slot: no waiting
		return func() { <-srv.slots }, true
	default:
	}
	t := time.NewTimer(srv.limits.QueueTimeout)
	defer t.Stop()
	select {
	case srv.slots <- struct{}{}:
		return func() { <-srv.slots }, true
	case <-t.C:
		c.Header("Retry-After", "1")
		srv.reject(c, http.StatusServiceUnavailable, "busy", "the server is busy with other searches; retry in a second")
	case <-c.Request.Context().Done():
		if errors.Is(c.Request.Context().Err(), context.DeadlineExceeded) {
			srv.reject(c, http.StatusServiceUnavailable, "timeout", "the search took too long")
		} else {
			c.Abort() // the client went away
		}
	}
	return nil, false
}

// rateLimiter is a token bucket per client address.
type rateLimiter struct {
	mu      sync.Mutex
	limit   rate.Limit
	burst   int
	max     int
	clients map[string]*rate.Limiter
}

func newRateLimiter(l Limits) *rateLimiter {
	if l.RatePerSecond < 0 {
		return nil
	}
	return &rateLimiter{limit: rate.Limit(l.RatePerSecond), burst: l.RateBurst, max: l.MaxRateClients, clients: map[string]*rate.Limiter{}}
}

// reserve takes a token for client, or says how long until one is free.
func (rl *rateLimiter) reserve(client string) (ok bool, wait time.Duration) {
	rl.mu.Lock()
	lim, found := rl.clients[client]
	if !found {
		if len(rl.clients) >= rl.max {
			// Forget the clients whose buckets are full again: they lose
			// nothing by it.
			for k, l := range rl.clients {
				if l.Tokens() >= float64(rl.burst) {
					delete(rl.clients, k)
				}
			}
		}
		lim = rate.NewLimiter(rl.limit, rl.burst)
		rl.clients[client] = lim
	}
	rl.mu.Unlock()
	r := lim.Reserve()
	if d := r.Delay(); d > 0 {
		r.Cancel()
		return false, d
	}
	return true, 0
}

// clientAddr is the address a request is counted against.
func (srv *Server) clientAddr(c *gin.Context) string {
	if srv.limits.TrustProxyHeads {
		if f := c.GetHeader("X-Forwarded-For"); f != "" {
			first, _, _ := strings.Cut(f, ",")
			return strings.TrimSpace(first)
		}
	}
	host, _, err := net.SplitHostPort(c.Request.RemoteAddr)
	if err != nil {
		return c.Request.RemoteAddr
	}
	return host
}

// allowRate takes a token from the client's bucket; when it is empty it
// answers 429 with Retry-After and reports false.
func (srv *Server) allowRate(c *gin.Context) bool {
	if srv.rate == nil {
		return true
	}
	ok, wait := srv.rate.reserve(srv.clientAddr(c))
	if ok {
		return true
	}
	secs := max(int(math.Ceil(wait.Seconds())), 1)
	c.Header("Retry-After", strconv.Itoa(secs))
	srv.reject(c, http.StatusTooManyRequests, "rate_limited", fmt.Sprintf("too many requests from your address; retry in %d s", secs))
	return false
}
