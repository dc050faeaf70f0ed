package opensearch

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"newsarchive/corpus"
)

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
