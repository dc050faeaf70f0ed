// Package cite writes citations of archived articles: human-readable
// references (GB/T 7714-2015, APA 7, Chicago notes-bibliography), the
// machine-readable forms that reference managers import (RIS, BibTeX in
// its biblatex dialect, CSL-JSON), and the Highwire Press and Dublin Core
// <meta> tags that let Zotero's browser connector save an article page in
// one click. docs/workbench.md names every field.
//
// A citation uses only what the record holds: an article with no author,
// date, paper or page gets a reference without it, never a made-up value.
// Chinese names and titles are written as they are (a name is never split
// into family and given names).
package cite

import (
	"strings"
	"time"
	"unicode/utf8"

	"newsarchive/corpus"
)

// Ref is what a citation of an article is made from: the record, the
// permalink of its page in the archive and the day it was read there.
type Ref struct {
	Article corpus.Article
	// URL is the article's permanent address in the archive ("" for
	// none: the citation then has no URL).
	URL string
	// Accessed is the access date (引用日期); the zero time leaves it out.
	Accessed time.Time
}

// date is a publication date read from a record's YYYY-MM-DD.
type date struct {
	y, m, d int
	ok      bool
}

func parseDate(s string) date {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return date{}
	}
	return date{y: t.Year(), m: int(t.Month()), d: t.Day(), ok: true}
}

func (r Ref) date() date { return parseDate(r.Article.Date) }

func (r Ref) paper() string { return strings.TrimSpace(r.Article.Paper) }
func (r Ref) page() string  { return strings.TrimSpace(r.Article.Page) }
func (r Ref) url() string   { return strings.TrimSpace(r.URL) }

// authors are the record's author names, trimmed, empty ones dropped.
func (r Ref) authors() []string {
	var out []string
	for _, a := range r.Article.Authors {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return out
}

// Title is the title a citation gives an article: its title with the
// subtitle (副题) after sep as other title information; for an untitled
// photo "[图片]" and the start of its caption, for another untitled item
// "[无题]" (a bracketed description, as the styles ask for untitled
// works). The kicker (引题) is not part of it.
func Title(a corpus.Article, sep string) string {
	t := strings.TrimSpace(a.Title)
	if t == "" {
		if a.Kind == corpus.KindPhoto && strings.TrimSpace(a.Body) != "" {
			return "[图片] " + cut(strings.TrimSpace(a.Body), 24)
		}
		return "[无题]"
	}
	if s := strings.TrimSpace(a.Subtitle); s != "" {
		t += sep + s
	}
	return t
}

// cut returns the first n characters of s (its first paragraph), with …
// when it is longer.
func cut(s string, n int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// isoDay formats a time as YYYY-MM-DD.
func isoDay(t time.Time) string { return t.Format("2006-01-02") }

// endsWithPunct reports whether s ends in a mark that closes a title, so
// that a style's full stop after it is not doubled.
func endsWithPunct(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune(".!?。！？…", r)
}
