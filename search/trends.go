package search

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"newsarchive/engine"
)

// MaxTrendQueries is the most queries a trends request compares.
const MaxTrendQueries = 5

// Intervals of a trends request.
const (
	IntervalMonth = "month" // the default
	IntervalYear  = "year"
)

// TrendsRequest compares queries over time: for each query, its matches
// per month (or year) with the filters of a search.
type TrendsRequest struct {
	// Queries are one to MaxTrendQueries query strings in the language of
	// docs/query-syntax.md; none may be empty.
	Queries []string
	// Filters holds the filters (Provinces, Prefectures, Counties,
	// Topics, Authors, Papers, From, To), which hold for every query and for the denominator. Its
	// Query must be empty; Sort, Page, Size and After are ignored.
	Filters Request
	// Interval is IntervalMonth ("") or IntervalYear.
	Interval string
}

// Trends is the answer to a TrendsRequest. Every series has one point per
// period of Periods: from the first to the last period in which an
// article passes the filters (the denominator), a period with no match
// holding 0. Undated articles are in no period.
type Trends struct {
	Interval string `json:"interval"`
	// Periods are the axis: YYYY-MM (months) or YYYY (years), oldest first.
	Periods []string `json:"periods"`
	// All is the denominator: the articles passing the filters, with
	// no query, per period.
	All []int `json:"all"`
	// AllTotal is the number of articles passing the filters, undated
	// ones included.
	AllTotal uint64        `json:"all_total"`
	Series   []TrendSeries `json:"series"`
}

// TrendSeries is one query's matches per period.
type TrendSeries struct {
	Query string `json:"query"`
	// Total is the number of matching articles, undated ones included.
	Total  uint64       `json:"total"`
	Points []TrendPoint `json:"points"`
}

// TrendPoint is one period of a series.
type TrendPoint struct {
	Period string `json:"period"`
	// From and To are the period's first and last days (YYYY-MM-DD),
	// narrowed to the request's From and To: the from and to of a search
	// for this point's articles.
	From  string `json:"from"`
	To    string `json:"to"`
	Count int    `json:"count"`
	All   int    `json:"all"`
	// Share is Count / All (0 when All is 0).
	Share float64 `json:"share"`
}

// trendFacet counts articles per month. Its name is no filter's, so the
// date filter holds for it (it is not disjunctive).
var trendFacet = engine.Facet{Name: "trend_month", Field: engine.FieldMonth, ByValue: true}

