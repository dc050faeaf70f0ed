package index

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestEachCommonFindsTheIntersection checks eachCommon against a set
// lookup, with either list the shorter, empty lists and lists far apart
// in length.
func TestEachCommonFindsTheIntersection(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 12))
	list := func(n, span int) []uint32 {
		seen := map[uint32]bool{}
		for range n {
			seen[uint32(rng.IntN(span))] = true
		}
		out := make([]uint32, 0, len(seen))
		for d := range seen {
			out = append(out, d)
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct{ na, nb, span int }{{0, 10, 100}, {10, 0, 100}, {5, 500, 1000}, {500, 5, 1000}, {300, 300, 600}, {1, 1, 2}} {
		for range 20 {
			a, b := list(c.na, c.span), list(c.nb, c.span)
			inB := map[uint32]int{}
			for j, d := range b {
				inB[d] = j
			}
			var want [][2]int
			for i, d := range a {
				if j, ok := inB[d]; ok {
					want = append(want, [2]int{i, j})
				}
			}
			var got [][2]int
			eachCommon(a, b, func(i, j int) { got = append(got, [2]int{i, j}) })
			if !slices.Equal(got, want) {
				t.Fatalf("eachCommon(%v, %v) = %v, want %v", a, b, got, want)
			}
		}
	}
}
