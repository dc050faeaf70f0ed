// Package textnorm folds Chinese and Latin text to the one form that the
// archive compares: half-width, lower case, simplified characters.
//
// Every function maps text rune for rune, so the n-th rune of the output
// comes from the n-th rune of the input. Callers that need offsets into the
// original text (highlighting, tagging evidence) rely on this.
package textnorm

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/width"
)

var (
	t2sOnce  sync.Once
	t2sTable map[rune]rune
	t2sErr   error
)

// cjkRanges are the code point ranges searched for traditional characters
// when the conversion table is built.
var cjkRanges = [][2]rune{
	{0x3400, 0x4DBF},   // CJK Extension A
	{0x4E00, 0x9FFF},   // CJK Unified Ideographs
	{0xF900, 0xFAFF},   // CJK Compatibility Ideographs
	{0x20000, 0x2FA1F}, // Extensions B to F and the compatibility supplement
}

// loadT2S builds a one-rune-to-one-rune traditional-to-simplified table by
// running OpenCC's t2s conversion (its maintained TSPhrases and TSCharacters
// dictionaries) on every CJK character alone. Phrase-level conversions are
// left out on purpose: they may change the text's length, which would break
// offsets.
func loadT2S() (map[rune]rune, error) {
	cc, err := opencc.New("t2s")
	if err != nil {
		return nil, fmt.Errorf("load OpenCC t2s dictionaries: %w", err)
	}
	table := make(map[rune]rune, 4200)
	for _, rg := range cjkRanges {
		for r := rg[0]; r <= rg[1]; r++ {
			out, err := cc.Convert(string(r))
			if err != nil {
				return nil, fmt.Errorf("convert %q: %w", r, err)
			}
			s, size := utf8.DecodeRuneInString(out)
			if size == len(out) && s != r && s != utf8.RuneError {
				table[r] = s
			}
		}
	}
	return table, nil
}

func t2s() map[rune]rune {
	t2sOnce.Do(func() {
		t2sTable, t2sErr = loadT2S()
		if t2sErr == nil {
			bmp = make([]rune, 0x10000)
			for r := range bmp {
				bmp[r] = foldSlow(rune(r), t2sTable)
			}
		}
	})
	if t2sErr != nil {
		// The dictionaries are embedded in the opencc module: failing to read
		// them is a broken build, not a run-time condition.
		panic(t2sErr)
	}
	return t2sTable
}

// Init loads the conversion table now instead of on first use.
func Init() { t2s() }

// bmp holds the folded form of every rune of the Basic Multilingual
// Plane, computed once with the tables: folding is on the hot path of
// indexing and of exact-query verification.
var bmp []rune

// Rune folds one rune: full-width forms to half-width (and half-width
// katakana to full-width, as width.Fold does), upper to lower case,
// traditional to simplified.
func Rune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}
	t := t2s()
	if r < 0x10000 {
		return bmp[r]
	}
	return foldSlow(r, t)
}

// foldSlow is Rune computed from the width, case and t2s tables.
func foldSlow(r rune, t2s map[rune]rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}
	switch p := width.LookupRune(r); p.Kind() {
	case width.EastAsianFullwidth:
		if n := p.Narrow(); n != 0 {
			r = n
		}
	case width.EastAsianHalfwidth:
		if w := p.Wide(); w != 0 {
			r = w
		}
	}
	if r == '\u3000' {
		r = ' '
	}
	r = unicode.ToLower(r)
	if s, ok := t2s[r]; ok {
		return s
	}
	return r
}

// String folds every rune of s with Rune. The result has as many runes as s.
func String(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	changed := false
	for _, r := range s {
		n := Rune(r)
		if n != r {
			changed = true
		}
		b.WriteRune(n)
	}
	if !changed {
		return s
	}
	return b.String()
}

// IsHan reports whether r is a Chinese character (Han script).
func IsHan(r rune) bool { return unicode.Is(unicode.Han, r) }
