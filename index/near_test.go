package index

import (
	"math/rand/v2"
	"path/filepath"
	"sort"
	"testing"
	"unicode/utf8"

	"newsarchive/corpus"
	"newsarchive/corpus/textnorm"
	"newsarchive/engine"
	"newsarchive/index/analysis"
)

func TestNearSpan(t *testing.T) {
	for _, c := range []struct {
		text  string
		terms []string
		want  int
	}{
		{"乡村振兴", []string{"乡村", "振兴"}, 0},
		{"振兴乡村", []string{"乡村", "振兴"}, 0},
		{"乡村全面振兴", []string{"乡村", "振兴"}, 2},
		{"乡村振兴", []string{"乡村", "村振"}, -1},           // overlapping
		{"乡村振兴", []string{"乡村振兴", "振"}, -1},          // one inside the other
		{"乡村，，，，，振兴……乡村振兴", []string{"乡村", "振兴"}, 0}, // the closest pair counts
		{"甲乙丙丁甲", []string{"甲", "丁"}, 0},
		{"a甲bc乙de丙", []string{"甲", "乙", "丙"}, 4},
		{"𠀀甲𠀀𠀀乙", []string{"甲", "乙"}, 2}, // characters, not UTF-16 units
		{"𠀀𠀀甲", []string{"𠀀", "甲"}, 0},
	} {
		var occ [][]int
		var lens []int
		for _, term := range c.terms {
			occ = append(occ, occurrences(appendWide(nil, []byte(c.text)), appendWide(nil, []byte(term)), nil))
			lens = append(lens, utf8.RuneCountInString(term))
		}
		if got := analysis.NearSpan(occ, lens); got != c.want {
			t.Errorf("%s %v: %d, want %d", c.text, c.terms, got, c.want)
		}
	}
}

// TestNearQuery is the property test of proximity: for random pairs of
// terms drawn close together from the records and a random distance, the
// query returns exactly the articles a brute-force scan of the folded
// records finds, through Bleve's own search (stored records) and Match
// (folded text).
func TestNearQuery(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	linkTestCorpus(t, corpusDir, 20)
	update(t, corpusDir, indexDir, true)
	idx := openIndex(t, indexDir)
	waitFoldedText(t, idx)

	type rec struct {
		id         string
		head, body []rune
	}
	var recs []rec
	files, _ := corpus.FindFiles(corpusDir)
	parser := newParser(t)
	for _, f := range files {
		for _, a := range parser.ParseFile(f).Items {
			head := textnorm.String(a.Kicker) + "\n" + textnorm.String(a.Title) + "\n" + textnorm.String(a.Subtitle)
			recs = append(recs, rec{a.ID, []rune(head), []rune(textnorm.String(a.Body))})
		}
	}
	positions := func(text []rune, term string) []int {
		tr := []rune(term)
		var out []int
		for i := 0; i+len(tr) <= len(text); i++ {
			if string(text[i:i+len(tr)]) == term {
				out = append(out, i)
			}
		}
		return out
	}
	// near is the definition, by brute force over every pair.
	near := func(text []rune, a, b string, within int) bool {
		la, lb := utf8.RuneCountInString(a), utf8.RuneCountInString(b)
		for _, i := range positions(text, a) {
			for _, j := range positions(text, b) {
				if max(i+la, j+lb)-min(i, j)-la-lb <= within {
					return true
				}
			}
		}
		return false
	}
	scan := func(a, b string, within int, headOnly bool) []string {
		var out []string
		for _, r := range recs {
			if near(r.head, a, b, within) || !headOnly && near(r.body, a, b, within) {
				out = append(out, r.id)
			}
		}
		sort.Strings(out)
		return out
	}

	rng := rand.New(rand.NewPCG(20261202, 7))
	const queries = 300
	nonEmpty := 0
	for n := 0; n < queries; n++ {
		r := recs[rng.IntN(len(recs))]
		text := string(r.body)
		headOnly := n%5 == 0
		if headOnly {
			text = string(r.head)
		}
		rs := []rune(text)
		if len(rs) < 4 {
			n--
			continue
		}
		p := rng.IntN(len(rs))
		a := runAt(rs, p, 1+rng.IntN(4))
		b := runAt(rs, min(len(rs)-1, p+rng.IntN(40)), 1+rng.IntN(4))
		if a == "" || b == "" || a == b {
			n--
			continue
		}
		within := rng.IntN(30)
		want := scan(a, b, within, headOnly)
		if len(want) > 0 {
			nonEmpty++
		}
		scope := engine.ScopeAll
		if headOnly {
			scope = engine.ScopeHead
		}
		bq, err := compile(engine.Near{Terms: []string{a, b}, Within: within, Scope: scope})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(t, idx.bleve, bq); !equal(got, want) {
			t.Errorf("%q %q ~%d head=%v: %d hits, brute force %d (%v vs %v)", a, b, within, headOnly, len(got), len(want), head(got), head(want))
		}
		if got := matchIDs(t, idx, bq); !equal(got, want) {
			t.Errorf("%q %q ~%d head=%v, folded text: %d hits, brute force %d (%v vs %v)", a, b, within, headOnly, len(got), len(want), head(got), head(want))
		}
	}
	if nonEmpty < queries/3 {
		t.Errorf("only %d of %d draws match anything: the test says little", nonEmpty, queries)
	}
	t.Logf("%d queries over %d articles, %d with matches", queries, len(recs), nonEmpty)
}

// runAt returns the run of up to n searchable characters at rs[i], or ""
// when rs[i] is not searchable.
func runAt(rs []rune, i, n int) string {
	end := i
	for end < len(rs) && end-i < n && analysis.Searchable(rs[end]) {
		end++
	}
	return string(rs[i:end])
}
