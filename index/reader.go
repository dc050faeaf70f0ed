package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"

	"newsarchive/corpus"
	"newsarchive/engine"
)

// ErrNotFound is returned for an article id the index does not hold.
var ErrNotFound = engine.ErrNotFound

// ErrSchema is returned by Open for an index written with another
// SchemaVersion: the next "newsarchive index" run rebuilds it.
var ErrSchema = errors.New("index schema differs")

// Index is an open, read-only generation of an index directory.
type Index struct {
	Dir        string // the index directory
	Generation string // the generation's directory

	bleve bleve.Index

	// MatchParts, when above 0, fixes the number of parallel parts of
	// Match (tests); 0 chooses by CPUs and size.
	MatchParts int
	// SearcherMatch makes Match run every query by Bleve's searchers, a
	// document at a time, instead of a node at a time (vecmatch.go): the
	// reference the faster path is tested and measured against. It
	// also makes a search without a query find the documents its one
	// filter keeps by a pass over every document, not from the filter's
	// column.
	SearcherMatch bool
	// ScoreEveryMatch makes a first page in relevance order score every
	// match, not only those whose block's bound reaches the page
	// (blockmax.go): the reference the pruning is tested against.
	ScoreEveryMatch bool
	blockTuning     blockTuning // tests
	// keptWordMin is the fewest postings a word's decoded postings are
	// kept for (wordcache.go): 0 is wordCacheMin; below 0 none are kept
	// or used (tests).
	keptWordMin int

	snap *snapshot
}

// Open opens the current generation of the index directory dir for
// reading. The folded text of exact-query verification loads in the
// background (see WaitFoldedText).
func Open(dir string) (*Index, error) {
	gen, err := CurrentGeneration(dir)
	if err != nil {
		return nil, err
	}
	return openPath(dir, gen, true)
}

// OpenGeneration opens the generation of dir named name (a directory
// "gen-…", see Generations) for reading, current or not: a server falls
// back to it when the current one is damaged. Like Open, it checks the
// schema version and the files' sizes recorded at commit.
func OpenGeneration(dir, name string) (*Index, error) {
	if filepath.Base(name) != name || !strings.HasPrefix(name, genPrefix) {
		return nil, fmt.Errorf("open index %q: %q is not a generation name", dir, name)
	}
	return openPath(dir, filepath.Join(dir, name), true)
}

// open is Open, with or without the folded text (tests of the verifier's
// other path).
func open(dir string, foldText bool) (*Index, error) {
	gen, err := CurrentGeneration(dir)
	if err != nil {
		return nil, err
	}
	return openPath(dir, gen, foldText)
}

func openPath(dir, gen string, foldText bool) (_ *Index, err error) {
	// A truncated segment faults while Bleve reads its footer.
	defer catchFault(debug.SetPanicOnFault(true), &err)
	if _, err := os.Stat(filepath.Join(gen, completeFile)); err != nil {
		return nil, fmt.Errorf("open index %q: generation is incomplete (a failed or killed run): %w", gen, err)
	}
	start := time.Now()
	if err := checkGeneration(context.Background(), gen, false); err != nil {
		return nil, fmt.Errorf("open index %q: %w", gen, err)
	}
	checked := time.Now()
	idx, err := openGeneration(gen)
	if err != nil {
		return nil, fmt.Errorf("open index %q: %w", gen, err)
	}
	opened := time.Now()
	snap, err := openSnapshot(context.Background(), idx, gen, foldText)
	if err != nil {
		idx.Close()
		return nil, fmt.Errorf("open index %q: %w", gen, err)
	}
	slog.Debug("generation opened", "generation", filepath.Base(gen),
		"sizes checked", checked.Sub(start), "segments opened", opened.Sub(checked),
		"columns loaded", time.Since(opened), "columns from file", snap.columnsFromFile)
	return &Index{Dir: dir, Generation: gen, bleve: idx, snap: snap}, nil
}

