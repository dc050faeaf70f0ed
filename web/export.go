package web

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"newsarchive/search"
)

// ExportLimit is the most articles one CSV or JSONL download holds.
const ExportLimit = 10_000

// CSVColumns are the columns of search.csv: the record's fields, in the
// record's order. List fields are joined with ";".
var CSVColumns = []string{"id", "source", "ordinal", "kind", "paper", "date", "page", "kicker", "title", "subtitle", "authors", "body", "counties", "county", "topics", "topic"}

// exportRequest reads a download's search parameters and its limit.
func exportRequest(c *gin.Context) (search.Request, int, error) {
	r, err := searchRequest(c)
	if err != nil {
		return r, 0, err
	}
	limit := ExportLimit
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > ExportLimit {
			return r, 0, fmt.Errorf("%w: limit %q is not a whole number from 1 to %d", search.ErrBadRequest, v, ExportLimit)
		}
		limit = n
	}
	return r, limit, nil
}

// export streams the hits of a download. The query is checked before the
// first byte is written, so a bad one still gets a 400; an error after
// that can only cut the stream short (and is logged).
func (srv *Server) export(c *gin.Context, contentType, ext string, begin func(*bufio.Writer) error, row func(*bufio.Writer, search.Hit) error) {
	if !allowParams(c, exportParams...) {
		return
	}
	r, limit, err := exportRequest(c)
	if err != nil {
		srv.fail(c, err)
		return
	}
	s, err := srv.searcher(c)
	if err != nil {
		srv.fail(c, err)
		return
	}
	if err := s.Check(r); err != nil {
		srv.fail(c, err)
		return
	}
	c.Header("Content-Type", contentType)
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="newsarchive-search.%s"`, ext))
	c.Status(http.StatusOK)
	w := bufio.NewWriterSize(c.Writer, 64<<10)
	if err := begin(w); err != nil {
		return
	}
	err = s.Each(c.Request.Context(), r, limit, func(h search.Hit) error { return row(w, h) })
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		srv.log.WarnContext(c.Request.Context(), "download cut short", "path", c.Request.URL.Path, "err", err)
	}
}

func (srv *Server) apiExportCSV(c *gin.Context) {
	var cw *csv.Writer
	bom := c.Query("bom") == "1"
	srv.export(c, "text/csv; charset=utf-8", "csv", func(w *bufio.Writer) error {
		if bom {
			w.WriteString("\uFEFF") // for spreadsheet programs that assume a legacy encoding otherwise
		}
		cw = csv.NewWriter(w)
		return cw.Write(CSVColumns)
	}, func(w *bufio.Writer, h search.Hit) error {
		a := h.Article
		err := cw.Write([]string{a.ID, a.Source, strconv.Itoa(a.Ordinal), a.Kind, a.Paper, a.Date, a.Page,
			a.Kicker, a.Title, a.Subtitle, strings.Join(a.Authors, ";"), a.Body,
			strings.Join(a.Counties, ";"), a.County, strings.Join(a.Topics, ";"), a.Topic})
		if err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	})
}

func (srv *Server) apiExportJSONL(c *gin.Context) {
	srv.export(c, "application/x-ndjson; charset=utf-8", "jsonl", func(*bufio.Writer) error { return nil },
		func(w *bufio.Writer, h search.Hit) error {
			enc := json.NewEncoder(w)
			enc.SetEscapeHTML(false)
			return enc.Encode(h.Article)
		})
}
