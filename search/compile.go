package search

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"newsarchive/corpus"
	"newsarchive/corpus/textnorm"
	"newsarchive/engine"
	"newsarchive/index/analysis"
)

// compiler turns a parsed query into an engine query and collects the
// strings to highlight.
type compiler struct {
	s     *Searcher
	marks []mark
}

func (s *Searcher) compiler() *compiler { return &compiler{s: s} }

func (c *compiler) compile(n node) (engine.Query, error) {
	return c.node(n, false)
}

// node compiles n; negated is true under a "-", where nothing is
// highlighted.
func (c *compiler) node(n node, negated bool) (engine.Query, error) {
	switch n := n.(type) {
	case termNode:
		return c.term(n, negated)
	case orNode:
		var qs []engine.Query
		for _, ch := range n.children {
			q, err := c.node(ch, negated)
			if err != nil {
				return nil, err
			}
			qs = append(qs, q)
		}
		return engine.Or{Any: qs}, nil
	case notNode:
		q, err := c.node(n.child, !negated)
		if err != nil {
			return nil, err
		}
		return engine.And{Not: []engine.Query{q}}, nil
	case andNode:
		var must, mustNot []engine.Query
		// Punctuation between terms, as in a title typed as it is
		// (…（2022-2035年）》), is no term: skipped when something else is
		// searched for. Alone it is still an error.
		punct := func(ch node) bool {
			t, ok := ch.(termNode)
			return ok && !t.quoted && t.field == "" && !searchable(t.text)
		}
		skip := false
		for _, ch := range n.children {
			skip = skip || !punct(ch)
		}
		for _, ch := range n.children {
			if skip && punct(ch) {
				continue
			}
			if not, ok := ch.(notNode); ok {
				q, err := c.node(not.child, !negated)
				if err != nil {
					return nil, err
				}
				mustNot = append(mustNot, q)
				continue
			}
			q, err := c.node(ch, negated)
			if err != nil {
				return nil, err
			}
			must = append(must, q)
		}
		return engine.And{Must: must, Not: mustNot}, nil
	}
	return nil, fmt.Errorf("search: unknown query node %T", n)
}

func (c *compiler) term(t termNode, negated bool) (engine.Query, error) {
	fail := func(code, chinese, format string, args ...any) error {
		return fmt.Errorf("%w: %w", ErrBadRequest, &SyntaxError{Pos: t.pos, Msg: fmt.Sprintf(format, args...), Code: code, Chinese: chinese})
	}
	text := strings.TrimSpace(t.text)
	if text == "" {
		return nil, fail(CodeEmptyQuery, "的引号里没有要查的内容", "the quotes hold nothing to search for")
	}
	if t.near && t.field != "" && t.field != fieldTitle {
		return nil, fail(CodeBadProximity, fmt.Sprintf("~%d 邻近检索只用于正文和 title:，不能用于 %s:", t.within, t.field),
			"~%d: proximity applies to the text and to title:, not to %s:", t.within, t.field)
	}
	switch t.field {
	case "", fieldTitle:
		scope := engine.ScopeAll
		if t.field == fieldTitle {
			scope = engine.ScopeHead
		}
		if len(analysis.QueryBigrams(text)) == 0 {
			return nil, fail(CodeEmptyQuery, fmt.Sprintf("“%s”中没有可检索的文字（字母、数字或汉字）", text), "%q has no letter, digit or Chinese character to search for", text)
		}
		if terms := nearTerms(text); t.near && len(terms) > 1 {
			if !negated {
				for _, term := range terms {
					c.marks = append(c.marks, mark{text: term, headOnly: scope == engine.ScopeHead})
				}
			}
			return engine.Near{Terms: terms, Within: t.within, Scope: scope}, nil
		}
		if !negated {
			c.marks = append(c.marks, mark{text: text, words: !t.quoted, headOnly: scope == engine.ScopeHead})
		}
		q := engine.Query(engine.Text{Text: text, Scope: scope, Exact: t.quoted})
		if !t.quoted && t.field == "" {
			// A bare term also finds the articles it names as author
			// (赵雪); the engine ranks those below text matches.
			q = engine.Or{Any: []engine.Query{q, engine.Term{Field: engine.FieldAuthors, Value: text}}}
		}
		return q, nil
	case fieldCounty:
		q, err := c.s.countyQuery(text)
		if err != nil {
			return nil, placeFail(t.pos, err)
		}
		return q, nil
	case fieldPlace:
		q, err := c.s.placeQuery(text)
		if err != nil {
			return nil, placeFail(t.pos, err)
		}
		return q, nil
	case fieldTopic:
		q, err := c.s.topicQuery(text)
		if err != nil {
			return nil, fail(CodeUnknownTopic, fmt.Sprintf("没有“%s”这个主题", text), "unknown topic %q", text)
		}
		return q, nil
	case fieldAuthor:
		return engine.Term{Field: engine.FieldAuthors, Value: text}, nil
	case fieldPaper:
		return engine.Term{Field: engine.FieldPaper, Value: text}, nil
	case fieldKind:
		return engine.Term{Field: engine.FieldKind, Value: text}, nil
	case fieldDate:
		from, to, err := parseDateSpec(text)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadRequest, &SyntaxError{Pos: t.pos, Msg: err.Error(), Err: err, Code: CodeBadDate, Chinese: dateSpecChinese(text)})
		}
		return engine.DateRange{From: from, To: to}, nil
	}
	return nil, fail(CodeUnknownField, fmt.Sprintf("没有“%s”这个字段", t.field), "unknown field %q", t.field)
}

