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
	"log/slog"
	"strings"
	"sync"
	"time"

	"newsarchive/corpus"
	"newsarchive/engine"
)

// Limits of a request.
const (
	DefaultSize = 20     // hits per page when a request does not say
	MaxSize     = 100    // the largest page
	MaxWindow   = 10_000 // hits reachable by page number; past it, use After
)

// Sort orders.
const (
	SortRelevance = engine.SortRelevance // best match first (the default)
	SortNewest    = engine.SortNewest    // newest first
	SortOldest    = engine.SortOldest    // oldest first
	// SortPage (pageorder.go) is by date, paper, page and position.
)

// Request is a search: a query string, filters, an order and a page.
// Several values of one filter are alternatives (OR); different filters
// must all hold (AND).
type Request struct {
	Query string
	// Provinces, Prefectures and Counties are places at each level, each a
	// code (22, 220000; 2203, 220300; 220323) or a name (official, short,
	// display: 伊通, 伊通满族自治县, 铁东区（四平）); a place counts for its
	// ancestors (county 伊通满族自治县 is in prefecture 四平市, province
	// 吉林省). A name shared by several places is a *PlaceError.
	Provinces   []string
	Prefectures []string
	Counties    []string
	Topics      []string // taxonomy labels or aliases
	Authors     []string
	Papers      []string
	From, To    string // YYYY-MM-DD, inclusive, within corpus.MinDate..MaxDate
	Sort        string // SortRelevance (""), SortNewest, SortOldest or SortPage
	Page        int    // 1-based; 0 means 1
	Size        int    // 0 means DefaultSize
	After       string // a Response.Next cursor; excludes Page > 1
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
	// Suggestions are other spellings of a query with few hits
	// (Searcher.SuggestBelow), best first, on the first page only; empty
	// otherwise.
	Suggestions []Suggestion `json:"suggestions"`
	// Authors names the bare words of the query that are authors, with
	// their articles, on the first page only.
	Authors []AuthorHint `json:"authors"`
}

// Hit is one matching article as a result list shows it. The full record,
// body included, is in Article.
type Hit struct {
	ID        string         `json:"id"`
	Kind      string         `json:"kind"`
	Paper     string         `json:"paper"`
	Date      string         `json:"date"`
	Page      string         `json:"page"`
	Kicker    string         `json:"kicker"`
	Title     string         `json:"title"`
	Subtitle  string         `json:"subtitle"`
	Authors   []string       `json:"authors"`
	County    string         `json:"county"`
	Counties  []string       `json:"counties"`
	Places    []corpus.Place `json:"places"`
	Topic     string         `json:"topic"`
	Topics    []string       `json:"topics"`
	Source    string         `json:"source"`
	Score     float64        `json:"score"`
	Highlight Highlight      `json:"highlight"`

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
	County     []FacetValue `json:"county"`
	Prefecture []FacetValue `json:"prefecture"`
	Province   []FacetValue `json:"province"`
	Topic      []FacetValue `json:"topic"`
	Author     []FacetValue `json:"author"`
	Paper      []FacetValue `json:"paper"`
	Date       []FacetValue `json:"date"` // per month (YYYY-MM), oldest first
}

// FacetValue is one value of a facet and its number of articles.
type FacetValue struct {
	Value string `json:"value"`
	Count int    `json:"count"`
	// Code is a place's division code (220323), in the place facets
	// (county, prefecture, province); "" (left out) elsewhere or when the
	// gazetteer does not know the value.
	Code string `json:"code,omitempty"`
}

// facetValues converts an engine's facet values.
func facetValues(vs []engine.FacetValue) []FacetValue {
	out := make([]FacetValue, len(vs))
	for i, v := range vs {
		out[i] = FacetValue{Value: v.Value, Count: v.Count}
	}
	return out
}

// ErrBadRequest wraps every error caused by the request itself; the text
// says what is wrong.
var ErrBadRequest = errors.New("bad request")

// Errors of the engine, for callers that answer them (404, 503).
var (
	// ErrNotFound: no article has the id.
	ErrNotFound = engine.ErrNotFound
	// ErrUnavailable: the engine cannot answer now (a closed or damaged
	// generation, an unreachable cluster); retry.
	ErrUnavailable = engine.ErrUnavailable
)

func badRequest(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadRequest, fmt.Sprintf(format, args...))
}

// Searcher runs requests against an engine (the embedded index or an
// OpenSearch cluster). It is safe for concurrent use.
type Searcher struct {
	Engine engine.Engine
	Tagger *corpus.Tagger // resolves place and topic names; nil accepts names as given
	// SuggestBelow is the number of hits under which the first page of a
	// search offers other spellings: 0 means DefaultSuggestBelow, a
	// negative number never.
	SuggestBelow int

	codes sync.Map // level + "\x00" + display name → the place facets' code
}

