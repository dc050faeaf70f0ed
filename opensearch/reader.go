package opensearch

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"newsarchive/corpus"
)

// Sort is the order of a search's hits.
type Sort int

// Orders of hits. Ties (and relevance ties) go by id, so that a cursor
// continues exactly where a page ended.
const (
	SortRelevance Sort = iota // score, highest first
	SortNewest                // date, newest first; undated last
	SortOldest                // date, oldest first; undated last
)

// SearchRequest is a page of a search.
type SearchRequest struct {
	Query
	Sort Sort
	// Size is the page's number of hits (default 20, at most 10,000).
	Size int
	// After is the Next of the previous page ("" for the first).
	After string
}

// Hit is one article of a page.
type Hit struct {
	Article corpus.Article
	Score   float64
}

// SearchResult is a page of hits.
type SearchResult struct {
	// Total is the exact number of matching articles.
	Total int64
	Hits  []Hit
	// Next is the cursor of the next page, "" after the last.
	Next string
}

type searchAnswer struct {
	Hits struct {
		Total struct {
			Value    int64  `json:"value"`
			Relation string `json:"relation"`
		} `json:"total"`
		Hits []struct {
			ID     string            `json:"_id"`
			Score  *float64          `json:"_score"`
			Source json.RawMessage   `json:"_source"`
			Sort   []json.RawMessage `json:"sort"`
		} `json:"hits"`
	} `json:"hits"`
	Shards struct {
		Total, Successful, Failed int
	} `json:"_shards"`
	Aggregations map[string]json.RawMessage `json:"aggregations"`
}

// searchPath is the search endpoint of the alias.
func (c *Client) searchPath() string { return "/" + url.PathEscape(c.alias) + "/_search" }

// search sends a search body and checks that every shard answered: a
// partial answer would give wrong totals. A search is read-only, so one
// that fails on the way (a node going away: a connection error, a 5xx,
// shards that did not answer) is sent again, up to readRetries times.
func (c *Client) search(ctx context.Context, body map[string]any) (*searchAnswer, error) {
	return c.searchAt(ctx, c.searchPath(), body)
}

// searchAt is search with another endpoint (a point in time's is
// /_search).
func (c *Client) searchAt(ctx context.Context, path string, body map[string]any) (*searchAnswer, error) {
	if _, ok := body["_source"]; !ok {
		body["_source"] = obj("excludes", sourceExcludes)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("opensearch: encode search: %w", err)
	}
	for attempt := 0; ; attempt++ {
		var ans searchAnswer
		err := c.do(ctx, http.MethodPost, path, b, &ans)
		if err == nil && (ans.Shards.Failed > 0 || ans.Shards.Successful < ans.Shards.Total) {
			err = fmt.Errorf("opensearch: search %s: %d of %d shards answered", c.alias, ans.Shards.Successful, ans.Shards.Total)
		} else if err == nil {
			return &ans, nil
		}
		var se *StatusError
		if errors.As(err, &se) && se.Status < 500 || attempt >= readRetries || ctx.Err() != nil {
			return nil, err
		}
		c.log.Warn("opensearch: search retry", "alias", c.alias, "attempt", attempt+1, "err", err)
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Duration(attempt+1) * 200 * time.Millisecond):
		}
	}
}

// sourceExcludes are the fields of _source a search leaves out of its
// answers: the analysis the archive sends for the engine (Document).
var sourceExcludes = []string{"head_x", "body_x", "head_c", "body_c", "head_w", "body_w"}

// readRetries is how often a failed search is sent again.
const readRetries = 4

// Count returns the exact number of articles matching q.
func (c *Client) Count(ctx context.Context, q Query) (int64, error) {
	qb, err := q.body(false)
	if err != nil {
		return 0, err
	}
	ans, err := c.search(ctx, map[string]any{"query": qb, "size": 0, "track_total_hits": true})
	if err != nil {
		return 0, fmt.Errorf("opensearch: count: %w", err)
	}
	return ans.Hits.Total.Value, nil
}

func (r *SearchRequest) sortSpec() []any {
	id := obj("id", "asc")
	switch r.Sort {
	case SortNewest:
		return []any{obj("date", map[string]any{"order": "desc", "missing": "_last"}), id}
	case SortOldest:
		return []any{obj("date", map[string]any{"order": "asc", "missing": "_last"}), id}
	}
	return []any{obj("_score", "desc"), id}
}

// Search returns a page of the articles matching r, in r.Sort order.
func (c *Client) Search(ctx context.Context, r SearchRequest) (*SearchResult, error) {
	size := r.Size
	if size <= 0 {
		size = 20
	}
	if size > 10000 {
		return nil, fmt.Errorf("opensearch: search: page size %d above 10,000", size)
	}
	qb, err := r.Query.body(r.Sort == SortRelevance)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"query": qb, "size": size, "track_total_hits": true, "sort": r.sortSpec()}
	if r.After != "" {
		after, err := decodeCursor(r.After)
		if err != nil {
			return nil, err
		}
		body["search_after"] = after
	}
	ans, err := c.search(ctx, body)
	if err != nil {
		return nil, fmt.Errorf("opensearch: search: %w", err)
	}
	res := &SearchResult{Total: ans.Hits.Total.Value}
	for _, h := range ans.Hits.Hits {
		var d Document
		if err := json.Unmarshal(h.Source, &d); err != nil {
			return nil, fmt.Errorf("opensearch: search: article %s: %w", h.ID, err)
		}
		hit := Hit{Article: d.Article()}
		if h.Score != nil {
			hit.Score = *h.Score
		}
		res.Hits = append(res.Hits, hit)
	}
	if n := len(ans.Hits.Hits); n == size {
		res.Next = encodeCursor(ans.Hits.Hits[n-1].Sort)
	}
	return res, nil
}

