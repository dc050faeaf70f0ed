package index

import (
	"context"
	"fmt"
	"math"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"newsarchive/index/analysis"
)

// wordTermQuery is one word of the word path, scored by the archive's
// BM25 (Ranking.RawTF, Ranking.IDFPower). With Bleve's choices (√tf, idf
// squared) it is Bleve's term query; otherwise its searcher reads the
// postings' frequencies and norms and scores them itself, with the same
// weight (boost times idf, squared) for the query norm, so that
// composites normalize as Bleve's do.
type wordTermQuery struct {
	Term  string  `json:"term"`
	Field string  `json:"field"`
	Boost float64 `json:"boost"`
	// RawTF and IDFPower are the ranking's, fixed when the query is built.
	RawTF    bool    `json:"raw_tf"`
	IDFPower float64 `json:"idf_power"`
}

// bleveScoring reports whether the query scores as Bleve's term query.
func (q *wordTermQuery) bleveScoring() bool { return !q.RawTF && q.IDFPower == 2 }

// Searcher returns the searcher of the query (Bleve's query.Query).
func (q *wordTermQuery) Searcher(ctx context.Context, i bleveindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	if q.bleveScoring() || options.Score == "none" {
		return searcher.NewTermSearcher(ctx, i, q.Term, q.Field, q.Boost, options)
	}
	sc, ok, err := newWordScorer(ctx, q, i)
	if err != nil {
		return nil, err
	}
	if !ok {
		return searcher.NewTermSearcher(ctx, i, q.Term, q.Field, q.Boost, options)
	}
	reader, err := i.TermFieldReader(ctx, []byte(q.Term), q.Field, true, true, false)
	if err != nil {
		return nil, fmt.Errorf("word %q in %s: %w", q.Term, q.Field, err)
	}
	if err := search.RecordTermSearcher(ctx); err != nil {
		_ = reader.Close()
		return nil, err
	}
	return &wordTermSearcher{reader: reader, wordScorer: sc}, nil
}

// newWordScorer returns the scorer of q's postings; false when the field
// has no lengths (Bleve's term searcher scores it then).
func newWordScorer(ctx context.Context, q *wordTermQuery, i bleveindex.IndexReader) (wordScorer, bool, error) {
	docs, avgLen, err := bm25Metrics(ctx, q.Field, i)
	if err != nil {
		return wordScorer{}, false, fmt.Errorf("word %q in %s: %w", q.Term, q.Field, err)
	}
	if avgLen == 0 {
		return wordScorer{}, false, nil
	}
	df, err := docFrequency(ctx, i, q.Term, q.Field)
	if err != nil {
		return wordScorer{}, false, fmt.Errorf("word %q in %s: %w", q.Term, q.Field, err)
	}
	idf := math.Log(1 + (float64(docs)-float64(df)+0.5)/(float64(df)+0.5))
	return wordScorer{
		boost: q.Boost, idf: idf, avgLen: avgLen,
		idfRest: math.Pow(idf, q.IDFPower-1), rawTF: q.RawTF,
		k1: search.BM25_k1, b: search.BM25_b,
		weight: 1, // as Bleve's scorer, until a composite sets a norm
		terms:  new([lengthCodes]float64),
	}, true, nil
}

// docFrequency is the number of live documents with term in field.
func docFrequency(ctx context.Context, i bleveindex.IndexReader, term, field string) (uint64, error) {
	r, err := i.TermFieldReader(ctx, []byte(term), field, false, false, false)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	return r.Count(), nil
}

// bm25Metrics are the number of documents and the average length of
// field as Bleve's term searcher computes them (searcher.bm25ScoreMetrics):
// from the statistics in the context (the true token totals the archive
// hands it) or else the reader's, rounded up.
func bm25Metrics(ctx context.Context, field string, i bleveindex.IndexReader) (uint64, float64, error) {
	var docs uint64
	var card int
	if st, ok := ctx.Value(search.BM25StatsKey).(*search.BM25Stats); ok {
		docs = uint64(st.DocCount)
		c, ok := st.FieldCardinality[field]
		if !ok {
			return 0, 0, fmt.Errorf("no BM25 statistics for field %s", field)
		}
		card = c
	} else {
		n, err := i.DocCount()
		if err != nil {
			return 0, 0, err
		}
		docs = n
		if r, ok := i.(bleveindex.BM25Reader); ok {
			if card, err = r.FieldCardinality(field); err != nil {
				return 0, 0, err
			}
		}
	}
	if docs == 0 {
		return 0, 0, nil
	}
	return docs, math.Ceil(float64(card) / float64(docs)), nil
}

// wordScorer scores a word's postings by the archive's BM25: the query
// weight (boost, idf, query norm) times idf^(IDFPower-1) times
// tf·k1 / (tf + k1·(1 − b + b·length/average)), tf the frequency or its
// square root.
type wordScorer struct {
	boost, idf      float64
	idfRest, avgLen float64
	k1, b           float64
	rawTF           bool
	weight          float64 // boost · idf · query norm, once set
	// terms are lengthTerm's values by luceneCode, 0 until computed.
	terms *[lengthCodes]float64
}

