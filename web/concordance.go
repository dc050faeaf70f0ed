package web

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"newsarchive/search"
)

// Keyword in context (docs/workbench.md): /concordance lists every
// occurrence of one string with its left and right context, in aligned
// columns; /api/v1/concordance and /api/v1/concordance.csv give the lines.

// Parameters of the concordance endpoints.
var (
	concordanceParams    = []string{"q", "province", "prefecture", "county", "topic", "author", "paper", "from", "to", "width", "sort", "page", "size"}
	concordanceCSVParams = []string{"q", "county", "topic", "author", "paper", "from", "to", "width", "sort", "limit", "bom"}
)

// ConcordanceExportLimit is the most lines one concordance.csv holds.
const ConcordanceExportLimit = 10_000

// ConcordanceCSVColumns are the columns of concordance.csv.
var ConcordanceCSVColumns = []string{"id", "date", "paper", "title", "field", "offset", "left", "match", "right", "url"}

// concordanceRequest reads a concordance request; the q, filters, sort,
// page and size are a search's parameters, width the context.
func concordanceRequest(c *gin.Context) (search.ConcordanceRequest, error) {
	f, err := searchRequest(c)
	if err != nil {
		return search.ConcordanceRequest{}, err
	}
	r := search.ConcordanceRequest{Query: f.Query, Sort: f.Sort, Page: f.Page, Size: f.Size,
		Filters: search.Request{Provinces: f.Provinces, Prefectures: f.Prefectures, Counties: f.Counties, Topics: f.Topics, Authors: f.Authors, Papers: f.Papers, From: f.From, To: f.To}}
	if v := strings.TrimSpace(c.Query("width")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > search.MaxContext {
			return r, search.NewRequestError(search.CodeBadRequest, fmt.Sprintf("width %q is not a whole number from 1 to %d (characters of context on each side)", v, search.MaxContext), fmt.Sprintf("上下文宽度 width=%s 无效：应为 1 到 %d 之间的整数（每侧的字数）。", v, search.MaxContext))
		}
		r.Context = n
	}
	return r, nil
}

func (srv *Server) apiConcordance(c *gin.Context) {
	if !allowParams(c, concordanceParams...) {
		return
	}
	r, err := concordanceRequest(c)
	var s *search.Searcher
	if err == nil {
		s, err = srv.searcher(c)
	}
	var res *search.Concordance
	if err == nil {
		res, err = s.Concordance(c.Request.Context(), r)
	}
	if err != nil {
		srv.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, res)
}

