package index

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"newsarchive/corpus/corpustest"
)

// BenchmarkRunSearch compares the verifier's substring search by the run's
// rarest byte with searching by its last byte and with bytes.Count (which
// ignores the units' alignment: for its speed only), over 3.4 KB slices of
// xwlb text in the folded text's UTF-16 (a 5 KB article body in UTF-8).
func BenchmarkRunSearch(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(corpustest.TestData(b, "xwlb"), "*", "*.txt"))
	var text []byte
	for _, f := range files[:100] {
		t, _ := os.ReadFile(f)
		text = appendWide(text, t)
	}
	t := &foldedText{}
	for _, c := range text {
		t.bytes[c]++
	}
	var bodies [][]byte
	for i := 0; i+3400 < len(text); i += 3400 {
		bodies = append(bodies, text[i:i+3400])
	}
	for _, run := range []string{"高质量发展", "人类命运共同体", "习近平", "一带一路"} {
		r := appendWide(nil, []byte(run))
		k := t.rarest(r)
		b.Run(run+"/rarest", func(b *testing.B) {
			n := 0
			for i := 0; i < b.N; i++ {
				n += countRun(bodies[i%len(bodies)], r, k, 0)
			}
		})
		b.Run(run+"/last", func(b *testing.B) {
			n := 0
			for i := 0; i < b.N; i++ {
				n += countRun(bodies[i%len(bodies)], r, len(r)-1, 0)
			}
		})
		b.Run(run+"/bytes.Count", func(b *testing.B) {
			n := 0
			for i := 0; i < b.N; i++ {
				n += bytes.Count(bodies[i%len(bodies)], r)
			}
		})
	}
}
