package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"newsarchive/archive"
	"newsarchive/corpus"
	"newsarchive/index"
	"newsarchive/index/analysis"
	"newsarchive/opensearch"
)

// initAnalysis loads the word segmenter with the gazetteer's place names, so
// that local names stay whole words.
func initAnalysis(t *corpus.Tagger) error {
	var names []string
	if t != nil && t.Gazetteer != nil {
		names = t.Gazetteer.PlaceNames()
	}
	if err := analysis.Init(names); err != nil && !errors.Is(err, analysis.ErrLoaded) {
		return fmt.Errorf("load word segmenter: %w", err)
	}
	return nil
}

func newIndexCmd() *cobra.Command {
	var (
		corpusDir, indexDir string
		rebuild, rollback   bool
		rollbackTo          string
		workers, keep       int
		segmentDocs         int
		allowDeletions      bool
		maxDeletions        float64
		wait                time.Duration
		tf                  taggerFlags
		ef                  engineFlags
	)
	cmd := &cobra.Command{
		Use:   "index --corpus DIR --index PATH [--rebuild] [--workers N] [--keep N] [--allow-deletions] [--max-deletions PCT] [--wait DURATION] | index --index PATH --rollback [--to GEN] [--wait DURATION]",
		Short: "Build or update the search index from a corpus directory",
		Long: `Index reads the bulletin files of a corpus directory into the index at PATH.
The first run builds it; later runs re-read only the files whose inputs
changed: the bytes, the file's manifest.csv row, the gazetteer or taxonomy,
or the parsing rules of this program. --rebuild builds a fresh index beside
the old one. Either way the new index replaces the old one atomically when
complete, so a failed or killed run leaves the previous index whole. A run
that finds nothing to change writes nothing and says so.

A run that would delete more than --max-deletions percent of the articles
(default 50) stops unless --allow-deletions is given; an empty or missing
corpus never deletes anything. One run writes at a time: another fails at
once, or waits up to --wait for the first to end (--rollback too). --keep N keeps the newest
N complete generations (and always the current one and the one before it).

--rollback makes the previous complete generation current again (or the
one named by --to; "newsarchive generations" lists them); a running server
follows within a second. --rollback --to GEN also repairs a CURRENT that is
missing or names a removed or incomplete generation.

Exit status: 0 on success, 1 when some files were skipped, 2 on usage
errors, when the index cannot be written, when another run is writing it,
when the corpus is empty or vanished, or when the run would delete too
many articles.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := ef.engine()
			if err != nil {
				return err
			}
			if rollback || rollbackTo != "" {
				if eng.Cluster() {
					if indexDir != "" || corpusDir != "" || rebuild {
						return usageError(errors.New("--rollback on a cluster takes --to only"))
					}
					return clusterRollback(cmd, eng, rollbackTo)
				}
				if indexDir == "" || corpusDir != "" || rebuild {
					return usageError(errors.New("--rollback takes --index (and --to) only"))
				}
				gen, err := index.Rollback(cmd.Context(), indexDir, rollbackTo, wait)
				if err != nil {
					return usageError(err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "current generation: %s\n", filepath.Base(gen))
				return nil
			}
			if eng.Cluster() {
				if corpusDir == "" || indexDir != "" {
					return usageError(errors.New("--engine opensearch takes --corpus (and no --index)"))
				}
				return clusterIndex(cmd, eng, tf, corpusDir, rebuild, workers, keep)
			}
			if corpusDir == "" || indexDir == "" {
				return usageError(errors.New("--corpus and --index are required"))
			}
			if maxDeletions <= 0 || maxDeletions > 100 {
				return usageError(fmt.Errorf("--max-deletions %g: want a percentage above 0, at most 100", maxDeletions))
			}
			if segmentDocs < 1000 || segmentDocs > 1<<30 {
				return usageError(fmt.Errorf("--segment-docs %d: want 1000 to %d", segmentDocs, 1<<30))
			}
			if keep < 1 {
				return usageError(fmt.Errorf("--keep %d: want at least 1", keep))
			}
			if st, err := os.Stat(corpusDir); err == nil && !st.IsDir() {
				return usageError(fmt.Errorf("--corpus %q is not a directory", corpusDir))
			}
			tagger, err := tf.tagger()
			if err != nil {
				return err
			}
			if err := initAnalysis(tagger); err != nil {
				return err
			}
			stderr := cmd.ErrOrStderr()
			progress, done := newProgress(stderr)
			defer index.BuildGC()()
			sum, err := index.Update(cmd.Context(), index.Options{
				Corpus: corpusDir, Dir: indexDir, Rebuild: rebuild, Workers: workers,
				Parser: corpus.NewParser(tagger), Progress: progress,
				Keep: keep, MaxDeletions: maxDeletions / 100, AllowDeletions: allowDeletions, LockWait: wait,
				SegmentDocs: segmentDocs,
			})
			done()
			for _, p := range sum.Problems {
				fmt.Fprintln(stderr, p.Error())
			}
			if errors.Is(err, index.ErrTooManyDeletions) {
				err = fmt.Errorf("%w: pass --allow-deletions to proceed", err)
			}
			if err != nil {
				return usageError(fmt.Errorf("index %s: %w", indexDir, err))
			}
			writeSummary(cmd.OutOrStdout(), corpusDir, sum)
			if sum.FilesSkipped > 0 {
				return &exitError{code: exitPartial, err: fmt.Errorf("%d files skipped", sum.FilesSkipped)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&corpusDir, "corpus", "", "corpus `DIR` of bulletin files")
	cmd.Flags().StringVar(&indexDir, "index", "", "index directory `PATH`")
	cmd.Flags().BoolVar(&rebuild, "rebuild", false, "build a fresh index and switch to it when complete")
	cmd.Flags().IntVar(&workers, "workers", 0, "files parsed at once (default: all cores)")
	cmd.Flags().IntVar(&keep, "keep", index.KeepGenerations, "complete generations kept (the current one and the one before it always are)")
	cmd.Flags().IntVar(&segmentDocs, "segment-docs", index.DefaultSegmentDocs, "most articles per merged index segment: merges never build a larger one (bounds the final merge's memory; fewer segments answer faster)")
	cmd.Flags().BoolVar(&allowDeletions, "allow-deletions", false, "proceed even when the run deletes more than --max-deletions of the articles")
	cmd.Flags().Float64Var(&maxDeletions, "max-deletions", 100*index.DefaultMaxDeletions, "`PERCENT` of the articles a run may delete without --allow-deletions")
	cmd.Flags().DurationVar(&wait, "wait", 0, "wait up to `DURATION` for another index run to end (default: fail at once)")
	cmd.Flags().BoolVar(&rollback, "rollback", false, "make the previous complete generation current again")
	cmd.Flags().StringVar(&rollbackTo, "to", "", "with --rollback: the generation `GEN` to make current")
	ef.register(cmd)
	tf.register(cmd)
	return cmd
}

// writeSummary prints the summary of an index run.
func writeSummary(w io.Writer, corpusDir string, sum index.Summary) {
	if sum.NothingChanged {
		fmt.Fprintf(w, "nothing changed; current generation %s kept\n", filepath.Base(sum.Generation))
	} else {
		fmt.Fprintf(w, "indexed %s into %s\n", corpusDir, sum.Generation)
	}
	switch {
	case len(sum.Reasons) == 0:
	case sum.Rebuilt:
		fmt.Fprintf(w, "rebuilt: %s\n", strings.Join(sum.Reasons, "; "))
		for _, r := range sum.Reasons {
			if strings.HasPrefix(r, "schema changed") {
				fmt.Fprintln(w, "note: the index was written by another version of newsarchive, whose index format differs, so every article was indexed again from the corpus; this is expected after an upgrade, not an error")
			}
		}
	case sum.Retagged > 0:
		fmt.Fprintf(w, "re-tagged %s articles: %s\n", thousands(sum.Retagged), strings.Join(sum.Reasons, "; "))
	default:
		fmt.Fprintf(w, "new generation: %s\n", strings.Join(sum.Reasons, "; "))
	}
	fmt.Fprintf(w,
		"files: %d (%d read, %d unchanged, %d removed, %d skipped)\narticles: %d added, %d updated, %d deleted, %d in the index\nproblems: %d\ntime: %s, %.2f MB/s\n",
		sum.Files, sum.FilesRead, sum.FilesUnchanged, sum.FilesRemoved, sum.FilesSkipped,
		sum.Added, sum.Updated, sum.Deleted, sum.Articles, len(sum.Problems), sum.Duration.Round(time.Millisecond), sum.MBPerSecond())
}

// thousands writes n with commas between groups of three digits: 13,992.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// newProgress returns a progress callback: a bar on a terminal, otherwise a
// log line every few seconds; done ends it.
func newProgress(w io.Writer) (func(index.Progress), func()) {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		var bar *progressbar.ProgressBar
		return func(p index.Progress) {
				if bar == nil {
					bar = progressbar.NewOptions64(p.Bytes,
						progressbar.OptionSetWriter(w),
						progressbar.OptionSetDescription("indexing"),
						progressbar.OptionShowBytes(true),
						progressbar.OptionShowCount(),
						progressbar.OptionSetPredictTime(true),
						progressbar.OptionThrottle(100*time.Millisecond),
						progressbar.OptionFullWidth(),
					)
				}
				bar.Describe(fmt.Sprintf("%d/%d files, %d articles", p.FilesDone, p.Files, p.Articles))
				bar.Set64(p.BytesDone)
			}, func() {
				if bar != nil {
					bar.Finish()
					fmt.Fprintln(w)
				}
			}
	}
	log := slog.New(slog.NewTextHandler(w, nil))
	var last time.Time
	return func(p index.Progress) {
		if time.Since(last) < 2*time.Second && p.FilesDone < p.Files {
			return
		}
		last = time.Now()
		mbs := 0.0
		if s := p.Elapsed.Seconds(); s > 0 {
			mbs = float64(p.BytesDone) / 1e6 / s
		}
		log.Info("indexing", "files", p.FilesDone, "of", p.Files, "articles", p.Articles, "MB/s", fmt.Sprintf("%.2f", mbs))
	}, func() {}
}

func newGenerationsCmd() *cobra.Command {
	var indexDir string
	var ef engineFlags
	cmd := &cobra.Command{
		Use:   "generations (--index PATH | --engine opensearch [--opensearch-url URLS])",
		Short: "List the index's generations: the current one, the ones kept for rollback, leftovers of failed runs",
		Args:  wrapArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := ef.engine()
			if err != nil {
				return err
			}
			if err := needIndex(eng, indexDir); err != nil {
				return err
			}
			if eng.Cluster() {
				return clusterGenerations(cmd, eng)
			}
			gens, err := index.Generations(indexDir)
			if err != nil {
				return usageError(err)
			}
			out := cmd.OutOrStdout()
			if _, err := index.CurrentGeneration(indexDir); err != nil && !errors.Is(err, index.ErrNoIndex) || badCurrent(gens) {
				fmt.Fprintf(out, "CURRENT is not usable (%v); repair: newsarchive index --index %s --rollback --to GEN\n", currentProblem(indexDir, gens), indexDir)
			}
			for _, g := range gens {
				state := "incomplete (a failed or killed run; removed by the next run)"
				if g.Complete {
					state = "complete, written " + g.Modified.UTC().Format(time.RFC3339)
				}
				mark := " "
				if g.Current {
					mark = "*"
				}
				fmt.Fprintf(out, "%s %s  %6.1f MB  %s\n", mark, g.Name, float64(dirSize(g.Path))/1e6, state)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&indexDir, "index", "", "index directory `PATH`")
	ef.register(cmd)
	return cmd
}

// clusterIndex brings the archive on the cluster up to date with the
// corpus (only the files that changed are read, unless rebuild) in a new
// generation, and swaps the alias to it; it prints the summary as a run
// on the embedded index does.
func clusterIndex(cmd *cobra.Command, eng archive.Engine, tf taggerFlags, corpusDir string, rebuild bool, workers, keep int) error {
	if st, err := os.Stat(corpusDir); err != nil || !st.IsDir() {
		return usageError(fmt.Errorf("--corpus %q is not a directory", corpusDir))
	}
	tagger, err := tf.tagger()
	if err != nil {
		return err
	}
	if err := initAnalysis(tagger); err != nil {
		return err
	}
	stderr := cmd.ErrOrStderr()
	cfg := eng.OpenSearch
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := opensearch.New(cfg)
	if err != nil {
		return usageError(err)
	}
	defer c.Close()
	sum, err := c.Update(cmd.Context(), opensearch.UpdateOptions{
		Corpus: corpusDir, Parser: corpus.NewParser(tagger), Rebuild: rebuild, Workers: workers, Keep: keep,
	})
	for _, p := range sum.Problems {
		fmt.Fprintln(stderr, p.Error())
	}
	if err != nil {
		return usageError(fmt.Errorf("index %s into %s: %w", corpusDir, eng.Where(""), err))
	}
	out := cmd.OutOrStdout()
	writeSummary(out, corpusDir, index.Summary{
		Generation: sum.Generation, Rebuilt: sum.Rebuilt, NothingChanged: sum.NothingChanged, Reasons: sum.Reasons,
		Files: sum.Files, FilesRead: sum.FilesRead, FilesHashed: sum.FilesHashed, FilesUnchanged: sum.FilesUnchanged,
		FilesRemoved: sum.FilesRemoved, FilesSkipped: sum.FilesSkipped, Added: sum.Added, Updated: sum.Updated,
		Deleted: sum.Deleted, Articles: sum.Articles, Problems: sum.Problems, Bytes: sum.Bytes, Duration: sum.Duration,
	})
	switch {
	case sum.NothingChanged || sum.Rebuilt:
	case sum.Cloned:
		fmt.Fprintf(out, "kept: %s documents of the unchanged files (the new generation is a clone of %s)\n", thousands(sum.Copied), sum.Previous)
	default:
		fmt.Fprintf(out, "copied: %s documents of the unchanged files from %s\n", thousands(sum.Copied), sum.Previous)
	}
	switch {
	case sum.NothingChanged:
	case sum.Previous != "":
		fmt.Fprintf(out, "current generation: %s (was %s; index --rollback goes back)\n", sum.Generation, sum.Previous)
	default:
		fmt.Fprintf(out, "current generation: %s\n", sum.Generation)
	}
	if sum.FilesSkipped > 0 {
		return &exitError{code: exitPartial, err: fmt.Errorf("%d files skipped", sum.FilesSkipped)}
	}
	return nil
}

// clusterRollback points the alias at the generation before the current
// one, or at to.
func clusterRollback(cmd *cobra.Command, eng archive.Engine, to string) error {
	c, err := opensearch.New(eng.OpenSearch)
	if err != nil {
		return usageError(err)
	}
	defer c.Close()
	gen, err := c.Rollback(cmd.Context(), to)
	if err != nil {
		return usageError(err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "current generation: %s\n", gen)
	return nil
}

// clusterGenerations lists the generations of the alias on a cluster.
func clusterGenerations(cmd *cobra.Command, eng archive.Engine) error {
	c, err := opensearch.New(eng.OpenSearch)
	if err != nil {
		return usageError(err)
	}
	defer c.Close()
	gens, err := c.Generations(cmd.Context())
	if err != nil {
		return usageError(err)
	}
	out := cmd.OutOrStdout()
	for _, g := range gens {
		state := "incomplete (a failed or killed load; removed by the next one)"
		if g.Complete {
			state = fmt.Sprintf("complete, %d articles, loaded %s", g.Articles, g.Created.UTC().Format(time.RFC3339))
		}
		mark := " "
		if g.Current {
			mark = "*"
		}
		fmt.Fprintf(out, "%s %s  %8d documents  %s\n", mark, g.Name, g.Docs, state)
	}
	return nil
}

// badCurrent tells whether CURRENT names a generation that is listed as
// incomplete, or none of those listed.
func badCurrent(gens []index.Generation) bool {
	if len(gens) == 0 {
		return false
	}
	for _, g := range gens {
		if g.Current {
			return !g.Complete
		}
	}
	return true
}

func currentProblem(dir string, gens []index.Generation) string {
	cur, err := index.CurrentGeneration(dir)
	if err != nil {
		return err.Error()
	}
	for _, g := range gens {
		if g.Current {
			return g.Name + " is incomplete"
		}
	}
	return filepath.Base(cur) + " does not exist"
}

// dirSize is the total size of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}
