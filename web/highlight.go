package web

import (
	"html"
	"html/template"
	"strings"
	"unicode"
	"unicode/utf8"

	"newsarchive/corpus/textnorm"
	"newsarchive/index/analysis"
	"newsarchive/search"
)

// The article page shows the whole body with the query's terms marked.
// The search package highlights an article's head and picks a snippet of
// its body; this marks every paragraph in the same way: the strings to
// find are the query's positive article-text terms (cut at punctuation,
// and the words of an unquoted term, as the search package does) and
// every string the search package itself marked in the head and snippet;
// they are found in the text folded like the index folds it (width, case,
// traditional characters), and the text is escaped around the marks.

// bodyMarker marks the needles in paragraphs of text.
type bodyMarker struct {
	needles [][]rune // folded
}

// newBodyMarker collects what to mark for query q in article h (h's
// highlights are those of q). A query the search package refuses marks
// nothing.
func (srv *Server) newBodyMarker(h search.Hit, q string) *bodyMarker {
	m := &bodyMarker{}
	if strings.TrimSpace(q) == "" || srv.Searcher().Check(search.Request{Query: q}) != nil {
		return m
	}
	seen := map[string]bool{}
	add := func(s string) {
		for _, run := range strings.FieldsFunc(textnorm.String(s), func(r rune) bool { return !analysis.Searchable(r) }) {
			if !seen[run] {
				seen[run] = true
				m.needles = append(m.needles, []rune(run))
			}
		}
	}
	for _, t := range queryTerms(q) {
		add(t.text)
		if !t.quoted {
			for _, w := range srv.words(t.text) {
				if utf8.RuneCountInString(w) >= 2 {
					add(w)
				}
			}
		}
	}
	for _, f := range []string{h.Highlight.Title, h.Highlight.Kicker, h.Highlight.Subtitle, h.Highlight.Snippet} {
		for _, s := range markedStrings(f) {
			add(s)
		}
	}
	return m
}

// words are the words of text as the index's word analyzer cuts them.
func (srv *Server) words(text string) []string {
	s := srv.Searcher()
	if s == nil || s.Index == nil {
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

// markedStrings returns the text inside <mark> elements of a highlight.
func markedStrings(h string) []string {
	var out []string
	for {
		i := strings.Index(h, "<mark>")
		if i < 0 {
			return out
		}
		h = h[i+len("<mark>"):]
		j := strings.Index(h, "</mark>")
		if j < 0 {
			return out
		}
		out = append(out, html.UnescapeString(h[:j]))
		h = h[j+len("</mark>"):]
	}
}

// paragraphs splits body into its paragraphs (one a line) as HTML:
// escaped, with the needles marked.
func (m *bodyMarker) paragraphs(body string) []template.HTML {
	var out []template.HTML
	for _, p := range strings.Split(body, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, m.html(p))
		}
	}
	return out
}

// html escapes text, wrapping its matches in <mark>.
func (m *bodyMarker) html(text string) template.HTML {
	rs := []rune(text)
	folded := []rune(textnorm.String(text))
	var marked []bool
	if len(folded) == len(rs) {
		for _, n := range m.needles {
			for i := 0; i+len(n) <= len(folded); i++ {
				if folded[i] != n[0] || string(folded[i:i+len(n)]) != string(n) {
					continue
				}
				if marked == nil {
					marked = make([]bool, len(rs))
				}
				for k := i; k < i+len(n); k++ {
					marked[k] = true
				}
			}
		}
	}
	var b strings.Builder
	open := false
	for i, r := range rs {
		on := marked != nil && marked[i]
		if on && !open {
			b.WriteString("<mark>")
		} else if !on && open {
			b.WriteString("</mark>")
		}
		open = on
		b.WriteString(html.EscapeString(string(r)))
	}
	if open {
		b.WriteString("</mark>")
	}
	return template.HTML(b.String())
}

// queryTerm is a term of the query language that matches article text.
type queryTerm struct {
	text   string
	quoted bool
}

// queryTerms reads the positive article-text terms of a query in the
// language of docs/query-syntax.md: bare words and "phrases", not the ones
// after "-" (a term or a parenthesized group), not field terms (title:
// marks the head only, which the search package highlights), not OR.
func queryTerms(q string) []queryTerm {
	var out []queryTerm
	rs := []rune(q)
	isQuote := func(r rune) bool { return r == '"' || r == '“' || r == '”' || r == '＂' }
	isOpen := func(r rune) bool { return r == '(' || r == '（' }
	isClose := func(r rune) bool { return r == ')' || r == '）' }
	isSpace := func(r rune) bool { return unicode.IsSpace(r) || r == '\u3000' }
	depth := 0
	skipDepth := -1 // inside a negated group that started at this depth
	negate := false
	emit := func(t queryTerm, field bool) {
		if !negate && skipDepth < 0 && !field && strings.TrimSpace(t.text) != "" {
			out = append(out, t)
		}
		negate = false
	}
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case isSpace(r):
			i++
		case isOpen(r):
			if negate && skipDepth < 0 {
				skipDepth = depth
			}
			negate = false
			depth++
			i++
		case isClose(r):
			depth--
			if depth == skipDepth {
				skipDepth = -1
			}
			i++
		case isQuote(r):
			j := i + 1
			for j < len(rs) && !isQuote(rs[j]) {
				j++
			}
			emit(queryTerm{text: string(rs[i+1 : min(j, len(rs))]), quoted: true}, false)
			i = j + 1
		case (r == '-' || r == '－') && i+1 < len(rs) && !isSpace(rs[i+1]) && (i == 0 || isSpace(rs[i-1]) || isOpen(rs[i-1])):
			negate = true
			i++
		default:
			j := i
			for j < len(rs) && !isSpace(rs[j]) && !isQuote(rs[j]) && !isOpen(rs[j]) && !isClose(rs[j]) {
				j++
			}
			word := rs[i:j]
			i = j
			if string(word) == "OR" {
				continue
			}
			if hasField(word) {
				// A field's quoted value follows its colon directly.
				if i < len(rs) && isQuote(rs[i]) && isColonRune(word[len(word)-1]) {
					k := i + 1
					for k < len(rs) && !isQuote(rs[k]) {
						k++
					}
					i = k + 1
				}
				emit(queryTerm{}, true)
				continue
			}
			emit(queryTerm{text: string(word)}, false)
		}
	}
	return out
}

func isColonRune(r rune) bool { return r == ':' || r == '：' }

// hasField reports whether a word starts with an ASCII field name and a
// colon (title:满族), as the query language reads it.
func hasField(w []rune) bool {
	for k, r := range w {
		if isColonRune(r) {
			return k > 0
		}
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return false
}
