package index

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"newsarchive/corpus"
	"newsarchive/index/analysis"
)

func TestMain(m *testing.M) {
	// Load the segmenter once per test binary, with the gazetteer's names,
	// as the program does at start.
	tagger, err := corpus.DefaultTagger()
	if err != nil {
		fmt.Fprintln(os.Stderr, "DefaultTagger:", err)
		os.Exit(1)
	}
	if err := analysis.Init(tagger.Gazetteer.PlaceNames()); err != nil {
		fmt.Fprintln(os.Stderr, "analysis.Init:", err)
		os.Exit(1)
	}
	code := m.Run()
	if benchIndexDir != "" {
		os.RemoveAll(filepath.Dir(benchIndexDir)) // BenchmarkExactQuery's index
	}
	os.Exit(code)
}
