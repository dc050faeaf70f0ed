package search

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// The query language (docs/query-syntax.md):
//
//	query  = or
//	or     = and { "OR" and }
//	and    = unary { unary }
//	unary  = [ "-" ] primary
//	primary = "(" or ")" | [ field ":" ] ( word | "\"" phrase "\"" [ "~" digits ] )
//
// A phrase followed by ~N ("乡村 振兴"~5) is a proximity query: its runs of
// searchable characters within N characters of each other.
//
// Full-width parentheses, colons and curly quotes are read like their
// ASCII forms, so a query typed with a Chinese input method works.

// Fields a term may be prefixed with.
const (
	fieldTitle  = "title"
	fieldAuthor = "author"
	fieldCounty = "county"
	fieldPlace  = "place"
	fieldTopic  = "topic"
	fieldPaper  = "paper"
	fieldDate   = "date"
	fieldKind   = "kind"
)

var knownFields = []string{fieldTitle, fieldAuthor, fieldCounty, fieldPlace, fieldTopic, fieldPaper, fieldDate, fieldKind}

// node is a parsed query.
type node interface{ isNode() }

// termNode is one word or "phrase", possibly with a field prefix.
type termNode struct {
	field  string // "" for the article text
	text   string
	quoted bool
	// near marks a proximity phrase ("…"~N), within its N.
	near   bool
	within int
	pos    int // 1-based character position in the query
}

// maxWithin is the largest N of a proximity query ("乡村 振兴"~N).
const maxWithin = 10_000

type andNode struct{ children []node }
type orNode struct{ children []node }
type notNode struct{ child node }

func (termNode) isNode() {}
func (andNode) isNode()  {}
func (orNode) isNode()   {}
func (notNode) isNode()  {}

// SyntaxError is a malformed query: what is wrong, and where.
type SyntaxError struct {
	Pos int // 1-based character position; 0 when it is the whole query
	Msg string
	// Code is the kind of error (CodeUnclosedQuote, …), for the API.
	Code string
	// Chinese is Msg in Chinese, for the web UI, without the position
	// (ChineseMessage adds it).
	Chinese string
	// Err is the cause when there is one (a *corpus.DateRangeError for a
	// date outside the archive's range); Msg includes its text.
	Err error
}

// Unwrap returns the cause, if any.
func (e *SyntaxError) Unwrap() error { return e.Err }

func (e *SyntaxError) Error() string {
	if e.Pos == 0 {
		return "query: " + e.Msg
	}
	return fmt.Sprintf("query, at character %d: %s", e.Pos, e.Msg)
}

type tokenKind int

const (
	tokWord tokenKind = iota
	tokPhrase
	tokOr
	tokNot
	tokOpen
	tokClose
)

type token struct {
	kind  tokenKind
	field string // for tokWord and tokPhrase
	text  string
	// near marks a proximity phrase ("…"~N), within its N.
	near   bool
	within int
	pos    int
}

func isSpace(r rune) bool { return unicode.IsSpace(r) || r == '\u3000' }
func isQuote(r rune) bool { return r == '"' || r == '“' || r == '”' || r == '＂' }
func isOpen(r rune) bool  { return r == '(' || r == '（' }
func isClose(r rune) bool { return r == ')' || r == '）' }
func isColon(r rune) bool { return r == ':' || r == '：' }

