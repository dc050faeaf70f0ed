package index

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"

	"newsarchive/engine"
)

// Count is a value of a keyword field with its number of articles.
type Count = engine.Count

// Stats describes an index.
type Stats = engine.Stats

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
	if err := ctx.Err(); err != nil {
		return st, fmt.Errorf("stats: %w", err)
	}
	cols := x.Columns()
	counts := func(field string) []Count {
		col := cols.Column(field)
		n := make([]int, len(col.Values))
		for d := range cols.Docs {
			if cols.Live(d) {
				for _, o := range col.Ordinals(d) {
					n[o]++
				}
			}
		}
		out := []Count{}
		for o, c := range n {
			if c > 0 && col.Values[o] != "" {
				out = append(out, Count{Value: col.Values[o], Count: c})
			}
		}
		// Most articles first; values are in byte order already, which a
		// stable sort keeps for ties.
		slices.SortStableFunc(out, func(a, b Count) int { return b.Count - a.Count })
		return out
	}
	st.Counties, st.Topics, st.Papers = counts(FieldCounties), counts(FieldTopics), counts(FieldPaper)
	st.FirstDate, st.LastDate = x.Columns().DateRange()
	return st, nil
}
