package search

import (
	"html"
	"strings"
	"unicode/utf8"

	"newsarchive/corpus"
	"newsarchive/corpus/textnorm"
	"newsarchive/index/analysis"
)

// SnippetLength is about how many characters of the body a snippet shows.
const SnippetLength = 120

// mark is a query string to highlight.
type mark struct {
	text     string
	words    bool // an unquoted term: also mark its gse words
	headOnly bool // a title: term
}

// highlighter finds the query's strings in article text, after the same
// folding as the index (width, case, traditional characters), and wraps
// them in <mark>. It works on the stored text, so it needs no term vectors
// and marks matches of the exact-recall path as well as of words.
type highlighter struct {
	all  [][]rune // folded needles for every field
	head [][]rune // folded needles for the head only
}

func (s *Searcher) highlighter(marks []mark) *highlighter {
	h := &highlighter{}
	seen := map[string]bool{}
	add := func(needle string, headOnly bool) {
		key := needle
		if headOnly {
			key = "h\x00" + needle
		}
		if needle == "" || seen[key] {
			return
		}
		seen[key] = true
		if headOnly {
			h.head = append(h.head, []rune(needle))
		} else {
			h.all = append(h.all, []rune(needle))
		}
	}
	for _, m := range marks {
		for _, run := range searchableRuns(textnorm.String(m.text)) {
			add(run, m.headOnly)
		}
		if m.words {
			for _, w := range s.words(m.text) {
				if utf8.RuneCountInString(w) >= 2 {
					add(w, m.headOnly)
				}
			}
		}
	}
	return h
}

// words are the gse words of s, folded, as the word analyzer cuts them.
func (s *Searcher) words(text string) []string {
	if s.Index == nil {
		return nil
	}
	a := s.Index.Mapping().AnalyzerNamed(analysis.WordAnalyzer)
	if a == nil {
		return nil
	}
	var out []string
	for _, t := range a.Analyze([]byte(text)) {
		out = append(out, string(t.Term))
	}
	return out
}

// searchableRuns cuts folded text at the characters that are not indexed
// (punctuation, spaces).
func searchableRuns(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !analysis.Searchable(r) })
}

// marked reports, for each rune of text, whether it is inside a match.
func (h *highlighter) marked(text []rune, head bool) []bool {
	var marked []bool
	folded := []rune(textnorm.String(string(text)))
	mark := func(needles [][]rune) {
		for _, n := range needles {
			for i := 0; i+len(n) <= len(folded); i++ {
				if folded[i] != n[0] || !runesEqual(folded[i:i+len(n)], n) {
					continue
				}
				if marked == nil {
					marked = make([]bool, len(text))
				}
				for k := i; k < i+len(n); k++ {
					marked[k] = true
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

func runesEqual(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// render escapes text[from:to] for HTML, wrapping marked runs in <mark>.
// Line breaks become spaces.
func render(text []rune, marked []bool, from, to int) string {
	return renderLines(text, marked, from, to, false)
}

// renderLines is render, keeping line breaks when keepLines is set. No
// mark spans a line break (the query strings hold none).
func renderLines(text []rune, marked []bool, from, to int, keepLines bool) string {
	var b strings.Builder
	open := false
	for i := from; i < to; i++ {
		m := marked != nil && marked[i]
		if m && !open {
			b.WriteString("<mark>")
			open = true
		} else if !m && open {
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
		case '<', '>', '&', '\'', '"':
			b.WriteString(html.EscapeString(string(r)))
		default:
			b.WriteRune(r)
		}
	}
	if open {
		b.WriteString("</mark>")
	}
	return b.String()
}

// Field highlights a whole text: escaped, with its matches marked.
func (h *highlighter) field(s string, head bool) string {
	rs := []rune(s)
	return render(rs, h.marked(rs, head), 0, len(rs))
}

// body highlights the whole body, paragraphs still separated by "\n".
func (h *highlighter) body(s string) string {
	rs := []rune(s)
	return renderLines(rs, h.marked(rs, false), 0, len(rs), true)
}

// article highlights a hit's head and picks its snippet.
func (h *highlighter) article(a *corpus.Article) Highlight {
	return Highlight{
		Title:    h.field(a.Title, true),
		Kicker:   h.field(a.Kicker, true),
		Subtitle: h.field(a.Subtitle, true),
		Snippet:  h.snippet(a.Body),
	}
}

// snippet is about SnippetLength characters of body around its best
// passage: the window holding the most matches, started at a sentence
// start when one is near. Cut ends show "…".
func (h *highlighter) snippet(body string) string {
	text := []rune(body)
	if len(text) <= SnippetLength {
		return render(text, h.marked(text, false), 0, len(text))
	}
	marked := h.marked(text, false)
	start := 0
	if marked != nil {
		start = bestWindow(marked, SnippetLength)
		start = sentenceStart(text, start, SnippetLength/4)
	}
	end := min(start+SnippetLength, len(text))
	if end == len(text) {
		start = max(0, end-SnippetLength)
	}
	var b strings.Builder
	if start > 0 {
		b.WriteString("…")
	}
	b.WriteString(render(text, marked, start, end))
	if end < len(text) {
		b.WriteString("…")
	}
	return b.String()
}

// bestWindow returns the start of the width-rune window holding the most
// matches (counting runs of marked runes), preferring the earliest, with a
// little context before its first match.
func bestWindow(marked []bool, width int) int {
	var starts []int
	for i, m := range marked {
		if m && (i == 0 || !marked[i-1]) {
			starts = append(starts, i)
		}
	}
	if len(starts) == 0 {
		return 0
	}
	best, bestCount := starts[0], 0
	j := 0
	for i, s := range starts {
		for j < len(starts) && starts[j] < s+width {
			j++
		}
		if n := j - i; n > bestCount {
			best, bestCount = s, n
		}
	}
	return max(0, best-width/6)
}

// sentenceStart moves start back, at most by limit runes, to just after
// the end of a sentence or paragraph; or forward to one if that is closer.
func sentenceStart(text []rune, start, limit int) int {
	if start == 0 {
		return 0
	}
	for i := start; i > 0 && start-i <= limit; i-- {
		switch text[i-1] {
		case '。', '！', '？', '\n', '；':
			return i
		}
	}
	return start
}