// lex cuts a query into tokens.
func lex(q string) ([]token, error) {
	rs := []rune(q)
	var toks []token
	i := 0
	// phrase reads a quoted string starting at rs[i], a quote.
	phrase := func(field string, start int) error {
		j := i + 1
		for j < len(rs) && !isQuote(rs[j]) {
			j++
		}
		if j == len(rs) {
			return &SyntaxError{Pos: i + 1, Msg: "the quote is not closed", Code: CodeUnclosedQuote, Chinese: "的引号没有闭合"}
		}
		t := token{kind: tokPhrase, field: field, text: string(rs[i+1 : j]), pos: start + 1}
		i = j + 1
		if i < len(rs) && (rs[i] == '~' || rs[i] == '～') {
			k := i + 1
			for k < len(rs) && rs[k] >= '0' && rs[k] <= '9' {
				k++
			}
			if k == i+1 || k-i-1 > 5 {
				return &SyntaxError{Pos: i + 1, Msg: fmt.Sprintf("~ after a phrase needs a number of characters (0 to %d)", maxWithin),
					Code: CodeBadProximity, Chinese: fmt.Sprintf("的 ~ 后面要写字符数（0 到 %d）", maxWithin)}
			}
			n, _ := strconv.Atoi(string(rs[i+1 : k]))
			if n > maxWithin {
				return &SyntaxError{Pos: i + 1, Msg: fmt.Sprintf("proximity ~%d is too large (at most %d)", n, maxWithin),
					Code: CodeBadProximity, Chinese: fmt.Sprintf("的邻近距离 ~%d 太大（最多 %d 个字符）", n, maxWithin)}
			}
			t.near, t.within = true, n
			i = k
		}
		toks = append(toks, t)
		return nil
	}
	for i < len(rs) {
		r := rs[i]
		switch {
		case isSpace(r):
			i++
		case isOpen(r):
			toks = append(toks, token{kind: tokOpen, pos: i + 1})
			i++
		case isClose(r):
			toks = append(toks, token{kind: tokClose, pos: i + 1})
			i++
		case isQuote(r):
			if err := phrase("", i); err != nil {
				return nil, err
			}
		case (r == '-' || r == '－') && i+1 < len(rs) && !isSpace(rs[i+1]) && atTermStart(rs, i):
			toks = append(toks, token{kind: tokNot, pos: i + 1})
			i++
		default:
			start := i
			j := i
			for j < len(rs) && !isSpace(rs[j]) && !isQuote(rs[j]) && !isOpen(rs[j]) && !isClose(rs[j]) {
				j++
			}
			word := string(rs[i:j])
			if word == "OR" {
				toks = append(toks, token{kind: tokOr, pos: start + 1})
				i = j
				continue
			}
			field, value, ok := cutField(rs[i:j])
			if !ok {
				toks = append(toks, token{kind: tokWord, text: word, pos: start + 1})
				i = j
				continue
			}
			if !isKnownField(field) {
				return nil, &SyntaxError{Pos: start + 1, Msg: fmt.Sprintf("unknown field %q (known fields: %s)", field, strings.Join(knownFields, ", ")),
					Code: CodeUnknownField, Chinese: fmt.Sprintf("没有“%s”这个字段（可用的字段：%s）", field, strings.Join(knownFields, "、"))}
			}
			if value == "" {
				if j < len(rs) && isQuote(rs[j]) {
					i = j
					if err := phrase(field, start); err != nil {
						return nil, err
					}
					continue
				}
				return nil, &SyntaxError{Pos: start + 1, Msg: fmt.Sprintf("%s: needs a value after the colon", field),
					Code: CodeMissingValue, Chinese: fmt.Sprintf("的 %s: 冒号后面缺少要查的值", field)}
			}
			toks = append(toks, token{kind: tokWord, field: field, text: value, pos: start + 1})
			i = j
		}
	}
	return toks, nil
}

// atTermStart reports whether the '-' at rs[i] starts a term (it follows
// a space, a parenthesis or the start of the query), so that it means
// "not" rather than a hyphen inside a word.
func atTermStart(rs []rune, i int) bool {
	return i == 0 || isSpace(rs[i-1]) || isOpen(rs[i-1])
}

// cutField splits "field:value" when the part before the first colon is a
// run of ASCII letters; it reports false for anything else ("10:30",
// "伊通：…").
func cutField(w []rune) (field, value string, ok bool) {
	for k, r := range w {
		if isColon(r) {
			if k == 0 {
				return "", "", false
			}
			return strings.ToLower(string(w[:k])), string(w[k+1:]), true
		}
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return "", "", false
		}
	}
	return "", "", false
}

func isKnownField(f string) bool {
	for _, k := range knownFields {
		if f == k {
			return true
		}
	}
	return false
}

