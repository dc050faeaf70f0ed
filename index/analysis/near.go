package analysis

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// NearRuns returns the runs a proximity search looks for: each of terms
// folded and cut at characters that are not searchable (each run a term,
// as QueryBigrams cuts a quoted string), without repeats.
func NearRuns(terms []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range terms {
		for _, bigrams := range QueryBigrams(t) {
			run := RunText(bigrams)
			if !seen[run] {
				seen[run] = true
				out = append(out, run)
			}
		}
	}
	return out
}

// RunText rebuilds a run's folded text from its QueryBigrams terms.
func RunText(terms []string) string {
	if len(terms) == 1 {
		return terms[0]
	}
	var b strings.Builder
	for _, t := range terms {
		r, _ := utf8.DecodeRuneInString(t)
		b.WriteRune(r)
	}
	_, n := utf8.DecodeRuneInString(terms[len(terms)-1])
	b.WriteString(terms[len(terms)-1][n:])
	return b.String()
}

// Near reports whether the folded text holds an occurrence of every run
// with at most within characters between them beyond the runs' own
// (engine.Near defines it): the reference the engines verify with.
func Near(text string, runs []string, within int) bool {
	if len(runs) == 0 {
		return false
	}
	occ := make([][]int, len(runs))
	lens := make([]int, len(runs))
	for k, r := range runs {
		lens[k] = utf8.RuneCountInString(r)
		chars, last := 0, 0
		for at := 0; ; {
			i := strings.Index(text[at:], r)
			if i < 0 {
				break
			}
			i += at
			chars += utf8.RuneCountInString(text[last:i])
			last = i
			occ[k] = append(occ[k], chars)
			_, size := utf8.DecodeRuneInString(text[i:])
			at = i + size
		}
		if len(occ[k]) == 0 {
			return false
		}
	}
	return NearSpan(occ, lens) <= within
}

// NearSpan returns the least distance of a choice of one occurrence per
// term: the span from the first character of the earliest chosen
// occurrence to the last character of the latest, less the sum of the
// terms' lengths. occ holds each term's occurrences (character offsets,
// ascending) and lens the terms' lengths in characters; every occ[k] must
// be non-empty.
//
// For each start s among the occurrences, the best choice whose earliest
// occurrence starts at or after s takes each term's first occurrence at or
// after s; the least span over all s is the answer, since the optimum is
// reached with s its earliest start.
func NearSpan(occ [][]int, lens []int) int {
	sum := 0
	for _, l := range lens {
		sum += l
	}
	var starts []int
	for _, o := range occ {
		starts = append(starts, o...)
	}
	sort.Ints(starts)
	ptr := make([]int, len(occ))
	best := -1
	for k, s := range starts {
		if k > 0 && starts[k-1] == s {
			continue
		}
		end := s
		for t, o := range occ {
			for ptr[t] < len(o) && o[ptr[t]] < s {
				ptr[t]++
			}
			if ptr[t] == len(o) {
				return best - sum
			}
			end = max(end, o[ptr[t]]+lens[t])
		}
		if span := end - s; best < 0 || span < best {
			best = span
		}
	}
	return best - sum
}
