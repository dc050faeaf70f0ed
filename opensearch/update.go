package opensearch

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"newsarchive/corpus"
)

// UpdateOptions configure Update.
type UpdateOptions struct {
	// Corpus is the directory of bulletin files.
	Corpus string
	// Parser reads and tags the files. Update sets its manifest for
	// Corpus to the manifest.csv it read at the start of the run, so that
	// the rows recorded are the rows used.
	Parser *corpus.Parser
	// Rebuild reads every file into the new generation instead of copying
	// the unchanged files' documents from the current one.
	Rebuild bool
	// Workers parse files at once (all cores when 0).
	Workers int
	// Keep is the number of complete generations kept (0:
	// KeepGenerations).
	Keep int
	// Progress, if set, is called after each file read with the files
	// done and the number to read.
	Progress func(done, of int)

	// noClone makes the run copy the unchanged files' documents (Copy)
	// instead of cloning the current generation (tests of the copy).
	noClone bool
	// afterCopyStart, if set, is called once the copy of the unchanged
	// files' documents runs on the cluster (tests cancel there).
	afterCopyStart func(task string)
	// beforeCopy, if set, is called with the new generation before the
	// copy starts (tests put a conflicting document there).
	beforeCopy func(gen string)
}

// UpdateSummary says what an Update did; its JSON fields are those of
// index.Summary that mean the same.
type UpdateSummary struct {
	// Generation is the generation current after the run: the new one,
	// or the one kept when NothingChanged.
	Generation string `json:"generation"`
	Previous   string `json:"previous"`
	// Rebuilt is set when every file was read (Reasons says why).
	Rebuilt bool `json:"rebuilt"`
	// NothingChanged is set when the run found no file added, changed or
	// removed, and the same manifest rows, tagging data, rules and
	// schema: it created no generation and left the alias as it was.
	NothingChanged bool `json:"nothing_changed"`
	// Reasons says why the run rebuilt, or why it re-read files whose
	// bytes did not change: "rebuild requested", "no generation yet",
	// "schema changed (…)", "no manifest in …", "gazetteer changed",
	// "manifest changed for 3 files", "parsing rules changed (version 2)".
	Reasons        []string         `json:"reasons"`
	Files          int              `json:"files"`           // bulletin files in the corpus
	FilesRead      int              `json:"files_read"`      // files parsed (new or changed)
	FilesHashed    int              `json:"files_hashed"`    // files whose size or time changed, checked by hash
	FilesUnchanged int              `json:"files_unchanged"` // files whose documents were copied
	FilesRemoved   int              `json:"files_removed"`
	FilesSkipped   int              `json:"files_skipped"` // files the parser could not read (Problems)
	Added          int              `json:"added"`         // article ids new in the generation
	Updated        int              `json:"updated"`       // articles re-read whose ids were there before
	Deleted        int              `json:"deleted"`       // article ids gone
	Cloned         bool             `json:"cloned"`        // the new generation is a clone of the previous one (NewCloneLoad)
	Copied         int              `json:"copied"`        // documents of unchanged files kept from the previous generation (cloned or copied)
	Articles       int              `json:"articles"`      // articles in the generation after the run
	Problems       []corpus.Problem `json:"problems"`
	Bytes          int64            `json:"bytes"` // bytes of the files read
	Pruned         []string         `json:"pruned"`
	Duration       time.Duration    `json:"duration_ns"`
}

// MBPerSecond is the reading throughput of the run.
func (s UpdateSummary) MBPerSecond() float64 {
	if s.Duration <= 0 {
		return 0
	}
	return float64(s.Bytes) / 1e6 / s.Duration.Seconds()
}

// ErrEmptyCorpus is returned when a corpus yields no article: nothing is
// loaded and the alias stays where it was.
var ErrEmptyCorpus = errors.New("opensearch: the corpus holds no article; nothing loaded, the current generation kept")

// racyWindow: a file modified this close to its listing may be modified
// again within the same timestamp tick, so its time is not recorded (as
// the embedded engine does).
const racyWindow = 2 * time.Second

