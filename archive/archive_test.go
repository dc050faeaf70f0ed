package archive

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"newsarchive/corpus"
	"newsarchive/corpus/sample"
	"newsarchive/index/analysis"
)

func tagger(t *testing.T) *corpus.Tagger {
	t.Helper()
	tg, err := corpus.DefaultTagger()
	if err != nil {
		t.Fatal(err)
	}
	if err := analysis.Init(tg.Gazetteer.PlaceNames()); err != nil && !errors.Is(err, analysis.ErrLoaded) {
		t.Fatal(err)
	}
	return tg
}

func TestLayout(t *testing.T) {
	t.Setenv(EnvDataDir, "/data")
	for _, c := range []struct {
		in                  Config
		corpus, index, data string
		sample              bool
	}{
		{Config{}, "/data/sample/corpus", "/data/sample/index", "/data", true},
		{Config{DataDir: "/d"}, "/d/sample/corpus", "/d/sample/index", "/d", true},
		{Config{IndexDir: "/i"}, "", "/i", "/data", false},
		{Config{CorpusDir: "/c", IndexDir: "/i"}, "/c", "/i", "", false},
	} {
		got := c.in
		if err := got.Layout(); err != nil {
			t.Fatal(err)
		}
		if got.CorpusDir != c.corpus || got.IndexDir != c.index || got.DataDir != c.data || got.sample != c.sample {
			t.Errorf("Layout(%+v) = %+v", c.in, got)
		}
	}
	// A corpus without an index: an index named after the corpus's path,
	// the same for the same corpus, another for another.
	a, b := Config{CorpusDir: "/x/papers"}, Config{CorpusDir: "/y/papers"}
	a.Layout()
	b.Layout()
	if filepath.Dir(a.IndexDir) != "/data" || a.IndexDir == b.IndexDir || filepath.Base(a.IndexDir)[:len("index-papers-")] != "index-papers-" {
		t.Errorf("index dirs %q and %q", a.IndexDir, b.IndexDir)
	}
}

// TestOpenSample opens the sample archive twice (the second run indexes
// nothing) and reindexes it, then restores a sample file someone edited.
func TestOpenSample(t *testing.T) {
	tg := tagger(t)
	data := t.TempDir()
	ctx := context.Background()
	a, err := Open(ctx, Config{DataDir: data, Tagger: tg}, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := a.Source().Status().Articles
	entries, _ := sample.FS.ReadDir(".")
	if n == 0 || !a.HasCorpus() || a.IndexDir() != filepath.Join(data, "sample", "index") {
		t.Fatalf("%d articles, corpus %v, index %s", n, a.HasCorpus(), a.IndexDir())
	}
	sum, err := a.Reindex(ctx, true)
	if err != nil || sum.Articles != int(n) {
		t.Fatalf("rebuild: %+v, %v; want %d articles", sum, err, n)
	}
	a.Close()

	// An edited and an extra file in the sample corpus are put back.
	corpusDir := filepath.Join(data, "sample", "corpus")
	first := filepath.Join(corpusDir, entries[0].Name())
	os.WriteFile(first, []byte("# 改过的\n\n正文。\n"), 0o644)
	os.WriteFile(filepath.Join(corpusDir, "extra.txt"), []byte("# 多余\n\n正文。\n"), 0o644)
	b, err := Open(ctx, Config{DataDir: data, Tagger: tg}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := b.Source().Status().Articles; got != n {
		t.Errorf("after restoring the sample: %d articles, want %d", got, n)
	}
	if _, err := os.Stat(filepath.Join(corpusDir, "extra.txt")); !os.IsNotExist(err) {
		t.Errorf("extra file kept: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	tg := tagger(t)
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	if _, err := Open(ctx, Config{CorpusDir: file, IndexDir: t.TempDir(), Tagger: tg}, nil); !errors.Is(err, ErrConfig) {
		t.Errorf("corpus is a file: %v, want ErrConfig", err)
	}
	if _, err := Open(ctx, Config{IndexDir: t.TempDir(), Tagger: tg}, nil); err == nil {
		t.Error("an empty index directory opened")
	}
	a, err := Open(ctx, Config{DataDir: t.TempDir(), Tagger: tg}, func() error { return errors.New("not ready") })
	if err == nil || err.Error() != "not ready" {
		t.Errorf("ready failing: %v, %v", a, err)
	}
	var noCorpus Archive
	if _, err := noCorpus.Reindex(ctx, false); !errors.Is(err, ErrConfig) {
		t.Errorf("reindex without a corpus: %v", err)
	}
}
