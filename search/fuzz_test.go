package search

import (
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzParseQuery checks that any string parses or gets a SyntaxError with
// a position inside the query, and never panics.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		"满族", `"10万余元" -总书记`, "(教育 OR 医疗) county:伊通", "title:\"黑土地\"", "date:2022-06-01..2022-06-30",
		"((", "a OR", "-", "“双减”", "（a OR b）", "title：x", `"`, "OR OR", "-(a) -b", "kind:photo",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		n, err := parseQuery(q)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("parseQuery(%q): %v is not a SyntaxError", q, err)
			}
			if se.Pos < 0 || se.Pos > utf8.RuneCountInString(q)+1 {
				t.Fatalf("parseQuery(%q): position %d outside the query", q, se.Pos)
			}
			return
		}
		if n == nil {
			return
		}
		// What parses compiles, or fails as a bad request.
		c := (&Searcher{}).compiler()
		if _, err := c.compile(n); err != nil && !errors.Is(err, ErrBadRequest) {
			t.Fatalf("compile(%q): %v is not a bad request", q, err)
		}
	})
}
