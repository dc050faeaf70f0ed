package corpus

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
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
	size := 0
	for i, pr := range d.paras {
		texts[i] = pr.text
		size += len(pr.text) + 1
	}
	authors := d.authors
	if len(authors) == 0 && len(texts) > 0 {
		authors = datelineAuthors(texts[0])
	}
	if authors == nil {
		authors = []string{}
	}
	a := Article{
		Kind:     kind,
		Kicker:   d.kicker,
		Title:    d.title,
		Subtitle: d.subtitle,
		Authors:  authors,
		Line:     d.line,
	}
	if size-1 <= MaxArticleBytes {
		a.Body = strings.Join(texts, "\n")
		p.items = append(p.items, a)
		return
	}
	parts := splitBody(d.paras)
	p.warn(d.line, "%s %q has %d bytes of body text, more than the %d of one record: split into %d parts, titled %q to %q",
		kind, d.title, size-1, MaxArticleBytes, len(parts), partTitle(d.title, 1), partTitle(d.title, len(parts)-1))
	for k, part := range parts {
		b := a
		b.Title = partTitle(d.title, k)
		b.Authors = slices.Clone(authors)
		b.Body, b.Line = part.text, part.line
		if k == 0 {
			b.Line = d.line
		}
		p.items = append(p.items, b)
	}
}

// MaxArticleBytes is the most body text one record holds: 256 KiB, about
// 87,000 Chinese characters, fifty times the longest article of the xwlb
// corpus (real articles are about 5 KB). An item with a longer body is
// split into consecutive records ("parts") of at most MaxArticleBytes
// each, so that the memory to index, highlight and serve one record is
// bounded whatever the size of the file (corpus.MaxFileSize) it came
// from. A part ends at a paragraph end when one is within the limit;
// only a paragraph longer than the limit is cut inside, after a
// sentence end when one is in the second half of the part. The first
// part keeps the item's title; part k+1 (k ≥ 1) has the title with
// "（续k）" appended (partTitle); every part keeps the kicker, subtitle,
// authors and metadata, and the parts take consecutive ordinals. Nothing
// is lost: the parts' bodies, read in order, are the item's text.
const MaxArticleBytes = 256 << 10

// partTitle is the title of part k (0-based) of an item split by
// MaxArticleBytes: the item's title, then "（续k）" from the second part on.
func partTitle(title string, k int) string {
	if k == 0 {
		return title
	}
	return fmt.Sprintf("%s（续%d）", title, k)
}

// bodyPart is the body of one part of a split item and the line it starts
// at.
type bodyPart struct {
	text string
	line int
}

// splitBody cuts paragraphs whose joined text is longer than
// MaxArticleBytes into parts of at most MaxArticleBytes each, at paragraph
// ends, and inside a paragraph only when it is longer than the limit by
// itself.
func splitBody(paras []para) []bodyPart {
	var parts []bodyPart
	texts := make([]string, 0, len(paras))
	size, line := 0, 0
	flush := func() {
		if len(texts) > 0 {
			parts = append(parts, bodyPart{strings.Join(texts, "\n"), line})
			texts, size = texts[:0], 0
		}
	}
	for _, pr := range paras {
		if len(texts) > 0 && size+1+len(pr.text) <= MaxArticleBytes {
			texts = append(texts, pr.text)
			size += 1 + len(pr.text)
			continue
		}
		flush()
		text := pr.text
		for len(text) > MaxArticleBytes {
			cut := cutPoint(text, MaxArticleBytes)
			parts = append(parts, bodyPart{text[:cut], pr.line})
			text = text[cut:]
		}
		texts, size, line = append(texts, text), len(text), pr.line
	}
	flush()
	return parts
}

// cutPoint is where to cut text, longer than limit bytes, into a first
// part of at most limit bytes: after the last sentence end in the second
// half of the limit, else at the last character boundary within it.
func cutPoint(text string, limit int) int {
	if i := strings.LastIndexAny(text[:limit], "。！？；!?;"); i >= limit/2 {
		_, n := utf8.DecodeRuneInString(text[i:])
		if i+n <= limit {
			return i + n
		}
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return cut
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
