package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"

	"newsarchive/corpus"
)

// SchemaVersion changes whenever the mapping or the analysis changes in a
// way that needs every article re-indexed; an incremental run on an index
// of another version rebuilds it. Schema 6: ids from the page (corpus.ItemID),
// the old path-based ids kept in FieldAlias; checksums of every file.
// Schema 7: national places (FieldProvinces, FieldPrefectures, FieldPlace,
// FieldPlaceTopic in place of the county × topic pairs). Schema 8: the
// word fields' token totals (keyLengths) for BM25's average field length.
const SchemaVersion = "8"

// Keys of the index's internal (non-document) storage.
var (
	keySchema = []byte("newsarchive/schema")
	keyFiles  = []byte("newsarchive/files")
)

// fileState is what the index remembers of an indexed file: every input
// its records were made from (the bytes, the file's manifest row, the
// tagging data, the rules), so that a change of any of them re-reads the
// file on the next run, and the file's size and time as listed before it
// was read, to tell cheaply that it did not change.
type fileState struct {
	Hash string `json:"hash"` // SHA-256 of the bytes read
	Size int64  `json:"size"` // as listed before the read
	// ModTime is the modification time (Unix ns) as listed before the
	// read; 0 when it was too recent to be trusted (an edit within the
	// file system's time granularity would not change it): then the next
	// run compares the hash.
	ModTime  int64        `json:"mtime"`
	Manifest *corpus.Meta `json:"manifest,omitempty"` // the file's manifest.csv row; nil: none
	Tagging  string       `json:"tagging"`            // corpus.Tagger.Fingerprint of the tagger used
	Rules    string       `json:"rules"`              // corpus.RulesVersion of the code used
	IDs      []string     `json:"ids"`
	// Aliases are, item by item, the other ids each article answers to
	// (its path-based id, the ids it had before its file moved).
	Aliases [][]string `json:"aliases,omitempty"`
}

// DefaultMaxDeletions is the share of the current generation's articles
// a run may delete before it stops and asks (Options.AllowDeletions).
const DefaultMaxDeletions = 0.5

// racyWindow: a file modified this close to its listing may be modified
// again within the same timestamp tick (coarse clocks, 1-2 s on some file
// systems), so its time is not recorded (see fileState.ModTime).
const racyWindow = 2 * time.Second

// Errors of Update that callers tell apart (errors.Is); each comes wrapped
// in a message that names the directory and the numbers.
var (
	// ErrEmptyCorpus: the corpus directory is missing or holds no
	// bulletin file; nothing was deleted.
	ErrEmptyCorpus = errors.New("corpus has no bulletin files")
	// ErrTooManyDeletions: the run would delete more than
	// Options.MaxDeletions of the articles; nothing was switched.
	ErrTooManyDeletions = errors.New("too many deletions")
	// ErrCorpusUnreadable: files listed at the start of the run could not
	// be opened (the corpus was unmounted, renamed or removed during the
	// run); nothing was switched.
	ErrCorpusUnreadable = errors.New("corpus became unreadable")
	// ErrBadCurrent: CURRENT is unreadable or names a generation that is
	// missing or incomplete; "index --rollback --to GEN" repairs it,
	// "--rebuild" replaces it.
	ErrBadCurrent = errors.New("current generation unusable")
)

// Options controls an index run.
type Options struct {
	// Corpus is the directory of bulletin files; Dir the index directory.
	Corpus, Dir string
	// Rebuild builds a fresh generation from every file instead of
	// updating the current one.
	Rebuild bool
	// Workers parse files at once (all cores when 0).
	Workers int
	// Parser reads and tags the files. Update sets its manifest for
	// Corpus to the manifest.csv it read at the start of the run, so that
	// the rows recorded are the rows used.
	Parser *corpus.Parser
	// BatchSize is the number of articles written per batch (default
	// 1000).
	BatchSize int
	// Writers is the number of batches written at once (default 2): one
	// batch is analysed while another is turned into a segment.
	Writers int
	// Keep is the number of complete generations kept (default
	// KeepGenerations): the newest Keep, and always the current one and
	// the one before it (the rollback point).
	Keep int
	// MaxDeletions is the share (0 to 1) of the current generation's
	// articles a run may delete (default DefaultMaxDeletions); a run that
	// would delete more fails with ErrTooManyDeletions unless
	// AllowDeletions is set. For a rebuild, the deleted articles are those
	// the new generation has fewer than the current one.
	MaxDeletions   float64
	AllowDeletions bool
	// SegmentDocs is the most documents a merged segment holds (default
	// DefaultSegmentDocs). Merges, during a run and at its end, never
	// build a larger one: the final merge's memory and time are bounded,
	// and an incremental run merges its new segments with the small ones
	// instead of rewriting the whole index. (Bleve's persister writes the
	// batches not yet on disk as one segment, a few batches at most,
	// which may be larger when SegmentDocs is below a few BatchSize.)
	SegmentDocs int
	// LockWait is how long to wait for another run to release the write
	// lock (0: fail at once with ErrLocked).
	LockWait time.Duration
	// Progress, if set, is called after each file read.
	Progress func(Progress)
	// Logger receives the run's log lines (default: slog.Default()).
	Logger *slog.Logger

	// removeAll removes a generation directory (default os.RemoveAll);
	// tests make it fail.
	removeAll func(string) error
	// afterRead, if set, is called with each file parsed, after its bytes
	// were read and before its records and state are taken (tests edit
	// the file there).
	afterRead func(corpus.File)
}

