package index

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// Files and names inside an index directory.
const (
	currentFile  = "CURRENT" // names the generation in use
	lockFile     = "write.lock"
	genPrefix    = "gen-"
	completeFile = "COMPLETE" // inside a generation: it was fully written
)

// KeepGenerations is how many complete generations are kept (the current one
// included), for rollback.
const KeepGenerations = 3

// ErrNoIndex is returned when a directory holds no index yet.
var ErrNoIndex = errors.New("no index")

// Generation describes one generation directory of an index.
type Generation struct {
	Name     string
	Path     string
	Complete bool
	Current  bool
	Modified time.Time
}

// CurrentGeneration returns the path of the generation in use in the index
// directory dir.
func CurrentGeneration(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, currentFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("open index %q: %w", dir, ErrNoIndex)
	}
	if err != nil {
		return "", fmt.Errorf("open index %q: %w", dir, err)
	}
	name := strings.TrimSpace(string(b))
	if !strings.HasPrefix(name, genPrefix) || strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("open index %q: CURRENT names %q, not a generation", dir, name)
	}
	return filepath.Join(dir, name), nil
}

// Generations lists the generation directories of an index, oldest first.
func Generations(dir string) ([]Generation, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list generations: %w", err)
	}
	cur, _ := CurrentGeneration(dir)
	var gens []Generation
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), genPrefix) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		g := Generation{Name: e.Name(), Path: p, Current: p == cur}
		if st, err := os.Stat(filepath.Join(p, completeFile)); err == nil {
			g.Complete, g.Modified = true, st.ModTime()
		}
		gens = append(gens, g)
	}
	sort.Slice(gens, func(i, j int) bool { return gens[i].Name < gens[j].Name })
	return gens, nil
}

// newGenerationName returns a generation name that sorts after every
// earlier one.
func newGenerationName(now time.Time) string {
	return genPrefix + now.UTC().Format("20060102T150405.000000000Z")
}

// switchTo makes gen the current generation with an atomic rename of a
// new CURRENT over the old one. switched reports whether the rename
// happened (then gen is current even if the directory's fsync failed).
func switchTo(dir, gen string) (switched bool, err error) {
	tmp := filepath.Join(dir, currentFile+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return false, fmt.Errorf("switch generation: %w", err)
	}
	_, err = f.WriteString(filepath.Base(gen) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, currentFile))
	}
	if err != nil {
		os.Remove(tmp)
		return false, fmt.Errorf("switch generation: %w", err)
	}
	return true, syncDir(dir)
}

// markComplete records that a generation was fully written.
func markComplete(gen string) error {
	if err := writeChecksums(gen); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(gen, completeFile), []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o644); err != nil {
		return fmt.Errorf("mark generation complete: %w", err)
	}
	return syncDir(gen)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// cleanGenerations removes generations that were never completed (left
// by a failed or killed run) and complete ones beyond the newest keep. It
// never removes the current generation, nor the newest complete one
// older than it (the rollback point), nor the generations named in also
// (the one that was current before a run's switch), whatever keep says.
// While CURRENT names no complete generation it removes nothing: the
// generations are what "--rollback --to" repairs it with. It tries every
// removal and returns their errors joined. remove removes a directory
// (os.RemoveAll). The caller holds the write lock.
func cleanGenerations(dir string, keep int, remove func(string) error, also ...string) error {
	gens, err := Generations(dir)
	if err != nil {
		return err
	}
	cur := -1
	for i, g := range gens {
		if g.Current && g.Complete {
			cur = i
		}
	}
	if cur < 0 {
		return nil
	}
	kept := map[int]bool{cur: true}
	for i := cur - 1; i >= 0; i-- {
		if gens[i].Complete {
			kept[i] = true
			break
		}
	}
	for i, g := range gens {
		if slices.Contains(also, g.Path) {
			kept[i] = true
		}
	}
	for i, n := len(gens)-1, 0; i >= 0 && n < keep; i-- {
		if gens[i].Complete {
			kept[i] = true
			n++
		}
	}
	var errs []error
	for i, g := range gens {
		if kept[i] {
			continue
		}
		if err := remove(g.Path); err != nil {
			errs = append(errs, fmt.Errorf("remove generation %s: %w", g.Name, err))
		}
	}
	return errors.Join(errs...)
}

// cloneGeneration copies the Bleve index in src to dst for an incremental
// update: segment files are immutable, so they are hard-linked (copied
// when links are not possible); the small metadata files are copied.
func cloneGeneration(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if d.Name() == completeFile || d.Name() == checksumFile || d.Name() == columnsFile || d.Name() == columnsFile+".tmp" {
			return nil
		}
		if filepath.Ext(path) == ".zap" {
			if err := os.Link(path, target); err == nil {
				return nil
			}
		}
		return copyFile(path, target)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// ErrLocked is returned (wrapped) when another index run (or rollback)
// holds the index directory's write lock: callers map it to "try again
// later" (the CLI exits 2, the web admin answers 409).
var ErrLocked = errors.New("index is locked by another writer")

// writeLock is an exclusive lock on an index directory for one writer: a
// file lock (flock(2) on Unix, LockFileEx on Windows) on PATH/write.lock,
// released by the operating system when the process ends, however it ends.
type writeLock struct{ fl *flock.Flock }

// lockForWrite takes the index directory's write lock. With wait 0 it
// fails at once when another run holds it; otherwise it tries again until
// wait has passed or ctx is done. Either failure wraps ErrLocked and says
// so: "another index run is writing PATH; try again when it ends".
func lockForWrite(ctx context.Context, dir string, wait time.Duration) (*writeLock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create index directory %q: %w", dir, err)
	}
	fl := flock.New(filepath.Join(dir, lockFile), flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o644))
	var (
		ok  bool
		err error
	)
	if wait > 0 {
		wctx, cancel := context.WithTimeout(ctx, wait)
		ok, err = fl.TryLockContext(wctx, 50*time.Millisecond)
		cancel()
		if !ok && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return nil, &kindError{ErrLocked, fmt.Errorf("another index run is writing %s; try again when it ends (waited %s)", dir, wait)}
		}
	} else {
		ok, err = fl.TryLock()
	}
	if err != nil {
		return nil, fmt.Errorf("lock index %q: %w", dir, err)
	}
	if !ok {
		return nil, &kindError{ErrLocked, fmt.Errorf("another index run is writing %s; try again when it ends", dir)}
	}
	return &writeLock{fl}, nil
}

func (l *writeLock) release() error { return l.fl.Unlock() }

// kindError is an error of a kind named by a sentinel (ErrLocked, ...)
// with its own message: errors.Is finds both the sentinel and err's chain.
type kindError struct{ kind, err error }

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }
