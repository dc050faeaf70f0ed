package opensearch

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"

	"newsarchive/engine"
	"newsarchive/index/analysis"
)

// wordWeight is one word clause's term as Bleve weighs it in its query
// norm: the field and the clause's boost.
type wordWeight struct {
	field, term string
	boost       float64
}

// wordWeights lists the word terms of q's Text nodes with their boosts,
// as textClause scores them.
func wordWeights(q engine.Query, out []wordWeight) []wordWeight {
	switch q := q.(type) {
	case engine.Text:
		w := 1.0
		if q.Exact {
			w = phraseWords
		}
		for _, t := range analysis.Words(q.Text) {
			out = append(out, wordWeight{"head_w", t, headBoost * w})
			if q.Scope != engine.ScopeHead {
				out = append(out, wordWeight{"body_w", t, w})
			} else {
				out[len(out)-1].boost = w
			}
		}
	case engine.And:
		for _, c := range q.Must {
			out = wordWeights(c, out)
		}
	case engine.Or:
		for _, c := range q.Any {
			out = wordWeights(c, out)
		}
	}
	return out
}

// queryNorm is Bleve's query norm for the word clauses of q: 1/sqrt of
// the sum of (boost × idf)² over its terms, with idf as the similarity
// computes it, from the statistics of the shard a term-vector request
// reads (one shard's share of the articles: the ratio of document
// frequency to documents is what idf uses, nearly the same on every
// shard). 1 when q has no words.
func (e *Engine) queryNorm(ctx context.Context, q engine.Query) (float64, error) {
	ws := wordWeights(q, nil)
	if len(ws) == 0 {
		return 1, nil
	}
	doc := map[string]string{}
	for _, w := range ws {
		if !strings.Contains(" "+doc[w.field]+" ", " "+w.term+" ") {
			doc[w.field] = strings.TrimSpace(doc[w.field] + " " + w.term)
		}
	}
	body, _ := json.Marshal(map[string]any{
		"doc": doc, "fields": []string{"head_w", "body_w"},
		"term_statistics": true, "field_statistics": true, "positions": false, "offsets": false,
	})
	var ans struct {
		TermVectors map[string]struct {
			FieldStatistics struct {
				DocCount float64 `json:"doc_count"`
			} `json:"field_statistics"`
			Terms map[string]struct {
				DocFreq float64 `json:"doc_freq"`
			} `json:"terms"`
		} `json:"term_vectors"`
	}
	if err := e.c.do(ctx, http.MethodPost, "/"+url.PathEscape(e.c.alias)+"/_termvectors", body, &ans); err != nil {
		return 0, unavailable("term statistics", err)
	}
	sum := 0.0
	for _, w := range ws {
		f := ans.TermVectors[w.field]
		n, df := f.FieldStatistics.DocCount, f.Terms[w.term].DocFreq
		if n <= 0 {
			continue
		}
		idf := math.Log(1 + (n-df+0.5)/(df+0.5))
		sum += (w.boost * idf) * (w.boost * idf)
	}
	if sum <= 0 {
		return 1, nil
	}
	return 1 / math.Sqrt(sum), nil
}

// compiler returns the compiler of a request's query: with the query norm
// when hits are read (withHits) in relevance order.
func (e *Engine) compiler(ctx context.Context, r *engine.Request, withHits bool) (compiler, error) {
	c := compiler{norm: 1}
	near, err := e.resolveNear(ctx, r.Query, nil)
	if err != nil {
		return c, err
	}
	c.near = near
	if r.Query == nil || (r.Sort != "" && r.Sort != engine.SortRelevance) || !withHits {
		return c, nil
	}
	n, err := e.queryNorm(ctx, r.Query)
	if err != nil {
		return c, fmt.Errorf("query norm: %w", err)
	}
	c.norm = n
	return c, nil
}
