package web

import (
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"newsarchive/search"
)

// Term trends (docs/workbench.md): /trends draws how often up to five
// queries match per month or year, as a share of all articles of the
// period; /api/v1/trends and /api/v1/trends.csv give the figures.

// Parameters of the trends endpoints.
var (
	trendsParams    = []string{"q", "province", "prefecture", "county", "topic", "author", "paper", "from", "to", "interval"}
	trendsCSVParams = append(append([]string(nil), trendsParams...), "bom")
)

// TrendsCSVColumns are the columns of trends.csv: one row per query and
// period (a long table, the form plotting programs read).
var TrendsCSVColumns = []string{"query", "period", "from", "to", "count", "all", "share"}

// trendsRequest reads a trends request: the q values are the queries
// (blank ones dropped when dropBlank, as the page's form sends five
// boxes), the filters are a search's.
func trendsRequest(c *gin.Context, dropBlank bool) (search.TrendsRequest, error) {
	f, err := searchRequest(c)
	if err != nil {
		return search.TrendsRequest{}, err
	}
	tr := search.TrendsRequest{Interval: strings.TrimSpace(c.Query("interval"))}
	for _, q := range c.QueryArray("q") {
		if dropBlank && strings.TrimSpace(q) == "" {
			continue
		}
		tr.Queries = append(tr.Queries, q)
	}
	tr.Filters = search.Request{Provinces: f.Provinces, Prefectures: f.Prefectures, Counties: f.Counties, Topics: f.Topics, Authors: f.Authors, Papers: f.Papers, From: f.From, To: f.To}
	return tr, nil
}

func (srv *Server) runTrends(c *gin.Context, params []string) (*search.Trends, bool) {
	if !allowParams(c, params...) {
		return nil, false
	}
	tr, err := trendsRequest(c, false)
	var s *search.Searcher
	if err == nil {
		s, err = srv.searcher(c)
	}
	var res *search.Trends
	if err == nil {
		res, err = s.Trends(c.Request.Context(), tr)
	}
	if err != nil {
		srv.fail(c, err)
		return nil, false
	}
	return res, true
}

func (srv *Server) apiTrends(c *gin.Context) {
	if res, ok := srv.runTrends(c, trendsParams); ok {
		writeJSON(c, http.StatusOK, res)
	}
}

