package analysis

import (
	"unicode"
	"unicode/utf8"

	blevea "github.com/blevesearch/bleve/v2/analysis"
	"github.com/go-ego/gse"
)

// cutMode selects gse's accurate-mode algorithm.
type cutMode int

const (
	// modeSegment is gse's Segment: shortest path over the dictionary
	// graph, no HMM for unknown words. It returns byte offsets itself.
	modeSegment cutMode = iota
	// modeDAG is gse's Cut(s, false): jieba's maximum-probability path, no
	// HMM.
	modeDAG
	// modeDAGHMM is gse's Cut(s, true): jieba's path, with runs of unknown
	// single characters regrouped by the HMM.
	modeDAGHMM
)

// wordMode is the mode the word tokenizer uses; see docs/analysis.md for
// the measurements behind the choice.
const wordMode = modeSegment

// span is a byte range [start, end) in the folded text.
type span struct{ start, end int }

// cutSpans segments the folded text and returns the byte spans of the
// segments, covering the text without gaps.
func cutSpans(seg *gse.Segmenter, text string, mode cutMode) []span {
	if text == "" {
		return nil
	}
	var pieces []string
	switch mode {
	case modeDAG:
		pieces = seg.Cut(text, false)
	case modeDAGHMM:
		pieces = seg.Cut(text, true)
	default:
		segs := seg.Segment([]byte(text))
		spans := make([]span, len(segs))
		for i := range segs {
			spans[i] = span{segs[i].Start(), segs[i].End()}
		}
		return spans
	}
	// Cut returns strings; their lengths give the offsets as long as they
	// concatenate to the input, which they do for folded text (gse's
	// lower-casing does not change folded text). Guard anyway: on a
	// mismatch, fall back to Segment rather than produce wrong offsets.
	spans := make([]span, 0, len(pieces))
	off := 0
	for _, p := range pieces {
		if p == "" {
			continue
		}
		if off+len(p) > len(text) || text[off:off+len(p)] != p {
			return cutSpans(seg, text, modeSegment)
		}
		spans = append(spans, span{off, off + len(p)})
		off += len(p)
	}
	if off != len(text) {
		return cutSpans(seg, text, modeSegment)
	}
	return spans
}

// wordTokenizer is the Bleve tokenizer of the word analysis.
type wordTokenizer struct {
	seg  *gse.Segmenter
	mode cutMode
}

// Tokenize segments the folded input into words. Segments without a
// searchable character (punctuation, spaces, symbols) are dropped; the
// other tokens get consecutive positions from 1. Terms are folded; Start
// and End are byte offsets into input.
func (t *wordTokenizer) Tokenize(input []byte) blevea.TokenStream {
	f := fold(input)
	spans := cutSpans(t.seg, f.text, t.mode)
	rv := make(blevea.TokenStream, 0, len(spans))
	pos := 1
	for _, sp := range spans {
		term := f.text[sp.start:sp.end]
		typ, ok := wordType(term)
		if !ok {
			continue
		}
		rv = append(rv, &blevea.Token{
			Term:     []byte(term),
			Start:    f.orig[sp.start],
			End:      f.orig[sp.end],
			Position: pos,
			Type:     typ,
		})
		pos++
	}
	return rv
}

// wordType classifies a folded segment, reporting false when it has no
// searchable character.
func wordType(term string) (blevea.TokenType, bool) {
	searchable, han, letter := false, false, false
	for i := 0; i < len(term); {
		r, size := utf8.DecodeRuneInString(term[i:])
		i += size
		if !Searchable(r) {
			continue
		}
		searchable = true
		switch {
		case unicode.Is(unicode.Han, r):
			han = true
		case unicode.IsLetter(r):
			letter = true
		}
	}
	switch {
	case !searchable:
		return 0, false
	case han:
		return blevea.Ideographic, true
	case letter:
		return blevea.AlphaNumeric, true
	default:
		return blevea.Numeric, true
	}
}

// CountWords returns the number of words the word analysis makes of s:
// what a match query on a word field looks up.
func CountWords(s string) (int, error) {
	seg, err := segmenter()
	if err != nil {
		return 0, err
	}
	f := fold([]byte(s))
	n := 0
	for _, sp := range cutSpans(seg, f.text, wordMode) {
		if _, ok := wordType(f.text[sp.start:sp.end]); ok {
			n++
		}
	}
	return n, nil
}
