package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"newsarchive/search"
)

// The researchers' web UI (docs/web-ui.md): server-rendered pages from
// html/template, with the whole state of a search in its URL. Every page
// works without JavaScript; /static/app.js only adds niceties.
//
//	/                 the search page
//	/search?q=…       results (the API's parameter names)
//	/articles/{id}    one article (?q= highlights the query's terms)
//	/about            query syntax, tags, the API
//	/trends?q=…       term trends (up to five queries per month or year)
//	/concordance?q=…  keyword in context
//	/static/…         the embedded stylesheet and script

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// siteName is the archive's name in page titles and the header.
const siteName = "地方新闻档案"

var (
	uiOnce      sync.Once
	uiTemplates map[string]*template.Template
	uiAssets    map[string]asset
	uiErr       error
)

// asset is one embedded static file.
type asset struct {
	body  []byte
	ctype string
	etag  string
}

// loadUI parses the templates and reads the static files, once.
func loadUI() (map[string]*template.Template, map[string]asset, error) {
	uiOnce.Do(func() {
		uiAssets = map[string]asset{}
		uiErr = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := staticFS.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			ctype := mime.TypeByExtension(path.Ext(p))
			if ctype == "" {
				ctype = "application/octet-stream"
			}
			uiAssets[strings.TrimPrefix(p, "static/")] = asset{body: b, ctype: ctype, etag: hex.EncodeToString(sum[:8])}
			return nil
		})
		if uiErr != nil {
			return
		}
		uiTemplates = map[string]*template.Template{}
		pages, err := fs.Glob(templateFS, "templates/*.html")
		if err != nil {
			uiErr = err
			return
		}
		for _, p := range pages {
			name := path.Base(p)
			if name == "layout.html" {
				continue
			}
			t, err := template.New(name).Funcs(templateFuncs()).ParseFS(templateFS, "templates/layout.html", p)
			if err != nil {
				uiErr = err
				return
			}
			uiTemplates[strings.TrimSuffix(name, ".html")] = t
		}
	})
	return uiTemplates, uiAssets, uiErr
}

// staticURL is the URL of an embedded static file, with its content hash
// so that a changed file is fetched again.
func staticURL(name string) string {
	_, assets, _ := loadUI()
	if a, ok := assets[name]; ok {
		return "/static/" + name + "?v=" + a.etag
	}
	return "/static/" + name
}

// templateFuncs are the functions the templates call. None of them turns a
// string into HTML: highlights become template.HTML in Go code, and only
// there (hitView's methods, articlePage, paragraphs).
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"static":    staticURL,
		"thousands": thousands,
	}
}

// uiRoutes registers the researchers' pages.
func (srv *Server) uiRoutes() {
	e := srv.engine
	e.Match(readMethods, "/", srv.homePage)
	e.Match(readMethods, "/search", srv.resultsPage)
	e.Match(readMethods, "/articles/:id", srv.articlePage)
	e.Match(readMethods, "/about", srv.aboutPage)
	e.Match(readMethods, "/trends", srv.trendsPage)
	e.Match(readMethods, "/concordance", srv.concordancePage)
	e.Match(readMethods, "/static/*name", serveStatic)
}

// page is what every page's layout needs.
type page struct {
	Title string // the <title>, before the site name
	Query string // the header search box's value
	Nav   string // "search" or "about": the current section
	// HeaderSearch puts a search box in the header (pages without one of
	// their own).
	HeaderSearch bool
	Feed         string // an Atom feed of the page, if any
	Site         string
	Status       int
}

func newPage(title string) page {
	return page{Title: title, Site: siteName, Status: http.StatusOK}
}

