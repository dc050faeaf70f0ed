package web

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"newsarchive/search"
)

// ExportLimit is the most articles one CSV or JSONL download holds.
const ExportLimit = 10_000

// CSVColumns are the columns of search.csv: the record's fields, in the
// record's order, then the article's url (its page under the server's
// base URL). List fields are joined with ";".
var CSVColumns = []string{"id", "source", "ordinal", "kind", "paper", "date", "page", "kicker", "title", "subtitle", "authors", "body", "counties", "county", "topics", "topic", "url"}

// How a download ends. Once a download's query is checked its headers are
// sent (200), so what goes wrong later can only be said at its end:
//
//   - the HTTP trailer ExportStatusTrailer is ExportComplete or ExportCut;
//   - a cut JSONL download ends with one more line, an ErrorBody:
//     {"error":{"code":"limit_reached","message":"…"}};
//   - a cut CSV download ends with one more row of as many cells as the
//     header: CSVCutMarker, the code, the message, then empty cells.
//
// The codes of a cut: "limit_reached" (more articles match than the
// download holds: its limit, at most ExportLimit), "timeout" (the download
// took longer than Limits.ExportTimeout), "internal" (an error, logged on
// the server). A complete download ends with its last article and nothing
// else. A client that hangs up gets nothing more.
const (
	ExportStatusTrailer = "X-Export-Status"
	ExportComplete      = "complete"
	ExportCut           = "cut"
	CSVCutMarker        = "#export-cut"
)

// csvFormulaLead are the first characters that make a spreadsheet program
// read a cell as a formula (OWASP, "CSV injection"), with their full-width
// forms, which a spreadsheet set up for East Asian input may read alike.
const csvFormulaLead = "=+-@\t\r＝＋－＠"

// CSVCell is a value as search.csv writes it: a value starting with one
// of = + - @ (or their full-width forms ＝ ＋ － ＠), a tab or a carriage
// return gets a leading ' so that a spreadsheet program shows it as text
// instead of running it as a formula (OWASP's advice against CSV
// injection); every other value is unchanged.
func CSVCell(s string) string {
	if r, _ := utf8.DecodeRuneInString(s); s != "" && strings.ContainsRune(csvFormulaLead, r) {
		return "'" + s
	}
	return s
}

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

// exportFormat writes one kind of download.
type exportFormat struct {
	contentType, ext string
	begin            func(*bufio.Writer) error              // before the first row
	row              func(*bufio.Writer, search.Hit) error  // one article
	cut              func(*bufio.Writer, ErrorDetail) error // the end of a cut download
}

// idleWriter gives each write to the client idle to go through: a client
// that stops reading loses its download (and frees its slot) after that
// long, one that reads slowly keeps it, up to ExportTimeout.
// connKey is the request context key of the connection a request came
// on (set by HTTPServer).
type connKey struct{}

// downloadSendBuffer bounds the kernel's send buffer of a connection that
// streams a download (the kernel doubles it). Left to autotuning, it grows
// to megabytes, and the kernel wakes a blocked write only when half of it
// has drained: a client reading slowly but steadily would look idle for
// minutes (DownloadIdleTimeout would drop it), and every stalled download
// would hold megabytes of kernel memory. 256 KiB still carries 2.5 MB/s
// at 100 ms of round trip.
const downloadSendBuffer = 256 << 10

// boundSendBuffer applies downloadSendBuffer to the request's connection,
// when it is a TCP connection served by HTTPServer.
func boundSendBuffer(c *gin.Context) {
	if tc, ok := c.Request.Context().Value(connKey{}).(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(downloadSendBuffer) // a failure leaves the kernel's default
	}
}

type idleWriter struct {
	w    io.Writer
	rc   *http.ResponseController
	idle time.Duration
}

func (iw idleWriter) Write(p []byte) (int, error) {
	_ = iw.rc.SetWriteDeadline(time.Now().Add(iw.idle)) // not supported (a test recorder): no deadline
	return iw.w.Write(p)
}

// errEnough stops Each once a download has one article more than its
// limit: proof that the limit cut it.
var errEnough = errors.New("enough articles")

// writeError is a failure to write the download to the client.
type writeError struct{ err error }

func (e writeError) Error() string { return "write download: " + e.err.Error() }
func (e writeError) Unwrap() error { return e.err }

