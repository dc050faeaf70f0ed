package engine

import "time"

// Query is a node of an engine-neutral query: All, Text, Near, Term,
// DateRange, And or Or.
type Query interface{ isQuery() }

// All matches every article.
type All struct{}

// Scope selects the text an article is searched in.
type Scope int

// Scopes of a Text query.
const (
	ScopeAll  Scope = iota // head (kicker, title, subtitle) and body
	ScopeHead              // the head only
)

// Text matches the articles whose text holds Text. Exact (a quoted
// string) matches exactly the articles that contain it, character for
// character after folding (corpus/textnorm), with runs cut at characters
// that are not searchable (punctuation, spaces) all required; otherwise
// the same articles match, ranked by the words they share with Text (and
// above them those holding it exactly).
type Text struct {
	Text  string
	Scope Scope
	Exact bool
}

// Near matches the articles with an occurrence of every one of Terms
// (each a run of searchable characters, folded like quoted text) close
// together in one text: the head (kicker, title and subtitle joined by
// newlines; ScopeHead: the head only) or the body (paragraphs joined by
// newlines). Close means that the span from the first character of the
// first occurrence to the last character of the last, less the characters
// of the terms themselves, is at most Within characters of the folded
// text (punctuation, spaces and newlines count): for two terms, at most
// Within characters lie between them. Order does not matter; occurrences
// may overlap. It is exact like a quoted Text.
type Near struct {
	Terms  []string
	Within int
	Scope  Scope
}

// Term matches the articles whose keyword field Field has Value.
type Term struct {
	Field, Value string
}

// DateRange matches the articles dated in [From, To); a zero time is an
// open end.
type DateRange struct {
	From, To time.Time
}

// And matches the articles that match every query of Must (every article
// when Must is empty) and none of Not.
type And struct {
	Must, Not []Query
}

// Or matches the articles that match any of its queries.
type Or struct {
	Any []Query
}

func (All) isQuery()       {}
func (Text) isQuery()      {}
func (Near) isQuery()      {}
func (Term) isQuery()      {}
func (DateRange) isQuery() {}
func (And) isQuery()       {}
func (Or) isQuery()        {}
