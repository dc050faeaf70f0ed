package corpus

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"newsarchive/corpus/corpustest"
)

// FuzzParse feeds arbitrary bytes through decoding and page parsing: it must
// never panic, and whatever it returns must be well-formed.
func FuzzParse(f *testing.F) {
	page, err := os.ReadFile(corpustest.RealPage(f))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(page)
	f.Add([]byte("---\npaper: x\ndate: 2022-01-01\n---\n## 引题\n### 标题\n## ——副题\n本报记者 张三\n正文\n\n续。\n\n\n说明。\n本报通讯员 王健 摄\n"))
	f.Add([]byte{0xFF, 0xFE, '#', 0, ' ', 0, 'a', 0})
	f.Add([]byte("\xef\xbb\xbf\r\n###\r\n#"))
	f.Fuzz(func(t *testing.T, data []byte) {
		text, _, err := Decode(data)
		if err != nil {
			return
		}
		if !utf8.ValidString(text) || strings.ContainsRune(text, '\r') {
			t.Fatalf("Decode returned invalid text %q", text)
		}
		pg, problems, err := ParsePage("fuzz.txt", text)
		lines := strings.Count(text, "\n") + 1
		for _, p := range problems {
			if p.Line < 1 || p.Line > lines {
				t.Fatalf("problem at line %d outside the %d-line text: %v", p.Line, lines, p)
			}
		}
		if err != nil {
			return
		}
		for _, a := range pg.Items {
			if a.Kind != KindArticle && a.Kind != KindPhoto {
				t.Fatalf("item kind %q", a.Kind)
			}
			if a.Title == "" && a.Kicker == "" && a.Subtitle == "" && a.Body == "" {
				t.Fatalf("empty item %+v", a)
			}
			if a.Authors == nil {
				t.Fatalf("nil authors in %+v", a)
			}
			for _, s := range []string{a.Title, a.Kicker, a.Subtitle, a.Body} {
				if !utf8.ValidString(s) || strings.HasPrefix(s, "#") {
					t.Fatalf("bad field %q in %+v", s, a)
				}
			}
		}
	})
}
