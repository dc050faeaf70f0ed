package search_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"newsarchive/corpus"
	"newsarchive/search"
	"newsarchive/search/searchtest"
)

// TestErrorCodes checks that each kind of bad request has its stable code,
// keeps its English message and says in Chinese what is wrong, with the
// query position of a syntax error.
func TestErrorCodes(t *testing.T) {
	fx := searchtest.Get(t)
	for _, tt := range []struct {
		r       search.Request
		code    string
		english string // in err.Error()
		chinese string // ChineseMessage is exactly this when it ends with "$", else contains it
	}{
		{search.Request{Query: `"乡村振兴`}, search.CodeUnclosedQuote, "query, at character 1: the quote is not closed", "检索式第 1 个字符处的引号没有闭合$"},
		{search.Request{Query: `经济 "乡村`}, search.CodeUnclosedQuote, "at character 4", "检索式第 4 个字符处的引号没有闭合$"},
		{search.Request{Query: `(教育 OR 医疗`}, search.CodeUnbalancedParen, "this ( is not closed", "检索式第 1 个字符处的左括号没有闭合$"},
		{search.Request{Query: `教育)`}, search.CodeUnbalancedParen, "this ) has no ( before it", "检索式第 3 个字符处的右括号前面没有对应的左括号$"},
		{search.Request{Query: `""`}, search.CodeEmptyQuery, "the quotes hold nothing", "引号里没有要查的内容"},
		{search.Request{Query: `()`}, search.CodeEmptyQuery, "nothing between the parentheses", "括号里没有检索词"},
		{search.Request{Query: `教育 OR`}, search.CodeMisplacedOperator, "OR needs a term after it", "检索式第 4 个字符处的 OR 后面缺少检索词$"},
		{search.Request{Query: `OR 教育`}, search.CodeMisplacedOperator, "OR needs a term before it", "OR 前面缺少检索词"},
		{search.Request{Query: `教育 - `}, search.CodeBadRequest, "", ""}, // a lone "-" is a word, matching nothing: not an error
		{search.Request{Query: `foo:bar`}, search.CodeUnknownField, `unknown field "foo"`, "检索式第 1 个字符处：没有“foo”这个字段"},
		{search.Request{Query: `county:`}, search.CodeMissingValue, "needs a value after the colon", "冒号后面缺少要查的值"},
		{search.Request{Query: `"乡村 振兴"~`}, search.CodeBadProximity, "needs a number of characters", "~ 后面要写字符数"},
		{search.Request{Query: `"乡村 振兴"~99999`}, search.CodeBadProximity, "too large", "邻近距离 ~99999 太大"},
		{search.Request{Query: `topic:火星学`}, search.CodeUnknownTopic, `unknown topic "火星学"`, "没有“火星学”这个主题"},
		{search.Request{Topics: []string{"火星学"}}, search.CodeUnknownTopic, `unknown topic "火星学"`, "没有“火星学”这个主题"},
		{search.Request{Query: `county:火星`}, search.CodeUnknownPlace, `unknown county "火星"`, "检索式第 1 个字符处：未知的县级单位"},
		{search.Request{Counties: []string{"鼓楼区"}}, search.CodeAmbiguousPlace, `"鼓楼区" is shared by`, "县级单位“鼓楼区”有"},
		{search.Request{Query: `date:2022-13`}, search.CodeBadDate, `not YYYY, YYYY-MM or YYYY-MM-DD`, "date:2022-13 不是有效的日期或日期范围"},
		{search.Request{Query: `date:1700`}, search.CodeDateOutOfRange, "outside the archive's range", "日期 1700 超出本档案的日期范围"},
		{search.Request{From: "2024-5-1"}, search.CodeBadDate, `from "2024-5-1" is not a date`, "起始日期“2024-5-1”不是日期"},
		{search.Request{From: "2024-05-02", To: "2024-05-01"}, search.CodeBadDate, "from 2024-05-02 is after to 2024-05-01", "起始日期 2024-05-02 晚于截止日期 2024-05-01$"},
		{search.Request{To: "1700-01-01"}, search.CodeDateOutOfRange, "outside the archive's range", "日期 1700-01-01 超出本档案的日期范围"},
		{search.Request{Sort: "title"}, search.CodeBadSort, `sort "title" is not one of`, "没有“title”这种排序"},
		{search.Request{Size: 1000}, search.CodeBadSize, "size 1000 is out of range", "每页篇数 1000 超出范围"},
		{search.Request{Page: 100_000}, search.CodeBadPage, "reaches past the first", "第 100000 页超出了"},
		{search.Request{After: "nonsense"}, search.CodeBadCursor, "is not a cursor from this API", "游标无效"},
		{search.Request{Sort: search.SortPage, After: "nonsense"}, search.CodeBadCursor, "sort=page has no after cursor", "没有继续阅读的游标"},
	} {
		_, err := fx.Searcher.Search(context.Background(), tt.r)
		if tt.english == "" {
			if err != nil {
				t.Errorf("%+v: %v", tt.r, err)
			}
			continue
		}
		if !errors.Is(err, search.ErrBadRequest) {
			t.Errorf("%+v: %v, want a bad request", tt.r, err)
			continue
		}
		if got := search.ErrorCode(err); got != tt.code {
			t.Errorf("%+v: code %q, want %q (%v)", tt.r, got, tt.code, err)
		}
		if !strings.Contains(err.Error(), tt.english) {
			t.Errorf("%+v: message %q, want it to hold %q", tt.r, err, tt.english)
		}
		zh := search.ChineseMessage(err)
		if want, exact := strings.CutSuffix(tt.chinese, "$"); exact && zh != want || !exact && !strings.Contains(zh, want) {
			t.Errorf("%+v: Chinese %q, want %q", tt.r, zh, tt.chinese)
		}
		if strings.Contains(zh, "bad request") || strings.Contains(zh, "query") {
			t.Errorf("%+v: Chinese message %q holds English", tt.r, zh)
		}
	}
	if c := search.ErrorCode(errors.New("disk on fire")); c != "" {
		t.Errorf("an error that is no bad request has code %q", c)
	}
	custom := search.NewRequestError(search.CodeBadSize, "limit 0 is out of range", "导出篇数 0 超出范围")
	if search.ErrorCode(custom) != search.CodeBadSize || search.ChineseMessage(custom) != "导出篇数 0 超出范围" || custom.Error() != "bad request: limit 0 is out of range" {
		t.Errorf("NewRequestError: %q %q %q", search.ErrorCode(custom), search.ChineseMessage(custom), custom)
	}
}

