package index

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/blevesearch/bleve/v2"
)

// Count is a value of a keyword field with its number of articles.
type Count struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Stats describes an index.
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

// Stats counts the index's articles, files, size on disk, articles per
// county, topic and paper, and its date range.
func (x *Index) Stats(ctx context.Context) (Stats, error) {
	st := Stats{Generation: x.Name()}
	var err error
	if st.Articles, err = x.DocCount(); err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}
	if st.Files, err = x.fileCount(); err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}
	err = filepath.WalkDir(x.Generation, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			st.SizeBytes += info.Size()
		}
		return err
	})
	if err != nil {
		return st, fmt.Errorf("stats: size on disk: %w", err)
	}
	req := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 0, 0, false)
	for _, f := range []string{FieldCounties, FieldTopics, FieldPaper} {
		req.AddFacet(f, bleve.NewFacetRequest(f, 1000))
	}
	res, err := x.SearchInContext(ctx, req)
	if err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}
	counts := func(f string) []Count {
		out := []Count{}
		if fr, ok := res.Facets[f]; ok && fr.Terms != nil {
			for _, t := range fr.Terms.Terms() {
				if t.Term != "" {
					out = append(out, Count{t.Term, t.Count})
				}
			}
		}
		return out
	}
	st.Counties, st.Topics, st.Papers = counts(FieldCounties), counts(FieldTopics), counts(FieldPaper)
	st.FirstDate, st.LastDate = x.Columns().DateRange()
	return st, nil
}