// facetList are the facets of a search response. A facet's name is also
// the name of its filter.
var facetList = []engine.Facet{
	{Name: "county", Field: engine.FieldCounties, Size: 5000},
	{Name: "prefecture", Field: engine.FieldPrefectures, Size: 500},
	{Name: "province", Field: engine.FieldProvinces, Size: 50},
	{Name: "topic", Field: engine.FieldTopics, Size: 200},
	{Name: "author", Field: engine.FieldAuthors, Size: 30},
	{Name: "paper", Field: engine.FieldPaper, Size: 50},
	{Name: "date", Field: engine.FieldMonth, Size: 100_000, ByValue: true},
}

// filterOrder is the order in which a request's filters are given to the
// engine.
var filterOrder = []string{"county", "prefecture", "province", "topic", "author", "paper", "date"}

// plan is a request made ready to run.
type plan struct {
	text    engine.Query              // from the query string; nil for none
	node    node                      // the parsed query string; nil for none
	filters map[string]*engine.Filter // by facet name
	marks   []mark
	sort    string
	from    int
	size    int
	after   *engine.Cursor
	key     string // the request's requestKey, bound into its cursors

	// pageOrder: SortPage, which the engine runs as SortOldest and search
	// orders (pageOrdered).
	pageOrder bool
}

// request is the engine request of a plan, with the given facets, for
// size hits from offset.
func (p *plan) request(facets []engine.Facet, offset, size int) *engine.Request {
	r := &engine.Request{Query: p.text, Facets: facets, Sort: p.sort, After: p.after, Offset: offset, Size: size}
	for _, name := range filterOrder {
		if f := p.filters[name]; f != nil {
			r.Filters = append(r.Filters, *f)
		}
	}
	return r
}

