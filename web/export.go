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
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"newsarchive/search"
)

// MaxExportLimit is the largest limit a download takes; without one a
// download holds every matching article, however many.
const MaxExportLimit = 1 << 31

// DefaultExportPageSize is the number of articles a download reads from
// the engine at a time (Limits.ExportPageSize): the records it holds at
// once, whatever its length.
const DefaultExportPageSize = search.DefaultStreamPage

// TotalCountHeader is the header of a download giving the number of
// articles its search matches (before a limit).
const TotalCountHeader = "X-Total-Count"

// CSVQueryMarker starts the first row of a CSV download, the row that
// describes its search (see CSVQueryRow).
const CSVQueryMarker = "#query"

// downloadPath reports whether path is a result-set download: those
// stream, get Limits.ExportTimeout and a slot of the download pool.
func downloadPath(path string) bool {
	switch path {
	case "/api/v1/search.csv", "/api/v1/search.jsonl", "/api/v1/search.ris", "/api/v1/search.bib", "/api/v1/search.csl.json":
		return true
	}
	return false
}

// archiveZone is the time zone of the archive's papers (China Standard
// Time): the day of a download's name and of a citation's access date.
var archiveZone = time.FixedZone("CST", 8*3600)

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
//     header: CSVCutMarker, the code, the message, then empty cells;
//   - a cut BibTeX download ends with @comment{CSVCutMarker code: message};
//   - RIS and CSL-JSON have no place for it: they end with their last
//     whole record (CSL-JSON's array closed), and only the trailer says.
//
// The codes of a cut: "limit_reached" (more articles match than the
// download holds: the limit it asked for), "timeout" (the download
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

// exportRequest reads a download's search parameters and its limit (0:
// none, every matching article).
func exportRequest(c *gin.Context) (search.Request, int, error) {
	r, err := searchRequest(c)
	if err != nil {
		return r, 0, err
	}
	limit := 0
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxExportLimit {
			return r, 0, fmt.Errorf("%w: limit %q is not a whole number from 1 to %d", search.ErrBadRequest, v, MaxExportLimit)
		}
		limit = n
	}
	return r, limit, nil
}

// exportInfo is what a download knows before its first article.
type exportInfo struct {
	req   search.Request
	total uint64
	at    time.Time // the time of the export, in archiveZone
}

