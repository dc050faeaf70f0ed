package cite

import (
	"fmt"
	"html"
	"strings"
	"time"
)

// Citation is a reference in a citation style, as plain text and as HTML
// (escaped, the container title in <i> where the style italicises it).
type Citation struct {
	Style string `json:"style"`
	Text  string `json:"text"`
	HTML  string `json:"html"`
}

// Styles of Citation.
const (
	StyleGBT7714         = "gb-t-7714-2015"
	StyleAPA             = "apa-7"
	StyleChicagoNote     = "chicago-note"
	StyleChicagoBiblio   = "chicago-bibliography"
	gbtMaxAuthors        = 3  // GB/T 7714-2015 8.1.2: the first three, then 等
	apaMaxAuthors        = 20 // APA 7 9.8: up to 20 names
	chicagoBiblioAuthors = 10 // CMOS 17 14.76: up to ten names; more: seven and et al.
	chicagoBiblioShown   = 7
)

// text builds a citation's plain text and HTML together.
type text struct {
	plain, html strings.Builder
}

func (t *text) add(s string) {
	t.plain.WriteString(s)
	t.html.WriteString(html.EscapeString(s))
}

func (t *text) italic(s string) {
	t.plain.WriteString(s)
	t.html.WriteString("<i>" + html.EscapeString(s) + "</i>")
}

func (t *text) citation(style string) Citation {
	return Citation{Style: style, Text: t.plain.String(), HTML: t.html.String()}
}

// All returns the reference in every style, in the order GB/T 7714, APA,
// Chicago note, Chicago bibliography.
func All(r Ref) []Citation {
	return []Citation{GBT7714(r), APA(r), ChicagoNote(r), ChicagoBibliography(r)}
}

// GBT7714 is the reference of GB/T 7714-2015 for an online newspaper
// article (8.1, 8.8.2; the standard's own example: 余建斌. 我们的科技一直在追赶:
// 访中国工程院院长周济[N/OL]. 人民日报, 2013-01-12(2)[2013-03-20].
// http://…):
//
//	作者. 题名: 副题[N/OL]. 报纸名, 出版日期(版次)[引用日期]. URL.
//
// with at most three authors, then ", 等". A missing part is left out with
// its punctuation.
func GBT7714(r Ref) Citation {
	var t text
	if as := r.authors(); len(as) > 0 {
		if len(as) > gbtMaxAuthors {
			t.add(strings.Join(as[:gbtMaxAuthors], ", ") + ", 等")
		} else {
			t.add(strings.Join(as, ", "))
		}
		t.add(". ")
	}
	t.add(Title(r.Article, ": "))
	if r.url() != "" {
		t.add("[N/OL]")
	} else {
		t.add("[N]")
	}
	var pub strings.Builder
	pub.WriteString(r.paper())
	if d := strings.TrimSpace(r.Article.Date); r.date().ok {
		if pub.Len() > 0 {
			pub.WriteString(", ")
		}
		pub.WriteString(d)
	}
	if p := r.page(); p != "" {
		pub.WriteString("(" + p + ")")
	}
	if !r.Accessed.IsZero() && r.url() != "" {
		pub.WriteString("[" + isoDay(r.Accessed) + "]")
	}
	if pub.Len() > 0 {
		t.add(". " + pub.String())
	}
	if u := r.url(); u != "" {
		t.add(". " + u)
	}
	t.add(".")
	return t.citation(StyleGBT7714)
}

// APA is the reference list entry of APA 7 for a newspaper article
// (Publication Manual 10.1, example 16):
//
//	作者. (2022, June 20). 题名：副题. 报纸名, 版次. URL
//
// Names as they are, joined with ", " and " & " before the last (up to 20;
// more: the first 19, …, the last); no author: the title takes the
// author's place; no date: (n.d.). The paper is italic; the page is given
// because the archive holds the printed page. No access date: an archived
// page does not change.
func APA(r Ref) Citation {
	var t text
	title := Title(r.Article, "：")
	as := r.authors()
	dateText := "(n.d.)"
	if d := r.date(); d.ok {
		dateText = fmt.Sprintf("(%d, %s %d)", d.y, time.Month(d.m), d.d)
	}
	if len(as) > 0 {
		t.add(apaNames(as))
		if !strings.HasSuffix(t.plain.String(), ".") {
			t.add(".")
		}
		t.add(" " + dateText + ". ")
		t.add(title)
		if !endsWithPunct(title) {
			t.add(".")
		}
	} else {
		t.add(title)
		if !endsWithPunct(title) {
			t.add(".")
		}
		t.add(" " + dateText + ".")
	}
	if p := r.paper(); p != "" {
		t.add(" ")
		t.italic(p)
		if pg := r.page(); pg != "" {
			t.add(", " + pg)
		}
		t.add(".")
	}
	if u := r.url(); u != "" {
		t.add(" " + u)
	}
	return t.citation(StyleAPA)
}

