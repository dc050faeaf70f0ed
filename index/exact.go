package index

import (
	"bytes"
	"context"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/searcher"
	bleveindex "github.com/blevesearch/bleve_index_api"

	"newsarchive/corpus/textnorm"
)

// ExactPhraseQuery is the Bleve query of ExactQuery: the articles whose
// folded head or body (head only for ScopeHead) contains every run.
//
// The exact-recall fields hold, per run of searchable characters, its
// overlapping bigrams and its last character alone, without positions or
// frequencies. So a run of one character is a prefix lookup and a run of
// two a term lookup, both exact by construction; a longer run looks up the
// articles holding all its bigrams, a superset, and keeps those whose
// stored text really contains the run. Bleve counts what the searcher
// returns, so totals and facets are exact.
type ExactPhraseQuery struct {
	// Runs are the query's runs of searchable characters, folded.
	Runs  []string `json:"runs"`
	Scope Scope    `json:"scope"`
	// HeadBoost weighs a run found in the head against one in the body
	// (Ranking.HeadBoost); Weight scales the whole score (0: the query
	// finds without scoring).
	HeadBoost float64 `json:"head_boost"`
	Weight    float64 `json:"weight"`
	// ByLength weighs each run by its number of bigrams
	// (Ranking.ExactByLength).
	ByLength bool `json:"by_length"`

	// unverified skips the verification: the candidates (benchmarks).
	unverified bool
}

// Searcher returns the searcher of the query (Bleve's query.Query).
func (q *ExactPhraseQuery) Searcher(ctx context.Context, i bleveindex.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	fields := q.fields()
	var runs []search.Searcher
	fail := func(err error, more ...search.Searcher) (search.Searcher, error) {
		closeAll(append(runs, more...))
		return nil, err
	}
	// The candidates are looked up without scores (the fields have no
	// frequencies anyway), which lets Bleve OR and AND the postings as
	// bitmaps: a one-character prefix expands to hundreds of terms.
	candOpts := options
	candOpts.Score, candOpts.Explain, candOpts.IncludeTermVectors = "none", false, false
	verify := false
	for _, run := range q.Runs {
		if utf8.RuneCountInString(run) > 2 {
			verify = true
		}
		var alts []search.Searcher
		for _, f := range fields {
			s, err := runCandidates(ctx, i, run, f.name, candOpts)
			if err != nil {
				return fail(err, alts...)
			}
			// The fields have no frequencies: a match scores the field's
			// boost (the verifier refines it when it reads the text).
			boost := f.boost * q.runWeight(run)
			alts = append(alts, searcher.NewFilteringSearcher(ctx, s, func(_ *search.SearchContext, d *search.DocumentMatch) bool {
				d.Score = boost
				return true
			}))
		}
		if len(alts) == 1 {
			runs = append(runs, alts[0])
			continue
		}
		s, err := searcher.NewDisjunctionSearcher(ctx, i, alts, 0, options)
		if err != nil {
			return fail(err, alts...)
		}
		runs = append(runs, s)
	}
	if len(runs) == 0 {
		return searcher.NewMatchNoneSearcher(i)
	}
	s := runs[0]
	if len(runs) > 1 {
		c, err := searcher.NewConjunctionSearcher(ctx, i, runs, options)
		if err != nil {
			return fail(err)
		}
		s = c
	}
	if !verify || q.unverified {
		return s, nil
	}
	v := newVerifier(i, q, options.Score != "none")
	if t, ok := ctx.Value(textKey{}).(*foldedText); ok {
		v.text = t
		for i := range v.runs {
			v.runs[i].rare = t.rarest(v.runs[i].wide)
		}
	}
	return searcher.NewFilteringSearcher(ctx, s, v.accept), nil
}

// exactField is an exact-recall field a query looks in, with the boost
// of a run found there.
type exactField struct {
	name  string
	boost float64
}

// fields are the fields of the query's scope.
func (q *ExactPhraseQuery) fields() []exactField {
	fields := []exactField{{FieldHeadBigram, q.HeadBoost * q.Weight}}
	if q.Scope != ScopeHead {
		fields = append(fields, exactField{FieldBodyBigram, q.Weight})
	}
	return fields
}

