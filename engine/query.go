package engine

import "time"

// Query is a node of an engine-neutral query: All, Text, Term, DateRange,
// And or Or.
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
func (Term) isQuery()      {}
func (DateRange) isQuery() {}
func (And) isQuery()       {}
func (Or) isQuery()        {}
