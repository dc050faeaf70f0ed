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
	// body_x as the index package maps it: no positions, no frequencies.
	x := bleve.NewTextFieldMapping()
	x.Analyzer = BigramAnalyzer
	x.Store = false
	x.IncludeTermVectors = false
	x.SkipFreqNorm = true
	doc.AddFieldMappingsAt("body_x", x)
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
		if err := batch.Index(fmt.Sprintf("p%03d", i), map[string]any{"body_w": r, "body_b": r, "body_x": r}); err != nil {
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

	// With positions (body_b): the run's bigrams at consecutive positions,
	// a PhraseQuery of QueryBigrams, are exact. (MatchPhraseQuery no longer
	// is: the analyzer adds the run's last character at the next position,
	// where the text has it only at the end of a run.)
	phrase := func(s string) query.Query {
		runs := QueryBigrams(s)
		if len(runs) != 1 || len(runs[0]) == 1 && len([]rune(runs[0][0])) == 1 {
			t.Fatalf("phrase %q: want one run of two or more characters, got %q", s, runs)
		}
		return bleve.NewPhraseQuery(runs[0], "body_b")
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
	// punctuation the string is not there, and no bigram spans it.
	if got := hitIDs(t, idx, phrase("落实不断")); len(got) != 0 {
		t.Errorf("phrase 落实不断 matched across punctuation: %v", got)
	}
	if len(containing(recs, "落实,不断")) != 1 || len(containing(recs, "落实。不断")) != 1 {
		t.Errorf("the page should have 落实,不断 and 落实。不断 once each")
	}

	// Without positions (body_x): one character is a prefix of a term,
	// exactly the records that contain it; two characters are one term,
	// exact too; for more, the conjunction of the bigrams is a superset
	// (the index package verifies it against the stored text).
	for _, s := range []string{"县", "縣", "镇", "1", "0"} {
		terms := QueryBigrams(s)
		q := bleve.NewPrefixQuery(terms[0][0])
		q.SetField("body_x")
		if got, want := hitIDs(t, idx, q), containing(recs, s); len(want) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("prefix %q on body_x: hits %v, want %v", s, got, want)
		}
	}
	for _, s := range []string{"满族", "开展", "家长", "10", "县长"} {
		q := bleve.NewTermQuery(QueryBigrams(s)[0][0])
		q.SetField("body_x")
		if got, want := hitIDs(t, idx, q), containing(recs, s); !reflect.DeepEqual(got, want) {
			t.Errorf("term %q on body_x: hits %v, want %v", s, got, want)
		}
	}
	for _, s := range []string{"自治县", "常态化开展", "10万余元"} {
		var conj []query.Query
		for _, term := range QueryBigrams(s)[0] {
			q := bleve.NewTermQuery(term)
			q.SetField("body_x")
			conj = append(conj, q)
		}
		got, want := hitIDs(t, idx, bleve.NewConjunctionQuery(conj...)), containing(recs, s)
		if len(want) == 0 || !subsetOf(want, got) {
			t.Errorf("bigrams of %q on body_x: hits %v, want at least %v", s, got, want)
		}
	}

	// The word field ranks: a match query on words finds the county.
	mq := bleve.NewMatchQuery("伊通满族自治县")
	mq.SetField("body_w")
	if got := hitIDs(t, idx, mq); len(got) == 0 {
		t.Errorf("match 伊通满族自治县 on body_w: no hits")
	}
}

func subsetOf(small, big []string) bool {
	have := map[string]bool{}
	for _, s := range big {
		have[s] = true
	}
	for _, s := range small {
		if !have[s] {
			return false
		}
	}
	return true
}
