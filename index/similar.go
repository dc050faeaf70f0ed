package index

import (
	"context"
	"fmt"
	"math"
	"sort"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"newsarchive/corpus"
	"newsarchive/engine"
	wordanalysis "newsarchive/index/analysis"
)

// Limits of a more-like-this search.
const (
	similarTerms = 25 // distinctive words taken from the article
	// similarHeadBoost weighs a distinctive word in the head against one
	// in the body (not measured by the ranking evaluation: kept at the
	// head boost search had before it).
	similarHeadBoost = 3.0
)

// similarTextBytes is how much of an article's text (head, then body) its
// distinctive words are taken from: three times a real article (about 5
// KB), so that segmenting it costs a few megabytes whatever the record's
// size (a whole record of corpus.MaxArticleBytes took about 40 MB per
// request).
const similarTextBytes = 16 << 10

// Similar returns up to size articles that share the most distinctive
// words (by tf-idf over the body field) with a, best first, a excluded.
func (x *Index) Similar(ctx context.Context, a *corpus.Article, size int) ([]engine.Hit, error) {
	tf := map[string]int{}
	for _, w := range wordanalysis.Words(similarText(engine.HeadText(a) + "\n" + a.Body)) {
		if distinctive(w) {
			tf[w]++
		}
	}
	terms, err := x.weigh(ctx, tf)
	if err != nil {
		return nil, err
	}
	if len(terms) == 0 {
		return []engine.Hit{}, nil
	}
	var should []query.Query
	for _, t := range terms {
		for _, f := range []struct {
			field string
			boost float64
		}{{FieldHead, similarHeadBoost}, {FieldBody, 1}} {
			q := bleve.NewTermQuery(t.term)
			q.SetField(f.field)
			q.SetBoost(f.boost * t.weight)
			should = append(should, q)
		}
	}
	b := bleve.NewBooleanQuery()
	d := bleve.NewDisjunctionQuery(should...)
	d.SetMin(float64(min(2, len(terms))))
	b.AddMust(d)
	b.AddMustNot(bleve.NewDocIDQuery([]string{a.ID}))
	req := bleve.NewSearchRequestOptions(b, size, 0, false)
	req.Fields = []string{FieldRecord}
	res, err := x.searchBleve(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("similar to %s: %w", a.ID, err)
	}
	hits := make([]engine.Hit, 0, len(res.Hits))
	for _, h := range res.Hits {
		rec, err := DecodeRecord(h.Fields)
		if err != nil {
			return nil, fmt.Errorf("hit %s: %w", h.ID, err)
		}
		hits = append(hits, engine.Hit{Record: rec, Score: h.Score, Cursor: engine.Cursor{Value: engine.FormatScore(h.Score), ID: rec.ID}})
	}
	return hits, nil
}

// similarText is the start of text, at most similarTextBytes, cut at a
// character boundary.
func similarText(text string) string {
	if len(text) <= similarTextBytes {
		return text
	}
	cut := similarTextBytes
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return text[:cut]
}

// distinctive reports whether a word may characterize an article: two
// characters or more, with a letter in it (not a number).
func distinctive(w string) bool {
	if utf8.RuneCountInString(w) < 2 {
		return false
	}
	for _, r := range w {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

type weightedTerm struct {
	term   string
	weight float64
}

// weigh scores words by tf-idf over the body field and keeps the best
// similarTerms, with weights normalized so the best is 1.
func (x *Index) weigh(ctx context.Context, tf map[string]int) ([]weightedTerm, error) {
	adv, err := x.bleve.Advanced()
	if err != nil {
		return nil, fmt.Errorf("similar: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("similar: %w", err)
	}
	defer r.Close()
	n, err := r.DocCount()
	if err != nil {
		return nil, fmt.Errorf("similar: %w", err)
	}
	var out []weightedTerm
	for term, count := range tf {
		tfr, err := r.TermFieldReader(ctx, []byte(term), FieldBody, false, false, false)
		if err != nil {
			return nil, fmt.Errorf("similar: %w", err)
		}
		df := tfr.Count()
		tfr.Close()
		if df <= 1 || n >= 50 && float64(df) > float64(n)/5 { // unique to the article, or too common to tell
			continue
		}
		idf := math.Log(float64(n) / float64(df))
		out = append(out, weightedTerm{term, (1 + math.Log(float64(count))) * idf})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].weight != out[j].weight {
			return out[i].weight > out[j].weight
		}
		return out[i].term < out[j].term
	})
	if len(out) > similarTerms {
		out = out[:similarTerms]
	}
	if len(out) > 0 {
		top := out[0].weight
		for i := range out {
			out[i].weight /= top
		}
	}
	return out, nil
}
