package rankeval

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"newsarchive/corpus"
	"newsarchive/engine"
	"newsarchive/index"
	"newsarchive/search"
)

// ArchiveEngine is the archive: the search package over a real index,
// the query typed into its query language.
type ArchiveEngine struct {
	Searcher *search.Searcher
}

// Name is "archive".
func (ArchiveEngine) Name() string { return "archive" }

// Top runs q as a relevance-ordered search for k hits.
func (e ArchiveEngine) Top(ctx context.Context, q string, k int) ([]string, error) {
	res, err := e.Searcher.Search(ctx, search.Request{Query: q, Size: k})
	if err != nil {
		return nil, fmt.Errorf("archive search %q: %w", q, err)
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids, nil
}

// Records returns every record of the archive's index, in id order.
func Records(ctx context.Context, idx *index.Index) ([]corpus.Article, error) {
	var out []corpus.Article
	err := idx.Each(ctx, &engine.Request{}, func(h engine.Hit) error {
		out = append(out, h.Record)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rankeval: read records: %w", err)
	}
	return out, nil
}

// CJKEngine is the baseline: the same records in a Bleve index with the
// default mapping and Bleve's built-in cjk analyzer (bigrams) as default
// analyzer, searched on _all as cmd/bench's baseline is: each unquoted
// term of the query (cut at white space) a match query with operator AND,
// each quoted one a match-phrase query, all of them required; Bleve's
// default scoring.
type CJKEngine struct {
	Index bleve.Index
}

// Name is "cjk".
func (*CJKEngine) Name() string { return "cjk" }

// cjkMapping is the baseline's mapping (cmd/bench's, without its facet
// fields, which ranking does not use).
func cjkMapping() *mapping.IndexMappingImpl {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = cjk.AnalyzerName
	return m
}

func cjkDocument(a *corpus.Article) map[string]any {
	return map[string]any{
		"id": a.ID, "source": a.Source, "ordinal": a.Ordinal, "kind": a.Kind,
		"paper": a.Paper, "date": a.Date, "page": a.Page,
		"kicker": a.Kicker, "title": a.Title, "subtitle": a.Subtitle,
		"authors": a.Authors, "body": a.Body,
		"counties": a.Counties, "county": a.County, "topics": a.Topics, "topic": a.Topic,
	}
}

// OpenCJK opens the baseline index in dir, or builds it there from
// articles when dir holds none; dir "" builds it in memory.
func OpenCJK(dir string, articles []corpus.Article) (*CJKEngine, error) {
	if dir != "" {
		if _, err := os.Stat(dir); err == nil {
			idx, err := bleve.Open(dir)
			if err != nil {
				return nil, fmt.Errorf("rankeval: open cjk index: %w", err)
			}
			n, err := idx.DocCount()
			if err == nil && int(n) == len(articles) {
				return &CJKEngine{Index: idx}, nil
			}
			idx.Close()
			if err := os.RemoveAll(dir); err != nil {
				return nil, fmt.Errorf("rankeval: remove stale cjk index: %w", err)
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("rankeval: cjk index: %w", err)
		}
	}
	var idx bleve.Index
	var err error
	if dir == "" {
		idx, err = bleve.NewMemOnly(cjkMapping())
	} else {
		idx, err = bleve.NewUsing(dir, cjkMapping(), bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, map[string]interface{}{"unsafe_batch": true})
	}
	if err != nil {
		return nil, fmt.Errorf("rankeval: create cjk index: %w", err)
	}
	batch := idx.NewBatch()
	for i := range articles {
		if err := batch.Index(articles[i].ID, cjkDocument(&articles[i])); err != nil {
			idx.Close()
			return nil, fmt.Errorf("rankeval: cjk index %s: %w", articles[i].ID, err)
		}
		if batch.Size() >= 1000 || i == len(articles)-1 {
			if err := idx.Batch(batch); err != nil {
				idx.Close()
				return nil, fmt.Errorf("rankeval: cjk batch: %w", err)
			}
			batch = idx.NewBatch()
		}
	}
	return &CJKEngine{Index: idx}, nil
}

// Top runs q on the baseline.
func (e *CJKEngine) Top(ctx context.Context, q string, k int) ([]string, error) {
	var qs []query.Query
	for _, t := range cjkTerms(q) {
		if t.quoted {
			qs = append(qs, bleve.NewMatchPhraseQuery(t.text))
			continue
		}
		m := bleve.NewMatchQuery(t.text)
		m.SetOperator(query.MatchQueryOperatorAnd)
		qs = append(qs, m)
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("cjk: empty query %q", q)
	}
	req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(qs...), k, 0, false)
	req.SortBy([]string{"-_score", "_id"})
	res, err := e.Index.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("cjk search %q: %w", q, err)
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	return ids, nil
}

type cjkTerm struct {
	text   string
	quoted bool
}

// cjkTerms cuts a query at white space, keeping "quoted strings" (straight
// or curly quotes) whole.
func cjkTerms(q string) []cjkTerm {
	var out []cjkTerm
	rs := []rune(q)
	isQuote := func(r rune) bool { return r == '"' || r == '“' || r == '”' }
	for i := 0; i < len(rs); {
		switch {
		case unicode.IsSpace(rs[i]):
			i++
		case isQuote(rs[i]):
			j := i + 1
			for j < len(rs) && !isQuote(rs[j]) {
				j++
			}
			if t := strings.TrimSpace(string(rs[i+1 : min(j, len(rs))])); t != "" {
				out = append(out, cjkTerm{t, true})
			}
			i = j + 1
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && !isQuote(rs[j]) {
				j++
			}
			out = append(out, cjkTerm{string(rs[i:j]), false})
			i = j
		}
	}
	return out
}
