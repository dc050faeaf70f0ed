package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"newsarchive/corpus"
	"newsarchive/search"
)

// ErrorBody is the JSON body of every API error.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong: a stable code and a message for people.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func apiError(c *gin.Context, status int, code, message string) {
	writeJSON(c, status, ErrorBody{ErrorDetail{Code: code, Message: message}})
	c.Abort()
}

// writeJSON writes v as JSON without escaping <, > and & (highlights hold
// <mark>), exactly as `newsarchive search --json` prints it.
func writeJSON(c *gin.Context, status int, v any) {
	var buf bytes.Buffer
	if err := EncodeJSON(&buf, v); err != nil {
		c.Status(http.StatusInternalServerError)
		return
	}
	c.Data(status, "application/json; charset=utf-8", buf.Bytes())
}

// EncodeJSON writes v as the API writes it: one line of JSON, with HTML
// characters left as they are.
func EncodeJSON(w *bytes.Buffer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// fail answers an error from the search package with the right status.
func (srv *Server) fail(c *gin.Context, err error) {
	switch {
	case errors.Is(err, search.ErrBadRequest):
		apiError(c, http.StatusBadRequest, search.ErrorCode(err), badRequestMessage(err))
	case errors.Is(err, search.ErrNotFound):
		apiError(c, http.StatusNotFound, "not_found", err.Error())
	case errors.Is(err, ErrBusy):
		apiError(c, http.StatusConflict, "conflict", err.Error())
	case errors.Is(err, context.Canceled):
		c.Abort() // the client went away
	case errors.Is(err, errUnavailable), errors.Is(err, search.ErrUnavailable):
		// Between generations, or none intact: a retry soon may succeed.
		srv.log.WarnContext(c.Request.Context(), "index unavailable", "path", c.Request.URL.Path, "err", err)
		c.Header("Retry-After", "1")
		apiError(c, http.StatusServiceUnavailable, "unavailable", "the index is not available right now; retry in a second")
	case errors.Is(err, context.DeadlineExceeded):
		apiError(c, http.StatusServiceUnavailable, "timeout", "the search took too long")
	default:
		srv.log.ErrorContext(c.Request.Context(), "request failed", "path", c.Request.URL.Path, "err", err)
		apiError(c, http.StatusInternalServerError, "internal", "internal error")
	}
}

// Parameters each API endpoint takes; any other is a 400, so that a typo
// (cuonty=) is not silently ignored.
var (
	searchParams = []string{"q", "province", "prefecture", "county", "topic", "author", "paper", "from", "to", "sort", "page", "size", "after"}
	exportParams = []string{"q", "province", "prefecture", "county", "topic", "author", "paper", "from", "to", "sort", "limit", "bom"}
	atomParams   = []string{"q", "province", "prefecture", "county", "topic", "author", "paper", "from", "to"}
)

// allowParams answers 400 and reports false when the request has a
// parameter not in names.
func allowParams(c *gin.Context, names ...string) bool {
	for name := range c.Request.URL.Query() {
		if !slices.Contains(names, name) {
			takes := "no parameters"
			if len(names) > 0 {
				takes = strings.Join(names, ", ")
			}
			apiError(c, http.StatusBadRequest, search.CodeUnknownParameter, fmt.Sprintf("unknown parameter %q (this endpoint takes %s)", name, takes))
			return false
		}
	}
	return true
}

// searchRequest reads the search parameters of the API and the UI.
func searchRequest(c *gin.Context) (search.Request, error) {
	q := c.Request.URL.Query()
	r := search.Request{
		Query:       q.Get("q"),
		Provinces:   q["province"],
		Prefectures: q["prefecture"],
		Counties:    q["county"],
		Topics:      q["topic"],
		Authors:     q["author"],
		Papers:      q["paper"],
		From:        strings.TrimSpace(q.Get("from")),
		To:          strings.TrimSpace(q.Get("to")),
		Sort:        q.Get("sort"),
		After:       q.Get("after"),
	}
	for _, p := range []struct {
		name string
		to   *int
		code string
		zh   string // its name in Chinese
	}{{"page", &r.Page, search.CodeBadPage, "页码"}, {"size", &r.Size, search.CodeBadSize, "每页篇数"}} {
		v := strings.TrimSpace(q.Get(p.name))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return r, search.NewRequestError(p.code, fmt.Sprintf("%s %q is not a whole number", p.name, v), fmt.Sprintf("%s“%s”不是整数", p.zh, v))
		}
		if n < 1 {
			return r, search.NewRequestError(p.code, fmt.Sprintf("%s %d is out of range (it starts at 1)", p.name, n), fmt.Sprintf("%s %d 超出范围（从 1 开始）", p.zh, n))
		}
		*p.to = n
	}
	return r, nil
}

func (srv *Server) apiSearch(c *gin.Context) {
	if !allowParams(c, searchParams...) {
		return
	}
	r, err := searchRequest(c)
	if err != nil {
		srv.fail(c, err)
		return
	}
	s, err := srv.searcher(c)
	var res *search.Response
	if err == nil {
		res, err = s.Search(c.Request.Context(), r)
	}
	if err != nil {
		srv.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, res)
}

// ArticleResponse is the body of GET /api/v1/articles/{id}: the record
// and, when the request named a query, its highlights.
type ArticleResponse struct {
	corpus.Article
	Highlight *search.Highlight `json:"highlight,omitempty"`
}

func (srv *Server) apiArticle(c *gin.Context) {
	if !allowParams(c, "q") {
		return
	}
	q := c.Query("q")
	s, err := srv.searcher(c)
	var h search.Hit
	if err == nil {
		h, err = s.Article(c.Request.Context(), c.Param("id"), q)
	}
	if srv.redirectMoved(c, err) {
		return
	}
	if err != nil {
		srv.fail(c, err)
		return
	}
	out := ArticleResponse{Article: h.Article}
	if q != "" {
		out.Highlight = &h.Highlight
	}
	writeJSON(c, http.StatusOK, out)
}

// SimilarResponse is the body of GET /api/v1/articles/{id}/similar.
type SimilarResponse struct {
	ID   string       `json:"id"`
	Hits []search.Hit `json:"hits"`
}

func (srv *Server) apiSimilar(c *gin.Context) {
	if !allowParams(c, "size") {
		return
	}
	size := 0
	if v := c.Query("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			apiError(c, http.StatusBadRequest, search.CodeBadSize, fmt.Sprintf("size %q is not a whole number from 1 to %d", v, search.MaxSize))
			return
		}
		size = n
	}
	id := c.Param("id")
	s, err := srv.searcher(c)
	var hits []search.Hit
	if err == nil {
		hits, err = s.Similar(c.Request.Context(), id, size)
	}
	if srv.redirectMoved(c, err) {
		return
	}
	if err != nil {
		srv.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, SimilarResponse{ID: id, Hits: hits})
}

func (srv *Server) apiFacets(c *gin.Context) {
	if !allowParams(c) {
		return
	}
	s, err := srv.searcher(c)
	var f *search.Overview
	if err == nil {
		f, err = s.Overview(c.Request.Context())
	}
	if err != nil {
		srv.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, f)
}