// Progress is the state of a run after a file.
type Progress struct {
	Files, FilesDone int
	Bytes, BytesDone int64
	Articles         int
	Elapsed          time.Duration
}

// Summary is the result of an index run.
type Summary struct {
	// Generation is the generation current after the run: the new one, or
	// the one kept when NothingChanged.
	Generation string `json:"generation"`
	Rebuilt    bool   `json:"rebuilt"`
	// NothingChanged is set when the run found no file added, changed or
	// removed, and the same manifest rows, tagging data, rules and schema:
	// it wrote no generation and left CURRENT as it was.
	NothingChanged bool `json:"nothing_changed"`
	// Reasons says why files were re-read beyond their own changes, or
	// why the run rebuilt: "gazetteer changed", "manifest changed for 3
	// files", "parsing rules changed (version 1 → 2)", "schema changed
	// (\"4\" → \"5\")", "rebuild requested", "no index yet".
	Reasons []string `json:"reasons"`
	// Retagged counts the articles re-read for those reasons from files
	// whose bytes did not change.
	Retagged       int              `json:"retagged"`
	Files          int              `json:"files"`        // bulletin files in the corpus
	FilesRead      int              `json:"files_read"`   // files parsed (new or changed)
	FilesHashed    int              `json:"files_hashed"` // files whose size or time changed, checked by hash before parsing
	FilesUnchanged int              `json:"files_unchanged"`
	FilesRemoved   int              `json:"files_removed"`
	FilesSkipped   int              `json:"files_skipped"`
	Added          int              `json:"added"`
	Updated        int              `json:"updated"`
	Deleted        int              `json:"deleted"`
	Articles       int              `json:"articles"` // articles in the index after the run
	Problems       []corpus.Problem `json:"problems"`
	Bytes          int64            `json:"bytes"` // bytes of the files read
	Duration       time.Duration    `json:"duration_ns"`
}

// MBPerSecond is the reading throughput of the run.
func (s Summary) MBPerSecond() float64 {
	if s.Duration <= 0 {
		return 0
	}
	return float64(s.Bytes) / 1e6 / s.Duration.Seconds()
}

