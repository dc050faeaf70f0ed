package index

import (
	"path/filepath"
	"sync"
	"time"
)

// releaseInterval is how often an index build releases the pages of its
// segments it has read (releasingMapped).
const releaseInterval = 2 * time.Second

// releasingMapped releases the process's mapped pages of dir's segment
// files (releaseMapped) every interval, until the returned stop is
// called. An index build reads its segments through their mappings when
// Bleve merges them; without this, the pages read stay in the build's
// resident set until it ends, gigabytes at a million articles.
func releasingMapped(dir string, every time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				paths, _ := filepath.Glob(filepath.Join(dir, "*.zap"))
				releaseMapped(paths)
			}
		}
	})
	var once sync.Once
	return func() {
		once.Do(func() {
			close(done)
			wg.Wait()
		})
	}
}
