// Package engine is the boundary between the search package and the
// engines that hold the archive: the embedded Bleve index (package index)
// and an OpenSearch cluster (package opensearch). It defines what search
// asks of an engine, in the engine's own terms: an engine-neutral query,
// keyword filters, disjunctive facets, an order with cursors, records by
// id and similar articles. It knows no engine's types.
//
// An engine implements Engine. Every engine gives the same answers to the
// same request: exact totals, exact facet counts, the exact-recall
// contract of quoted text (a quoted string matches exactly the articles
// that contain it, after textnorm folding), the same order for date sorts
// and ties broken by article id. Relevance scores may differ.
package engine

import (
	"context"
	"errors"
	"fmt"

	"newsarchive/corpus"
)

// Engine is a searchable generation of the archive. It is safe for
// concurrent use.
type Engine interface {
	// Search runs a request and returns its total, the facets it asks
	// for and the hits Offset..Offset+Size in its order, with records.
	Search(ctx context.Context, r *Request) (*Result, error)
	// Each calls fn for every hit of r in its order, up to r.Size hits
	// (0: all), with records, reading them a few at a time; r.Offset and
	// r.Facets are ignored. An error from fn stops it and is returned.
	Each(ctx context.Context, r *Request, fn func(Hit) error) error
	// Record returns the record of an article by id: ErrNotFound, or a
	// *MovedError for an id that now belongs to another article.
	Record(ctx context.Context, id string) (corpus.Article, error)
	// Similar returns up to size articles that share the most
	// distinctive words with a, best first, a itself excluded.
	Similar(ctx context.Context, a *corpus.Article, size int) ([]Hit, error)
	// Info describes the generation.
	Info() Info
	// Stats counts the generation: articles, files, size, values of the
	// keyword fields, dates.
	Stats(ctx context.Context) (Stats, error)
}

// Info names a generation and its extent.
type Info struct {
	// Engine is the engine's name: "bleve" or "opensearch".
	Engine string `json:"engine"`
	// Generation is the generation's name (a Bleve generation directory,
	// an OpenSearch index behind the alias).
	Generation string `json:"generation"`
	Articles   uint64 `json:"articles"`
	// FirstDate and LastDate are the dates of the oldest and newest
	// articles (YYYY-MM-DD), "" when no article has a date.
	FirstDate string `json:"first_date"`
	LastDate  string `json:"last_date"`
}

// Count is a value of a keyword field with its number of articles.
type Count struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Stats describes a generation for maintainers (newsarchive stats,
// /metrics).
type Stats struct {
	Generation string  `json:"generation"`
	Articles   uint64  `json:"articles"`
	Files      int     `json:"files"`
	SizeBytes  int64   `json:"size_bytes"`
	Counties   []Count `json:"counties"`
	Topics     []Count `json:"topics"`
	Papers     []Count `json:"papers"`
	FirstDate  string  `json:"first_date"`
	LastDate   string  `json:"last_date"`
}

// Errors an engine returns (wrapped).
var (
	// ErrNotFound: no article has the id.
	ErrNotFound = errors.New("article not found")
	// ErrUnavailable: the generation cannot answer now (closed after a
	// switch, damaged, the cluster unreachable); retry.
	ErrUnavailable = errors.New("index unavailable")
	// ErrBadRequest: the request cannot be run (a cursor from another
	// order, a field the engine does not have).
	ErrBadRequest = errors.New("bad request")
)

// MovedError is returned for an article id that now belongs to another
// article (an id from before a schema change, or of a file that moved):
// a link with ID should redirect to To.
type MovedError struct{ ID, To string }

func (e *MovedError) Error() string { return fmt.Sprintf("article %s is now %s", e.ID, e.To) }
