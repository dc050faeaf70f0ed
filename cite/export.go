package cite

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

// Language is the language of every archived article (ISO 639-1), as the
// machine-readable forms give it.
const Language = "zh"

// Database names the archive in RIS (DB) and CSL-JSON (archive).
const Database = "newsarchive"

// RIS writes refs as one RIS document (the format of Research Information
// Systems that EndNote, Zotero, Mendeley and others import): per article a
// record of type NEWS,
//
//	TY  - NEWS
//	AU  - 孙月秋          (one per author)
//	TI  - 题名：副题
//	T2  - 报纸名          (the newspaper)
//	DA  - 2022/06/20/    (and PY  - 2022)
//	SP  - 2              (the page)
//	UR  - URL
//	Y2  - 2026/12/02/    (the access date)
//	LA  - zh
//	DB  - newsarchive
//	ID  - the article id
//	ER  -
//
// with CRLF line ends, UTF-8; a tag with no value is left out. Line breaks
// inside a value become spaces (RIS values are one line).
func RIS(w io.Writer, refs ...Ref) error {
	bw := bufio.NewWriter(w)
	for _, r := range refs {
		tag := func(name, value string) {
			value = oneLine(value)
			if value == "" {
				return
			}
			fmt.Fprintf(bw, "%s  - %s\r\n", name, value)
		}
		tag("TY", "NEWS")
		for _, a := range r.authors() {
			tag("AU", a)
		}
		tag("TI", Title(r.Article, "："))
		tag("T2", r.paper())
		if d := r.date(); d.ok {
			tag("DA", fmt.Sprintf("%04d/%02d/%02d/", d.y, d.m, d.d))
			tag("PY", fmt.Sprintf("%04d", d.y))
		}
		tag("SP", r.page())
		tag("UR", r.url())
		if !r.Accessed.IsZero() {
			tag("Y2", r.Accessed.Format("2006/01/02/"))
		}
		tag("LA", Language)
		tag("DB", Database)
		tag("ID", r.Article.ID)
		bw.WriteString("ER  - \r\n")
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("cite: write RIS: %w", err)
	}
	return nil
}

// oneLine collapses the line breaks and runs of white space of s into
// single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// BibTeXKey is an article's citation key: "na" + its year (or "nd") + "-"
// + its id, ASCII only and the same on every export.
func BibTeXKey(r Ref) string {
	y := "nd"
	if d := r.date(); d.ok {
		y = strconv.Itoa(d.y)
	}
	id := strings.Map(func(c rune) rune {
		if c < unicode.MaxASCII && (unicode.IsLetter(c) || unicode.IsDigit(c)) {
			return c
		}
		return -1
	}, r.Article.ID)
	return "na" + y + "-" + id
}

// BibTeX writes refs as BibTeX entries for biblatex (biber reads UTF-8):
//
//	@article{na2022-0123456789abcdef,
//	  entrysubtype = {newspaper},
//	  author = {{孙月秋} and {李四}},
//	  title = {题名：副题},
//	  journaltitle = {报纸名},
//	  date = {2022-06-20},
//	  pages = {2},
//	  url = {URL},
//	  urldate = {2026-12-02},
//	  langid = {chinese},
//	  language = {zh},
//	}
//
// biblatex's @article with entrysubtype newspaper is its form for a
// newspaper article (biblatex manual 2.1.1, 2.2.3). Each name is one
// braced group, so that it is never split into first and last names; the
// characters TeX treats specially (\ { } # $ % & _ ^ ~) are escaped
// outside url. A field with no value is left out.
func BibTeX(w io.Writer, refs ...Ref) error {
	bw := bufio.NewWriter(w)
	for i, r := range refs {
		if i > 0 {
			bw.WriteString("\n")
		}
		fmt.Fprintf(bw, "@article{%s,\n", BibTeXKey(r))
		field := func(name, value string) {
			if value == "" {
				return
			}
			fmt.Fprintf(bw, "  %s = {%s},\n", name, value)
		}
		field("entrysubtype", "newspaper")
		var names []string
		for _, a := range r.authors() {
			names = append(names, "{"+texEscape(oneLine(a))+"}")
		}
		field("author", strings.Join(names, " and "))
		field("title", texEscape(oneLine(Title(r.Article, "："))))
		field("journaltitle", texEscape(oneLine(r.paper())))
		if d := r.date(); d.ok {
			field("date", fmt.Sprintf("%04d-%02d-%02d", d.y, d.m, d.d))
		}
		field("pages", texEscape(oneLine(r.page())))
		field("url", urlField(r.url()))
		if !r.Accessed.IsZero() {
			field("urldate", isoDay(r.Accessed))
		}
		field("langid", "chinese")
		field("language", Language)
		bw.WriteString("}\n")
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("cite: write BibTeX: %w", err)
	}
	return nil
}

