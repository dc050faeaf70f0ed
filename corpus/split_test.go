package corpus

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"newsarchive/corpus/corpustest"
)

// realParagraphs are body paragraphs of the shared xwlb corpus that the parser
// keeps as they are (corpustest.Paragraphs).
func realParagraphs(t *testing.T) []string {
	t.Helper()
	paras := corpustest.Paragraphs(t, 100)
	if len(paras) < 500 {
		t.Fatalf("only %d paragraphs", len(paras))
	}
	return paras
}

// bodyOf returns real paragraphs joined by "\n" making exactly n bytes (the
// last one cut and ended with "。").
func bodyOf(t *testing.T, paras []string, n int) string {
	t.Helper()
	var b strings.Builder
	for i := 0; b.Len() < n-400; i++ {
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(paras[i%len(paras)])
	}
	rest := n - b.Len() - len("\n。")
	b.WriteString("\n" + strings.Repeat("字", rest/3) + strings.Repeat("x", rest%3) + "。")
	if b.Len() != n {
		t.Fatalf("body of %d bytes, want %d", b.Len(), n)
	}
	return b.String()
}

// page is a bulletin page with one long article between two short ones;
// body paragraphs are separated by empty lines.
func longPage(body string) string {
	return "---\npaper: 测试日报\ndate: 2024-01-01\n---\n\n### 前一篇\n\n短文。\n\n## 引题\n### 长文\n## ——副题\n本报记者 张三\n\n" +
		strings.ReplaceAll(body, "\n", "\n\n") + "\n\n### 后一篇\n\n短文。\n"
}

func parseLong(t *testing.T, text string) FileResult {
	t.Helper()
	res := NewParser(nil).ParseBytes(File{Path: "dir/long.txt", Source: "long.txt"}, []byte(text), Meta{})
	if res.Skipped {
		t.Fatalf("skipped: %v", res.Problems)
	}
	return res
}

