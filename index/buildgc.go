package index

import (
	"os"
	"runtime/debug"
)

// A build allocates mostly short-lived memory (each batch's analysis and
// in-memory segment), and at Go's default (GOGC 100) the collector ran
// about a tenth of a million-article build. BuildGC lets the heap grow
// to three times what is live (GOGC 200) under a memory limit, so a
// build collects about half as often while its heap stays under the
// limit. The limit is Go's soft one: should what is live pass it (a far
// larger batch than the writer makes), the collector runs more, capped
// at about half the CPU, rather than the build failing.

// buildGCPercent is BuildGC's GOGC.
const buildGCPercent = 200

// buildMemoryLimit is BuildGC's limit of the Go runtime's memory (the
// segments' mapped pages are outside it): with them, a million-article
// build stays under 3 GB of RSS.
const buildMemoryLimit = 2 << 30

// BuildGC sets the garbage collector of a process that builds an index
// (the index command): GOGC 200 under a 2 GiB memory limit, each unless
// the environment sets GOGC or GOMEMLIMIT. It returns the function that
// restores the previous settings.
func BuildGC() (restore func()) {
	gc, limit := -2, int64(-1)
	if os.Getenv("GOGC") == "" {
		gc = debug.SetGCPercent(buildGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		limit = debug.SetMemoryLimit(buildMemoryLimit)
	}
	return func() {
		if gc != -2 {
			debug.SetGCPercent(gc)
		}
		if limit >= 0 {
			debug.SetMemoryLimit(limit)
		}
	}
}
