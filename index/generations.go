package index

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
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

// switchTo makes gen the current generation with an atomic rename.
func switchTo(dir, gen string) error {
	tmp := filepath.Join(dir, currentFile+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("switch generation: %w", err)
	}
	if _, err := f.WriteString(filepath.Base(gen) + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("switch generation: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("switch generation: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("switch generation: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, currentFile)); err != nil {
		return fmt.Errorf("switch generation: %w", err)
	}
	return syncDir(dir)
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

// cleanGenerations removes generations that were never completed (left by a
// failed or killed run) and complete ones beyond the newest keep. The
// current generation is never removed. The caller holds the write lock.
func cleanGenerations(dir string, keep int) error {
	gens, err := Generations(dir)
	if err != nil {
		return err
	}
	complete := 0
	for i := len(gens) - 1; i >= 0; i-- {
		g := gens[i]
		if g.Current {
			complete++
			continue
		}
		if g.Complete && complete < keep {
			complete++
			continue
		}
		if err := os.RemoveAll(g.Path); err != nil {
			return fmt.Errorf("remove old generation: %w", err)
		}
	}
	return nil
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
		if d.Name() == completeFile || d.Name() == checksumFile {
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

// writeLock is an exclusive lock on an index directory for one writer.
type writeLock struct{ f *os.File }

// lockForWrite takes the index directory's write lock, failing at once when
// another run holds it.
func lockForWrite(dir string) (*writeLock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create index directory: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock index: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock index %q: another index run is writing it: %w", dir, err)
	}
	return &writeLock{f}, nil
}

func (l *writeLock) release() error {
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	return l.f.Close()
}
