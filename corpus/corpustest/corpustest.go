// Package corpustest locates the shared test data (../shared/testdata beside
// the repository) for tests in every package.
package corpustest

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// EnvShared names the environment variable that overrides where the shared
// directory is; by default it is "shared" beside the repository root.
const EnvShared = "NEWSARCHIVE_SHARED"

// SharedDir returns the shared directory (the one holding testdata/ and
// reference/). It fails the test when the directory cannot be found: tests
// that need real data never pass silently without it.
func SharedDir(tb testing.TB) string {
	tb.Helper()
	if dir := os.Getenv(EnvShared); dir != "" {
		return mustDir(tb, dir)
	}
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatalf("find shared test data: %v", err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return mustDir(tb, filepath.Join(filepath.Dir(dir), "shared"))
		}
		if filepath.Dir(dir) == dir {
			tb.Fatalf("find shared test data: no go.mod above %s", wd)
		}
	}
}

// TestData returns a path inside shared/testdata, failing the test when it
// does not exist.
func TestData(tb testing.TB, elem ...string) string {
	tb.Helper()
	p := filepath.Join(append([]string{SharedDir(tb), "testdata"}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("shared test data missing: %v (set %s to the shared directory)", err, EnvShared)
	}
	return p
}

// RealPage returns the path of the real bulletin page.
func RealPage(tb testing.TB) string {
	tb.Helper()
	return TestData(tb, "bulletins", "000_23e23115af799f35.txt")
}

func mustDir(tb testing.TB, dir string) string {
	tb.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		tb.Fatalf("shared test data: %v", err)
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		tb.Fatalf("shared test data: %s is not a directory (set %s to the shared directory)", abs, EnvShared)
	}
	return abs
}

// Paragraphs returns the body paragraphs of the first files xwlb files (in
// path order) that the parser keeps as they are: longer than 60 bytes,
// ending a sentence, not headings, bylines or bracketed notes. Tests build
// long articles of real text from them.
func Paragraphs(tb testing.TB, files int) []string {
	tb.Helper()
	var paths []string
	err := filepath.WalkDir(TestData(tb, "xwlb"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ".txt" {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(paths)
	var paras []string
	for _, f := range paths[:min(files, len(paths))] {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if len(l) > 60 && strings.TrimSpace(l) == l && strings.HasSuffix(l, "。") &&
				!strings.HasPrefix(l, "#") && !strings.ContainsAny(l[:3], "(（【") && !strings.Contains(l, "记者") {
				paras = append(paras, l)
			}
		}
	}
	return paras
}
