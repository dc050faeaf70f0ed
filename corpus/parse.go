package corpus

import (
	"fmt"
	"strings"
)

// Page is what one bulletin file holds: its metadata and its items, in page
// order, before tagging.
type Page struct {
	Meta  Meta
	Items []Article
}

// draft is an item being assembled.
type draft struct {
	kicker, title, subtitle string
	titleLevel              int
	authors                 []string
	paras                   []para
	line                    int
	hasBody                 bool // a body paragraph or section heading seen
}

type para struct {
	text    string
	line    int
	gap     int  // empty lines before it
	heading bool // a section heading (小标题) kept in the body
}

// pageParser assembles items from the units of one page.
type pageParser struct {
	path     string
	items    []Article
	cur      *draft
	problems []Problem
}

// ParsePage reads the structure of a decoded bulletin page: headings, kickers,
// subtitles, bylines, body paragraphs (repairing column cuts) and photo
// captions. The returned items carry the page's metadata but no id, source,
// ordinal or tags; problems are warnings about lines it could not place.
// path is used in problems only.
func ParsePage(path, text string) (Page, []Problem, error) {
	lines := strings.Split(text, "\n")
	meta, bodyStart, err := readFrontMatter(lines)
	if err != nil {
		return Page{}, nil, err
	}
	p := &pageParser{path: path}
	for _, w := range meta.warnings {
		p.warn(w.line, "%s", w.msg)
	}
	units := joinColumnCuts(splitUnits(lines[bodyStart:], bodyStart+1))
	for i := 0; i < len(units); i++ {
		u := units[i]
		switch u.kind {
		case unitHeading:
			if i+1 < len(units) && p.isKickerOver(u, units[i+1]) {
				p.startArticle(u.line)
				p.cur.kicker, p.cur.title, p.cur.titleLevel = u.text, units[i+1].text, units[i+1].level
				i++
				continue
			}
			p.heading(u)
		case unitByline:
			p.byline(u)
		default:
			p.text(u)
		}
	}
	p.flush()
	if len(p.items) == 0 {
		return Page{}, p.problems, fmt.Errorf("no articles found")
	}
	for i := range p.items {
		p.items[i].Paper, p.items[i].Date, p.items[i].Page = meta.Paper, meta.Date, meta.Page
	}
	return Page{Meta: meta.Meta, Items: p.items}, p.problems, nil
}

// isKickerOver reports whether heading h is a kicker (引题) over the title
// next: a heading directly followed by a deeper heading that is not a
// subtitle.
func (p *pageParser) isKickerOver(h, next unit) bool {
	return next.kind == unitHeading && next.level > h.level && !h.isSubtitle() && !next.isSubtitle()
}

func (p *pageParser) warn(line int, format string, args ...any) {
	p.problems = append(p.problems, Problem{Path: p.path, Line: line, Message: fmt.Sprintf(format, args...)})
}

func (p *pageParser) startArticle(line int) {
	p.flush()
	p.cur = &draft{line: line}
}

func (p *pageParser) heading(u unit) {
	cur := p.cur
	switch {
	case u.isSubtitle() && cur != nil && !cur.hasBody && cur.subtitle == "" && (cur.title != "" || cur.kicker != ""):
		cur.subtitle = trimDashes(u.text)
	case cur != nil && cur.hasBody && cur.titleLevel > 0 && u.level > cur.titleLevel:
		// A section heading (小标题) inside the article: it stays in the body.
		cur.paras = append(cur.paras, para{text: u.text, line: u.line, gap: u.gap, heading: true})
	case u.isSubtitle():
		p.startArticle(u.line)
		p.cur.subtitle, p.cur.titleLevel = trimDashes(u.text), u.level
		p.warn(u.line, "subtitle %q has no title above it", u.text)
	default:
		p.startArticle(u.line)
		p.cur.title, p.cur.titleLevel = u.text, u.level
	}
}

func (p *pageParser) byline(u unit) {
	if p.cur != nil && p.cur.hasBody && !u.by.credit && !u.parens {
		// In the body, only a bracketed byline closes an article; a bare
		// line such as "记者 了解到" is text.
		p.text(u)
		return
	}
	if u.by.credit {
		p.photoCredit(u)
		return
	}
	cur := p.cur
	switch {
	case cur == nil:
		p.warn(u.line, "byline %q is not under a title", u.text)
	case !cur.hasBody || len(cur.authors) == 0:
		cur.authors = appendNew(cur.authors, u.by.names...)
	default:
		p.warn(u.line, "second byline %q in the body of an article", u.text)
	}
}

// photoCredit closes a photo item: its caption is the paragraphs before the
// credit line back to the last page-block break (two or more empty lines),
// heading or credit; without such a break, the one paragraph before it.
func (p *pageParser) photoCredit(u unit) {
	cur := p.cur
	if cur == nil || len(cur.paras) == 0 {
		p.warn(u.line, "photo credit %q has no caption above it", u.text)
		return
	}
	start := len(cur.paras) - 1
	for k := start; k >= 0 && !cur.paras[k].heading; k-- {
		if cur.paras[k].gap >= 2 {
			start = k
			break
		}
	}
	if cur.paras[start].heading {
		p.warn(u.line, "photo credit %q has no caption above it", u.text)
		return
	}
	caption := cur.paras[start:]
	photo := &draft{authors: u.by.names, paras: caption, line: caption[0].line, hasBody: true}
	if start == 0 {
		// The whole item is the caption: a titled photo, or captions after
		// the last article.
		photo.kicker, photo.title, photo.subtitle, photo.line = cur.kicker, cur.title, cur.subtitle, cur.line
		p.cur = nil
	} else {
		cur.paras = cur.paras[:start]
		p.flush()
	}
	p.emit(photo, KindPhoto)
}

func (p *pageParser) text(u unit) {
	if p.cur == nil {
		p.cur = &draft{line: u.line}
	}
	p.cur.paras = append(p.cur.paras, para{text: u.text, line: u.line, gap: u.gap})
	p.cur.hasBody = true
}

// flush emits the item being assembled, if any.
func (p *pageParser) flush() {
	if p.cur == nil {
		return
	}
	d := p.cur
	p.cur = nil
	if d.title == "" && d.kicker == "" && d.subtitle == "" {
		if len(d.paras) == 0 {
			return
		}
		p.warn(d.line, "text with no heading above it is kept as an untitled article")
	}
	p.emit(d, KindArticle)
}

func (p *pageParser) emit(d *draft, kind string) {
	texts := make([]string, len(d.paras))
	for i, pr := range d.paras {
		texts[i] = pr.text
	}
	authors := d.authors
	if len(authors) == 0 && len(texts) > 0 {
		authors = datelineAuthors(texts[0])
	}
	if authors == nil {
		authors = []string{}
	}
	p.items = append(p.items, Article{
		Kind:     kind,
		Kicker:   d.kicker,
		Title:    d.title,
		Subtitle: d.subtitle,
		Authors:  authors,
		Body:     strings.Join(texts, "\n"),
		Line:     d.line,
	})
}

func appendNew(list []string, names ...string) []string {
	for _, n := range names {
		seen := false
		for _, have := range list {
			seen = seen || have == n
		}
		if !seen {
			list = append(list, n)
		}
	}
	return list
}