// Update brings the archive on the cluster up to date with a corpus, in
// a new generation made current by one alias swap (Load, Commit).
//
// A run compares the corpus with the current generation's manifest
// (manifest.go): a file is unchanged when its size and time, or else its
// content hash, are those recorded, and so are its manifest.csv row, the
// tagging data and the parsing rules. The new generation is a clone of
// the current one (NewCloneLoad: no document indexed again); the new and
// changed files are parsed and bulk-loaded over it, and the ids that no
// file holds any more (the removed files' articles, the items a changed
// file lost) are deleted. When the cluster refuses the clone, the
// generation is a new index into which the unchanged files' documents
// are copied (Copy: _reindex by source file, on the cluster). A run that
// finds nothing to change creates no generation (NothingChanged). With
// opts.Rebuild, with no current generation, or when the current one has
// no manifest or another schema (Schema), every file is read, and the
// log says why.
//
// The ids are the archive's (with the path ids as aliases, as the parser
// gives them); a page held by two files keeps its ids in the first (an
// unchanged file before any file read), the other falls back to path ids.
// A file the parser skips is reported in Problems; if it was in the
// current generation, its documents there stay (as the embedded engine
// keeps them). A failed or cancelled run (a copy task cancelled on the
// cluster too) deletes its generation and its manifest rows and leaves
// the alias and the current generation as they were; a corpus without
// articles loads nothing (ErrEmptyCorpus).
func (c *Client) Update(ctx context.Context, opts UpdateOptions) (UpdateSummary, error) {
	start := time.Now()
	var sum UpdateSummary
	if opts.Parser == nil {
		return sum, errors.New("opensearch: update: no parser")
	}
	listedAt := time.Now()
	files, err := corpus.FindFiles(opts.Corpus)
	if err != nil {
		return sum, fmt.Errorf("opensearch: update: %w", err)
	}
	sum.Files = len(files)
	if len(files) == 0 {
		return sum, fmt.Errorf("%w (%s)", ErrEmptyCorpus, opts.Corpus)
	}
	rows, err := corpus.ReadManifest(filepath.Join(opts.Corpus, corpus.ManifestName))
	if err != nil {
		return sum, fmt.Errorf("opensearch: update %s: %w", opts.Corpus, err)
	}
	opts.Parser.SetManifest(opts.Corpus, rows)
	tagging := opts.Parser.Tagger.Fingerprint()

	cur, err := c.Current(ctx)
	if err != nil {
		return sum, fmt.Errorf("opensearch: update: %w", err)
	}
	var old, prev *genManifest // the manifest read from, and the one the counts compare with
	why := "rebuild requested"
	switch {
	case opts.Rebuild:
		if cur != "" {
			// Only for the counts of ids added and deleted.
			if prev, _, err = c.readManifest(ctx, cur); err != nil {
				c.log.Warn("opensearch: manifest of the current generation unreadable; the rebuild goes on", "err", err)
			}
		}
	case cur == "":
		why = "no generation yet"
	default:
		if old, why, err = c.readManifest(ctx, cur); err != nil {
			return sum, fmt.Errorf("opensearch: update: %w", err)
		}
	}
	if old != nil {
		prev = old
	}
	if old == nil {
		sum.Rebuilt, sum.Reasons = true, []string{why}
		switch {
		case cur != "" && !opts.Rebuild:
			c.log.Warn("opensearch: the current generation cannot be updated; every file is read into a new one", "current", cur, "reason", why)
		case cur != "":
			c.log.Info("opensearch: rebuild: every file is read into a new generation", "current", cur)
		}
	}
	pl, err := makePlan(files, rows, old, tagging, listedAt)
	if err != nil {
		return sum, fmt.Errorf("opensearch: update %s: %w", opts.Corpus, err)
	}
	sum.Reasons = append(sum.Reasons, pl.reasons...)
	sum.FilesHashed = pl.hashed
	sum.FilesRemoved = len(pl.removed)
	sum.FilesUnchanged = len(pl.kept)
	if old != nil && len(pl.read) == 0 && len(pl.removed) == 0 {
		return c.nothingChanged(old, sum, start), nil
	}

	var (
		l        *Load
		copies   []*Copy
		kept     = pl.kept             // rows of the unchanged files, whose documents the new generation keeps
		newRows  []fileRow             // rows of the files read
		owner    = map[string]string{} // article id → the file holding it
		expected int64                 // documents the copies must give
		written  []string              // sources whose rows were written for the new generation
		cloned   bool                  // l is a clone of the current generation (NewCloneLoad)
	)
	for _, r := range kept {
		for _, id := range r.IDs {
			owner[id] = r.Source
		}
	}
	// The run's context: a failed copy cancels the parsing, a failed run
	// its copies.
	ctx, cancelRun := context.WithCancelCause(ctx)
	defer cancelRun(nil)
	abort := func(err error) (UpdateSummary, error) {
		sum.Duration = time.Since(start)
		if l == nil {
			return sum, err
		}
		cancelRun(err)
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		for _, cp := range copies {
			cp.Wait(actx) // their ctx is ctx: cancelled when the run is
		}
		if aerr := l.Abort(actx); aerr != nil {
			c.log.Warn("opensearch: delete the failed generation", "generation", l.Name(), "err", aerr)
		}
		if derr := c.deleteRows(actx, l.Name(), written); derr != nil {
			c.log.Warn("opensearch: delete the failed generation's manifest", "generation", l.Name(), "err", derr)
		}
		return sum, err
	}
	startCopy := func(rows []fileRow) {
		if len(rows) == 0 {
			return
		}
		sources := make([]string, len(rows))
		for i, r := range rows {
			sources[i] = r.Source
			expected += int64(len(r.IDs))
		}
		cp := l.Copy(ctx, old.gen, sources)
		copies = append(copies, cp)
		go func() {
			if _, err := cp.Wait(ctx); err != nil {
				cancelRun(err)
			}
		}()
	}
	open := func() error {
		if l != nil {
			return nil
		}
		var err error
		if old != nil && !opts.noClone {
			if l, err = c.NewCloneLoad(ctx, old.gen, LoadOptions{Keep: opts.Keep}); err == nil {
				cloned = true
				return nil
			}
			if !errors.Is(err, ErrClone) || ctx.Err() != nil {
				return err
			}
			c.log.Warn("opensearch: the current generation cannot be cloned; the unchanged files' documents are copied", "err", err)
		}
		if l, err = c.NewLoad(ctx, LoadOptions{Keep: opts.Keep}); err != nil {
			return err
		}
		l.afterCopyStart = opts.afterCopyStart
		if opts.beforeCopy != nil {
			opts.beforeCopy(l.Name())
		}
		startCopy(kept)
		return nil
	}
	if old == nil || len(pl.removed) > 0 {
		// The run writes a generation whatever the files read give.
		if err := open(); err != nil {
			return abort(err)
		}
	}

	var retained []fileRow // rows of files read again but skipped: their old documents stay
	done := 0
	err = opts.Parser.ParseFiles(ctx, pl.read, opts.Workers, func(res corpus.FileResult) error {
		done++
		if opts.Progress != nil {
			defer opts.Progress(done, len(pl.read))
		}
		sum.Problems = append(sum.Problems, res.Problems...)
		source := res.File.Source
		if res.Skipped {
			sum.FilesSkipped++
			if old != nil {
				if r, ok := old.files[source]; ok {
					retained = append(retained, r)
				}
			}
			return nil
		}
		if err := open(); err != nil {
			return err
		}
		sum.FilesRead++
		sum.Bytes += res.File.Size
		row := fileRow{Source: source, Hash: res.Hash, Size: res.File.Size, ModTime: trustedTime(res.File, listedAt), Row: metaRow(rows, source)}
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
			row.IDs = append(row.IDs, a.ID)
		}
		if row.IDs == nil {
			row.IDs = []string{}
		}
		newRows = append(newRows, row)
		return nil
	})
	if cause := context.Cause(ctx); err != nil && cause != nil && !errors.Is(err, cause) {
		err = cause // parsing stopped by a failed copy says only "canceled"
	}
	if err != nil {
		return abort(fmt.Errorf("opensearch: update %s: %w", opts.Corpus, err))
	}
	if l == nil {
		// Only files read again that the parser skipped again: the
		// current generation stands.
		sum.FilesUnchanged = len(pl.kept) + len(retained)
		return c.nothingChanged(old, sum, start), nil
	}
	if !cloned {
		startCopy(retained)
	}
	for _, cp := range copies {
		n, err := cp.Wait(ctx)
		if err != nil {
			return abort(err)
		}
		l.AddCopied(n)
		sum.Copied += int(n)
	}
	if int64(sum.Copied) != expected {
		return abort(fmt.Errorf("opensearch: update: %d documents copied from %s, its manifest lists %d", sum.Copied, old.gen, expected))
	}
	all := append(append(append([]fileRow(nil), kept...), retained...), newRows...)
	var articles int64
	for _, r := range all {
		articles += int64(len(r.IDs))
	}
	sum.Articles = int(articles)
	if articles == 0 {
		return abort(fmt.Errorf("%w (%s: %d files)", ErrEmptyCorpus, opts.Corpus, len(files)))
	}
	if cloned {
		// The clone holds the current generation's documents, those of
		// the files read overwritten: the ids no file holds now go.
		gone := goneIDs(old, all)
		if err := l.Delete(ctx, gone); err != nil {
			return abort(fmt.Errorf("opensearch: update %s: %w", opts.Corpus, err))
		}
		l.Expect(articles)
		sum.Cloned = true
		for _, r := range kept {
			sum.Copied += len(r.IDs)
		}
	}
	sum.Added, sum.Updated, sum.Deleted = idChanges(prev, all, newRows)
	for _, r := range all {
		written = append(written, r.Source)
	}
	if err := c.writeManifest(ctx, l.Name(), all); err != nil {
		return abort(err)
	}
	l.SetMeta("manifest", manifestMeta{Schema: Schema(), Tagging: tagging, Rules: corpus.RulesVersion, Files: len(all), Articles: articles})
	ls, err := l.Commit(ctx)
	if err != nil {
		if cur, cerr := c.Current(context.WithoutCancel(ctx)); cerr == nil && cur == l.Name() {
			// Committed and current; only the pruning of old ones failed.
			c.log.Warn("opensearch: update committed, old generations not pruned", "err", err)
		} else {
			return abort(err)
		}
	}
	if err := c.pruneManifest(ctx); err != nil {
		c.log.Warn("opensearch: manifest rows of deleted generations not removed; the next run tries again", "err", err)
	}
	sum.Generation, sum.Previous, sum.Pruned = ls.Generation, ls.Previous, ls.Pruned
	sum.Duration = time.Since(start)
	c.log.Info("opensearch: update committed", "generation", sum.Generation, "read", sum.FilesRead, "unchanged", sum.FilesUnchanged,
		"removed", sum.FilesRemoved, "copied", sum.Copied, "articles", sum.Articles)
	return sum, nil
}

