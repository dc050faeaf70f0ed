// Package serving keeps the index generation a server answers from.
//
// A Source follows the index directory's CURRENT file and hands out
// counted references to the generation it serves: every request takes one
// Lease for its whole life (a page, an API call, a download that streams
// for minutes) and releases it at the end, so a request never mixes two
// generations. A generation that CURRENT no longer names is closed when
// its last lease is released, never while one is held; a read of a closed
// generation is an error (index.ErrClosed), not a crash.
//
// A generation is checked when it opens (the files' sizes recorded at
// commit), then read whole against its checksums in the background, and
// its sizes are checked again at every poll. When the generation CURRENT
// names is damaged, or becomes damaged while served, the Source falls back
// to the newest intact generation and says so in Status; Ready fails when
// no intact generation is left. A file or directory removed from under
// the generation served is not damage (the open files still hold it): it
// keeps answering, and Ready reports the removal.
package serving

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"newsarchive/corpus"
	"newsarchive/engine"
	"newsarchive/index"
	"newsarchive/search"
)

// ErrClosed is returned by Acquire once the Source is closed.
var ErrClosed = errors.New("serving: closed")

// ErrNoIntact is returned when no generation of the index directory opens
// and passes its checks.
var ErrNoIntact = errors.New("no intact index generation")

// Options configure a Source.
type Options struct {
	// Dir is the index directory.
	Dir string
	// Tagger resolves county and topic names in requests (may be nil).
	Tagger *corpus.Tagger
	// Logger receives switches, fallbacks and damage (default:
	// slog.Default()).
	Logger *slog.Logger
	// SkipFullCheck turns off reading every byte of a generation against
	// its checksums after it opens (the sizes are still checked).
	SkipFullCheck bool
}

// Source serves one index directory's generations. It is safe for
// concurrent use.
type Source struct {
	opts Options
	log  *slog.Logger

	mu      sync.RWMutex // guards cur, closed and the fields below
	cur     *generation
	closed  bool
	bad     map[string]error // generations found damaged or unopenable, by name
	reason  string           // why cur is not the generation CURRENT names ("" when it is)
	lastErr error            // the last reload's error, logged once

	fixed    bool       // serves one generation, follows nothing (Fixed)
	reloadMu sync.Mutex // one reload at a time
	bg       sync.WaitGroup
	stopBG   context.CancelFunc
	bgCtx    context.Context

	opened, released atomic.Int64
}

// Engine is what a Source serves: an engine with a lifetime. The embedded
// index (*index.Index) is one; so is a cluster's engine, whose Check asks
// the cluster and whose generation is the index behind its alias.
type Engine interface {
	engine.Engine
	// Check verifies the generation: its files' sizes (full: every byte
	// against its checksum), or the cluster's health.
	Check(ctx context.Context, full bool) error
	// Close releases it.
	Close() error
}

// generation is one open generation with its reference count. The Source
// holds one reference while the generation is current; each Lease holds
// one more.
type generation struct {
	idx      Engine
	gen      atomic.Pointer[string] // its name (a cluster's changes with its alias)
	dir      string                 // the generation's directory, "" for an engine not on disk
	searcher *search.Searcher
	refs     atomic.Int64
	src      *Source
}

func (g *generation) name() string { return *g.gen.Load() }

// rename records the engine's generation name as it is now.
func (g *generation) rename() {
	n := g.idx.Info().Generation
	g.gen.Store(&n)
}

func (g *generation) unref() {
	if g.refs.Add(-1) != 0 {
		return
	}
	if err := g.idx.Close(); err != nil {
		g.src.log.Warn("close index generation", "generation", g.name(), "err", err)
	}
	g.src.released.Add(1)
	g.src.log.Info("closed index generation: its last request ended", "generation", g.name())
}

// Lease is one request's reference to one generation.
type Lease struct {
	// Searcher answers from the leased generation.
	Searcher *search.Searcher
	g        *generation
	once     sync.Once
}

// Generation is the name of the leased generation.
func (l *Lease) Generation() string { return l.g.name() }

// Release ends the lease; the generation closes if it was replaced and
// this was its last lease. Release may be called more than once.
func (l *Lease) Release() { l.once.Do(l.g.unref) }