// exportFormat writes one kind of download.
type exportFormat struct {
	contentType, ext string
	begin            func(*bufio.Writer, exportInfo) error      // before the first article
	row              func(*bufio.Writer, int, search.Hit) error // the i-th article, from 0
	cut              func(*bufio.Writer, ErrorDetail) error     // the end of a cut download
	end              func(*bufio.Writer) error                  // after the last article (and the cut); may be nil
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

// exportPageSize is the number of articles a download reads at a time.
func (srv *Server) exportPageSize() int {
	if n := srv.limits.ExportPageSize; n > 0 {
		return n
	}
	return DefaultExportPageSize
}

// export streams the hits of a download, every one of them or up to its
// limit, a page at a time (search.Stream: the memory of one page, however
// many articles). The query is checked and the first page read before
// the first byte is written, so a bad query still gets a 400 and the
// headers give the total (TotalCountHeader); what goes wrong after that
// is said at the download's end (see ExportStatusTrailer) and logged.
// HEAD gets the headers only (the total is counted).
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
	ctx := c.Request.Context()
	page := srv.exportPageSize()
	if c.Request.Method == http.MethodHead {
		page = 1 // the total, and one record
	}
	st, err := s.Stream(ctx, r, page)
	if err != nil {
		srv.fail(c, err)
		return
	}
	info := exportInfo{req: r, total: st.Total(), at: time.Now().In(archiveZone)}
	c.Header("Content-Type", f.contentType)
	c.Header("Content-Disposition", contentDisposition(DownloadName(r, info.at, f.ext)))
	c.Header(TotalCountHeader, strconv.FormatUint(info.total, 10))
	c.Header("Trailer", ExportStatusTrailer)
	c.Status(http.StatusOK)
	if c.Request.Method == http.MethodHead {
		return
	}
	w := srv.downloadWriter(c)
	n, more := 0, false
	err = f.begin(w, info)
	if err != nil {
		err = writeError{err}
	} else {
		want := 0 // all
		if limit > 0 {
			want = limit + 1
		}
		err = st.Each(ctx, want, func(h search.Hit) error {
			if limit > 0 && n == limit {
				more = true
				return errEnough
			}
			if err := f.row(w, n, h); err != nil {
				return writeError{err}
			}
			n++
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
			"the download stops at %d articles, its limit; %d match: remove the limit to get them all", limit, info.total)}
	case errors.Is(err, context.DeadlineExceeded):
		cut = &ErrorDetail{Code: "timeout", Message: fmt.Sprintf(
			"the download was cut after %d articles of %d: it took longer than the server allows (%s); narrow the query or split it (by date, county …)", n, info.total, srv.limits.ExportTimeout)}
	case err != nil:
		srv.log.ErrorContext(ctx, "download failed", "path", c.Request.URL.Path, "articles", n, "err", err)
		cut = &ErrorDetail{Code: "internal", Message: fmt.Sprintf("the download was cut after %d articles of %d by an internal error", n, info.total)}
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
	if f.end != nil {
		if err := f.end(w); err != nil {
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

// effectiveSort is the order a request's hits come in: its Sort, or the
// default (relevance with a query, newest first without).
func effectiveSort(r search.Request) string {
	switch {
	case r.Sort != "":
		return r.Sort
	case strings.TrimSpace(r.Query) == "":
		return search.SortNewest
	}
	return search.SortRelevance
}

// filterParams are a request's filters as the API's parameters, in a
// fixed order, for the #query row and the results page's address.
func filterParams(r search.Request) [][2]string {
	var out [][2]string
	for _, f := range []struct {
		name string
		vs   []string
	}{{"province", r.Provinces}, {"prefecture", r.Prefectures}, {"county", r.Counties}, {"topic", r.Topics},
		{"author", r.Authors}, {"paper", r.Papers}, {"from", []string{r.From}}, {"to", []string{r.To}}} {
		for _, v := range f.vs {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, [2]string{f.name, v})
			}
		}
	}
	return out
}

// CSVQueryRow is the first row of a CSV download, describing its search,
// as many cells as CSVColumns, each cell but the first a name=value:
// CSVQueryMarker; q=the query string; the filters as name=value pairs
// joined with "; " (county=伊通; from=2022-01-01; empty for none);
// sort=relevance, date or -date (the order of the rows); total=the number
// of matching articles; exported=the time of the export (RFC 3339, China
// Standard Time); url=the address of the search's results page; then
// empty cells.
func CSVQueryRow(r search.Request, total uint64, at time.Time, resultsURL string) []string {
	var fs []string
	for _, p := range filterParams(r) {
		fs = append(fs, p[0]+"="+p[1])
	}
	row := make([]string, len(CSVColumns))
	copy(row, []string{CSVQueryMarker, "q=" + r.Query, strings.Join(fs, "; "), "sort=" + effectiveSort(r),
		"total=" + strconv.FormatUint(total, 10), "exported=" + at.Format(time.RFC3339), "url=" + resultsURL})
	return row
}

// resultsURL is the address of the UI's results page of a request.
func (srv *Server) resultsURL(r search.Request) string {
	v := url.Values{}
	if r.Query != "" {
		v.Set("q", r.Query)
	}
	for _, p := range filterParams(r) {
		v.Add(p[0], p[1])
	}
	if r.Sort != "" {
		v.Set("sort", r.Sort)
	}
	return srv.absURL(searchURL(v))
}

func (srv *Server) apiExportCSV(c *gin.Context) {
	var cw *csv.Writer
	bom := c.Query("bom") != "0"
	if v := c.Query("bom"); v != "" && v != "0" && v != "1" {
		srv.fail(c, fmt.Errorf("%w: bom %q is not 0 or 1", search.ErrBadRequest, v))
		return
	}
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
		begin: func(w *bufio.Writer, info exportInfo) error {
			if bom {
				w.WriteString("\uFEFF") // for spreadsheet programs that assume a legacy encoding otherwise
			}
			cw = csv.NewWriter(w)
			if err := write(CSVQueryRow(info.req, info.total, info.at, srv.resultsURL(info.req))); err != nil {
				return err
			}
			return write(append([]string(nil), CSVColumns...))
		},
		row: func(w *bufio.Writer, _ int, h search.Hit) error {
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
		begin: func(*bufio.Writer, exportInfo) error { return nil },
		row:   func(w *bufio.Writer, _ int, h search.Hit) error { return line(w, h.Article) },
		cut:   func(w *bufio.Writer, e ErrorDetail) error { return line(w, ErrorBody{e}) },
	})
}

// DownloadName is the file name of a result-set download:
// newsarchive-<what>-<YYYY-MM-DD>.<ext>, where what is the query and the
// filters' values joined with "-" (全部 for none), without the
// characters a file name may not hold, at most 60 characters, and the
// day is the export's (China Standard Time). newsarchive-乡村振兴-2026-12-03.csv.
func DownloadName(r search.Request, at time.Time, ext string) string {
	parts := []string{r.Query}
	for _, p := range filterParams(r) {
		parts = append(parts, p[1])
	}
	what := fileNamePart(strings.Join(parts, " "), 60)
	if what == "" {
		what = "全部"
	}
	return "newsarchive-" + what + "-" + at.Format("2006-01-02") + "." + ext
}

// fileNamePart makes s fit in a file name: the characters that Windows,
// macOS or a shell mind (/ \ : * ? " < > | and controls), quotes and
// brackets dropped, runs of spaces and punctuation of the query language
// made one "-", at most n characters.
func fileNamePart(s string, n int) string {
	var b strings.Builder
	dash := false
	count := 0
	for _, c := range s {
		if count >= n {
			break
		}
		switch {
		case unicode.IsControl(c) || strings.ContainsRune(`/\:*?"<>|'“”‘’()（）[]{}`+"`", c):
			continue
		case unicode.IsSpace(c) || c == '-' || c == '~' || c == '.' || c == ',' || c == ';' || c == '&' || c == '=' || c == '#' || c == '%':
			dash = b.Len() > 0
			continue
		}
		if dash {
			b.WriteByte('-')
			count++
			dash = false
		}
		b.WriteRune(c)
		count++
	}
	return b.String()
}

// downloadWriter is the buffered writer of a download's body: its
// connection's send buffer bounded, each write given the idle timeout.
func (srv *Server) downloadWriter(c *gin.Context) *bufio.Writer {
	var out io.Writer = c.Writer
	boundSendBuffer(c)
	if idle := srv.limits.DownloadIdleTimeout; idle > 0 {
		out = idleWriter{w: c.Writer, rc: http.NewResponseController(c.Writer), idle: idle}
	}
	return bufio.NewWriterSize(out, 64<<10)
}

// contentDisposition is the Content-Disposition of a download named name
// (RFC 6266): filename, an ASCII stand-in for old clients (the name
// without its other characters: newsarchive-2026-12-03.csv), and
// filename* (RFC 5987: UTF-8, percent-encoded) with the name itself,
// which browsers prefer.
func contentDisposition(name string) string {
	ascii := strings.Map(func(c rune) rune {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '%' {
			return -1
		}
		return c
	}, name)
	for strings.Contains(ascii, "--") {
		ascii = strings.ReplaceAll(ascii, "--", "-")
	}
	ascii = strings.ReplaceAll(ascii, "-.", ".")
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, rfc5987(name))
}

// rfc5987 percent-encodes s as an RFC 5987 ext-value's value: every byte
// but the attr-char set (letters, digits, !#$&+-.^_`|~).
func rfc5987(s string) string {
	const attrChar = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(attrChar, c) >= 0) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
