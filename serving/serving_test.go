package serving

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"newsarchive/corpus"
	"newsarchive/corpus/sample"
	"newsarchive/index"
	"newsarchive/search"
	"newsarchive/search/searchtest"
)

var tagger *corpus.Tagger

func TestMain(m *testing.M) {
	var err error
	if tagger, err = corpus.DefaultTagger(); err == nil {
		err = searchtest.Init(tagger)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "init:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

// buildIndex writes the embedded sample corpus into a temporary directory
// and indexes it gens times with --rebuild, so that the index directory
// holds that many complete generations.
func buildIndex(t *testing.T, gens int) (dir string) {
	t.Helper()
	root := t.TempDir()
	corpusDir := filepath.Join(root, "corpus")
	if err := os.MkdirAll(corpusDir, 0o755); err != nil {
		t.Fatal(err)
	}
	err := fs.WalkDir(sample.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".txt") {
			return err
		}
		b, err := fs.ReadFile(sample.FS, path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(corpusDir, filepath.Base(path)), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(root, "index")
	for i := range gens {
		if _, err := index.Update(context.Background(), index.Options{
			Corpus: corpusDir, Dir: dir, Rebuild: true, Parser: corpus.NewParser(tagger),
		}); err != nil {
			t.Fatalf("index run %d: %v", i+1, err)
		}
		time.Sleep(2 * time.Millisecond) // distinct generation names
	}
	return dir
}

func open(t *testing.T, dir string) *Source {
	t.Helper()
	s, err := Open(context.Background(), Options{Dir: dir, Tagger: tagger})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func search1(t *testing.T, l *Lease) uint64 {
	t.Helper()
	res, err := l.Searcher.Search(context.Background(), search.Request{Query: "四平"})
	if err != nil {
		t.Fatalf("search on %s: %v", l.Generation(), err)
	}
	return res.Total
}

func generationNames(t *testing.T, dir string) []string {
	t.Helper()
	gens, err := index.Generations(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range gens {
		names = append(names, g.Name)
	}
	return names
}

func switchTo(t *testing.T, dir, name string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "CURRENT"), []byte(name+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A lease keeps its generation open across switches; the replaced
// generation closes when its last lease is released, and not before.
func TestLeaseOutlivesSwitch(t *testing.T) {
	dir := buildIndex(t, 2)
	names := generationNames(t, dir)
	s := open(t, dir)
	if got := s.Status().Generation; got != names[1] {
		t.Fatalf("serving %s, want the current %s", got, names[1])
	}
	old, err := s.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	want := search1(t, old)
	if want == 0 {
		t.Fatal("the sample has no hit for 四平")
	}

	switchTo(t, dir, names[0]) // a rollback, as `index --rollback` does
	if err := s.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := s.Status().Generation; got != names[0] {
		t.Fatalf("after the switch serving %s, want %s", got, names[0])
	}
	if opened, closed := s.Generations(); opened != 2 || closed != 0 {
		t.Fatalf("opened %d, closed %d generations; want 2 and 0 while a lease holds the old one", opened, closed)
	}
	// The old lease still reads its own generation.
	if got := search1(t, old); got != want {
		t.Errorf("old lease: %d hits, want %d", got, want)
	}
	if old.Generation() != names[1] {
		t.Errorf("old lease is on %s, want %s", old.Generation(), names[1])
	}
	old.Release()
	old.Release() // idempotent
	if _, closed := s.Generations(); closed != 1 {
		t.Fatalf("closed %d generations after the last lease ended, want 1", closed)
	}
	// A read of the closed generation is an error, not a crash.
	if _, err := old.Searcher.Search(context.Background(), search.Request{Query: "四平"}); !errors.Is(err, index.ErrClosed) {
		t.Errorf("search on a closed generation: %v, want ErrClosed", err)
	}
	if _, err := old.Searcher.Search(context.Background(), search.Request{Query: "\"四平市\""}); !errors.Is(err, index.ErrClosed) {
		t.Errorf("exact search on a closed generation: %v, want ErrClosed", err)
	}
	cur, err := s.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Release()
	if got := search1(t, cur); got != want {
		t.Errorf("new lease: %d hits, want %d", got, want)
	}
	s.Close()
	if _, err := s.Acquire(); !errors.Is(err, ErrClosed) {
		t.Errorf("Acquire after Close: %v, want ErrClosed", err)
	}
	// The lease taken before Close still works until released.
	if got := search1(t, cur); got != want {
		t.Errorf("lease after Close: %d hits, want %d", got, want)
	}
}

// segmentFile returns the path of a segment file of a generation.
func segmentFile(t *testing.T, gen string) string {
	t.Helper()
	var found string
	filepath.WalkDir(gen, func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".zap") {
			found = path
		}
		return err
	})
	if found == "" {
		t.Fatalf("no segment file in %s", gen)
	}
	return found
}

// A truncated segment in the current generation: Open serves the previous
// one and says so; the damaged one is never opened.
func TestOpenFallsBackFromTruncatedSegment(t *testing.T) {
	dir := buildIndex(t, 2)
	names := generationNames(t, dir)
	seg := segmentFile(t, filepath.Join(dir, names[1]))
	st, _ := os.Stat(seg)
	if err := os.Truncate(seg, st.Size()/2); err != nil {
		t.Fatal(err)
	}
	s := open(t, dir)
	st2 := s.Status()
	if st2.Generation != names[0] {
		t.Fatalf("serving %q, want the fallback %s", st2.Generation, names[0])
	}
	if !strings.Contains(st2.Fallback, names[1]) || !strings.Contains(st2.Fallback, "bytes") {
		t.Errorf("Fallback = %q, want it to name %s and the size mismatch", st2.Fallback, names[1])
	}
	if _, ok := st2.Damaged[names[1]]; !ok {
		t.Errorf("Damaged = %v, want %s in it", st2.Damaged, names[1])
	}
	if err := s.Ready(); err != nil {
		t.Errorf("Ready on the fallback: %v", err)
	}
	l, err := s.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if search1(t, l) == 0 {
		t.Error("fallback answers nothing")
	}
}

// Damage to the served generation while serving: the next poll falls back.
func TestServedGenerationDamagedFallsBack(t *testing.T) {
	dir := buildIndex(t, 2)
	names := generationNames(t, dir)
	// The poll's size check, not the background checksum read (which
	// would find the damage first: TestOverwrittenBytesFoundByChecksum).
	s, err := Open(context.Background(), Options{Dir: dir, Tagger: tagger, SkipFullCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l, err := s.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	l.Release()
	seg := segmentFile(t, filepath.Join(dir, names[1]))
	if err := os.Truncate(seg, 100); err != nil {
		t.Fatal(err)
	}
	if err := s.Ready(); !errors.Is(err, index.ErrDamaged) {
		t.Errorf("Ready with a truncated served segment: %v, want ErrDamaged", err)
	}
	if err := s.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := s.Status().Generation; got != names[0] {
		t.Fatalf("serving %s after damage, want the fallback %s", got, names[0])
	}
	if err := s.Ready(); err != nil {
		t.Errorf("Ready on the fallback: %v", err)
	}
	// Repeated polls do not go back to the damaged generation.
	for range 3 {
		s.Reload(context.Background())
	}
	if got := s.Status().Generation; got != names[0] {
		t.Errorf("serving %s after more polls, want %s", got, names[0])
	}
}

// Bytes overwritten in place keep the sizes: the background read against
// the checksums finds them and the Source falls back.
func TestOverwrittenBytesFoundByChecksum(t *testing.T) {
	dir := buildIndex(t, 2)
	names := generationNames(t, dir)
	seg := segmentFile(t, filepath.Join(dir, names[1]))
	f, err := os.OpenFile(seg, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("garbage!"), 64); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s := open(t, dir)
	deadline := time.Now().Add(20 * time.Second)
	for s.Status().Generation != names[0] && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	st := s.Status()
	if st.Generation != names[0] {
		t.Fatalf("serving %s, want the fallback %s after the checksum check", st.Generation, names[0])
	}
	if !strings.Contains(st.Damaged[names[1]], "checksum") {
		t.Errorf("Damaged[%s] = %q, want a checksum mismatch", names[1], st.Damaged[names[1]])
	}
}

// Nothing intact: Open fails with ErrNoIntact, and a Source whose every
// generation is damaged stops answering (Acquire fails, Ready fails).
func TestNoIntactGeneration(t *testing.T) {
	dir := buildIndex(t, 2)
	names := generationNames(t, dir)
	for _, n := range names {
		seg := segmentFile(t, filepath.Join(dir, n))
		if err := os.Truncate(seg, 10); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Open(context.Background(), Options{Dir: dir}); !errors.Is(err, ErrNoIntact) {
		t.Fatalf("Open with every generation damaged: %v, want ErrNoIntact", err)
	}
	if _, err := Open(context.Background(), Options{Dir: filepath.Join(t.TempDir(), "none")}); !errors.Is(err, index.ErrNoIndex) {
		t.Fatalf("Open of a missing index: %v, want ErrNoIndex", err)
	}
}

// The index directory deleted under the server: Ready fails.
func TestReadyFailsWhenDirectoryGone(t *testing.T) {
	dir := buildIndex(t, 1)
	s := open(t, dir)
	if err := s.Ready(); err != nil {
		t.Fatalf("Ready: %v", err)
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := s.Ready(); err == nil {
		t.Error("Ready after the index directory was deleted: nil")
	}
	// Polling keeps serving the open generation meanwhile, without error
	// spam or a crash.
	s.Reload(context.Background())
	l, err := s.Acquire()
	if err != nil {
		t.Fatalf("Acquire after the directory went: %v", err)
	}
	defer l.Release()
	if search1(t, l) == 0 {
		t.Error("open generation answers nothing after its directory went")
	}
}

// A file removed from under the served generation (a removal by hand, or
// the first of many while a directory is deleted) is not damage: the open
// files hold every byte, so neither the background checksum read nor a
// poll moves the Source to an older generation; Ready reports it. The
// background read runs here in the test's goroutine, after the removal,
// so it crosses the removal every time.
func TestFileRemovedFromServedGenerationIsNotDamage(t *testing.T) {
	dir := buildIndex(t, 2)
	names := generationNames(t, dir)
	s, err := Open(context.Background(), Options{Dir: dir, Tagger: tagger, SkipFullCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if got := s.Status().Generation; got != names[1] {
		t.Fatalf("serving %s, want %s", got, names[1])
	}
	if err := os.Remove(segmentFile(t, filepath.Join(dir, names[1]))); err != nil {
		t.Fatal(err)
	}
	s.mu.RLock()
	cur := s.cur
	s.mu.RUnlock()
	s.verify(cur, names[1])
	if err := s.Reload(context.Background()); err != nil {
		t.Fatalf("Reload: %v", err)
	}
	st := s.Status()
	if st.Generation != names[1] || len(st.Damaged) != 0 {
		t.Fatalf("after a removed file: serving %s, damaged %v; want %s still served, nothing damaged", st.Generation, st.Damaged, names[1])
	}
	if err := s.Ready(); err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Ready with a file removed: %v, want a not-exist error", err)
	}
	l, err := s.Acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if search1(t, l) == 0 {
		t.Error("served generation answers nothing after a file of it was removed")
	}
}

// countingHandler counts log records at Warn and above.
type countingHandler struct{ n *atomic.Int64 }

func (h countingHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (h countingHandler) Handle(context.Context, slog.Record) error    { h.n.Add(1); return nil }
func (h countingHandler) WithAttrs([]slog.Attr) slog.Handler           { return h }
func (h countingHandler) WithGroup(string) slog.Handler                { return h }

// A CURRENT that names nothing usable is reported once, not at every
// poll, and the generation served keeps answering.
func TestBadCurrentLoggedOnce(t *testing.T) {
	dir := buildIndex(t, 1)
	var n atomic.Int64
	s, err := Open(context.Background(), Options{Dir: dir, Tagger: tagger, Logger: slog.New(countingHandler{&n})})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	served := s.Status().Generation
	switchTo(t, dir, "gen-does-not-exist")
	for range 10 {
		s.Reload(context.Background())
	}
	if got := n.Load(); got != 1 {
		t.Errorf("%d warnings over 10 polls of a bad CURRENT, want 1", got)
	}
	st := s.Status()
	if st.Generation != served || !strings.Contains(st.Fallback, "gen-does-not-exist") {
		t.Errorf("status %+v: want %s served with the reason", st, served)
	}
}
