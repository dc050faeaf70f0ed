package search_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"newsarchive/corpus"
	"newsarchive/corpus/textnorm"
	"newsarchive/search"
	"newsarchive/search/searchtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	searchtest.Cleanup()
	os.Exit(code)
}

// contains reports whether folded text holds every searchable run of s,
// which is what an exact query means.
func contains(text, s string) bool {
	t := textnorm.String(text)
	for _, run := range strings.FieldsFunc(textnorm.String(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if !strings.Contains(t, run) {
			return false
		}
	}
	return true
}

func head(a *corpus.Article) string { return a.Kicker + "\n" + a.Title + "\n" + a.Subtitle }

// bruteForce is a reference implementation of a request's filters, as a
// scan over the records.
type bruteForce struct {
	text     func(*corpus.Article) bool
	counties []string
	topics   []string
	authors  []string
	from, to string
}

func anyOf(have, want []string) bool {
	if len(want) == 0 {
		return true
	}
	for _, w := range want {
		if slices.Contains(have, w) {
			return true
		}
	}
	return false
}

// match reports whether a passes every filter except the one named skip.
func (b bruteForce) match(a *corpus.Article, skip string) bool {
	if b.text != nil && !b.text(a) {
		return false
	}
	if skip != "county" && !anyOf(a.Counties, b.counties) {
		return false
	}
	if skip != "topic" && !anyOf(a.Topics, b.topics) {
		return false
	}
	if skip != "author" && !anyOf(a.Authors, b.authors) {
		return false
	}
	if skip != "date" && (b.from != "" && a.Date < b.from || b.to != "" && (a.Date == "" || a.Date > b.to)) {
		return false
	}
	return true
}

func ids(hits []search.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.ID)
	}
	return out
}

