package corpus

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// bulletinExts are the file name extensions read as bulletins; a file with
// no extension is read too. Other files in a corpus directory are ignored.
var bulletinExts = map[string]bool{".txt": true, ".md": true, ".text": true, "": true}

// File is one bulletin file of a corpus.
type File struct {
	// Path is where the file is on disk.
	Path string
	// Source is the path relative to the corpus root, with forward slashes,
	// or the file name for a file given on its own.
	Source string
	// Root is the corpus root, where manifest.csv is looked for.
	Root string
	// Size in bytes and ModTime, from the directory listing: taken before
	// the file is read, so that an index that records them sees a file
	// edited after the listing as changed on its next run.
	Size    int64
	ModTime time.Time
}

// FindFiles lists the bulletin files named by paths: files as they are,
// directories recursively (hidden files and directories, manifest.csv and
// files of other extensions left out), sorted by source within each path.
func FindFiles(paths ...string) ([]File, error) {
	var files []File
	for _, arg := range paths {
		st, err := os.Stat(arg)
		if err != nil {
			return nil, fmt.Errorf("find bulletin files: %w", err)
		}
		if !st.IsDir() {
			files = append(files, File{Path: arg, Source: filepath.Base(arg), Root: filepath.Dir(arg), Size: st.Size(), ModTime: st.ModTime()})
			continue
		}
		var found []File
		err = filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if path != arg && strings.HasPrefix(name, ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() || name == ManifestName {
				return nil
			}
			info, err := os.Stat(path) // follows a symlink to a file
			if err != nil || !info.Mode().IsRegular() {
				return nil
			}
			if !bulletinExts[strings.ToLower(filepath.Ext(name))] {
				return nil
			}
			rel, err := filepath.Rel(arg, path)
			if err != nil {
				return err
			}
			found = append(found, File{Path: path, Source: filepath.ToSlash(rel), Root: arg, Size: info.Size(), ModTime: info.ModTime()})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("find bulletin files in %s: %w", arg, err)
		}
		sort.Slice(found, func(i, j int) bool { return found[i].Source < found[j].Source })
		files = append(files, found...)
	}
	return files, nil
}

// FileResult is what parsing one file gives.
type FileResult struct {
	File     File
	Hash     string // SHA-256 of the file's bytes, hex
	Encoding string
	Items    []Article
	// Explanations holds the tagging evidence of each item, when the
	// parser was asked to explain.
	Explanations []Explanation
	Problems     []Problem
	// Skipped is true when the file could not be read at all.
	Skipped bool
	// ReadErr is the error of opening or reading the file, when that is
	// why it was skipped (nil for a file that was read but is not a
	// bulletin): a caller tells a vanished corpus from a bad file by it.
	ReadErr error
}

// Parser reads bulletin files into tagged articles. Its zero value parses
// without tagging; it is safe for concurrent use.
type Parser struct {
	Tagger  *Tagger
	Explain bool

	mu        sync.Mutex
	manifests map[string]manifestEntry
}

type manifestEntry struct {
	m   Manifest
	err error
}

// NewParser returns a parser that tags with the given tagger.
func NewParser(t *Tagger) *Parser { return &Parser{Tagger: t} }

// ParseFile reads, decodes, parses and tags one file.
func (p *Parser) ParseFile(f File) FileResult {
	if f.Size > MaxFileSize {
		return skipped(f, fmt.Sprintf("%v: %d bytes, the limit is %d", ErrTooLarge, f.Size, MaxFileSize))
	}
	data, err := os.ReadFile(f.Path)
	if err != nil {
		res := skipped(f, fmt.Sprintf("read: %v", err))
		res.ReadErr = err
		return res
	}
	m, err := p.manifest(f.Root)
	if err != nil {
		return skipped(f, err.Error())
	}
	entry := m[f.Source]
	res := p.ParseBytes(f, data, entry.Meta)
	// A new slice: the entry's is shared by the workers.
	res.Problems = append(append([]Problem(nil), entry.Problems...), res.Problems...)
	return res
}

