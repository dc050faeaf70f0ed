package analysis

import (
	"unicode/utf8"

	blevea "github.com/blevesearch/bleve/v2/analysis"

	"newsarchive/corpus/textnorm"
)

// charUnit is one searchable character of a text.
type charUnit struct {
	folded     rune
	start, end int // byte offsets in the original text
	pos        int // 1-based position: character index plus separator gaps
	runStart   bool
}

// scanChars calls fn for every searchable character of input, in order.
// Positions count searchable characters from 1 and skip one extra position
// at every run of separators between two searchable characters, so that
// the last character of a run and the first of the next are never
// adjacent.
func scanChars(input []byte, fn func(u charUnit)) {
	pos := 0
	gap := false  // a separator was seen since the last searchable character
	seen := false // a searchable character was seen
	for i := 0; i < len(input); {
		r, size := utf8.DecodeRune(input[i:])
		f := textnorm.Rune(r)
		if !Searchable(f) {
			gap = true
			i += size
			continue
		}
		runStart := !seen || gap
		if seen && gap {
			pos++
		}
		pos++
		fn(charUnit{folded: f, start: i, end: i + size, pos: pos, runStart: runStart})
		seen, gap = true, false
		i += size
	}
}

// bigramTokenizer is the Bleve tokenizer of BigramAnalyzer.
type bigramTokenizer struct{}

// Tokenize emits an overlapping bigram for every two adjacent searchable
// characters of a run, at the position of its first character, and the
// last character of every run alone, at its own position (for a run of one
// character, that character is the run's only token). Every character of a
// run thus starts a term: a one-character query is a prefix of a term, a
// two-character query a term, without a second field.
func (bigramTokenizer) Tokenize(input []byte) blevea.TokenStream {
	est := len(input)/3 + 1
	rv := make(blevea.TokenStream, 0, est)
	slab := newTokenSlab(est)
	var prev charUnit
	have := false
	scanChars(input, func(u charUnit) {
		if u.runStart {
			if have {
				rv = append(rv, unigramToken(slab, prev))
			}
			prev, have = u, true
			return
		}
		tk := slab.token()
		*tk = blevea.Token{
			Term:     slab.term(prev.folded, u.folded),
			Start:    prev.start,
			End:      u.end,
			Position: prev.pos,
			Type:     blevea.Double,
		}
		rv = append(rv, tk)
		prev = u
	})
	if have {
		rv = append(rv, unigramToken(slab, prev))
	}
	return rv
}

// unigramTokenizer is the Bleve tokenizer of UnigramAnalyzer.
type unigramTokenizer struct{}

// Tokenize emits one token per searchable character, at the same positions
// as the bigram tokenizer.
func (unigramTokenizer) Tokenize(input []byte) blevea.TokenStream {
	est := len(input)/3 + 1
	rv := make(blevea.TokenStream, 0, est)
	slab := newTokenSlab(est)
	scanChars(input, func(u charUnit) { rv = append(rv, unigramToken(slab, u)) })
	return rv
}

func unigramToken(slab *tokenSlab, u charUnit) *blevea.Token {
	tk := slab.token()
	*tk = blevea.Token{
		Term:     slab.term(u.folded),
		Start:    u.start,
		End:      u.end,
		Position: u.pos,
		Type:     blevea.Single,
	}
	return tk
}

// QueryBigrams splits a query string into its runs of searchable characters
// (folded) and returns, per run, the terms to look for in a field analysed
// by BigramAnalyzer: the run's n−1 overlapping bigrams in order (a single
// term when n = 2), or for a run of one character that character alone,
// which the query side looks up as a prefix (every occurrence of a
// character starts a bigram or is the last character of its run). These
// are exactly the terms the analyzer indexes for the same text. A query
// without searchable characters gives nil.
func QueryBigrams(s string) [][]string {
	var runs [][]string
	var prev charUnit
	single := false
	scanChars([]byte(s), func(u charUnit) {
		if u.runStart {
			runs = append(runs, []string{string(u.folded)})
			prev, single = u, true
			return
		}
		last := len(runs) - 1
		bg := string([]rune{prev.folded, u.folded})
		if single {
			runs[last][0] = bg
			single = false
		} else {
			runs[last] = append(runs[last], bg)
		}
		prev = u
	})
	return runs
}