// engineError marks the engine's complaints about a request as bad
// requests.
func engineError(err error) error {
	if errors.Is(err, engine.ErrBadRequest) && !errors.Is(err, ErrBadRequest) {
		return fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	return err
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
	size := p.size
	if p.pageOrder {
		size = 0 // the total and facets; pageOrdered reads the hits
	}
	res, err := s.Engine.Search(ctx, p.request(facetList, p.from, size))
	if err != nil {
		return nil, engineError(err)
	}
	if p.pageOrder {
		all, err := s.pageOrdered(ctx, p, res.Total)
		if err != nil {
			return nil, err
		}
		res.Hits = all[min(p.from, len(all)):min(p.from+p.size, len(all))]
		res.Eligible = 0 // no cursor: every page is reachable by number
	}
	out := &Response{
		Query: r.Query,
		Total: res.Total,
		Page:  p.from/p.size + 1,
		Size:  p.size,
		Hits:  make([]Hit, 0, p.size),
	}
	hl := s.highlighter(p.marks)
	for _, h := range res.Hits {
		out.Hits = append(out.Hits, newHit(h.Record, h.Score, hl))
	}
	if n := len(res.Hits); n > 0 && uint64(p.from+n) < res.Eligible {
		cur := p.cursor(res.Hits[n-1].Cursor)
		out.Next = &cur
	}
	for _, f := range facetList {
		vs := facetValues(res.Facets[f.Name])
		if level, ok := facetLevel[f.Name]; ok {
			for i := range vs {
				vs[i].Code = s.placeCode(vs[i].Value, level)
			}
		}
		out.Facets.set(f.Name, vs)
	}
	out.Suggestions, out.Authors = []Suggestion{}, []AuthorHint{}
	if p.node != nil && p.from == 0 && p.after == nil {
		s.help(ctx, r, p, out)
	}
	out.TookMS = time.Since(start).Milliseconds()
	return out, nil
}

// help fills the first page's suggestions and author hints. It logs what
// fails rather than failing the search.
func (s *Searcher) help(ctx context.Context, r Request, p *plan, out *Response) {
	hints, err := s.authorHints(ctx, p.node)
	if err != nil {
		slog.WarnContext(ctx, "author hints", "query", r.Query, "err", err)
	} else {
		out.Authors = hints
	}
	below := s.SuggestBelow
	if below == 0 {
		below = DefaultSuggestBelow
	}
	if out.Total >= uint64(max(below, 0)) {
		return
	}
	names := map[string]bool{}
	for _, h := range out.Authors {
		names[h.Name] = true
	}
	sugg, err := s.suggest(ctx, r, p.node, out.Total, names)
	if err != nil {
		slog.WarnContext(ctx, "suggestions", "query", r.Query, "err", err)
		return
	}
	out.Suggestions = sugg
}

// Stats describes the engine's generation for maintainers.
type Stats = engine.Stats

// Stats counts the engine's generation: articles, files, size, values of
// the keyword fields, dates.
func (s *Searcher) Stats(ctx context.Context) (Stats, error) { return s.Engine.Stats(ctx) }

// Check reports whether a request is well formed, without running it.
func (s *Searcher) Check(r Request) error {
	_, err := s.plan(r)
	return err
}

// Each calls fn for every matching article in the request's order, up to
// limit articles, reading the index a page at a time. The request's Page,
// Size and After are ignored. Its hits carry no highlights: downloads,
// its users, do not show them.
func (s *Searcher) Each(ctx context.Context, r Request, limit int, fn func(Hit) error) error {
	r.Page, r.Size, r.After = 0, 0, ""
	p, err := s.plan(r)
	if err != nil {
		return err
	}
	if limit <= 0 {
		return nil
	}
	if p.pageOrder {
		res, err := s.Engine.Search(ctx, p.request(nil, 0, 0))
		if err != nil {
			return engineError(err)
		}
		all, err := s.pageOrdered(ctx, p, res.Total)
		if err != nil {
			return err
		}
		for _, h := range all[:min(limit, len(all))] {
			if err := fn(newHit(h.Record, h.Score, nil)); err != nil {
				return err
			}
		}
		return nil
	}
	err = s.Engine.Each(ctx, p.request(nil, 0, limit), func(h engine.Hit) error {
		return fn(newHit(h.Record, h.Score, nil))
	})
	return engineError(err)
}

// Article returns the full record of an article with the highlights of a
// query (which may be empty), the whole body included.
func (s *Searcher) Article(ctx context.Context, id, q string) (Hit, error) {
	a, err := s.record(ctx, id)
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

// MovedError is returned for an article id that now belongs to another
// article (an id from before a schema change, or of a file that moved):
// a link with ID should redirect to To.
type MovedError = engine.MovedError

// record reads an article's record (a *MovedError for an old id).
func (s *Searcher) record(ctx context.Context, id string) (corpus.Article, error) {
	return s.Engine.Record(ctx, id)
}

func newHit(a corpus.Article, score float64, hl *highlighter) Hit {
	return Hit{
		ID: a.ID, Kind: a.Kind, Paper: a.Paper, Date: a.Date, Page: a.Page,
		Kicker: a.Kicker, Title: a.Title, Subtitle: a.Subtitle, Authors: nonNil(a.Authors),
		County: a.County, Counties: nonNil(a.Counties), Places: nonNilPlaces(a.Places), Topic: a.Topic, Topics: nonNil(a.Topics),
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

func nonNilPlaces(p []corpus.Place) []corpus.Place {
	if p == nil {
		return []corpus.Place{}
	}
	return p
}

// facetLevel is the place level of each place facet.
var facetLevel = map[string]string{"county": corpus.LevelCounty, "prefecture": corpus.LevelPrefecture, "province": corpus.LevelProvince}

func (f *Facets) set(name string, v []FacetValue) {
	switch name {
	case "county":
		f.County = v
	case "prefecture":
		f.Prefecture = v
	case "province":
		f.Province = v
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

// plan checks a request and builds its queries.
func (s *Searcher) plan(r Request) (*plan, error) {
	p := &plan{filters: map[string]*engine.Filter{}}
	n, err := parseQuery(r.Query)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	p.node = n
	if n != nil {
		c := s.compiler()
		if p.text, err = c.compile(n); err != nil {
			return nil, err
		}
		p.marks = c.marks
	}
	add := func(name, field string, values []string, canonical func(string) (string, error)) error {
		var names []string
		for _, v := range values {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			c, err := canonical(v)
			if err != nil {
				return err
			}
			names = append(names, c)
		}
		if len(names) > 0 {
			p.filters[name] = &engine.Filter{Name: name, Field: field, Values: names}
		}
		return nil
	}
	asGiven := func(v string) (string, error) { return v, nil }
	if err := add("province", engine.FieldProvinces, r.Provinces, s.canonicalPlace(corpus.LevelProvince)); err != nil {
		return nil, err
	}
	if err := add("prefecture", engine.FieldPrefectures, r.Prefectures, s.canonicalPlace(corpus.LevelPrefecture)); err != nil {
		return nil, err
	}
	if err := add("county", engine.FieldCounties, r.Counties, s.canonicalPlace(corpus.LevelCounty)); err != nil {
		return nil, err
	}
	if err := add("topic", engine.FieldTopics, r.Topics, s.canonicalTopic); err != nil {
		return nil, err
	}
	if err := add("author", engine.FieldAuthors, r.Authors, asGiven); err != nil {
		return nil, err
	}
	if err := add("paper", engine.FieldPaper, r.Papers, asGiven); err != nil {
		return nil, err
	}
	if r.From != "" || r.To != "" {
		f, err := dateRange(r.From, r.To)
		if err != nil {
			return nil, err
		}
		p.filters["date"] = f
	}

	switch r.Sort {
	case "":
		// With nothing to rank by, the newest first (the 全部文章 list).
		p.sort = SortRelevance
		if n == nil {
			p.sort = SortNewest
		}
	case SortRelevance:
		p.sort = SortRelevance
	case SortNewest, SortOldest:
		p.sort = r.Sort
	case SortPage:
		p.sort, p.pageOrder = SortOldest, true
	default:
		return nil, invalid(CodeBadSort, fmt.Sprintf("没有“%s”这种排序（可选：相关度 relevance、新→旧 date、旧→新 -date、版面顺序 page）", r.Sort),
			"sort %q is not one of relevance, date (newest first), -date (oldest first), page (date, paper, page, position on the page)", r.Sort)
	}
	p.size = r.Size
	if p.size == 0 {
		p.size = DefaultSize
	}
	if p.size < 1 || p.size > MaxSize {
		return nil, invalid(CodeBadSize, fmt.Sprintf("每页篇数 %d 超出范围（1 到 %d）", r.Size, MaxSize), "size %d is out of range (1 to %d)", r.Size, MaxSize)
	}
	page := r.Page
	if page == 0 {
		page = 1
	}
	if page < 1 {
		return nil, invalid(CodeBadPage, fmt.Sprintf("页码 %d 超出范围（从 1 开始）", r.Page), "page %d is out of range (pages start at 1)", r.Page)
	}
	if page*p.size > MaxWindow {
		return nil, invalid(CodeBadPage, fmt.Sprintf("第 %d 页超出了按页码能翻到的前 %d 篇；请用“下一页”继续阅读", page, MaxWindow),
			"page %d of size %d reaches past the first %d hits; read further with the after cursor (the response's next)", page, p.size, MaxWindow)
	}
	p.from = (page - 1) * p.size
	p.key = s.requestKey(r)
	if r.After != "" {
		if p.pageOrder {
			return nil, invalid(CodeBadCursor, "按版面顺序排列时没有继续阅读的游标，请用页码翻页",
				"sort=page has no after cursor (every page is reachable by page number)")
		}
		if page > 1 {
			return nil, invalid(CodeBadCursor, "游标 after 和页码 page 不能同时使用", "after and page cannot be used together")
		}
		v, err := decodeCursor(r.After, p.sort, p.key)
		if err != nil {
			return nil, err
		}
		p.after = &engine.Cursor{Value: v[0], ID: v[1]}
	}
	return p, nil
}

// canonicalTopic returns the taxonomy's label of a topic or alias.
func (s *Searcher) canonicalTopic(name string) (string, error) {
	if s.Tagger == nil || s.Tagger.Taxonomy == nil {
		return name, nil
	}
	c, ok := s.Tagger.Taxonomy.Canonical(name)
	if !ok {
		return "", invalid(CodeUnknownTopic, fmt.Sprintf("没有“%s”这个主题（主题有：%s）", name, strings.Join(s.Tagger.Taxonomy.Labels(), "、")),
			"unknown topic %q (topics: %s)", name, strings.Join(s.Tagger.Taxonomy.Labels(), ", "))
	}
	return c, nil
}

func (s *Searcher) countyQuery(name string) (engine.Query, error) {
	c, err := s.canonicalPlace(corpus.LevelCounty)(name)
	if err != nil {
		return nil, err
	}
	return engine.Term{Field: engine.FieldCounties, Value: c}, nil
}

func (s *Searcher) topicQuery(name string) (engine.Query, error) {
	c, err := s.canonicalTopic(name)
	if err != nil {
		return nil, err
	}
	return engine.Term{Field: engine.FieldTopics, Value: c}, nil
}

// dateLabel names the from and to parameters in Chinese.
var dateLabel = map[string]string{"from": "起始日期", "to": "截止日期"}

// dateRange is the filter of the from and to parameters, days within the
// archive's range (corpus.MinDate..MaxDate).
func dateRange(from, to string) (*engine.Filter, error) {
	parse := func(name, s string) (time.Time, error) {
		if s == "" {
			return time.Time{}, nil
		}
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return t, invalid(CodeBadDate, fmt.Sprintf("%s“%s”不是日期（应写作 2022-06-15 这样的年-月-日）", dateLabel[name], s), "%s %q is not a date (want YYYY-MM-DD)", name, s)
		}
		if !corpus.DateInRange(t) {
			return t, fmt.Errorf("%w: %s: %w", ErrBadRequest, name, &corpus.DateRangeError{Date: s})
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
		return nil, invalid(CodeBadDate, fmt.Sprintf("起始日期 %s 晚于截止日期 %s", from, to), "from %s is after to %s", from, to)
	}
	return &engine.Filter{Name: "date", Field: engine.FieldDate, From: f, To: t}, nil
}
