package corpus

import "testing"

// An item's id follows its page, not its file: the same page under another
// path keeps every id; without full page metadata the id is path-based.
func TestItemIDSurvivesMoves(t *testing.T) {
	page := "---\npaper: 四平日报\ndate: 2022-06-20\npage: 2\n---\n\n### 标题一\n\n正文一。\n\n### 标题二\n\n正文二。\n"
	p := NewParser(nil)
	parse := func(source string, text string) []Article {
		t.Helper()
		res := p.ParseBytes(File{Path: "/corpus/" + source, Source: source}, []byte(text), Meta{})
		if res.Skipped || len(res.Items) != 2 {
			t.Fatalf("%s: skipped %v, %d items", source, res.Skipped, len(res.Items))
		}
		return res.Items
	}
	a := parse("bulletins/p2.txt", page)
	b := parse("2022/06/20/第2版.txt", page)
	for i := range a {
		if a[i].ID != b[i].ID {
			t.Errorf("item %d: id %s at one path, %s at another", i+1, a[i].ID, b[i].ID)
		}
		if a[i].ID != PageID("四平日报", "2022-06-20", "2", i+1) {
			t.Errorf("item %d: id %s is not the page id", i+1, a[i].ID)
		}
		if len(a[i].Aliases) != 1 || a[i].Aliases[0] != ArticleID("bulletins/p2.txt", i+1) {
			t.Errorf("item %d: aliases %v, want the path-based id", i+1, a[i].Aliases)
		}
	}
	if a[0].ID == a[1].ID {
		t.Error("two items of a page share an id")
	}
	// No page number: the id is the path-based one, and no alias.
	noPage := "---\npaper: 四平日报\ndate: 2022-06-20\n---\n\n### 标题一\n\n正文一。\n\n### 标题二\n\n正文二。\n"
	c := parse("x/y.txt", noPage)
	if c[0].ID != ArticleID("x/y.txt", 1) || len(c[0].Aliases) != 0 {
		t.Errorf("without a page: id %s aliases %v, want the path id and none", c[0].ID, c[0].Aliases)
	}
	// Different pages, dates and papers give different ids.
	ids := map[string]bool{}
	for _, k := range [][3]string{{"四平日报", "2022-06-20", "2"}, {"四平日报", "2022-06-20", "3"}, {"四平日报", "2022-06-21", "2"}, {"吉林日报", "2022-06-20", "2"}} {
		ids[PageID(k[0], k[1], k[2], 1)] = true
	}
	if len(ids) != 4 {
		t.Errorf("%d distinct ids for 4 pages", len(ids))
	}
}
