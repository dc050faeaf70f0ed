package web

import (
	"html/template"
	"strings"
)

// paragraphs splits an article's highlighted body (search.Highlight.Body:
// the text escaped for HTML, the query's matches in <mark>, paragraphs
// separated by "\n") into its non-empty paragraphs.
func paragraphs(bodyHTML string) []template.HTML {
	var out []template.HTML
	for _, p := range strings.Split(bodyHTML, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, template.HTML(p)) // escaped by the search package
		}
	}
	return out
}