// score is the score of a posting of frequency freq and norm norm.
func (s *wordScorer) score(freq uint64, norm float64) float64 {
	return s.scoreCode(freq, luceneCode(normLength(norm)))
}

// scoreCode is the score of a posting of frequency freq in a field whose
// length has luceneCode code.
func (s *wordScorer) scoreCode(freq uint64, code int) float64 {
	tf := float64(freq)
	if !s.rawTF {
		tf = math.Sqrt(tf)
	}
	return s.weight * s.idfRest * tf * s.k1 / (tf + s.lengthTerm(code))
}

// lengthTerm is k1·(1 − b + b·length/average) for a field length of
// luceneCode code, computed once per code.
func (s *wordScorer) lengthTerm(code int) float64 {
	k := &s.terms[code]
	if *k == 0 {
		*k = s.k1 * (1 - s.b + s.b*float64(codeLength(code))/s.avgLen)
	}
	return *k
}

// saturation is the part of a posting's score that depends on the
// posting: score is weight · idfRest · saturation, but for rounding.
func (s *wordScorer) saturation(freq uint64, norm float64) float64 {
	tf, length := s.tfLength(freq, norm)
	return tf * s.k1 / (tf + s.k1*(1-s.b+s.b*length/s.avgLen))
}

// tfLength are the term frequency and the field length a posting is
// scored by.
func (s *wordScorer) tfLength(freq uint64, norm float64) (tf, length float64) {
	tf = float64(freq)
	if !s.rawTF {
		tf = math.Sqrt(tf)
	}
	// The norm is 1/√length as a float32; Lucene keeps four significant
	// bits of it, and a cluster's similarity sees no more.
	return tf, float64(lucenePrecision(normLength(norm)))
}

// setQueryNorm sets the query norm.
func (s *wordScorer) setQueryNorm(n float64) { s.weight = s.boost * s.idf * n }

// wordTermSearcher is wordTermQuery's searcher: a word's postings scored
// by its wordScorer.
type wordTermSearcher struct {
	wordScorer
	reader bleveindex.TermFieldReader
	tfd    bleveindex.TermFieldDoc
}

func (s *wordTermSearcher) match(ctx *search.SearchContext, d *bleveindex.TermFieldDoc) *search.DocumentMatch {
	if d == nil {
		return nil
	}
	m := ctx.DocumentMatchPool.Get()
	m.Score = s.score(d.Freq, d.Norm)
	m.IndexInternalID = bleveindex.NewIndexInternalIDFrom(m.IndexInternalID, d.ID)
	return m
}

// Next returns the next posting's match.
func (s *wordTermSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	d, err := s.reader.Next(s.tfd.Reset())
	if err != nil {
		return nil, err
	}
	return s.match(ctx, d), nil
}

// Advance returns the match of the first posting at or after id.
func (s *wordTermSearcher) Advance(ctx *search.SearchContext, id bleveindex.IndexInternalID) (*search.DocumentMatch, error) {
	d, err := s.reader.Advance(id, s.tfd.Reset())
	if err != nil {
		return nil, err
	}
	return s.match(ctx, d), nil
}

// Weight is Bleve's term weight, (boost · idf)², for the query norm.
func (s *wordTermSearcher) Weight() float64 { w := s.boost * s.idf; return w * w }

// SetQueryNorm sets the query norm.
func (s *wordTermSearcher) SetQueryNorm(n float64) { s.setQueryNorm(n) }

// Count is the word's document frequency.
func (s *wordTermSearcher) Count() uint64 { return s.reader.Count() }

// Min is 0: a term searcher has no minimum.
func (s *wordTermSearcher) Min() int { return 0 }

// Size is the searcher's approximate size in bytes.
func (s *wordTermSearcher) Size() int { return 128 + s.reader.Size() + s.tfd.Size() }

// DocumentMatchPoolSize is 1: one match at a time.
func (s *wordTermSearcher) DocumentMatchPoolSize() int { return 1 }

// Close closes the postings reader.
func (s *wordTermSearcher) Close() error { return s.reader.Close() }

// wordMatch is Bleve's match query of s on field with the word analyzer
// (every word for AND, any of them for OR), each word a wordTermQuery of
// the current ranking.
func wordMatch(s, field string, boost float64, any bool) query.Query {
	r := CurrentRanking()
	words := analysis.Words(s)
	if len(words) == 0 {
		return query.NewMatchNoneQuery()
	}
	qs := make([]query.Query, len(words))
	for k, w := range words {
		qs[k] = &wordTermQuery{Term: w, Field: field, Boost: boost, RawTF: r.RawTF, IDFPower: r.IDFPower}
	}
	if any {
		d := query.NewDisjunctionQuery(qs)
		d.SetMin(1)
		return d
	}
	return query.NewConjunctionQuery(qs)
}
