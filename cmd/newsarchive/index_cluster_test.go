package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"newsarchive/corpus/corpustest"
)

// TestIndexClusterIncremental runs index --engine opensearch on a corpus
// three times, as a maintainer would: the first run reads every file, a
// second with nothing changed creates no generation and says so, a third
// after one file changed reads that file alone; --rebuild reads them all.
func TestIndexClusterIncremental(t *testing.T) {
	on := clusterArgs(t)
	dir := t.TempDir()
	src := corpustest.TestData(t, "xwlb", "2024")
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents[:4] {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cli := func(args ...string) string {
		t.Helper()
		code, out, errOut := runCLI(t, append(append([]string{"index", "--corpus", dir}, args...), on...)...)
		if code != 0 {
			t.Fatalf("index %v: exit %d\n%s%s", args, code, out, errOut)
		}
		return out
	}
	out := cli()
	if !strings.Contains(out, "files: 4 (4 read, 0 unchanged, 0 removed, 0 skipped)") || !strings.Contains(out, "rebuilt: no generation yet") {
		t.Fatalf("first run:\n%s", out)
	}
	gen := regexp.MustCompile(`current generation: (\S+)`).FindStringSubmatch(out)
	if gen == nil {
		t.Fatalf("first run names no generation:\n%s", out)
	}
	out = cli()
	if !strings.Contains(out, "nothing changed; current generation "+gen[1]+" kept") || !strings.Contains(out, "files: 4 (0 read, 4 unchanged, 0 removed, 0 skipped)") {
		t.Errorf("second run, nothing changed:\n%s", out)
	}
	first := filepath.Join(dir, ents[0].Name())
	b, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(first, append(b, "\n\n### 增量运行样例\n\n央视网消息：增量运行样例。\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	out = cli()
	if !strings.Contains(out, "files: 4 (1 read, 3 unchanged, 0 removed, 0 skipped)") || !strings.Contains(out, "(was "+gen[1]+"; index --rollback goes back)") ||
		!strings.Contains(out, "(the new generation is a clone of "+gen[1]+")") {
		t.Errorf("third run, one file changed:\n%s", out)
	}
	out = cli("--rebuild")
	if !strings.Contains(out, "files: 4 (4 read, 0 unchanged, 0 removed, 0 skipped)") || !strings.Contains(out, "rebuilt: rebuild requested") {
		t.Errorf("rebuild:\n%s", out)
	}
	t.Logf("rebuild:\n%s", out)
}