// all runs a request and returns the ids of every hit, in order.
func all(t *testing.T, s *search.Searcher, r search.Request) []string {
	t.Helper()
	var out []string
	err := s.Each(context.Background(), r, 1<<30, func(h search.Hit) error {
		out = append(out, h.ID)
		return nil
	})
	if err != nil {
		t.Fatalf("Each(%+v): %v", r, err)
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

func TestExactQueriesEqualBruteForce(t *testing.T) {
	fx := searchtest.Get(t)
	tests := []struct {
		q    string
		want func(a *corpus.Article) bool
	}{
		{`"满族"`, func(a *corpus.Article) bool { return contains(head(a), "满族") || contains(a.Body, "满族") }},
		{`"满族" "剪纸"`, func(a *corpus.Article) bool {
			return (contains(head(a), "满族") || contains(a.Body, "满族")) && (contains(head(a), "剪纸") || contains(a.Body, "剪纸"))
		}},
		{`"黑土地" OR "满族"`, func(a *corpus.Article) bool {
			return contains(head(a), "黑土地") || contains(a.Body, "黑土地") || contains(head(a), "满族") || contains(a.Body, "满族")
		}},
		{`"习近平" -"总书记"`, func(a *corpus.Article) bool {
			return (contains(head(a), "习近平") || contains(a.Body, "习近平")) && !(contains(head(a), "总书记") || contains(a.Body, "总书记"))
		}},
		{`-"的"`, func(a *corpus.Article) bool { return !(contains(head(a), "的") || contains(a.Body, "的")) }},
		{`title:"伊通"`, func(a *corpus.Article) bool { return contains(head(a), "伊通") }},
		{`("教育" OR "医疗") county:伊通`, func(a *corpus.Article) bool {
			return slices.Contains(a.Counties, "伊通满族自治县") &&
				(contains(head(a), "教育") || contains(a.Body, "教育") || contains(head(a), "医疗") || contains(a.Body, "医疗"))
		}},
		{`topic:农业农村 "粮食"`, func(a *corpus.Article) bool {
			return slices.Contains(a.Topics, "农业农村") && (contains(head(a), "粮食") || contains(a.Body, "粮食"))
		}},
		{`author:赵雪`, func(a *corpus.Article) bool { return slices.Contains(a.Authors, "赵雪") }},
		{`paper:样例日报`, func(a *corpus.Article) bool { return a.Paper == "样例日报" }},
		{`kind:photo`, func(a *corpus.Article) bool { return a.Kind == "photo" }},
		{`date:2023-08`, func(a *corpus.Article) bool { return strings.HasPrefix(a.Date, "2023-08") }},
		{`date:2022-06-01..2022-09-30 "经济"`, func(a *corpus.Article) bool {
			return a.Date >= "2022-06-01" && a.Date <= "2022-09-30" && (contains(head(a), "经济") || contains(a.Body, "经济"))
		}},
		{`date:2024.. "改革"`, func(a *corpus.Article) bool {
			return a.Date >= "2024-01-01" && (contains(head(a), "改革") || contains(a.Body, "改革"))
		}},
		{`"梨树县"`, func(a *corpus.Article) bool { return contains(head(a), "梨树县") || contains(a.Body, "梨树县") }},
		{`"收获进度"`, func(a *corpus.Article) bool {
			return contains(head(a), "收获进度") || contains(a.Body, "收获进度")
		}},
		{`"3200台"`, func(a *corpus.Article) bool { return contains(a.Body, "3200台") }},
	}
	for _, tt := range tests {
		var want []string
		for i := range fx.Articles {
			if tt.want(&fx.Articles[i]) {
				want = append(want, fx.Articles[i].ID)
			}
		}
		got := sorted(all(t, fx.Searcher, search.Request{Query: tt.q}))
		if !slices.Equal(got, want) {
			t.Errorf("%s: %d hits, brute force %d", tt.q, len(got), len(want))
		}
		if len(want) == 0 && tt.q != `-"的"` {
			t.Errorf("%s: the test data has no match; the case tests nothing", tt.q)
		}
	}
}

func TestUnquotedFindsAtLeastExact(t *testing.T) {
	fx := searchtest.Get(t)
	for _, q := range []string{"满族", "开展", "自治县", "10万余元", "农田排涝", "梨树县", "收获", "3200"} {
		exact := sorted(all(t, fx.Searcher, search.Request{Query: `"` + q + `"`}))
		loose := sorted(all(t, fx.Searcher, search.Request{Query: q}))
		if len(exact) == 0 {
			t.Errorf("%q: no exact match in the test data", q)
		}
		for _, id := range exact {
			if _, ok := slices.BinarySearch(loose, id); !ok {
				t.Errorf("%s: unquoted misses %s, which contains it", q, id)
			}
		}
	}
}

func TestFacetsAreDisjunctive(t *testing.T) {
	fx := searchtest.Get(t)
	r := search.Request{
		Query:    `"县"`,
		Counties: []string{"伊通", "梨树县"},
		Topics:   []string{"教育", "农业农村", "党建"},
		From:     "2022-01-01",
	}
	ref := bruteForce{
		text:     func(a *corpus.Article) bool { return contains(head(a), "县") || contains(a.Body, "县") },
		counties: []string{"伊通满族自治县", "梨树县"},
		topics:   []string{"教育", "农业农村", "党建"},
		from:     "2022-01-01",
	}
	res, err := fx.Searcher.Search(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for i := range fx.Articles {
		if ref.match(&fx.Articles[i], "") {
			total++
		}
	}
	if int(res.Total) != total || total == 0 {
		t.Errorf("total = %d, brute force %d", res.Total, total)
	}
	check := func(name string, got []search.FacetValue, values func(*corpus.Article) []string) {
		t.Helper()
		want := map[string]int{}
		for i := range fx.Articles {
			a := &fx.Articles[i]
			if ref.match(a, name) {
				for _, v := range values(a) {
					want[v]++
				}
			}
		}
		gotMap := map[string]int{}
		for _, fv := range got {
			gotMap[fv.Value] = fv.Count
		}
		for v, n := range want {
			if gotMap[v] != n {
				t.Errorf("facet %s[%s] = %d, brute force %d", name, v, gotMap[v], n)
			}
		}
		if len(gotMap) != len(want) {
			t.Errorf("facet %s has %d values, brute force %d", name, len(gotMap), len(want))
		}
	}
	check("county", res.Facets.County, func(a *corpus.Article) []string { return a.Counties })
	check("topic", res.Facets.Topic, func(a *corpus.Article) []string { return a.Topics })
	check("author", res.Facets.Author, func(a *corpus.Article) []string { return a.Authors })
	check("date", res.Facets.Date, func(a *corpus.Article) []string {
		if len(a.Date) < 7 {
			return nil
		}
		return []string{a.Date[:7]}
	})
	// Disjunctive: the county facet shows counties outside the filter.
	others := 0
	for _, fv := range res.Facets.County {
		if fv.Value != "伊通满族自治县" && fv.Value != "梨树县" && fv.Count > 0 {
			others++
		}
	}
	if others == 0 {
		t.Errorf("county facet shows only the filtered counties: %+v", res.Facets.County)
	}
	if !sort.SliceIsSorted(res.Facets.Date, func(i, j int) bool { return res.Facets.Date[i].Value < res.Facets.Date[j].Value }) {
		t.Errorf("date facet is not in date order: %+v", res.Facets.Date)
	}
}

func TestPagesAndCursorsAgree(t *testing.T) {
	fx := searchtest.Get(t)
	ctx := context.Background()
	for _, order := range []string{search.SortRelevance, search.SortNewest, search.SortOldest} {
		r := search.Request{Query: "经济", Sort: order, Size: 37}
		every := all(t, fx.Searcher, r)
		if len(every) < 100 {
			t.Fatalf("%s: only %d hits; the test wants several pages", order, len(every))
		}
		var byCursor, byPage []string
		for page, after := 1, ""; ; page++ {
			rc := r
			rc.After = after
			res, err := fx.Searcher.Search(ctx, rc)
			if err != nil {
				t.Fatal(err)
			}
			byCursor = append(byCursor, ids(res.Hits)...)
			rp := r
			rp.Page = page
			resp, err := fx.Searcher.Search(ctx, rp)
			if err != nil {
				t.Fatal(err)
			}
			byPage = append(byPage, ids(resp.Hits)...)
			if int(res.Total) != len(every) {
				t.Fatalf("%s: total %d, Each gave %d", order, res.Total, len(every))
			}
			if res.Next == nil {
				break
			}
			after = *res.Next
		}
		if !slices.Equal(byCursor, every) || !slices.Equal(byPage, every) {
			t.Errorf("%s: cursor pages (%d), numbered pages (%d) and Each (%d) differ", order, len(byCursor), len(byPage), len(every))
		}
		if len(sorted(every)) != len(slices.Compact(sorted(every))) {
			t.Errorf("%s: a hit came twice", order)
		}
	}
}

func TestSortByDate(t *testing.T) {
	fx := searchtest.Get(t)
	res, err := fx.Searcher.Search(context.Background(), search.Request{Query: "发展", Sort: search.SortNewest, Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	var dates []string
	for _, h := range res.Hits {
		dates = append(dates, h.Date)
	}
	if !sort.IsSorted(sort.Reverse(sort.StringSlice(dates))) {
		t.Errorf("sort=date is not newest first: %v", dates)
	}
	newest := ""
	for _, a := range fx.Articles {
		if contains(head(&a), "发展") || contains(a.Body, "发展") {
			newest = max(newest, a.Date)
		}
	}
	if dates[0] != newest {
		t.Errorf("first hit dated %s, newest match is %s", dates[0], newest)
	}
	res, err = fx.Searcher.Search(context.Background(), search.Request{Query: "发展", Sort: search.SortOldest, Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	dates = dates[:0]
	for _, h := range res.Hits {
		if h.Date != "" {
			dates = append(dates, h.Date)
		}
	}
	if !sort.StringsAreSorted(dates) {
		t.Errorf("sort=-date is not oldest first: %v", dates)
	}
}

// TestRankingPrefersTypedTitle: a title typed as it is finds an article
// with that title first. (A single word in a title no longer outranks the
// same word in bodies: the known-item evaluation, internal/rankeval, found
// that title weight loses articles remembered by their body's words;
// docs/analysis.md, "Ranking".)
func TestRankingPrefersTypedTitle(t *testing.T) {
	fx := searchtest.Get(t)
	res, err := fx.Searcher.Search(context.Background(), search.Request{Query: "农田排涝"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) == 0 || !strings.Contains(res.Hits[0].Title, "农田排涝") {
		t.Fatalf("first hit for 农田排涝 is not the article titled with it: %+v", res.Hits[:min(1, len(res.Hits))])
	}
	checked := 0
	for i := 0; i < len(fx.Articles) && checked < 40; i += 37 {
		a := fx.Articles[i]
		if a.Kind != "article" || utf8.RuneCountInString(a.Title) < 6 || strings.ContainsAny(a.Title, "\"“”()（）:：-") {
			continue
		}
		checked++
		res, err := fx.Searcher.Search(context.Background(), search.Request{Query: a.Title, Size: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].Title != a.Title {
			t.Errorf("title %q typed: first hit %+v", a.Title, res.Hits)
		}
	}
	if checked < 20 {
		t.Fatalf("only %d titles checked", checked)
	}
}

// TestExactPhraseRanksAboveScatteredWords: for an unquoted term, every
// article containing it as written in the body ranks above every article
// where only its words occur apart in the body. (Articles with a word in
// the head are left out: a title match weighs more than a body phrase.)
func TestExactPhraseRanksAboveScatteredWords(t *testing.T) {
	fx := searchtest.Get(t)
	for _, q := range []string{"经济发展", "乡村振兴", "高质量发展", "农田排涝", "科技创新"} {
		lastContiguous, firstScattered, scattered := -1, -1, 0
		i := 0
		rs := []rune(q)
		err := fx.Searcher.Each(context.Background(), search.Request{Query: q}, 1<<20, func(h search.Hit) error {
			a := h.Article
			if contains(head(&a), string(rs[:2])) || contains(head(&a), string(rs[len(rs)-2:])) {
				return nil
			}
			if contains(a.Body, q) {
				lastContiguous = i
			} else {
				scattered++
				if firstScattered < 0 {
					firstScattered = i
				}
			}
			i++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if scattered == 0 || lastContiguous < 0 {
			t.Errorf("%s: %d scattered, last contiguous at %d: the case tests nothing", q, scattered, lastContiguous)
			continue
		}
		if lastContiguous > firstScattered {
			t.Errorf("%s: a scattered match ranks %d, above a contiguous one at %d", q, firstScattered, lastContiguous)
		}
	}
}

func TestHighlights(t *testing.T) {
	fx := searchtest.Get(t)
	ctx := context.Background()
	first := func(q string) search.Hit {
		t.Helper()
		res, err := fx.Searcher.Search(ctx, search.Request{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 {
			t.Fatalf("%s: no hits", q)
		}
		return res.Hits[0]
	}
	// Adjacent words are one mark.
	if h := first("农田 排涝"); !strings.Contains(h.Highlight.Title, "<mark>农田排涝</mark>") {
		t.Errorf("农田 排涝: title %q, want one <mark>农田排涝</mark>", h.Highlight.Title)
	}
	// A match inside a word (exact-recall path) is marked too.
	h := first(`"满族" title:剪纸`)
	if !strings.Contains(h.Highlight.Snippet, "伊通<mark>满族</mark>自治县") {
		t.Errorf("满族: snippet %q lacks the mark inside 伊通满族自治县", h.Highlight.Snippet)
	}
	// Article text is escaped; the marks are the only markup.
	h = first("script")
	if !strings.Contains(h.Highlight.Snippet, "&lt;<mark>script</mark>&gt;alert(&#34;hi&#34;)&lt;/<mark>script</mark>&gt;") {
		t.Errorf("script: snippet %q is not escaped as expected", h.Highlight.Snippet)
	}
	// Simplified query, traditional text: the original characters marked.
	h = first(`title:"梨树县" "收获"`)
	if h.Highlight.Title != "<mark>梨樹縣</mark> 秋糧<mark>收穫</mark>進度過半" {
		t.Errorf("梨树县 收获: title %q", h.Highlight.Title)
	}
	// Half-width query, full-width text.
	h = first(`"3200台"`)
	if !strings.Contains(h.Highlight.Snippet, "<mark>３２００台</mark>") {
		t.Errorf("3200台: snippet %q", h.Highlight.Snippet)
	}
	// A snippet is about SnippetLength characters, around the match.
	h = first(`"十年前"`)
	plain := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(h.Highlight.Snippet)
	if n := len([]rune(plain)); n > search.SnippetLength+2 || n < search.SnippetLength/2 {
		t.Errorf("snippet is %d characters: %q", n, plain)
	}
	if !strings.Contains(h.Highlight.Snippet, "<mark>十年前</mark>") {
		t.Errorf("snippet %q does not show the match", h.Highlight.Snippet)
	}
}

func TestBadRequests(t *testing.T) {
	fx := searchtest.Get(t)
	tests := []struct {
		r    search.Request
		want string
	}{
		{search.Request{Query: `"满族`}, "quote is not closed"},
		{search.Request{Query: "(满族"}, "( is not closed"},
		{search.Request{Query: "titel:满族"}, `unknown field "titel"`},
		{search.Request{Query: "county:火星"}, `unknown county "火星"`},
		{search.Request{Query: "topic:魔法"}, `unknown topic "魔法"`},
		{search.Request{Query: "date:2022-13"}, "not YYYY"},
		{search.Request{Query: "，。"}, "no letter, digit or Chinese character"},
		{search.Request{Query: "，。 》"}, "no letter, digit or Chinese character"},
		{search.Request{Query: `""`}, "nothing to search for"},
		{search.Request{Counties: []string{"火星"}}, `unknown county "火星"`},
		{search.Request{Topics: []string{"魔法"}}, `unknown topic "魔法"`},
		{search.Request{From: "2022-6-1"}, `from "2022-6-1" is not a date`},
		{search.Request{To: "yesterday"}, `to "yesterday" is not a date`},
		{search.Request{From: "2023-01-02", To: "2023-01-01"}, "after to"},
		{search.Request{Sort: "popular"}, `sort "popular"`},
		{search.Request{Size: 101}, "size 101 is out of range"},
		{search.Request{Size: -1}, "size -1 is out of range"},
		{search.Request{Page: 501, Size: 20}, "past the first 10000 hits"},
		{search.Request{After: "nonsense!"}, "not a cursor"},
		{search.Request{Query: "经济", After: "eyJzIjoiZGF0ZSIsInYiOlsiMjAyMi0wMS0wMVQwMDowMDowMFoiLCJ4Il19"}, "made for sort=date"},
	}
	for _, tt := range tests {
		_, err := fx.Searcher.Search(context.Background(), tt.r)
		if !errors.Is(err, search.ErrBadRequest) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: error %v, want a bad request saying %q", tt.r, err, tt.want)
		}
	}
}

func TestSimilar(t *testing.T) {
	fx := searchtest.Get(t)
	ctx := context.Background()
	res, err := fx.Searcher.Search(ctx, search.Request{Query: `title:"黑土地"`, Sort: search.SortOldest})
	if err != nil || len(res.Hits) == 0 {
		t.Fatalf("no article on 黑土地: %v", err)
	}
	src := res.Hits[0]
	hits, err := fx.Searcher.Similar(ctx, src.ID, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 {
		t.Fatal("no similar articles")
	}
	for i, h := range hits {
		if h.ID == src.ID {
			t.Errorf("the article is similar to itself")
		}
		if i > 0 && h.Score > hits[i-1].Score {
			t.Errorf("similar articles are not best first")
		}
	}
	// The best one is closer to the article than 95% of the archive is
	// (cosine of their sets of two-character strings).
	bigrams := func(a *corpus.Article) map[string]bool {
		out := map[string]bool{}
		rs := []rune(textnorm.String(head(a) + a.Body))
		for i := 0; i+1 < len(rs); i++ {
			if textnorm.IsHan(rs[i]) && textnorm.IsHan(rs[i+1]) {
				out[string(rs[i:i+2])] = true
			}
		}
		return out
	}
	srcGrams := bigrams(&src.Article)
	shared := func(a *corpus.Article) float64 {
		n, grams := 0, bigrams(a)
		for g := range grams {
			if srcGrams[g] {
				n++
			}
		}
		return float64(n) / math.Sqrt(float64(len(grams)*len(srcGrams))+1)
	}
	var all []float64
	for i := range fx.Articles {
		if fx.Articles[i].ID != src.ID {
			all = append(all, shared(&fx.Articles[i]))
		}
	}
	sort.Float64s(all)
	top := hits[0].Article
	if p95 := all[len(all)*95/100]; shared(&top) <= p95 {
		t.Errorf("most similar to %q is %q, cosine %.3f; 95th percentile of the archive is %.3f", src.Title, top.Title, shared(&top), p95)
	}
	if _, err := fx.Searcher.Similar(ctx, "0000000000000000", 5); err == nil {
		t.Errorf("Similar of an unknown id: no error")
	}
}

func TestArticleHighlightsItsQuery(t *testing.T) {
	fx := searchtest.Get(t)
	res, err := fx.Searcher.Search(context.Background(), search.Request{Query: "剪纸"})
	if err != nil || len(res.Hits) == 0 {
		t.Fatalf("剪纸: %v", err)
	}
	h, err := fx.Searcher.Article(context.Background(), res.Hits[0].ID, "剪纸")
	if err != nil {
		t.Fatal(err)
	}
	if h.Article.Body == "" || !strings.Contains(h.Highlight.Title, "<mark>剪纸</mark>") {
		t.Errorf("article: body %d bytes, title %q", len(h.Article.Body), h.Highlight.Title)
	}
}

func TestArticleBodyHighlight(t *testing.T) {
	fx := searchtest.Get(t)
	var src corpus.Article
	for _, a := range fx.Articles {
		if strings.Contains(a.Body, "<script>") {
			src = a
		}
	}
	h, err := fx.Searcher.Article(context.Background(), src.ID, "script 宣传")
	if err != nil {
		t.Fatal(err)
	}
	body := h.Highlight.Body
	if !strings.Contains(body, "&lt;<mark>script</mark>&gt;alert(&#34;hi&#34;)") || strings.Contains(body, "<script") {
		t.Errorf("body highlight not escaped and marked: %q", body)
	}
	if strings.Count(body, "\n") != strings.Count(src.Body, "\n") {
		t.Errorf("body highlight has %d line breaks, the record %d", strings.Count(body, "\n"), strings.Count(src.Body, "\n"))
	}
	plain := strings.NewReplacer("<mark>", "", "</mark>", "", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&amp;", "&").Replace(body)
	if plain != src.Body {
		t.Errorf("body highlight without markup differs from the body")
	}
	if !strings.Contains(body, "<mark>宣传</mark>") {
		t.Errorf("宣传 not marked in %q", body)
	}
	// Without a query, nothing is marked.
	h, err = fx.Searcher.Article(context.Background(), src.ID, "")
	if err != nil || strings.Contains(h.Highlight.Body, "<mark>") {
		t.Errorf("no query: %v %q", err, h.Highlight.Body)
	}
}

func TestOverview(t *testing.T) {
	fx := searchtest.Get(t)
	o, err := fx.Searcher.Overview(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if int(o.Articles) != len(fx.Articles) {
		t.Errorf("articles = %d, want %d", o.Articles, len(fx.Articles))
	}
	first, last := "9999", ""
	perCounty := map[string]int{}
	for _, a := range fx.Articles {
		if a.Date != "" {
			first, last = min(first, a.Date), max(last, a.Date)
		}
		for _, c := range a.Counties {
			perCounty[c]++
		}
	}
	if o.FirstDate != first || o.LastDate != last {
		t.Errorf("dates %s..%s, want %s..%s", o.FirstDate, o.LastDate, first, last)
	}
	seen := map[string]bool{}
	for _, c := range o.Counties {
		seen[c.Value] = true
		if c.Count != perCounty[c.Value] {
			t.Errorf("county %s: %d, want %d", c.Value, c.Count, perCounty[c.Value])
		}
	}
	// Every curated unit, by its display name (铁东区 is 铁东区（四平）).
	curated := fx.Searcher.CuratedCounties()
	if len(curated) != len(fx.Tagger.Gazetteer.Units()) || !slices.Contains(curated, "铁东区（四平）") || slices.Contains(curated, "铁东区") {
		t.Errorf("curated counties %v", curated)
	}
	for _, u := range curated {
		if !seen[u] {
			t.Errorf("county %s missing from the overview", u)
		}
	}
	_, err = time.Parse("2006-01-02", o.LastDate)
	if err != nil {
		t.Errorf("last date %q: %v", o.LastDate, err)
	}
}

func TestPlaceTopicAgainstScan(t *testing.T) {
	fx := searchtest.Get(t)
	for _, level := range []string{corpus.LevelCounty, corpus.LevelPrefecture, corpus.LevelProvince} {
		t.Run(level, func(t *testing.T) {
			counts, err := fx.Searcher.PlaceTopic(context.Background(), search.Request{Query: `"县"`, Counties: []string{"伊通"}, Provinces: []string{"22"}, From: "2022-01-01"}, level)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]map[string]int{}
			for _, a := range fx.Articles {
				if a.Date < "2022-01-01" || !(contains(head(&a), "县") || contains(a.Body, "县")) {
					continue
				}
				for _, c := range scanPlaces(fx.Tagger, &a, level) {
					for _, tp := range a.Topics {
						if want[c] == nil {
							want[c] = map[string]int{}
						}
						want[c][tp]++
					}
				}
			}
			if len(want) < 2 {
				t.Fatalf("the scan finds %d places: the test tests little", len(want))
			}
			for c, row := range want {
				for tp, n := range row {
					if counts[c][tp] != n {
						t.Errorf("%s × %s: %d, scan %d", c, tp, counts[c][tp], n)
					}
				}
				if len(counts[c]) != len(row) {
					t.Errorf("%s: %d topics, scan %d", c, len(counts[c]), len(row))
				}
			}
			if len(counts) != len(want) {
				t.Errorf("%d places, scan %d (the place filters must be ignored)", len(counts), len(want))
			}
		})
	}
}

// scanPlaces returns the places of a record at a level, found from its
// places' codes alone (not from the index's helper): the record's
// counties at county level; at the others, the display of each place of
// that level and of the unit whose code the place's code starts with.
func scanPlaces(tagger *corpus.Tagger, a *corpus.Article, level string) []string {
	if level == corpus.LevelCounty {
		return a.Counties
	}
	var out []string
	for _, p := range a.Places {
		var code string
		switch {
		case level == corpus.LevelProvince:
			code = p.Code[:2]
		case p.Level == corpus.LevelProvince:
			continue
		case p.Level == corpus.LevelPrefecture || p.Prefecture != "":
			code = p.Code[:4]
		default:
			continue
		}
		ps := tagger.LookupPlace(code, level)
		if len(ps) != 1 {
			panic(fmt.Sprintf("code %s of %s: %v", code, p.Display, ps))
		}
		if !slices.Contains(out, ps[0].Display) {
			out = append(out, ps[0].Display)
		}
	}
	return out
}

// TestPunctuationBetweenTermsIsSkipped: a title typed with its
// punctuation finds what the title without it finds.
func TestPunctuationBetweenTermsIsSkipped(t *testing.T) {
	fx := searchtest.Get(t)
	ctx := context.Background()
	with, err := fx.Searcher.Search(ctx, search.Request{Query: "（黑土地）》 保护"})
	if err != nil {
		t.Fatal(err)
	}
	without, err := fx.Searcher.Search(ctx, search.Request{Query: "黑土地 保护"})
	if err != nil {
		t.Fatal(err)
	}
	if with.Total == 0 || with.Total != without.Total || with.Hits[0].ID != without.Hits[0].ID {
		t.Errorf("with punctuation %d hits, without %d", with.Total, without.Total)
	}
}

// TestEmptyQueryNewestFirst: with no query (the list of every article)
// and no sort given, the newest come first; a sort given is kept.
func TestEmptyQueryNewestFirst(t *testing.T) {
	fx := searchtest.Get(t)
	ctx := context.Background()
	got, err := fx.Searcher.Search(ctx, search.Request{Size: 50})
	if err != nil {
		t.Fatal(err)
	}
	want, err := fx.Searcher.Search(ctx, search.Request{Size: 50, Sort: search.SortNewest})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Hits) != 50 || ids(got.Hits)[0] != ids(want.Hits)[0] || !slices.Equal(ids(got.Hits), ids(want.Hits)) {
		t.Fatalf("empty query: %v, newest first: %v", ids(got.Hits)[:3], ids(want.Hits)[:3])
	}
	for i := 1; i < len(got.Hits); i++ {
		if got.Hits[i-1].Date < got.Hits[i].Date {
			t.Fatalf("hit %d (%s) is older than hit %d (%s)", i-1, got.Hits[i-1].Date, i, got.Hits[i].Date)
		}
	}
	rel, err := fx.Searcher.Search(ctx, search.Request{Size: 50, Sort: search.SortRelevance})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(ids(rel.Hits), ids(got.Hits)) {
		t.Error("sort=relevance given explicitly sorts like the default")
	}
}
