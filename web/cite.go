package web

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"newsarchive/cite"
	"newsarchive/corpus"
	"newsarchive/search"
)

// Content types of the reference-manager downloads (docs/workbench.md).
const (
	risType    = "application/x-research-info-systems; charset=utf-8"
	bibtexType = "application/x-bibtex; charset=utf-8"
	cslType    = "application/vnd.citationstyles.csl+json; charset=utf-8"
)

// ref is the citation of an article read now: its permalink under the
// base URL and today's date (China Standard Time) as the access date.
func (srv *Server) ref(a corpus.Article, at time.Time) cite.Ref {
	return cite.Ref{Article: a, URL: srv.absURL("/articles/" + url.PathEscape(a.ID)), Accessed: at}
}

// risFormat, bibtexFormat and cslFormat write a result set as one RIS,
// BibTeX or CSL-JSON document, an article at a time.
func (srv *Server) risFormat() exportFormat {
	var at time.Time
	return exportFormat{
		contentType: risType, ext: "ris",
		begin: func(_ *bufio.Writer, info exportInfo) error { at = info.at; return nil },
		row:   func(w *bufio.Writer, _ int, h search.Hit) error { return cite.RIS(w, srv.ref(h.Article, at)) },
		cut:   func(*bufio.Writer, ErrorDetail) error { return nil }, // RIS has no comments: the trailer says
	}
}

func (srv *Server) bibtexFormat() exportFormat {
	var at time.Time
	return exportFormat{
		contentType: bibtexType, ext: "bib",
		begin: func(_ *bufio.Writer, info exportInfo) error { at = info.at; return nil },
		row: func(w *bufio.Writer, i int, h search.Hit) error {
			if i > 0 {
				w.WriteByte('\n')
			}
			return cite.BibTeX(w, srv.ref(h.Article, at))
		},
		cut: func(w *bufio.Writer, e ErrorDetail) error {
			_, err := fmt.Fprintf(w, "\n@comment{%s %s: %s}\n", CSVCutMarker, e.Code, bibComment(e.Message))
			return err
		},
	}
}

// bibComment keeps the braces of a message from ending a @comment.
func bibComment(s string) string {
	return strings.Map(func(c rune) rune {
		if c == '{' || c == '}' {
			return '|'
		}
		return c
	}, s)
}

func (srv *Server) cslFormat() exportFormat {
	var at time.Time
	return exportFormat{
		contentType: cslType, ext: "csl.json",
		begin: func(w *bufio.Writer, info exportInfo) error {
			at = info.at
			_, err := w.WriteString("[\n")
			return err
		},
		row: func(w *bufio.Writer, i int, h search.Hit) error {
			b, err := json.MarshalIndent(cite.CSL(srv.ref(h.Article, at)), "  ", "  ")
			if err != nil {
				return err
			}
			if i > 0 {
				w.WriteString(",\n")
			}
			w.WriteString("  ")
			_, err = w.Write(b)
			return err
		},
		cut: func(*bufio.Writer, ErrorDetail) error { return nil }, // the items must stay items: the trailer says
		end: func(w *bufio.Writer) error {
			_, err := w.WriteString("\n]\n")
			return err
		},
	}
}

func (srv *Server) apiExportRIS(c *gin.Context)    { srv.export(c, srv.risFormat()) }
func (srv *Server) apiExportBibTeX(c *gin.Context) { srv.export(c, srv.bibtexFormat()) }
func (srv *Server) apiExportCSL(c *gin.Context)    { srv.export(c, srv.cslFormat()) }

// ArticleDownloadName is the file name of an article's citation file:
// newsarchive-<title>-<id>.<ext>, the title (cite.Title) made fit for a
// file name and cut at 40 characters.
func ArticleDownloadName(a corpus.Article, ext string) string {
	t := fileNamePart(cite.Title(a, " "), 40)
	if t == "" {
		return "newsarchive-" + a.ID + "." + ext
	}
	return "newsarchive-" + t + "-" + a.ID + "." + ext
}

// citedArticle reads the record of the article of a citation route; on
// failure it has answered (400, 404, a redirect for a moved id).
func (srv *Server) citedArticle(c *gin.Context) (corpus.Article, bool) {
	if !allowParams(c) {
		return corpus.Article{}, false
	}
	s, err := srv.searcher(c)
	var h search.Hit
	if err == nil {
		h, err = s.Article(c.Request.Context(), c.Param("id"), "")
	}
	if srv.redirectMoved(c, err) {
		return corpus.Article{}, false
	}
	if err != nil {
		srv.fail(c, err)
		return corpus.Article{}, false
	}
	return h.Article, true
}