// Update brings the index in opts.Dir up to date with the corpus.
//
// The first run (or a rebuild) writes every file into a new generation;
// later runs clone the current generation and re-read only the files
// whose inputs changed: the bytes (size and time as listed before the
// read, then the content hash), the file's manifest row, the tagging data
// (corpus.Tagger.Fingerprint) or the rules (corpus.RulesVersion); removed
// files' articles are deleted. A run that finds nothing to change writes
// nothing: CURRENT and the generations stay as they are
// (Summary.NothingChanged).
//
// Guarantees, whatever the timing:
//   - One writer at a time: the run holds the directory's write lock, or
//     fails with ErrLocked (after opts.LockWait).
//   - The switch of CURRENT (an atomic rename) is the commit point. Before
//     it, a failed or killed run leaves the index as it was and its
//     generation is removed (now or by the next run); after it, nothing in
//     the run removes the new generation: cleanup failures are logged and
//     retried by the next run, and the run succeeds.
//   - A missing or empty corpus deletes nothing (ErrEmptyCorpus); a run
//     that would delete more than opts.MaxDeletions of the articles fails
//     (ErrTooManyDeletions) unless opts.AllowDeletions; a corpus that
//     disappears during the run fails it (ErrCorpusUnreadable). A single
//     bad file is skipped, reported in Summary.Problems, and the rest
//     lands.
//   - A file edited during the run is read again by the next run: the
//     size and time recorded are those listed before its bytes were read.
func Update(ctx context.Context, opts Options) (sum Summary, err error) {
	start := time.Now()
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	if opts.Writers <= 0 {
		opts.Writers = 2
	}
	if opts.Keep <= 0 {
		opts.Keep = KeepGenerations
	}
	if opts.SegmentDocs <= 0 {
		opts.SegmentDocs = DefaultSegmentDocs
	}
	if opts.MaxDeletions <= 0 {
		opts.MaxDeletions = DefaultMaxDeletions
	}
	remove := opts.removeAll
	if remove == nil {
		remove = os.RemoveAll
	}
	if opts.Parser == nil {
		return sum, errors.New("index: no parser")
	}
	lock, err := lockForWrite(ctx, opts.Dir, opts.LockWait)
	if err != nil {
		return sum, err
	}
	defer lock.release()
	if err := cleanGenerations(opts.Dir, opts.Keep, remove); err != nil {
		log.Warn("old generations not removed; the next run tries again", "err", err)
	}
	src, err := listCorpus(opts.Corpus)
	if err != nil {
		return sum, err
	}
	sum.Files = len(src.files)
	opts.Parser.SetManifest(opts.Corpus, src.manifest)

	cur, err := readCurrent(opts.Dir, log)
	if err != nil {
		if !opts.Rebuild {
			return sum, err
		}
		log.Warn("current generation unusable; rebuilding", "err", err)
		cur = current{why: "rebuild requested"}
	}
	rebuild := opts.Rebuild || cur.state == nil
	if opts.Rebuild {
		cur.why = "rebuild requested"
	}
	pl, err := makePlan(src, cur, rebuild, opts.Parser.Tagger.Fingerprint())
	if err != nil {
		return sum, err
	}
	sum.Rebuilt = rebuild
	sum.Reasons = pl.reasons
	sum.FilesHashed = pl.hashed
	sum.FilesUnchanged = len(src.files) - len(pl.read)
	// A current generation written before columns files were (see
	// columnsFile) is committed anew, as a copy with one.
	addColumns := !rebuild && !hasColumnsFile(cur.path)
	if addColumns {
		sum.Reasons = append(sum.Reasons, "the current generation has no columns file (written by an older version): committing a copy with one")
		log.Info("current generation has no columns file: committing a copy with one", "generation", filepath.Base(cur.path))
	}
	if !rebuild && !addColumns && len(pl.read) == 0 && len(pl.removed) == 0 {
		return nothingChanged(opts.Dir, cur, pl.touched, sum, start, log), nil
	}
	if !rebuild && !opts.AllowDeletions && len(pl.read) == 0 {
		// Only deletions: refuse before writing anything. With files to
		// read (a move reads its files anew) the check waits for the
		// run's outcome.
		lost := 0
		for _, source := range pl.removed {
			lost += len(cur.state[source].IDs)
		}
		if err := checkDeletions(lost, cur.articles, opts.MaxDeletions); err != nil {
			return sum, err
		}
	}

	gen := newGenerationPath(opts.Dir)
	committed := false
	defer func() {
		if err != nil && !committed {
			if rerr := remove(gen); rerr != nil {
				log.Warn("failed run's generation not removed; the next run tries again", "generation", gen, "err", rerr)
			}
		}
	}()
	// A background write error (a full disk) cancels the run with that
	// error instead of leaving it waiting.
	ctx, stopWatching := watchAsyncErrors(ctx, gen)
	defer stopWatching()
	defer func() {
		// Parsing stopped by that cancellation says only "canceled".
		if cause := context.Cause(ctx); err != nil && cause != nil && errors.Is(err, context.Canceled) && !errors.Is(err, cause) {
			err = cause
		}
	}()
	idx, err := createGeneration(gen, rebuild, cur.path, opts.SegmentDocs)
	if err != nil {
		return sum, err
	}
	defer releasingMapped(filepath.Join(gen, "store"), releaseInterval)()
	state := cur.state
	if rebuild {
		state = map[string]fileState{}
	}
	for source, st := range pl.touched {
		old := state[source]
		old.Size, old.ModTime = st.Size, st.ModTime
		state[source] = old
	}
	w := newWriter(ctx, idx, state, opts.BatchSize, opts.Writers, &sum)
	w.segmentDocs = opts.SegmentDocs
	w.forced, w.rows, w.tagging, w.listedAt = pl.forced, src.manifest, opts.Parser.Tagger.Fingerprint(), src.listedAt
	w.prepareIDs(cur.state, src.files)
	closed := false
	closeIndex := func() error {
		closed = true
		w.abort()
		if err := idx.Close(); err != nil {
			return fmt.Errorf("close index %s: %w", gen, err)
		}
		return nil
	}
	defer func() {
		if !closed {
			closeIndex()
		}
	}()

	var total int64
	for _, f := range pl.read {
		total += f.Size
	}
	prog := Progress{Files: len(pl.read), Bytes: total}
	err = opts.Parser.ParseFiles(ctx, pl.read, opts.Workers, func(res corpus.FileResult) error {
		if opts.afterRead != nil {
			opts.afterRead(res.File)
		}
		if res.Skipped {
			if err := src.vanished(res.ReadErr); err != nil {
				return err
			}
		}
		sum.Problems = append(sum.Problems, res.Problems...)
		prog.FilesDone++
		prog.BytesDone += res.File.Size
		if res.Skipped {
			sum.FilesSkipped++
		} else {
			sum.FilesRead++
			sum.Bytes += res.File.Size
			prog.Articles += len(res.Items)
			if err := w.putFile(res); err != nil {
				return err
			}
		}
		if opts.Progress != nil {
			prog.Elapsed = time.Since(start)
			opts.Progress(prog)
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	sum.FilesUnchanged = len(src.files) - len(pl.read) + w.touchedInRun
	for _, source := range pl.removed {
		sum.FilesRemoved++
		w.deleteFile(source)
	}
	w.deleteGone()
	if !rebuild && !w.changed && !addColumns {
		// Only files that were skipped again, or touched: the clone is the
		// current generation. Keep that one.
		if err := closeIndex(); err != nil {
			return sum, err
		}
		if err := remove(gen); err != nil {
			log.Warn("unused generation not removed; the next run tries again", "generation", gen, "err", err)
		}
		for source, st := range w.touched {
			pl.touched[source] = st
		}
		sum = nothingChanged(opts.Dir, cur, pl.touched, sum, start, log)
		return sum, nil
	}
	log.Debug("files read", "elapsed", time.Since(start))
	if err := w.finish(ctx, log); err != nil {
		return sum, err
	}
	n, err := idx.DocCount()
	if err != nil {
		return sum, fmt.Errorf("count articles: %w", err)
	}
	sum.Articles = int(n)
	if !opts.AllowDeletions {
		lost := w.lost
		if rebuild {
			lost = max(0, cur.articles-sum.Articles)
		}
		if err := checkDeletions(lost, cur.articles, opts.MaxDeletions); err != nil {
			return sum, err
		}
	}
	if err := closeIndex(); err != nil {
		return sum, err
	}
	switched, err := finish(ctx, opts.Dir, gen)
	if switched {
		// The commit point: from here on the run has succeeded.
		committed = true
		sum.Generation = gen
		if err != nil {
			log.Warn("switched to the new generation, but its directory entry may not be on disk yet", "generation", gen, "err", err)
		}
		err = nil
	} else if err != nil {
		return sum, err
	}
	if err := removeStatCache(opts.Dir); err != nil {
		log.Warn("stat cache of the previous generation not removed (it is ignored)", "err", err)
	}
	if err := cleanGenerations(opts.Dir, opts.Keep, remove, cur.path); err != nil {
		log.Warn("old generations not removed; the next run tries again", "err", err)
	}
	sum.Duration = time.Since(start)
	return sum, nil
}

// checkDeletions fails when lost articles are more than share of total.
func checkDeletions(lost, total int, share float64) error {
	if total <= 0 || float64(lost) <= share*float64(total) {
		return nil
	}
	return &kindError{ErrTooManyDeletions, fmt.Errorf("would delete %d of %d articles (%.0f%%)", lost, total, 100*float64(lost)/float64(total))}
}

// nothingChanged ends a run that found nothing to write: the current
// generation stays, and the sizes and times of files touched but not
// changed go to the stat cache so that the next run need not hash them.
func nothingChanged(dir string, cur current, touched map[string]statEntry, sum Summary, start time.Time, log *slog.Logger) Summary {
	if len(touched) > 0 {
		if err := writeStatCache(dir, filepath.Base(cur.path), touched); err != nil {
			log.Warn("stat cache not written; the next run hashes the touched files again", "err", err)
		}
	}
	sum.NothingChanged = true
	sum.Generation = cur.path
	sum.Articles = cur.articles
	sum.Reasons = nil
	sum.Duration = time.Since(start)
	return sum
}

func newGenerationPath(dir string) string {
	return dir + string(os.PathSeparator) + newGenerationName(time.Now())
}

// corpusSource is the corpus as listed at the start of a run.
type corpusSource struct {
	dir      string
	info     os.FileInfo // of dir, to tell it was replaced
	files    []corpus.File
	manifest corpus.Manifest
	listedAt time.Time
}

// listCorpus lists the bulletin files and reads the manifest of the
// corpus directory. A missing or empty corpus is ErrEmptyCorpus.
func listCorpus(dir string) (*corpusSource, error) {
	src := &corpusSource{dir: dir, listedAt: time.Now()}
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		why := "not a directory"
		if err != nil {
			why = err.Error()
		}
		return nil, &kindError{ErrEmptyCorpus, fmt.Errorf("corpus %s has no bulletin files (%s); nothing deleted", dir, why)}
	}
	src.info = st
	if src.files, err = corpus.FindFiles(dir); err != nil {
		return nil, err
	}
	if len(src.files) == 0 {
		return nil, &kindError{ErrEmptyCorpus, fmt.Errorf("corpus %s has no bulletin files; nothing deleted", dir)}
	}
	if src.manifest, err = corpus.ReadManifest(filepath.Join(dir, corpus.ManifestName)); err != nil {
		return nil, fmt.Errorf("corpus %s: %w", dir, err)
	}
	return src, nil
}

// vanished tells whether readErr, the error of reading a listed file,
// means that the corpus is gone (the file or the root no longer exist, or
// the root is another directory now), as an ErrCorpusUnreadable error; nil
// for a file that is there but unreadable on its own.
func (s *corpusSource) vanished(readErr error) error {
	if readErr == nil {
		return nil
	}
	st, err := os.Stat(s.dir)
	if err != nil || !os.SameFile(st, s.info) || errors.Is(readErr, fs.ErrNotExist) {
		return &kindError{ErrCorpusUnreadable, fmt.Errorf("corpus %s became unreadable during the run (%v); nothing switched, run again when it is back", s.dir, readErr)}
	}
	return nil
}

// row returns the manifest row of a file, nil when it has none.
func row(m corpus.Manifest, source string) *corpus.Meta {
	if r, ok := m[source]; ok {
		return &r.Meta
	}
	return nil
}

func sameRow(a, b *corpus.Meta) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// current is what a run knows of the current generation before it
// writes anything.
type current struct {
	path     string               // "" when there is none
	state    map[string]fileState // nil when it cannot be updated: rebuild
	articles int
	why      string // why a rebuild, when state is nil
}

// readCurrent reads the file state of the current generation, opened
// read-only. An index with no CURRENT is no error (the run builds one);
// a CURRENT that names nothing usable is ErrBadCurrent.
func readCurrent(dir string, log *slog.Logger) (current, error) {
	path, err := CurrentGeneration(dir)
	if errors.Is(err, ErrNoIndex) {
		return current{why: "no index yet"}, nil
	}
	bad := func(err error) error {
		return &kindError{ErrBadCurrent, fmt.Errorf("%w; repair with newsarchive index --index %s --rollback --to GEN (see newsarchive generations), or --rebuild", err, dir)}
	}
	if err != nil {
		return current{}, bad(err)
	}
	if _, err := os.Stat(filepath.Join(path, completeFile)); err != nil {
		return current{}, bad(fmt.Errorf("CURRENT names %s, which is missing or incomplete", filepath.Base(path)))
	}
	c, schema, err := openCurrent(path, log)
	if err != nil {
		return current{}, bad(fmt.Errorf("open current generation %s: %w", filepath.Base(path), err))
	}
	if string(schema) != SchemaVersion {
		log.Info("index schema changed, rebuilding", "have", string(schema), "want", SchemaVersion)
		c.why = fmt.Sprintf("schema changed (%q → %q)", schema, SchemaVersion)
		c.state = nil
	}
	return c, nil
}

// openCurrent reads the article count, schema version and file state of
// a generation, checking first the file sizes recorded at its commit; a
// damaged segment is an error, not a crash. An unreadable state leaves
// c.state nil (a rebuild).
func openCurrent(path string, log *slog.Logger) (c current, schema []byte, err error) {
	defer catchFault(debug.SetPanicOnFault(true), &err)
	if err := checkGeneration(context.Background(), path, false); err != nil {
		return c, nil, err
	}
	idx, err := bleve.OpenUsing(path, map[string]interface{}{"read_only": true})
	if err != nil {
		return c, nil, err
	}
	defer idx.Close()
	n, err := idx.DocCount()
	if err != nil {
		return c, nil, fmt.Errorf("count articles: %w", err)
	}
	c = current{path: path, articles: int(n)}
	if schema, err = idx.GetInternal(keySchema); err != nil {
		return c, nil, fmt.Errorf("read schema version: %w", err)
	}
	if c.state, err = readState(idx); err != nil {
		c.why = "index state unreadable"
		log.Warn("index state unreadable, rebuilding", "generation", path, "err", err)
	}
	return c, schema, nil
}

// plan is what a run has to do.
type plan struct {
	read    []corpus.File        // files to parse
	forced  map[string]bool      // of those, files re-read whatever their hash
	touched map[string]statEntry // unchanged files with a new size or time
	removed []string             // sources of the files gone
	reasons []string
	hashed  int
}

// makePlan compares the listed corpus with the current generation's file
// state: a file is read when it is new, when its records were made under
// other rules, tagging data or manifest row (forced), or when its size or
// time changed and its hash with them. The stat cache of the current
// generation spares hashing a file touched on an earlier run.
func makePlan(src *corpusSource, cur current, rebuild bool, tagging string) (*plan, error) {
	pl := &plan{forced: map[string]bool{}, touched: map[string]statEntry{}}
	if rebuild {
		pl.read = src.files
		pl.reasons = []string{cur.why}
		return pl, nil
	}
	cache := readStatCache(filepath.Dir(cur.path), filepath.Base(cur.path))
	present := make(map[string]bool, len(src.files))
	var rules, manifest int
	data := map[string]bool{}
	var dataOrder []string
	for _, f := range src.files {
		present[f.Source] = true
		old, ok := cur.state[f.Source]
		if !ok {
			pl.read = append(pl.read, f)
			continue
		}
		forced := false
		if old.Rules != corpus.RulesVersion {
			rules++
			forced = true
		}
		if old.Tagging != tagging {
			for _, name := range corpus.ChangedData(old.Tagging, tagging) {
				if !data[name] {
					data[name] = true
					dataOrder = append(dataOrder, name)
				}
			}
			forced = true
		}
		if !sameRow(old.Manifest, row(src.manifest, f.Source)) {
			manifest++
			forced = true
		}
		if forced {
			pl.forced[f.Source] = true
			pl.read = append(pl.read, f)
			continue
		}
		size, mtime := f.Size, f.ModTime.UnixNano()
		if old.ModTime != 0 && size == old.Size && mtime == old.ModTime {
			continue
		}
		if e, ok := cache[f.Source]; ok && e.ModTime != 0 && e.Size == size && e.ModTime == mtime && e.Hash == old.Hash {
			pl.touched[f.Source] = e
			continue
		}
		// The size or time changed: compare the bytes (the listing's
		// size and time were taken before this read).
		pl.hashed++
		h, err := corpus.HashFile(f.Path)
		if err != nil {
			if err := src.vanished(err); err != nil {
				return nil, err
			}
			pl.read = append(pl.read, f) // parsing reports it
			continue
		}
		if h != old.Hash {
			pl.read = append(pl.read, f)
			continue
		}
		pl.touched[f.Source] = statEntry{Size: size, ModTime: trustedTime(f, src.listedAt), Hash: h}
	}
	for source := range cur.state {
		if !present[source] {
			pl.removed = append(pl.removed, source)
		}
	}
	sort.Strings(pl.removed)
	if rules > 0 {
		pl.reasons = append(pl.reasons, fmt.Sprintf("parsing rules changed (version %s)", corpus.RulesVersion))
	}
	if len(dataOrder) > 0 {
		pl.reasons = append(pl.reasons, strings.Join(dataOrder, " and ")+" changed")
	}
	if manifest > 0 {
		pl.reasons = append(pl.reasons, fmt.Sprintf("manifest changed for %d %s", manifest, plural(manifest, "file", "files")))
	}
	return pl, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// trustedTime is the file's listed modification time, or 0 when it is so
// close to the listing that an edit in the same tick could hide behind it.
func trustedTime(f corpus.File, listedAt time.Time) int64 {
	if f.ModTime.After(listedAt.Add(-racyWindow)) {
		return 0
	}
	return f.ModTime.UnixNano()
}

// DefaultSegmentDocs is the default of Options.SegmentDocs. Segments of
// fewer than half of it are merged, so an index below 262,144 articles is
// one segment (the fastest to query) and a million articles two to four.
const DefaultSegmentDocs = 1 << 19

// mergeWidth is how many segments a background merge takes at once (and
// how many a tier holds before it is merged): Bleve's default is 10; at
// 20, an article's postings are rewritten once less on the way to a
// segment of half a million articles.
const mergeWidth = 20

// createGeneration creates the new generation: a clone of the current one
// for an incremental run, or an empty index. Its merges build segments of
// at most segmentDocs documents.
func createGeneration(gen string, rebuild bool, cur string, segmentDocs int) (bleve.Index, error) {
	config := map[string]interface{}{
		"unsafe_batch":           true,
		"asyncErrorCallbackName": asyncErrorCallback,
		"scorchMergePlanOptions": map[string]any{"MaxSegmentSize": segmentDocs, "MaxSegmentsPerTier": mergeWidth, "SegmentsPerMergeTask": mergeWidth},
	}
	if rebuild {
		idx, err := bleve.NewUsing(gen, NewMapping(), bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, config)
		if err != nil {
			return nil, fmt.Errorf("create index %s: %w", gen, err)
		}
		return idx, nil
	}
	if err := cloneGeneration(cur, gen); err != nil {
		return nil, fmt.Errorf("clone generation %s: %w", cur, err)
	}
	idx, err := bleve.OpenUsing(gen, config)
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", gen, err)
	}
	return idx, nil
}

func readState(idx bleve.Index) (map[string]fileState, error) {
	b, err := idx.GetInternal(keyFiles)
	if err != nil {
		return nil, fmt.Errorf("read index state: %w", err)
	}
	state := map[string]fileState{}
	if len(b) == 0 {
		return state, nil
	}
	if err := json.Unmarshal(b, &state); err != nil {
		return nil, fmt.Errorf("read index state: %w", err)
	}
	return state, nil
}

// finish commits a generation: it marks it complete, then makes it
// current with an atomic rename. switched reports whether the rename
// happened: from then on the generation is the index, even if err (a
// failed sync of the directory) is set.
func finish(ctx context.Context, dir, gen string) (switched bool, err error) {
	if err := writeColumnsFile(ctx, gen); err != nil {
		return false, err
	}
	if err := markComplete(gen); err != nil {
		return false, err
	}
	return switchTo(dir, gen)
}

// writer batches the changes of a run and writes the batches in the
// background, up to writers at once, while the files are still being
// parsed. A file's changes (its articles and the deletion of the articles
// it no longer has) go into one batch unless its text passes batchBytes,
// and no article is touched by two batches of a run (ids are unique per
// file and ordinal), so the batches may be applied in any order. The file state and schema version
// are written last, in a batch of their own, once every article is in:
// an index whose state key is there is complete.
type writer struct {
	ctx       context.Context // cancelled by a background write error
	idx       bleve.Index
	state     map[string]fileState
	pending   *job
	batchSize int
	sum       *Summary
	// segmentDocs bounds the final merge's segments (Options.SegmentDocs).
	segmentDocs int
	wrote       bool // some batch was handed to the background writers
	changed     bool // some article or file state changed

	// What the records are made from, recorded in each file's state.
	forced   map[string]bool // files re-read whatever their hash
	rows     corpus.Manifest
	tagging  string
	listedAt time.Time

	touched      map[string]statEntry // files read whose bytes had not changed
	touchedInRun int
	lost         int // articles of the current generation gone

	// Ids: an article's id follows its page, so a file that moved (or
	// a page that two files hold) brings ids that other files had.
	oldIDs map[string]bool      // every id of the current generation
	owner  map[string]string    // id -> the file whose article has it in the new state
	moved  map[string]fileState // hash -> state of a file of the current generation no longer in the corpus
	prev   map[string]fileState // the current generation's state (a rebuild starts from an empty one)

	jobs    chan *job
	wg      sync.WaitGroup
	mu      sync.Mutex
	err     error // the first error of a background batch
	stopped bool
}

// job is the content of one batch.
type job struct {
	docs    []*corpus.Article
	deletes []string
	bytes   int // the text of docs (head and body)
}

// batchBytes is the most article text a batch holds, whatever its number
// of articles: Bleve analyses a batch's documents together and builds its
// segment in memory (about 65 bytes per byte of text), so that a batch of
// a thousand long articles, or a file of the largest size, would take
// gigabytes. A file with more text than this is written in several
// batches.
const batchBytes = 2 << 20

func (j *job) size() int { return len(j.docs) + len(j.deletes) }

func newWriter(ctx context.Context, idx bleve.Index, state map[string]fileState, batchSize, writers int, sum *Summary) *writer {
	w := &writer{ctx: ctx, idx: idx, state: state, pending: &job{}, batchSize: batchSize, sum: sum, jobs: make(chan *job), touched: map[string]statEntry{}}
	for range writers {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for j := range w.jobs {
				if w.failed() != nil {
					continue // drain
				}
				if err := ctx.Err(); err != nil {
					w.fail(err)
					continue
				}
				if err := w.write(j, nil, false); err != nil {
					w.fail(err)
				}
			}
		}()
	}
	return w
}

func (w *writer) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = err
	}
}

