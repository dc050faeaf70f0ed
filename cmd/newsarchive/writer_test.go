package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"newsarchive/corpus"
	"newsarchive/corpus/corpustest"
	"newsarchive/index"
)

// buildBinary builds the command into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "newsarchive")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestIndexConcurrentRuns runs real index processes on one index: while a
// first run writes, a second is refused with exit 2 and says why, a third
// with --wait waits for the first to end and then finds nothing to do.
// The index is complete afterwards.
func TestIndexConcurrentRuns(t *testing.T) {
	bin := buildBinary(t)
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	files, err := corpus.FindFiles(corpustest.TestData(t, "xwlb"))
	if err != nil {
		t.Fatal(err)
	}
	// A third of xwlb, read on one core: the first run writes for several
	// seconds after its first progress line, longer than the second takes
	// to load its dictionary and try the lock.
	var mine []corpus.File
	for i := 0; i < len(files); i += 3 {
		if err := os.Symlink(files[i].Path, filepath.Join(corpusDir, filepath.Base(files[i].Path))); err != nil {
			t.Fatal(err)
		}
		mine = append(mine, files[i])
	}

	first := exec.Command(bin, "index", "--corpus", corpusDir, "--index", indexDir, "--workers", "1")
	var firstOut strings.Builder
	first.Stdout = &firstOut
	stderr, err := first.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	writing := make(chan struct{})
	var firstErr strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		fired := false
		for sc.Scan() {
			firstErr.WriteString(sc.Text() + "\n")
			if !fired && progressLine.MatchString(sc.Text()) {
				fired = true
				close(writing) // files are being read: the lock is held
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	firstDone := make(chan error, 1)
	go func() { firstDone <- first.Wait() }()
	select {
	case <-writing:
	case err := <-firstDone:
		t.Fatalf("first run ended before reading: %v\n%s", err, firstErr.String())
	}

	type result struct {
		code     int
		out, err string
	}
	waited := make(chan result, 1)
	go func() {
		code, out, errOut := runChild(t, bin, "index", "--corpus", corpusDir, "--index", indexDir, "--wait", "5m")
		waited <- result{code, out, errOut}
	}()
	code, _, errOut := runChild(t, bin, "index", "--corpus", corpusDir, "--index", indexDir)
	select {
	case err := <-firstDone:
		t.Fatalf("the first run ended (%v) before the second tried the lock; the corpus is too small for this machine", err)
	default:
	}
	want := "another index run is writing " + indexDir + "; try again when it ends"
	if code != 2 || !strings.Contains(errOut, want) {
		t.Errorf("second run: exit %d, stderr %q; want 2 and %q", code, errOut, want)
	}
	if err := <-firstDone; err != nil {
		t.Fatalf("first run: %v\n%s", err, firstErr.String())
	}
	w := <-waited
	gen, err := index.CurrentGeneration(indexDir)
	if err != nil {
		t.Fatal(err)
	}
	if w.code != 0 || !strings.Contains(w.out, "nothing changed; current generation "+filepath.Base(gen)+" kept") {
		t.Errorf("run with --wait: exit %d\n%s\n%s", w.code, w.out, w.err)
	}

	// Complete: as many articles as the corpus has, one generation.
	articles := 0
	if err := corpus.NewParser(nil).ParseFiles(context.Background(), mine, 0, func(r corpus.FileResult) error {
		articles += len(r.Items)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, "stats", "--index", indexDir, "--json")
	var st struct{ Articles, Files int }
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || st.Articles != articles || st.Files != len(mine) {
		t.Errorf("stats after the runs: exit %d %+v, want %d articles in %d files", code, st, articles, len(mine))
	}
	if gens, _ := index.Generations(indexDir); len(gens) != 1 || !gens[0].Complete || !gens[0].Current {
		t.Errorf("generations after the runs: %+v", gens)
	}
}

// generationList is the output of "newsarchive generations".
func generationList(t *testing.T, indexDir string) string {
	t.Helper()
	code, out, errOut := runCLI(t, "generations", "--index", indexDir)
	if code != 0 {
		t.Fatalf("generations: exit %d %s", code, errOut)
	}
	return out
}

// TestIndexSummaryLines: idle runs say so and write nothing; a gazetteer
// change says what it re-tagged.
func TestIndexSummaryLines(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	page, err := os.ReadFile(corpustest.RealPage(t))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(corpusDir, "2022-06-20_p2.txt"), string(page))
	writeFile(t, filepath.Join(corpusDir, "b.txt"), "### 甲乙丙召开会议\n\n会议内容。\n")
	old := time.Now().Add(-time.Hour)
	for _, f := range []string{"2022-06-20_p2.txt", "b.txt"} {
		os.Chtimes(filepath.Join(corpusDir, f), old, old)
	}
	if code, _, errOut := runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir); code != 0 {
		t.Fatalf("index: exit %d %s", code, errOut)
	}
	before := generationList(t, indexDir)
	gen, _ := index.CurrentGeneration(indexDir)
	for i := range 10 {
		code, out, errOut := runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir)
		if code != 0 || !strings.HasPrefix(out, "nothing changed; current generation "+filepath.Base(gen)+" kept\n") || !strings.Contains(out, "9 in the index") {
			t.Fatalf("idle run %d: exit %d\n%s\n%s", i+1, code, out, errOut)
		}
	}
	if after := generationList(t, indexDir); after != before {
		t.Errorf("generations after ten idle runs:\n%s\nbefore:\n%s", after, before)
	}

	gaz := filepath.Join(t.TempDir(), "gazetteer.tsv")
	data, err := os.ReadFile("../../corpus/data/gazetteer.tsv")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, gaz, string(data)+"220323\t伊通满族自治县\talias\t甲乙丙\n")
	code, out, errOut := runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir, "--gazetteer", gaz)
	if code != 0 || !strings.Contains(out, "re-tagged 9 articles: gazetteer changed\n") {
		t.Fatalf("run with another gazetteer: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = runCLI(t, "search", "--index", indexDir, "--json", "--county", "伊通", "会议内容")
	if code != 0 || !strings.Contains(out, `"total":1`) {
		t.Errorf("search after the re-tag: exit %d %s", code, out)
	}
	if thousands(13992) != "13,992" || thousands(7) != "7" || thousands(1000000) != "1,000,000" {
		t.Errorf("thousands: %s %s %s", thousands(13992), thousands(7), thousands(1000000))
	}
}

// TestIndexDeletionGuards: an empty corpus and a mass deletion exit 2 with
// a message and change nothing; --allow-deletions proceeds.
func TestIndexDeletionGuards(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	for i := range 10 {
		writeFile(t, filepath.Join(corpusDir, fmt.Sprintf("f%d.txt", i)), fmt.Sprintf("### 第%d条\n\n内容。\n", i))
	}
	if code, _, errOut := runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir); code != 0 {
		t.Fatalf("index: exit %d %s", code, errOut)
	}
	before := generationList(t, indexDir)
	empty := t.TempDir()
	for _, dir := range []string{empty, filepath.Join(empty, "missing")} {
		code, _, errOut := runCLI(t, "index", "--corpus", dir, "--index", indexDir)
		if code != 2 || !strings.Contains(errOut, "corpus "+dir+" has no bulletin files") || !strings.Contains(errOut, "nothing deleted") {
			t.Errorf("corpus %s: exit %d %q", dir, code, errOut)
		}
	}
	for i := range 6 {
		os.Remove(filepath.Join(corpusDir, fmt.Sprintf("f%d.txt", i)))
	}
	code, _, errOut := runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir)
	if want := "would delete 6 of 10 articles (60%): pass --allow-deletions to proceed"; code != 2 || !strings.Contains(errOut, want) {
		t.Errorf("60%% deleted: exit %d %q, want 2 and %q", code, errOut, want)
	}
	if after := generationList(t, indexDir); after != before {
		t.Errorf("a refused run changed the generations:\n%s", after)
	}
	if code, _, _ := runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir, "--max-deletions", "0"); code != 2 {
		t.Errorf("--max-deletions 0: exit %d, want 2", code)
	}
	code, out, errOut := runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir, "--allow-deletions")
	if code != 0 || !strings.Contains(out, "0 added, 0 updated, 6 deleted, 4 in the index") {
		t.Errorf("--allow-deletions: exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestRollbackRepairsCurrent: a CURRENT naming a removed generation is
// reported by "generations" and repaired by --rollback --to.
func TestRollbackRepairsCurrent(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	writeFile(t, filepath.Join(corpusDir, "a.txt"), "### 标题\n\n内容。\n")
	if code, _, errOut := runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir); code != 0 {
		t.Fatalf("index: exit %d %s", code, errOut)
	}
	gen, _ := index.CurrentGeneration(indexDir)
	writeFile(t, filepath.Join(indexDir, "CURRENT"), "gen-20991231T000000.000000000Z\n")
	if out := generationList(t, indexDir); !strings.Contains(out, "CURRENT is not usable (gen-20991231T000000.000000000Z does not exist)") {
		t.Errorf("generations with a bad CURRENT:\n%s", out)
	}
	if code, _, errOut := runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir); code != 2 || !strings.Contains(errOut, "--rollback --to GEN") {
		t.Errorf("index on a bad CURRENT: exit %d %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "index", "--index", indexDir, "--rollback"); code != 2 || !strings.Contains(errOut, "pass --to GEN") {
		t.Errorf("rollback without --to: exit %d %q", code, errOut)
	}
	code, out, errOut := runCLI(t, "index", "--index", indexDir, "--rollback", "--to", filepath.Base(gen))
	if code != 0 || out != "current generation: "+filepath.Base(gen)+"\n" {
		t.Fatalf("rollback --to: exit %d %q %q", code, out, errOut)
	}
	code, out, _ = runCLI(t, "stats", "--index", indexDir)
	if m := regexp.MustCompile(`articles: (\d+)`).FindStringSubmatch(out); code != 0 || m == nil || m[1] != "1" {
		t.Errorf("stats after the repair: exit %d %s", code, out)
	}
}

// TestSummaryOfAMigration: a run that re-reads nothing but commits a new
// generation (an old one gets its columns file) says why, without
// claiming to have re-tagged anything.
func TestSummaryOfAMigration(t *testing.T) {
	var b strings.Builder
	writeSummary(&b, "corpus", index.Summary{
		Generation: "idx/gen-2", Articles: 9,
		Reasons: []string{"the current generation has no columns file (written by an older version): committing a copy with one"},
	})
	out := b.String()
	if !strings.Contains(out, "indexed corpus into idx/gen-2\nnew generation: the current generation has no columns file") || strings.Contains(out, "re-tagged") {
		t.Errorf("summary:\n%s", out)
	}
}
