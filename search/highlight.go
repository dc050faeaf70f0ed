package search

import (
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
	return analysis.Words(text)
}

// searchableRuns cuts folded text at the characters that are not indexed
// (punctuation, spaces).
func searchableRuns(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !analysis.Searchable(r) })
}

// MaxMarks is the most matches marked in one text (a title, a snippet's
// body, an article's body): past it, the rest of the text is shown
// unmarked. It bounds, with the text's own size, the memory of a
// highlight: the marks take at most 32 bytes each while they are found
// and 13 bytes each in the HTML.
const MaxMarks = 10_000

// span is a run of marked text: byte offsets [start, end) and the rune
// index of its start.
type span struct {
	start, end int
	runeStart  int
}

// spans finds the query's strings in text after folding, in one pass
// that keeps only the last runes of the longest needle: matches as
// merged, ordered runs (overlapping or touching matches are one run), at
// most MaxMarks of them. The folding is rune for rune, so a match of the
// folded text is the same runes of the text.
func (h *highlighter) spans(text string, head bool) []span {
	needles := h.all
	if head && len(h.head) > 0 {
		needles = append(needles[:len(needles):len(needles)], h.head...)
	}
	longest := 0
	for _, n := range needles {
		longest = max(longest, len(n))
	}
	if longest == 0 || text == "" {
		return nil
	}
	// The last longest folded runes and their byte offsets, in a ring.
	folded := make([]rune, longest)
	offsets := make([]int, longest)
	var out []span
	i := 0 // rune index
	for off, r := range text {
		slot := i % longest
		folded[slot], offsets[slot] = textnorm.Rune(r), off
		end := off + utf8.RuneLen(r)
		if r == utf8.RuneError {
			end = off + 1
			if _, size := utf8.DecodeRuneInString(text[off:]); size > 1 {
				end = off + size
			}
		}
		for _, n := range needles {
			if len(n) > i+1 || !endsWith(folded, i, n) {
				continue
			}
			first := i - len(n) + 1
			sp := span{start: offsets[first%longest], end: end, runeStart: first}
			for len(out) > 0 && sp.start <= out[len(out)-1].end {
				last := out[len(out)-1]
				if last.start < sp.start {
					sp.start, sp.runeStart = last.start, last.runeStart
				}
				out = out[:len(out)-1]
			}
			if len(out) == MaxMarks {
				return out
			}
			out = append(out, sp)
		}
		i++
	}
	return out
}

// endsWith reports whether the ring of folded runes, whose newest is rune
// i, ends with n.
func endsWith(ring []rune, i int, n []rune) bool {
	for k := range n {
		if ring[(i-k)%len(ring)] != n[len(n)-1-k] {
			return false
		}
	}
	return true
}

// render writes text[from:to] (byte offsets at rune boundaries) escaped
// for HTML into b, wrapping the parts in spans in <mark>. Line breaks
// become spaces unless keepLines is set. No span holds a line break (the
// query strings hold none).
func render(b *strings.Builder, text string, spans []span, from, to int, keepLines bool) {
	// One allocation of exactly the output's size.
	size := escapedLen(text[from:to], keepLines)
	for _, sp := range spans {
		if sp.end > from && sp.start < to {
			size += len("<mark></mark>")
		}
	}
	b.Grow(size)
	at := from
	for _, sp := range spans {
		if sp.end <= from || sp.start >= to {
			continue
		}
		s, e := max(sp.start, from), min(sp.end, to)
		writeEscaped(b, text[at:s], keepLines)
		b.WriteString("<mark>")
		writeEscaped(b, text[s:e], keepLines)
		b.WriteString("</mark>")
		at = e
	}
	writeEscaped(b, text[at:to], keepLines)
}

// escapedLen is the length of s as writeEscaped writes it.
func escapedLen(s string, keepLines bool) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '<', '>':
			n += len("&lt;") - 1
		case '&', '\'', '"':
			n += len("&amp;") - 1
		}
	}
	return n
}

// writeEscaped writes s escaped for HTML as html.EscapeString does, line
// breaks kept or turned into spaces, copying the runs between the
// characters it escapes.
func writeEscaped(b *strings.Builder, s string, keepLines bool) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '&':
			esc = "&amp;"
		case '\'':
			esc = "&#39;"
		case '"':
			esc = "&#34;"
		case '\n':
			if keepLines {
				continue
			}
			esc = " "
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(esc)
		last = i + 1
	}
	b.WriteString(s[last:])
}

// field highlights a whole text: escaped, with its matches marked; line
// breaks become spaces.
func (h *highlighter) field(s string, head bool) string {
	var b strings.Builder
	render(&b, s, h.spans(s, head), 0, len(s), false)
	return b.String()
}

// body highlights the whole body, paragraphs still separated by "\n".
func (h *highlighter) body(s string) string {
	var b strings.Builder
	render(&b, s, h.spans(s, false), 0, len(s), true)
	return b.String()
}

// article highlights a hit's head and picks its snippet; a nil highlighter
// leaves them empty.
func (h *highlighter) article(a *corpus.Article) Highlight {
	if h == nil { // no highlights wanted (Each)
		return Highlight{}
	}
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
	n := utf8.RuneCountInString(body)
	spans := h.spans(body, false)
	var b strings.Builder
	if n <= SnippetLength {
		render(&b, body, spans, 0, len(body), false)
		return b.String()
	}
	start := 0 // in runes
	if len(spans) > 0 {
		start = bestWindow(spans, SnippetLength)
		start = sentenceStart(body, start, SnippetLength/4)
	}
	end := min(start+SnippetLength, n)
	if end == n {
		start = max(0, end-SnippetLength)
	}
	from, to := byteOffset(body, start), byteOffset(body, end)
	if start > 0 {
		b.WriteString("…")
	}
	render(&b, body, spans, from, to, false)
	if end < n {
		b.WriteString("…")
	}
	return b.String()
}

// byteOffset is the byte offset of rune index i of s (len(s) past its
// end).
func byteOffset(s string, i int) int {
	k := 0
	for off := range s {
		if k == i {
			return off
		}
		k++
	}
	return len(s)
}

// bestWindow returns the start (a rune index) of the width-rune window
// holding the most marked runs, preferring the earliest, with a little
// context before its first match.
func bestWindow(spans []span, width int) int {
	best, bestCount := spans[0].runeStart, 0
	j := 0
	for i, sp := range spans {
		for j < len(spans) && spans[j].runeStart < sp.runeStart+width {
			j++
		}
		if n := j - i; n > bestCount {
			best, bestCount = sp.runeStart, n
		}
	}
	return max(0, best-width/6)
}

// sentenceStart moves start (a rune index of text) back, at most by limit
// runes, to just after the end of a sentence or paragraph.
func sentenceStart(text string, start, limit int) int {
	if start == 0 {
		return 0
	}
	off := byteOffset(text, start)
	for i := start; i > 0 && start-i <= limit; i-- {
		r, size := utf8.DecodeLastRuneInString(text[:off])
		switch r {
		case '。', '！', '？', '\n', '；':
			return i
		}
		off -= size
	}
	return start
}
