package opensearch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"newsarchive/corpus"
)

// UpdateOptions configure Update.
type UpdateOptions struct {
	// Corpus is the directory of bulletin files.
	Corpus string
	// Parser reads and tags the files.
	Parser *corpus.Parser
	// Workers parse files at once (all cores when 0).
	Workers int
	// Keep is the number of complete generations kept (0:
	// KeepGenerations).
	Keep int
	// Progress, if set, is called after each file with the files done
	// and their number.
	Progress func(done, of int)
}

// UpdateSummary says what an Update did; its JSON fields are those of
// index.Summary that mean the same.
type UpdateSummary struct {
	Generation   string           `json:"generation"`
	Previous     string           `json:"previous"`
	Rebuilt      bool             `json:"rebuilt"`
	Files        int              `json:"files"`
	FilesRead    int              `json:"files_read"`
	FilesSkipped int              `json:"files_skipped"`
	Articles     int              `json:"articles"`
	Problems     []corpus.Problem `json:"problems"`
	Pruned       []string         `json:"pruned"`
	Duration     time.Duration    `json:"duration_ns"`
}

// ErrEmptyCorpus is returned when a corpus yields no article: nothing is
// loaded and the alias stays where it was.
var ErrEmptyCorpus = errors.New("opensearch: the corpus holds no article; nothing loaded, the current generation kept")

// Update loads every article of a corpus into a new generation and makes
// it current (Load, Commit): the articles of removed files disappear,
// the ids are the archive's (with the path ids as aliases, as the parser
// gives them). A file the parser skips is reported in Problems and left
// out; a failed or cancelled run deletes its generation and leaves the
// alias where it was. Every run reads the whole corpus (the embedded
// engine's runs read only what changed).
func (c *Client) Update(ctx context.Context, opts UpdateOptions) (UpdateSummary, error) {
	start := time.Now()
	sum := UpdateSummary{Rebuilt: true}
	if opts.Parser == nil {
		return sum, errors.New("opensearch: update: no parser")
	}
	files, err := corpus.FindFiles(opts.Corpus)
	if err != nil {
		return sum, fmt.Errorf("opensearch: update: %w", err)
	}
	sum.Files = len(files)
	if len(files) == 0 {
		return sum, fmt.Errorf("%w (%s)", ErrEmptyCorpus, opts.Corpus)
	}
	l, err := c.NewLoad(ctx, LoadOptions{Keep: opts.Keep})
	if err != nil {
		return sum, err
	}
	abort := func(err error) (UpdateSummary, error) {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if aerr := l.Abort(actx); aerr != nil {
			c.log.Warn("opensearch: delete the failed generation", "generation", l.Name(), "err", aerr)
		}
		sum.Duration = time.Since(start)
		return sum, err
	}
	owner := map[string]string{} // article id → the file holding it
	done := 0
	err = opts.Parser.ParseFiles(ctx, files, opts.Workers, func(res corpus.FileResult) error {
		done++
		if opts.Progress != nil {
			defer opts.Progress(done, len(files))
		}
		sum.Problems = append(sum.Problems, res.Problems...)
		if res.Skipped {
			sum.FilesSkipped++
			return nil
		}
		sum.FilesRead++
		source := res.File.Source
		for i := range res.Items {
			a := &res.Items[i]
			if other, taken := owner[a.ID]; taken && other != source {
				// Two files hold the same page: the first keeps the
				// page's ids, this one falls back to its path's (as the
				// embedded engine does).
				path := corpus.ArticleID(source, a.Ordinal)
				sum.Problems = append(sum.Problems, corpus.Problem{Path: res.File.Path, Line: max(a.Line, 1),
					Message: fmt.Sprintf("item %d has the id of %s's item: two files hold this page; its id falls back to the file's path (%s)", a.Ordinal, other, path)})
				a.ID, a.Aliases = path, nil
			}
			owner[a.ID] = source
			if err := l.Add(ctx, a); err != nil {
				return err
			}
			sum.Articles++
		}
		return nil
	})
	if err != nil {
		return abort(fmt.Errorf("opensearch: update %s: %w", opts.Corpus, err))
	}
	if sum.Articles == 0 {
		return abort(fmt.Errorf("%w (%s: %d files)", ErrEmptyCorpus, opts.Corpus, len(files)))
	}
	ls, err := l.Commit(ctx)
	if err != nil {
		if cur, cerr := c.Current(context.WithoutCancel(ctx)); cerr == nil && cur == l.Name() {
			// Committed and current; only the pruning of old ones failed.
			c.log.Warn("opensearch: update committed, old generations not pruned", "err", err)
		} else {
			return abort(err)
		}
	}
	sum.Generation, sum.Previous, sum.Pruned = ls.Generation, ls.Previous, ls.Pruned
	sum.Duration = time.Since(start)
	return sum, nil
}