// nothingChanged ends a run that found nothing to write.
func (c *Client) nothingChanged(old *genManifest, sum UpdateSummary, start time.Time) UpdateSummary {
	sum.NothingChanged = true
	sum.Generation, sum.Previous = old.gen, old.gen
	sum.Articles = int(old.meta.Articles)
	sum.Reasons = nil
	sum.Duration = time.Since(start)
	c.log.Info("opensearch: nothing changed; no generation created", "current", old.gen)
	return sum
}

// updatePlan is what a run has to do.
type updatePlan struct {
	read    []corpus.File // files to parse
	kept    []fileRow     // unchanged files: rows to copy, with the sizes and times listed now
	removed []string      // sources of the files gone
	present map[string]bool
	reasons []string
	hashed  int
}

// makePlan compares the listed corpus with the current generation's
// manifest (every file is read when old is nil): a file is read when it
// is new, when its documents were made under other rules, tagging data
// or manifest row, or when its size or time changed and its hash with
// them.
func makePlan(files []corpus.File, rows corpus.Manifest, old *genManifest, tagging string, listedAt time.Time) (*updatePlan, error) {
	pl := &updatePlan{present: make(map[string]bool, len(files))}
	for _, f := range files {
		pl.present[f.Source] = true
	}
	if old == nil {
		pl.read = files
		return pl, nil
	}
	forceAll := false
	if old.meta.Rules != corpus.RulesVersion {
		pl.reasons = append(pl.reasons, fmt.Sprintf("parsing rules changed (version %s → %s)", old.meta.Rules, corpus.RulesVersion))
		forceAll = true
	}
	if old.meta.Tagging != tagging {
		pl.reasons = append(pl.reasons, strings.Join(corpus.ChangedData(old.meta.Tagging, tagging), " and ")+" changed")
		forceAll = true
	}
	manifestChanged := 0
	for _, f := range files {
		r, ok := old.files[f.Source]
		if !ok || forceAll {
			pl.read = append(pl.read, f)
			continue
		}
		if !sameRow(r.Row, metaRow(rows, f.Source)) {
			manifestChanged++
			pl.read = append(pl.read, f)
			continue
		}
		size, mtime := f.Size, f.ModTime.UnixNano()
		if !(r.ModTime != 0 && size == r.Size && mtime == r.ModTime) {
			// The size or time changed: compare the bytes (the listing's
			// size and time were taken before this read).
			pl.hashed++
			h, err := corpus.HashFile(f.Path)
			if err != nil || h != r.Hash {
				pl.read = append(pl.read, f) // parsing reports an unreadable file
				continue
			}
			r.Size, r.ModTime = size, trustedTime(f, listedAt)
		}
		pl.kept = append(pl.kept, r)
	}
	if manifestChanged > 0 {
		pl.reasons = append(pl.reasons, fmt.Sprintf("manifest changed for %d %s", manifestChanged, plural(manifestChanged, "file", "files")))
	}
	for source := range old.files {
		if !pl.present[source] {
			pl.removed = append(pl.removed, source)
		}
	}
	sort.Strings(pl.removed)
	return pl, nil
}

