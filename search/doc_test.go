package search_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"newsarchive/search"
	"newsarchive/search/searchtest"
)

// docBlock returns the lines of the fenced block of the given kind in
// docs/query-syntax.md.
func docBlock(t *testing.T, kind string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "docs", "query-syntax.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "```"+kind+"\n")
	if !ok {
		t.Fatalf("docs/query-syntax.md has no %s block", kind)
	}
	block, _, _ := strings.Cut(rest, "```")
	var lines []string
	for _, l := range strings.Split(block, "\n") {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

func TestQuerySyntaxDocExamples(t *testing.T) {
	fx := searchtest.Get(t)
	examples := docBlock(t, "query")
	if len(examples) < 10 {
		t.Fatalf("only %d examples", len(examples))
	}
	for _, q := range examples {
		res, err := fx.Searcher.Search(context.Background(), search.Request{Query: q})
		if err != nil {
			t.Errorf("%s: %v", q, err)
			continue
		}
		if res.Total == 0 {
			t.Errorf("%s: no article found", q)
		}
	}
}

func TestQuerySyntaxDocErrors(t *testing.T) {
	fx := searchtest.Get(t)
	for _, line := range docBlock(t, "error") {
		q, want, ok := strings.Cut(line, "→")
		if !ok {
			t.Fatalf("error example %q has no →", line)
		}
		q, want = strings.TrimSpace(q), strings.TrimSpace(want)
		_, err := fx.Searcher.Search(context.Background(), search.Request{Query: q})
		if !errors.Is(err, search.ErrBadRequest) || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("%s: error %v, want one ending %q", q, err, want)
		}
	}
}
