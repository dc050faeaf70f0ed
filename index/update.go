package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"newsarchive/corpus"
)

// SchemaVersion changes whenever the mapping or the analysis changes in a
// way that needs every article re-indexed; an incremental run on an index
// of another version rebuilds it.
const SchemaVersion = "5"

// Keys of the index's internal (non-document) storage.
var (
	keySchema = []byte("newsarchive/schema")
	keyFiles  = []byte("newsarchive/files")
)

// fileState is what the index remembers of an indexed file, to tell on the
// next run whether it changed.
type fileState struct {
	Hash    string   `json:"hash"`
	Size    int64    `json:"size"`
	ModTime int64    `json:"mtime"`
	IDs     []string `json:"ids"`
}

// Options controls an index run.
type Options struct {
	// Corpus is the directory of bulletin files; Dir the index directory.
	Corpus, Dir string
	// Rebuild builds a fresh generation from every file instead of
	// updating the current one.
	Rebuild bool
	// Workers parse files at once (all cores when 0).
	Workers int
	// Parser reads and tags the files.
	Parser *corpus.Parser
	// BatchSize is the number of articles written per batch (default
	// 1000).
	BatchSize int
	// Writers is the number of batches written at once (default 2): one
	// batch is analysed while another is turned into a segment.
	Writers int
	// Progress, if set, is called after each file read.
	Progress func(Progress)
	// Logger receives the run's log lines (default: slog.Default()).
	Logger *slog.Logger
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
	Generation     string           `json:"generation"`
	Rebuilt        bool             `json:"rebuilt"`
	Files          int              `json:"files"`      // bulletin files in the corpus
	FilesRead      int              `json:"files_read"` // files parsed (new or changed)
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

// Update brings the index in opts.Dir up to date with the corpus: the first
// run (or a rebuild) writes every file into a new generation; later runs
// clone the current generation and re-read only the files added, changed
// (by size, time and content hash) or removed. The new generation becomes
// current only when complete, so a failed or killed run leaves the index
// as it was.
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
	if opts.Parser == nil {
		return sum, errors.New("index: no parser")
	}
	lock, err := lockForWrite(opts.Dir)
	if err != nil {
		return sum, err
	}
	defer lock.release()
	if err := cleanGenerations(opts.Dir, KeepGenerations); err != nil {
		return sum, err
	}
	files, err := corpus.FindFiles(opts.Corpus)
	if err != nil {
		return sum, err
	}
	sum.Files = len(files)

	gen := newGenerationPath(opts.Dir)
	defer func() {
		if err != nil {
			os.RemoveAll(gen)
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
	idx, state, rebuilt, err := prepareGeneration(opts, gen, log)
	if err != nil {
		return sum, err
	}
	sum.Rebuilt = rebuilt
	w := newWriter(ctx, idx, state, opts.BatchSize, opts.Writers, &sum)
	defer func() {
		w.abort()
		if cerr := idx.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close index: %w", cerr)
		}
		if err == nil {
			err = finish(opts.Dir, gen)
		}
		if err == nil {
			sum.Generation = gen
		}
	}()

	// Which files must be read.
	var toRead []corpus.File
	present := map[string]bool{}
	for _, f := range files {
		present[f.Source] = true
		if old, ok := state[f.Source]; ok && !rebuilt && unchanged(f, old) {
			sum.FilesUnchanged++
			continue
		}
		toRead = append(toRead, f)
	}
	var total int64
	for _, f := range toRead {
		total += f.Size
	}
	prog := Progress{Files: len(toRead), Bytes: total}
	err = opts.Parser.ParseFiles(ctx, toRead, opts.Workers, func(res corpus.FileResult) error {
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
	for source, old := range state {
		if !present[source] {
			sum.FilesRemoved++
			w.deleteFile(source, old)
		}
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
	sum.Duration = time.Since(start)
	return sum, nil
}

func newGenerationPath(dir string) string {
	return dir + string(os.PathSeparator) + newGenerationName(time.Now())
}

// prepareGeneration creates the new generation: a clone of the current one
// for an incremental run, or an empty index.
func prepareGeneration(opts Options, gen string, log *slog.Logger) (bleve.Index, map[string]fileState, bool, error) {
	config := map[string]interface{}{"unsafe_batch": true, "asyncErrorCallbackName": asyncErrorCallback}
	cur, err := CurrentGeneration(opts.Dir)
	switch {
	case errors.Is(err, ErrNoIndex):
		opts.Rebuild = true
	case err != nil:
		return nil, nil, false, err
	}
	if !opts.Rebuild {
		if err := cloneGeneration(cur, gen); err != nil {
			return nil, nil, false, fmt.Errorf("clone generation %s: %w", cur, err)
		}
		idx, err := bleve.OpenUsing(gen, config)
		if err != nil {
			return nil, nil, false, fmt.Errorf("open index %s: %w", gen, err)
		}
		schema, err := idx.GetInternal(keySchema)
		if err == nil && string(schema) == SchemaVersion {
			state, err := readState(idx)
			if err == nil {
				return idx, state, false, nil
			}
			log.Warn("index state unreadable, rebuilding", "err", err)
		} else {
			log.Info("index schema changed, rebuilding", "have", string(schema), "want", SchemaVersion)
		}
		idx.Close()
		if err := os.RemoveAll(gen); err != nil {
			return nil, nil, false, fmt.Errorf("remove clone: %w", err)
		}
	}
	idx, err := bleve.NewUsing(gen, NewMapping(), bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, config)
	if err != nil {
		return nil, nil, false, fmt.Errorf("create index %s: %w", gen, err)
	}
	return idx, map[string]fileState{}, true, nil
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

func unchanged(f corpus.File, old fileState) bool {
	st, err := os.Stat(f.Path)
	return err == nil && st.Size() == old.Size && st.ModTime().UnixNano() == old.ModTime
}

// finish marks the generation complete, makes it current and removes
// generations no longer kept.
func finish(dir, gen string) error {
	if err := markComplete(gen); err != nil {
		return err
	}
	if err := switchTo(dir, gen); err != nil {
		return err
	}
	return cleanGenerations(dir, KeepGenerations)
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
	wrote     bool // some article was written or deleted

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
	w := &writer{ctx: ctx, idx: idx, state: state, pending: &job{}, batchSize: batchSize, sum: sum, jobs: make(chan *job)}
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
	old, had := w.state[res.File.Source]
	if had && old.Hash == res.Hash {
		// Touched, not changed: remember the new time, write nothing.
		old.Size, old.ModTime = fileStat(res.File)
		w.state[res.File.Source] = old
		w.sum.FilesUnchanged++
		w.sum.FilesRead--
		return nil
	}
	oldIDs := map[string]bool{}
	for _, id := range old.IDs {
		oldIDs[id] = true
	}
	ids := make([]string, 0, len(res.Items))
	for i := range res.Items {
		a := &res.Items[i]
		w.pending.docs = append(w.pending.docs, a)
		w.pending.bytes += len(a.Kicker) + len(a.Title) + len(a.Subtitle) + len(a.Body)
		if err := w.flush(); err != nil {
			return err
		}
		if oldIDs[a.ID] {
			w.sum.Updated++
			delete(oldIDs, a.ID)
		} else {
			w.sum.Added++
		}
		ids = append(ids, a.ID)
	}
	for id := range oldIDs {
		w.pending.deletes = append(w.pending.deletes, id)
		w.sum.Deleted++
	}
	size, mtime := fileStat(res.File)
	w.state[res.File.Source] = fileState{Hash: res.Hash, Size: size, ModTime: mtime, IDs: ids}
	return w.flush()
}

func (w *writer) deleteFile(source string, old fileState) {
	for _, id := range old.IDs {
		w.pending.deletes = append(w.pending.deletes, id)
		w.sum.Deleted++
	}
	delete(w.state, source)
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
		if err := forceMerge(ctx, w.idx); err != nil {
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
	return w.write(&job{}, map[string][]byte{string(keyFiles): state, string(keySchema): []byte(SchemaVersion)}, true)
}

// forceMerge merges the index's persisted segments into one. One Bleve
// force merge merges at most ten segments per task and plans once, so a
// large build (200,000 articles: two segments left) takes another round.
func forceMerge(ctx context.Context, idx bleve.Index) error {
	adv, err := idx.Advanced()
	if err != nil {
		return fmt.Errorf("merge index: %w", err)
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	for round := 0; round < 8; round++ {
		if err := s.ForceMerge(ctx, nil); err != nil {
			return fmt.Errorf("merge index: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := segmentCount(s)
		if err != nil {
			return fmt.Errorf("merge index: %w", err)
		}
		if n <= 1 {
			return nil
		}
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

func fileStat(f corpus.File) (int64, int64) {
	st, err := os.Stat(f.Path)
	if err != nil {
		return f.Size, 0
	}
	return st.Size(), st.ModTime().UnixNano()
}
