package engine

import (
	"time"

	"newsarchive/corpus"
)

// Sort orders of a request.
const (
	SortRelevance = "relevance" // best match first
	SortNewest    = "date"      // newest first; undated articles last
	SortOldest    = "-date"     // oldest first; undated articles last
)

// Request is a search as an engine runs it.
type Request struct {
	// Query selects the articles; nil selects every article.
	Query Query
	// Filters must all hold (AND); each holds when an article has one
	// of its values (OR).
	Filters []Filter
	// Facets to count. A facet whose Name is a filter's Name ignores that
	// filter (it is disjunctive): its counts are those the articles would
	// have with any value of that filter.
	Facets []Facet
	// Sort is SortRelevance (""), SortNewest or SortOldest. Ties are
	// broken by article id, ascending.
	Sort string
	// After starts the hits right after this place in the order (a
	// cursor); nil starts at the beginning.
	After *Cursor
	// Offset and Size select the hits returned; Size 0 returns none (a
	// count and facets only).
	Offset, Size int
}

// Filter keeps the articles that have one of Values in keyword field
// Field, or, for Field FieldDate, whose date is in [From, To) (a zero
// time is an open end). Name identifies it for disjunctive facets.
type Filter struct {
	Name     string
	Field    string
	Values   []string
	From, To time.Time
}

// Facet counts the matching articles per value of a keyword field: at
// most Size values (0: all), the most frequent first (ties by value), or
// in value order when ByValue.
type Facet struct {
	Name    string
	Field   string
	Size    int
	ByValue bool
}

// Cursor is a place in an order: the sort value of the last hit read (its
// score formatted by FormatScore, its date in RFC 3339, or "" for none)
// and its article id.
type Cursor struct {
	Value string
	ID    string
}

// Result is the answer to a Request.
type Result struct {
	// Total is the number of articles matching the query and filters.
	Total uint64
	// Eligible is, of Total, the number after the request's cursor.
	Eligible uint64
	Hits     []Hit
	Facets   map[string][]FacetValue
}

// Hit is one matching article.
type Hit struct {
	Record corpus.Article
	Score  float64 // 0 when the order is not by relevance
	// Cursor is the hit's place in the order, for a request's After.
	Cursor Cursor
}

// FacetValue is one value of a facet and its number of articles.
type FacetValue struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}