// parseQuery parses a query string; an empty query gives a nil node.
func parseQuery(q string) (node, error) {
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, nil
	}
	p := &parser{toks: toks}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		t := p.toks[p.i]
		return nil, &SyntaxError{Pos: t.pos, Msg: "this ) has no ( before it", Code: CodeUnbalancedParen, Chinese: "的右括号前面没有对应的左括号"}
	}
	return n, nil
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() (token, bool) {
	if p.i < len(p.toks) {
		return p.toks[p.i], true
	}
	return token{}, false
}

func (p *parser) or() (node, error) {
	var children []node
	for {
		t, _ := p.peek()
		a, err := p.and()
		if err != nil {
			return nil, err
		}
		if a == nil {
			if len(children) > 0 {
				return nil, &SyntaxError{Pos: t.pos, Msg: "OR needs a term after it", Code: CodeMisplacedOperator, Chinese: "的 OR 后面缺少检索词"}
			}
			if t.kind == tokOr {
				return nil, &SyntaxError{Pos: t.pos, Msg: "OR needs a term before it", Code: CodeMisplacedOperator, Chinese: "的 OR 前面缺少检索词"}
			}
			if t.kind == tokClose {
				return nil, &SyntaxError{Pos: t.pos, Msg: "nothing between the parentheses", Code: CodeEmptyQuery, Chinese: "的括号里没有检索词"}
			}
			return nil, &SyntaxError{Pos: t.pos, Msg: "expected a term", Code: CodeMisplacedOperator, Chinese: "应该是一个检索词"}
		}
		children = append(children, a)
		t, ok := p.peek()
		if !ok || t.kind != tokOr {
			break
		}
		p.i++
		if _, ok := p.peek(); !ok {
			return nil, &SyntaxError{Pos: t.pos, Msg: "OR needs a term after it", Code: CodeMisplacedOperator, Chinese: "的 OR 后面缺少检索词"}
		}
	}
	if len(children) == 1 {
		return children[0], nil
	}
	return orNode{children}, nil
}

// and reads unary terms up to OR, ")" or the end; nil when there are none.
func (p *parser) and() (node, error) {
	var children []node
	for {
		t, ok := p.peek()
		if !ok || t.kind == tokOr || t.kind == tokClose {
			break
		}
		u, err := p.unary()
		if err != nil {
			return nil, err
		}
		children = append(children, u)
	}
	switch len(children) {
	case 0:
		return nil, nil
	case 1:
		return children[0], nil
	}
	return andNode{children}, nil
}

func (p *parser) unary() (node, error) {
	t, _ := p.peek()
	if t.kind != tokNot {
		return p.primary()
	}
	p.i++
	next, ok := p.peek()
	if !ok || next.kind == tokOr || next.kind == tokClose || next.kind == tokNot {
		return nil, &SyntaxError{Pos: t.pos, Msg: "- needs a term right after it", Code: CodeMisplacedOperator, Chinese: "的减号 - 后面要紧跟要排除的词"}
	}
	child, err := p.primary()
	if err != nil {
		return nil, err
	}
	return notNode{child}, nil
}

func (p *parser) primary() (node, error) {
	t, _ := p.peek()
	p.i++
	switch t.kind {
	case tokWord, tokPhrase:
		return termNode{field: t.field, text: t.text, quoted: t.kind == tokPhrase, near: t.near, within: t.within, pos: t.pos}, nil
	case tokOpen:
		if next, ok := p.peek(); ok && next.kind == tokClose {
			return nil, &SyntaxError{Pos: t.pos, Msg: "nothing between the parentheses", Code: CodeEmptyQuery, Chinese: "的括号里没有检索词"}
		}
		if _, ok := p.peek(); !ok {
			return nil, &SyntaxError{Pos: t.pos, Msg: "this ( is not closed", Code: CodeUnbalancedParen, Chinese: "的左括号没有闭合"}
		}
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		c, ok := p.peek()
		if !ok || c.kind != tokClose {
			return nil, &SyntaxError{Pos: t.pos, Msg: "this ( is not closed", Code: CodeUnbalancedParen, Chinese: "的左括号没有闭合"}
		}
		p.i++
		return n, nil
	}
	return nil, &SyntaxError{Pos: t.pos, Msg: "expected a term", Code: CodeMisplacedOperator, Chinese: "应该是一个检索词"}
}
