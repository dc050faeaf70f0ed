package search_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"newsarchive/search"
	"newsarchive/search/searchtest"
)

// monthFacet is the date facet of a search: its counts per month.
func monthFacet(t *testing.T, s *search.Searcher, r search.Request) map[string]int {
	t.Helper()
	res, err := s.Search(context.Background(), r)
	if err != nil {
		t.Fatalf("search %+v: %v", r, err)
	}
	m := map[string]int{}
	for _, v := range res.Facets.Date {
		m[v.Value] = v.Count
	}
	return m
}

func TestTrendsEqualMonthFacets(t *testing.T) {
	fx := searchtest.Get(t)
	s := fx.Searcher
	ctx := context.Background()
	queries := []string{"经济", `"黑土地"`, "满族 OR 乡村振兴", "county:伊通", `"习近平" -"总书记"`}
	for _, tc := range []struct {
		name    string
		filters search.Request
		// extra narrows the reference search's query to what the
		// filters' dates do (the date facet ignores from and to).
		extra string
	}{
		{"no filters", search.Request{}, ""},
		{"topic", search.Request{Topics: []string{"教育"}}, ""},
		{"dates", search.Request{From: "2023-03-15", To: "2024-02-10"}, " date:2023-03-15..2024-02-10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := s.Trends(ctx, search.TrendsRequest{Queries: queries, Filters: tc.filters})
			if err != nil {
				t.Fatal(err)
			}
			ref := func(q string) map[string]int {
				r := tc.filters
				r.From, r.To = "", ""
				if q != "" && tc.extra != "" {
					q = "(" + q + ")"
				}
				r.Query = strings.TrimSpace(q + tc.extra)
				return monthFacet(t, s, r)
			}
			all := ref("")
			if len(tr.Periods) == 0 || len(tr.Periods) != len(tr.All) {
				t.Fatalf("axis %v, all %v", tr.Periods, tr.All)
			}
			// The axis runs from the first to the last month of the
			// denominator, without gaps.
			for i, p := range tr.Periods {
				if tr.All[i] != all[p] {
					t.Errorf("all[%s] = %d, the facet says %d", p, tr.All[i], all[p])
				}
				if i > 0 && !nextMonth(tr.Periods[i-1], p) {
					t.Errorf("axis jumps from %s to %s", tr.Periods[i-1], p)
				}
			}
			sum := 0
			for _, n := range all {
				sum += n
			}
			if got := sumInts(tr.All); got != sum {
				t.Errorf("the axis holds %d articles, the facet %d", got, sum)
			}
			if tr.All[0] == 0 || tr.All[len(tr.All)-1] == 0 {
				t.Errorf("the axis does not start and end at a month with articles: %v", tr.All)
			}
			if len(tr.Series) != len(queries) {
				t.Fatalf("%d series", len(tr.Series))
			}
			for i, ser := range tr.Series {
				want := ref(queries[i])
				if ser.Query != queries[i] || len(ser.Points) != len(tr.Periods) {
					t.Fatalf("series %d: %q, %d points", i, ser.Query, len(ser.Points))
				}
				n := 0
				for j, pt := range ser.Points {
					if pt.Period != tr.Periods[j] || pt.Count != want[pt.Period] || pt.All != tr.All[j] {
						t.Errorf("%q %s: %+v, the facet says %d of %d", ser.Query, pt.Period, pt, want[pt.Period], all[pt.Period])
					}
					if pt.All > 0 && pt.Share != float64(pt.Count)/float64(pt.All) || pt.All == 0 && pt.Share != 0 {
						t.Errorf("%q %s: share %v of %d/%d", ser.Query, pt.Period, pt.Share, pt.Count, pt.All)
					}
					n += pt.Count
				}
				if n != sumMap(want) || n == 0 && tc.name == "no filters" {
					t.Errorf("%q: %d matches on the axis, the facet has %d", ser.Query, n, sumMap(want))
				}
			}
			if tc.filters.From != "" {
				pt := tr.Series[0].Points[0]
				if tr.Periods[0] != "2023-03" || pt.From != "2023-03-15" || pt.To != "2023-03-31" {
					t.Errorf("first point %+v of axis %v", pt, tr.Periods[:1])
				}
				last := tr.Series[0].Points[len(tr.Periods)-1]
				if last.Period != "2024-02" || last.To != "2024-02-10" {
					t.Errorf("last point %+v", last)
				}
			}
		})
	}
}

func TestTrendsYears(t *testing.T) {
	s := searchtest.Get(t).Searcher
	ctx := context.Background()
	m, err := s.Trends(ctx, search.TrendsRequest{Queries: []string{"经济"}})
	if err != nil {
		t.Fatal(err)
	}
	y, err := s.Trends(ctx, search.TrendsRequest{Queries: []string{"经济"}, Interval: search.IntervalYear})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int{}
	for i, p := range m.Periods {
		w := want[p[:4]]
		w[0] += m.Series[0].Points[i].Count
		w[1] += m.All[i]
		want[p[:4]] = w
	}
	if y.Interval != search.IntervalYear || len(y.Periods) != len(want) {
		t.Fatalf("years %v, from months %v", y.Periods, want)
	}
	for i, p := range y.Periods {
		pt := y.Series[0].Points[i]
		if len(p) != 4 || pt.Count != want[p][0] || pt.All != want[p][1] || pt.From != p+"-01-01" || pt.To != p+"-12-31" {
			t.Errorf("%s: %+v, want %v", p, pt, want[p])
		}
	}
}

func TestTrendsBadRequests(t *testing.T) {
	s := searchtest.Get(t).Searcher
	ctx := context.Background()
	six := []string{"经济", "满族", "黑土地", "教育", "农业", "乡村"}
	for _, r := range []search.TrendsRequest{
		{},
		{Queries: six},
		{Queries: []string{"经济", ""}},
		{Queries: []string{"  "}},
		{Queries: []string{`"经济`}},
		{Queries: []string{"经济"}, Interval: "week"},
		{Queries: []string{"经济"}, Filters: search.Request{Counties: []string{"火星"}}},
		{Queries: []string{"经济"}, Filters: search.Request{Query: "满族"}},
		{Queries: []string{"经济"}, Filters: search.Request{From: "0001-01-01"}},
	} {
		if _, err := s.Trends(ctx, r); !errors.Is(err, search.ErrBadRequest) {
			t.Errorf("%+v: err = %v, want a bad request", r, err)
		}
	}
	if _, err := s.Trends(ctx, search.TrendsRequest{Queries: six[:5]}); err != nil {
		t.Errorf("five queries: %v", err)
	}
}

func nextMonth(a, b string) bool {
	var y, m int
	if _, err := fmt.Sscanf(a, "%d-%d", &y, &m); err != nil {
		return false
	}
	m++
	if m == 13 {
		y, m = y+1, 1
	}
	return fmt.Sprintf("%04d-%02d", y, m) == b
}

func sumInts(v []int) int {
	n := 0
	for _, x := range v {
		n += x
	}
	return n
}

func sumMap(m map[string]int) int {
	n := 0
	for _, x := range m {
		n += x
	}
	return n
}
