package search_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"newsarchive/corpus"
	"newsarchive/corpus/textnorm"
	"newsarchive/search"
	"newsarchive/search/searchtest"
)

// bruteOccurrence is an occurrence found by scanning a record.
type bruteOccurrence struct {
	id, field          string
	at                 int
	left, match, right string
}

func fieldsOf(a *corpus.Article) [][2]string {
	return [][2]string{{search.FieldKicker, a.Kicker}, {search.FieldTitle, a.Title}, {search.FieldSubtitle, a.Subtitle}, {search.FieldBody, a.Body}}
}

// brute scans every record of the fixture for s, folded, at every
// offset, with n characters of context from the original text.
func brute(articles []corpus.Article, s string, n int, keep func(*corpus.Article) bool) (occs []bruteOccurrence, arts int) {
	needle := []rune(textnorm.String(s))
	flat := strings.NewReplacer("\n", " ", "\r", " ")
	for i := range articles {
		a := &articles[i]
		if keep != nil && !keep(a) {
			continue
		}
		found := false
		for _, f := range fieldsOf(a) {
			orig := []rune(f[1])
			folded := []rune(textnorm.String(f[1]))
			if len(orig) != len(folded) {
				panic("folding changed the length")
			}
			for at := 0; at+len(needle) <= len(folded); at++ {
				if slices.Equal(folded[at:at+len(needle)], needle) {
					found = true
					end := at + len(needle)
					occs = append(occs, bruteOccurrence{a.ID, f[0], at,
						flat.Replace(string(orig[max(0, at-n):at])), string(orig[at:end]), flat.Replace(string(orig[end:min(len(orig), end+n)]))})
				}
			}
		}
		if found {
			arts++
		}
	}
	return occs, arts
}

// all reads every page of a concordance.
func allLines(t *testing.T, s *search.Searcher, r search.ConcordanceRequest) (*search.Concordance, []search.ConcordanceLine) {
	t.Helper()
	var lines []search.ConcordanceLine
	var first *search.Concordance
	for page := 1; ; page++ {
		r.Page = page
		c, err := s.Concordance(context.Background(), r)
		if err != nil {
			t.Fatalf("concordance %+v: %v", r, err)
		}
		if first == nil {
			first = c
		}
		if len(c.Lines) == 0 {
			break
		}
		if c.Occurrences != first.Occurrences || c.Articles != first.Articles {
			t.Fatalf("page %d counts differ: %+v vs %+v", page, c, first)
		}
		lines = append(lines, c.Lines...)
	}
	return first, lines
}

func key(id, field string, at int) string { return fmt.Sprintf("%s/%s/%d", id, field, at) }

func TestConcordanceEqualsBruteForce(t *testing.T) {
	fx := searchtest.Get(t)
	s := fx.Searcher
	byID := map[string]*corpus.Article{}
	for i := range fx.Articles {
		byID[fx.Articles[i].ID] = &fx.Articles[i]
	}
	for _, tc := range []struct {
		query, str string
		context    int
		filters    search.Request
		keep       func(*corpus.Article) bool
	}{
		{query: `"黑土地"`, str: "黑土地"},
		{query: "经济", str: "经济", context: 5},
		{query: "經濟", str: "經濟"},               // traditional: the same occurrences as 经济
		{query: `"２０２２年"`, str: "２０２２年"},       // full-width: finds 2022年
		{query: `"00"`, str: "00", context: 3}, // overlapping: 000 holds 00 twice
		{query: `"满族"`, str: "满族", context: 100},
		{query: `"发展" county:伊通`, str: "发展", keep: func(a *corpus.Article) bool { return slices.Contains(a.Counties, "伊通满族自治县") }},
		{query: `"经济"`, str: "经济", filters: search.Request{From: "2023-01-01", To: "2023-06-30"},
			keep: func(a *corpus.Article) bool { return a.Date >= "2023-01-01" && a.Date <= "2023-06-30" }},
		{query: `"习近平" -"总书记"`, str: "习近平", keep: func(a *corpus.Article) bool {
			return !strings.Contains(textnorm.String(a.Kicker+"\n"+a.Title+"\n"+a.Subtitle+"\n"+a.Body), "总书记")
		}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			n := tc.context
			if n == 0 {
				n = search.DefaultContext
			}
			want, wantArts := brute(fx.Articles, tc.str, n, tc.keep)
			if len(want) == 0 {
				t.Fatalf("the fixture has no %q", tc.str)
			}
			c, lines := allLines(t, s, search.ConcordanceRequest{Query: tc.query, Filters: tc.filters, Context: tc.context, Size: search.MaxConcordanceSize})
			if c.Occurrences != len(want) || c.Held != len(want) || c.Cut || len(lines) != len(want) || c.Articles != wantArts {
				t.Fatalf("%d occurrences (%d held, %d listed, cut %v) in %d articles; brute force: %d in %d", c.Occurrences, c.Held, len(lines), c.Cut, c.Articles, len(want), wantArts)
			}
			if c.String != strings.Trim(tc.str, `"`) || c.Context != n {
				t.Errorf("string %q, context %d", c.String, c.Context)
			}
			got := map[string]search.ConcordanceLine{}
			for _, l := range lines {
				k := key(l.ID, l.Field, l.Offset)
				if _, dup := got[k]; dup {
					t.Fatalf("%s listed twice", k)
				}
				got[k] = l
			}
			for _, w := range want {
				l, ok := got[key(w.id, w.field, w.at)]
				if !ok {
					t.Fatalf("missing %s", key(w.id, w.field, w.at))
				}
				a := byID[w.id]
				if l.Left != w.left || l.Match != w.match || l.Right != w.right || l.Title != a.Title || l.Date != a.Date || l.Paper != a.Paper {
					t.Fatalf("%s: %+v, want %+v", key(w.id, w.field, w.at), l, w)
				}
			}
		})
	}
	// The traditional and full-width forms find exactly what the plain
	// forms do.
	for _, p := range [][2]string{{"經濟", "经济"}, {`"２０２２年"`, `"2022年"`}} {
		a, la := allLines(t, s, search.ConcordanceRequest{Query: p[0], Size: 500})
		b, lb := allLines(t, s, search.ConcordanceRequest{Query: p[1], Size: 500})
		if a.Occurrences != b.Occurrences || !slices.Equal(la, lb) {
			t.Errorf("%s: %d occurrences, %s: %d", p[0], a.Occurrences, p[1], b.Occurrences)
		}
	}
	// "00" really overlaps somewhere (offsets one apart).
	_, lines := allLines(t, s, search.ConcordanceRequest{Query: `"00"`, Size: 500})
	overlap := false
	for i := 1; i < len(lines); i++ {
		if lines[i].ID == lines[i-1].ID && lines[i].Field == lines[i-1].Field && lines[i].Offset == lines[i-1].Offset+1 {
			overlap = true
		}
	}
	if !overlap {
		t.Error("no overlapping occurrence of 00 in the fixture")
	}
}

