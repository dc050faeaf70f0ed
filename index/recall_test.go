package index

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/search/query"

	"newsarchive/corpus"
	"newsarchive/corpus/corpustest"
	"newsarchive/corpus/textnorm"
	"newsarchive/index/analysis"
)

// TestRecallContract is the property test of the promise that a search
// never misses an article containing what was searched for. It indexes the
// real page and every 10th xwlb file, draws thousands of random substrings
// (1 to 8 searchable characters: Chinese, Latin, digits, mixed) from the
// articles' kicker, title, subtitle and body, and compares each search with
// a brute-force scan of the parsed records:
//   - the quoted (exact) query returns exactly the articles containing s;
//   - the unquoted query returns at least those.
func TestRecallContract(t *testing.T) { checkRecall(t, 0) }

// TestRecallContractOverSegments is the same contract on an index merged
// into segments of at most 300 documents (Options.SegmentDocs).
func TestRecallContractOverSegments(t *testing.T) { checkRecall(t, 300) }

func checkRecall(t *testing.T, segmentDocs int) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	linkTestCorpus(t, corpusDir, 10)
	sum, err := Update(context.Background(), Options{Corpus: corpusDir, Dir: indexDir, Rebuild: true, Parser: newParser(t), BatchSize: 50, SegmentDocs: segmentDocs})
	if err != nil {
		t.Fatal(err)
	}
	idx := openIndex(t, indexDir)
	if n := len(idx.snap.stored.segments); segmentDocs > 0 && n < 3 {
		t.Fatalf("%d segments with at most %d documents each", n, segmentDocs)
	}
	waitFoldedText(t, idx)

	// The records, folded, for the brute-force scan.
	type rec struct {
		id     string
		fields []string
	}
	var recs []rec
	files, _ := corpus.FindFiles(corpusDir)
	parser := newParser(t)
	for _, f := range files {
		for _, a := range parser.ParseFile(f).Items {
			recs = append(recs, rec{a.ID, []string{
				textnorm.String(a.Kicker), textnorm.String(a.Title), textnorm.String(a.Subtitle), textnorm.String(a.Body),
			}})
		}
	}
	if len(recs) != sum.Articles || len(recs) < 1000 {
		t.Fatalf("%d records, index has %d", len(recs), sum.Articles)
	}
	scan := func(s string) []string {
		var out []string
		for _, r := range recs {
			for _, f := range r.fields {
				if strings.Contains(f, s) {
					out = append(out, r.id)
					break
				}
			}
		}
		sort.Strings(out)
		return out
	}

	rng := rand.New(rand.NewPCG(20221124, 1))
	const queries = 3000
	kinds := map[string]int{}
	for n := 0; n < queries; n++ {
		r := recs[rng.IntN(len(recs))]
		field := r.fields[rng.IntN(len(r.fields))]
		if n%4 == 0 {
			field = r.fields[3] // bodies hold most of the text
		}
		s := randomRun(rng, field, 1+rng.IntN(8))
		if s == "" {
			n--
			continue
		}
		kinds[kindOf(s)]++
		want := scan(s)
		// Bleve's own search verifies on the stored records, Match on the
		// folded text: both must be exact.
		if got := ids(t, idx.bleve, ExactQuery(s, ScopeAll)); !equal(got, want) {
			t.Errorf("quoted %q: %d hits, brute force %d (%v vs %v)", s, len(got), len(want), head(got), head(want))
		}
		if got := matchIDs(t, idx, ExactQuery(s, ScopeAll)); !equal(got, want) {
			t.Errorf("quoted %q, folded text: %d hits, brute force %d (%v vs %v)", s, len(got), len(want), head(got), head(want))
		}
		if got := ids(t, idx.bleve, TextQuery(s, ScopeAll)); !subset(want, got) {
			t.Errorf("unquoted %q: %d hits, misses some of the %d articles containing it", s, len(got), len(want))
		}
	}
	t.Logf("%d queries over %d articles: %v", queries, len(recs), kinds)
	for _, k := range []string{"han", "mixed", "latin/digits"} {
		if kinds[k] == 0 {
			t.Errorf("no %s substring drawn", k)
		}
	}
}

// linkTestCorpus links the real page and every nth xwlb file into dir and
// returns the xwlb files.
func linkTestCorpus(t *testing.T, dir string, nth int) []corpus.File {
	t.Helper()
	link := func(src, name string) {
		if err := os.Symlink(src, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	link(corpustest.RealPage(t), "realpage.txt")
	xwlb, err := corpus.FindFiles(corpustest.TestData(t, "xwlb"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(xwlb); i += nth {
		link(xwlb[i].Path, filepath.Base(xwlb[i].Path))
	}
	return xwlb
}

// waitFoldedText waits until idx's verifier reads folded text.
func waitFoldedText(t testing.TB, idx *Index) {
	t.Helper()
	if err := idx.WaitFoldedText(context.Background()); err != nil || idx.snap.text.Load() == nil {
		t.Fatalf("folded text not loaded: %v", err)
	}
}

// matchIDs runs q with Match (several parts) and returns the sorted ids.
func matchIDs(t testing.TB, idx *Index, q query.Query) []string {
	t.Helper()
	var mu sync.Mutex
	var out []string
	cols := idx.Columns()
	err := idx.Match(context.Background(), q, false, func(_ int, d uint32, _ float64) {
		mu.Lock()
		defer mu.Unlock()
		out = append(out, cols.ID.Values[cols.ID.First(d)])
	})
	if err != nil {
		t.Fatalf("Match: %v", err)
	}
	sort.Strings(out)
	return out
}

// randomRun returns a random substring of up to n runes of folded text that
// lies within one run of searchable characters, or "" if the draw fell on
// none.
func randomRun(rng *rand.Rand, text string, n int) string {
	runes := []rune(text)
	if len(runes) == 0 {
		return ""
	}
	start := rng.IntN(len(runes))
	if !analysis.Searchable(runes[start]) {
		return ""
	}
	end := start
	for end < len(runes) && end-start < n && analysis.Searchable(runes[end]) {
		end++
	}
	return string(runes[start:end])
}

func kindOf(s string) string {
	han, other := false, false
	for _, r := range s {
		if r >= utf8.RuneSelf {
			han = true
		} else {
			other = true
		}
	}
	switch {
	case han && other:
		return "mixed"
	case han:
		return "han"
	}
	return "latin/digits"
}

func head(s []string) []string {
	if len(s) > 5 {
		return s[:5]
	}
	return s
}
