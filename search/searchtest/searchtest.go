// Package searchtest builds, once per test binary, a real on-disk index of
// real test data for the tests of the packages that search: the real
// bulletin page, the embedded sample corpus and every tenth day of the
// shared xwlb corpus (about 1,500 articles).
package searchtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"newsarchive/corpus"
	"newsarchive/corpus/corpustest"
	"newsarchive/corpus/sample"
	"newsarchive/engine"
	"newsarchive/index"
	"newsarchive/index/analysis"
	"newsarchive/opensearch"
	"newsarchive/search"
)

// Engine is an engine with a lifetime, as serving serves one
// (serving.Engine; not imported, since serving's tests use this package).
type Engine interface {
	engine.Engine
	Check(ctx context.Context, full bool) error
	Close() error
}

// EnvEngine, set to "opensearch", puts the fixture's articles on the
// OpenSearch test cluster (opensearch.EnvURL) and makes that the engine
// under Searcher and Engine, so that the tests of the packages that
// search run against the cluster (.ci/run runs search and web so).
const EnvEngine = "NEWSARCHIVE_TEST_ENGINE"

// Fixture is the shared test index.
type Fixture struct {
	// Searcher searches Engine.
	Searcher *search.Searcher
	// Engine is what the tests serve: Index, or with EnvEngine=opensearch
	// the same articles on the cluster.
	Engine Engine
	// Index is the embedded index, for tests of the index itself.
	Index  *index.Index
	Tagger *corpus.Tagger
	// Articles are all the records in the index, read back from it, in id
	// order: the reference for brute-force checks.
	Articles []corpus.Article
	Corpus   string // the corpus directory (symbolic links to the data)
	Dir      string // the index directory

	cleanup func() // removes the cluster's copy
}

// OnCluster reports whether the fixture is served from the cluster.
func (fx *Fixture) OnCluster() bool { return fx.Engine.Info().Engine == opensearch.EngineName }

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
		if fixture.cleanup != nil {
			fixture.cleanup()
		}
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
	fx.Engine = idx
	// Every record, in id order (a query-less request's ties).
	err = idx.Each(ctx, &engine.Request{}, func(h engine.Hit) error {
		fx.Articles = append(fx.Articles, h.Record)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if os.Getenv(EnvEngine) == opensearch.EngineName {
		if err := fx.loadCluster(ctx); err != nil {
			return nil, fmt.Errorf("the fixture on the cluster: %w", err)
		}
	}
	fx.Searcher = &search.Searcher{Engine: fx.Engine, Tagger: tagger}
	return fx, nil
}

// loadCluster loads the fixture's articles into a fresh alias on the test
// cluster and makes it the fixture's Engine.
func (fx *Fixture) loadCluster(ctx context.Context) error {
	cfg := opensearch.ConfigFromEnv()
	if len(cfg.URLs) == 0 {
		return fmt.Errorf("%s=%s without a cluster: set %s", EnvEngine, opensearch.EngineName, opensearch.EnvURL)
	}
	var b [4]byte
	rand.Read(b[:])
	cfg.Alias = "natest-searchtest-" + hex.EncodeToString(b[:])
	cfg.Logger = slog.New(slog.DiscardHandler)
	c, err := opensearch.New(cfg)
	if err != nil {
		return err
	}
	l, err := c.NewLoad(ctx, opensearch.LoadOptions{})
	if err != nil {
		c.Close()
		return err
	}
	for i := range fx.Articles {
		// The records do not carry their other ids; an index run gives a
		// first-run article its path-based id as one (index.Update).
		a := fx.Articles[i]
		if path := corpus.ArticleID(a.Source, a.Ordinal); path != a.ID {
			a.Aliases = []string{path}
		}
		if err := l.Add(ctx, &a); err != nil {
			l.Abort(ctx)
			c.Close()
			return err
		}
	}
	if _, err := l.Commit(ctx); err != nil {
		c.Close()
		return err
	}
	c.Close()
	e, err := opensearch.OpenEngine(ctx, cfg)
	if err != nil {
		return err
	}
	fx.Engine = e
	fx.cleanup = func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := e.Client().DeleteAll(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "searchtest: delete the cluster's copy:", err)
		}
		e.Close()
	}
	return nil
}
