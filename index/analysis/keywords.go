package analysis

import (
	"fmt"
	"sort"
	"sync"

	"github.com/go-ego/gse"
	"github.com/go-ego/gse/hmm/idf"
)

var (
	extractorOnce sync.Once
	extractor     *idf.TagExtracter
	extractorErr  error
	extractorMu   sync.Mutex // TagExtracter's HMM cut is not known to be safe for concurrent use
)

// Keywords returns the n best keywords of text by gse's own TF-IDF
// extraction (github.com/go-ego/gse/hmm/idf: the process's segmenter with
// its HMM cut, gse's embedded IDF table of about 270,000 words), best
// first. gse sorts words of equal weight in map order; Keywords breaks
// those ties by the word, so that the result is the same on every run.
//
// The first call loads the IDF table (about 1 s); it must not run while
// another gse segmenter is being created (gse's HMM model is global).
func Keywords(text string, n int) ([]string, error) {
	extractorOnce.Do(func() {
		seg, err := segmenter()
		if err != nil {
			extractorErr = err
			return
		}
		te := &idf.TagExtracter{}
		te.WithGse(*seg)
		if err := te.LoadIdfStr(gse.ZhIdf); err != nil {
			extractorErr = fmt.Errorf("analysis: load gse IDF table: %w", err)
			return
		}
		extractor = te
	})
	if extractorErr != nil {
		return nil, extractorErr
	}
	extractorMu.Lock()
	tags := extractor.ExtractTags(text, 1<<30)
	extractorMu.Unlock()
	sort.SliceStable(tags, func(i, j int) bool {
		if tags[i].Weight != tags[j].Weight {
			return tags[i].Weight > tags[j].Weight
		}
		return tags[i].Text < tags[j].Text
	})
	out := make([]string, 0, n)
	for _, t := range tags {
		if len(out) == n {
			break
		}
		out = append(out, t.Text)
	}
	return out, nil
}