// placeFail is the error of a county: or place: term whose value is not
// one place: a syntax error at the term's position that carries the
// *PlaceError.
func placeFail(pos int, err error) error {
	return fmt.Errorf("%w: %w", ErrBadRequest, &SyntaxError{Pos: pos, Msg: err.Error(), Err: err})
}

// parseDateSpec reads the value of date:, a day, month or year or a range
// of them ("2022-06", "2022-06-01..2022-06-30", "2021..", "..2020-03"),
// as the half-open interval [from, to); a zero time is an open end.
func parseDateSpec(s string) (from, to time.Time, err error) {
	a, b, isRange := strings.Cut(s, "..")
	if !isRange {
		from, to, err = datePeriod(a)
		return from, to, err
	}
	if a == "" && b == "" {
		return from, to, fmt.Errorf("date range %q has neither start nor end", s)
	}
	if a != "" {
		if from, _, err = datePeriod(a); err != nil {
			return from, to, err
		}
	}
	if b != "" {
		if _, to, err = datePeriod(b); err != nil {
			return from, to, err
		}
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return from, to, fmt.Errorf("date range %q ends before it starts", s)
	}
	return from, to, nil
}

// dateSpecChinese says in Chinese that the value of date: is not a date
// or a range of dates.
func dateSpecChinese(text string) string {
	return fmt.Sprintf("date:%s 不是有效的日期或日期范围（可写 2022、2022-06、2022-06-15，或 2022-06-01..2022-06-30 这样起点不晚于终点的范围）", text)
}

// datePeriod reads YYYY, YYYY-MM or YYYY-MM-DD as the period it names,
// which must be within the archive's range (corpus.MinDate..MaxDate; a
// *corpus.DateRangeError otherwise).
func datePeriod(s string) (from, to time.Time, err error) {
	for _, f := range []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
	} {
		if len(s) != len(f.layout) {
			continue
		}
		t, err := time.Parse(f.layout, s)
		if err != nil {
			break
		}
		next := f.next(t)
		if !corpus.DateInRange(t) || !corpus.DateInRange(next.AddDate(0, 0, -1)) {
			return from, to, &corpus.DateRangeError{Date: s}
		}
		return t, next, nil
	}
	if _, err := strconv.Atoi(s); err == nil && len(s) != 4 {
		return from, to, fmt.Errorf("date %q: a year has four digits", s)
	}
	return from, to, fmt.Errorf("date %q is not YYYY, YYYY-MM or YYYY-MM-DD", s)
}

// searchable reports whether s has a letter, digit or Chinese character.
func searchable(s string) bool {
	return len(analysis.QueryBigrams(s)) > 0
}

// nearTerms returns the terms of a proximity phrase: its runs of
// searchable characters, without repeats.
func nearTerms(text string) []string {
	var out []string
	for _, run := range strings.FieldsFunc(textnorm.String(text), func(r rune) bool { return !analysis.Searchable(r) }) {
		if !slices.Contains(out, run) {
			out = append(out, run)
		}
	}
	return out
}
