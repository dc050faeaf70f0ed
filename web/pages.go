package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"newsarchive/corpus"
	"newsarchive/search"
)

// homeView is the search page.
type homeView struct {
	page
	Overview *search.Overview
	Examples []example
	Counties []link
	Topics   []link
}

type example struct{ Query, URL, Note string }

type link struct {
	Label string
	URL   string
	Count int
}

// examples are queries of docs/query-syntax.md worth a first click.
var examples = []example{
	{`满族`, "", "一个词：标题、引题、副题或正文中出现"},
	{`农田 排涝`, "", "空格分开的词都要出现"},
	{`"10万余元"`, "", "引号内为精确短语"},
	{`黑土地 OR 满族剪纸`, "", "任一即可"},
	{`(教育 OR 医疗) county:伊通`, "", "括号分组，按县区筛选"},
	{`title:"黑土地"`, "", "只查标题"},
	{`county:梨树县 topic:农业农村`, "", "区县与主题"},
	{`place:四平市 秋粮`, "", "某地市及其区县"},
	{`date:2023-08 经济`, "", "某月的文章"},
}

func (srv *Server) homePage(c *gin.Context) {
	v := homeView{page: newPage("")}
	for _, e := range examples {
		e.URL = searchURL(url.Values{"q": {e.Query}})
		v.Examples = append(v.Examples, e)
	}
	s, err := srv.searcher(c)
	var o *search.Overview
	if err == nil {
		o, err = s.Overview(c.Request.Context())
	}
	if err != nil {
		// The page is still useful without the numbers.
		srv.log.WarnContext(c.Request.Context(), "overview", "err", err)
	} else {
		v.Overview = o
		for _, fv := range o.Counties {
			if fv.Count > 0 {
				v.Counties = append(v.Counties, link{fv.Value, searchURL(url.Values{"county": {fv.Value}}), fv.Count})
			}
		}
		for _, fv := range o.Topics {
			if fv.Count > 0 {
				v.Topics = append(v.Topics, link{fv.Value, searchURL(url.Values{"topic": {fv.Value}}), fv.Count})
			}
		}
	}
	srv.render(c, http.StatusOK, "home", v)
}

// aboutView is the about page.
type aboutView struct {
	page
	Counties []string
	Topics   []string
}

func (srv *Server) aboutPage(c *gin.Context) {
	v := aboutView{page: newPage("关于与检索语法")}
	v.Nav = "about"
	v.HeaderSearch = true
	if t := srv.tagger; t != nil {
		v.Counties = (&search.Searcher{Tagger: t}).CuratedCounties()
		if t.Taxonomy != nil {
			v.Topics = t.Taxonomy.Labels()
		}
	}
	srv.render(c, http.StatusOK, "about", v)
}

// articleView is an article's page.
type articleView struct {
	page
	A          corpus.Article
	Photo      bool
	Kicker     template.HTML // highlights of the query the reader came with
	HeadTitle  template.HTML
	Subtitle   template.HTML
	Paragraphs []template.HTML
	PageLabel  string
	Counties   []link
	Places     [][]link // each place with its ancestors before it
	Topics     []link
	Authors    []link
	PaperURL   string
	DateURL    string
	Similar    []hitView
	Permalink  string
	Cite       articleCite // references, <meta> tags, citation files
	Back       string      // the search the reader came from
	JSON       string      // the record in the API
}

// similarCount is how many similar articles an article page lists.
const similarCount = 6

func (srv *Server) articlePage(c *gin.Context) {
	ctx := c.Request.Context()
	id := c.Param("id")
	q := strings.TrimSpace(c.Query("q"))
	s, err := srv.searcher(c)
	var h search.Hit
	if err == nil {
		h, err = s.Article(ctx, id, q)
	}
	if srv.redirectMoved(c, err) {
		return
	}
	if err != nil {
		srv.failPage(c, err)
		return
	}
	a := h.Article
	v := articleView{page: newPage(articleTitle(a)), A: a, Photo: a.Kind == corpus.KindPhoto, PageLabel: pageLabel(a.Page)}
	v.Query = q
	v.HeaderSearch = true
	v.Kicker = template.HTML(h.Highlight.Kicker)
	v.HeadTitle = template.HTML(h.Highlight.Title)
	v.Subtitle = template.HTML(h.Highlight.Subtitle)
	v.Paragraphs = paragraphs(h.Highlight.Body)
	for _, x := range a.Counties {
		v.Counties = append(v.Counties, link{Label: x, URL: searchURL(url.Values{"county": {x}})})
	}
	v.Places = placeLinks(a)
	for _, x := range a.Topics {
		v.Topics = append(v.Topics, link{Label: x, URL: searchURL(url.Values{"topic": {x}})})
	}
	for _, x := range a.Authors {
		v.Authors = append(v.Authors, link{Label: x, URL: searchURL(url.Values{"author": {x}})})
	}
	if a.Paper != "" {
		v.PaperURL = searchURL(url.Values{"paper": {a.Paper}})
	}
	if a.Date != "" {
		v.DateURL = dayURL(a.Date)
	}
	v.Back = backURL(c.Request.URL.Query())
	v.Permalink = srv.absURL("/articles/" + url.PathEscape(a.ID))
	v.Cite = srv.articleCitation(a, time.Now().In(archiveZone))
	v.JSON = "/api/v1/articles/" + url.PathEscape(a.ID)
	similar, err := s.Similar(ctx, id, similarCount)
	if err != nil {
		srv.log.WarnContext(ctx, "similar articles", "id", id, "err", err)
	}
	st := newState(nil)
	for _, sh := range similar {
		sv := srv.hitView(st, sh)
		sv.URL = articleURL(sh.ID, "")
		v.Similar = append(v.Similar, sv)
	}
	srv.render(c, http.StatusOK, "article", v)
}

// articleTitle is an article's title as plain text, or the start of a
// photo's caption.
func articleTitle(a corpus.Article) string {
	if t := strings.TrimSpace(a.Title); t != "" {
		return t
	}
	if a.Kind == corpus.KindPhoto {
		return "图片：" + cut(a.Body, 24)
	}
	return "（无标题）"
}
