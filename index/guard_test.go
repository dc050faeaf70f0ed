package index

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadersSurviveTruncatedSegments truncates every segment file of an
// open generation under its memory maps: the loaders that read segments on
// goroutines of their own report the damage instead of taking the process
// down with SIGBUS. (Bleve's field dictionaries read each segment on a
// goroutine Bleve starts, which no caller can guard: columns are loaded
// only after the sizes were checked against CHECKSUMS.)
func TestLoadersSurviveTruncatedSegments(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	linkTestCorpus(t, corpusDir, 40)
	update(t, corpusDir, indexDir, true)
	x, err := open(indexDir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	segs := 0
	filepath.WalkDir(x.Generation, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".zap") {
			if err := os.Truncate(path, 100); err != nil {
				t.Fatal(err)
			}
			segs++
		}
		return err
	})
	if segs == 0 {
		t.Fatalf("no segment file in %s", x.Generation)
	}
	if text := loadFoldedText(context.Background(), x.snap.stored, x.snap.columns); text != nil {
		text.free()
		t.Error("folded text loaded from truncated segments")
	}
	if _, err := x.RecordAt(0); !errors.Is(err, ErrDamaged) {
		t.Errorf("a record of a truncated segment: %v, want ErrDamaged", err)
	}
}
