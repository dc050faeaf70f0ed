package search

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/golang-lru/v2/simplelru"

	"newsarchive/corpus"
	"newsarchive/corpus/textnorm"
	"newsarchive/engine"
)

// Limits of a concordance.
const (
	DefaultContext         = 20  // characters of context on each side
	MaxContext             = 100 // the widest context
	DefaultConcordanceSize = 100 // lines per page
	MaxConcordanceSize     = 500 // the largest page
	// MaxConcordanceHeld is the most occurrences a concordance holds to
	// sort and page (32 bytes each, up to about 130 with the context a
	// left or right sort compares); past it the rest are counted
	// but not listed, and the answer says it was cut.
	MaxConcordanceHeld = 500_000
	// concordanceKeyLen is how many characters of context the left and
	// right sorts compare.
	concordanceKeyLen = 32
)

// Orders of a concordance.
const (
	ConcordanceNewest = SortNewest // by article date, newest first (the default), then place in the article
	ConcordanceOldest = SortOldest // by article date, oldest first, then place in the article
	ConcordanceLeft   = "left"     // by the left context read backwards from the match
	ConcordanceRight  = "right"    // by the right context
)

// Fields of a concordance line, in the order they are read.
const (
	FieldKicker   = "kicker"
	FieldTitle    = "title"
	FieldSubtitle = "subtitle"
	FieldBody     = "body"
)

var concordanceFields = []string{FieldKicker, FieldTitle, FieldSubtitle, FieldBody}

// ConcordanceRequest asks for every occurrence of one string (keyword in
// context).
type ConcordanceRequest struct {
	// Query holds exactly one string to look for: quoted ("黑土地"), or a
	// bare term, read as its exact string; title: limits it to the head.
	// It may hold field terms (county:, date:, …) and excluded terms as
	// in a search.
	Query string
	// Filters holds the filters of a search (Provinces, Prefectures,
	// Counties, Topics, Authors, Papers, From, To); its Query must be empty, Sort, Page, Size and
	// After are ignored.
	Filters Request
	// Context is the number of characters on each side (0: DefaultContext;
	// at most MaxContext).
	Context int
	// Sort is ConcordanceNewest (""), ConcordanceOldest, ConcordanceLeft
	// or ConcordanceRight.
	Sort string
	// Page is 1-based (0: 1); Size the lines per page (0:
	// DefaultConcordanceSize; at most MaxConcordanceSize).
	Page, Size int
	// Hold caps the occurrences held (0 or more than MaxConcordanceHeld:
	// MaxConcordanceHeld).
	Hold int
}

// Concordance is every occurrence of a string in the articles matching a
// query: exact as quoted queries are (every occurrence in the folded text
// of the matching articles, overlapping ones included, none invented).
type Concordance struct {
	Query string `json:"query"`
	// String is the string looked for, as written in the query.
	String string `json:"string"`
	// Occurrences and Articles count every occurrence and the articles
	// holding one, exactly, even when the list is cut.
	Occurrences int `json:"occurrences"`
	Articles    int `json:"articles"`
	// Matched is the number of articles the query matched. A string with
	// punctuation or spaces matches the articles holding each of its runs,
	// so Matched may exceed Articles; for other strings they are equal.
	Matched uint64 `json:"matched"`
	// Held is the number of occurrences sorted and paged; Cut is true when
	// it is less than Occurrences (the first Held in date order are held).
	Held    int               `json:"held"`
	Cut     bool              `json:"cut"`
	Context int               `json:"context"`
	Sort    string            `json:"sort"`
	Page    int               `json:"page"`
	Size    int               `json:"size"`
	Lines   []ConcordanceLine `json:"lines"`
}

// ConcordanceLine is one occurrence with its context, taken from the
// article's text as it is (paragraph breaks shown as spaces).
type ConcordanceLine struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Date  string `json:"date"`
	Paper string `json:"paper"`
	// Field is kicker, title, subtitle or body; Offset the occurrence's
	// place in it, in characters from 0.
	Field  string `json:"field"`
	Offset int    `json:"offset"`
	Left   string `json:"left"`
	Match  string `json:"match"`
	Right  string `json:"right"`
}

// occurrence is a held occurrence: small, so that many fit.
type occurrence struct {
	art   int32 // index into the articles read, in date order
	field uint8
	at    int32  // rune offset in the field
	key   string // the folded context the order compares (left: reversed)
}

type concordanceArticle struct{ id, title, date, paper string }

