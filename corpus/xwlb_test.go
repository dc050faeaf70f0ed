package corpus

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"newsarchive/corpus/corpustest"
)

// markup matches HTML tags and entities and markdown markers that must not
// survive into a record's text.
var markup = regexp.MustCompile(`<[a-zA-Z/!][^>]*>|&[a-zA-Z]+;|&#\d+;|(?m)^\s*(#{1,6}\s|>\s|[-*+]\s|---)|\*\*|__|\]\(|` + "```")

// TestXWLBCorpus parses all 1,006 shared xwlb files: none is skipped, none
// warns, every item has a title, date and paper, and no text holds markup.
func TestXWLBCorpus(t *testing.T) {
	files, err := FindFiles(corpustest.TestData(t, "xwlb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1006 {
		t.Fatalf("%d files, want 1006", len(files))
	}
	items := 0
	err = defaultParser(t).ParseFiles(context.Background(), files, 0, func(res FileResult) error {
		for _, p := range res.Problems {
			t.Errorf("%v", p)
		}
		if len(res.Items) == 0 {
			t.Errorf("%s: no items", res.File.Source)
		}
		for _, a := range res.Items {
			items++
			if a.Title == "" || a.Date == "" || a.Paper != "新闻联播" || a.Page != "1" {
				t.Errorf("%s #%d: title %q date %q paper %q page %q", a.Source, a.Ordinal, a.Title, a.Date, a.Paper, a.Page)
			}
			if !strings.Contains(a.Source, strings.ReplaceAll(a.Date, "-", "")) {
				t.Errorf("%s #%d: date %s does not match the file name", a.Source, a.Ordinal, a.Date)
			}
			for _, s := range []string{a.Title, a.Body} {
				if m := markup.FindString(s); m != "" {
					t.Errorf("%s #%d: markup %q in %q", a.Source, a.Ordinal, m, s)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// About 14,000 articles, as the shared data's README says.
	if items < 13500 || items > 14500 {
		t.Errorf("%d items, want about 14,000", items)
	}
}
