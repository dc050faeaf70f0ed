package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// unitKind is what one line of a page is.
type unitKind int

const (
	unitText unitKind = iota
	unitHeading
	unitByline
)

// unit is one non-empty line of a page, or after column-cut repair, one
// paragraph.
type unit struct {
	kind  unitKind
	level int    // heading level, 1 for #
	text  string // without heading marks, trimmed
	by    byline
	// parens is true for a byline in brackets, "（本报记者 X）", the form
	// that may close an article.
	parens bool
	line   int // 1-based line in the file
	gap    int // empty lines before it
}

// isSubtitle reports whether a heading is a subtitle (副题): it starts with
// a dash such as ——.
func (u unit) isSubtitle() bool {
	return u.kind == unitHeading && startsWithDash(u.text)
}

func startsWithDash(s string) bool {
	return strings.HasPrefix(s, "—") || strings.HasPrefix(s, "--") ||
		strings.HasPrefix(s, "―") || strings.HasPrefix(s, "─")
}

// trimDashes removes the subtitle's leading dashes (and stray heading
// marks and blanks among them).
func trimDashes(s string) string {
	return trimSpace(strings.TrimLeftFunc(s, func(r rune) bool { return strings.ContainsRune("—―─-－#", r) || isBlank(r) }))
}

// splitUnits reads the lines of a page body (front matter removed) into
// units; firstLine is the file line number of lines[0].
func splitUnits(lines []string, firstLine int) []unit {
	var units []unit
	gap := 0
	for i, raw := range lines {
		s := trimSpace(raw)
		if s == "" || isRule(s) {
			gap++
			continue
		}
		u := unit{kind: unitText, text: s, line: firstLine + i, gap: gap}
		gap = 0
		if level, text, ok := headingOf(s); ok {
			u.kind, u.level, u.text = unitHeading, level, text
		} else if b, ok := parseByline(s); ok {
			u.kind, u.by = unitByline, b
			u.parens = strings.ContainsAny(s[:1], "(（【")
		}
		units = append(units, u)
	}
	return units
}

// isRule reports whether a line is only a markdown rule or stray marks
// (---, ***, ###, ===): a separator, not text.
func isRule(s string) bool {
	return strings.TrimFunc(s, func(r rune) bool { return strings.ContainsRune("-*#=_~", r) || isBlank(r) }) == ""
}

// headingOf reads a markdown-style heading "## text". A line of only #
// marks is not a heading.
func headingOf(s string) (level int, text string, ok bool) {
	for level < len(s) && s[level] == '#' {
		level++
	}
	if level == 0 {
		return 0, "", false
	}
	// Bulletins use # only as structure: seven marks or more are the
	// deepest heading, not text that starts with #.
	level = min(level, 6)
	// "## # 标题": stray marks after the heading's own are not text, with
	// any white space between them ("#\f#").
	text = trimSpace(strings.TrimLeftFunc(s[level:], func(r rune) bool { return r == '#' || isBlank(r) }))
	if text == "" {
		return 0, "", false
	}
	return level, text, true
}

// joinColumnCuts repairs paragraphs broken by a column cut: a text paragraph
// that does not end in sentence-final punctuation continues in the next text
// paragraph when at most one empty line separates them. Headings and
// bylines are never joined. A wider gap (two or more empty lines) separates
// page blocks such as photo captions and is never crossed.
func joinColumnCuts(units []unit) []unit {
	out := make([]unit, 0, len(units))
	var b strings.Builder // the text of out[len(out)-1] while it grows
	growing := false
	finish := func() {
		if growing {
			out[len(out)-1].text = b.String()
			growing = false
		}
	}
	for _, u := range units {
		if n := len(out); n > 0 && u.kind == unitText && u.gap <= 1 {
			prev := &out[n-1]
			last := prev.text
			if growing {
				last = b.String()[b.Len()-lastRuneLen(b.String()):]
			}
			if prev.kind == unitText && !endsSentence(last) {
				if !growing {
					b.Reset()
					b.WriteString(prev.text)
					growing = true
				}
				writeJoin(&b, last, u.text)
				continue
			}
		}
		finish()
		out = append(out, u)
	}
	finish()
	return out
}

func lastRuneLen(s string) int {
	_, n := utf8.DecodeLastRuneInString(s)
	return n
}

// sentenceFinal lists the characters after which a paragraph is complete.
const sentenceFinal = "。！？!?…”’」』）)】》;；:：."

func endsSentence(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune(sentenceFinal, r)
}

// writeJoin appends b, the second half of a paragraph cut by a column break,
// to the builder holding the first half, which ends in last: with no space,
// except between two Latin letters, where the break was a space.
func writeJoin(w *strings.Builder, last, b string) {
	l, _ := utf8.DecodeLastRuneInString(last)
	first, _ := utf8.DecodeRuneInString(b)
	if isLatinLetter(l) && isLatinLetter(first) {
		w.WriteByte(' ')
	}
	w.WriteString(b)
}

func isLatinLetter(r rune) bool {
	return r < utf8.RuneSelf && unicode.IsLetter(r)
}

// trimSpace trims white space including the ideographic space used to
// indent Chinese paragraphs and no-break spaces.
func trimSpace(s string) string {
	return strings.TrimFunc(s, isBlank)
}

// isBlank reports white space, including the ideographic space, the
// no-break space and a stray byte-order mark.
func isBlank(r rune) bool {
	return unicode.IsSpace(r) || r == '\u3000' || r == '\u00A0' || r == '\uFEFF'
}