// CiteResponse is the body of GET /api/v1/articles/{id}/cite: the
// article's references in every style (cite.All), the <meta> tags of its
// page and the addresses of its citation files.
type CiteResponse struct {
	ID        string          `json:"id"`
	Citations []cite.Citation `json:"citations"`
	Meta      []cite.Meta     `json:"meta"`
	Files     CiteFiles       `json:"files"`
}

// CiteFiles are the addresses of an article's citation files.
type CiteFiles struct {
	RIS     string `json:"ris"`
	BibTeX  string `json:"bibtex"`
	CSLJSON string `json:"csl_json"`
}

// citeFiles are the API addresses of an article's citation files.
func citeFiles(id string) CiteFiles {
	base := "/api/v1/articles/" + url.PathEscape(id) + "/cite"
	return CiteFiles{RIS: base + ".ris", BibTeX: base + ".bib", CSLJSON: base + ".csl.json"}
}

func (srv *Server) apiCite(c *gin.Context) {
	a, ok := srv.citedArticle(c)
	if !ok {
		return
	}
	r := srv.ref(a, time.Now().In(archiveZone))
	writeJSON(c, http.StatusOK, CiteResponse{ID: a.ID, Citations: cite.All(r), Meta: cite.MetaTags(r), Files: citeFiles(a.ID)})
}

// articleFile answers an article's citation file written by write.
func (srv *Server) articleFile(c *gin.Context, contentType, ext string, write func(*bytes.Buffer, cite.Ref) error) {
	a, ok := srv.citedArticle(c)
	if !ok {
		return
	}
	var b bytes.Buffer
	if err := write(&b, srv.ref(a, time.Now().In(archiveZone))); err != nil {
		srv.fail(c, fmt.Errorf("article %s: %w", a.ID, err))
		return
	}
	c.Header("Content-Disposition", contentDisposition(ArticleDownloadName(a, ext)))
	c.Data(http.StatusOK, contentType, b.Bytes())
}

func (srv *Server) apiArticleRIS(c *gin.Context) {
	srv.articleFile(c, risType, "ris", func(b *bytes.Buffer, r cite.Ref) error { return cite.RIS(b, r) })
}

func (srv *Server) apiArticleBibTeX(c *gin.Context) {
	srv.articleFile(c, bibtexType, "bib", func(b *bytes.Buffer, r cite.Ref) error { return cite.BibTeX(b, r) })
}

func (srv *Server) apiArticleCSL(c *gin.Context) {
	srv.articleFile(c, cslType, "csl.json", func(b *bytes.Buffer, r cite.Ref) error { return cite.CSLJSON(b, r) })
}

// citeStyleLabel names a style of cite.All on the article page.
func citeStyleLabel(style string) string {
	switch style {
	case cite.StyleGBT7714:
		return "GB/T 7714-2015"
	case cite.StyleAPA:
		return "APA（第 7 版）"
	case cite.StyleChicagoNote:
		return "芝加哥（注释）"
	case cite.StyleChicagoBiblio:
		return "芝加哥（参考文献）"
	}
	return style
}

// citeItem is one reference on the article page.
type citeItem struct {
	Label string
	ID    string // the element id: citation (GB/T 7714), citation-<style>
	HTML  template.HTML
}

// articleCite is the citation part of an article page: the references,
// the <meta> tags of its <head> and the links to its citation files.
type articleCite struct {
	Citations []citeItem
	Meta      []cite.Meta
	MetaLinks [][2]string
	Files     CiteFiles
}

// articleCitation builds the citation part of an article's page.
func (srv *Server) articleCitation(a corpus.Article, at time.Time) articleCite {
	r := srv.ref(a, at)
	out := articleCite{Meta: cite.MetaTags(r), MetaLinks: cite.MetaLinks, Files: citeFiles(a.ID)}
	for _, ct := range cite.All(r) {
		id := "citation"
		if ct.Style != cite.StyleGBT7714 {
			id += "-" + ct.Style
		}
		// ct.HTML is escaped by package cite, with <i> only.
		out.Citations = append(out.Citations, citeItem{Label: citeStyleLabel(ct.Style), ID: id, HTML: template.HTML(ct.HTML)})
	}
	return out
}