// ParseBytes parses the bytes of file f; manifestMeta is the file's entry in
// its corpus manifest, if any.
func (p *Parser) ParseBytes(f File, data []byte, manifestMeta Meta) FileResult {
	sum := sha256.Sum256(data)
	res := FileResult{File: f, Hash: hex.EncodeToString(sum[:])}
	text, enc, err := Decode(data)
	res.Encoding = enc
	if err != nil {
		return res.skip(err.Error())
	}
	page, problems, err := ParsePage(f.Path, text)
	res.Problems = problems
	if err != nil {
		return res.skip(err.Error())
	}
	nameMeta, warning := FileNameMeta(f.Source)
	if warning != "" {
		res.Problems = append(res.Problems, Problem{Path: f.Path, Line: 1, Message: warning})
	}
	meta := page.Meta.Merge(manifestMeta).Merge(nameMeta)
	for i := range page.Items {
		a := &page.Items[i]
		a.Source = f.Source
		a.Ordinal = i + 1
		a.Paper, a.Date, a.Page = meta.Paper, meta.Date, meta.Page
		a.ID = ItemID(f.Source, a.Paper, a.Date, a.Page, a.Ordinal)
		if path := ArticleID(f.Source, a.Ordinal); path != a.ID {
			a.Aliases = []string{path}
		}
		a.Counties, a.Topics = []string{}, []string{}
		if p.Tagger != nil {
			ex := p.Tagger.Apply(a)
			if p.Explain {
				res.Explanations = append(res.Explanations, ex)
			}
		}
	}
	res.Items = page.Items
	return res
}

func (r FileResult) skip(msg string) FileResult {
	line := 1
	// "line N: ..." from the page parser names the line.
	if n, rest, ok := cutLinePrefix(msg); ok {
		line, msg = n, rest
	}
	r.Skipped = true
	r.Problems = append(r.Problems, Problem{Path: r.File.Path, Line: line, Message: msg + " (file skipped)", Skipped: true})
	return r
}

func skipped(f File, msg string) FileResult { return FileResult{File: f}.skip(msg) }

func cutLinePrefix(msg string) (int, string, bool) {
	var n int
	if _, err := fmt.Sscanf(msg, "line %d:", &n); err != nil {
		return 0, msg, false
	}
	_, rest, _ := strings.Cut(msg, ": ")
	return n, rest, true
}

// SetManifest makes the parser use m as the manifest of the corpus root
// (a directory, as in File.Root) instead of reading root/manifest.csv: a
// caller that has read the manifest itself (to record which rows it
// used) parses with exactly those rows.
func (p *Parser) SetManifest(root string, m Manifest) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.manifests == nil {
		p.manifests = map[string]manifestEntry{}
	}
	p.manifests[root] = manifestEntry{m: m}
}

func (p *Parser) manifest(root string) (Manifest, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.manifests[root]; ok {
		return e.m, e.err
	}
	m, err := ReadManifest(filepath.Join(root, ManifestName))
	if p.manifests == nil {
		p.manifests = map[string]manifestEntry{}
	}
	p.manifests[root] = manifestEntry{m, err}
	return m, err
}

// ParseFiles parses files on workers goroutines (all cores when workers is
// below 1) and calls fn with each result in the order of files. It stops at
// the first error fn returns or when ctx is done.
func (p *Parser) ParseFiles(ctx context.Context, files []File, workers int, fn func(FileResult) error) error {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type job struct {
		i   int
		out chan FileResult
	}
	jobs := make(chan job)
	order := make(chan chan FileResult, workers*2)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.out <- p.ParseFile(files[j.i])
			}
		}()
	}
	go func() {
		defer close(order)
		defer close(jobs)
		for i := range files {
			out := make(chan FileResult, 1)
			select {
			case order <- out:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- job{i, out}:
			case <-ctx.Done():
				return
			}
		}
	}()
	defer wg.Wait()
	for out := range order {
		var res FileResult
		select {
		case res = <-out:
		case <-ctx.Done():
			return ctx.Err()
		}
		if err := fn(res); err != nil {
			cancel()
			return err
		}
	}
	return ctx.Err()
}

// HashFile is the SHA-256 of a file's bytes, hex, as FileResult.Hash
// gives it, read in a stream.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
