package search

import (
	"testing"
	"unsafe"
)

func TestVocabulary(t *testing.T) {
	v := buildVocabulary("振兴 7.4\n真心 8.1\n振興 9.0\n乡村振兴计划 5\nabc 1\n振 3\n村镇 8.8\n坏行\n", 3)
	// Folded (振興 is 振兴), Chinese, two to four characters, capped at
	// the three lowest IDF.
	if got := string(v.words[2]); got != "振兴真心村镇" {
		t.Errorf("two-character words %q", got)
	}
	if len(v.words[3])+len(v.words[4]) != 0 {
		t.Errorf("longer words %q %q", string(v.words[3]), string(v.words[4]))
	}
	costs := map[string]float64{}
	for _, r := range v.similar([]rune("振新")) {
		costs[r.word] = r.cost
	}
	// 新 xin → 兴 xing: one character, one letter of pinyin. 真心 (zhen
	// xin) is a homophone.
	if costs["振兴"] != 1.25 || costs["真心"] != 1 || len(costs) != 2 {
		t.Errorf("similar(振新) = %v", costs)
	}
	if r := v.similar([]rune("兴振")); len(r) != 1 || r[0].word != "振兴" || r[0].cost != 1 {
		t.Errorf("similar(兴振) = %v, want the swap", r)
	}

	full := theVocabulary()
	n := 0
	for _, w := range full.words {
		n += len(w)
	}
	if words := len(full.words[2])/2 + len(full.words[3])/3 + len(full.words[4])/4; words != maxVocabulary {
		t.Errorf("%d words, want the cap %d", words, maxVocabulary)
	}
	if size := n * int(unsafe.Sizeof(rune(0))); size > 2<<20 {
		t.Errorf("vocabulary holds %d bytes of runes", size)
	}
}

func TestLevenshtein(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"xin", "xing", 1}, {"zhao", "bao", 2}, {"", "ab", 2}, {"cun", "cun", 0}} {
		if got := levenshtein(c.a, c.b); got != c.d {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}
