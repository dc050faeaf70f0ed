// Package search turns a query string and filters into results: hits with
// their records, highlights and facets. It knows nothing of HTTP: the web
// package and the CLI both call it, and both print its Response as the
// same JSON.
//
// The query language is documented in docs/query-syntax.md.
package search

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"newsarchive/corpus"
	"newsarchive/index"
)

// Limits of a request.
const (
	DefaultSize = 20     // hits per page when a request does not say
	MaxSize     = 100    // the largest page
	MaxWindow   = 10_000 // hits reachable by page number; past it, use After
)

// Sort orders.
const (
	SortRelevance = "relevance" // best match first (the default)
	SortNewest    = "date"      // newest first
	SortOldest    = "-date"     // oldest first
)

// Request is a search: a query string, filters, an order and a page.
// Several values of one filter are alternatives (OR); different filters
// must all hold (AND).
type Request struct {
	Query    string
	Counties []string // gazetteer names or aliases (伊通 = 伊通满族自治县)
	Topics   []string // taxonomy labels or aliases
	Authors  []string
	Papers   []string
	From, To string // YYYY-MM-DD, inclusive
	Sort     string // SortRelevance (""), SortNewest or SortOldest
	Page     int    // 1-based; 0 means 1
	Size     int    // 0 means DefaultSize
	After    string // a Response.Next cursor; excludes Page > 1
}

// Response is the answer to a Request; its JSON form is the API's
// contract (docs/api.md).
type Response struct {
	Query  string  `json:"query"`
	Total  uint64  `json:"total"`
	TookMS int64   `json:"took_ms"`
	Page   int     `json:"page"`
	Size   int     `json:"size"`
	Next   *string `json:"next"`
	Hits   []Hit   `json:"hits"`
	Facets Facets  `json:"facets"`
}

// Hit is one matching article as a result list shows it. The full record,
// body included, is in Article.
type Hit struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	Paper     string    `json:"paper"`
	Date      string    `json:"date"`
	Page      string    `json:"page"`
	Kicker    string    `json:"kicker"`
	Title     string    `json:"title"`
	Subtitle  string    `json:"subtitle"`
	Authors   []string  `json:"authors"`
	County    string    `json:"county"`
	Counties  []string  `json:"counties"`
	Topic     string    `json:"topic"`
	Topics    []string  `json:"topics"`
	Source    string    `json:"source"`
	Score     float64   `json:"score"`
	Highlight Highlight `json:"highlight"`

	Article corpus.Article `json:"-"`
}

// Highlight is article text as HTML: escaped, with <mark> around the
// query's matches.
type Highlight struct {
	Title    string `json:"title"`
	Snippet  string `json:"snippet"` // about SnippetLength characters of the body
	Kicker   string `json:"kicker,omitempty"`
	Subtitle string `json:"subtitle,omitempty"`
	// Body is the whole body, paragraphs separated by "\n"; only
	// Searcher.Article fills it.
	Body string `json:"body,omitempty"`
}

// Facets counts the matching articles per value of each facet. A facet's
// counts ignore that facet's own filter (they are disjunctive), so that a
// second value can be added to it.
type Facets struct {
	County []FacetValue `json:"county"`
	Topic  []FacetValue `json:"topic"`
	Author []FacetValue `json:"author"`
	Paper  []FacetValue `json:"paper"`
	Date   []FacetValue `json:"date"` // per month (YYYY-MM), oldest first
}

// FacetValue is one value of a facet and its number of articles.
type FacetValue struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// ErrBadRequest wraps every error caused by the request itself; the text
// says what is wrong.
var ErrBadRequest = errors.New("bad request")

func badRequest(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadRequest, fmt.Sprintf(format, args...))
}

// Searcher runs requests against an open index. It is safe for concurrent
// use.
type Searcher struct {
	Index  *index.Index
	Tagger *corpus.Tagger // resolves county and topic names; nil accepts names as given
}

// facet describes one facet: its name in Facets, the index field it
// counts, and how many values to return.
type facet struct {
	name  string
	field string
	size  int
}

var facetList = []facet{
	{"county", index.FieldCounties, 200},
	{"topic", index.FieldTopics, 200},
	{"author", index.FieldAuthors, 30},
	{"paper", index.FieldPaper, 50},
	{"date", index.FieldMonth, 100_000},
}

