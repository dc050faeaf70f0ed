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