// runWeight is a run's share of the query's score.
func (q *ExactPhraseQuery) runWeight(run string) float64 {
	if q.ByLength {
		return max(1, float64(utf8.RuneCountInString(run)-1))
	}
	return 1
}

// runCandidates returns the searcher of the articles whose field may hold
// run: exactly those for one or two characters, a superset for more.
func runCandidates(ctx context.Context, i bleveindex.IndexReader, run, field string, options search.SearcherOptions) (search.Searcher, error) {
	runes := []rune(run)
	switch len(runes) {
	case 1:
		if c, ok := ctx.Value(prefixKey{}).(*prefixCache); ok {
			if s := c.searcher(ctx, i, field, run); s != nil {
				return s, nil
			}
		}
		return searcher.NewTermPrefixSearcher(ctx, i, run, field, 1, options)
	case 2:
		return searcher.NewTermSearcher(ctx, i, run, field, 1, options)
	}
	seen := map[string]bool{}
	var terms []search.Searcher
	for k := 0; k+1 < len(runes); k++ {
		bg := string(runes[k : k+2])
		if seen[bg] {
			continue
		}
		seen[bg] = true
		s, err := searcher.NewTermSearcher(ctx, i, bg, field, 1, options)
		if err != nil {
			closeAll(terms)
			return nil, err
		}
		terms = append(terms, s)
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return searcher.NewConjunctionSearcher(ctx, i, terms, options)
}

func closeAll(ss []search.Searcher) {
	for _, s := range ss {
		if s != nil {
			s.Close()
		}
	}
}

// verifier checks candidates against their stored record. One verifier
// serves one searcher, which Bleve drives from one goroutine.
type verifier struct {
	reader bleveindex.IndexReader
	text   *foldedText   // the generation's folded text; nil: read the stored records
	stored *storedReader // nil when the reader is not a scorch snapshot
	raw    []byte        // the candidate's stored record
	runs   []verifyRun
	scope  Scope
	score  bool
	// headBoost, weight and byLength are the query's (ExactPhraseQuery).
	headBoost, weight float64
	byLength          bool
	// The candidate's kicker, title, subtitle and body.
	head   [3]jsonText
	body   jsonText
	folded []byte
}

type verifyRun struct {
	text []byte
	// wide is text in the folded text's encoding (appendWide).
	wide []byte
	// long runs (three characters or more) must be verified; shorter ones
	// are exact in the index and only counted for the score.
	long bool
	// weight is the run's share of the score: 1, or its number of
	// bigrams when the query weighs runs by length.
	weight float64
	// invariant runs fold to themselves: found in the unfolded text, they
	// are found in the folded text too.
	invariant bool
	// ascii runs have an ASCII character, which could match inside a JSON
	// escape sequence (\n, \u003c): they are searched in decoded text.
	ascii bool
	// rare is the index in wide of the run's rarest byte in the folded
	// text, which the substring search looks for first.
	rare int
}

func newVerifier(r bleveindex.IndexReader, q *ExactPhraseQuery, score bool) *verifier {
	v := &verifier{reader: r, stored: newStoredReader(r), scope: q.Scope, score: score, headBoost: q.HeadBoost, weight: q.Weight, byLength: q.ByLength}
	for _, run := range q.Runs {
		ascii := false
		for i := 0; i < len(run); i++ {
			ascii = ascii || run[i] < utf8.RuneSelf
		}
		v.runs = append(v.runs, verifyRun{
			weight:    q.runWeight(run),
			text:      []byte(run),
			wide:      appendWide(nil, []byte(run)),
			long:      utf8.RuneCountInString(run) > 2,
			invariant: textnorm.String(run) == run,
			ascii:     ascii,
		})
	}
	return v
}

// accept keeps a candidate whose text contains every long run, and scores
// it by the occurrences of the runs in the head (boosted) and the body.
// A candidate whose record cannot be read is kept: a search may return an
// article too many, never miss one.
func (v *verifier) accept(_ *search.SearchContext, d *search.DocumentMatch) bool {
	if v.text != nil {
		return v.acceptFolded(d)
	}
	if !v.load(d.IndexInternalID) {
		return true
	}
	score := 0.0
	for _, run := range v.runs {
		h := v.count(run, &v.head[0]) + v.count(run, &v.head[1]) + v.count(run, &v.head[2])
		b := 0
		if v.scope != ScopeHead {
			b = v.count(run, &v.body)
		}
		if h+b == 0 && run.long {
			return false
		}
		score += run.weight * (v.headBoost*saturate(min(h, occurrenceCap)) + saturate(min(b, occurrenceCap)))
	}
	if v.score {
		d.Score = v.weight * score
	}
	return true
}

// acceptFolded is accept on the folded text. Without scores, a run need
// only be found once, and a short run not at all.
func (v *verifier) acceptFolded(d *search.DocumentMatch) bool {
	doc := docNumber(d.IndexInternalID)
	head, body := v.text.head(doc), v.text.body(doc)
	if v.scope == ScopeHead {
		body = nil
	}
	score := 0.0
	for _, run := range v.runs {
		if !v.score && !run.long {
			continue
		}
		limit := 1 // without scores, found once is enough
		if v.score {
			limit = occurrenceCap
		}
		h := countRun(head, run.wide, run.rare, limit)
		b := 0
		if h == 0 || v.score {
			b = countRun(body, run.wide, run.rare, limit)
		}
		if h+b == 0 && run.long {
			return false
		}
		score += run.weight * (v.headBoost*saturate(min(h, occurrenceCap)) + saturate(min(b, occurrenceCap)))
	}
	if v.score {
		d.Score = v.weight * score
	}
	return true
}

// occurrenceCap is the most occurrences of a run that count in its exact
// score: saturation makes more count little (sat(3) = 1.57, sat(∞) = 2.2),
// and the verifier stops scanning an article's text at the third.
const occurrenceCap = 3

// saturate is BM25's term-frequency saturation (k1 = 1.2, no length
// normalization).
func saturate(n int) float64 {
	const k1 = 1.2
	return float64(n) * (k1 + 1) / (float64(n) + k1)
}

// load finds the head and body in the candidate's stored record, without
// decoding the JSON.
func (v *verifier) load(id bleveindex.IndexInternalID) bool {
	var raw []byte
	if v.stored != nil {
		var ok bool
		if v.raw, ok = v.stored.record(id, v.raw[:0]); !ok {
			return false
		}
		raw = v.raw
	} else {
		ext, err := v.reader.ExternalID(id)
		if err != nil {
			return false
		}
		doc, err := v.reader.Document(ext)
		if err != nil || doc == nil {
			return false
		}
		doc.VisitFields(func(f bleveindex.Field) {
			if f.Name() == FieldRecord {
				if js, err := recordJSON(nil, f.Value()); err == nil {
					raw = js
				}
			}
		})
	}
	v.head, v.body = [3]jsonText{}, jsonText{}
	return raw != nil && scanObject(raw, func(key []byte, val jsonText) {
		switch string(key) {
		case "kicker":
			v.head[0] = val
		case "title":
			v.head[1] = val
		case "subtitle":
			v.head[2] = val
		case "body":
			v.body = val
		}
	})
}

// count returns the occurrences of run in the folded text.
func (v *verifier) count(run verifyRun, t *jsonText) int {
	text := t.enc
	if t.escaped && run.ascii {
		text = t.decode()
	}
	if len(text) == 0 {
		return 0
	}
	if run.invariant {
		if n := bytes.Count(text, run.text); n > 0 {
			return n
		}
	}
	v.folded = v.folded[:0]
	changed := false
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRune(text[i:])
		f := textnorm.Rune(r)
		changed = changed || f != r
		v.folded = utf8.AppendRune(v.folded, f)
		i += size
	}
	if !changed && run.invariant {
		return 0 // the folded text is the text: counted above
	}
	return bytes.Count(v.folded, run.text)
}
