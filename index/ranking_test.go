package index

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"

	"newsarchive/engine"
	"newsarchive/index/analysis"
)

// rankingCorpus writes three short pages: 排涝 in a title and in bodies of
// different lengths.
func rankingCorpus(t *testing.T) (corpusDir, indexDir string) {
	corpusDir, indexDir = t.TempDir(), filepath.Join(t.TempDir(), "idx")
	writeFile(t, filepath.Join(corpusDir, "a.txt"), "### 农田排涝推进会\n\n铁东区召开会议。\n")
	writeFile(t, filepath.Join(corpusDir, "b.txt"), "### 秋收\n\n各地抓紧排涝，确保作物正常生长。农机下田，排涝不停。\n")
	writeFile(t, filepath.Join(corpusDir, "c.txt"), "### 新闻\n\n"+strings.Repeat("今天天气晴朗，气温适宜。", 20)+"排涝工作有序。\n")
	return corpusDir, indexDir
}

func TestFieldLengthsAreTokenTotals(t *testing.T) {
	corpusDir, indexDir := rankingCorpus(t)
	update(t, corpusDir, indexDir, false)
	idx := openIndex(t, indexDir)
	an, err := registry.NewCache().AnalyzerNamed(analysis.WordAnalyzer)
	if err != nil {
		t.Fatal(err)
	}
	var head, body int
	for d := uint32(0); d < idx.Columns().Docs; d++ {
		a, err := idx.RecordAt(d)
		if err != nil {
			t.Fatal(err)
		}
		head += len(an.Analyze([]byte(engine.HeadText(&a))))
		body += len(an.Analyze([]byte(a.Body)))
	}
	st := idx.snap.bm25
	if st == nil {
		t.Fatal("no BM25 statistics loaded")
	}
	if st.DocCount != 3 || st.FieldCardinality[FieldHead] != head || st.FieldCardinality[FieldBody] != body {
		t.Errorf("stats: docs %v head %d body %d, want 3, %d, %d", st.DocCount, st.FieldCardinality[FieldHead], st.FieldCardinality[FieldBody], head, body)
	}
	// Bleve's own search gets the same statistics: its BM25 explanation
	// shows the true average body length, where Bleve alone would divide
	// the number of distinct terms by the documents.
	mq := bleve.NewMatchQuery("排涝")
	mq.SetField(FieldBody)
	mq.Analyzer = analysis.WordAnalyzer
	req := bleve.NewSearchRequestOptions(mq, 10, 0, true)
	res, err := idx.searchBleve(context.Background(), req)
	if err != nil || len(res.Hits) != 2 {
		t.Fatalf("search: %v %v", res, err)
	}
	js, err := json.Marshal(res.Hits[0].Expl)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("field=body), b=%f", CurrentRanking().B)
	avg := fmt.Sprintf("avgFieldLength=%f", math.Ceil(float64(body)/3))
	if !strings.Contains(string(js), want) || !strings.Contains(string(js), avg) {
		t.Errorf("explanation lacks %q and %q: %s", want, avg, js)
	}
}