func TestConcordanceOrders(t *testing.T) {
	s := searchtest.Get(t).Searcher
	base := search.ConcordanceRequest{Query: `"经济"`, Size: 500}
	newest, lines := allLines(t, s, base)
	if newest.Sort != search.ConcordanceNewest || len(lines) < 100 {
		t.Fatalf("sort %q, %d lines", newest.Sort, len(lines))
	}
	place := func(l search.ConcordanceLine) string {
		return fmt.Sprintf("%d/%08d", slices.Index([]string{search.FieldKicker, search.FieldTitle, search.FieldSubtitle, search.FieldBody}, l.Field), l.Offset)
	}
	dated := func(desc bool, lines []search.ConcordanceLine) {
		t.Helper()
		for i := 1; i < len(lines); i++ {
			a, b := lines[i-1], lines[i]
			switch {
			case a.ID == b.ID:
				if place(a) >= place(b) {
					t.Fatalf("in an article out of order: %+v, %+v", a, b)
				}
			case a.Date == b.Date:
				if a.ID > b.ID {
					t.Fatalf("same date, ids out of order: %s, %s", a.ID, b.ID)
				}
			case b.Date == "":
			case a.Date == "":
				t.Fatalf("undated before dated")
			case desc && a.Date < b.Date, !desc && a.Date > b.Date:
				t.Fatalf("dates out of order: %s, %s", a.Date, b.Date)
			}
		}
	}
	dated(true, lines)
	base.Sort = search.ConcordanceOldest
	_, oldest := allLines(t, s, base)
	dated(false, oldest)

	rev := func(s string) string {
		r := []rune(textnorm.String(s))
		slices.Reverse(r)
		return string(r)
	}
	for _, tc := range []struct {
		sort string
		key  func(search.ConcordanceLine) string
	}{
		{search.ConcordanceLeft, func(l search.ConcordanceLine) string { return rev(l.Left) }},
		{search.ConcordanceRight, func(l search.ConcordanceLine) string { return textnorm.String(l.Right) }},
	} {
		base.Sort = tc.sort
		c, sorted := allLines(t, s, base)
		if c.Sort != tc.sort || len(sorted) != len(lines) {
			t.Fatalf("%s: %d lines of %d", tc.sort, len(sorted), len(lines))
		}
		pos := map[string]int{}
		for i, l := range lines {
			pos[key(l.ID, l.Field, l.Offset)] = i
		}
		for i := 1; i < len(sorted); i++ {
			a, b := tc.key(sorted[i-1]), tc.key(sorted[i])
			if a > b {
				t.Fatalf("%s: %q before %q", tc.sort, a, b)
			}
			if a == b && pos[key(sorted[i-1].ID, sorted[i-1].Field, sorted[i-1].Offset)] > pos[key(sorted[i].ID, sorted[i].Field, sorted[i].Offset)] {
				t.Fatalf("%s: equal contexts not in date order", tc.sort)
			}
		}
	}
}