func (srv *Server) apiTrendsCSV(c *gin.Context) {
	res, ok := srv.runTrends(c, trendsCSVParams)
	if !ok {
		return
	}
	var b strings.Builder
	if c.Query("bom") == "1" {
		b.WriteString("\uFEFF")
	}
	cw := csv.NewWriter(&b)
	_ = cw.Write(TrendsCSVColumns)
	for _, s := range res.Series {
		for _, p := range s.Points {
			_ = cw.Write([]string{CSVCell(s.Query), p.Period, p.From, p.To, strconv.Itoa(p.Count), strconv.Itoa(p.All),
				strconv.FormatFloat(p.Share, 'f', -1, 64)})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		srv.fail(c, fmt.Errorf("write trends.csv: %w", err))
		return
	}
	c.Header("Content-Disposition", contentDisposition(DownloadName(search.Request{Query: trendsName(res)}, time.Now().In(archiveZone), "trends.csv")))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", []byte(b.String()))
}

// trendsName is what a trends download is named after: its queries.
func trendsName(res *search.Trends) string {
	qs := make([]string, len(res.Series))
	for i, s := range res.Series {
		qs[i] = s.Query
	}
	return strings.Join(qs, " ")
}

// trendsView is the trends page.
type trendsView struct {
	page
	Error    string
	Boxes    []trendsBox // the five query boxes
	Interval string
	Show     string // share or count: what the chart's y axis is
	From, To string
	Hidden   []field // the filters the form carries (county, topic, author, paper)
	Filters  []string
	Clear    string // the page without those filters
	Res      *search.Trends
	Chart    *trendsChart
	Table    *trendsTable
	Unit     string // 每月 or 每年
	Series   []seriesView
	JSON     string
	CSV      string
}

// trendsBox is one query box of the trends form.
type trendsBox struct {
	N     int
	Value string
}

// seriesView is a query in the legend.
type seriesView struct {
	N        int
	Query    string
	Style    seriesStyle
	Swatch   string // the marker's path in the legend's 28×12 swatch
	Total    uint64
	Undated  uint64
	Peak     string // the period of the highest share (or count)
	PeakText string
	Search   string // the results page of the query with the filters
}

// trendsFilterKeys are the filters the trends page carries.
var trendsFilterKeys = []string{"county", "topic", "author", "paper"}

var trendsFilterLabels = map[string]string{"county": "区县", "topic": "主题", "author": "作者", "paper": "报纸"}

func (srv *Server) trendsPage(c *gin.Context) {
	dropTrackingDates(c.Request.URL)
	q := c.Request.URL.Query()
	v := &trendsView{page: newPage("词频趋势"), Interval: q.Get("interval"), Show: q.Get("show"),
		From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	v.Nav, v.HeaderSearch = "trends", true
	if v.Interval == "" {
		v.Interval = search.IntervalMonth
	}
	if v.Show == "" {
		v.Show = "share"
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
		for _, k := range []string{"q", "from", "to", "interval", "show"} {
			cl[k] = q[k]
		}
		v.Clear = "/trends?" + cl.Encode()
	}
	tr, err := trendsRequest(c, true)
	for i := 0; i < max(search.MaxTrendQueries, len(tr.Queries)); i++ {
		b := trendsBox{N: i + 1}
		if i < len(tr.Queries) {
			b.Value = tr.Queries[i]
		}
		v.Boxes = append(v.Boxes, b)
	}
	if len(tr.Queries) > 0 {
		v.Title = "趋势：" + strings.Join(tr.Queries, "、")
	}
	switch {
	case err != nil:
		v.Error = "参数有误：" + pageErrorMessage(err)
	case len(tr.Queries) > search.MaxTrendQueries:
		v.Error = fmt.Sprintf("最多比较 %d 个检索式，这里有 %d 个。", search.MaxTrendQueries, len(tr.Queries))
		v.Boxes = v.Boxes[:search.MaxTrendQueries]
	case tr.Interval != "" && tr.Interval != search.IntervalMonth && tr.Interval != search.IntervalYear:
		v.Error = fmt.Sprintf("时间单位 interval=%s 无效：只能是 month（按月）或 year（按年）。", tr.Interval)
	case v.Show != "share" && v.Show != "count":
		v.Error = fmt.Sprintf("纵轴 show=%s 无效：只能是 share（占比）或 count（篇数）。", v.Show)
	case len(tr.Queries) == 0: // the empty form
		srv.render(c, http.StatusOK, "trends", v)
		return
	}
	if v.Error != "" {
		v.Status = http.StatusBadRequest
		srv.render(c, http.StatusBadRequest, "trends", v)
		return
	}
	s, err := srv.searcher(c)
	if err == nil {
		v.Res, err = s.Trends(c.Request.Context(), tr)
	}
	if err != nil {
		if !errors.Is(err, search.ErrBadRequest) {
			srv.failPage(c, err)
			return
		}
		v.Error = "检索式或筛选有误：" + pageErrorMessage(err)
		v.Status = http.StatusBadRequest
		srv.render(c, http.StatusBadRequest, "trends", v)
		return
	}
	api := url.Values{"q": tr.Queries, "interval": {v.Res.Interval}}
	for k, vs := range filters {
		api[k] = vs
	}
	if v.From != "" {
		api.Set("from", v.From)
	}
	if v.To != "" {
		api.Set("to", v.To)
	}
	v.JSON = "/api/v1/trends?" + api.Encode()
	v.CSV = "/api/v1/trends.csv?" + api.Encode()
	v.Series = trendsLegend(v.Res, filters, v.Show == "count")
	v.Unit = "每月"
	if v.Res.Interval == search.IntervalYear {
		v.Unit = "每年"
	}
	if len(v.Res.Periods) > 0 {
		v.Chart = newTrendsChart(v.Res, v.Series, filters, v.Show == "count")
		v.Table = newTrendsTable(v.Res, v.Series, filters)
	}
	srv.render(c, http.StatusOK, "trends", v)
}

// pointURL is the results page of a query in a period, with the filters.
func pointURL(query string, filters url.Values, from, to string) string {
	v := url.Values{}
	for k, vs := range filters {
		v[k] = vs
	}
	v.Set("q", query)
	if from != "" {
		v.Set("from", from)
	}
	if to != "" {
		v.Set("to", to)
	}
	return searchURL(v)
}

// periodLabel is a period for people: 2023年3月, 2023年.
func periodLabel(p string) string {
	if len(p) == 7 {
		if m, err := strconv.Atoi(p[5:]); err == nil {
			return p[:4] + "年" + strconv.Itoa(m) + "月"
		}
	}
	if len(p) == 4 {
		return p + "年"
	}
	return p
}

// sharePercent writes a share as a percentage with two decimals.
func sharePercent(share float64) string {
	return strconv.FormatFloat(share*100, 'f', 2, 64) + "%"
}

// seriesStyle tells a series apart by colour, dash pattern and marker
// shape, so that colour is never the only difference. Every colour has
// a contrast of at least 4.5:1 on the page's white and paper backgrounds
// (TestTrendsColoursContrast).
type seriesStyle struct {
	Color  string
	Dash   string // stroke-dasharray ("" solid)
	Marker string // circle, square, triangle, diamond, triangle-down
	Name   string // the marker and line for people (the legend)
}

// SeriesStyles are the styles of the trends chart's series, in order.
var SeriesStyles = []seriesStyle{
	{Color: "#1d4f91", Dash: "", Marker: "circle", Name: "实线、圆点"},
	{Color: "#a63a00", Dash: "7 4", Marker: "square", Name: "长虚线、方块"},
	{Color: "#1b6e3a", Dash: "2 3", Marker: "triangle", Name: "点线、三角"},
	{Color: "#7a2a8c", Dash: "9 3 2 3", Marker: "diamond", Name: "点划线、菱形"},
	{Color: "#3d3d3d", Dash: "4 2", Marker: "triangle-down", Name: "短虚线、倒三角"},
}

// markerPath is the SVG path of a marker centred on x, y.
func markerPath(shape string, x, y, r float64) string {
	f := func(v float64) string { return strconv.FormatFloat(round1(v), 'f', -1, 64) }
	switch shape {
	case "square":
		r *= 0.9
		return fmt.Sprintf("M%s %sH%sV%sH%sZ", f(x-r), f(y-r), f(x+r), f(y+r), f(x-r))
	case "triangle":
		return fmt.Sprintf("M%s %sL%s %sL%s %sZ", f(x), f(y-r*1.25), f(x+r*1.15), f(y+r*0.8), f(x-r*1.15), f(y+r*0.8))
	case "triangle-down":
		return fmt.Sprintf("M%s %sL%s %sL%s %sZ", f(x), f(y+r*1.25), f(x+r*1.15), f(y-r*0.8), f(x-r*1.15), f(y-r*0.8))
	case "diamond":
		r *= 1.3
		return fmt.Sprintf("M%s %sL%s %sL%s %sL%s %sZ", f(x), f(y-r), f(x+r), f(y), f(x), f(y+r), f(x-r), f(y))
	}
	return fmt.Sprintf("M%s %sa%s %s 0 1 0 %s 0a%s %s 0 1 0 -%s 0Z", f(x-r), f(y), f(r), f(r), f(2*r), f(r), f(r), f(2*r))
}

func trendsLegend(res *search.Trends, filters url.Values, byCount bool) []seriesView {
	var out []seriesView
	for i, s := range res.Series {
		sv := seriesView{N: i + 1, Query: s.Query, Style: SeriesStyles[i%len(SeriesStyles)], Total: s.Total,
			Search: pointURL(s.Query, filters, "", "")}
		sv.Swatch = markerPath(sv.Style.Marker, 14, 6, 4)
		var dated uint64
		best := -1
		for j, p := range s.Points {
			dated += uint64(p.Count)
			if p.Count > 0 && (best < 0 || trendValue(p, byCount) > trendValue(s.Points[best], byCount)) {
				best = j
			}
		}
		if s.Total > dated {
			sv.Undated = s.Total - dated
		}
		if best >= 0 {
			p := s.Points[best]
			sv.Peak = periodLabel(p.Period)
			sv.PeakText = fmt.Sprintf("%d 篇，占 %s", p.Count, sharePercent(p.Share))
		}
		out = append(out, sv)
	}
	return out
}

func trendValue(p search.TrendPoint, byCount bool) float64 {
	if byCount {
		return float64(p.Count)
	}
	return p.Share
}

// Geometry of the trends chart's viewBox.
const (
	trWidth  = 760
	trHeight = 320
	trLeft   = 64 // room for the y labels
	trRight  = 16
	trTop    = 12
	trBottom = 40 // room for the x labels
	trMarker = 3.5
)

// trendsChart is the SVG line chart of the trends page.
type trendsChart struct {
	Width, Height int
	Left, Right   float64 // the plot's x range
	Top, Base     float64 // its y range
	YLabel        string
	Title, Desc   string
	YTicks        []tick
	XTicks        []tick
	Series        []chartSeries
}

type chartSeries struct {
	N      int
	Query  string
	Style  seriesStyle
	Line   string // the polyline's points
	Points []chartPoint
}

type chartPoint struct {
	Period string
	X, Y   float64
	Shape  string // the marker's path
	URL    string
	Label  string
	Count  int
	Share  string
}

func newTrendsChart(res *search.Trends, series []seriesView, filters url.Values, byCount bool) *trendsChart {
	ch := &trendsChart{Width: trWidth, Height: trHeight, Left: trLeft, Right: trWidth - trRight,
		Top: trTop, Base: trHeight - trBottom, YLabel: "占全部文章的百分比"}
	if byCount {
		ch.YLabel = "匹配文章篇数"
	}
	n := len(res.Periods)
	top := 0.0
	for _, s := range res.Series {
		for _, p := range s.Points {
			top = max(top, trendValue(p, byCount))
		}
	}
	step, top := niceScale(top, byCount)
	for v := 0.0; v <= top+step/1e6; v += step {
		y := round1(ch.Base - v/top*(ch.Base-ch.Top))
		label := strconv.FormatFloat(v, 'f', 0, 64)
		if !byCount {
			label = strconv.FormatFloat(v*100, 'f', decimals(step*100), 64) + "%"
		}
		ch.YTicks = append(ch.YTicks, tick{X: ch.Left - 6, Y: y, Text: label})
	}
	x := func(i int) float64 {
		if n == 1 {
			return round1((ch.Left + ch.Right) / 2)
		}
		return round1(ch.Left + float64(i)*(ch.Right-ch.Left)/float64(n-1))
	}
	ch.XTicks = xTicks(res.Periods, x, ch.Base+16)
	var desc []string
	for i, s := range res.Series {
		cs := chartSeries{N: i + 1, Query: s.Query, Style: series[i].Style}
		var line []string
		for j, p := range s.Points {
			px, py := x(j), round1(ch.Base-trendValue(p, byCount)/top*(ch.Base-ch.Top))
			line = append(line, fmt.Sprintf("%g,%g", px, py))
			cs.Points = append(cs.Points, chartPoint{Period: p.Period, X: px, Y: py,
				Shape: markerPath(cs.Style.Marker, px, py, trMarker),
				URL:   pointURL(s.Query, filters, p.From, p.To),
				Label: fmt.Sprintf("「%s」，%s：%d 篇，占 %s", s.Query, periodLabel(p.Period), p.Count, sharePercent(p.Share)),
				Count: p.Count, Share: sharePercent(p.Share)})
		}
		cs.Line = strings.Join(line, " ")
		ch.Series = append(ch.Series, cs)
		d := fmt.Sprintf("%d.「%s」（%s）：共 %d 篇", i+1, s.Query, cs.Style.Name, s.Total)
		if series[i].Peak != "" {
			d += "，最高在" + series[i].Peak + "（" + series[i].PeakText + "）"
		}
		desc = append(desc, d)
	}
	unit := "每月"
	if res.Interval == search.IntervalYear {
		unit = "每年"
	}
	first, last := periodLabel(res.Periods[0]), periodLabel(res.Periods[n-1])
	ch.Title = fmt.Sprintf("%d 个检索式的%s%s，%s至%s", len(res.Series), unit, ch.YLabel, first, last)
	ch.Desc = "折线图，横轴为时间（" + first + "至" + last + "，" + unit + "一点），纵轴为" + ch.YLabel + "。" +
		strings.Join(desc, "；") + "。各期的数字见图下的表格。"
	return ch
}

// niceScale is the step and top of a y axis holding max, with four or
// five steps of 1, 2, 2.5 or 5 times a power of ten (whole numbers for
// counts).
func niceScale(top float64, whole bool) (float64, float64) {
	if top <= 0 {
		if whole {
			return 1, 1
		}
		return 0.0025, 0.01
	}
	raw := top / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	if whole {
		step = max(1, math.Ceil(step))
	}
	return step, math.Ceil(top/step-1e-9) * step
}

// decimals is how many decimals a multiple of step needs.
func decimals(step float64) int {
	for d := 0; d < 6; d++ {
		s := step * math.Pow(10, float64(d))
		if math.Abs(s-math.Round(s)) < 1e-6 {
			return d
		}
	}
	return 6
}

// xTicks labels the time axis: each month when there are few, else each
// January (every k-th year when many), each year (every k-th when many).
func xTicks(periods []string, x func(int) float64, y float64) []tick {
	var out []tick
	n := len(periods)
	if n <= 12 {
		for i, p := range periods {
			out = append(out, tick{X: x(i), Y: y, Text: p})
		}
		return out
	}
	var years []int // indexes of the periods that start a year
	for i, p := range periods {
		if len(p) == 4 || strings.HasSuffix(p, "-01") {
			years = append(years, i)
		}
	}
	k := (len(years) + 11) / 12
	for j, i := range years {
		if j%k == 0 {
			out = append(out, tick{X: x(i), Y: y, Text: periods[i][:4]})
		}
	}
	return out
}

// trendsTable is the figures of the chart, for screen readers and for
// reading off exact values.
type trendsTable struct {
	Series []seriesView
	Rows   []trendsRow
}

type trendsRow struct {
	Label string
	All   int
	Cells []trendsCell
}

type trendsCell struct {
	Count int
	Share string
	URL   string
}

func newTrendsTable(res *search.Trends, series []seriesView, filters url.Values) *trendsTable {
	t := &trendsTable{Series: series}
	for i, p := range res.Periods {
		row := trendsRow{Label: periodLabel(p), All: res.All[i]}
		for _, s := range res.Series {
			pt := s.Points[i]
			row.Cells = append(row.Cells, trendsCell{Count: pt.Count, Share: sharePercent(pt.Share), URL: pointURL(s.Query, filters, pt.From, pt.To)})
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// TrendsURL is the trends page of the results page's query and filters
// ("" without a query).
func (v *resultsView) TrendsURL() string {
	if strings.TrimSpace(v.Query) == "" {
		return ""
	}
	return "/trends?" + workbenchValues(v.Req, v.Query).Encode()
}

// workbenchValues are a search's query and filters as the trends and
// concordance pages take them.
func workbenchValues(r search.Request, q string) url.Values {
	v := url.Values{"q": {q}}
	for _, p := range []struct {
		k  string
		vs []string
	}{{"province", r.Provinces}, {"prefecture", r.Prefectures}, {"county", r.Counties}, {"topic", r.Topics},
		{"author", r.Authors}, {"paper", r.Papers}, {"from", []string{r.From}}, {"to", []string{r.To}}} {
		for _, s := range p.vs {
			if s != "" {
				v.Add(p.k, s)
			}
		}
	}
	return v
}