// texEscape escapes the characters that TeX and BibTeX give a meaning.
func texEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '\\':
			b.WriteString(`\textbackslash{}`)
		case '{', '}', '#', '$', '%', '&', '_':
			b.WriteByte('\\')
			b.WriteRune(c)
		case '^':
			b.WriteString(`\textasciicircum{}`)
		case '~':
			b.WriteString(`\textasciitilde{}`)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// urlField is a URL as biblatex's verbatim url field takes it: braces,
// which would end the field, and spaces percent-encoded.
func urlField(u string) string {
	return strings.NewReplacer("{", "%7B", "}", "%7D", " ", "%20", "\n", "", "\r", "").Replace(u)
}

// CSLItem is an article as a CSL-JSON item (the input format of
// citeproc processors, Zotero and Pandoc; schema csl-data.json of the
// Citation Style Language 1.0.2).
type CSLItem struct {
	ID             string     `json:"id"`
	Type           string     `json:"type"`
	Title          string     `json:"title"`
	ContainerTitle string     `json:"container-title,omitempty"`
	Author         []CSLName  `json:"author,omitempty"`
	Issued         *CSLDate   `json:"issued,omitempty"`
	Page           string     `json:"page,omitempty"`
	URL            string     `json:"URL,omitempty"`
	Accessed       *CSLDate   `json:"accessed,omitempty"`
	Language       string     `json:"language"`
	Archive        string     `json:"archive"`
	Note           string     `json:"note,omitempty"`
	CitationKey    string     `json:"citation-key"`
	Custom         *CSLCustom `json:"custom,omitempty"`
}

// CSLName is a CSL name: a Chinese name is given as a literal, never
// split into family and given names.
type CSLName struct {
	Literal string `json:"literal"`
}

// CSLDate is a CSL date as date-parts: [[year, month, day]].
type CSLDate struct {
	DateParts [][]int `json:"date-parts"`
}

// CSLCustom holds the archive's own fields of an item.
type CSLCustom struct {
	Kicker string `json:"kicker,omitempty"` // the 引题, not part of the title
}

// CSL returns an article as a CSL-JSON item of type article-newspaper.
func CSL(r Ref) CSLItem {
	it := CSLItem{
		ID:             r.Article.ID,
		Type:           "article-newspaper",
		Title:          Title(r.Article, "："),
		ContainerTitle: r.paper(),
		Page:           r.page(),
		URL:            r.url(),
		Language:       Language,
		Archive:        Database,
		CitationKey:    BibTeXKey(r),
	}
	for _, a := range r.authors() {
		it.Author = append(it.Author, CSLName{Literal: a})
	}
	if d := r.date(); d.ok {
		it.Issued = &CSLDate{DateParts: [][]int{{d.y, d.m, d.d}}}
	}
	if !r.Accessed.IsZero() {
		a := r.Accessed
		it.Accessed = &CSLDate{DateParts: [][]int{{a.Year(), int(a.Month()), a.Day()}}}
	}
	if k := strings.TrimSpace(r.Article.Kicker); k != "" {
		it.Custom = &CSLCustom{Kicker: k}
	}
	return it
}

// CSLJSON writes refs as one CSL-JSON document: an array of items.
func CSLJSON(w io.Writer, refs ...Ref) error {
	items := make([]CSLItem, 0, len(refs))
	for _, r := range refs {
		items = append(items, CSL(r))
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(items); err != nil {
		return fmt.Errorf("cite: write CSL-JSON: %w", err)
	}
	return nil
}
