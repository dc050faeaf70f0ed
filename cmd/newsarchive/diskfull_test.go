package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsarchive/corpus/corpustest"
	"newsarchive/index"
)

// TestRebuildOutOfSpace runs index --rebuild with a file size limit (ulimit
// -f), so that its writes fail as on a full disk: the run must fail with a
// message naming the cause, leave the old index current and answering, and
// the next run must complete.
func TestRebuildOutOfSpace(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "newsarchive")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	page, err := os.ReadFile(corpustest.RealPage(t))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(corpusDir, "2022-06-20_p2.txt"), string(page))
	if code, _, errOut := runChild(t, bin, "index", "--corpus", corpusDir, "--index", indexDir); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, errOut)
	}
	before, err := index.CurrentGeneration(indexDir)
	if err != nil {
		t.Fatal(err)
	}
	want := answers(t, indexDir)

	// ulimit -f counts 512-byte blocks in sh: no file may pass 16 KiB.
	// A run that hangs instead of failing is killed, not left behind.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", `ulimit -f 32 && exec "$0" "$@"`, bin, "index", "--corpus", corpusDir, "--index", indexDir, "--rebuild")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err = cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 2 {
		t.Fatalf("rebuild with no space: %v, want exit status 2\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "file too large") {
		t.Errorf("the message does not name the cause:\n%s", stderr.String())
	}
	t.Logf("rebuild with no space: %s", strings.TrimSpace(stderr.String()))
	if cur, err := index.CurrentGeneration(indexDir); err != nil || cur != before {
		t.Fatalf("current generation %s (%v), want the old %s", cur, err, before)
	}
	if got := answers(t, indexDir); got != want {
		t.Errorf("after the failed run the index answers\n%s\nwant\n%s", got, want)
	}
	if code, _, errOut := runChild(t, bin, "index", "--corpus", corpusDir, "--index", indexDir, "--rebuild"); code != 0 {
		t.Fatalf("next run: exit %d: %s", code, errOut)
	}
	if cur, _ := index.CurrentGeneration(indexDir); cur == before {
		t.Errorf("the next run did not switch to a new generation")
	}
}
