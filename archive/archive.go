// Package archive assembles a served archive from its configuration:
// where its files live (the data directory, the first-start sample), how
// its index is brought up to date before and while serving, and the
// serving.Source the web application answers from. cmd/newsarchive wires
// flags to it; the web package knows nothing of it.
package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"newsarchive/corpus"
	"newsarchive/corpus/sample"
	"newsarchive/index"
	"newsarchive/serving"
)

// EnvDataDir names the environment variable that sets the default data
// directory.
const EnvDataDir = "NEWSARCHIVE_DATA"

// Config is what a server is asked to serve.
type Config struct {
	// CorpusDir is the corpus to index before serving and on reindex
	// requests; "" with IndexDir "" selects the embedded sample.
	CorpusDir string
	// IndexDir is the index directory; "" puts it in DataDir.
	IndexDir string
	// DataDir holds the default index and the sample corpus; "" is
	// DefaultDataDir.
	DataDir string
	// Engine is where the index is held: the embedded index in IndexDir
	// (the default), or a cluster's alias (IndexDir and DataDir unused,
	// no sample: the cluster serves what was loaded into it).
	Engine Engine
	// Tagger tags the corpus and resolves names in requests.
	Tagger *corpus.Tagger
	// Workers parse files at once when indexing (0: all cores).
	Workers int
	// Logger receives what happens (default slog.Default()).
	Logger *slog.Logger
	// Progress, when not nil, returns a progress callback for one index
	// run and a function to call when it ends.
	Progress func() (func(index.Progress), func())

	sample bool // Layout chose the embedded sample
}

// DefaultDataDir is where an archive keeps its files when not told:
// $NEWSARCHIVE_DATA, else newsarchive in the user cache directory.
func DefaultDataDir() (string, error) {
	if d := os.Getenv(EnvDataDir); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find a data directory (set %s or --data): %w", EnvDataDir, err)
	}
	return filepath.Join(d, "newsarchive"), nil
}

// ErrConfig wraps the errors of a configuration that cannot work (a
// corpus that is no directory, no data directory to be found).
var ErrConfig = errors.New("archive configuration")

// Layout resolves the directories of c: with neither a corpus nor an
// index, the sample's corpus and index in the data directory; with a
// corpus and no index, an index in the data directory named after the
// corpus's absolute path. It changes nothing on disk.
func (c *Config) Layout() error {
	if c.DataDir == "" && (c.CorpusDir == "" || c.IndexDir == "") {
		d, err := DefaultDataDir()
		if err != nil {
			return fmt.Errorf("%w: %w", ErrConfig, err)
		}
		c.DataDir = d
	}
	switch {
	case c.CorpusDir == "" && c.IndexDir == "":
		c.CorpusDir = filepath.Join(c.DataDir, "sample", "corpus")
		c.IndexDir = filepath.Join(c.DataDir, "sample", "index")
		c.sample = true
	case c.CorpusDir != "" && c.IndexDir == "":
		abs, err := filepath.Abs(c.CorpusDir)
		if err != nil {
			return fmt.Errorf("%w: corpus %q: %w", ErrConfig, c.CorpusDir, err)
		}
		sum := sha256.Sum256([]byte(abs))
		c.IndexDir = filepath.Join(c.DataDir, "index-"+filepath.Base(abs)+"-"+hex.EncodeToString(sum[:4]))
	}
	return nil
}

// Archive is a served archive: its Source, and when it has a corpus, the
// way to bring its index up to date.
type Archive struct {
	cfg    Config
	log    *slog.Logger
	source *serving.Source
}

