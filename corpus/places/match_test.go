package places

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestMatcherBruteForce compares the automaton with strings.Index on random
// texts over a small alphabet, where patterns overlap and nest a lot.
func TestMatcherBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("县市区安吉林a")
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteRune(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	for round := 0; round < 200; round++ {
		var pats []string
		for range 1 + r.IntN(30) {
			pats = append(pats, word(1+r.IntN(4)))
		}
		slices.Sort(pats)
		pats = slices.Compact(pats)
		m := newMatcher(pats)
		text := word(r.IntN(60))
		type occ struct{ start, end int }
		var want, got []occ
		for _, p := range pats {
			for i := 0; i+len(p) <= len(text); i++ {
				if strings.HasPrefix(text[i:], p) {
					want = append(want, occ{i, i + len(p)})
				}
			}
		}
		for _, h := range m.all(text, nil) {
			if pats[h.pat] != text[h.start:h.end] {
				t.Fatalf("hit %v is %q, not pattern %q", h, text[h.start:h.end], pats[h.pat])
			}
			got = append(got, occ{h.start, h.end})
		}
		cmpOcc := func(a, b occ) int {
			if a.start != b.start {
				return a.start - b.start
			}
			return a.end - b.end
		}
		slices.SortFunc(want, cmpOcc)
		slices.SortFunc(got, cmpOcc)
		if !slices.Equal(want, got) {
			t.Fatalf("patterns %q text %q: got %v, want %v", pats, text, got, want)
		}
		for _, p := range pats {
			if id, ok := m.exact(p); !ok || pats[id] != p {
				t.Fatalf("exact(%q) = %d, %v", p, id, ok)
			}
		}
	}
}
