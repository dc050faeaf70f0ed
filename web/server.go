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
}

// Server is the archive's HTTP application.
type Server struct {
	source     *serving.Source
	tagger     *corpus.Tagger
	log        *slog.Logger
	engine     *gin.Engine
	limits     Limits
	slots      slots
	rate       *rateLimiter
	metrics    *metrics
	adminToken string
	admin      Admin
	baseURL    string
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
	srv.rate = newRateLimiter(srv.limits)
	srv.source = src
	srv.tagger = src.Tagger()
	srv.metrics = newMetrics(srv)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = true
	e.RedirectFixedPath = false
	e.Use(srv.logRequests, srv.releaseLease, srv.recoverPanics, securityHeaders, srv.checkRequest, srv.guard)
	srv.engine = e
	srv.routes()
	srv.opsRoutes()
	return srv
}

// guard applies the rate limit (API only), the request timeout and the
// bound on concurrent searches to the routes that search.
func (srv *Server) guard(c *gin.Context) {
	p := c.Request.URL.Path
	switch {
	case p == "/healthz" || p == "/readyz" || p == "/metrics" || strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/admin/"):
		c.Next()
		return
	}
	if isAPI(c) && !srv.allowRate(c) {
		return
	}
	timeout := srv.limits.RequestTimeout
	if strings.HasSuffix(p, ".csv") || strings.HasSuffix(p, ".jsonl") {
		timeout = srv.limits.ExportTimeout
	}
	if timeout > 0 {
		ctx, cancel := context.WithTimeout(c.Request.Context(), timeout)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
	}
	release, ok := srv.acquireSlot(c)
	if !ok {
		return
	}
	defer release()
	c.Next()
}

// Handler is the server's http.Handler.
func (srv *Server) Handler() http.Handler { return srv.engine }

// Routes lists the server's routes as "METHOD path" with Gin's :param
// syntax, for the OpenAPI test.
func (srv *Server) Routes() []gin.RouteInfo { return srv.engine.Routes() }

func (srv *Server) routes() {
	e := srv.engine
	api := e.Group("/api/v1")
	api.GET("/search", srv.apiSearch)
	api.GET("/search.csv", srv.apiExportCSV)
	api.GET("/search.jsonl", srv.apiExportJSONL)
	api.GET("/search.atom", srv.apiAtom)
	api.GET("/articles/:id", srv.apiArticle)
	api.GET("/articles/:id/similar", srv.apiSimilar)
	api.GET("/facets", srv.apiFacets)
	api.GET("/openapi.json", srv.apiOpenAPI)
	e.NoRoute(func(c *gin.Context) {
		if isAPI(c) {
			apiError(c, http.StatusNotFound, "not_found", "no such endpoint: "+c.Request.URL.Path+" (see /api/v1/openapi.json)")
			return
		}
		srv.notFoundPage(c)
	})
	e.NoMethod(func(c *gin.Context) {
		if isAPI(c) {
			apiError(c, http.StatusMethodNotAllowed, "method_not_allowed", c.Request.Method+" is not allowed here; the API is read-only (GET)")
			return
		}
		c.String(http.StatusMethodNotAllowed, "method not allowed")
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
