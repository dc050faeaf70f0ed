// Package opensearch maps the archive onto OpenSearch or Elasticsearch,
// the path past one machine (docs/scaling.md): the index settings and
// mapping for our fields with a Chinese analysis plugin, and a writer of
// the bulk NDJSON that loads the records into it.
//
// The mapping (Mapping) needs two plugins on every node: analysis-ik (the
// IK analyzer, for word-level ranking and highlighting; give it the
// gazetteer's place names as an extension dictionary, as our gse analyzer
// has them) and analysis-icu (NFKC case folding, which turns full-width
// forms half-width and lower-cases, and the Traditional-Simplified
// transform: the normalization of corpus/textnorm). Each text field
// (kicker, title, subtitle, body) has two subfields for the recall
// contract: x, character bigrams with positions, where a quoted string of
// two or more characters is a match_phrase (consecutive bigrams are
// exactly a substring), and x1, single characters without positions, for
// a one-character query (a term query). Facet fields are keywords; date is
// a date and month its YYYY-MM, for the date facet.
package opensearch

import (
	"bufio"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"newsarchive/corpus"
)

// DefaultIndexName is the index the exporter writes to unless told.
const DefaultIndexName = "newsarchive"

//go:embed mapping.json
var mapping []byte

// Mapping returns the body of the request that creates the index
// (PUT /newsarchive): its settings, analyzers and mapping, as JSON.
func Mapping() []byte {
	out := make([]byte, len(mapping))
	copy(out, mapping)
	return out
}

// Document is an article as the engine stores it: the archive's record
// (corpus.Article's JSON fields, in its order) plus month. An empty date
// is left out, since a date field does not take "".
type Document struct {
	ID       string   `json:"id"`
	Source   string   `json:"source"`
	Ordinal  int      `json:"ordinal"`
	Kind     string   `json:"kind"`
	Paper    string   `json:"paper"`
	Date     string   `json:"date,omitempty"`
	Month    string   `json:"month,omitempty"`
	Page     string   `json:"page"`
	Kicker   string   `json:"kicker"`
	Title    string   `json:"title"`
	Subtitle string   `json:"subtitle"`
	Authors  []string `json:"authors"`
	Body     string   `json:"body"`
	Counties []string `json:"counties"`
	County   string   `json:"county"`
	// Places are the record's places (an object per place: code, name,
	// level, prefecture, province, display).
	Places []corpus.Place `json:"places"`
	Topics []string       `json:"topics"`
	Topic  string         `json:"topic"`
}

// NewDocument returns the document of an article.
func NewDocument(a *corpus.Article) Document {
	d := Document{
		ID: a.ID, Source: a.Source, Ordinal: a.Ordinal, Kind: a.Kind, Paper: a.Paper, Date: a.Date, Page: a.Page,
		Kicker: a.Kicker, Title: a.Title, Subtitle: a.Subtitle, Authors: nonNil(a.Authors), Body: a.Body,
		Counties: nonNil(a.Counties), County: a.County, Topics: nonNil(a.Topics), Topic: a.Topic,
		Places: a.Places,
	}
	if d.Places == nil {
		d.Places = []corpus.Place{}
	}
	if len(a.Date) >= len("2006-01") {
		d.Month = a.Date[:len("2006-01")]
	}
	return d
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Action is the action line of a bulk request.
type Action struct {
	Index struct {
		Index string `json:"_index"`
		ID    string `json:"_id"`
	} `json:"index"`
}

// Writer writes articles as bulk NDJSON: for each, an index action line
// ({"index":{"_index":NAME,"_id":ID}}) and the document line. The output
// can be sent to POST /_bulk as it is, or in pieces of an even number of
// lines (a few MB each is what the engines like best).
type Writer struct {
	w     *bufio.Writer
	enc   *json.Encoder
	index string
	n     int
}

// NewWriter returns a Writer to w for the index named index
// (DefaultIndexName when empty). Call Flush at the end.
func NewWriter(w io.Writer, index string) *Writer {
	if index == "" {
		index = DefaultIndexName
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw) // one line per value
	enc.SetEscapeHTML(false)
	return &Writer{w: bw, enc: enc, index: index}
}

// Write writes one article.
func (w *Writer) Write(a *corpus.Article) error {
	if a.ID == "" {
		return errors.New("bulk: article without id")
	}
	var act Action
	act.Index.Index, act.Index.ID = w.index, a.ID
	if err := w.enc.Encode(act); err != nil {
		return fmt.Errorf("bulk: article %s: %w", a.ID, err)
	}
	if err := w.enc.Encode(NewDocument(a)); err != nil {
		return fmt.Errorf("bulk: article %s: %w", a.ID, err)
	}
	w.n++
	return nil
}

// Count is the number of articles written.
func (w *Writer) Count() int { return w.n }

// Flush writes what is buffered.
func (w *Writer) Flush() error { return w.w.Flush() }
