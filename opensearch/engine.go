package opensearch

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"newsarchive/corpus"
	"newsarchive/engine"
)

// EngineName is the Info.Engine of a cluster's engine.
const EngineName = "opensearch"

// Engine is an archive on a cluster as an engine.Engine (and a
// serving.Engine): it reads through the alias, so it follows every swap
// (index --rebuild, rollback) without being reopened; Check refreshes what
// Info says. A download (Each) reads one generation to its end through a
// point in time, whatever the alias does meanwhile. It is safe for
// concurrent use.
type Engine struct {
	c    *Client
	mu   sync.Mutex
	info engine.Info
}

var _ engine.Engine = (*Engine)(nil)

// OpenEngine connects to the cluster of cfg and returns the engine of its
// alias, or an error wrapping engine.ErrUnavailable when the cluster does
// not answer, and ErrNoGeneration when the alias names no index (nothing
// loaded yet).
func OpenEngine(ctx context.Context, cfg Config) (*Engine, error) {
	c, err := New(cfg)
	if err != nil {
		return nil, err
	}
	e := &Engine{c: c}
	if err := e.Check(ctx, false); err != nil {
		c.Close()
		return nil, err
	}
	return e, nil
}

// Client is the engine's client.
func (e *Engine) Client() *Client { return e.c }

// Close closes the engine's client.
func (e *Engine) Close() error { return e.c.Close() }

// Info names the generation behind the alias when last checked.
func (e *Engine) Info() engine.Info {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.info
}

// Check asks the cluster for the generation behind the alias and its
// health (red: ErrUnavailable), and refreshes Info. full changes nothing:
// the cluster checks its own data.
func (e *Engine) Check(ctx context.Context, full bool) error {
	gen, err := e.c.Current(ctx)
	if err != nil {
		return unavailable("find the generation", err)
	}
	if gen == "" {
		return fmt.Errorf("%w behind alias %s (load one: newsarchive index --engine opensearch)", ErrNoGeneration, e.c.alias)
	}
	var h struct {
		Status string `json:"status"`
	}
	if err := e.c.do(ctx, http.MethodGet, "/_cluster/health/"+url.PathEscape(e.c.alias), nil, &h); err != nil {
		return unavailable("health", err)
	}
	if h.Status == "red" {
		return fmt.Errorf("%w: opensearch: %s is red (a primary shard has no copy)", engine.ErrUnavailable, gen)
	}
	ans, err := e.c.search(ctx, map[string]any{"size": 0, "track_total_hits": true, "aggs": map[string]any{
		"first": obj("min", obj("field", "date")), "last": obj("max", obj("field", "date")),
	}})
	if err != nil {
		return unavailable("count", err)
	}
	info := engine.Info{Engine: EngineName, Generation: gen, Articles: uint64(ans.Hits.Total.Value)}
	info.FirstDate, info.LastDate = aggDate(ans.Aggregations["first"]), aggDate(ans.Aggregations["last"])
	e.mu.Lock()
	e.info = info
	e.mu.Unlock()
	return nil
}

// aggDate is the day of a min or max aggregation of the date, "" for none.
func aggDate(raw json.RawMessage) string {
	var v struct {
		Value *float64 `json:"value"`
	}
	if json.Unmarshal(raw, &v) != nil || v.Value == nil {
		return ""
	}
	return time.UnixMilli(int64(*v.Value)).UTC().Format(time.DateOnly)
}

