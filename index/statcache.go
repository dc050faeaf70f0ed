package index

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// The stat cache, PATH/stat-cache.json beside CURRENT, remembers the
// files that a run found touched but not changed (a new modification
// time, the same bytes): their size, time and hash. The current
// generation's own file state still has their old times, and a run that
// changes nothing writes no generation to update it; without the cache
// every later run would hash those files again. The cache names the
// generation it belongs to and is ignored for any other (after a switch
// or a rollback). It is written atomically (a temporary file, fsync,
// rename) and only a hint: losing it costs a hash, never a record.
const statCacheFile = "stat-cache.json"

// statEntry is a file's size and modification time (Unix ns, 0 when not
// trusted) and the hash of its bytes.
type statEntry struct {
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime"`
	Hash    string `json:"hash"`
}

type statCache struct {
	Generation string               `json:"generation"`
	Files      map[string]statEntry `json:"files"`
}

// readStatCache returns the entries of dir's stat cache when it belongs to
// the generation named gen, nil otherwise (missing, unreadable, other).
func readStatCache(dir, gen string) map[string]statEntry {
	b, err := os.ReadFile(filepath.Join(dir, statCacheFile))
	if err != nil {
		return nil
	}
	var c statCache
	if json.Unmarshal(b, &c) != nil || c.Generation != gen {
		return nil
	}
	return c.Files
}

// writeStatCache replaces dir's stat cache with files, for generation gen.
func writeStatCache(dir, gen string, files map[string]statEntry) error {
	b, err := json.Marshal(statCache{Generation: gen, Files: files})
	if err != nil {
		return fmt.Errorf("write stat cache: %w", err)
	}
	tmp := filepath.Join(dir, statCacheFile+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("write stat cache: %w", err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, statCacheFile))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write stat cache: %w", err)
	}
	return syncDir(dir)
}

// removeStatCache removes dir's stat cache (after a switch: the new
// generation's file state has the files' current times).
func removeStatCache(dir string) error {
	if err := os.Remove(filepath.Join(dir, statCacheFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove stat cache: %w", err)
	}
	return nil
}
