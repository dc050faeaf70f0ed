package analysis

import (
	"os"
	"testing"

	blevea "github.com/blevesearch/bleve/v2/analysis"
)

// benchTexts reads the first 50 xwlb files.
func benchTexts(b *testing.B) ([][]byte, int64) {
	b.Helper()
	var texts [][]byte
	var n int64
	for _, p := range xwlbFiles(b, 50) {
		t, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		texts = append(texts, t)
		n += int64(len(t))
	}
	return texts, n
}

func benchTokenizer(b *testing.B, tok blevea.Tokenizer) {
	texts, n := benchTexts(b)
	b.SetBytes(n)
	b.ResetTimer()
	for b.Loop() {
		for _, t := range texts {
			tok.Tokenize(t)
		}
	}
}

func BenchmarkWordTokenizer(b *testing.B) { benchTokenizer(b, testWordTokenizer(b)) }

func BenchmarkBigramTokenizer(b *testing.B) { benchTokenizer(b, bigramTokenizer{}) }

func BenchmarkUnigramTokenizer(b *testing.B) { benchTokenizer(b, unigramTokenizer{}) }

// BenchmarkWordModes compares gse's accurate-mode algorithms (the HMM
// choice in docs/analysis.md).
func BenchmarkWordModes(b *testing.B) {
	seg := testSegmenter(b)
	for _, m := range []struct {
		name string
		mode cutMode
	}{{"Segment", modeSegment}, {"CutNoHMM", modeDAG}, {"CutHMM", modeDAGHMM}} {
		b.Run(m.name, func(b *testing.B) { benchTokenizer(b, &wordTokenizer{seg: seg, mode: m.mode}) })
	}
}