// unavailable wraps an error of the cluster: a transport error or a 5xx
// is engine.ErrUnavailable (retry), a 4xx the archive's own error.
func unavailable(what string, err error) error {
	var se *StatusError
	if errors.As(err, &se) && se.Status < 500 && se.Status != http.StatusTooManyRequests {
		return fmt.Errorf("opensearch: %s: %w", what, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("opensearch: %s: %w", what, err)
	}
	return fmt.Errorf("%w: opensearch: %s: %w", engine.ErrUnavailable, what, err)
}

// plan is a request as the engine runs it.
type plan struct {
	query   map[string]any // the query, scored
	filters []any          // every filter's clause
	sort    string
	after   []any // search_after of the cursor, nil for none
	cursor  *engine.Cursor
}

func (e *Engine) plan(ctx context.Context, r *engine.Request, withHits bool) (*plan, error) {
	qc, err := e.compiler(ctx, r, withHits)
	if err != nil {
		return nil, err
	}
	q, err := qc.compile(r.Query)
	if err != nil {
		return nil, err
	}
	fs, err := filterClauses(r.Filters, "")
	if err != nil {
		return nil, err
	}
	p := &plan{query: q, filters: fs, sort: cmp.Or(r.Sort, engine.SortRelevance)}
	switch p.sort {
	case engine.SortRelevance, engine.SortNewest, engine.SortOldest:
	default:
		return nil, fmt.Errorf("%w: sort %q", engine.ErrBadRequest, r.Sort)
	}
	if r.After != nil {
		if p.after, err = searchAfter(p.sort, r.After); err != nil {
			return nil, fmt.Errorf("%w: after cursor: %v", engine.ErrBadRequest, err)
		}
		p.cursor = r.After
	}
	return p, nil
}

// filtered is the query with every filter: what the hits and the total
// are drawn from.
func (p *plan) filtered() map[string]any {
	if len(p.filters) == 0 {
		return p.query
	}
	return obj("bool", map[string]any{"must": []any{p.query}, "filter": p.filters})
}

// Missing dates sort last in both orders: OpenSearch gives an undated
// article these sort values.
const (
	missingNewest = math.MinInt64
	missingOldest = math.MaxInt64
)

func (p *plan) sortSpec() []any {
	id := obj("id", "asc")
	switch p.sort {
	case engine.SortNewest:
		return []any{obj("date", map[string]any{"order": "desc", "missing": "_last"}), id}
	case engine.SortOldest:
		return []any{obj("date", map[string]any{"order": "asc", "missing": "_last"}), id}
	}
	return []any{obj("_score", "desc"), id}
}

// searchAfter is the search_after of a cursor in an order.
func searchAfter(sort string, c *engine.Cursor) ([]any, error) {
	switch {
	case sort == engine.SortRelevance:
		s, err := strconv.ParseFloat(c.Value, 64)
		if err != nil {
			return nil, err
		}
		return []any{s, c.ID}, nil
	case c.Value == "" && sort == engine.SortNewest:
		return []any{int64(missingNewest), c.ID}, nil
	case c.Value == "":
		return []any{int64(missingOldest), c.ID}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, c.Value)
	if err != nil {
		return nil, err
	}
	return []any{t.UnixMilli(), c.ID}, nil
}

// afterClause matches the articles after the plan's cursor in a date
// order (for Eligible); nil for relevance or no cursor.
func (p *plan) afterClause() map[string]any {
	if p.cursor == nil || p.sort == engine.SortRelevance {
		return nil
	}
	idAfter := obj("range", obj("id", obj("gt", p.cursor.ID)))
	undated := obj("bool", obj("must_not", []any{obj("exists", obj("field", "date"))}))
	if p.cursor.Value == "" {
		return obj("bool", obj("filter", []any{undated, idAfter}))
	}
	t, _ := time.Parse(time.RFC3339Nano, p.cursor.Value)
	ms := t.UnixMilli()
	beyond := "lt"
	if p.sort == engine.SortOldest {
		beyond = "gt"
	}
	return obj("bool", map[string]any{"minimum_should_match": 1, "should": []any{
		obj("range", obj("date", map[string]any{beyond: ms, "format": "epoch_millis"})),
		obj("bool", obj("filter", []any{obj("range", obj("date", map[string]any{"gte": ms, "lte": ms, "format": "epoch_millis"})), idAfter})),
		undated,
	}})
}

// hit turns an answer's hit into an engine.Hit.
func (p *plan) hit(id string, score *float64, source json.RawMessage, sortVals []json.RawMessage) (engine.Hit, error) {
	var d Document
	if err := json.Unmarshal(source, &d); err != nil {
		return engine.Hit{}, fmt.Errorf("opensearch: article %s: %w", id, err)
	}
	h := engine.Hit{Record: d.Article(), Cursor: engine.Cursor{ID: d.ID}}
	if p.sort == engine.SortRelevance {
		if score != nil {
			h.Score = *score
		}
		h.Cursor.Value = engine.FormatScore(h.Score)
		return h, nil
	}
	if d.Date != "" {
		if t, err := time.Parse(time.DateOnly, d.Date); err == nil {
			h.Cursor.Value = t.UTC().Format(time.RFC3339Nano)
		}
	}
	return h, nil
}

// pageSize is the most hits one search asks for when a request reads
// further than one page (deep offsets, Each).
const pageSize = 1000

// maxWindow is the most hits one search may reach (the mapping's
// max_result_window).
const maxWindow = 10000

// Search runs a request: its total and facets exactly, and its hits
// Offset..Offset+Size. Hits beyond the cluster's result window are
// reached with search_after, a page at a time.
func (e *Engine) Search(ctx context.Context, r *engine.Request) (*engine.Result, error) {
	p, err := e.plan(ctx, r, r.Size > 0)
	if err != nil {
		return nil, err
	}
	res := &engine.Result{Hits: []engine.Hit{}, Facets: map[string][]engine.FacetValue{}}
	want := r.Offset + r.Size
	if r.Size <= 0 {
		want = 0
	}
	// One more hit than asked: is there a next? Beyond the cluster's
	// result window, the hits are read by pages after this answer.
	first := want + 1
	if want == 0 || first > maxWindow {
		first = 0
	}
	body := map[string]any{"query": p.query, "size": first, "track_total_hits": true, "sort": p.sortSpec()}
	if len(p.filters) > 0 {
		body["post_filter"] = obj("bool", obj("filter", p.filters))
	}
	if p.after != nil {
		body["search_after"] = p.after
	}
	aggs := map[string]any{}
	if ac := p.afterClause(); ac != nil {
		aggs["eligible"] = obj("filter", obj("bool", obj("filter", append(slices.Clone(p.filters), ac))))
	}
	for i, f := range r.Facets {
		if !keywordFields[f.Field] {
			return nil, fmt.Errorf("%w: no keyword field %q for facet %s", engine.ErrBadRequest, f.Field, f.Name)
		}
		if f.ByValue || f.Size <= 0 {
			continue // read whole by composite pages below
		}
		others, err := filterClauses(r.Filters, f.Name)
		if err != nil {
			return nil, err
		}
		terms := map[string]any{"field": f.Field, "size": f.Size, "shard_size": max(f.Size*10, 1000),
			"order": []any{obj("_count", "desc"), obj("_key", "asc")}}
		aggs["f"+strconv.Itoa(i)] = map[string]any{
			"filter": obj("bool", obj("filter", others)),
			"aggs":   obj("t", obj("terms", terms)),
		}
	}
	if len(aggs) > 0 {
		body["aggs"] = aggs
	}
	path := e.c.searchPath()
	if p.sort == engine.SortRelevance && first > 0 {
		path += dfs
	}
	ans, err := e.c.searchAt(ctx, path, body)
	if err != nil {
		return nil, unavailable("search", err)
	}
	res.Total = uint64(ans.Hits.Total.Value)
	res.Eligible = res.Total
	if raw, ok := ans.Aggregations["eligible"]; ok {
		var v struct {
			DocCount uint64 `json:"doc_count"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, fmt.Errorf("opensearch: eligible: %w", err)
		}
		res.Eligible = v.DocCount
	}
	for i, f := range r.Facets {
		var vals []engine.FacetValue
		exact := false
		if raw, ok := ans.Aggregations["f"+strconv.Itoa(i)]; ok {
			vals, exact, err = termsValues(raw)
			if err != nil {
				return nil, fmt.Errorf("opensearch: facet %s: %w", f.Name, err)
			}
		}
		if !exact {
			if vals, err = e.facetWhole(ctx, p.query, r.Filters, f); err != nil {
				return nil, err
			}
		}
		res.Facets[f.Name] = vals
	}
	// The hits: from this answer, or read by pages beyond the window.
	more := false
	add := func(h engine.Hit) error {
		if len(res.Hits) == want {
			more = true
			return errStop
		}
		res.Hits = append(res.Hits, h)
		return nil
	}
	if first > 0 {
		for _, h := range ans.Hits.Hits {
			hit, err := p.hit(h.ID, h.Score, h.Source, h.Sort)
			if err != nil {
				return nil, err
			}
			if add(hit) != nil {
				break
			}
		}
	} else if want > 0 {
		if err := e.scan(ctx, "", p, want+1, add); err != nil && !errors.Is(err, errStop) {
			return nil, err
		}
	}
	if p.cursor != nil && p.sort == engine.SortRelevance {
		// No count of the hits after a score: at least those read.
		res.Eligible = uint64(len(res.Hits))
		if more {
			res.Eligible++
		}
	}
	res.Hits = res.Hits[min(r.Offset, len(res.Hits)):]
	return res, nil
}

var errStop = errors.New("stop")

// dfs makes a search score with the statistics of the whole generation
// (terms' document frequencies, field lengths) instead of each shard's,
// as the embedded engine does: without it the relevance order depends on
// which shard an article is on.
const dfs = "?search_type=dfs_query_then_fetch"

func rawSort(v []json.RawMessage) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
}

// termsValues reads a facet's filter aggregation: its values, and whether
// their counts are exact (no shard left a value out).
func termsValues(raw json.RawMessage) ([]engine.FacetValue, bool, error) {
	var agg struct {
		T struct {
			Error   int64 `json:"doc_count_error_upper_bound"`
			Buckets []struct {
				Key      string `json:"key"`
				DocCount int    `json:"doc_count"`
			} `json:"buckets"`
		} `json:"t"`
	}
	if err := json.Unmarshal(raw, &agg); err != nil {
		return nil, false, err
	}
	vals := make([]engine.FacetValue, 0, len(agg.T.Buckets))
	for _, b := range agg.T.Buckets {
		if b.Key != "" { // the embedded engine indexes no empty value
			vals = append(vals, engine.FacetValue{Value: b.Key, Count: b.DocCount})
		}
	}
	return vals, agg.T.Error == 0, nil
}

// facetWhole counts every value of a facet by pages of a composite
// aggregation (exact, however many values), then orders and cuts them as
// the facet asks.
func (e *Engine) facetWhole(ctx context.Context, query map[string]any, filters []engine.Filter, f engine.Facet) ([]engine.FacetValue, error) {
	others, err := filterClauses(filters, f.Name)
	if err != nil {
		return nil, err
	}
	q := query
	if len(others) > 0 {
		q = obj("bool", map[string]any{"must": []any{query}, "filter": others})
	}
	vals := []engine.FacetValue{}
	var after json.RawMessage
	for {
		comp := map[string]any{"size": 1000, "sources": []any{obj("v", obj("terms", obj("field", f.Field)))}}
		if after != nil {
			comp["after"] = after
		}
		ans, err := e.c.search(ctx, map[string]any{"query": q, "size": 0, "_source": false, "aggs": obj("f", obj("composite", comp))})
		if err != nil {
			return nil, unavailable("facet "+f.Name, err)
		}
		var agg struct {
			AfterKey json.RawMessage `json:"after_key"`
			Buckets  []struct {
				Key struct {
					V string `json:"v"`
				} `json:"key"`
				DocCount int `json:"doc_count"`
			} `json:"buckets"`
		}
		if err := json.Unmarshal(ans.Aggregations["f"], &agg); err != nil {
			return nil, fmt.Errorf("opensearch: facet %s: %w", f.Name, err)
		}
		for _, b := range agg.Buckets {
			if b.Key.V != "" { // the embedded engine indexes no empty value
				vals = append(vals, engine.FacetValue{Value: b.Key.V, Count: b.DocCount})
			}
		}
		if len(agg.Buckets) < 1000 || agg.AfterKey == nil {
			break
		}
		after = agg.AfterKey
	}
	if f.ByValue {
		slices.SortFunc(vals, func(a, b engine.FacetValue) int { return cmp.Compare(a.Value, b.Value) })
	} else {
		slices.SortFunc(vals, func(a, b engine.FacetValue) int {
			return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value))
		})
	}
	if f.Size > 0 && len(vals) > f.Size {
		vals = vals[:f.Size]
	}
	return vals, nil
}

// Each calls fn for every hit of r in its order (up to r.Size, 0: all),
// reading pages of pageSize through a point in time of the generation
// behind the alias when it starts.
func (e *Engine) Each(ctx context.Context, r *engine.Request, fn func(engine.Hit) error) error {
	p, err := e.plan(ctx, r, true)
	if err != nil {
		return err
	}
	pit, err := e.openPIT(ctx)
	if err != nil {
		return err
	}
	defer e.closePIT(pit)
	limit := r.Size
	if limit <= 0 {
		limit = math.MaxInt
	}
	return e.scan(ctx, pit, p, limit, fn)
}

// scan reads up to limit hits of p after p.after, a page at a time, from
// a point in time (pit) or the alias ("").
func (e *Engine) scan(ctx context.Context, pit string, p *plan, limit int, fn func(engine.Hit) error) error {
	after := p.after
	n := 0
	for n < limit {
		size := min(pageSize, limit-n)
		body := map[string]any{"query": p.filtered(), "size": size, "sort": p.sortSpec(), "track_total_hits": false}
		path := e.c.searchPath()
		if p.sort == engine.SortRelevance {
			path += dfs
		}
		if pit != "" {
			body["pit"] = map[string]any{"id": pit, "keep_alive": pitKeepAlive}
			path = "/_search"
			if p.sort == engine.SortRelevance {
				path += dfs
			}
		}
		if after != nil {
			body["search_after"] = after
		}
		ans, err := e.c.searchAt(ctx, path, body)
		if err != nil {
			return unavailable("read hits", err)
		}
		for _, h := range ans.Hits.Hits {
			hit, err := p.hit(h.ID, h.Score, h.Source, h.Sort)
			if err != nil {
				return err
			}
			if err := fn(hit); err != nil {
				return err
			}
			n++
		}
		if len(ans.Hits.Hits) < size {
			return nil
		}
		after = rawSort(ans.Hits.Hits[len(ans.Hits.Hits)-1].Sort)
	}
	return nil
}

// pitKeepAlive is how long a point in time lives between two pages of a
// download.
const pitKeepAlive = "5m"

func (e *Engine) openPIT(ctx context.Context) (string, error) {
	var ans struct {
		PitID string `json:"pit_id"`
	}
	if err := e.c.do(ctx, http.MethodPost, "/"+url.PathEscape(e.c.alias)+"/_search/point_in_time?keep_alive="+pitKeepAlive, nil, &ans); err != nil {
		return "", unavailable("open a point in time", err)
	}
	return ans.PitID, nil
}

func (e *Engine) closePIT(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, _ := json.Marshal(obj("pit_id", []string{id}))
	if err := e.c.do(ctx, http.MethodDelete, "/_search/point_in_time", b, nil); err != nil {
		e.c.log.Warn("opensearch: close a point in time", "err", err)
	}
}

// Record returns the record of an article by id, a *engine.MovedError for
// an old id of an article, or engine.ErrNotFound.
func (e *Engine) Record(ctx context.Context, id string) (corpus.Article, error) {
	as, err := e.c.Records(ctx, id)
	if err != nil {
		return corpus.Article{}, unavailable("record "+id, err)
	}
	if len(as) > 0 {
		return as[0], nil
	}
	ans, err := e.c.search(ctx, map[string]any{"query": obj("term", obj("aliases", id)), "size": 1, "_source": []string{"id"}, "sort": []any{obj("id", "asc")}})
	if err != nil {
		return corpus.Article{}, unavailable("record "+id, err)
	}
	if len(ans.Hits.Hits) > 0 {
		return corpus.Article{}, &engine.MovedError{ID: id, To: ans.Hits.Hits[0].ID}
	}
	return corpus.Article{}, fmt.Errorf("%w: %s", engine.ErrNotFound, id)
}

// Similar returns the articles sharing the most distinctive words with a
// (more_like_this over the folded words), a excluded.
func (e *Engine) Similar(ctx context.Context, a *corpus.Article, size int) ([]engine.Hit, error) {
	if size <= 0 {
		return nil, nil
	}
	text := engine.HeadText(a) + "\n" + a.Body
	if len(text) > similarTextBytes {
		text = text[:similarTextBytes] // a few words cut at the end do not matter
	}
	like := WordTokens(text)
	q := obj("bool", map[string]any{
		"must": []any{obj("more_like_this", map[string]any{
			"fields": []string{"head_w", "body_w"}, "like": like,
			"min_term_freq": 1, "min_doc_freq": 2, "max_query_terms": 25, "minimum_should_match": "2",
		})},
		"must_not": []any{obj("ids", obj("values", []string{a.ID}))},
	})
	p := &plan{sort: engine.SortRelevance}
	ans, err := e.c.searchAt(ctx, e.c.searchPath()+dfs, map[string]any{"query": q, "size": size, "sort": p.sortSpec()})
	if err != nil {
		return nil, unavailable("similar", err)
	}
	hits := []engine.Hit{}
	for _, h := range ans.Hits.Hits {
		hit, err := p.hit(h.ID, h.Score, h.Source, h.Sort)
		if err != nil {
			return nil, err
		}
		hits = append(hits, hit)
	}
	return hits, nil
}

// similarTextBytes is how much of an article's text its words are taken
// from, as in the embedded engine.
const similarTextBytes = 16 << 10

// Stats counts the generation behind the alias.
func (e *Engine) Stats(ctx context.Context) (engine.Stats, error) {
	if err := e.Check(ctx, false); err != nil {
		return engine.Stats{}, err
	}
	info := e.Info()
	st := engine.Stats{Generation: info.Generation, Articles: info.Articles, FirstDate: info.FirstDate, LastDate: info.LastDate}
	all := obj("match_all", map[string]any{})
	counts := func(field string) ([]engine.Count, error) {
		vals, err := e.facetWhole(ctx, all, nil, engine.Facet{Name: field, Field: field})
		out := make([]engine.Count, 0, len(vals))
		for _, v := range vals {
			out = append(out, engine.Count{Value: v.Value, Count: v.Count})
		}
		return out, err
	}
	var err error
	if st.Counties, err = counts(engine.FieldCounties); err != nil {
		return st, err
	}
	if st.Topics, err = counts(engine.FieldTopics); err != nil {
		return st, err
	}
	if st.Papers, err = counts(engine.FieldPaper); err != nil {
		return st, err
	}
	files, err := e.facetWhole(ctx, all, nil, engine.Facet{Name: "source", Field: "source"})
	if err != nil {
		return st, err
	}
	st.Files = len(files)
	var ss struct {
		Primaries struct {
			Store struct {
				SizeInBytes int64 `json:"size_in_bytes"`
			} `json:"store"`
		} `json:"primaries"`
	}
	var all2 struct {
		All json.RawMessage `json:"_all"`
	}
	if err := e.c.do(ctx, http.MethodGet, "/"+url.PathEscape(info.Generation)+"/_stats/store", nil, &all2); err != nil {
		return st, unavailable("size", err)
	}
	if err := json.Unmarshal(all2.All, &ss); err == nil {
		st.SizeBytes = ss.Primaries.Store.SizeInBytes
	}
	return st, nil
}
