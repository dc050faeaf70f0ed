package cite

import (
	"strings"
	"testing"
	"time"

	"newsarchive/corpus"
	"newsarchive/corpus/corpustest"
)

var accessed = time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)

func permalink(id string) string { return "https://archive.example/articles/" + id }

func parseFile(t *testing.T, path string) []corpus.Article {
	t.Helper()
	tagger, err := corpus.DefaultTagger()
	if err != nil {
		t.Fatal(err)
	}
	files, err := corpus.FindFiles(path)
	if err != nil || len(files) != 1 {
		t.Fatalf("FindFiles(%s) = %v, %v", path, files, err)
	}
	res := corpus.NewParser(tagger).ParseFile(files[0])
	if res.Skipped || len(res.Items) == 0 {
		t.Fatalf("parse %s: %v", path, res.Problems)
	}
	return res.Items
}

// realPage is the real bulletin page: no paper, date or page in its file,
// so every item tests the missing parts.
func realPage(t *testing.T) []corpus.Article { return parseFile(t, corpustest.RealPage(t)) }

// xwlbArticle is the first item of a real xwlb page: paper, date and page
// known, no author.
func xwlbArticle(t *testing.T) corpus.Article {
	return parseFile(t, corpustest.TestData(t, "xwlb", "2022", "xwlb-20220924.txt"))[0]
}

func refOf(a corpus.Article) Ref { return Ref{Article: a, URL: permalink(a.ID), Accessed: accessed} }

func byTitle(t *testing.T, items []corpus.Article, kind, title string) corpus.Article {
	t.Helper()
	for _, a := range items {
		if a.Kind == kind && a.Title == title {
			return a
		}
	}
	t.Fatalf("no %s titled %q", kind, title)
	return corpus.Article{}
}

// synthetic has everything, four authors and TeX's special characters.
func synthetic() corpus.Article {
	return corpus.Article{
		ID: "0123456789abcdef", Kind: corpus.KindArticle, Paper: "四平日报", Date: "2022-06-20", Page: "2",
		Kicker: "引题", Title: "50% & R_D {#1} 调查", Subtitle: "副题", Authors: []string{"张三", "李四", "王五", "赵六"},
	}
}

func TestStyles(t *testing.T) {
	page := realPage(t)
	first := byTitle(t, page, corpus.KindArticle, "强化教育教学研培 推进“双减”政策落实")
	noAuthor := byTitle(t, page, corpus.KindArticle, "铁东区召开全区农田排涝推进会")
	var photo corpus.Article
	for _, a := range page {
		if a.Kind == corpus.KindPhoto && a.Title == "" {
			photo = a
			break
		}
	}
	if photo.ID == "" {
		t.Fatal("the real page has no untitled photo")
	}
	x := xwlbArticle(t)
	syn := synthetic()
	u := permalink
	tests := []struct {
		name string
		ref  Ref
		want map[string]string // style → text
	}{
		{"real page: author, no paper, date or page", refOf(first), map[string]string{
			StyleGBT7714:       "孙月秋. 强化教育教学研培 推进“双减”政策落实: 伊通满族自治县教育工作综述[N/OL]. [2026-12-02]. " + u(first.ID) + ".",
			StyleAPA:           "孙月秋. (n.d.). 强化教育教学研培 推进“双减”政策落实：伊通满族自治县教育工作综述. " + u(first.ID),
			StyleChicagoNote:   "孙月秋, “强化教育教学研培 推进‘双减’政策落实：伊通满族自治县教育工作综述,” n.d., accessed December 2, 2026, " + u(first.ID) + ".",
			StyleChicagoBiblio: "孙月秋. “强化教育教学研培 推进‘双减’政策落实：伊通满族自治县教育工作综述.” n.d., accessed December 2, 2026. " + u(first.ID) + ".",
		}},
		{"real page: no author", refOf(noAuthor), map[string]string{
			StyleGBT7714:       "铁东区召开全区农田排涝推进会[N/OL]. [2026-12-02]. " + u(noAuthor.ID) + ".",
			StyleAPA:           "铁东区召开全区农田排涝推进会. (n.d.). " + u(noAuthor.ID),
			StyleChicagoBiblio: "“铁东区召开全区农田排涝推进会.” n.d., accessed December 2, 2026. " + u(noAuthor.ID) + ".",
		}},
		{"real page: untitled photo", refOf(photo), map[string]string{
			StyleGBT7714: strings.Join(photo.Authors, ", ") + ". [图片] " + cut(photo.Body, 24) + "[N/OL]. [2026-12-02]. " + u(photo.ID) + ".",
		}},
		{"xwlb: paper, date, page", refOf(x), map[string]string{
			StyleGBT7714:       x.Title + "[N/OL]. 新闻联播, 2022-09-24(1)[2026-12-02]. " + u(x.ID) + ".",
			StyleAPA:           x.Title + ". (2022, September 24). 新闻联播, 1. " + u(x.ID),
			StyleChicagoNote:   "“" + x.Title + ",” 新闻联播, September 24, 2022, " + u(x.ID) + ".",
			StyleChicagoBiblio: "“" + x.Title + ".” 新闻联播, September 24, 2022. " + u(x.ID) + ".",
		}},
		{"four authors", refOf(syn), map[string]string{
			StyleGBT7714:       "张三, 李四, 王五, 等. 50% & R_D {#1} 调查: 副题[N/OL]. 四平日报, 2022-06-20(2)[2026-12-02]. " + u(syn.ID) + ".",
			StyleAPA:           "张三, 李四, 王五, & 赵六. (2022, June 20). 50% & R_D {#1} 调查：副题. 四平日报, 2. " + u(syn.ID),
			StyleChicagoNote:   "张三 et al., “50% & R_D {#1} 调查：副题,” 四平日报, June 20, 2022, " + u(syn.ID) + ".",
			StyleChicagoBiblio: "张三, 李四, 王五, and 赵六. “50% & R_D {#1} 调查：副题.” 四平日报, June 20, 2022. " + u(syn.ID) + ".",
		}},
		{"no URL, no access date", Ref{Article: syn}, map[string]string{
			StyleGBT7714: "张三, 李四, 王五, 等. 50% & R_D {#1} 调查: 副题[N]. 四平日报, 2022-06-20(2).",
			StyleAPA:     "张三, 李四, 王五, & 赵六. (2022, June 20). 50% & R_D {#1} 调查：副题. 四平日报, 2.",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]Citation{}
			for _, c := range All(tc.ref) {
				got[c.Style] = c
			}
			for style, want := range tc.want {
				if got[style].Text != want {
					t.Errorf("%s:\n got %s\nwant %s", style, got[style].Text, want)
				}
			}
		})
	}
	// The paper is italic in APA and Chicago, escaped.
	if h := APA(refOf(syn)).HTML; !strings.Contains(h, "<i>四平日报</i>, 2.") || !strings.Contains(h, "50% &amp; R_D") {
		t.Errorf("APA HTML = %s", h)
	}
	if h := GBT7714(refOf(syn)).HTML; strings.Contains(h, "<i>") {
		t.Errorf("GB/T 7714 has no italics: %s", h)
	}
}