// plan is a request made ready to run.
type plan struct {
	text    query.Query            // from the query string; nil for none
	filters map[string]query.Query // by facet name
	marks   []mark
	sort    string
	from    int
	size    int
	after   []string
}

// Search runs a request: one page of hits, the total, and the facets.
func (s *Searcher) Search(ctx context.Context, r Request) (*Response, error) {
	start := time.Now()
	p, err := s.plan(r)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil { // the deadline passed while waiting
		return nil, fmt.Errorf("search: %w", err)
	}
	req := p.request(p.query(""), p.size)
	req.From = p.from
	req.Fields = []string{index.FieldRecord}
	var disjunctive []facet
	for _, f := range facetList {
		if p.filters[f.name] == nil {
			req.AddFacet(f.name, bleve.NewFacetRequest(f.field, f.size))
		} else {
			disjunctive = append(disjunctive, f)
		}
	}

	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		results = map[string]*bleve.SearchResult{}
		errs    []error
	)
	for _, f := range disjunctive {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fr := bleve.NewSearchRequestOptions(p.query(f.name), 0, 0, false)
			fr.AddFacet(f.name, bleve.NewFacetRequest(f.field, f.size))
			res, err := s.Index.SearchInContext(ctx, fr)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("facet %s: %w", f.name, err))
				return
			}
			results[f.name] = res
		}()
	}
	res, err := s.Index.SearchInContext(ctx, req)
	wg.Wait()
	if err == nil {
		// Bleve checks the context every so many hits: a small result can
		// finish past the deadline without noticing.
		err = ctx.Err()
	}
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	results[""] = res

	out := &Response{
		Query: r.Query,
		Total: res.Total,
		Page:  p.from/p.size + 1,
		Size:  p.size,
		Hits:  make([]Hit, 0, len(res.Hits)),
	}
	hl := s.highlighter(p.marks)
	for _, h := range res.Hits {
		a, err := index.DecodeRecord(h.Fields)
		if err != nil {
			return nil, fmt.Errorf("hit %s: %w", h.ID, err)
		}
		out.Hits = append(out.Hits, newHit(a, h.Score, hl))
	}
	if uint64(p.from+len(res.Hits)) < res.Total && len(res.Hits) > 0 {
		c := p.cursor(res.Hits[len(res.Hits)-1])
		out.Next = &c
	}
	for _, f := range facetList {
		fr := results[""]
		if p.filters[f.name] != nil {
			fr = results[f.name]
		}
		out.Facets.set(f.name, facetValues(fr.Facets[f.name], f.name == "date"))
	}
	out.TookMS = time.Since(start).Milliseconds()
	return out, nil
}

// Check reports whether a request is well formed, without running it.
func (s *Searcher) Check(r Request) error {
	_, err := s.plan(r)
	return err
}

// Each calls fn for every matching article in the request's order, up to
// limit articles, reading the index a page at a time. The request's Page,
// Size and After are ignored.
func (s *Searcher) Each(ctx context.Context, r Request, limit int, fn func(Hit) error) error {
	r.Page, r.Size, r.After = 0, 0, ""
	p, err := s.plan(r)
	if err != nil {
		return err
	}
	hl := s.highlighter(p.marks)
	const pageSize = 500
	q := p.query("")
	var after []string
	for n := 0; n < limit; {
		req := p.request(q, min(pageSize, limit-n))
		req.Fields = []string{index.FieldRecord}
		if after != nil {
			req.SearchAfter = after
		}
		res, err := s.Index.SearchInContext(ctx, req)
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		for _, h := range res.Hits {
			a, err := index.DecodeRecord(h.Fields)
			if err != nil {
				return fmt.Errorf("hit %s: %w", h.ID, err)
			}
			if err := fn(newHit(a, h.Score, hl)); err != nil {
				return err
			}
		}
		n += len(res.Hits)
		if len(res.Hits) < req.Size {
			return nil
		}
		after = p.sortValues(res.Hits[len(res.Hits)-1])
	}
	return nil
}

