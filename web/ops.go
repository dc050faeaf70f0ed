package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"newsarchive/search"
)

// Admin are the maintainers' operations the admin endpoints run. They are
// served only when Options.AdminToken is set.
type Admin struct {
	// Reindex brings the index up to date with the corpus (rebuild: from
	// scratch); nil when the server has no corpus.
	Reindex func(ctx context.Context, rebuild bool) (any, error)
	// Reload switches to the index's current generation now.
	Reload func() error
}

// metrics are the server's Prometheus metrics, in a registry of its own.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec

	mu            sync.Mutex
	lastReindex   time.Time
	lastReindexOK bool
}

func newMetrics(srv *Server) *metrics {
	m := &metrics{registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "newsarchive_http_requests_total",
		Help: "HTTP requests by route, method and status.",
	}, []string{"route", "method", "status"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "newsarchive_http_request_duration_seconds",
		Help:    "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route"})
	articles := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "newsarchive_index_articles",
		Help: "Articles in the index generation being served.",
	}, func() float64 {
		st := srv.source.Status()
		if st.Generation == "" {
			return -1
		}
		return float64(st.Articles)
	})
	openedGens := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "newsarchive_index_generations_opened_total",
		Help: "Index generations the server has opened.",
	}, func() float64 { n, _ := srv.source.Generations(); return float64(n) })
	closedGens := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "newsarchive_index_generations_closed_total",
		Help: "Index generations the server has closed (replaced, and their last request ended).",
	}, func() float64 { _, n := srv.source.Generations(); return float64(n) })
	last := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "newsarchive_last_reindex_timestamp_seconds",
		Help: "When the index last changed (Unix time): a reindex picked up or run by the server.",
	}, func() float64 {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.lastReindex.IsZero() {
			return 0
		}
		return float64(m.lastReindex.Unix())
	})
	ok := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "newsarchive_last_reindex_success",
		Help: "1 if the last reindex succeeded, 0 if it failed.",
	}, func() float64 {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.lastReindexOK {
			return 1
		}
		return 0
	})
	m.registry.MustRegister(m.requests, m.latency, articles, openedGens, closedGens, last, ok,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe records a finished request.
func (m *metrics) observe(c *gin.Context, took time.Duration) {
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	m.requests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Inc()
	m.latency.WithLabelValues(route).Observe(took.Seconds())
}

// RecordReindex records the outcome of an index run, for /metrics.
func (srv *Server) RecordReindex(at time.Time, err error) {
	srv.metrics.mu.Lock()
	defer srv.metrics.mu.Unlock()
	srv.metrics.lastReindex = at
	srv.metrics.lastReindexOK = err == nil
}

// opsRoutes registers /healthz, /readyz, /metrics and the admin endpoints.
func (srv *Server) opsRoutes() {
	e := srv.engine
	e.Match(readMethods, "/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok\n") })
	e.Match(readMethods, "/readyz", srv.ready)
	e.Match(readMethods, "/metrics", gin.WrapH(promhttp.HandlerFor(srv.metrics.registry, promhttp.HandlerOpts{})))
	if srv.adminToken == "" {
		return
	}
	admin := e.Group("/admin", srv.requireToken)
	admin.Match(readMethods, "/stats", func(c *gin.Context) {
		s, err := srv.searcher(c)
		var st search.Stats
		if err == nil {
			st, err = s.Stats(c.Request.Context())
		}
		if err != nil {
			srv.fail(c, err)
			return
		}
		writeJSON(c, http.StatusOK, st)
	})
	admin.POST("/reload", func(c *gin.Context) {
		if srv.admin.Reload == nil {
			apiError(c, http.StatusNotImplemented, "not_implemented", "this server cannot reload")
			return
		}
		if err := srv.admin.Reload(); err != nil {
			srv.fail(c, err)
			return
		}
		writeJSON(c, http.StatusOK, map[string]string{"generation": srv.source.Status().Generation})
	})
	admin.POST("/reindex", srv.adminReindex)
}

// ErrBusy is the error, wrapped, of an operation that cannot run now
// because another one holds what it needs. A second POST /admin/reindex
// while one runs gets it, and an Admin.Reindex may return it (for
// instance when an index run of the command line holds the index's write
// lock); either way the endpoint answers 409 conflict with the error's
// text, and no reindex is recorded in the metrics.
var ErrBusy = errors.New("busy")

// adminReindex runs Admin.Reindex, one at a time: a request while one runs
// is answered 409 at once instead of racing it for the index.
func (srv *Server) adminReindex(c *gin.Context) {
	if srv.admin.Reindex == nil {
		apiError(c, http.StatusNotImplemented, "not_implemented", "this server has no corpus to reindex (start it with --corpus)")
		return
	}
	if !srv.reindexing.TryLock() {
		srv.fail(c, fmt.Errorf("%w: a reindex is already running on this server; retry when it has finished", ErrBusy))
		return
	}
	defer srv.reindexing.Unlock()
	rebuild := c.Query("rebuild") == "1" || c.Query("rebuild") == "true"
	// The run outlives a client that hangs up: the index is never left
	// half-switched either way.
	sum, err := srv.admin.Reindex(context.WithoutCancel(c.Request.Context()), rebuild)
	if !errors.Is(err, ErrBusy) { // busy: no run took place
		srv.RecordReindex(time.Now(), err)
	}
	if err != nil {
		srv.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, sum)
}

// ready answers 200 when an intact index generation is served and its
// directory is there, saying which and, when it is a fallback, why; 503
// otherwise.
func (srv *Server) ready(c *gin.Context) {
	st := srv.source.Status()
	if err := srv.source.Ready(); err != nil {
		c.String(http.StatusServiceUnavailable, "not ready: %v\n", err)
		return
	}
	if st.Fallback != "" {
		c.String(http.StatusOK, "ok: %d articles in %s (fallback: %s)\n", st.Articles, st.Generation, st.Fallback)
		return
	}
	c.String(http.StatusOK, "ok: %d articles in %s\n", st.Articles, st.Generation)
}

// bearerToken is the token of an Authorization header of the Bearer
// scheme, whose name is case-insensitive (RFC 7235: "bearer x" is as good
// as "Bearer x").
func bearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// requireToken lets through requests bearing the admin token, compared in
// constant time.
func (srv *Server) requireToken(c *gin.Context) {
	got, ok := bearerToken(c.GetHeader("Authorization"))
	if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(srv.adminToken)) != 1 {
		c.Header("WWW-Authenticate", `Bearer realm="newsarchive admin"`)
		apiError(c, http.StatusUnauthorized, "unauthorized", "the admin endpoints need Authorization: Bearer <token>")
		return
	}
	c.Next()
}
