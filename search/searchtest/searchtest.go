// Package searchtest builds, once per test binary, a real on-disk index of
// real test data for the tests of the packages that search: the real
// bulletin page, the embedded sample corpus and every tenth day of the
// shared xwlb corpus (about 1,500 articles).
package searchtest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"newsarchive/corpus"
	"newsarchive/corpus/corpustest"
	"newsarchive/corpus/sample"
	"newsarchive/engine"
	"newsarchive/index"
	"newsarchive/index/analysis"
	"newsarchive/search"
)

// Fixture is the shared test index.
type Fixture struct {
	Searcher *search.Searcher
	// Index is the engine under Searcher, for tests of the index itself.
	Index  *index.Index
	Tagger *corpus.Tagger
	// Articles are all the records in the index, read back from it, in id
	// order: the reference for brute-force checks.
	Articles []corpus.Article
	Corpus   string // the corpus directory (symbolic links to the data)
	Dir      string // the index directory
}

var (
	once    sync.Once
	fixture *Fixture
	errOnce error
	tmp     string
)

// Get returns the fixture, building it on the first call.
func Get(tb testing.TB) *Fixture {
	tb.Helper()
	once.Do(func() { fixture, errOnce = build(tb) })
	if errOnce != nil {
		tb.Fatalf("build test index: %v", errOnce)
	}
	return fixture
}

// Cleanup removes the fixture's files; call it from TestMain after the
// tests ran.
func Cleanup() {
	if fixture != nil {
		fixture.Index.Close()
	}
	if tmp != "" {
		os.RemoveAll(tmp)
	}
}

// Init loads the word segmenter as the program does (once per process).
func Init(t *corpus.Tagger) error {
	if err := analysis.Init(t.Gazetteer.PlaceNames()); err != nil && !errors.Is(err, analysis.ErrLoaded) {
		return err
	}
	return nil
}

// BuildCorpus fills dir with the fixture's bulletin files: links to the
// real page and to every tenth xwlb file, and the sample pages.
func BuildCorpus(tb testing.TB, dir string) error {
	link := func(src, name string) error {
		return os.Symlink(src, filepath.Join(dir, name))
	}
	if err := link(corpustest.RealPage(tb), "realpage.txt"); err != nil {
		return err
	}
	var xwlb []string
	err := filepath.WalkDir(corpustest.TestData(tb, "xwlb"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ".txt" {
			xwlb = append(xwlb, p)
		}
		return err
	})
	if err != nil {
		return err
	}
	sort.Strings(xwlb)
	for i := 0; i < len(xwlb); i += 10 {
		if err := link(xwlb[i], filepath.Base(xwlb[i])); err != nil {
			return err
		}
	}
	return fs.WalkDir(sample.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sample.FS, p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, "sample-"+p), b, 0o644)
	})
}

func build(tb testing.TB) (*Fixture, error) {
	tagger, err := corpus.DefaultTagger()
	if err != nil {
		return nil, err
	}
	if err := Init(tagger); err != nil {
		return nil, err
	}
	if tmp, err = os.MkdirTemp("", "newsarchive-searchtest-"); err != nil {
		return nil, err
	}
	fx := &Fixture{Tagger: tagger, Corpus: filepath.Join(tmp, "corpus"), Dir: filepath.Join(tmp, "index")}
	if err := os.Mkdir(fx.Corpus, 0o755); err != nil {
		return nil, err
	}
	if err := BuildCorpus(tb, fx.Corpus); err != nil {
		return nil, fmt.Errorf("corpus: %w", err)
	}
	ctx := context.Background()
	if _, err := index.Update(ctx, index.Options{Corpus: fx.Corpus, Dir: fx.Dir, Parser: corpus.NewParser(tagger)}); err != nil {
		return nil, err
	}
	idx, err := index.Open(fx.Dir)
	if err != nil {
		return nil, err
	}
	// Three parts, as on a large archive, so that the tests go through the
	// merging of parallel parts (the fixture is below index.MinDocsPerPart).
	idx.MatchParts = 3
	fx.Index = idx
	fx.Searcher = &search.Searcher{Engine: idx, Tagger: tagger}
	// Every record, in id order (a query-less request's ties).
	err = idx.Each(ctx, &engine.Request{}, func(h engine.Hit) error {
		fx.Articles = append(fx.Articles, h.Record)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return fx, nil
}