// apiConcordanceCSV writes every line of a concordance (up to limit) in
// one pass, as it is read: the request is checked (and a bad one answered
// 400) before the first byte; what cuts it later is said at its end as
// search.csv says it (a last row CSVCutMarker, code, message; the trailer
// ExportStatusTrailer).
func (srv *Server) apiConcordanceCSV(c *gin.Context) {
	if !allowParams(c, concordanceCSVParams...) {
		return
	}
	r, err := concordanceRequest(c)
	limit := ConcordanceExportLimit
	if v := c.Query("limit"); v != "" && err == nil {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 || n > ConcordanceExportLimit {
			err = search.NewRequestError(search.CodeBadSize, fmt.Sprintf("limit %q is not a whole number from 1 to %d", v, ConcordanceExportLimit), fmt.Sprintf("条数 limit=%s 无效：应为 1 到 %d 之间的整数。", v, ConcordanceExportLimit))
		}
		limit = n
	}
	var s *search.Searcher
	if err == nil {
		s, err = srv.searcher(c)
	}
	if err != nil {
		srv.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	head := c.Request.Method == http.MethodHead
	var (
		w       *bufio.Writer
		cw      *csv.Writer
		started bool
		n       int
	)
	write := func(cells []string) error {
		for i, v := range cells {
			cells[i] = CSVCell(v)
		}
		if err := cw.Write(cells); err != nil {
			return writeError{err}
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return writeError{err}
		}
		return nil
	}
	// start sends the headers, then the BOM and the header row, once the
	// request has proved good (its first line, or its end).
	start := func() error {
		started = true
		c.Header("Content-Type", "text/csv; charset=utf-8")
		c.Header("Content-Disposition", contentDisposition(DownloadName(search.Request{Query: r.Query}, time.Now().In(archiveZone), "concordance.csv")))
		c.Header("Trailer", ExportStatusTrailer)
		c.Status(http.StatusOK)
		if head {
			return nil
		}
		w = srv.downloadWriter(c)
		cw = csv.NewWriter(w)
		if c.Query("bom") == "1" {
			w.WriteString("\uFEFF") // for spreadsheet programs that assume a legacy encoding otherwise
		}
		return write(slices.Clone(ConcordanceCSVColumns))
	}
	if head {
		limit = 0 // the headers only: the request checked, no line read
	}
	first, err := s.ConcordanceLines(ctx, r, limit, func(l search.ConcordanceLine) error {
		if !started {
			if err := start(); err != nil {
				return err
			}
		}
		n++
		return write([]string{l.ID, l.Date, l.Paper, l.Title, l.Field, strconv.Itoa(l.Offset), l.Left, l.Match, l.Right,
			srv.absURL(articleURL(l.ID, r.Query))})
	})
	if !started {
		if err != nil {
			srv.fail(c, err)
			return
		}
		if err := start(); err != nil {
			srv.log.WarnContext(ctx, "download cut short: the client went away", "path", c.Request.URL.Path, "err", err)
			return
		}
	}
	if head {
		return
	}
	var cut *ErrorDetail
	var we writeError
	switch {
	case errors.As(err, &we) || errors.Is(err, context.Canceled):
		srv.log.WarnContext(ctx, "download cut short: the client went away", "path", c.Request.URL.Path, "lines", n, "err", err)
		return
	case errors.Is(err, context.DeadlineExceeded):
		cut = &ErrorDetail{Code: "timeout", Message: fmt.Sprintf(
			"the download was cut after %d lines: it took longer than the server allows (%s); narrow the query or split it", n, srv.limits.ExportTimeout)}
	case err != nil:
		srv.log.ErrorContext(ctx, "download failed", "path", c.Request.URL.Path, "lines", n, "err", err)
		cut = &ErrorDetail{Code: "internal", Message: fmt.Sprintf("the download was cut after %d lines by an internal error", n)}
	case n < first.Held:
		cut = &ErrorDetail{Code: "limit_reached", Message: fmt.Sprintf(
			"the download stops at %d lines, its limit, of %d occurrences; narrow the query or split it (by date, county …)", n, first.Occurrences)}
	case first.Cut:
		cut = &ErrorDetail{Code: "limit_reached", Message: fmt.Sprintf(
			"the concordance holds the first %d of %d occurrences (in date order); narrow the query or split it", first.Held, first.Occurrences)}
	}
	status := ExportComplete
	if cut != nil {
		status = ExportCut
		srv.log.WarnContext(ctx, "download cut", "path", c.Request.URL.Path, "code", cut.Code, "lines", n)
		row := make([]string, len(ConcordanceCSVColumns))
		row[0], row[1], row[2] = CSVCutMarker, cut.Code, cut.Message
		if err := write(row); err != nil {
			srv.log.WarnContext(ctx, "download end not written", "path", c.Request.URL.Path, "err", err)
			return
		}
	}
	if err := w.Flush(); err != nil {
		srv.log.WarnContext(ctx, "download cut short: the client went away", "path", c.Request.URL.Path, "lines", n, "err", err)
		return
	}
	c.Writer.Header().Set(ExportStatusTrailer, status)
}

// concordanceView is the concordance page.
type concordanceView struct {
	page
	Error    string
	Q        string
	Sorts    []option
	Widths   []option
	Sizes    []option
	From, To string
	Hidden   []field
	Filters  []string
	Clear    string
	Res      *search.Concordance
	Lines    []kwicLine
	First    int
	Last     int
	Pager    pager
	CSV      string
	JSON     string
	Search   string // the results page of the query
}

// kwicLine is one row of the concordance table.
type kwicLine struct {
	search.ConcordanceLine
	N          int
	URL        string
	LinkText   string
	FieldLabel string // 标题, 引题, 副题 (empty for the body)
}

var concordanceSortLabels = []option{
	{Value: search.ConcordanceNewest, Label: "日期（新→旧）"},
	{Value: search.ConcordanceOldest, Label: "日期（旧→新）"},
	{Value: search.ConcordanceLeft, Label: "按左侧上下文"},
	{Value: search.ConcordanceRight, Label: "按右侧上下文"},
}

var fieldLabels = map[string]string{search.FieldKicker: "引题", search.FieldTitle: "标题", search.FieldSubtitle: "副题"}

// numberOptions are the choices of a select of numbers, cur among them.
func numberOptions(cur int, values ...int) []option {
	if !slices.Contains(values, cur) {
		values = append(values, cur)
		slices.Sort(values)
	}
	var out []option
	for _, v := range values {
		s := strconv.Itoa(v)
		out = append(out, option{Value: s, Label: s, Selected: v == cur})
	}
	return out
}

func (srv *Server) concordancePage(c *gin.Context) {
	dropTrackingDates(c.Request.URL)
	q := c.Request.URL.Query()
	v := &concordanceView{page: newPage("上下文"), Q: q.Get("q"),
		From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	v.Nav, v.HeaderSearch = "concordance", true
	if strings.TrimSpace(v.Q) != "" {
		v.Title = "上下文：" + v.Q
	}
	filters := url.Values{}
	for _, k := range trendsFilterKeys {
		for _, val := range q[k] {
			if val != "" {
				filters.Add(k, val)
				v.Hidden = append(v.Hidden, field{k, val})
				v.Filters = append(v.Filters, trendsFilterLabels[k]+"："+val)
			}
		}
	}
	if len(v.Filters) > 0 {
		cl := url.Values{}
		for _, k := range []string{"q", "from", "to", "width", "sort", "size"} {
			cl[k] = q[k]
		}
		v.Clear = "/concordance?" + cl.Encode()
	}
	r, err := concordanceRequest(c)
	width, size := r.Context, r.Size
	if width == 0 {
		width = search.DefaultContext
	}
	if size == 0 {
		size = search.DefaultConcordanceSize
	}
	sort := r.Sort
	if sort == "" {
		sort = search.ConcordanceNewest
	}
	v.Widths = numberOptions(width, 10, 20, 30, 50, 100)
	v.Sizes = numberOptions(size, 50, 100, 200, 500)
	for _, o := range concordanceSortLabels {
		o.Selected = o.Value == sort
		v.Sorts = append(v.Sorts, o)
	}
	switch {
	case err != nil && strings.HasPrefix(badRequestMessage(err), "width "):
		v.Error = fmt.Sprintf("上下文宽度 width=%s 无效：应为 1 到 %d 之间的整数（每侧的字数）。", q.Get("width"), search.MaxContext)
	case err != nil:
		v.Error = "参数有误：" + pageErrorMessage(err)
	case !slices.ContainsFunc(concordanceSortLabels, func(o option) bool { return o.Value == sort }):
		v.Error = fmt.Sprintf("排序 sort=%s 无效：只能是 date（新→旧）、-date（旧→新）、left（按左侧上下文）或 right（按右侧上下文）。", sort)
	case size > search.MaxConcordanceSize:
		v.Error = fmt.Sprintf("每页行数 size=%d 无效：最多 %d 行。", size, search.MaxConcordanceSize)
	case strings.TrimSpace(v.Q) == "": // the empty form
		srv.render(c, http.StatusOK, "concordance", v)
		return
	}
	if v.Error != "" {
		v.Status = http.StatusBadRequest
		srv.render(c, http.StatusBadRequest, "concordance", v)
		return
	}
	s, err := srv.searcher(c)
	if err == nil {
		v.Res, err = s.Concordance(c.Request.Context(), r)
	}
	if err != nil {
		if !errors.Is(err, search.ErrBadRequest) {
			srv.failPage(c, err)
			return
		}
		msg := pageErrorMessage(err)
		if strings.Contains(msg, "looks for one string") {
			msg = "上下文检索只找一个字符串：请输入一个词，或用引号括起一个短语（如 \"黑土地\"）；可以再加 county:、date: 等字段条件和 -排除词。（" + msg + "）"
		} else {
			msg = "检索式或参数有误：" + msg
		}
		v.Error = msg
		v.Status = http.StatusBadRequest
		srv.render(c, http.StatusBadRequest, "concordance", v)
		return
	}
	res := v.Res
	api := url.Values{"q": {v.Q}}
	for k, vs := range filters {
		api[k] = vs
	}
	for _, k := range []string{"from", "to", "width", "sort"} {
		if val := strings.TrimSpace(q.Get(k)); val != "" {
			api.Set(k, val)
		}
	}
	v.CSV = "/api/v1/concordance.csv?" + api.Encode()
	jsonQ := cloneValues(api)
	jsonQ.Set("page", strconv.Itoa(res.Page))
	jsonQ.Set("size", strconv.Itoa(res.Size))
	v.JSON = "/api/v1/concordance?" + jsonQ.Encode()
	sq := cloneValues(filters)
	sq.Set("q", v.Q)
	for _, k := range []string{"from", "to"} {
		if val := strings.TrimSpace(q.Get(k)); val != "" {
			sq.Set(k, val)
		}
	}
	v.Search = searchURL(sq)
	v.First = (res.Page-1)*res.Size + 1
	for i, l := range res.Lines {
		kl := kwicLine{ConcordanceLine: l, N: v.First + i, URL: articleURL(l.ID, res.String), FieldLabel: fieldLabels[l.Field]}
		if l.Title == "" {
			kl.LinkText = "（无题）"
		}
		v.Lines = append(v.Lines, kl)
	}
	v.Last = v.First + len(v.Lines) - 1
	v.Pager = concordancePager(q, res)
	srv.render(c, http.StatusOK, "concordance", v)
}

// cloneValues copies url.Values.
func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// concordancePager links the pages of the held lines: the first, the
// last and two on each side of the current one.
func concordancePager(q url.Values, res *search.Concordance) pager {
	var p pager
	pages := (res.Held + res.Size - 1) / max(res.Size, 1)
	if pages <= 1 && res.Page <= 1 {
		return p
	}
	pageURL := func(n int) string {
		v := cloneValues(q)
		v.Del("page")
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		return "/concordance?" + v.Encode()
	}
	cur := res.Page
	if cur > pages {
		p.FirstPage = pageURL(1)
		return p
	}
	if cur > 1 {
		p.Prev = pageURL(cur - 1)
	}
	if cur < pages {
		p.Next = pageURL(cur + 1)
	}
	p.Pages = pageLinks(cur, pages, pageURL)
	return p
}

// concordanceLink is a link from the results page to the concordance of
// one of its query's quoted strings.
type concordanceLink struct{ Label, URL string }

// ConcordanceLinks are the concordances of the results page's quoted
// strings (at most three; not excluded ones, proximity searches or those
// under a field), each alone with the page's filters.
func (v *resultsView) ConcordanceLinks() []concordanceLink {
	var out []concordanceLink
	for _, s := range quotedStrings(v.Query) {
		if len(out) == 3 {
			break
		}
		out = append(out, concordanceLink{Label: s, URL: "/concordance?" + workbenchValues(v.Req, `"`+s+`"`).Encode()})
	}
	return out
}

// quotedStrings are the distinct quoted strings of a query that a
// concordance can look for.
func quotedStrings(q string) []string {
	isQuote := func(r rune) bool { return r == '"' || r == '“' || r == '”' || r == '＂' }
	rs := []rune(q)
	var out []string
	for i := 0; i < len(rs); i++ {
		if !isQuote(rs[i]) {
			continue
		}
		j := i + 1
		for j < len(rs) && !isQuote(rs[j]) {
			j++
		}
		if j == len(rs) {
			break
		}
		text := strings.TrimSpace(string(rs[i+1 : j]))
		// What stands before the quote: - (excluded) or a field.
		k := i
		for k > 0 && !queryIsSpace(rs[k-1]) && rs[k-1] != '(' && rs[k-1] != '（' {
			k--
		}
		prefix := strings.ToLower(string(rs[k:i]))
		near := j+1 < len(rs) && (rs[j+1] == '~' || rs[j+1] == '～')
		if text != "" && !near && prefix == "" && !slices.Contains(out, text) {
			out = append(out, text)
		}
		i = j
	}
	return out
}

func queryIsSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\u3000' }
