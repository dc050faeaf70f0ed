package places

import "slices"

// FindAll returns a function that reports every occurrence (byte offsets
// and pattern index) of pats in a text, for the evaluation in package
// places_test; it is the package's matcher, whose results
// TestMatcherBruteForce checks against strings.Index.
func FindAll(pats []string) func(s string) [][3]int {
	sorted := slices.Clone(pats)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	orig := make([]int, len(sorted))
	for i, p := range sorted {
		orig[i] = slices.Index(pats, p)
	}
	m := newMatcher(sorted)
	return func(s string) [][3]int {
		var out [][3]int
		for _, h := range m.all(s, nil) {
			out = append(out, [3]int{h.start, h.end, orig[h.pat]})
		}
		return out
	}
}