// TestArticleLimit checks the per-record limit: an article of exactly
// MaxArticleBytes stays whole; a longer one is split into consecutive
// parts of at most MaxArticleBytes, the title kept with "（续k）", the
// rest of the head and the metadata on every part, with one warning
// naming the file and line; nothing is lost, ordinals stay consecutive and
// the split is the same on every run.
func TestArticleLimit(t *testing.T) {
	paras := realParagraphs(t)

	at := parseLong(t, longPage(bodyOf(t, paras, MaxArticleBytes)))
	if len(at.Items) != 3 || len(at.Problems) != 0 || len(at.Items[1].Body) != MaxArticleBytes || at.Items[1].Title != "长文" {
		t.Fatalf("at the limit: %d items, problems %v", len(at.Items), at.Problems)
	}

	for _, size := range []int{MaxArticleBytes + 1, 3*MaxArticleBytes + 12345} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			body := bodyOf(t, paras, size)
			text := longPage(body)
			res := parseLong(t, text)
			wantParts := (size + MaxArticleBytes - 1) / MaxArticleBytes
			if len(res.Items) != wantParts+2 {
				t.Fatalf("%d items, want %d parts between two articles", len(res.Items), wantParts)
			}
			want := fmt.Sprintf("dir/long.txt:10: article %q has %d bytes of body text, more than the %d of one record: split into %d parts, titled %q to %q",
				"长文", size, MaxArticleBytes, wantParts, "长文（续1）", fmt.Sprintf("长文（续%d）", wantParts-1))
			if len(res.Problems) != 1 || res.Problems[0].Error() != want || res.Problems[0].Skipped {
				t.Errorf("problems %v\nwant %s", res.Problems, want)
			}
			var joined strings.Builder
			for i, a := range res.Items {
				if a.Ordinal != i+1 || a.ID != ArticleID("long.txt", i+1) {
					t.Errorf("item %d: ordinal %d id %s", i, a.Ordinal, a.ID)
				}
				if i == 0 || i == len(res.Items)-1 {
					continue
				}
				k := i - 1
				wantTitle := "长文"
				if k > 0 {
					wantTitle = fmt.Sprintf("长文（续%d）", k)
				}
				if a.Title != wantTitle || a.Kicker != "引题" || a.Subtitle != "副题" || !reflect.DeepEqual(a.Authors, []string{"张三"}) ||
					a.Date != "2024-01-01" || a.Paper != "测试日报" || a.Kind != KindArticle {
					t.Errorf("part %d: %q %q %q %v %s %s %s", k, a.Kicker, a.Title, a.Subtitle, a.Authors, a.Date, a.Paper, a.Kind)
				}
				if len(a.Body) > MaxArticleBytes || len(a.Body) == 0 {
					t.Errorf("part %d: %d bytes", k, len(a.Body))
				}
				// The line the part starts at holds its first paragraph.
				firstPara, _, _ := strings.Cut(a.Body, "\n")
				if k > 0 && strings.Split(text, "\n")[a.Line-1] != firstPara {
					t.Errorf("part %d: line %d is not its first paragraph", k, a.Line)
				}
				if k > 0 {
					joined.WriteByte('\n')
				}
				joined.WriteString(a.Body)
			}
			if joined.String() != body {
				t.Errorf("the parts joined by line breaks are not the body (%d bytes, want %d)", joined.Len(), len(body))
			}
			if res.Items[0].Body != "短文。" || res.Items[len(res.Items)-1].Title != "后一篇" {
				t.Errorf("the articles around the split changed")
			}
			// The record's fields and their order are the record's.
			js, err := json.Marshal(res.Items[2])
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(js), `{"id":"`+ArticleID("long.txt", 3)+`","source":"long.txt","ordinal":3,"kind":"article","paper":"测试日报","date":"2024-01-01","page":"","kicker":"引题","title":"长文（续1）","subtitle":"副题","authors":["张三"],"body":"`) {
				t.Errorf("record %.300s", js)
			}
			if again := parseLong(t, text); !reflect.DeepEqual(again.Items, res.Items) {
				t.Errorf("a second parse split differently")
			}
		})
	}
}

// TestArticleLimitOneParagraph checks a body of one paragraph longer than
// the limit (no line breaks at all): it is cut after sentence ends, each
// part at most MaxArticleBytes, nothing lost.
func TestArticleLimitOneParagraph(t *testing.T) {
	paras := realParagraphs(t)
	var b strings.Builder
	for i := 0; b.Len() < 2*MaxArticleBytes+5000; i++ {
		b.WriteString(paras[i%len(paras)])
	}
	body := b.String()
	res := parseLong(t, "### 长文\n\n"+body+"\n")
	if len(res.Items) != 3 || len(res.Problems) != 1 || res.Problems[0].Line != 1 {
		t.Fatalf("%d items, problems %v", len(res.Items), res.Problems)
	}
	var joined strings.Builder
	for i, a := range res.Items {
		if wantLine := min(1+2*i, 3); len(a.Body) > MaxArticleBytes || a.Line != wantLine {
			t.Errorf("part %d: %d bytes, line %d", i, len(a.Body), a.Line)
		}
		if i < len(res.Items)-1 && !strings.HasSuffix(a.Body, "。") {
			t.Errorf("part %d is not cut at a sentence end: …%s", i, a.Body[len(a.Body)-12:])
		}
		joined.WriteString(a.Body)
	}
	if joined.String() != body {
		t.Errorf("the parts are not the body")
	}
	// No sentence end at all: cut at a character boundary.
	res = parseLong(t, "### 长文\n\n"+strings.Repeat("字", MaxArticleBytes/3+10)+"\n")
	if len(res.Items) != 2 || len(res.Items[0].Body) != MaxArticleBytes-MaxArticleBytes%3 || res.Items[0].Body+res.Items[1].Body != strings.Repeat("字", MaxArticleBytes/3+10) {
		t.Errorf("cut without sentence ends: %d items", len(res.Items))
	}
}
