// Package web serves the archive over HTTP with Gin: the journalists' JSON
// API under /api/v1 (docs/api.md) and the researchers' web UI.
//
// A Server answers from a serving.Source: each request leases one index
// generation for its whole life (a download's included), so a reindexed
// generation is picked up without a restart, requests in flight finish on
// the one they started with, and a replaced generation closes only when
// its last request ends.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"newsarchive/corpus"
	"newsarchive/serving"
)

// Options configure a Server.
type Options struct {
	// Logger receives one line per request and the errors (default:
	// slog.Default()).
	Logger *slog.Logger
	// Limits protect the server; zero fields take DefaultLimits.
	Limits Limits
	// AdminToken enables the /admin endpoints for requests bearing it.
	AdminToken string
	// Admin are the operations behind the admin endpoints.
	Admin Admin
	// BaseURL is the origin of every absolute link the server writes
	// (citations, permalinks, Atom feeds): scheme, host, optional port
	// and path prefix, as CheckBaseURL returns it. Empty, links are
	// relative to the request. The request's Host header is never used.
	BaseURL string
	// CORSOrigins are the origins (scheme://host[:port], or * for any)
	// whose pages may read the API's answers from a browser; empty, none
	// may (the default). See CheckCORSOrigins.
	CORSOrigins []string
}

// Server is the archive's HTTP application.
type Server struct {
	source     *serving.Source
	tagger     *corpus.Tagger
	log        *slog.Logger
	engine     *gin.Engine
	limits     Limits
	slots      slots
	downloads  *downloads
	rate       *rateLimiter
	metrics    *metrics
	adminToken string
	admin      Admin
	baseURL    string
	reindexing sync.Mutex // held by the one /admin/reindex running
}

var ginMode sync.Once

// New returns a server answering from src.
func New(src *serving.Source, opts Options) *Server {
	ginMode.Do(func() { gin.SetMode(gin.ReleaseMode) })
	srv := &Server{log: opts.Logger, limits: opts.Limits.withDefaults(), adminToken: opts.AdminToken, admin: opts.Admin, baseURL: opts.BaseURL}
	if srv.log == nil {
		srv.log = slog.Default()
	}
	if srv.limits.MaxConcurrent > 0 {
		srv.slots = make(slots, srv.limits.MaxConcurrent)
	}
	srv.downloads = newDownloads(srv.limits)
	srv.rate = newRateLimiter(srv.limits)
	srv.source = src
	srv.tagger = src.Tagger()
	srv.metrics = newMetrics(srv)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = true
	e.RedirectFixedPath = false
	srv.trustProxies(e)
	e.Use(srv.logRequests, srv.releaseLease, srv.recoverPanics, securityHeaders)
	if h := corsMiddleware(opts.CORSOrigins); h != nil {
		e.Use(h)
	}
	e.Use(srv.checkRequest, srv.guard)
	srv.engine = e
	srv.routes()
	srv.opsRoutes()
	return srv
}

// isDownload reports whether path is one of the downloads (CSV, JSONL,
// RIS, BibTeX, CSL-JSON of a result set, see downloadPath; the
// concordance's CSV).
func isDownload(path string) bool { return downloadPath(path) || path == "/api/v1/concordance.csv" }

// guard applies the rate limit (every route but the health checks,
// metrics and static files), then, on the routes that search, the request
// timeout and a slot: a search slot, or for a download (GET) a slot of the
// download pool, so that downloads read slowly never hold search slots.
func (srv *Server) guard(c *gin.Context) {
	p := c.Request.URL.Path
	if p == "/healthz" || p == "/readyz" || p == "/metrics" || strings.HasPrefix(p, "/static/") {
		c.Next()
		return
	}
	if !srv.allowRate(c) {
		return
	}
	if strings.HasPrefix(p, "/admin/") { // a reindex takes as long as it takes
		c.Next()
		return
	}
	timeout, acquire := srv.limits.RequestTimeout, srv.acquireSlot
	if isDownload(p) && c.Request.Method == http.MethodGet {
		timeout, acquire = srv.limits.ExportTimeout, srv.acquireDownload
	}
	if timeout > 0 {
		ctx, cancel := context.WithTimeout(c.Request.Context(), timeout)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
	}
	release, ok := acquire(c)
	if !ok {
		return
	}
	defer release()
	c.Next()
}

