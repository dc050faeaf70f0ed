package index

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

// Bleve's scorch writes segments and merges them in background goroutines.
// When one of those fails (a full disk, a file size limit), it reports the
// error to a callback registered by name and retries forever; a run that
// waits for its data to reach the disk would wait forever too. So every
// index run registers its generation here, and the callback cancels the
// run with the error.

// asyncErrorCallback is the name of the callback in scorch's registry.
const asyncErrorCallback = "newsarchive"

// runs maps a generation's path to the cancel function of the run writing
// it. Like scorch's registry it must be process-wide: the callback is
// found by name, and told only the index's path.
var runs sync.Map // string → context.CancelCauseFunc

func init() {
	scorch.RegistryAsyncErrorCallbacks[asyncErrorCallback] = func(err error, path string) {
		// Scorch names its store directory inside the generation.
		for _, p := range []string{path, filepath.Dir(path)} {
			if cancel, ok := runs.Load(p); ok {
				cancel.(context.CancelCauseFunc)(fmt.Errorf("write index: %w", err))
				return
			}
		}
	}
}

// watchAsyncErrors makes background write errors of the index at gen
// cancel the returned context; stop ends the watch.
func watchAsyncErrors(ctx context.Context, gen string) (runCtx context.Context, stop func()) {
	runCtx, cancel := context.WithCancelCause(ctx)
	runs.Store(gen, cancel)
	return runCtx, func() {
		runs.Delete(gen)
		cancel(nil)
	}
}