func TestConcordancePagingAndLimits(t *testing.T) {
	s := searchtest.Get(t).Searcher
	ctx := context.Background()
	_, all := allLines(t, s, search.ConcordanceRequest{Query: `"经济"`, Size: 500})
	// Pages of 7 are the same lines, in the same order.
	_, paged := allLines(t, s, search.ConcordanceRequest{Query: `"经济"`, Size: 7})
	if !slices.Equal(all, paged) {
		t.Fatalf("pages of 7 give %d lines, one page %d", len(paged), len(all))
	}
	c, err := s.Concordance(ctx, search.ConcordanceRequest{Query: `"经济"`, Page: 3, Size: 10})
	if err != nil || c.Page != 3 || c.Size != 10 || !slices.Equal(c.Lines, all[20:30]) {
		t.Fatalf("page 3 of 10: %v %+v", err, c)
	}
	// A cut concordance counts everything, holds the first in date order
	// and says so.
	c, err = s.Concordance(ctx, search.ConcordanceRequest{Query: `"经济"`, Size: 500, Hold: 50})
	if err != nil || !c.Cut || c.Held != 50 || c.Occurrences != len(all) || len(c.Lines) != 50 || !slices.Equal(c.Lines, all[:50]) {
		t.Fatalf("cut: %v held %d of %d, %d lines", err, c.Held, c.Occurrences, len(c.Lines))
	}
	// Title only.
	_, head := allLines(t, s, search.ConcordanceRequest{Query: `title:"经济"`, Size: 500})
	for _, l := range head {
		if l.Field == search.FieldBody {
			t.Fatalf("title: lists the body: %+v", l)
		}
	}
	if len(head) == 0 {
		t.Error("no 经济 in any title")
	}
	for _, r := range []search.ConcordanceRequest{
		{},
		{Query: "county:伊通"},
		{Query: "经济 满族"},
		{Query: `"经济" OR "满族"`},
		{Query: `"经济`},
		{Query: "，。"},
		{Query: "经济", Context: 101},
		{Query: "经济", Context: -1},
		{Query: "经济", Size: 501},
		{Query: "经济", Page: -1},
		{Query: "经济", Sort: "middle"},
		{Query: "经济", Filters: search.Request{Counties: []string{"火星"}}},
		{Query: "经济", Filters: search.Request{Query: "满族"}},
	} {
		if _, err := s.Concordance(ctx, r); !errors.Is(err, search.ErrBadRequest) {
			t.Errorf("%+v: err = %v, want a bad request", r, err)
		}
	}
	// Excluded strings and field terms do not count as strings.
	if _, err := s.Concordance(ctx, search.ConcordanceRequest{Query: `"经济" -"满族" county:伊通 -title:发展`}); err != nil {
		t.Errorf("one string with exclusions: %v", err)
	}
}

// TestConcordanceLinesInOnePass checks ConcordanceLines against the pages
// of Concordance: the same lines in the same order for every sort, cut at
// a limit, the counts equal, a bad request refused before any line, an
// error of the callback returned.
func TestConcordanceLinesInOnePass(t *testing.T) {
	s := searchtest.Get(t).Searcher
	ctx := context.Background()
	for _, sort := range []string{search.ConcordanceNewest, search.ConcordanceOldest, search.ConcordanceLeft, search.ConcordanceRight} {
		r := search.ConcordanceRequest{Query: `"发展"`, Sort: sort, Context: 8, Size: 7}
		first, want := allLines(t, s, r)
		if len(want) < 20 {
			t.Fatalf("%s: only %d lines", sort, len(want))
		}
		for _, limit := range []int{len(want) + 5, 13, 0} {
			var got []search.ConcordanceLine
			c, err := s.ConcordanceLines(ctx, r, limit, func(l search.ConcordanceLine) error {
				got = append(got, l)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			n := min(limit, len(want))
			if !slices.Equal(got, want[:n]) {
				t.Errorf("%s, limit %d: %d lines, not the pages' first %d", sort, limit, len(got), n)
			}
			if c.Occurrences != first.Occurrences || c.Held != first.Held || c.Articles != first.Articles || len(c.Lines) != 0 {
				t.Errorf("%s, limit %d: counts %+v, the pages' %+v", sort, limit, c, first)
			}
		}
	}
	called := false
	if _, err := s.ConcordanceLines(ctx, search.ConcordanceRequest{Query: "经济 满族"}, 10, func(search.ConcordanceLine) error { called = true; return nil }); !errors.Is(err, search.ErrBadRequest) || called {
		t.Errorf("two strings: %v, callback called %v", err, called)
	}
	stop := errors.New("stop")
	n := 0
	if _, err := s.ConcordanceLines(ctx, search.ConcordanceRequest{Query: `"发展"`}, 100, func(search.ConcordanceLine) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Errorf("callback error: %v after %d lines", err, n)
	}
}