// TestNothingInvented: a part the record lacks is not in any form.
func TestNothingInvented(t *testing.T) {
	for _, a := range realPage(t) {
		r := refOf(a)
		var ris, bib strings.Builder
		if err := RIS(&ris, r); err != nil {
			t.Fatal(err)
		}
		if err := BibTeX(&bib, r); err != nil {
			t.Fatal(err)
		}
		for _, tag := range []string{"\nT2  - ", "\nDA  - ", "\nPY  - ", "\nSP  - "} {
			if strings.Contains(ris.String(), tag) {
				t.Errorf("%s: RIS has %q for a record without it:\n%s", a.ID, tag, ris.String())
			}
		}
		for _, f := range []string{"\n  journaltitle =", "\n  date =", "\n  pages ="} {
			if strings.Contains(bib.String(), f) {
				t.Errorf("%s: BibTeX has %q for a record without it", a.ID, f)
			}
		}
		if len(a.Authors) == 0 && (strings.Contains(ris.String(), "AU  - ") || strings.Contains(bib.String(), "author =")) {
			t.Errorf("%s: an author for a record without one", a.ID)
		}
		it := CSL(r)
		if it.Issued != nil || it.ContainerTitle != "" || it.Page != "" {
			t.Errorf("%s: CSL item has a date, paper or page the record lacks: %+v", a.ID, it)
		}
		for _, m := range MetaTags(r) {
			switch m.Name {
			case "citation_date", "citation_publication_date", "DC.date", "DC.publisher", "prism.publicationName", "citation_firstpage":
				t.Errorf("%s: meta %s for a record without it", a.ID, m.Name)
			}
		}
	}
	// No URL and no access date: none in any form.
	r := Ref{Article: synthetic()}
	var ris, bib strings.Builder
	_ = RIS(&ris, r)
	_ = BibTeX(&bib, r)
	if strings.Contains(ris.String(), "UR  - ") || strings.Contains(ris.String(), "Y2  - ") || strings.Contains(bib.String(), "url") {
		t.Errorf("a URL or access date out of nowhere:\n%s\n%s", ris.String(), bib.String())
	}
	if it := CSL(r); it.URL != "" || it.Accessed != nil {
		t.Errorf("CSL: %+v", it)
	}
}

func TestBibTeXKeyStable(t *testing.T) {
	a := synthetic()
	if k := BibTeXKey(Ref{Article: a}); k != "na2022-0123456789abcdef" {
		t.Errorf("key = %s", k)
	}
	a.Date = ""
	if k := BibTeXKey(Ref{Article: a}); k != "nand-0123456789abcdef" {
		t.Errorf("undated key = %s", k)
	}
	var b strings.Builder
	if err := BibTeX(&b, Ref{Article: synthetic(), URL: "https://x.example/a?q={b} c"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`title = {50\% \& R\_D \{\#1\} 调查：副题}`, `author = {{张三} and {李四} and {王五} and {赵六}}`, `url = {https://x.example/a?q=%7Bb%7D%20c}`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("BibTeX lacks %s:\n%s", want, b.String())
		}
	}
}