// Open opens the generation CURRENT names, or when it is damaged the
// newest intact one, and returns a Source serving it. It fails with
// index.ErrNoIndex when the directory holds no index, and with
// ErrNoIntact when no generation opens.
func Open(ctx context.Context, opts Options) (*Source, error) {
	s := &Source{opts: opts, log: opts.Logger, bad: map[string]error{}}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.bgCtx, s.stopBG = context.WithCancel(context.Background())
	if err := s.Reload(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Fixed returns a Source that serves one open engine, resolving names
// with tagger, and follows nothing itself: an open generation of the
// embedded index (tests, benchmarks, a CLI search), or a cluster's engine,
// which follows its alias on the cluster. Reload only checks it; Close
// closes it once its last lease is released.
func Fixed(e Engine, tagger *corpus.Tagger) *Source {
	return FixedWith(e, Options{Tagger: tagger})
}

// FixedWith is Fixed with the tagger and logger of opts (its other
// fields are not used).
func FixedWith(e Engine, opts Options) *Source {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	src := &Source{opts: Options{Tagger: opts.Tagger, SkipFullCheck: true, Logger: log}, log: log, bad: map[string]error{}, fixed: true}
	g := &generation{idx: e, searcher: &search.Searcher{Engine: e, Tagger: opts.Tagger}, src: src}
	g.rename()
	if x, ok := e.(*index.Index); ok {
		src.opts.Dir, g.dir = x.Dir, x.Generation
	}
	src.bgCtx, src.stopBG = context.WithCancel(context.Background())
	g.refs.Store(1)
	src.cur = g
	src.opened.Add(1)
	return src
}

// Tagger is the tagger the Source's searchers resolve names with.
func (s *Source) Tagger() *corpus.Tagger { return s.opts.Tagger }

// Acquire takes a lease on the generation served now. Every successful
// Acquire must be followed by the lease's Release.
func (s *Source) Acquire() (*Lease, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed || s.cur == nil {
		return nil, ErrClosed
	}
	s.cur.refs.Add(1)
	return &Lease{Searcher: s.cur.searcher, g: s.cur}, nil
}

// Status describes what a Source serves.
type Status struct {
	Generation string // the generation served ("" for none)
	Articles   uint64
	// Fallback says why the generation served is not the one CURRENT
	// names ("" when it is).
	Fallback string
	// Damaged lists the generations found damaged or unopenable, with
	// the reason.
	Damaged map[string]string
}

// Status reports what the Source serves.
func (s *Source) Status() Status {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := Status{Fallback: s.reason, Damaged: map[string]string{}}
	for name, err := range s.bad {
		st.Damaged[name] = err.Error()
	}
	if s.cur != nil {
		st.Generation = s.cur.name()
		st.Articles = s.cur.idx.Info().Articles
	}
	return st
}

// Ready returns nil when the Source serves an intact generation whose
// directory is still there, and says why not otherwise.
func (s *Source) Ready() error {
	s.mu.RLock()
	cur, closed := s.cur, s.closed
	s.mu.RUnlock()
	if closed || cur == nil {
		return ErrClosed
	}
	if s.opts.Dir != "" {
		if _, err := os.Stat(s.opts.Dir); err != nil {
			return fmt.Errorf("index directory: %w", err)
		}
	}
	return cur.idx.Check(context.Background(), false)
}

// Generations reports how many generations the Source has opened and how
// many of them it has closed since it started.
func (s *Source) Generations() (opened, closed int64) {
	return s.opened.Load(), s.released.Load()
}

// Reload brings the Source in line with the index directory: it switches
// to the generation CURRENT names when that is not the one served, and
// away from the one served when it is damaged. A generation that does not
// open or fails its checks is remembered as damaged and not tried again;
// the newest intact generation is served instead. Reload returns an error
// only when it serves nothing it can vouch for.
func (s *Source) Reload(ctx context.Context) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	s.mu.RLock()
	cur := s.cur
	s.mu.RUnlock()
	if s.fixed {
		if cur == nil {
			return ErrClosed
		}
		err := cur.idx.Check(ctx, false)
		cur.rename() // a cluster's alias may have moved
		return err
	}

	// The generation served: still intact? One whose directory was
	// removed (by hand, or retention after a rollback) is still whole
	// for the open files and keeps answering until CURRENT names another
	// one; Ready reports it.
	if cur != nil && s.isBad(cur.name()) {
		cur = nil
	}
	if cur != nil && !removed(cur) {
		if err := cur.idx.Check(ctx, false); err != nil && !gone(cur, err) {
			s.markBad(cur.name(), err)
			cur = nil
		}
	}
	want, werr := index.CurrentGeneration(s.opts.Dir)
	wantName := ""
	if werr == nil {
		wantName = baseName(want)
	}
	if cur != nil && werr == nil && cur.name() == wantName {
		s.setReason("", nil)
		return nil
	}
	if cur != nil && (werr != nil || s.isBad(wantName)) {
		// CURRENT is unreadable or names a generation known to be
		// damaged: keep serving the intact one.
		reason := s.reasonFor(wantName, werr)
		s.setReason(reason, nil)
		return nil
	}
	if werr == nil && !s.isBad(wantName) {
		g, err := s.openGeneration(wantName)
		if err == nil {
			s.swap(g, "")
			return nil
		}
		s.markBad(wantName, err)
	}
	if errors.Is(werr, index.ErrNoIndex) && cur == nil {
		if _, err := os.Stat(s.opts.Dir); err != nil || !s.hasGenerations() {
			s.setReason("", werr)
			return werr
		}
	}
	if cur != nil {
		s.setReason(s.reasonFor(wantName, werr), nil)
		return nil
	}
	// Fall back: the newest generation that opens and passes its checks.
	gens, err := index.Generations(s.opts.Dir)
	if err != nil {
		err = fmt.Errorf("%w in %s: %v", ErrNoIntact, s.opts.Dir, err)
		s.setReason("", err)
		s.clear()
		return err
	}
	for i := len(gens) - 1; i >= 0; i-- {
		g := gens[i]
		if !g.Complete || g.Name == wantName || s.isBad(g.Name) {
			continue
		}
		opened, err := s.openGeneration(g.Name)
		if err != nil {
			s.markBad(g.Name, err)
			continue
		}
		reason := s.reasonFor(wantName, werr)
		s.swap(opened, reason)
		s.log.Warn("serving a fallback index generation", "generation", g.Name, "reason", reason)
		return nil
	}
	err = fmt.Errorf("%w in %s (%s)", ErrNoIntact, s.opts.Dir, s.reasonFor(wantName, werr))
	s.setReason("", err)
	s.clear()
	return err
}

// reasonFor says why the generation CURRENT names is not served.
func (s *Source) reasonFor(wantName string, werr error) string {
	if werr != nil {
		return "CURRENT: " + werr.Error()
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.bad[wantName]; err != nil {
		return fmt.Sprintf("%s: %v", wantName, err)
	}
	return ""
}

func (s *Source) hasGenerations() bool {
	gens, err := index.Generations(s.opts.Dir)
	return err == nil && len(gens) > 0
}

// openGeneration opens a generation and starts its full check.
func (s *Source) openGeneration(name string) (*generation, error) {
	idx, err := index.OpenGeneration(s.opts.Dir, name)
	if err != nil {
		return nil, err
	}
	g := &generation{idx: idx, dir: idx.Generation, searcher: &search.Searcher{Engine: idx, Tagger: s.opts.Tagger}, src: s}
	g.rename()
	g.refs.Store(1)
	s.opened.Add(1)
	if !s.opts.SkipFullCheck {
		// The check holds a lease of its own, so the generation stays
		// open while it reads.
		g.refs.Add(1)
		s.bg.Go(func() {
			defer g.unref()
			s.verify(g, name)
		})
	}
	return g, nil
}

// verify reads g (generation name) whole against its checksums. When they differ, g is
// remembered as damaged and the Source moves off it; a file or directory
// gone from under it (a removal by hand or by retention, perhaps still
// under way) is not damage: the open files still hold every byte, and
// Ready reports the removal.
func (s *Source) verify(g *generation, name string) {
	err := g.idx.Check(s.bgCtx, true)
	if err == nil || s.bgCtx.Err() != nil || gone(g, err) {
		return
	}
	s.markBad(name, err)
	if err := s.Reload(s.bgCtx); err != nil {
		s.log.Error("no intact index generation left", "err", err)
	}
}

// swap makes g the generation served and drops the Source's reference to
// the one it replaces.
func (s *Source) swap(g *generation, reason string) {
	s.mu.Lock()
	old := s.cur
	s.cur = g
	s.reason = reason
	s.lastErr = nil
	closed := s.closed
	s.mu.Unlock()
	s.log.Info("serving index generation", "generation", g.name(), "articles", g.idx.Info().Articles)
	if old != nil {
		old.unref()
	}
	if closed { // Close ran meanwhile
		s.clear()
	}
}

// clear stops serving (nothing intact is left, or the Source closed).
func (s *Source) clear() {
	s.mu.Lock()
	old := s.cur
	s.cur = nil
	s.mu.Unlock()
	if old != nil {
		old.unref()
	}
}

func (s *Source) isBad(name string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, bad := s.bad[name]
	return bad
}

// markBad remembers a damaged generation and logs it once.
func (s *Source) markBad(name string, err error) {
	s.mu.Lock()
	_, known := s.bad[name]
	s.bad[name] = err
	s.mu.Unlock()
	if !known {
		s.log.Error("index generation damaged or unopenable: not served", "generation", name, "err", err)
	}
}

// setReason records the state after a reload; an error is logged when it
// differs from the last one, not at every poll.
func (s *Source) setReason(reason string, err error) {
	s.mu.Lock()
	last := s.lastErr
	s.reason = reason
	s.lastErr = err
	s.mu.Unlock()
	if err != nil && (last == nil || last.Error() != err.Error()) {
		s.log.Warn("index directory has no generation to serve", "err", err)
	}
}

// Run polls the index directory every interval until ctx is done,
// following CURRENT and checking the served generation (see Reload).
func (s *Source) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.Reload(ctx) // its errors are logged once each, and Ready reports them
	}
}

// Close stops the background checks and drops the Source's reference to
// the generation served: it closes when its last lease is released.
// Acquire fails from then on.
func (s *Source) Close() error {
	s.stopBG()
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.clear()
	s.bg.Wait()
	return nil
}

// removed reports whether a generation's directory is gone.
func removed(g *generation) bool {
	if g.dir == "" {
		return false
	}
	_, err := os.Stat(g.dir)
	return errors.Is(err, fs.ErrNotExist)
}

// gone reports whether err, from checking g, says that g's directory or
// one of its files was removed rather than changed.
func gone(g *generation, err error) bool {
	return errors.Is(err, fs.ErrNotExist) || removed(g)
}

func baseName(path string) string { return filepath.Base(path) }
