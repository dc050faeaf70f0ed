package index

import (
	"runtime/debug"
	"testing"
)

// TestBuildGCSetsAndRestores checks BuildGC's settings, that it leaves
// what the environment sets alone, and that its restore puts back the
// previous ones.
func TestBuildGCSetsAndRestores(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	prevGC := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prevGC)
	prevLimit := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(prevLimit)

	restore := BuildGC()
	if gc := debug.SetGCPercent(buildGCPercent); gc != buildGCPercent {
		t.Errorf("GOGC during a build: %d, want %d", gc, buildGCPercent)
	}
	if l := debug.SetMemoryLimit(-1); l != buildMemoryLimit {
		t.Errorf("memory limit during a build: %d, want %d", l, buildMemoryLimit)
	}
	restore()
	if gc := debug.SetGCPercent(100); gc != 100 {
		t.Errorf("GOGC after the build: %d, want 100", gc)
	}
	if l := debug.SetMemoryLimit(-1); l != prevLimit {
		t.Errorf("memory limit after the build: %d, want %d", l, prevLimit)
	}

	t.Setenv("GOGC", "100")
	t.Setenv("GOMEMLIMIT", "3GiB")
	restore = BuildGC()
	if gc := debug.SetGCPercent(100); gc != 100 {
		t.Errorf("GOGC set in the environment was changed to %d", gc)
	}
	if l := debug.SetMemoryLimit(-1); l != prevLimit {
		t.Errorf("GOMEMLIMIT set in the environment: the limit was changed to %d", l)
	}
	restore()
}