func TestSumQueryAddsWithoutCoordination(t *testing.T) {
	corpusDir, indexDir := rankingCorpus(t)
	update(t, corpusDir, indexDir, false)
	idx := openIndex(t, indexDir)
	term := func(field string) query.Query {
		q := bleve.NewTermQuery("排涝")
		q.SetField(field)
		return q
	}
	scores := func(q query.Query) map[string]float64 {
		req := bleve.NewSearchRequestOptions(q, 10, 0, false)
		res, err := idx.searchBleve(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, h := range res.Hits {
			out[h.ID] = h.Score
		}
		return out
	}
	head, body := scores(term(FieldHead)), scores(term(FieldBody))
	sum := scores(&SumQuery{Queries: []query.Query{term(FieldHead), term(FieldBody)}})
	disj := scores(bleve.NewDisjunctionQuery(term(FieldHead), term(FieldBody)))
	if len(sum) != 3 || len(disj) != 3 || len(head) != 1 || len(body) != 2 {
		t.Fatalf("hits: sum %v disjunction %v head %v body %v", sum, disj, head, body)
	}
	for id, s := range sum {
		// Both are scored with the same query norm; the disjunction
		// halves a document that only one clause matched.
		coord := 0.5
		if head[id] > 0 && body[id] > 0 {
			coord = 1
		}
		if math.Abs(s*coord-disj[id]) > 1e-9 {
			t.Errorf("%s: sum %v × %v ≠ disjunction %v", id, s, coord, disj[id])
		}
	}
	// Without scores it finds the same documents.
	got := ids(t, idx.bleve, &SumQuery{Queries: []query.Query{term(FieldHead), term(FieldBody)}})
	if len(got) != 3 {
		t.Errorf("unscored: %v", got)
	}
}

// TestWordTermScoring checks the word path's own BM25 searcher: at
// Bleve's choices (√tf, idf²; IDFPower a hair off 2 so that the archive's
// searcher runs, not Bleve's) it scores as Bleve's term query where a
// field's length is exact at Lucene's precision (under 24 tokens), and
// with RawTF and IDFPower 1 as the formula says, from the postings' own
// frequencies and their lengths at Lucene's precision.
func TestWordTermScoring(t *testing.T) {
	corpusDir, indexDir := rankingCorpus(t)
	update(t, corpusDir, indexDir, false)
	idx := openIndex(t, indexDir)
	an, err := registry.NewCache().AnalyzerNamed(analysis.WordAnalyzer)
	if err != nil {
		t.Fatal(err)
	}
	// exactLength: the article's head and body lengths are read back
	// exactly (so Bleve's scores and the archive's agree).
	exactLength := map[string]bool{}
	for d := uint32(0); d < idx.Columns().Docs; d++ {
		a, err := idx.RecordAt(d)
		if err != nil {
			t.Fatal(err)
		}
		h, b := len(an.Analyze([]byte(engine.HeadText(&a)))), len(an.Analyze([]byte(a.Body)))
		exactLength[a.ID] = lucenePrecision(h) == h && lucenePrecision(b) == b
	}
	compared := 0
	scores := func(q query.Query) map[string]float64 {
		req := bleve.NewSearchRequestOptions(q, 10, 0, false)
		res, err := idx.searchBleve(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, h := range res.Hits {
			out[h.ID] = h.Score
		}
		return out
	}
	bt := bleve.NewTermQuery("排涝")
	bt.SetField(FieldBody)
	bt.SetBoost(0.7)
	want := scores(bt)
	got := scores(&wordTermQuery{Term: "排涝", Field: FieldBody, Boost: 0.7, IDFPower: 2 + 1e-12})
	if len(want) != 2 || len(got) != 2 {
		t.Fatalf("hits: Bleve %v, the archive's %v", want, got)
	}
	for id, w := range want {
		if exactLength[id] {
			compared++
			if math.Abs(got[id]-w) > 1e-6*w { // the norm is a float32
				t.Errorf("%s: the archive's searcher %v, Bleve's %v", id, got[id], w)
			}
		}
	}

	// In a composite, which sets the query norm from the weights.
	bh := bleve.NewTermQuery("排涝")
	bh.SetField(FieldHead)
	want = scores(bleve.NewDisjunctionQuery(bh, bt))
	got = scores(bleve.NewDisjunctionQuery(&wordTermQuery{Term: "排涝", Field: FieldHead, Boost: 1, IDFPower: 2 + 1e-12}, &wordTermQuery{Term: "排涝", Field: FieldBody, Boost: 0.7, IDFPower: 2 + 1e-12}))
	if len(want) != 3 || len(got) != 3 {
		t.Fatalf("disjunction hits: Bleve %v, the archive's %v", want, got)
	}
	for id, w := range want {
		if exactLength[id] {
			compared++
			if math.Abs(got[id]-w) > 1e-6*w { // the norm is a float32
				t.Errorf("disjunction, %s: the archive's searcher %v, Bleve's %v", id, got[id], w)
			}
		}
	}
	if compared < 2 {
		t.Errorf("only %d scores compared with Bleve's", compared)
	}

	// Raw frequencies, idf once: b.txt has 排涝 twice, c.txt once in a
	// long body. A lone term has no query weight (Bleve's too: only a
	// composite sets one).
	st := idx.snap.bm25
	n := float64(st.DocCount)
	avg := math.Ceil(float64(st.FieldCardinality[FieldBody]) / n)
	k1, b := CurrentRanking().K1, CurrentRanking().B
	quantized := 0
	raw := scores(&wordTermQuery{Term: "排涝", Field: FieldBody, Boost: 0.7, RawTF: true, IDFPower: 1})
	if len(raw) != 2 {
		t.Fatalf("raw: %v", raw)
	}
	for d := uint32(0); d < idx.Columns().Docs; d++ {
		a, err := idx.RecordAt(d)
		if err != nil {
			t.Fatal(err)
		}
		toks := an.Analyze([]byte(a.Body))
		tf := 0.0
		for _, tk := range toks {
			if string(tk.Term) == "排涝" {
				tf++
			}
		}
		if tf == 0 {
			continue
		}
		// Bleve stores the norm as a float32 of 1/√length; the searcher
		// reads the length back at Lucene's precision.
		norm := float32(1 / math.Sqrt(float64(len(toks))))
		length := float64(lucenePrecision(int(math.Round(1 / float64(norm*norm)))))
		if len(toks) >= 24 {
			quantized++
		}
		w := tf * k1 / (tf + k1*(1-b+b*length/avg))
		if math.Abs(raw[a.ID]-w) > 1e-6*w {
			t.Errorf("%s (tf %v, length %d): raw-tf score %v, want %v", a.ID, tf, len(toks), raw[a.ID], w)
		}
	}
	if quantized == 0 {
		t.Error("no body of 24 tokens or more holds the word: the length's precision is not tested")
	}
}
