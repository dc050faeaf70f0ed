package search

import (
	"bufio"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-ego/gse"
	"github.com/mozillazg/go-pinyin"

	"newsarchive/corpus/textnorm"
)

// The vocabulary of "did you mean": the Chinese words of two to four
// characters of gse's dictionary (its IDF table, gse.ZhIdf, about 270,000
// words), the most frequent (lowest IDF) first, at most maxVocabulary of
// them. Held as runes packed per length, it takes about 1.2 MB, built on
// the first suggestion.
const (
	maxVocabulary = 100_000
	minWordLen    = 2
	maxWordLen    = 4
)

// vocabulary is the packed word list with the pinyin of its characters.
type vocabulary struct {
	// words[n] holds the words of n characters back to back, most
	// frequent first.
	words [maxWordLen + 1][]rune
	// pinyin is the toneless reading of every character of the words
	// (its first reading for a character with several).
	pinyin map[rune]string
}

var (
	vocabOnce sync.Once
	vocab     *vocabulary
)

// theVocabulary returns the process's vocabulary, building it on first use.
func theVocabulary() *vocabulary {
	vocabOnce.Do(func() { vocab = buildVocabulary(gse.ZhIdf, maxVocabulary) })
	return vocab
}

// buildVocabulary reads an IDF table ("word idf" lines) and keeps its
// Chinese words of minWordLen to maxWordLen characters, folded, the
// limit lowest IDF first.
func buildVocabulary(table string, limit int) *vocabulary {
	type entry struct {
		word string
		idf  float64
	}
	var entries []entry
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(table))
	for sc.Scan() {
		w, v, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		idf, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			continue
		}
		w = textnorm.String(w)
		n := utf8.RuneCountInString(w)
		if n < minWordLen || n > maxWordLen || seen[w] || !allHan(w) {
			continue
		}
		seen[w] = true
		entries = append(entries, entry{w, idf})
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].idf < entries[j].idf })
	if len(entries) > limit {
		entries = entries[:limit]
	}
	v := &vocabulary{pinyin: map[rune]string{}}
	for _, e := range entries {
		rs := []rune(e.word)
		v.words[len(rs)] = append(v.words[len(rs)], rs...)
		for _, r := range rs {
			if _, ok := v.pinyin[r]; !ok {
				v.pinyin[r] = readingOf(r)
			}
		}
	}
	return v
}

func allHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return s != ""
}

var pinyinArgs = pinyin.NewArgs() // toneless (pinyin.Normal), first reading

// readingOf is the toneless pinyin of a character, "" when it has none.
func readingOf(r rune) string {
	if p := pinyin.SinglePinyin(r, pinyinArgs); len(p) > 0 {
		return p[0]
	}
	return ""
}

// reading is readingOf, from the vocabulary's table when it is there.
func (v *vocabulary) reading(r rune) string {
	if p, ok := v.pinyin[r]; ok {
		return p
	}
	return readingOf(r)
}

// replacement is a vocabulary word close to a window of a query term.
type replacement struct {
	word string
	cost float64
	rank int // the word's place in the vocabulary (frequency order)
}

// similar returns the words of the vocabulary close to w (folded Han
// characters, minWordLen to maxWordLen of them), cheapest first: those
// that differ from it in one character (cost 1, plus a quarter per letter
// of pinyin between the two readings, so that 振新 → 振兴 costs 1.25), in
// two characters of the same reading (homophones: 2 × 0.5), or by two
// adjacent characters swapped (1).
func (v *vocabulary) similar(w []rune) []replacement {
	n := len(w)
	if n < minWordLen || n > maxWordLen {
		return nil
	}
	py := make([]string, n)
	for i, r := range w {
		py[i] = v.reading(r)
	}
	words := v.words[n]
	var out []replacement
	for k := 0; k+n <= len(words); k += n {
		c := words[k : k+n]
		diff, first, second := 0, -1, -1
		for i := range n {
			if c[i] != w[i] {
				diff++
				if first < 0 {
					first = i
				} else {
					second = i
				}
			}
		}
		var cost float64
		switch diff {
		case 1:
			cost = 1 + float64(levenshtein(py[first], v.reading(c[first])))/4
		case 2:
			switch {
			case second == first+1 && c[first] == w[second] && c[second] == w[first]:
				cost = 1
			case py[first] != "" && py[first] == v.reading(c[first]) && py[second] == v.reading(c[second]):
				cost = 1
			default:
				continue
			}
		default:
			continue
		}
		out = append(out, replacement{word: string(c), cost: cost, rank: k / n})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].cost < out[j].cost })
	return out
}

// levenshtein is the edit distance of two ASCII strings (pinyin).
func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			d := prev[j-1]
			if a[i-1] != b[j-1] {
				d++
			}
			cur[j] = min(d, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