// Concordance lists every occurrence of a query's string in the matching
// articles with its context, sorted and paged. A query with no string or
// more than one, or a bad filter, page or size, is an ErrBadRequest.
func (s *Searcher) Concordance(ctx context.Context, r ConcordanceRequest) (*Concordance, error) {
	st, err := s.concordance(ctx, r)
	if err != nil {
		return nil, err
	}
	out := st.out
	from := (out.Page - 1) * out.Size
	if from >= len(st.occs) {
		return out, nil
	}
	err = st.lines(ctx, s, st.occs[from:min(len(st.occs), from+out.Size)], func(l ConcordanceLine) error {
		out.Lines = append(out.Lines, l)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ConcordanceLines is Concordance in one pass for a download: fn gets
// each held line in the request's order, from the first, at most limit of
// them (Page and Size are ignored; 0 lines for a limit of 0). The answer
// holds the counts, no lines. A bad request is an error before fn is
// called; an error of fn stops the lines and is returned.
func (s *Searcher) ConcordanceLines(ctx context.Context, r ConcordanceRequest, limit int, fn func(ConcordanceLine) error) (*Concordance, error) {
	r.Page, r.Size = 1, 1
	st, err := s.concordance(ctx, r)
	if err != nil {
		return nil, err
	}
	st.out.Page, st.out.Size = 0, 0
	return st.out, st.lines(ctx, s, st.occs[:min(max(limit, 0), len(st.occs))], fn)
}

// concordanceState is a concordance's pass: the answer's counts, the
// occurrences held in order and what renders their lines.
type concordanceState struct {
	out    *Concordance
	occs   []occurrence
	arts   []concordanceArticle
	fields []string
	needle []rune
}

// concordance checks a request, makes the pass over the matching records
// and sorts the occurrences held.
func (s *Searcher) concordance(ctx context.Context, r ConcordanceRequest) (*concordanceState, error) {
	out := &Concordance{Query: r.Query, Context: r.Context, Sort: r.Sort, Page: r.Page, Size: r.Size, Lines: []ConcordanceLine{}}
	if out.Context == 0 {
		out.Context = DefaultContext
	}
	if out.Context < 1 || out.Context > MaxContext {
		return nil, invalid(CodeBadRequest, fmt.Sprintf("上下文宽度 %d 无效：应为 1 到 %d 之间的整数（每侧的字数）。", r.Context, MaxContext), "context %d is out of range (1 to %d characters)", r.Context, MaxContext)
	}
	if out.Size == 0 {
		out.Size = DefaultConcordanceSize
	}
	if out.Size < 1 || out.Size > MaxConcordanceSize {
		return nil, invalid(CodeBadSize, fmt.Sprintf("每页行数 %d 无效：应为 1 到 %d。", r.Size, MaxConcordanceSize), "size %d is out of range (1 to %d)", r.Size, MaxConcordanceSize)
	}
	if out.Page == 0 {
		out.Page = 1
	}
	if out.Page < 1 {
		return nil, invalid(CodeBadPage, fmt.Sprintf("页码 %d 无效：页码从 1 开始。", r.Page), "page %d is out of range (pages start at 1)", r.Page)
	}
	order := SortNewest
	switch r.Sort {
	case "":
		out.Sort = ConcordanceNewest
	case ConcordanceNewest, ConcordanceLeft, ConcordanceRight:
	case ConcordanceOldest:
		order = SortOldest
	default:
		return nil, invalid(CodeBadSort, fmt.Sprintf("排序 sort=%s 无效：应为 date、-date、left 或 right。", r.Sort), "sort %q is not one of date (newest first), -date (oldest first), left, right", r.Sort)
	}
	hold := r.Hold
	if hold <= 0 || hold > MaxConcordanceHeld {
		hold = MaxConcordanceHeld
	}
	if strings.TrimSpace(r.Filters.Query) != "" {
		return nil, badRequest("the filters of a concordance take no query")
	}

	// The string, and the query made exact.
	n, err := parseQuery(r.Query)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
	var terms []termNode
	exact, err := exactTerms(n, false, &terms)
	if err != nil {
		return nil, err
	}
	if len(terms) != 1 {
		return nil, invalid(CodeBadRequest, fmt.Sprintf("上下文检索只找一个字符串（加引号的字符串或一个词），这个检索式有 %d 个。", len(terms)), "a concordance looks for one string (quoted, or a bare term); this query has %d", len(terms))
	}
	term := terms[0]
	out.String = strings.TrimSpace(term.text)
	q, err := s.compiler().compile(exact)
	if err != nil {
		return nil, err
	}
	p, err := s.plan(Request{Provinces: r.Filters.Provinces, Prefectures: r.Filters.Prefectures, Counties: r.Filters.Counties, Topics: r.Filters.Topics, Authors: r.Filters.Authors,
		Papers: r.Filters.Papers, From: r.Filters.From, To: r.Filters.To, Sort: order})
	if err != nil {
		return nil, err
	}
	p.text = q
	needle := []rune(textnorm.String(out.String))
	fields := concordanceFields
	if term.field == fieldTitle {
		fields = fields[:3]
	}
	keyLen := min(out.Context, concordanceKeyLen)

	// One pass over the matching records: count everything, hold up to
	// hold occurrences.
	var (
		arts []concordanceArticle
		occs []occurrence
	)
	err = s.Engine.Each(ctx, p.request(nil, 0, 0), func(h engine.Hit) error {
		out.Matched++
		a := &h.Record
		found := false
		for fi, f := range fields {
			text := []rune(textnorm.String(fieldText(a, f)))
			for _, at := range occurrences(text, needle) {
				out.Occurrences++
				if !found {
					found = true
					out.Articles++
					if len(occs) < hold {
						arts = append(arts, concordanceArticle{id: a.ID, title: a.Title, date: a.Date, paper: a.Paper})
					}
				}
				if len(occs) >= hold {
					out.Cut = true
					continue
				}
				o := occurrence{art: int32(len(arts) - 1), field: uint8(fi), at: int32(at)}
				switch out.Sort {
				case ConcordanceLeft:
					lo := max(0, at-keyLen)
					k := slices.Clone(text[lo:at])
					slices.Reverse(k)
					o.key = flat(k)
				case ConcordanceRight:
					e := at + len(needle)
					o.key = flat(text[e:min(len(text), e+keyLen)])
				}
				occs = append(occs, o)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("concordance: %w", engineError(err))
	}
	out.Held = len(occs)
	if out.Sort == ConcordanceLeft || out.Sort == ConcordanceRight {
		// Stable: equal contexts keep the date order.
		slices.SortStableFunc(occs, func(a, b occurrence) int { return cmp.Compare(a.key, b.key) })
	}
	return &concordanceState{out: out, occs: occs, arts: arts, fields: fields, needle: needle}, nil
}

// recordsHeld bounds the records a concordance's lines keep at once: the
// lines of one article follow each other in date order, not in a
// context order, where an article may be read again.
const recordsHeld = 256

// lines renders occurrences as lines, from the records as they are now.
func (st *concordanceState) lines(ctx context.Context, s *Searcher, occs []occurrence, fn func(ConcordanceLine) error) error {
	out, arts, fields, needle := st.out, st.arts, st.fields, st.needle
	records, err := simplelru.NewLRU[int32, corpus.Article](recordsHeld, nil)
	if err != nil {
		return fmt.Errorf("concordance: %w", err)
	}
	for _, o := range occs {
		if err := ctx.Err(); err != nil {
			return err
		}
		a, ok := records.Get(o.art)
		if !ok {
			rec, err := s.Engine.Record(ctx, arts[o.art].id)
			if err != nil {
				var moved *engine.MovedError
				if errors.As(err, &moved) || errors.Is(err, engine.ErrNotFound) {
					return fmt.Errorf("concordance: article %s changed while it was read (%w); retry: %w", arts[o.art].id, err, ErrUnavailable)
				}
				return fmt.Errorf("concordance: %w", err)
			}
			a = rec
			records.Add(o.art, rec)
		}
		f := fields[o.field]
		text := []rune(fieldText(&a, f))
		at, end := int(o.at), int(o.at)+len(needle)
		if end > len(text) || !slices.Equal([]rune(textnorm.String(string(text[at:end]))), needle) {
			return fmt.Errorf("concordance: article %s changed while it was read; retry: %w", a.ID, ErrUnavailable)
		}
		meta := arts[o.art]
		if err := fn(ConcordanceLine{
			ID: meta.id, Title: meta.title, Date: meta.date, Paper: meta.paper,
			Field: f, Offset: at,
			Left:  flat(text[max(0, at-out.Context):at]),
			Match: flat(text[at:end]),
			Right: flat(text[end:min(len(text), end+out.Context)]),
		}); err != nil {
			return err
		}
	}
	return nil
}

// exactTerms copies a parsed query with every text term (no field or
// title:) not under a "-" made exact, and collects those terms. Nodes it
// does not know are a bad request: a concordance takes plain strings.
func exactTerms(n node, negated bool, terms *[]termNode) (node, error) {
	switch n := n.(type) {
	case nil:
		return nil, nil
	case termNode:
		if (n.field == "" || n.field == fieldTitle) && !negated {
			n.quoted, n.near = true, false
			*terms = append(*terms, n)
		}
		return n, nil
	case notNode:
		c, err := exactTerms(n.child, !negated, terms)
		return notNode{c}, err
	case andNode:
		cs := make([]node, len(n.children))
		for i, c := range n.children {
			var err error
			if cs[i], err = exactTerms(c, negated, terms); err != nil {
				return nil, err
			}
		}
		return andNode{cs}, nil
	case orNode:
		cs := make([]node, len(n.children))
		for i, c := range n.children {
			var err error
			if cs[i], err = exactTerms(c, negated, terms); err != nil {
				return nil, err
			}
		}
		return orNode{cs}, nil
	}
	return nil, badRequest("a concordance takes one string with field terms, not %T", n)
}

// fieldText is one field of an article.
func fieldText(a *corpus.Article, f string) string {
	switch f {
	case FieldKicker:
		return a.Kicker
	case FieldTitle:
		return a.Title
	case FieldSubtitle:
		return a.Subtitle
	}
	return a.Body
}

// occurrences returns the rune offsets of every occurrence of needle in
// text, overlapping ones included.
func occurrences(text, needle []rune) []int {
	var at []int
	if len(needle) == 0 {
		return nil
	}
	for i := 0; i+len(needle) <= len(text); i++ {
		if text[i] == needle[0] && slices.Equal(text[i:i+len(needle)], needle) {
			at = append(at, i)
		}
	}
	return at
}

// flat is context text on one line: line breaks become spaces, one for
// one, so that offsets stay true (and the sorts compare what is shown).
func flat(rs []rune) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, string(rs))
}
