package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"newsarchive/corpus"
	"newsarchive/index"
	"newsarchive/index/analysis"
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
		workers             int
		tf                  taggerFlags
	)
	cmd := &cobra.Command{
		Use:   "index --corpus DIR --index PATH [--rebuild] [--workers N] | index --index PATH --rollback [--to GEN]",
		Short: "Build or update the search index from a corpus directory",
		Long: `Index reads the bulletin files of a corpus directory into the index at PATH.
The first run builds it; later runs re-read only the files added, changed
or removed since. --rebuild builds a fresh index beside the old one. Either
way the new index replaces the old one atomically when complete, so a
failed or killed run leaves the previous index whole.

--rollback makes the previous complete generation current again (or the
one named by --to; "newsarchive generations" lists them); a running server
follows within a second.

Exit status: 0 on success, 1 when some files were skipped, 2 on usage
errors or when the index cannot be written.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if rollback || rollbackTo != "" {
				if indexDir == "" || corpusDir != "" || rebuild {
					return usageError(errors.New("--rollback takes --index (and --to) only"))
				}
				gen, err := index.Rollback(indexDir, rollbackTo)
				if err != nil {
					return usageError(err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "current generation: %s\n", filepath.Base(gen))
				return nil
			}
			if corpusDir == "" || indexDir == "" {
				return usageError(errors.New("--corpus and --index are required"))
			}
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
			progress, done := newProgress(stderr)
			sum, err := index.Update(cmd.Context(), index.Options{
				Corpus: corpusDir, Dir: indexDir, Rebuild: rebuild, Workers: workers,
				Parser: corpus.NewParser(tagger), Progress: progress,
			})
			done()
			for _, p := range sum.Problems {
				fmt.Fprintln(stderr, p.Error())
			}
			if err != nil {
				return usageError(fmt.Errorf("index %s: %w", indexDir, err))
			}
			fmt.Fprintf(cmd.OutOrStdout(),
				"indexed %s into %s\nfiles: %d (%d read, %d unchanged, %d removed, %d skipped)\narticles: %d added, %d updated, %d deleted, %d in the index\nproblems: %d\ntime: %s, %.2f MB/s\n",
				corpusDir, sum.Generation, sum.Files, sum.FilesRead, sum.FilesUnchanged, sum.FilesRemoved, sum.FilesSkipped,
				sum.Added, sum.Updated, sum.Deleted, sum.Articles, len(sum.Problems), sum.Duration.Round(time.Millisecond), sum.MBPerSecond())
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
	cmd.Flags().BoolVar(&rollback, "rollback", false, "make the previous complete generation current again")
	cmd.Flags().StringVar(&rollbackTo, "to", "", "with --rollback: the generation `GEN` to make current")
	tf.register(cmd)
	return cmd
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
	cmd := &cobra.Command{
		Use:   "generations --index PATH",
		Short: "List the index's generations: the current one, the ones kept for rollback, leftovers of failed runs",
		Args:  wrapArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			if indexDir == "" {
				return usageError(errors.New("--index is required"))
			}
			gens, err := index.Generations(indexDir)
			if err != nil {
				return usageError(err)
			}
			out := cmd.OutOrStdout()
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
	return cmd
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
