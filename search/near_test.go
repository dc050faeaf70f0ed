package search_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"unicode/utf8"

	"newsarchive/corpus/textnorm"
	"newsarchive/search"
	"newsarchive/search/searchtest"
)

// near is the definition of proximity, by brute force: folded text with
// occurrences of a and b whose span, less their lengths, is at most n.
func near(text, a, b string, n int) bool {
	rs := []rune(textnorm.String(text))
	pos := func(s string) []int {
		var out []int
		for i := 0; i+utf8.RuneCountInString(s) <= len(rs); i++ {
			if string(rs[i:i+utf8.RuneCountInString(s)]) == s {
				out = append(out, i)
			}
		}
		return out
	}
	la, lb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
	for _, i := range pos(a) {
		for _, j := range pos(b) {
			if max(i+la, j+lb)-min(i, j)-la-lb <= n {
				return true
			}
		}
	}
	return false
}

func TestProximityQueries(t *testing.T) {
	fx := searchtest.Get(t)
	for _, c := range []struct {
		q        string
		a, b     string
		n        int
		headOnly bool
	}{
		{`"乡村 振兴"~0`, "乡村", "振兴", 0, false},
		{`"乡村 振兴"~5`, "乡村", "振兴", 5, false},
		{`"振兴，乡村"～20`, "振兴", "乡村", 20, false},
		{`"习近平 总书记"~3`, "习近平", "总书记", 3, false},
		{`title:"习近平 会见"~10`, "习近平", "会见", 10, true},
	} {
		var want []string
		for i := range fx.Articles {
			a := &fx.Articles[i]
			if near(head(a), c.a, c.b, c.n) || !c.headOnly && near(a.Body, c.a, c.b, c.n) {
				want = append(want, a.ID)
			}
		}
		got := sorted(all(t, fx.Searcher, search.Request{Query: c.q}))
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%s: %d hits, brute force %d", c.q, len(got), len(want))
		}
	}
	// Farther is more, and a longer distance finds what a shorter does.
	if a, b := len(all(t, fx.Searcher, search.Request{Query: `"乡村 振兴"~0`})), len(all(t, fx.Searcher, search.Request{Query: `"乡村 振兴"~50`})); a >= b {
		t.Errorf("~0 finds %d, ~50 %d", a, b)
	}
	// One term: the quoted string.
	if a, b := all(t, fx.Searcher, search.Request{Query: `"乡村振兴"~5`}), all(t, fx.Searcher, search.Request{Query: `"乡村振兴"`}); !slices.Equal(sorted(a), sorted(b)) {
		t.Errorf(`"乡村振兴"~5 finds %d, "乡村振兴" %d`, len(a), len(b))
	}
	for _, q := range []string{`"乡村 振兴"~`, `"乡村 振兴"~x`, `"乡村 振兴"~100000`, `author:"赵 雪"~3`} {
		_, err := fx.Searcher.Search(context.Background(), search.Request{Query: q})
		var se *search.SyntaxError
		if !errors.Is(err, search.ErrBadRequest) || !errors.As(err, &se) {
			t.Errorf("%s: %v, want a syntax error", q, err)
		}
	}
}