func encodeCursor(sort []json.RawMessage) string {
	b, _ := json.Marshal(sort)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) ([]json.RawMessage, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	var v []json.RawMessage
	if err == nil {
		err = json.Unmarshal(b, &v)
	}
	if err != nil || len(v) != 2 {
		return nil, fmt.Errorf("opensearch: cursor %q is not one of this engine's", s)
	}
	return v, nil
}

// IDs returns the ids of every article matching q, in id order.
func (c *Client) IDs(ctx context.Context, q Query) ([]string, error) {
	qb, err := q.body(false)
	if err != nil {
		return nil, err
	}
	var ids []string
	var after []json.RawMessage
	for {
		body := map[string]any{"query": qb, "size": 5000, "_source": false, "sort": []any{obj("id", "asc")}}
		if after != nil {
			body["search_after"] = after
		}
		ans, err := c.search(ctx, body)
		if err != nil {
			return nil, fmt.Errorf("opensearch: ids: %w", err)
		}
		for _, h := range ans.Hits.Hits {
			ids = append(ids, h.ID)
		}
		if len(ans.Hits.Hits) < 5000 {
			return ids, nil
		}
		after = ans.Hits.Hits[len(ans.Hits.Hits)-1].Sort
	}
}

// FacetFields are the fields Facets counts.
var FacetFields = []string{"counties", "county", "topics", "topic", "authors", "paper", "month", "kind"}

// FacetValue is one value of a facet and its number of articles.
type FacetValue struct {
	Value string
	Count int64
}

// Facets returns, for each field named (FacetFields), every value the
// articles matching q have and the exact number of them having it,
// most frequent first (ties by value). It pages through a composite
// aggregation, so no value is left out and no count is an estimate.
func (c *Client) Facets(ctx context.Context, q Query, fields ...string) (map[string][]FacetValue, error) {
	qb, err := q.body(false)
	if err != nil {
		return nil, err
	}
	out := map[string][]FacetValue{}
	for _, f := range fields {
		if !slices.Contains(FacetFields, f) {
			return nil, fmt.Errorf("opensearch: facet %q: not one of %v", f, FacetFields)
		}
		vals := []FacetValue{}
		var after json.RawMessage
		for {
			comp := map[string]any{"size": 1000, "sources": []any{obj("v", obj("terms", obj("field", f)))}}
			if after != nil {
				comp["after"] = after
			}
			ans, err := c.search(ctx, map[string]any{"query": qb, "size": 0, "aggs": obj("f", obj("composite", comp))})
			if err != nil {
				return nil, fmt.Errorf("opensearch: facet %s: %w", f, err)
			}
			var agg struct {
				AfterKey json.RawMessage `json:"after_key"`
				Buckets  []struct {
					Key struct {
						V string `json:"v"`
					} `json:"key"`
					DocCount int64 `json:"doc_count"`
				} `json:"buckets"`
			}
			if err := json.Unmarshal(ans.Aggregations["f"], &agg); err != nil {
				return nil, fmt.Errorf("opensearch: facet %s: %w", f, err)
			}
			for _, b := range agg.Buckets {
				vals = append(vals, FacetValue{b.Key.V, b.DocCount})
			}
			if len(agg.Buckets) < 1000 || agg.AfterKey == nil {
				break
			}
			after = agg.AfterKey
		}
		slices.SortStableFunc(vals, func(a, b FacetValue) int {
			if a.Count != b.Count {
				if a.Count > b.Count {
					return -1
				}
				return 1
			}
			if a.Value < b.Value {
				return -1
			}
			if a.Value > b.Value {
				return 1
			}
			return 0
		})
		out[f] = vals
	}
	return out, nil
}

// ErrNotFound is returned by Record for an id the archive does not hold.
var ErrNotFound = errors.New("opensearch: no such article")

// Records returns the articles of ids that the archive holds, in the
// order of ids; ids it does not hold are left out.
func (c *Client) Records(ctx context.Context, ids ...string) ([]corpus.Article, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	b, _ := json.Marshal(obj("ids", ids))
	var ans struct {
		Docs []struct {
			ID     string          `json:"_id"`
			Found  bool            `json:"found"`
			Source json.RawMessage `json:"_source"`
		} `json:"docs"`
	}
	if err := c.do(ctx, http.MethodPost, "/"+url.PathEscape(c.alias)+"/_mget?_source_excludes="+strings.Join(sourceExcludes, ","), b, &ans); err != nil {
		return nil, fmt.Errorf("opensearch: records: %w", err)
	}
	var out []corpus.Article
	for _, d := range ans.Docs {
		if !d.Found {
			continue
		}
		var doc Document
		if err := json.Unmarshal(d.Source, &doc); err != nil {
			return nil, fmt.Errorf("opensearch: record %s: %w", d.ID, err)
		}
		out = append(out, doc.Article())
	}
	return out, nil
}

// Record returns one article, or ErrNotFound.
func (c *Client) Record(ctx context.Context, id string) (corpus.Article, error) {
	as, err := c.Records(ctx, id)
	if err != nil {
		return corpus.Article{}, err
	}
	if len(as) == 0 {
		return corpus.Article{}, fmt.Errorf("opensearch: record %s: %w", id, ErrNotFound)
	}
	return as[0], nil
}
