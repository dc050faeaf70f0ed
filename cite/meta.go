package cite

import "strings"

// Meta is one <meta name="…" content="…"> tag of an article page.
type Meta struct {
	Name    string `json:"name"`
	Content string `json:"content"`
}

// MetaLinks are the <link rel="schema.DC"> and <link rel="schema.prism">
// declarations that go with the tags (rel, href); Zotero knows these
// prefixes without them, other readers may not.
var MetaLinks = [][2]string{
	{"schema.DC", "http://purl.org/dc/elements/1.1/"},
	{"schema.prism", "http://prismstandard.org/namespaces/1.2/basic/"},
}

// MetaTags returns the Highwire Press and Dublin Core tags of an article
// page, in order, for the page's <head>; a tag with no value is left out.
//
// They are chosen for what Zotero's Embedded Metadata translator reads
// (with its RDF translator for DC and PRISM): citation_title,
// citation_author (one per author), citation_publication_date
// (YYYY/MM/DD, Google Scholar's form) and citation_date (YYYY-MM-DD),
// citation_firstpage (the page), citation_language, citation_public_url;
// DC.title, DC.creator (one per author), DC.date, DC.publisher (the
// paper, the only publisher the record names), DC.type, DC.identifier
// (the URL), DC.language; prism.publicationName (the paper).
//
// The paper is deliberately not citation_journal_title: that tag makes
// Zotero save a journalArticle whatever else the page says. DC.type
// "newspaperArticle" (a Zotero item type, which its RDF translator takes
// as the item's type) makes it a newspaper article, and
// prism.publicationName fills its publication (the newspaper).
func MetaTags(r Ref) []Meta {
	var out []Meta
	add := func(name, content string) {
		if content = oneLine(content); content != "" {
			out = append(out, Meta{Name: name, Content: content})
		}
	}
	title := Title(r.Article, "：")
	as := r.authors()
	d := r.date()
	add("citation_title", title)
	for _, a := range as {
		add("citation_author", a)
	}
	if d.ok {
		add("citation_publication_date", strings.ReplaceAll(strings.TrimSpace(r.Article.Date), "-", "/"))
		add("citation_date", strings.TrimSpace(r.Article.Date))
	}
	add("citation_firstpage", r.page())
	add("citation_language", Language)
	add("citation_public_url", r.url())
	add("DC.title", title)
	for _, a := range as {
		add("DC.creator", a)
	}
	if d.ok {
		add("DC.date", strings.TrimSpace(r.Article.Date))
	}
	add("DC.publisher", r.paper())
	add("DC.type", "newspaperArticle")
	add("DC.identifier", r.url())
	add("DC.language", Language)
	add("prism.publicationName", r.paper())
	return out
}