func (w *writer) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// write turns a job into a Bleve batch, with the internal keys, and writes
// it; with wait set, it waits until the batch (and everything written
// before it) is on disk.
func (w *writer) write(j *job, internal map[string][]byte, wait bool) error {
	b := w.idx.NewBatch()
	for _, a := range j.docs {
		doc, err := document(a)
		if err != nil {
			return err
		}
		if err := b.Index(a.ID, doc); err != nil {
			return fmt.Errorf("index %s #%d: %w", a.Source, a.Ordinal, err)
		}
	}
	for _, id := range j.deletes {
		b.Delete(id)
	}
	for k, v := range internal {
		b.SetInternal([]byte(k), v)
	}
	if !wait {
		if err := w.idx.Batch(b); err != nil {
			return fmt.Errorf("write batch: %w", err)
		}
		return nil
	}
	// Batches are written with unsafe_batch (the generation is not in use
	// yet); this one waits until everything is on disk, since Close does
	// not persist what is still in memory.
	persisted := make(chan error, 1)
	b.SetPersistedCallback(func(err error) { persisted <- err })
	if err := w.idx.Batch(b); err != nil {
		return fmt.Errorf("write batch: %w", err)
	}
	select {
	case err := <-persisted:
		if err != nil {
			return fmt.Errorf("persist index: %w", err)
		}
		return nil
	case <-w.ctx.Done():
		return fmt.Errorf("persist index: %w", context.Cause(w.ctx))
	}
}

