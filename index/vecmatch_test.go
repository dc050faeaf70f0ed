package index

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/blevesearch/bleve/v2/search/query"

	"newsarchive/engine"
	"newsarchive/index/analysis"
)

// matchAll runs Match and returns every document's score.
func matchAll(t *testing.T, idx *Index, q query.Query, score bool) map[uint32]float64 {
	t.Helper()
	var mu sync.Mutex
	got := map[uint32]float64{}
	last := map[int]int64{}
	err := idx.Match(context.Background(), q, score, func(part int, d uint32, s float64) {
		mu.Lock()
		defer mu.Unlock()
		if l, ok := last[part]; ok && int64(d) <= l {
			t.Errorf("part %d: document %d after %d", part, d, l)
		}
		last[part] = int64(d)
		got[d] = s
	})
	if err != nil {
		t.Fatalf("Match(%v): %v", q, err)
	}
	return got
}

// TestVectorMatchesSearchers checks the node-at-a-time evaluation against
// Bleve's searchers, a document at a time, on the query shapes the search
// package sends (bare terms or'ed with an author, quoted strings, titles,
// proximity, negation, keyword terms, several terms), for random strings
// of the articles: the same documents, the same scores, in one part and
// in three, scored and unscored.
func TestVectorMatchesSearchers(t *testing.T) {
	checkVectorMatchesSearchers(t, columnsIndex(t))
}

// TestVectorMatchesSearchersOverSegments is the same check on an index of
// many small segments (Options.SegmentDocs), whose postings the node
// evaluator reads a segment at a time.
func TestVectorMatchesSearchersOverSegments(t *testing.T) {
	checkVectorMatchesSearchers(t, segmentedIndex(t, 64))
}

func checkVectorMatchesSearchers(t *testing.T, idx *Index) {
	cols := idx.Columns()
	rng := rand.New(rand.NewPCG(20261203, 7))
	var texts []string
	for d := uint32(0); d < cols.Docs && len(texts) < 400; d += 3 {
		if !cols.Live(d) {
			continue
		}
		a, err := idx.RecordAt(d)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, a.Title, a.Body)
	}
	draw := func() string {
		for {
			s := randomRun(rng, texts[rng.IntN(len(texts))], 1+rng.IntN(6))
			if s != "" {
				return s
			}
		}
	}
	word := func() string {
		for {
			ws := analysis.Words(texts[rng.IntN(len(texts))])
			if len(ws) > 0 {
				if w := ws[rng.IntN(len(ws))]; len([]rune(w)) > 1 {
					return w
				}
			}
		}
	}
	bare := func(s string) engine.Query {
		return engine.Or{Any: []engine.Query{engine.Text{Text: s}, engine.Term{Field: engine.FieldAuthors, Value: s}}}
	}
	shapes := []func() engine.Query{
		func() engine.Query { return engine.And{Must: []engine.Query{bare(draw())}} },
		func() engine.Query { return engine.And{Must: []engine.Query{bare(word())}} },
		func() engine.Query { return engine.And{Must: []engine.Query{bare(word()), bare(word())}} },
		func() engine.Query {
			return engine.And{Must: []engine.Query{bare(word() + " " + word() + " " + word())}}
		},
		func() engine.Query { return engine.And{Must: []engine.Query{engine.Text{Text: draw(), Exact: true}}} },
		func() engine.Query {
			return engine.And{Must: []engine.Query{engine.Text{Text: word() + word(), Exact: true}}}
		},
		func() engine.Query {
			return engine.And{Must: []engine.Query{engine.Text{Text: draw(), Scope: engine.ScopeHead}}}
		},
		func() engine.Query {
			return engine.And{Must: []engine.Query{bare(word())}, Not: []engine.Query{engine.Text{Text: draw(), Exact: true}}}
		},
		func() engine.Query {
			return engine.And{Must: []engine.Query{bare(draw()), engine.Term{Field: engine.FieldCounties, Value: "梨树县"}}}
		},
		func() engine.Query {
			return engine.Or{Any: []engine.Query{engine.Text{Text: word()}, engine.Text{Text: draw(), Exact: true}}}
		},
		func() engine.Query { return engine.Near{Terms: []string{word(), word()}, Within: 20} },
		func() engine.Query { return engine.Text{Text: word()} },
	}
	queries, vectorized := 0, 0
	for n := 0; n < 240; n++ {
		eq := shapes[n%len(shapes)]()
		q, err := compile(eq)
		if err != nil {
			t.Fatalf("compile %v: %v", eq, err)
		}
		if vectorizable(q) {
			vectorized++
		}
		queries++
		for _, score := range []bool{true, false} {
			// The reference is one searcher over all documents.
			idx.MatchParts, idx.SearcherMatch = 1, true
			want := matchAll(t, idx, q, score)
			idx.SearcherMatch = false
			unkept := map[int]map[uint32]float64{} // by parts
			for _, run := range []struct{ parts, kept int }{{1, -1}, {3, -1}, {1, 1}, {3, 1}} {
				// kept 1: every word's postings decoded and kept
				// (wordcache.go) on first use, and used after.
				idx.MatchParts, idx.keptWordMin = run.parts, run.kept
				got := matchAll(t, idx, q, score)
				name := fmt.Sprintf("%+v (scored %v, %d parts, kept words %v)", eq, score, run.parts, run.kept > 0)
				if run.kept < 0 {
					unkept[run.parts] = got
				} else if !maps.Equal(got, unkept[run.parts]) {
					// Scored from the kept postings, bit for bit as
					// from the segments' own.
					t.Errorf("%s: the kept postings give other documents or scores than the segments'", name)
				}
				if len(got) != len(want) {
					t.Errorf("%s: %d documents, searchers %d", name, len(got), len(want))
					continue
				}
				for d, s := range want {
					g, ok := got[d]
					if !ok || math.Abs(g-s) > 1e-9*math.Max(1, math.Abs(s)) {
						t.Errorf("%s: document %d scores %v (found %v), searchers %v", name, d, g, ok, s)
						break
					}
				}
			}
		}
	}
	idx.keptWordMin = 0
	if kept := idx.snap.words.lru; kept == nil || kept.Len() == 0 {
		t.Errorf("no word's postings were kept")
	} else {
		t.Logf("%d words' postings kept", kept.Len())
	}
	if vectorized < queries*3/4 {
		t.Errorf("only %d of %d queries took the vector path", vectorized, queries)
	}
	t.Logf("%d queries, %d by the vector path", queries, vectorized)
}
