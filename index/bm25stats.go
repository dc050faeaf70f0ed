package index

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/blevesearch/bleve/v2"

	"github.com/blevesearch/bleve/v2/search"
	bleveindex "github.com/blevesearch/bleve_index_api"
)

// keyLengths holds the word fields' token counts (fieldLengths, JSON),
// written with the schema version at the end of every run that writes.
var keyLengths = []byte("newsarchive/field-lengths")

// fieldLengths are the number of documents and the total number of word
// tokens of each word field, for BM25's average field length.
//
// Bleve computes that average as the number of distinct terms of the
// field divided by the number of documents (search/searcher
// bm25ScoreMetrics: for xwlb's body 5 instead of about 270), which makes
// its length normalization divide a long article's term frequency by
// dozens. The archive gives Bleve the true totals instead, through the
// BM25 statistics it accepts in the search context.
type fieldLengths struct {
	Docs   uint64            `json:"docs"`
	Tokens map[string]uint64 `json:"tokens"`
}

// countLengths counts the tokens of the word fields by summing the
// frequencies of every posting of every term.
func countLengths(ctx context.Context, r bleveindex.IndexReader) (fieldLengths, error) {
	n, err := r.DocCount()
	if err != nil {
		return fieldLengths{}, fmt.Errorf("count documents: %w", err)
	}
	out := fieldLengths{Docs: n, Tokens: map[string]uint64{}}
	for _, field := range []string{FieldHead, FieldBody} {
		dict, err := r.FieldDict(field)
		if err != nil {
			return out, fmt.Errorf("field lengths of %s: %w", field, err)
		}
		var total uint64
		var tfd bleveindex.TermFieldDoc
		for {
			entry, err := dict.Next()
			if err != nil {
				dict.Close()
				return out, fmt.Errorf("field lengths of %s: %w", field, err)
			}
			if entry == nil {
				break
			}
			if err := ctx.Err(); err != nil {
				dict.Close()
				return out, err
			}
			tfr, err := r.TermFieldReader(ctx, []byte(entry.Term), field, true, false, false)
			if err != nil {
				dict.Close()
				return out, fmt.Errorf("field lengths of %s: %w", field, err)
			}
			for {
				d, err := tfr.Next(tfd.Reset())
				if err != nil {
					tfr.Close()
					dict.Close()
					return out, fmt.Errorf("field lengths of %s: %w", field, err)
				}
				if d == nil {
					break
				}
				total += d.Freq
			}
			tfr.Close()
		}
		dict.Close()
		out.Tokens[field] = total
	}
	return out, nil
}

// bm25Stats returns the statistics Bleve's BM25 scorer takes from the
// search context: for the word fields the true token totals (so that
// the average field length is right), for every other field what Bleve
// would compute itself (a field missing from the map fails the search).
func bm25Stats(r bleveindex.IndexReader, lengths fieldLengths) (*search.BM25Stats, error) {
	n, err := r.DocCount()
	if err != nil {
		return nil, fmt.Errorf("bm25 statistics: %w", err)
	}
	st := &search.BM25Stats{DocCount: float64(n), FieldCardinality: map[string]int{}}
	br, ok := r.(bleveindex.BM25Reader)
	names := []string{"_all", "*", "_id"}
	for name := range NewMapping().DefaultMapping.Properties {
		names = append(names, name)
	}
	fields, err := r.Fields()
	if err != nil {
		return nil, fmt.Errorf("bm25 statistics: %w", err)
	}
	names = append(names, fields...)
	for _, f := range names {
		c := 0
		if ok {
			if c, err = br.FieldCardinality(f); err != nil {
				c = 0
			}
		}
		st.FieldCardinality[f] = c
	}
	if lengths.Docs > 0 {
		// The average Bleve derives is ceil(total / documents) over the
		// documents of this reader: scale the totals counted when the
		// generation was written to them.
		for f, t := range lengths.Tokens {
			st.FieldCardinality[f] = int(float64(t) * float64(n) / float64(lengths.Docs))
		}
	}
	return st, nil
}

func encodeLengths(l fieldLengths) ([]byte, error) {
	b, err := json.Marshal(l)
	if err != nil {
		return nil, fmt.Errorf("encode field lengths: %w", err)
	}
	return b, nil
}

// loadBM25Stats reads the generation's field lengths; nil without them.
func loadBM25Stats(r bleveindex.IndexReader) (*search.BM25Stats, error) {
	b, err := r.GetInternal(keyLengths)
	if err != nil {
		return nil, fmt.Errorf("read field lengths: %w", err)
	}
	if len(b) == 0 {
		return nil, nil
	}
	var l fieldLengths
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("decode field lengths: %w", err)
	}
	return bm25Stats(r, l)
}

// scoring adds the generation's BM25 statistics to a search context.
func (x *Index) scoring(ctx context.Context) context.Context {
	if x.snap == nil || x.snap.bm25 == nil {
		return ctx
	}
	return context.WithValue(ctx, search.BM25StatsKey, x.snap.bm25)
}

// searchBleve is Bleve's search with the generation's BM25 statistics
// (true average field lengths), so that it scores as Match does.
func (x *Index) searchBleve(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	return x.bleve.SearchInContext(x.scoring(ctx), req)
}