// stop ends the background writers and returns their first error.
func (w *writer) stop() error {
	if !w.stopped {
		w.stopped = true
		close(w.jobs)
		w.wg.Wait()
	}
	return w.failed()
}

// abort stops the background writers if finish did not.
func (w *writer) abort() { w.stop() }

func (w *writer) putFile(res corpus.FileResult) error {
	source := res.File.Source
	old, had := w.state[source]
	st := fileState{
		Hash: res.Hash, Size: res.File.Size, ModTime: trustedTime(res.File, w.listedAt),
		Manifest: row(w.rows, source), Tagging: w.tagging, Rules: corpus.RulesVersion,
	}
	if had && old.Hash == res.Hash && !w.forced[source] {
		// Touched, not changed: remember the new size and time, write
		// nothing.
		old.Size, old.ModTime = st.Size, st.ModTime
		w.state[source] = old
		w.touched[source] = statEntry{Size: st.Size, ModTime: st.ModTime, Hash: st.Hash}
		w.touchedInRun++
		w.sum.FilesRead--
		return nil
	}
	w.changed = true
	if had && old.Hash == res.Hash {
		w.sum.Retagged += len(res.Items)
	}
	for _, id := range old.IDs {
		if w.owner[id] == source {
			delete(w.owner, id)
		}
	}
	// A new file with the bytes of a removed one is that file moved: its
	// articles keep answering to the ids they had there.
	// The same bytes as before (re-read for new metadata or tagging, or
	// in a rebuild) or as a removed file (a move): item by item the same
	// articles, which keep answering to the ids they had.
	var was *fileState
	if had && old.Hash == res.Hash {
		was = &old
	} else if p, ok := w.prev[source]; ok && p.Hash == res.Hash && !had {
		was = &p
	} else if m, ok := w.moved[res.Hash]; ok && !had {
		was = &m
	}
	ids := make([]string, 0, len(res.Items))
	aliases := make([][]string, 0, len(res.Items))
	anyAlias := false
	for i := range res.Items {
		a := &res.Items[i]
		if other, taken := w.owner[a.ID]; taken && other != source {
			// Two files hold the same page: the first keeps the page's
			// ids, this one falls back to its path's.
			path := corpus.ArticleID(source, a.Ordinal)
			w.sum.Problems = append(w.sum.Problems, corpus.Problem{Path: res.File.Path, Line: max(a.Line, 1),
				Message: fmt.Sprintf("item %d has the id of %s's item (paper %q, date %s, page %q): two files hold this page; its id falls back to the file's path (%s)", a.Ordinal, other, a.Paper, a.Date, a.Page, path)})
			a.ID, a.Aliases = path, nil
		}
		if was != nil && i < len(was.IDs) {
			a.Aliases = appendNew(a.Aliases, a.ID, was.IDs[i])
			if i < len(was.Aliases) {
				a.Aliases = appendNew(a.Aliases, a.ID, was.Aliases[i]...)
			}
		}
		w.owner[a.ID] = source
		w.pending.docs = append(w.pending.docs, a)
		w.pending.bytes += len(a.Kicker) + len(a.Title) + len(a.Subtitle) + len(a.Body)
		if err := w.flush(); err != nil {
			return err
		}
		if w.oldIDs[a.ID] || slices.ContainsFunc(a.Aliases, func(id string) bool { return w.oldIDs[id] }) {
			w.sum.Updated++ // a new id for an article already there is an update
		} else {
			w.sum.Added++
		}
		ids = append(ids, a.ID)
		aliases = append(aliases, a.Aliases)
		anyAlias = anyAlias || len(a.Aliases) > 0
	}
	st.IDs = ids
	if anyAlias {
		st.Aliases = aliases
	}
	w.state[source] = st
	return w.flush()
}