func apaNames(as []string) string {
	switch {
	case len(as) == 1:
		return as[0]
	case len(as) == 2:
		return as[0] + ", & " + as[1]
	case len(as) <= apaMaxAuthors:
		return strings.Join(as[:len(as)-1], ", ") + ", & " + as[len(as)-1]
	}
	return strings.Join(as[:apaMaxAuthors-1], ", ") + ", … " + as[len(as)-1]
}

// ChicagoNote is the note of the Chicago Manual of Style (17th ed.,
// notes and bibliography, 14.191 newspapers):
//
//	作者, “题名：副题,” 报纸名, June 20, 2022, URL.
//
// One to three names in full, four or more: the first and "et al."; no
// date: "n.d." and the access date. Page numbers are omitted, as CMOS
// advises for newspapers.
func ChicagoNote(r Ref) Citation {
	var t text
	as := r.authors()
	switch {
	case len(as) == 0:
	case len(as) <= 3:
		t.add(chicagoAnd(as) + ", ")
	default:
		t.add(as[0] + " et al., ")
	}
	t.add("“" + chicagoTitle(r) + ",” ")
	rest := chicagoDate(r) // never empty
	if u := r.url(); u != "" {
		rest = append(rest, u)
	}
	if p := r.paper(); p != "" {
		t.italic(p)
		t.add(", ")
	}
	t.add(strings.Join(rest, ", ") + ".")
	return t.citation(StyleChicagoNote)
}

// ChicagoBibliography is the bibliography entry of the Chicago Manual of
// Style (17th ed., 14.191):
//
//	作者. “题名：副题.” 报纸名, June 20, 2022. URL.
//
// Up to ten names ("A, B, and C"); more: the first seven and "et al.".
func ChicagoBibliography(r Ref) Citation {
	var t text
	as := r.authors()
	if len(as) > chicagoBiblioAuthors {
		t.add(strings.Join(as[:chicagoBiblioShown], ", ") + ", et al. ")
	} else if len(as) > 0 {
		t.add(chicagoAnd(as) + ". ")
	}
	t.add("“" + chicagoTitle(r) + ".” ")
	var pub []string
	pub = append(pub, chicagoDate(r)...)
	if p := r.paper(); p != "" {
		t.italic(p)
		if len(pub) > 0 {
			t.add(", ")
		}
	}
	t.add(strings.Join(pub, ", "))
	if r.paper() != "" || len(pub) > 0 {
		t.add(".")
	}
	if u := r.url(); u != "" {
		t.add(" " + u + ".")
	}
	return t.citation(StyleChicagoBiblio)
}

// chicagoTitle is the title with its double quotes made single, as
// inside a quoted title.
func chicagoTitle(r Ref) string {
	return strings.NewReplacer("“", "‘", "”", "’", `"`, "'").Replace(Title(r.Article, "："))
}

// chicagoDate is "June 20, 2022", or "n.d." and the access date when the
// article is undated (CMOS 14.175).
func chicagoDate(r Ref) []string {
	if d := r.date(); d.ok {
		return []string{fmt.Sprintf("%s %d, %d", time.Month(d.m), d.d, d.y)}
	}
	out := []string{"n.d."}
	if !r.Accessed.IsZero() {
		out = append(out, "accessed "+r.Accessed.Format("January 2, 2006"))
	}
	return out
}

func chicagoAnd(as []string) string {
	switch len(as) {
	case 1:
		return as[0]
	case 2:
		return as[0] + " and " + as[1]
	}
	return strings.Join(as[:len(as)-1], ", ") + ", and " + as[len(as)-1]
}
