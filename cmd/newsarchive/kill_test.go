package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"newsarchive/corpus"
	"newsarchive/corpus/corpustest"
	"newsarchive/index"
)

// TestKillRebuild is the safety contract of "index --rebuild": killing it
// with SIGKILL at any moment leaves the previous index opening and
// answering as before, and the next run completes. It builds the binary,
// indexes every sixth xwlb file (a few seconds of work), then starts
// rebuilds and kills them at several points: before any file is read, on
// progress lines (early, later, all files read), at delays after the last
// line (the final persist, merge, state batch and switch), and at
// fractions of a complete run's duration.
func TestKillRebuild(t *testing.T) {
	if testing.Short() {
		t.Skip("kills rebuilds of part of xwlb: about a minute")
	}
	bin := filepath.Join(t.TempDir(), "newsarchive")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	files, err := corpus.FindFiles(corpustest.TestData(t, "xwlb"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(files); i += 6 {
		if err := os.Symlink(files[i].Path, filepath.Join(corpusDir, filepath.Base(files[i].Path))); err != nil {
			t.Fatal(err)
		}
	}

	start := time.Now()
	if code, _, errOut := runChild(t, bin, "index", "--corpus", corpusDir, "--index", indexDir); code != 0 {
		t.Fatalf("first index run: exit %d\n%s", code, errOut)
	}
	full := time.Since(start)
	before, err := index.CurrentGeneration(indexDir)
	if err != nil {
		t.Fatal(err)
	}
	want := answers(t, indexDir)
	t.Logf("first run %v", full.Round(time.Millisecond))

	// Kill points: the progress lines make sure of when a run is killed
	// (those runs must be killed); the delays after the last line hit the
	// final persist, merge, state batch and switch, and fractions of the
	// first run's time land anywhere (those may end before the kill, as
	// the machine's speed varies).
	type killPoint struct {
		name     string
		line     func(done, of, n int) bool // kill on the first progress line for which it is true
		delay    time.Duration              // after that line, or after the start without one
		required bool                       // the run must be killed, not end first
	}
	allRead := func(done, of, n int) bool { return done == of }
	points := []killPoint{
		{name: "before reading (dictionary load)", delay: 300 * time.Millisecond, required: true},
		{name: "first progress line", line: func(done, of, n int) bool { return n == 1 }, required: true},
		{name: "second progress line", line: func(done, of, n int) bool { return n == 2 }, required: true},
		{name: "all files read", line: allRead, required: true},
		{name: "all files read + 0.3 s", line: allRead, delay: 300 * time.Millisecond},
		{name: "all files read + 1 s", line: allRead, delay: time.Second},
		{name: "all files read + 2 s", line: allRead, delay: 2 * time.Second},
	}
	for _, f := range []float64{0.5, 0.85} {
		points = append(points, killPoint{name: fmt.Sprintf("%.0f%% of the first run's time", 100*f), delay: time.Duration(f * float64(full))})
	}
	for _, p := range points {
		if !kill(t, bin, p.line, p.delay, "index", "--corpus", corpusDir, "--index", indexDir, "--rebuild") {
			if p.required {
				t.Errorf("%s: the run ended before the kill", p.name)
			} else {
				t.Logf("%s: the run ended before the kill", p.name)
			}
		}
		cur, err := index.CurrentGeneration(indexDir)
		if err != nil {
			t.Fatalf("after a kill at %s: %v", p.name, err)
		}
		gens, err := index.Generations(indexDir)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range gens {
			if g.Current && !g.Complete {
				t.Fatalf("after a kill at %s: the current generation %s is not complete", p.name, g.Name)
			}
		}
		if got := answers(t, indexDir); got != want {
			t.Fatalf("after a kill at %s: answers %v, want %v", p.name, got, want)
		}
		t.Logf("killed at %s: current %s (before: %s), %d generations on disk", p.name, filepath.Base(cur), filepath.Base(before), len(gens))
	}

	// The next runs complete and leave only complete generations.
	for _, args := range [][]string{
		{"index", "--corpus", corpusDir, "--index", indexDir},
		{"index", "--corpus", corpusDir, "--index", indexDir, "--rebuild"},
	} {
		if code, _, errOut := runChild(t, bin, args...); code != 0 {
			t.Fatalf("%v after the kills: exit %d\n%s", args, code, errOut)
		}
	}
	gens, err := index.Generations(indexDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gens {
		if !g.Complete {
			t.Errorf("generation %s left incomplete after a complete run", g.Name)
		}
	}
	if cur, _ := index.CurrentGeneration(indexDir); cur == before {
		t.Errorf("the rebuild did not switch generations")
	}
	if got := answers(t, indexDir); got != want {
		t.Fatalf("after the rebuild: answers %v, want %v", got, want)
	}
}

func runChild(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String(), errb.String()
	}
	if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return 0, out.String(), errb.String()
}

var progressLine = regexp.MustCompile(`msg=indexing files=(\d+) of=(\d+)`)

// kill starts the binary and kills it with SIGKILL delay after the first
// progress line for which line returns true, or delay after the start if
// line is nil. It reports whether the process was killed (false if it
// ended first).
func kill(t *testing.T, bin string, line func(done, of, n int) bool, delay time.Duration, args ...string) bool {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	trigger := make(chan struct{})
	if line == nil {
		close(trigger)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		n, fired := 0, line == nil
		for sc.Scan() {
			m := progressLine.FindStringSubmatch(sc.Text())
			if m == nil || fired {
				continue
			}
			n++
			done, _ := strconv.Atoi(m[1])
			of, _ := strconv.Atoi(m[2])
			if line(done, of, n) {
				fired = true
				close(trigger)
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	var timer <-chan time.Time
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-trigger:
		timer = time.After(delay)
	case err := <-exited:
		if err != nil {
			t.Fatalf("%v ended on its own with %v", args, err)
		}
		return false
	}
	select {
	case <-timer:
	case err := <-exited:
		if err != nil {
			t.Fatalf("%v ended on its own with %v", args, err)
		}
		return false
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = <-exited
	if ee, ok := err.(*exec.ExitError); ok {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true
		}
	}
	return false // it ended just before the signal
}

// answers runs a few searches on the index (in this process) and returns
// their totals and hits, to compare an index before and after a kill.
func answers(t *testing.T, indexDir string) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{`"人类命运共同体"`, `"习近平总书记"`, `乡村振兴`, `"中"`} {
		code, out, errOut := runCLI(t, "search", "--index", indexDir, "--json", "--size", "100", q)
		if code != 0 {
			t.Fatalf("search %s: exit %d: %s", q, code, errOut)
		}
		var res struct {
			Total int `json:"total"`
			Hits  []struct {
				ID string `json:"id"`
			} `json:"hits"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("search %s: %v\n%s", q, err, out)
		}
		ids := make([]string, 0, len(res.Hits))
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		if res.Total > len(ids) {
			ids = nil // more hits than a page: their order may tie; compare the total
		}
		sort.Strings(ids)
		fmt.Fprintf(&b, "%s: %d %v; ", q, res.Total, ids)
	}
	return b.String()
}