// appendNew appends to list the ids that are neither self nor in it.
func appendNew(list []string, self string, ids ...string) []string {
	for _, id := range ids {
		if id != self && !slices.Contains(list, id) {
			list = append(list, id)
		}
	}
	return list
}

// prepareIDs records, before any file is read, the ids of the generation
// being updated, which file owns each (files gone from the corpus own
// nothing any more), and the current generation's files that are gone, by
// hash, to recognise moves.
func (w *writer) prepareIDs(prev map[string]fileState, files []corpus.File) {
	present := make(map[string]bool, len(files))
	for _, f := range files {
		present[f.Source] = true
	}
	w.prev, w.oldIDs, w.owner, w.moved = prev, map[string]bool{}, map[string]string{}, map[string]fileState{}
	for source, st := range prev {
		if !present[source] {
			w.moved[st.Hash] = st
		}
	}
	for source, st := range w.state {
		for _, id := range st.IDs {
			w.oldIDs[id] = true
			if present[source] {
				w.owner[id] = source
			}
		}
	}
}

func (w *writer) deleteFile(source string) {
	w.changed = true
	delete(w.state, source)
}

// deleteGone deletes, once every file is read, the articles of the current
// generation whose ids no file of the new state has. The deletions go in
// the last batch, written after every other (see finish): an id that moved
// to another file is written there and not deleted.
func (w *writer) deleteGone() {
	live, aliased := map[string]bool{}, map[string]bool{}
	for _, st := range w.state {
		for _, id := range st.IDs {
			live[id] = true
		}
		for _, ids := range st.Aliases {
			for _, id := range ids {
				aliased[id] = true
			}
		}
	}
	for id := range w.oldIDs {
		if !live[id] {
			w.pending.deletes = append(w.pending.deletes, id)
			w.sum.Deleted++
			if !aliased[id] {
				w.lost++ // renamed articles are not lost: their old id redirects
			}
		}
	}
}

