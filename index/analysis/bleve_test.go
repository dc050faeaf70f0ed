package analysis

import (
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"newsarchive/corpus/corpustest"
	"newsarchive/corpus/textnorm"
)

// pageRecords splits the real page into paragraphs, joining a paragraph
// that the column layout cut in the middle of a sentence (no final
// punctuation, next paragraph not a heading) with the next, as the parser
// is expected to do. The page cuts "捐款10万" / "余元" that way.
func pageRecords(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(corpustest.RealPage(t))
	if err != nil {
		t.Fatal(err)
	}
	var paras []string
	for _, p := range strings.Split(string(b), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			paras = append(paras, p)
		}
	}
	var recs []string
	for i := 0; i < len(paras); i++ {
		p := paras[i]
		for !strings.HasPrefix(p, "#") && i+1 < len(paras) && !strings.HasPrefix(paras[i+1], "#") &&
			!strings.ContainsAny(p[len(p)-3:], "。！？”") {
			i++
			p += paras[i]
		}
		recs = append(recs, p)
	}
	return recs
}

func newTestIndex(t *testing.T, recs []string) bleve.Index {
	t.Helper()
	doc := bleve.NewDocumentMapping()
	w := bleve.NewTextFieldMapping()
	w.Analyzer = WordAnalyzer
	w.IncludeTermVectors = true
	doc.AddFieldMappingsAt("body_w", w)
	b := bleve.NewTextFieldMapping()
	b.Analyzer = BigramAnalyzer
	b.Store = false
	b.IncludeTermVectors = true
	doc.AddFieldMappingsAt("body_b", b)
	u := bleve.NewTextFieldMapping()
	u.Analyzer = UnigramAnalyzer
	u.Store = false
	u.IncludeTermVectors = false
	doc.AddFieldMappingsAt("body_u", u)
	im := bleve.NewIndexMapping()
	im.DefaultMapping = doc
	im.DefaultAnalyzer = WordAnalyzer

	idx, err := bleve.NewMemOnly(im)
	if err != nil {
		t.Fatalf("bleve.NewMemOnly: %v", err)
	}
	t.Cleanup(func() { idx.Close() })
	batch := idx.NewBatch()
	for i, r := range recs {
		if err := batch.Index(fmt.Sprintf("p%03d", i), map[string]any{"body_w": r, "body_b": r, "body_u": r}); err != nil {
			t.Fatalf("batch.Index: %v", err)
		}
	}
	if err := idx.Batch(batch); err != nil {
		t.Fatalf("index batch: %v", err)
	}
	return idx
}

func hitIDs(t *testing.T, idx bleve.Index, q query.Query) []string {
	t.Helper()
	req := bleve.NewSearchRequestOptions(q, 1000, 0, false)
	res, err := idx.Search(req)
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	ids := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	sort.Strings(ids)
	return ids
}

// containing lists the records whose folded text contains folded s.
func containing(recs []string, s string) []string {
	ids := []string{}
	for i, r := range recs {
		if strings.Contains(textnorm.String(r), textnorm.String(s)) {
			ids = append(ids, fmt.Sprintf("p%03d", i))
		}
	}
	return ids
}

func TestBleveIndex(t *testing.T) {
	recs := pageRecords(t)
	idx := newTestIndex(t, recs)

	phrase := func(s string) query.Query {
		q := bleve.NewMatchPhraseQuery(s)
		q.SetField("body_b")
		return q
	}
	for _, s := range []string{"满族", "自治县", "开展", "常态化开展", "10万余元", "家长", "伊通滿族自治縣"} {
		want := containing(recs, s)
		if got := hitIDs(t, idx, phrase(s)); !reflect.DeepEqual(got, want) {
			t.Errorf("phrase %q on body_b: hits %v, want %v", s, got, want)
		} else {
			t.Logf("phrase %q: %d records", s, len(got))
		}
	}
	if len(containing(recs, "10万余元")) == 0 {
		t.Errorf("no record contains 10万余元: the column cut was not joined")
	}

	// The page has "落地落实,不断推进" and "政策落实。不断加强": without the
	// punctuation the string is not there, and a phrase must not match
	// across it. With punctuation in the query, any separator matches
	// (Bleve's phrase leaves the gap position free).
	if got := hitIDs(t, idx, phrase("落实不断")); len(got) != 0 {
		t.Errorf("phrase 落实不断 matched across punctuation: %v", got)
	}
	want := append(containing(recs, "落实,不断"), containing(recs, "落实。不断")...)
	sort.Strings(want)
	if got := hitIDs(t, idx, phrase("落实,不断")); len(want) != 2 || !reflect.DeepEqual(got, want) {
		t.Errorf("phrase 落实,不断: hits %v, want %v", got, want)
	}

	// A query built from QueryBigrams: a phrase of the bigram terms.
	for _, s := range []string{"自治县", "常态化开展"} {
		runs := QueryBigrams(s)
		q := bleve.NewPhraseQuery(runs[0], "body_b")
		if got, want := hitIDs(t, idx, q), containing(recs, s); !reflect.DeepEqual(got, want) {
			t.Errorf("PhraseQuery%q: hits %v, want %v", runs[0], got, want)
		}
	}

	// One character: a term query on the unigram field.
	for _, s := range []string{"县", "縣", "镇"} {
		terms := QueryBigrams(s)
		q := bleve.NewTermQuery(terms[0][0])
		q.SetField("body_u")
		if got, want := hitIDs(t, idx, q), containing(recs, s); len(want) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("term %q on body_u: hits %v, want %v", s, got, want)
		}
	}

	// The word field ranks: a match query on words finds the county.
	mq := bleve.NewMatchQuery("伊通满族自治县")
	mq.SetField("body_w")
	if got := hitIDs(t, idx, mq); len(got) == 0 {
		t.Errorf("match 伊通满族自治县 on body_w: no hits")
	}
}
