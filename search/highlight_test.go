package search

import (
	"context"
	"html"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"newsarchive/corpus"
	"newsarchive/corpus/corpustest"
	"newsarchive/corpus/textnorm"
)

// The reference highlighter: a mark per rune of the folded text, then the
// text rendered rune by rune. It is the straightforward form of what
// spans and render do in bounded memory; the tests compare the two.

func refMarked(h *highlighter, text []rune, head bool) []bool {
	marked := make([]bool, len(text))
	folded := []rune(textnorm.String(string(text)))
	mark := func(needles [][]rune) {
		for _, n := range needles {
			for i := 0; i+len(n) <= len(folded); i++ {
				if string(folded[i:i+len(n)]) == string(n) {
					for k := i; k < i+len(n); k++ {
						marked[k] = true
					}
				}
			}
		}
	}
	mark(h.all)
	if head {
		mark(h.head)
	}
	return marked
}

func refRender(text []rune, marked []bool, from, to int, keepLines bool) string {
	var b strings.Builder
	open := false
	for i := from; i < to; i++ {
		if marked[i] && !open {
			b.WriteString("<mark>")
			open = true
		} else if !marked[i] && open {
			b.WriteString("</mark>")
			open = false
		}
		switch r := text[i]; r {
		case '\n':
			if keepLines {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		default:
			b.WriteString(html.EscapeString(string(r)))
		}
	}
	if open {
		b.WriteString("</mark>")
	}
	return b.String()
}

func refSnippet(h *highlighter, body string) string {
	text := []rune(body)
	marked := refMarked(h, text, false)
	if len(text) <= SnippetLength {
		return refRender(text, marked, 0, len(text), false)
	}
	start := 0
	var starts []int
	for i, m := range marked {
		if m && (i == 0 || !marked[i-1]) {
			starts = append(starts, i)
		}
	}
	if len(starts) > 0 {
		best, bestCount, j := starts[0], 0, 0
		for i, s := range starts {
			for j < len(starts) && starts[j] < s+SnippetLength {
				j++
			}
			if n := j - i; n > bestCount {
				best, bestCount = s, n
			}
		}
		start = max(0, best-SnippetLength/6)
		if start > 0 {
		back:
			for i := start; i > 0 && start-i <= SnippetLength/4; i-- {
				switch text[i-1] {
				case '。', '！', '？', '\n', '；':
					start = i
					break back
				}
			}
		}
	}
	end := min(start+SnippetLength, len(text))
	if end == len(text) {
		start = max(0, end-SnippetLength)
	}
	out := refRender(text, marked, start, end, false)
	if start > 0 {
		out = "…" + out
	}
	if end < len(text) {
		out += "…"
	}
	return out
}

func needles(ss ...string) [][]rune {
	var out [][]rune
	for _, s := range ss {
		out = append(out, []rune(textnorm.String(s)))
	}
	return out
}

// xwlbArticles parses every tenth file of the shared xwlb corpus.
func xwlbArticles(t *testing.T) []corpus.Article {
	t.Helper()
	files, err := corpus.FindFiles(corpustest.TestData(t, "xwlb"))
	if err != nil {
		t.Fatal(err)
	}
	var sel []corpus.File
	for i := 0; i < len(files); i += 10 {
		sel = append(sel, files[i])
	}
	var out []corpus.Article
	err = corpus.NewParser(nil).ParseFiles(context.Background(), sel, 0, func(res corpus.FileResult) error {
		out = append(out, res.Items...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestHighlightMatchesReference checks the bounded highlighter against the
// reference on about 1,400 real articles: fields, bodies and snippets,
// for needles that overlap, touch, repeat and differ in width, case and
// script from the text.
func TestHighlightMatchesReference(t *testing.T) {
	arts := xwlbArticles(t)
	if len(arts) < 1000 {
		t.Fatalf("only %d articles", len(arts))
	}
	cases := []*highlighter{
		{all: needles("中国")},
		{all: needles("发展", "展现", "经济发展"), head: needles("习近平")},
		{all: needles("的"), head: needles("新闻")},
		{all: needles("國家", "ＣＯＶＩＤ", "2022")},
		{all: needles("总书记", "书记", "记"), head: needles("中国", "国")},
		{},
	}
	marks := 0
	for ci, h := range cases {
		for _, a := range arts {
			for _, f := range []string{a.Title, a.Kicker} {
				rs := []rune(f)
				if got, want := h.field(f, true), refRender(rs, refMarked(h, rs, true), 0, len(rs), false); got != want {
					t.Fatalf("case %d, %s #%d: field\n got %q\nwant %q", ci, a.Source, a.Ordinal, got, want)
				}
			}
			rs := []rune(a.Body)
			want := refRender(rs, refMarked(h, rs, false), 0, len(rs), true)
			if got := h.body(a.Body); got != want {
				t.Fatalf("case %d, %s #%d: body\n got %q\nwant %q", ci, a.Source, a.Ordinal, got, want)
			}
			marks += strings.Count(want, "<mark>")
			if got, want := h.snippet(a.Body), refSnippet(h, a.Body); got != want {
				t.Fatalf("case %d, %s #%d: snippet\n got %q\nwant %q", ci, a.Source, a.Ordinal, got, want)
			}
		}
	}
	if marks < 10_000 {
		t.Errorf("only %d marks compared", marks)
	}
	// Markup in the text is escaped, around and inside marks.
	h := &highlighter{all: needles("<b>", "a&b")}
	if got, want := h.body("x<b>y\n'a&b'\"<"), "x<mark>&lt;b&gt;</mark>y\n&#39;<mark>a&amp;b</mark>&#39;&#34;&lt;"; got != want {
		t.Errorf("escaping: %q, want %q", got, want)
	}
}

// allocated is the bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestHighlightMemory checks that highlighting a huge body (a record of
// 16 MiB, as an index built before corpus.MaxArticleBytes may hold) with
// many matches and characters to escape allocates its HTML once (and at
// most 2 MiB more, for the marks found), a snippet at most 2 MiB whatever
// the body's size, and that at most MaxMarks matches are marked.
func TestHighlightMemory(t *testing.T) {
	arts := xwlbArticles(t)
	var b strings.Builder
	for i := 0; b.Len() < 16<<20; i++ {
		b.WriteString(strings.ReplaceAll(arts[i%len(arts)].Body, "。", "。字"))
		b.WriteString("\n字x字x字x字<")
	}
	body := b.String()
	h := &highlighter{all: needles("字", "中国")}
	var out string
	n := allocated(func() { out = h.body(body) })
	if marks := strings.Count(out, "<mark>"); marks != MaxMarks {
		t.Errorf("%d marks, want MaxMarks (%d)", marks, MaxMarks)
	}
	if budget := uint64(len(out)) + 2<<20; n > budget {
		t.Errorf("body of %d MiB: %d MiB allocated, want at most %d MiB", len(body)>>20, n>>20, budget>>20)
	}
	t.Logf("body of %d bytes: %d bytes allocated for its HTML of %d bytes", len(body), n, len(out))
	var sn string
	n = allocated(func() { sn = h.snippet(body) })
	plain := strings.NewReplacer("<mark>", "", "</mark>", "", "&lt;", "<").Replace(sn)
	if !strings.Contains(sn, "<mark>") || utf8.RuneCountInString(plain) != SnippetLength+2 {
		t.Errorf("snippet %q", sn)
	}
	if n > 2<<20 {
		t.Errorf("snippet of a %d MiB body: %d KiB allocated, want at most 2 MiB", len(body)>>20, n>>10)
	}
	t.Logf("snippet: %d bytes allocated", n)
}
