package web

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"newsarchive/search"
)

// FeedSize is the number of newest articles an Atom feed holds.
const FeedSize = 50

// The Atom 1.0 document (RFC 4287), as much of it as a feed of articles
// needs.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
}

type atomEntry struct {
	Title      string         `xml:"title"`
	ID         string         `xml:"id"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Links      []atomLink     `xml:"link"`
	Authors    []atomPerson   `xml:"author"`
	Categories []atomCategory `xml:"category"`
	Summary    atomText       `xml:"summary"`
	Content    atomText       `xml:"content"`
}

// CheckBaseURL checks a base URL for Options.BaseURL (an http or https
// URL with a host, no query or fragment) and returns it without a
// trailing slash.
func CheckBaseURL(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", fmt.Errorf("base URL %q: %w", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("base URL %q: want http(s)://host[:port][/path], without query, fragment or user", s)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// absURL is the absolute URL of a path of this server: under the
// configured base URL, or the path itself when there is none.
func (srv *Server) absURL(path string) string { return srv.baseURL + path }

// atomTime is the feed timestamp of an article date (papers are dated in
// China Standard Time).
func atomTime(date string) string {
	t, err := time.ParseInLocation("2006-01-02", date, time.FixedZone("CST", 8*3600))
	if err != nil {
		return "1970-01-01T00:00:00Z"
	}
	return t.Format(time.RFC3339)
}

func (srv *Server) apiAtom(c *gin.Context) {
	if !allowParams(c, atomParams...) {
		return
	}
	r, err := searchRequest(c)
	if err != nil {
		srv.fail(c, err)
		return
	}
	r.Sort, r.Page, r.Size, r.After = search.SortNewest, 1, FeedSize, ""
	s, err := srv.searcher(c)
	var res *search.Response
	if err == nil {
		res, err = s.Search(c.Request.Context(), r)
	}
	if err != nil {
		srv.fail(c, err)
		return
	}
	self := srv.absURL(c.Request.URL.RequestURI())
	html := srv.absURL("/search?" + c.Request.URL.RawQuery)
	title := "newsarchive"
	if r.Query != "" {
		title += ": " + r.Query
	}
	feed := atomFeed{
		Title:   title,
		ID:      "urn:newsarchive:feed:" + c.Request.URL.RawQuery,
		Updated: "1970-01-01T00:00:00Z",
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: self},
			{Rel: "alternate", Type: "text/html", Href: html},
		},
		Author: atomPerson{Name: "newsarchive"},
	}
	for i, h := range res.Hits {
		a := h.Article
		when := atomTime(a.Date)
		if i == 0 {
			feed.Updated = when
		}
		e := atomEntry{
			Title:     entryTitle(h),
			ID:        "urn:newsarchive:article:" + a.ID, // stable whatever the base URL
			Updated:   when,
			Published: when,
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: srv.absURL("/articles/" + url.PathEscape(a.ID))}},
			Summary:   atomText{Type: "html", Body: h.Highlight.Snippet},
			Content:   atomText{Type: "text", Body: a.Body},
		}
		for _, name := range a.Authors {
			e.Authors = append(e.Authors, atomPerson{Name: name})
		}
		if len(e.Authors) == 0 && a.Paper != "" {
			e.Authors = append(e.Authors, atomPerson{Name: a.Paper})
		}
		for _, v := range a.Counties {
			e.Categories = append(e.Categories, atomCategory{Term: v, Scheme: srv.absURL("/search?county=")})
		}
		for _, v := range a.Topics {
			e.Categories = append(e.Categories, atomCategory{Term: v, Scheme: srv.absURL("/search?topic=")})
		}
		feed.Entries = append(feed.Entries, e)
	}
	out, err := xml.MarshalIndent(feed, "", "  ")
	if err != nil {
		srv.fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/atom+xml; charset=utf-8", append([]byte(xml.Header), out...))
}

// entryTitle is a hit's title as plain text: kicker and title, or the
// start of a photo's caption.
func entryTitle(h search.Hit) string {
	t := strings.TrimSpace(h.Title)
	if t == "" {
		rs := []rune(strings.TrimSpace(h.Article.Body))
		if len(rs) > 40 {
			rs = append(rs[:40], '…')
		}
		t = string(rs)
	}
	return t
}