// idChanges counts the article ids added, re-read and deleted from the
// current generation (old) to the new one (all rows; read: those parsed).
func idChanges(old *genManifest, all, read []fileRow) (added, updated, deleted int) {
	before := map[string]bool{}
	if old != nil {
		for _, r := range old.files {
			for _, id := range r.IDs {
				before[id] = true
			}
		}
	}
	after := make(map[string]bool, len(before))
	for _, r := range all {
		for _, id := range r.IDs {
			after[id] = true
		}
	}
	for _, r := range read {
		for _, id := range r.IDs {
			if before[id] {
				updated++
			}
		}
	}
	for id := range after {
		if !before[id] {
			added++
		}
	}
	for id := range before {
		if !after[id] {
			deleted++
		}
	}
	return added, updated, deleted
}

// goneIDs returns the ids of the current generation (old) that no row of
// the new one holds.
func goneIDs(old *genManifest, all []fileRow) []string {
	now := map[string]bool{}
	for _, r := range all {
		for _, id := range r.IDs {
			now[id] = true
		}
	}
	var gone []string
	for _, r := range old.files {
		for _, id := range r.IDs {
			if !now[id] {
				gone = append(gone, id)
			}
		}
	}
	sort.Strings(gone)
	return gone
}

// metaRow returns the manifest.csv row of a file, nil when it has none.
func metaRow(m corpus.Manifest, source string) *corpus.Meta {
	if r, ok := m[source]; ok {
		return &r.Meta
	}
	return nil
}

// trustedTime is the file's listed modification time (Unix ns), or 0 when
// it is so close to the listing that an edit in the same tick could hide
// behind it.
func trustedTime(f corpus.File, listedAt time.Time) int64 {
	if f.ModTime.After(listedAt.Add(-racyWindow)) {
		return 0
	}
	return f.ModTime.UnixNano()
}