// TestSortPage checks sort=page against the records: a day's items by
// paper, page and position on the page, every page of them, the same
// total and facets as the date order, no cursor.
func TestSortPage(t *testing.T) {
	fx := searchtest.Get(t)
	ctx := context.Background()
	// The day with the most items.
	perDay := map[string]int{}
	for _, a := range fx.Articles {
		if a.Date != "" {
			perDay[a.Date]++
		}
	}
	day := ""
	for d, n := range perDay {
		if n > perDay[day] || n == perDay[day] && d < day {
			day = d
		}
	}
	var want []corpus.Article
	for _, a := range fx.Articles {
		if a.Date == day {
			want = append(want, a)
		}
	}
	if len(want) < 8 {
		t.Fatalf("the fullest day %s has %d items", day, len(want))
	}
	slices.SortFunc(want, func(a, b corpus.Article) int {
		pa, _ := strconv.Atoi(a.Page)
		pb, _ := strconv.Atoi(b.Page)
		switch {
		case a.Paper != b.Paper:
			return strings.Compare(a.Paper, b.Paper)
		case pa != pb:
			return pa - pb
		}
		return a.Ordinal - b.Ordinal
	})
	var wantIDs []string
	for _, a := range want {
		wantIDs = append(wantIDs, a.ID)
	}
	var got []string
	const size = 5
	for page := 1; ; page++ {
		res, err := fx.Searcher.Search(ctx, search.Request{From: day, To: day, Sort: search.SortPage, Page: page, Size: size})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != uint64(len(want)) || res.Next != nil {
			t.Fatalf("page %d: total %d (want %d), next %v", page, res.Total, len(want), res.Next)
		}
		if len(res.Hits) == 0 {
			break
		}
		got = append(got, ids(res.Hits)...)
	}
	if !slices.Equal(got, wantIDs) {
		t.Errorf("sort=page on %s:\n got %v\nwant %v", day, got, wantIDs)
	}
	// The hash order of the ids is not the page order (else this test
	// would prove nothing).
	byID := slices.Clone(wantIDs)
	slices.Sort(byID)
	if slices.Equal(byID, wantIDs) {
		t.Errorf("the day's ids sort in page order already")
	}
	// The same facets as another order.
	a, err := fx.Searcher.Search(ctx, search.Request{From: day, To: day, Sort: search.SortPage})
	if err != nil {
		t.Fatal(err)
	}
	b, err := fx.Searcher.Search(ctx, search.Request{From: day, To: day, Sort: search.SortNewest})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Facets.County, b.Facets.County) || !slices.Equal(a.Facets.Paper, b.Facets.Paper) {
		t.Errorf("facets differ between sort=page and sort=date")
	}
	// Each walks the same order.
	var each []string
	if err := fx.Searcher.Each(ctx, search.Request{From: day, To: day, Sort: search.SortPage}, 1000, func(h search.Hit) error {
		each = append(each, h.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(each, wantIDs) {
		t.Errorf("Each with sort=page: %v", each)
	}
	// Too many to order.
	_, err = fx.Searcher.Search(ctx, search.Request{Sort: search.SortPage})
	if search.ErrorCode(err) != search.CodeTooMany || !strings.Contains(search.ChineseMessage(err), "请缩小日期范围") {
		t.Errorf("sort=page over the whole archive (%d articles): %v", len(fx.Articles), err)
	}
}