// Open lays out c (Layout), writes the sample corpus when it serves the
// sample, brings the index up to date with the corpus when there is one
// (only what changed since the last run), and opens a Source on the
// index. ready, when not nil, is waited for before indexing and opening
// (the word segmenter loading meanwhile).
func Open(ctx context.Context, c Config, ready func() error) (*Archive, error) {
	if err := c.Engine.Check(); err != nil {
		return nil, err
	}
	if !c.Engine.Cluster() {
		if err := c.Layout(); err != nil {
			return nil, err
		}
	}
	a := &Archive{cfg: c, log: c.Logger}
	if a.log == nil {
		a.log = slog.Default()
	}
	if c.Engine.Cluster() && c.CorpusDir != "" {
		return nil, fmt.Errorf("%w: serve --engine opensearch serves what the cluster holds; load a corpus with newsarchive index --engine opensearch --corpus DIR", ErrConfig)
	}
	if c.sample {
		if err := WriteSample(c.CorpusDir); err != nil {
			return nil, err
		}
	}
	if ready != nil {
		if err := ready(); err != nil {
			return nil, err
		}
	}
	if c.CorpusDir != "" {
		if st, err := os.Stat(c.CorpusDir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("%w: corpus %q is not a directory", ErrConfig, c.CorpusDir)
		}
		if _, err := a.update(ctx, false); err != nil {
			return nil, err
		}
	}
	src, err := OpenSource(ctx, c.Engine, serving.Options{Dir: c.IndexDir, Tagger: c.Tagger, Logger: a.log})
	if err != nil {
		return nil, fmt.Errorf("%w (give a corpus to build it)", err)
	}
	a.source = src
	return a, nil
}

// Source is what the archive serves.
func (a *Archive) Source() *serving.Source { return a.source }

// IndexDir is the index directory served ("" on a cluster).
func (a *Archive) IndexDir() string { return a.cfg.IndexDir }

// Where names the index served: its directory, or its alias and cluster.
func (a *Archive) Where() string { return a.cfg.Engine.Where(a.cfg.IndexDir) }

// HasCorpus reports whether the archive can reindex (it has a corpus).
func (a *Archive) HasCorpus() bool { return a.cfg.CorpusDir != "" }

// Reindex brings the index up to date with the corpus (rebuild: from
// scratch, beside the old generation) and switches the Source to the new
// generation. An index run in progress elsewhere (the CLI) holds the
// write lock: the error wraps index.ErrLocked.
func (a *Archive) Reindex(ctx context.Context, rebuild bool) (index.Summary, error) {
	if !a.HasCorpus() {
		return index.Summary{}, fmt.Errorf("%w: the archive has no corpus to index", ErrConfig)
	}
	sum, err := a.update(ctx, rebuild)
	if err == nil {
		err = a.source.Reload(ctx)
	}
	return sum, err
}

// update runs the index over the corpus.
func (a *Archive) update(ctx context.Context, rebuild bool) (index.Summary, error) {
	c := a.cfg
	a.log.Info("indexing", "corpus", c.CorpusDir, "index", c.IndexDir, "rebuild", rebuild)
	opts := index.Options{
		Corpus: c.CorpusDir, Dir: c.IndexDir, Workers: c.Workers, Rebuild: rebuild,
		Parser: corpus.NewParser(c.Tagger), Logger: a.log,
	}
	done := func() {}
	if c.Progress != nil {
		opts.Progress, done = c.Progress()
	}
	sum, err := index.Update(ctx, opts)
	done()
	for _, p := range sum.Problems {
		a.log.Warn("corpus problem", "problem", p.Error())
	}
	if err != nil {
		return sum, fmt.Errorf("index %s: %w", c.CorpusDir, err)
	}
	a.log.Info("index ready", "articles", sum.Articles, "read", sum.FilesRead, "unchanged", sum.FilesUnchanged, "took", sum.Duration)
	return sum, nil
}

// Close closes the Source.
func (a *Archive) Close() error {
	if a.source == nil {
		return nil
	}
	return a.source.Close()
}

// WriteSample copies the embedded sample corpus into dir, replacing files
// that differ and removing ones the sample no longer has, so that the
// incremental index run that follows sees exactly the sample.
func WriteSample(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("sample corpus: %w", err)
	}
	want := map[string]bool{}
	err := fs.WalkDir(sample.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		want[path] = true
		b, err := fs.ReadFile(sample.FS, path)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(path))
		if old, err := os.ReadFile(dst); err == nil && string(old) == string(b) {
			return nil
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		return fmt.Errorf("sample corpus: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("sample corpus: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() && !want[e.Name()] {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("sample corpus: %w", err)
			}
		}
	}
	return nil
}