// Article returns the full record of an article with the highlights of a
// query (which may be empty), the whole body included.
func (s *Searcher) Article(ctx context.Context, id, q string) (Hit, error) {
	a, err := s.Index.Record(ctx, id)
	if err != nil {
		return Hit{}, err
	}
	var marks []mark
	if q != "" {
		n, err := parseQuery(q)
		if err == nil && n != nil {
			c := s.compiler()
			if _, err := c.compile(n); err == nil {
				marks = c.marks
			}
		}
	}
	hl := s.highlighter(marks)
	h := newHit(a, 0, hl)
	h.Highlight.Body = hl.body(a.Body)
	return h, nil
}

func newHit(a corpus.Article, score float64, hl *highlighter) Hit {
	return Hit{
		ID: a.ID, Kind: a.Kind, Paper: a.Paper, Date: a.Date, Page: a.Page,
		Kicker: a.Kicker, Title: a.Title, Subtitle: a.Subtitle, Authors: nonNil(a.Authors),
		County: a.County, Counties: nonNil(a.Counties), Topic: a.Topic, Topics: nonNil(a.Topics),
		Source: a.Source, Score: score,
		Highlight: hl.article(&a),
		Article:   a,
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (f *Facets) set(name string, v []FacetValue) {
	switch name {
	case "county":
		f.County = v
	case "topic":
		f.Topic = v
	case "author":
		f.Author = v
	case "paper":
		f.Paper = v
	case "date":
		f.Date = v
	}
}

func facetValues(fr *bsearch.FacetResult, byValue bool) []FacetValue {
	out := []FacetValue{}
	if fr == nil || fr.Terms == nil {
		return out
	}
	for _, t := range fr.Terms.Terms() {
		if t.Term != "" { // an unknown paper or date is not a value
			out = append(out, FacetValue{Value: t.Term, Count: t.Count})
		}
	}
	if byValue {
		sort.Slice(out, func(i, j int) bool { return out[i].Value < out[j].Value })
	} else {
		sort.SliceStable(out, func(i, j int) bool {
			if out[i].Count != out[j].Count {
				return out[i].Count > out[j].Count
			}
			return out[i].Value < out[j].Value
		})
	}
	return out
}

// plan checks a request and builds its queries.
func (s *Searcher) plan(r Request) (*plan, error) {
	p := &plan{filters: map[string]query.Query{}}
	n, err := parseQuery(r.Query)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	if n != nil {
		c := s.compiler()
		if p.text, err = c.compile(n); err != nil {
			return nil, err
		}
		p.marks = c.marks
	}
	add := func(name string, values []string, build func(string) (query.Query, error)) error {
		var any []query.Query
		for _, v := range values {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			q, err := build(v)
			if err != nil {
				return err
			}
			any = append(any, q)
		}
		switch len(any) {
		case 0:
		case 1:
			p.filters[name] = any[0]
		default:
			p.filters[name] = bleve.NewDisjunctionQuery(any...)
		}
		return nil
	}
	if err := add("county", r.Counties, s.countyQuery); err != nil {
		return nil, err
	}
	if err := add("topic", r.Topics, s.topicQuery); err != nil {
		return nil, err
	}
	if err := add("author", r.Authors, keywordQuery(index.FieldAuthors)); err != nil {
		return nil, err
	}
	if err := add("paper", r.Papers, keywordQuery(index.FieldPaper)); err != nil {
		return nil, err
	}
	if r.From != "" || r.To != "" {
		q, err := dateRange(r.From, r.To)
		if err != nil {
			return nil, err
		}
		p.filters["date"] = q
	}

	switch r.Sort {
	case "", SortRelevance:
		p.sort = SortRelevance
	case SortNewest, SortOldest:
		p.sort = r.Sort
	default:
		return nil, badRequest("sort %q is not one of relevance, date (newest first), -date (oldest first)", r.Sort)
	}
	p.size = r.Size
	if p.size == 0 {
		p.size = DefaultSize
	}
	if p.size < 1 || p.size > MaxSize {
		return nil, badRequest("size %d is out of range (1 to %d)", r.Size, MaxSize)
	}
	page := r.Page
	if page == 0 {
		page = 1
	}
	if page < 1 {
		return nil, badRequest("page %d is out of range (pages start at 1)", r.Page)
	}
	if page*p.size > MaxWindow {
		return nil, badRequest("page %d of size %d reaches past the first %d hits; read further with the after cursor (the response's next)", page, p.size, MaxWindow)
	}
	p.from = (page - 1) * p.size
	if r.After != "" {
		if page > 1 {
			return nil, badRequest("after and page cannot be used together")
		}
		if p.after, err = decodeCursor(r.After, p.sort); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// query is the request's query without the filter of facet except ("" for
// none).
func (p *plan) query(except string) query.Query {
	var filters []query.Query
	for _, f := range facetList {
		if q := p.filters[f.name]; q != nil && f.name != except {
			filters = append(filters, q)
		}
	}
	if p.text == nil && len(filters) == 0 {
		return bleve.NewMatchAllQuery()
	}
	b := bleve.NewBooleanQuery()
	if p.text != nil {
		b.AddMust(p.text)
	}
	switch len(filters) {
	case 0:
	case 1:
		b.AddFilter(filters[0])
	default:
		b.AddFilter(bleve.NewConjunctionQuery(filters...))
	}
	return b
}

// request is a search request for q in the plan's order.
func (p *plan) request(q query.Query, size int) *bleve.SearchRequest {
	req := bleve.NewSearchRequestOptions(q, size, 0, false)
	// Ties are broken by article id, read from its doc values (Bleve's
	// _id would read every hit's stored fields), so that the order is
	// total and a cursor continues exactly where a page ended.
	byID := &bsearch.SortField{Field: index.FieldID, Type: bsearch.SortFieldAsString}
	switch p.sort {
	case SortNewest:
		req.SortByCustom(bsearch.SortOrder{
			&bsearch.SortField{Field: index.FieldDate, Type: bsearch.SortFieldAsDate, Desc: true, Missing: bsearch.SortFieldMissingLast},
			byID,
		})
	case SortOldest:
		req.SortByCustom(bsearch.SortOrder{
			&bsearch.SortField{Field: index.FieldDate, Type: bsearch.SortFieldAsDate, Missing: bsearch.SortFieldMissingLast},
			byID,
		})
	default:
		req.SortByCustom(bsearch.SortOrder{&bsearch.SortScore{Desc: true}, byID})
	}
	if p.after != nil {
		req.SearchAfter = p.after
	}
	return req
}

func (s *Searcher) countyQuery(name string) (query.Query, error) {
	c := name
	if s.Tagger != nil && s.Tagger.Gazetteer != nil {
		var ok bool
		if c, ok = s.Tagger.Gazetteer.Canonical(name); !ok {
			return nil, badRequest("unknown county %q", name)
		}
	}
	q := bleve.NewTermQuery(c)
	q.SetField(index.FieldCounties)
	return q, nil
}

func (s *Searcher) topicQuery(name string) (query.Query, error) {
	c := name
	if s.Tagger != nil && s.Tagger.Taxonomy != nil {
		var ok bool
		if c, ok = s.Tagger.Taxonomy.Canonical(name); !ok {
			return nil, badRequest("unknown topic %q (topics: %s)", name, strings.Join(s.Tagger.Taxonomy.Labels(), ", "))
		}
	}
	q := bleve.NewTermQuery(c)
	q.SetField(index.FieldTopics)
	return q, nil
}

func keywordQuery(field string) func(string) (query.Query, error) {
	return func(v string) (query.Query, error) {
		q := bleve.NewTermQuery(v)
		q.SetField(field)
		return q, nil
	}
}

// dateRange is the filter of the from and to parameters.
func dateRange(from, to string) (query.Query, error) {
	parse := func(name, s string) (time.Time, error) {
		if s == "" {
			return time.Time{}, nil
		}
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return t, badRequest("%s %q is not a date (want YYYY-MM-DD)", name, s)
		}
		return t, nil
	}
	f, err := parse("from", from)
	if err != nil {
		return nil, err
	}
	t, err := parse("to", to)
	if err != nil {
		return nil, err
	}
	if !t.IsZero() {
		t = t.AddDate(0, 0, 1) // inclusive
	}
	if !f.IsZero() && !t.IsZero() && !f.Before(t) {
		return nil, badRequest("from %s is after to %s", from, to)
	}
	return dateQuery(f, t), nil
}

// The widest date range an archive holds.
var (
	minDate = time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(2201, 1, 1, 0, 0, 0, 0, time.UTC)
)

// dateQuery matches dates in [from, to); a zero time is an open end.
func dateQuery(from, to time.Time) query.Query {
	incl, excl := true, false
	q := bleve.NewDateRangeInclusiveQuery(from, to, &incl, &excl)
	q.SetField(index.FieldDate)
	return q
}