// flush hands the pending batch to the background writers when it is full:
// batchSize articles and deletions, or batchBytes of text.
func (w *writer) flush() error {
	if err := w.failed(); err != nil {
		return err
	}
	if w.pending.size() < w.batchSize && w.pending.bytes < batchBytes {
		return nil
	}
	w.jobs <- w.pending
	w.wrote = true
	w.pending = &job{}
	return nil
}

// finish writes what is pending, waits until every article is on disk,
// merges the index into one segment (smaller, and faster to search), and
// writes the file state and schema version in a last batch, waiting until
// that too is on disk.
func (w *writer) finish(ctx context.Context, log *slog.Logger) error {
	start := time.Now()
	if err := w.stop(); err != nil {
		return err
	}
	if w.pending.size() > 0 {
		w.wrote = true
	}
	if w.wrote {
		if err := w.write(w.pending, nil, true); err != nil {
			return err
		}
		log.Debug("articles written and persisted", "wait", time.Since(start))
		start = time.Now()
		if err := forceMerge(ctx, w.idx, w.segmentDocs); err != nil {
			return err
		}
		log.Debug("index merged", "took", time.Since(start))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	state, err := json.Marshal(w.state)
	if err != nil {
		return fmt.Errorf("encode index state: %w", err)
	}
	lengths, err := w.lengths(ctx)
	if err != nil {
		return err
	}
	log.Debug("field lengths counted", "took", time.Since(start))
	return w.write(&job{}, map[string][]byte{string(keyFiles): state, string(keySchema): []byte(SchemaVersion), string(keyLengths): lengths}, true)
}

// lengths counts the word fields' tokens of the generation as written
// (BM25's average field lengths, see fieldLengths).
func (w *writer) lengths(ctx context.Context) ([]byte, error) {
	adv, err := w.idx.Advanced()
	if err != nil {
		return nil, fmt.Errorf("field lengths: %w", err)
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, fmt.Errorf("field lengths: %w", err)
	}
	defer r.Close()
	l, err := countLengths(ctx, r)
	if err != nil {
		return nil, err
	}
	return encodeLengths(l)
}

// forceMerge merges the index's persisted segments into as few as hold
// at most segmentDocs documents each: segments of fewer than half that
// are merged together, larger ones left as they are. One Bleve force
// merge merges at most ten segments per task and plans once, so a large
// build takes more rounds, until one changes nothing.
func forceMerge(ctx context.Context, idx bleve.Index, segmentDocs int) error {
	adv, err := idx.Advanced()
	if err != nil {
		return fmt.Errorf("merge index: %w", err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	opts := mergeplan.SingleSegmentMergePlanOptions
	opts.MaxSegmentSize = int64(segmentDocs)
	prev := -1
	for round := 0; round < 16; round++ {
		if err := s.ForceMerge(ctx, &opts); err != nil {
			return fmt.Errorf("merge index: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := segmentCount(s)
		if err != nil {
			return fmt.Errorf("merge index: %w", err)
		}
		if n <= 1 || n == prev {
			return nil
		}
		prev = n
	}
	return nil
}

// segmentCount returns the number of segments of the index's current
// snapshot.
func segmentCount(s *scorch.Scorch) (int, error) {
	r, err := s.Reader()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return 0, nil
	}
	return len(snap.Segments()), nil
}