// Close closes the generation.
func (x *Index) Close() error {
	if x.snap != nil {
		x.snap.close()
	}
	return x.bleve.Close()
}

// DocCount returns the number of articles of the generation.
func (x *Index) DocCount() (uint64, error) { return x.bleve.DocCount() }

// openGeneration opens a generation read-only and checks that it has this
// program's schema version.
func openGeneration(gen string) (bleve.Index, error) {
	idx, err := bleve.OpenUsing(gen, map[string]interface{}{"read_only": true})
	if err != nil {
		return nil, err
	}
	schema, err := idx.GetInternal(keySchema)
	if err != nil {
		idx.Close()
		return nil, err
	}
	if string(schema) != SchemaVersion {
		idx.Close()
		return nil, fmt.Errorf("%w: it has version %q, this program reads %q; run \"newsarchive index\" on it to rebuild it",
			ErrSchema, schema, SchemaVersion)
	}
	return idx, nil
}

// Name is the generation's name.
func (x *Index) Name() string { return filepath.Base(x.Generation) }

// MovedError is returned by Record for an id the index holds as an alias
// of another article (an id from before a schema change or a move): links
// with it should redirect to To.
type MovedError = engine.MovedError

// Record returns the stored record of an article; for an alias it returns
// a *MovedError naming the article's id now.
func (x *Index) Record(ctx context.Context, id string) (corpus.Article, error) {
	if err := ctx.Err(); err != nil {
		return corpus.Article{}, fmt.Errorf("read article %s: %w", id, err)
	}
	d, ok := x.snap.columns.Doc(id)
	if !ok {
		if to, err := x.aliasOf(ctx, id); err != nil {
			return corpus.Article{}, fmt.Errorf("read article %s: %w", id, err)
		} else if to != "" {
			return corpus.Article{}, &MovedError{ID: id, To: to}
		}
		return corpus.Article{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	a, err := x.RecordAt(d)
	if err != nil {
		return a, fmt.Errorf("read article %s: %w", id, err)
	}
	return a, nil
}

// aliasOf returns the id of the article that has id as an alias, or "".
func (x *Index) aliasOf(ctx context.Context, id string) (string, error) {
	q := bleve.NewTermQuery(id)
	q.SetField(FieldAlias)
	req := bleve.NewSearchRequestOptions(q, 1, 0, false)
	res, err := x.searchBleve(ctx, req)
	if err != nil {
		return "", fmt.Errorf("look up alias: %w", err)
	}
	if len(res.Hits) == 0 {
		return "", nil
	}
	return res.Hits[0].ID, nil
}

// DecodeRecord reads the record stored in a hit's fields (the search must
// ask for FieldRecord).
func DecodeRecord(fields map[string]interface{}) (corpus.Article, error) {
	var a corpus.Article
	s, ok := fields[FieldRecord].(string)
	if !ok {
		return a, errors.New("hit has no stored record")
	}
	return decodeRecord([]byte(s))
}

// decodeRecord decodes a stored record as Bleve returns it.
func decodeRecord(stored []byte) (corpus.Article, error) {
	raw, err := recordJSON(nil, stored)
	if err != nil {
		return corpus.Article{}, err
	}
	return decodeRecordJSON(raw)
}

// decodeRecordJSON decodes a record's JSON.
func decodeRecordJSON(raw []byte) (corpus.Article, error) {
	var a corpus.Article
	if err := json.Unmarshal(raw, &a); err != nil {
		return a, fmt.Errorf("decode stored record: %w", err)
	}
	return a, nil
}

// fileCount returns the number of bulletin files the index holds.
func (x *Index) fileCount() (int, error) {
	b, err := x.bleve.GetInternal(keyFiles)
	if err != nil {
		return 0, err
	}
	var state map[string]fileState
	if err := json.Unmarshal(b, &state); err != nil {
		return 0, err
	}
	return len(state), nil
}