// export streams the hits of a download. The query is checked before the
// first byte is written, so a bad one still gets a 400; what goes wrong
// after that is said at the download's end (see ExportStatusTrailer) and
// logged. HEAD gets the headers only.
func (srv *Server) export(c *gin.Context, f exportFormat) {
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
	c.Header("Content-Type", f.contentType)
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="newsarchive-search.%s"`, f.ext))
	c.Header("Trailer", ExportStatusTrailer)
	c.Status(http.StatusOK)
	if c.Request.Method == http.MethodHead {
		return
	}
	ctx := c.Request.Context()
	var out io.Writer = c.Writer
	boundSendBuffer(c)
	if idle := srv.limits.DownloadIdleTimeout; idle > 0 {
		out = idleWriter{w: c.Writer, rc: http.NewResponseController(c.Writer), idle: idle}
	}
	w := bufio.NewWriterSize(out, 64<<10)
	n, more := 0, false
	err = f.begin(w)
	if err != nil {
		err = writeError{err}
	} else {
		err = s.Each(ctx, r, limit+1, func(h search.Hit) error {
			if n == limit {
				more = true
				return errEnough
			}
			n++
			if err := f.row(w, h); err != nil {
				return writeError{err}
			}
			return nil
		})
	}
	if errors.Is(err, errEnough) {
		err = nil
	}
	var cut *ErrorDetail
	var we writeError
	switch {
	case errors.As(err, &we) || errors.Is(err, context.Canceled):
		srv.log.WarnContext(ctx, "download cut short: the client went away", "path", c.Request.URL.Path, "articles", n, "err", err)
		return // no one to tell
	case err == nil && more:
		cut = &ErrorDetail{Code: "limit_reached", Message: fmt.Sprintf(
			"the download stops at %d articles, its limit; more match: narrow the query or split it (by date, county …)", limit)}
	case errors.Is(err, context.DeadlineExceeded):
		cut = &ErrorDetail{Code: "timeout", Message: fmt.Sprintf(
			"the download was cut after %d articles: it took longer than the server allows (%s); narrow the query or split it", n, srv.limits.ExportTimeout)}
	case err != nil:
		srv.log.ErrorContext(ctx, "download failed", "path", c.Request.URL.Path, "articles", n, "err", err)
		cut = &ErrorDetail{Code: "internal", Message: fmt.Sprintf("the download was cut after %d articles by an internal error", n)}
	}
	status := ExportComplete
	if cut != nil {
		status = ExportCut
		srv.log.WarnContext(ctx, "download cut", "path", c.Request.URL.Path, "code", cut.Code, "articles", n)
		if err := f.cut(w, *cut); err != nil {
			srv.log.WarnContext(ctx, "download end not written", "path", c.Request.URL.Path, "err", err)
			return
		}
	}
	if err := w.Flush(); err != nil {
		srv.log.WarnContext(ctx, "download cut short: the client went away", "path", c.Request.URL.Path, "articles", n, "err", err)
		return
	}
	c.Writer.Header().Set(ExportStatusTrailer, status)
}

func (srv *Server) apiExportCSV(c *gin.Context) {
	var cw *csv.Writer
	bom := c.Query("bom") == "1"
	write := func(cells []string) error {
		for i, v := range cells {
			cells[i] = CSVCell(v)
		}
		if err := cw.Write(cells); err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	}
	srv.export(c, exportFormat{
		contentType: "text/csv; charset=utf-8", ext: "csv",
		begin: func(w *bufio.Writer) error {
			if bom {
				w.WriteString("\uFEFF") // for spreadsheet programs that assume a legacy encoding otherwise
			}
			cw = csv.NewWriter(w)
			return write(append([]string(nil), CSVColumns...))
		},
		row: func(w *bufio.Writer, h search.Hit) error {
			a := h.Article
			return write([]string{a.ID, a.Source, strconv.Itoa(a.Ordinal), a.Kind, a.Paper, a.Date, a.Page,
				a.Kicker, a.Title, a.Subtitle, strings.Join(a.Authors, ";"), a.Body,
				strings.Join(a.Counties, ";"), a.County, strings.Join(a.Topics, ";"), a.Topic,
				srv.absURL("/articles/" + url.PathEscape(a.ID))})
		},
		cut: func(w *bufio.Writer, e ErrorDetail) error {
			row := make([]string, len(CSVColumns))
			row[0], row[1], row[2] = CSVCutMarker, e.Code, e.Message
			return write(row)
		},
	})
}

func (srv *Server) apiExportJSONL(c *gin.Context) {
	line := func(w *bufio.Writer, v any) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(v)
	}
	srv.export(c, exportFormat{
		contentType: "application/x-ndjson; charset=utf-8", ext: "jsonl",
		begin: func(*bufio.Writer) error { return nil },
		row:   func(w *bufio.Writer, h search.Hit) error { return line(w, h.Article) },
		cut:   func(w *bufio.Writer, e ErrorDetail) error { return line(w, ErrorBody{e}) },
	})
}