// render executes a page template into a buffer first, so that an error
// gives a clean 500 instead of half a page.
func (srv *Server) render(c *gin.Context, status int, name string, data any) {
	tmpl, _, err := loadUI()
	var buf bytes.Buffer
	if err == nil {
		t := tmpl[name]
		if t == nil {
			err = errors.New("no template " + name)
		} else {
			err = t.ExecuteTemplate(&buf, "layout", data)
		}
	}
	if err != nil {
		srv.log.ErrorContext(c.Request.Context(), "render page", "page", name, "err", err)
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("internal error"))
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// errorView is the body of an error page.
type errorView struct {
	page
	Heading string
	Message string
}

// errorPage renders a page that says what went wrong.
func (srv *Server) errorPage(c *gin.Context, status int, heading, message string) {
	v := errorView{page: newPage(heading), Heading: heading, Message: message}
	v.Status = status
	v.HeaderSearch = true
	if q := c.Query("q"); utf8.ValidString(q) { // a request turned away for its bytes does not echo them
		v.Query = q
	}
	srv.render(c, status, "error", v)
}

func (srv *Server) notFoundPage(c *gin.Context) {
	srv.errorPage(c, http.StatusNotFound, "找不到这个页面", "地址 "+c.Request.URL.Path+" 没有对应的页面。")
}

// failPage answers an error of the search package with a page and the
// right status.
func (srv *Server) failPage(c *gin.Context, err error) {
	switch {
	case errors.Is(err, search.ErrNotFound):
		srv.errorPage(c, http.StatusNotFound, "找不到这篇文章", "档案中没有这个编号的文章："+c.Param("id"))
	case errors.Is(err, context.Canceled):
		c.Abort()
	case errors.Is(err, context.DeadlineExceeded):
		srv.errorPage(c, http.StatusServiceUnavailable, "检索超时", "这次检索用时太长，请缩小范围后再试。")
	case errors.Is(err, errUnavailable), errors.Is(err, search.ErrUnavailable):
		srv.log.WarnContext(c.Request.Context(), "index unavailable", "path", c.Request.URL.Path, "err", err)
		c.Header("Retry-After", "1")
		srv.errorPage(c, http.StatusServiceUnavailable, "索引暂时不可用", "档案索引正在切换或检修，请稍后再试。")
	default:
		srv.log.ErrorContext(c.Request.Context(), "page failed", "path", c.Request.URL.Path, "err", err)
		srv.errorPage(c, http.StatusInternalServerError, "内部错误", "服务器出错了，请稍后再试。")
	}
}

// badRequestMessage is the text of a search.ErrBadRequest error, without
// its "bad request: " prefix.
func badRequestMessage(err error) string {
	return strings.TrimPrefix(err.Error(), search.ErrBadRequest.Error()+": ")
}

// pageErrorMessage is what a page says about a bad request: in Chinese,
// with the character position of a query syntax error
// (search.ChineseMessage; the API keeps the English message and the code).
func pageErrorMessage(err error) string { return search.ChineseMessage(err) }

func serveStatic(c *gin.Context) {
	_, assets, err := loadUI()
	name := strings.TrimPrefix(c.Param("name"), "/")
	a, ok := assets[name]
	if err != nil || !ok {
		c.Data(http.StatusNotFound, "text/plain; charset=utf-8", []byte("404 page not found"))
		return
	}
	etag := `"` + a.etag + `"`
	c.Header("ETag", etag)
	if c.Query("v") == a.etag {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "public, max-age=300")
	}
	if c.GetHeader("If-None-Match") == etag {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, a.ctype, a.body)
}

// pageLabel is a newspaper page for people: "2" is 第2版.
func pageLabel(p string) string {
	p = strings.TrimSpace(p)
	if p == "" {
		return ""
	}
	if n, err := strconv.Atoi(p); err == nil {
		return "第" + strconv.Itoa(n) + "版"
	}
	return p
}

// thousands writes n with thousands separators.
func thousands(n any) string {
	var s string
	switch v := n.(type) {
	case int:
		s = strconv.Itoa(v)
	case uint64:
		s = strconv.FormatUint(v, 10)
	case int64:
		s = strconv.FormatInt(v, 10)
	default:
		return ""
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// searchURL is the results page of a set of parameters.
func searchURL(v url.Values) string {
	if len(v) == 0 {
		return "/search"
	}
	return "/search?" + v.Encode()
}

// articleURL is an article's page, highlighting q when it is not empty.
func articleURL(id, q string) string {
	u := "/articles/" + url.PathEscape(id)
	if q != "" {
		u += "?" + url.Values{"q": {q}}.Encode()
	}
	return u
}
