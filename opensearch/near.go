package opensearch

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"newsarchive/corpus/textnorm"
	"newsarchive/engine"
	"newsarchive/index/analysis"
)

// maxNearMatches is the most articles a proximity search may hold on the
// cluster: its matches are named by id in the query (the mapping's
// index.max_terms_count).
const maxNearMatches = 65536

// maxNearCandidates is the most candidates (articles holding every term)
// a proximity search may verify on the cluster.
const maxNearCandidates = 200_000

// nearKey names an engine.Near for the compiler.
func nearKey(q engine.Near) string {
	return strings.Join(q.Terms, "\x00") + "\x01" + strconv.Itoa(q.Within) + "\x01" + strconv.Itoa(int(q.Scope))
}

// resolveNear verifies every engine.Near of q as the embedded engine does
// (analysis.Near on the folded head and body): the cluster finds the
// candidates (the articles holding every run, by the exact-recall fields),
// the archive reads their text, a thousand at a time, and keeps those with
// the runs close enough. It returns the matching ids of each, by nearKey.
func (e *Engine) resolveNear(ctx context.Context, q engine.Query, out map[string][]string) (map[string][]string, error) {
	switch q := q.(type) {
	case engine.Near:
		key := nearKey(q)
		if _, ok := out[key]; ok {
			return out, nil
		}
		ids, err := e.verifyNear(ctx, q)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = map[string][]string{}
		}
		out[key] = ids
	case engine.And:
		for _, c := range append(append([]engine.Query{}, q.Must...), q.Not...) {
			var err error
			if out, err = e.resolveNear(ctx, c, out); err != nil {
				return nil, err
			}
		}
	case engine.Or:
		for _, c := range q.Any {
			var err error
			if out, err = e.resolveNear(ctx, c, out); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (e *Engine) verifyNear(ctx context.Context, q engine.Near) ([]string, error) {
	runs := analysis.NearRuns(q.Terms)
	if len(runs) == 0 {
		return nil, fmt.Errorf("%w: %q has no searchable character", engine.ErrBadRequest, strings.Join(q.Terms, " "))
	}
	if q.Within < 0 {
		return nil, fmt.Errorf("%w: proximity %d is negative", engine.ErrBadRequest, q.Within)
	}
	scope := ScopeAll
	if q.Scope == engine.ScopeHead {
		scope = ScopeHead
	}
	var must []any
	for _, r := range runs {
		c, err := exactClause(r, scope)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", engine.ErrBadRequest, err)
		}
		must = append(must, c)
	}
	query := obj("bool", obj("filter", must))
	ids := []string{}
	var after []any
	seen := 0
	for {
		body := map[string]any{
			"query": query, "size": pageSize, "sort": []any{obj("id", "asc")}, "track_total_hits": false,
			"_source": []string{"id", "kicker", "title", "subtitle", "body"},
		}
		if after != nil {
			body["search_after"] = after
		}
		ans, err := e.c.search(ctx, body)
		if err != nil {
			return nil, unavailable("proximity candidates", err)
		}
		for _, h := range ans.Hits.Hits {
			var d Document
			if err := json.Unmarshal(h.Source, &d); err != nil {
				return nil, fmt.Errorf("opensearch: article %s: %w", h.ID, err)
			}
			a := d.Article()
			if analysis.Near(textnorm.String(engine.HeadText(&a)), runs, q.Within) ||
				scope != ScopeHead && analysis.Near(textnorm.String(a.Body), runs, q.Within) {
				ids = append(ids, d.ID)
			}
		}
		seen += len(ans.Hits.Hits)
		if seen > maxNearCandidates || len(ids) > maxNearMatches {
			return nil, fmt.Errorf("%w: %q~%d: more than %d articles hold every term; narrow the search (the cluster verifies proximity in the archive)",
				engine.ErrBadRequest, strings.Join(q.Terms, " "), q.Within, maxNearCandidates)
		}
		if len(ans.Hits.Hits) < pageSize {
			return ids, nil
		}
		after = rawSort(ans.Hits.Hits[len(ans.Hits.Hits)-1].Sort)
	}
}

// nearClause is the clause of a verified engine.Near: its matching ids,
// scored by the exact runs as a quoted string is.
func nearClause(q engine.Near, ids []string) map[string]any {
	if len(ids) == 0 {
		return obj("match_none", map[string]any{})
	}
	scope := ScopeAll
	if q.Scope == engine.ScopeHead {
		scope = ScopeHead
	}
	match := obj("terms", obj("id", ids))
	runs := analysis.NearRuns(q.Terms)
	var should []any
	for _, r := range runs {
		if c := exactScored(r, scope, match, 1, false); c != nil {
			should = append(should, c)
		}
	}
	return obj("bool", map[string]any{"filter": []any{match}, "should": should})
}