// Trends counts each query's matches per month or year, and the share
// they are of all articles of that period passing the same filters. A
// bad request (no query, more than MaxTrendQueries, an empty or
// malformed query, a bad filter) is an ErrBadRequest.
func (s *Searcher) Trends(ctx context.Context, r TrendsRequest) (*Trends, error) {
	switch {
	case len(r.Queries) == 0:
		return nil, invalid(CodeEmptyQuery, "请至少输入一个检索式。", "trends need at least one query")
	case len(r.Queries) > MaxTrendQueries:
		return nil, invalid(CodeBadRequest, fmt.Sprintf("最多比较 %d 个检索式，这里有 %d 个。", MaxTrendQueries, len(r.Queries)), "trends compare at most %d queries, not %d", MaxTrendQueries, len(r.Queries))
	}
	for i, q := range r.Queries {
		if strings.TrimSpace(q) == "" {
			return nil, invalid(CodeEmptyQuery, fmt.Sprintf("第 %d 个检索式是空的。", i+1), "query %d of the trends is empty", i+1)
		}
	}
	if strings.TrimSpace(r.Filters.Query) != "" {
		return nil, badRequest("the filters of trends take no query (the queries are compared)")
	}
	out := &Trends{Interval: r.Interval}
	switch r.Interval {
	case "", IntervalMonth:
		out.Interval = IntervalMonth
	case IntervalYear:
	default:
		return nil, invalid(CodeBadRequest, fmt.Sprintf("时间单位 interval=%s 无效：应为 month（按月）或 year（按年）。", r.Interval), "interval %q is not month or year", r.Interval)
	}
	base := Request{Provinces: r.Filters.Provinces, Prefectures: r.Filters.Prefectures, Counties: r.Filters.Counties, Topics: r.Filters.Topics, Authors: r.Filters.Authors,
		Papers: r.Filters.Papers, From: r.Filters.From, To: r.Filters.To}

	// Check every query before running any.
	plans := make([]*plan, 0, len(r.Queries)+1)
	for _, q := range append([]string{""}, r.Queries...) {
		req := base
		req.Query = q
		p, err := s.plan(req)
		if err != nil {
			if q != "" {
				return nil, fmt.Errorf("%w (trends query %q)", err, q)
			}
			return nil, err
		}
		plans = append(plans, p)
	}
	type counts struct {
		total   uint64
		periods map[string]int
	}
	run := func(p *plan) (counts, error) {
		res, err := s.Engine.Search(ctx, p.request([]engine.Facet{trendFacet}, 0, 0))
		if err != nil {
			return counts{}, fmt.Errorf("trends: %w", engineError(err))
		}
		c := counts{total: res.Total, periods: map[string]int{}}
		for _, v := range res.Facets[trendFacet.Name] {
			if v.Value == "" { // no month: undated
				continue
			}
			c.periods[period(v.Value, out.Interval)] += v.Count
		}
		return c, nil
	}
	all, err := run(plans[0])
	if err != nil {
		return nil, err
	}
	out.AllTotal = all.total
	out.Periods = axis(all.periods, out.Interval)
	for _, pe := range out.Periods {
		out.All = append(out.All, all.periods[pe])
	}
	for i, p := range plans[1:] {
		c, err := run(p)
		if err != nil {
			return nil, err
		}
		ser := TrendSeries{Query: r.Queries[i], Total: c.total, Points: make([]TrendPoint, 0, len(out.Periods))}
		for j, pe := range out.Periods {
			pt := TrendPoint{Period: pe, Count: c.periods[pe], All: out.All[j]}
			pt.From, pt.To = periodDays(pe, base.From, base.To)
			if pt.All > 0 {
				pt.Share = float64(pt.Count) / float64(pt.All)
			}
			ser.Points = append(ser.Points, pt)
		}
		out.Series = append(out.Series, ser)
	}
	return out, nil
}

// period is the period of a month (YYYY-MM) for an interval.
func period(month, interval string) string {
	if interval == IntervalYear && len(month) >= 4 {
		return month[:4]
	}
	return month
}

// axis lists every period from the first to the last of counts, in order.
func axis(counts map[string]int, interval string) []string {
	first, last := "", ""
	for p := range counts {
		if first == "" || p < first {
			first = p
		}
		if p > last {
			last = p
		}
	}
	if first == "" {
		return []string{}
	}
	layout, step := "2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
	if interval == IntervalYear {
		layout, step = "2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }
	}
	t0, err0 := time.Parse(layout, first)
	t1, err1 := time.Parse(layout, last)
	if err0 != nil || err1 != nil { // not a month the index should hold: list what there is
		var out []string
		for p := range counts {
			out = append(out, p)
		}
		slices.Sort(out)
		return out
	}
	var out []string
	for t := t0; !t.After(t1); t = step(t) {
		out = append(out, t.Format(layout))
	}
	return out
}

// periodDays returns the first and last days of a period (YYYY or
// YYYY-MM), narrowed to from and to (YYYY-MM-DD, "" for open).
func periodDays(p, from, to string) (string, string) {
	var a, b string
	switch len(p) {
	case 4:
		a, b = p+"-01-01", p+"-12-31"
	case 7:
		t, err := time.Parse("2006-01", p)
		if err != nil {
			return "", ""
		}
		a, b = t.Format("2006-01-02"), t.AddDate(0, 1, -1).Format("2006-01-02")
	default:
		return "", ""
	}
	if from != "" && from > a {
		a = from
	}
	if to != "" && to < b {
		b = to
	}
	return a, b
}
