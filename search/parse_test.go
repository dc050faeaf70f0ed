package search

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// dump writes a parsed query in a compact prefix form for comparisons.
func dump(n node) string {
	switch n := n.(type) {
	case nil:
		return "<nil>"
	case termNode:
		s := n.text
		if n.quoted {
			s = `"` + s + `"`
		}
		if n.field != "" {
			s = n.field + ":" + s
		}
		return s
	case notNode:
		return "-" + dump(n.child)
	case andNode:
		var parts []string
		for _, c := range n.children {
			parts = append(parts, dump(c))
		}
		return "AND(" + strings.Join(parts, " ") + ")"
	case orNode:
		var parts []string
		for _, c := range n.children {
			parts = append(parts, dump(c))
		}
		return "OR(" + strings.Join(parts, " ") + ")"
	}
	return fmt.Sprintf("?%T", n)
}

func TestParseQuery(t *testing.T) {
	tests := []struct{ q, want string }{
		{"", "<nil>"},
		{"   ", "<nil>"},
		{"满族", "满族"},
		{"农田 排涝", "AND(农田 排涝)"},
		{"农田\u3000排涝", "AND(农田 排涝)"},
		{`"10万余元"`, `"10万余元"`},
		{`“双减” 政策`, `AND("双减" 政策)`},
		{`"农田 排涝"`, `"农田 排涝"`},
		{"-满族", "-满族"},
		{"伊通 -满族", "AND(伊通 -满族)"},
		{"COVID-19", "COVID-19"},
		{"2022-06", "2022-06"},
		{"教育 OR 医疗", "OR(教育 医疗)"},
		{"a b OR c", "OR(AND(a b) c)"},
		{"a (b OR c)", "AND(a OR(b c))"},
		{"a （b OR c）", "AND(a OR(b c))"},
		{"-(b OR c) a", "AND(-OR(b c) a)"},
		{"title:满族", "title:满族"},
		{"TITLE:满族", "title:满族"},
		{`title:"满族 剪纸"`, `title:"满族 剪纸"`},
		{"title：满族", "title:满族"},
		{"county:伊通 topic:教育", "AND(county:伊通 topic:教育)"},
		{"author:赵雪 paper:样例日报", "AND(author:赵雪 paper:样例日报)"},
		{"date:2022-06", "date:2022-06"},
		{"date:2022-06-01..2022-06-30", "date:2022-06-01..2022-06-30"},
		{"kind:photo", "kind:photo"},
		{"10:30", "10:30"},
		{"伊通：满族", "伊通：满族"},
		{"or", "or"},
		{"a OR b OR c", "OR(a b c)"},
	}
	for _, tt := range tests {
		n, err := parseQuery(tt.q)
		if err != nil {
			t.Errorf("parseQuery(%q): %v", tt.q, err)
			continue
		}
		if got := dump(n); got != tt.want {
			t.Errorf("parseQuery(%q) = %s, want %s", tt.q, got, tt.want)
		}
	}
}

func TestParseQueryErrors(t *testing.T) {
	tests := []struct {
		q    string
		pos  int
		want string
	}{
		{`"满族`, 1, "quote is not closed"},
		{`满族 "剪纸`, 4, "quote is not closed"},
		{"(满族", 1, "( is not closed"},
		{"满族)", 3, ") has no ( before it"},
		{"()", 1, "nothing between the parentheses"},
		{"OR 满族", 1, "OR needs a term before it"},
		{"满族 OR", 4, "OR needs a term after it"},
		{"满族 OR OR 剪纸", 7, "OR needs a term"},
		{"满族 -", 0, ""}, // a lone "-" is a word, not an error: checked below
		{"- 满族", 0, ""},
		{"titel:满族", 1, `unknown field "titel"`},
		{"title:", 1, "needs a value"},
		{"-(", 2, "( is not closed"},
		{"--满族", 0, ""}, // "-" then the word "-满族"
	}
	for _, tt := range tests {
		_, err := parseQuery(tt.q)
		if tt.want == "" {
			if err != nil {
				t.Errorf("parseQuery(%q): %v, want no error", tt.q, err)
			}
			continue
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("parseQuery(%q) = %v, want a SyntaxError", tt.q, err)
			continue
		}
		if se.Pos != tt.pos || !strings.Contains(se.Msg, tt.want) {
			t.Errorf("parseQuery(%q) = %q at %d, want %q at %d", tt.q, se.Msg, se.Pos, tt.want, tt.pos)
		}
	}
}

func TestParseDateSpec(t *testing.T) {
	tests := []struct{ s, from, to, err string }{
		{"2022", "2022-01-01", "2023-01-01", ""},
		{"2022-06", "2022-06-01", "2022-07-01", ""},
		{"2022-06-30", "2022-06-30", "2022-07-01", ""},
		{"2022-06-01..2022-06-30", "2022-06-01", "2022-07-01", ""},
		{"2021..", "2021-01-01", "", ""},
		{"..2020-03", "", "2020-04-01", ""},
		{"2022-13", "", "", "not YYYY"},
		{"22", "", "", "four digits"},
		{"2022-06-30..2022-06-01", "", "", "ends before it starts"},
		{"..", "", "", "neither start nor end"},
		{"June", "", "", "not YYYY"},
	}
	for _, tt := range tests {
		from, to, err := parseDateSpec(tt.s)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseDateSpec(%q) error = %v, want %q", tt.s, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseDateSpec(%q): %v", tt.s, err)
			continue
		}
		f, g := "", ""
		if !from.IsZero() {
			f = from.Format("2006-01-02")
		}
		if !to.IsZero() {
			g = to.Format("2006-01-02")
		}
		if f != tt.from || g != tt.to {
			t.Errorf("parseDateSpec(%q) = [%s, %s), want [%s, %s)", tt.s, f, g, tt.from, tt.to)
		}
	}
}
