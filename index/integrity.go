package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// checksumFile, inside a generation, lists every file of the generation
// with its size and CRC-32C as they were at commit. Open checks the sizes;
// Check with full set reads every byte.
const checksumFile = "CHECKSUMS"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// fileSum is one file of a generation as it was at commit.
type fileSum struct {
	Path  string `json:"path"` // relative to the generation, forward slashes
	Size  int64  `json:"size"`
	CRC32 uint32 `json:"crc32c"`
}

// writeChecksums records the size and checksum of every file of the
// generation (but the markers), written to a temporary file and renamed.
func writeChecksums(gen string) error {
	var sums []fileSum
	err := filepath.WalkDir(gen, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(gen, path)
		if err != nil {
			return err
		}
		if rel == checksumFile || rel == checksumFile+".tmp" || rel == completeFile {
			return nil
		}
		size, sum, err := checksum(context.Background(), path)
		if err != nil {
			return err
		}
		sums = append(sums, fileSum{Path: filepath.ToSlash(rel), Size: size, CRC32: sum})
		return nil
	})
	if err != nil {
		return fmt.Errorf("checksum generation %s: %w", gen, err)
	}
	sort.Slice(sums, func(i, j int) bool { return sums[i].Path < sums[j].Path })
	b, err := json.MarshalIndent(sums, "", " ")
	if err != nil {
		return fmt.Errorf("checksum generation %s: %w", gen, err)
	}
	tmp := filepath.Join(gen, checksumFile+".tmp")
	if err := writeFileSync(tmp, b); err != nil {
		return fmt.Errorf("checksum generation %s: %w", gen, err)
	}
	if err := os.Rename(tmp, filepath.Join(gen, checksumFile)); err != nil {
		return fmt.Errorf("checksum generation %s: %w", gen, err)
	}
	return nil
}

// writeFileSync writes b to a new file at path and syncs it.
func writeFileSync(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// checksum returns the size and CRC-32C of a file.
func checksum(ctx context.Context, path string) (int64, uint32, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	h := crc32.New(castagnoli)
	buf := make([]byte, 1<<20)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, 0, err
		}
		k, err := f.Read(buf)
		h.Write(buf[:k])
		n += int64(k)
		if errors.Is(err, io.EOF) {
			return n, h.Sum32(), nil
		}
		if err != nil {
			return n, 0, err
		}
	}
}

// checkGeneration compares a generation's files with what was recorded at
// commit: their sizes, and with full their checksums too. A generation
// written before checksums were recorded passes. A mismatch is ErrDamaged,
// naming the file.
func checkGeneration(ctx context.Context, gen string, full bool) error {
	b, err := os.ReadFile(filepath.Join(gen, checksumFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrDamaged, filepath.Base(gen), err)
	}
	var sums []fileSum
	if err := json.Unmarshal(b, &sums); err != nil {
		return fmt.Errorf("%w: %s: %s is unreadable: %v", ErrDamaged, filepath.Base(gen), checksumFile, err)
	}
	for _, s := range sums {
		path := filepath.Join(gen, filepath.FromSlash(s.Path))
		if !full {
			st, err := os.Stat(path)
			if err != nil {
				return fmt.Errorf("%w: %s: %w", ErrDamaged, filepath.Base(gen), err)
			}
			if st.Size() != s.Size {
				return fmt.Errorf("%w: %s: %s is %d bytes, %d at commit", ErrDamaged, filepath.Base(gen), s.Path, st.Size(), s.Size)
			}
			continue
		}
		size, sum, err := checksum(ctx, path)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		switch {
		case err != nil:
			return fmt.Errorf("%w: %s: %w", ErrDamaged, filepath.Base(gen), err)
		case size != s.Size:
			return fmt.Errorf("%w: %s: %s is %d bytes, %d at commit", ErrDamaged, filepath.Base(gen), s.Path, size, s.Size)
		case sum != s.CRC32:
			return fmt.Errorf("%w: %s: %s has checksum %08x, %08x at commit", ErrDamaged, filepath.Base(gen), s.Path, sum, s.CRC32)
		}
	}
	return nil
}

// Check compares the generation's files with what was recorded when it
// was committed: their sizes (cheap: a stat per file), and with full every
// byte's checksum too (reads the whole generation). It returns an error
// wrapping ErrDamaged when they differ, or when the generation's directory
// or one of its files is gone (then it wraps fs.ErrNotExist too).
func (x *Index) Check(ctx context.Context, full bool) error {
	if _, err := os.Stat(x.Generation); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrDamaged, x.Name(), err)
	}
	return checkGeneration(ctx, x.Generation, full)
}