// HTTPServer returns an http.Server for the application, with the
// server's limits on the connection: MaxHeaderBytes on the request line
// and headers (net/http answers a larger request 431, allowing itself 4
// KiB of slack), ReadHeaderTimeout 10 s, ReadTimeout 30 s, IdleTimeout 2
// min, and WriteTimeout the ExportTimeout plus 30 s, so that a download
// cut by ExportTimeout still gets its end written, and a client that stops
// reading loses its connection then (none when ExportTimeout is off). Its
// ErrorLog writes to the server's logger.
func (srv *Server) HTTPServer() *http.Server {
	l := srv.limits
	var write time.Duration
	if l.ExportTimeout > 0 {
		write = max(l.ExportTimeout, l.RequestTimeout) + 30*time.Second
	}
	hs := &http.Server{
		Handler:           srv.engine,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      write,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(srv.log.Handler(), slog.LevelWarn),
		// Downloads reach their connection through the context, to bound
		// its send buffer (see downloadSendBuffer).
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, c)
		},
	}
	if l.MaxHeaderBytes > 0 {
		hs.MaxHeaderBytes = l.MaxHeaderBytes
	}
	return hs
}

// Handler is the server's http.Handler.
func (srv *Server) Handler() http.Handler { return srv.engine }

// Routes lists the server's routes as "METHOD path" with Gin's :param
// syntax, for the OpenAPI test.
func (srv *Server) Routes() []gin.RouteInfo { return srv.engine.Routes() }

// readMethods are the methods of every read route: HEAD answers as GET
// does, without the body (net/http drops it).
var readMethods = []string{http.MethodGet, http.MethodHead}

func (srv *Server) routes() {
	e := srv.engine
	api := e.Group("/api/v1")
	api.Match(readMethods, "/search", srv.apiSearch)
	api.Match(readMethods, "/search.csv", srv.apiExportCSV)
	api.Match(readMethods, "/search.jsonl", srv.apiExportJSONL)
	api.Match(readMethods, "/search.ris", srv.apiExportRIS)
	api.Match(readMethods, "/search.bib", srv.apiExportBibTeX)
	api.Match(readMethods, "/search.csl.json", srv.apiExportCSL)
	api.Match(readMethods, "/search.atom", srv.apiAtom)
	api.Match(readMethods, "/articles/:id", srv.apiArticle)
	api.Match(readMethods, "/articles/:id/similar", srv.apiSimilar)
	api.Match(readMethods, "/articles/:id/cite", srv.apiCite)
	api.Match(readMethods, "/articles/:id/cite.ris", srv.apiArticleRIS)
	api.Match(readMethods, "/articles/:id/cite.bib", srv.apiArticleBibTeX)
	api.Match(readMethods, "/articles/:id/cite.csl.json", srv.apiArticleCSL)
	api.Match(readMethods, "/facets", srv.apiFacets)
	api.Match(readMethods, "/trends", srv.apiTrends)
	api.Match(readMethods, "/trends.csv", srv.apiTrendsCSV)
	api.Match(readMethods, "/concordance", srv.apiConcordance)
	api.Match(readMethods, "/concordance.csv", srv.apiConcordanceCSV)
	api.Match(readMethods, "/openapi.json", srv.apiOpenAPI)
	e.NoRoute(func(c *gin.Context) {
		if isAPI(c) {
			apiError(c, http.StatusNotFound, "not_found", "no such endpoint: "+c.Request.URL.Path+" (see /api/v1/openapi.json)")
			return
		}
		srv.notFoundPage(c)
	})
	e.NoMethod(func(c *gin.Context) {
		if wantsJSON(c) {
			apiError(c, http.StatusMethodNotAllowed, "method_not_allowed", c.Request.Method+" is not allowed here; the API is read-only (GET, HEAD)")
			return
		}
		srv.errorPage(c, http.StatusMethodNotAllowed, "不支持这种请求", "这个页面只能用 GET 或 HEAD 读取。")
	})
	srv.uiRoutes()
}

func isAPI(c *gin.Context) bool { return strings.HasPrefix(c.Request.URL.Path, "/api/") }

// logRequests writes one log line per request.
func (srv *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	level := slog.LevelInfo
	if c.Writer.Status() >= 500 {
		level = slog.LevelError
	}
	srv.metrics.observe(c, time.Since(start))
	srv.log.LogAttrs(c.Request.Context(), level, "request",
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.String("query", c.Request.URL.RawQuery),
		slog.Int("status", c.Writer.Status()),
		slog.Duration("took", time.Since(start)),
	)
}

// recoverPanics turns a panic into a logged 500 error instead of a dropped
// connection.
func (srv *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if err, ok := r.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(r)
			}
			srv.log.ErrorContext(c.Request.Context(), "panic", "path", c.Request.URL.Path, "panic", r)
			if !c.Writer.Written() {
				apiError(c, http.StatusInternalServerError, "internal", "internal error")
			}
			c.Abort()
		}
	}()
	c.Next()
}
