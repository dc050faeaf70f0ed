package search_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"newsarchive/corpus"
	"newsarchive/search"
	"newsarchive/search/searchtest"
)

func total(t *testing.T, s *search.Searcher, q string) uint64 {
	t.Helper()
	res, err := s.Search(context.Background(), search.Request{Query: q})
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	return res.Total
}

// TestDidYouMean: a misspelt query with few hits is offered the spelling
// the archive holds, with that spelling's real count; a query with many
// hits is offered nothing.
func TestDidYouMean(t *testing.T) {
	fx := searchtest.Get(t)
	for _, c := range []struct{ typo, want string }{
		{"乡村振新", "乡村振兴"}, // 新 xin for 兴 xing
		{"共同富欲", "共同富裕"}, // a homophone
		{"乡村振新 农业", "乡村振兴 农业"},
		{"title:乡村振新", "title:乡村振兴"},
		{`"乡村振新"`, `"乡村振兴"`},
	} {
		res, err := fx.Searcher.Search(context.Background(), search.Request{Query: c.typo})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total >= search.DefaultSuggestBelow {
			t.Fatalf("%s: %d hits, too many for the test", c.typo, res.Total)
		}
		if len(res.Suggestions) == 0 || res.Suggestions[0].Query != c.want {
			t.Errorf("%s (%d hits): suggestions %v, want %s first", c.typo, res.Total, res.Suggestions, c.want)
			continue
		}
		for _, s := range res.Suggestions {
			if n := total(t, fx.Searcher, s.Query); s.Hits != n || n <= res.Total {
				t.Errorf("%s: suggestion %s says %d hits, its search %d (the query %d)", c.typo, s.Query, s.Hits, n, res.Total)
			}
		}
	}
	res, err := fx.Searcher.Search(context.Background(), search.Request{Query: "乡村振兴"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total < search.DefaultSuggestBelow || len(res.Suggestions) != 0 {
		t.Errorf("乡村振兴: %d hits, suggestions %v, want none", res.Total, res.Suggestions)
	}
	// Configurable, and off on later pages.
	s := &search.Searcher{Engine: fx.Searcher.Engine, Tagger: fx.Searcher.Tagger, SuggestBelow: -1}
	if res, _ := s.Search(context.Background(), search.Request{Query: "乡村振新"}); len(res.Suggestions) != 0 {
		t.Errorf("SuggestBelow -1: suggestions %v", res.Suggestions)
	}
	if res, _ := fx.Searcher.Search(context.Background(), search.Request{Query: "乡村振新", Page: 2, Size: 1}); len(res.Suggestions) != 0 {
		t.Errorf("page 2: suggestions %v", res.Suggestions)
	}
}

// TestBareQueryFindsAuthors: a bare word also matches bylines, below the
// articles that hold it in their text, and the response says so.
func TestBareQueryFindsAuthors(t *testing.T) {
	fx := searchtest.Get(t)
	byAuthor := map[string][]string{}
	for _, a := range fx.Articles {
		for _, n := range a.Authors {
			byAuthor[n] = append(byAuthor[n], a.ID)
		}
	}
	inText := func(a *corpus.Article, s string) bool { return contains(head(a), s) || contains(a.Body, s) }
	checked, mixed := 0, 0
	names := make([]string, 0, len(byAuthor))
	for n := range byAuthor {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		if strings.ContainsAny(name, " \t:：\"()（）-") || len(name) == 0 {
			continue
		}
		var text, author []string
		for i := range fx.Articles {
			a := &fx.Articles[i]
			switch {
			case inText(a, name):
				text = append(text, a.ID)
			case slices.Contains(a.Authors, name):
				author = append(author, a.ID)
			}
		}
		got := all(t, fx.Searcher, search.Request{Query: name})
		// Every article holding the name, and every article by it.
		want := append(slices.Clone(text), author...)
		for _, id := range want {
			if !slices.Contains(got, id) {
				t.Errorf("%s: misses %s", name, id)
			}
		}
		// Ranked below: no byline-only hit before a text hit.
		lastText, firstAuthor := -1, len(got)
		for i, id := range got {
			if slices.Contains(text, id) {
				lastText = i
			} else if slices.Contains(author, id) && i < firstAuthor {
				firstAuthor = i
			}
		}
		if len(text) > 0 && len(author) > 0 {
			mixed++
			if firstAuthor < lastText {
				t.Errorf("%s: a byline-only hit at %d ranks above a text hit at %d", name, firstAuthor, lastText)
			}
		}
		res, err := fx.Searcher.Search(context.Background(), search.Request{Query: name})
		if err != nil {
			t.Fatal(err)
		}
		want1 := search.AuthorHint{Name: name, Hits: uint64(len(byAuthor[name])), Query: "author:" + name}
		if len(res.Authors) != 1 || res.Authors[0] != want1 {
			t.Errorf("%s: author hints %v, want %v", name, res.Authors, want1)
		}
		if n := total(t, fx.Searcher, want1.Query); n != want1.Hits {
			t.Errorf("%s: %d hits, hint says %d", want1.Query, n, want1.Hits)
		}
		checked++
		if checked == 40 {
			break
		}
	}
	if checked < 10 || mixed == 0 {
		t.Errorf("%d names checked, %d found in text too: the test says little", checked, mixed)
	}
	t.Logf("%d names, %d also in text", checked, mixed)
	// A quoted string and a field term are no author hint.
	for _, q := range []string{`"赵雪"`, `author:赵雪`, `title:赵雪`} {
		res, err := fx.Searcher.Search(context.Background(), search.Request{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Authors) != 0 {
			t.Errorf("%s: author hints %v", q, res.Authors)
		}
	}
}
