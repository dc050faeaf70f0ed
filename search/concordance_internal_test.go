package search

import (
	"slices"
	"testing"
)

func TestOccurrencesOverlap(t *testing.T) {
	for _, tc := range []struct {
		text, needle string
		want         []int
	}{
		{"啊啊啊", "啊啊", []int{0, 1}},
		{"啊啊啊啊", "啊啊", []int{0, 1, 2}},
		{"啊", "啊啊", nil},
		{"abab", "ab", []int{0, 2}},
		{"", "a", nil},
	} {
		if got := occurrences([]rune(tc.text), []rune(tc.needle)); !slices.Equal(got, tc.want) {
			t.Errorf("occurrences(%q, %q) = %v, want %v", tc.text, tc.needle, got, tc.want)
		}
	}
}
