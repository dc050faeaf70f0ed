package analysis

import (
	"unicode"
	"unicode/utf8"

	blevea "github.com/blevesearch/bleve/v2/analysis"

	"newsarchive/corpus/textnorm"
)

// Searchable reports whether the folded rune r is a searchable character:
// a letter, a digit or a Han character. Runs of searchable characters are
// the units of the character analysis; every other rune separates runs.
func Searchable(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || 'A' <= r && r <= 'Z'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Han, r)
}

// foldedText is a field text folded rune for rune with textnorm.Rune, with
// the map back to byte offsets in the original text.
type foldedText struct {
	text string
	// orig[i] is the byte offset in the original text of the rune that
	// starts at byte i of text; orig[len(text)] is the original length.
	// Entries inside a multi-byte rune are not meaningful.
	orig []int
}

// fold folds input rune for rune. An invalid UTF-8 byte becomes U+FFFD, as
// in textnorm.String, and maps back to that single byte.
func fold(input []byte) foldedText {
	buf := make([]byte, 0, len(input)+8)
	orig := make([]int, 0, len(input)+9)
	for i := 0; i < len(input); {
		r, size := utf8.DecodeRune(input[i:])
		f := textnorm.Rune(r)
		n := len(buf)
		buf = utf8.AppendRune(buf, f)
		for j := n; j < len(buf); j++ {
			orig = append(orig, i)
		}
		i += size
	}
	orig = append(orig, len(input))
	return foldedText{text: string(buf), orig: orig}
}

// tokenSlab hands out tokens and term bytes from a few large allocations
// instead of one per token: the character analyses emit a token per
// character. Terms are capacity-limited slices, so a filter appending to
// one cannot overwrite the next.
type tokenSlab struct {
	toks  []blevea.Token
	bytes []byte
}

func newTokenSlab(n int) *tokenSlab {
	return &tokenSlab{toks: make([]blevea.Token, 0, n), bytes: make([]byte, 0, 4*n)}
}

// token returns a zeroed token that stays valid after later calls.
func (s *tokenSlab) token() *blevea.Token {
	if len(s.toks) == cap(s.toks) {
		s.toks = make([]blevea.Token, 0, 2*cap(s.toks)+16)
	}
	s.toks = s.toks[:len(s.toks)+1]
	return &s.toks[len(s.toks)-1]
}

// term returns the UTF-8 encoding of runes as a capacity-limited slice.
func (s *tokenSlab) term(runes ...rune) []byte {
	n := 0
	for _, r := range runes {
		n += utf8.RuneLen(r)
	}
	if len(s.bytes)+n > cap(s.bytes) {
		s.bytes = make([]byte, 0, 2*cap(s.bytes)+64)
	}
	start := len(s.bytes)
	for _, r := range runes {
		s.bytes = utf8.AppendRune(s.bytes, r)
	}
	return s.bytes[start:len(s.bytes):len(s.bytes)]
}
