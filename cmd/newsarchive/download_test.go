//go:build linux

package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"newsarchive/corpus/corpustest"
)

// slowClient is an HTTP client whose connections have a small receive
// buffer, so that a server writing a large body to it blocks as soon as
// the client stops reading, instead of handing the whole body to the
// kernel.
func slowClient() *http.Client {
	d := &net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		return errors.Join(err, serr)
	}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true, DisableCompression: true}}
}

// metric reads one counter of /metrics.
func metric(t *testing.T, base, name string) int {
	t.Helper()
	_, body := httpGet(t, base+"metrics")
	m := regexp.MustCompile(`(?m)^` + name + ` (\d+)`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("/metrics has no %s", name)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// TestDownloadAcrossRebuilds downloads every article as CSV and as JSONL,
// reading slowly, while two --rebuild runs switch the served generation
// twice under the downloads: both finish complete and correct, from the
// generation they started on, and that generation is closed only once the
// downloads end.
func TestDownloadAcrossRebuilds(t *testing.T) {
	// Every second day of xwlb (about 7,000 articles, 11 MB of text): a
	// download several times larger than the socket buffers, so that the
	// server is still reading records when the client stalls.
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	files, err := filepath.Glob(filepath.Join(corpustest.TestData(t, "xwlb"), "*", "*.txt"))
	if err != nil || len(files) < 1000 {
		t.Fatalf("xwlb: %d files (%v)", len(files), err)
	}
	for i, f := range files {
		if i%2 == 0 {
			if err := os.Symlink(f, filepath.Join(corpusDir, filepath.Base(f))); err != nil {
				t.Fatal(err)
			}
		}
	}
	if code, _, errOut := runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir); code != 0 {
		t.Fatalf("first index run: exit %d: %s", code, errOut)
	}
	base := startServe(t, "--index", indexDir, "--poll", "100ms", "--rate", "-1")
	_, body := httpGet(t, base+"api/v1/search?size=1")
	var first struct{ Total int }
	if err := json.Unmarshal(body, &first); err != nil || first.Total < 5000 {
		t.Fatalf("the test corpus: total %d (%v)", first.Total, err)
	}
	generation := func() string {
		_, b := httpGet(t, base+"readyz")
		return strings.TrimSpace(string(b))
	}
	gen0 := generation()

	type download struct {
		path string
		body []byte
		err  error
	}
	downloads := []*download{{path: "api/v1/search.csv"}, {path: "api/v1/search.jsonl"}}
	resume := make(chan struct{})
	started := make(chan struct{}, len(downloads))
	var wg sync.WaitGroup
	client := slowClient()
	for _, d := range downloads {
		wg.Go(func() {
			resp, err := client.Get(base + d.path)
			if err != nil {
				d.err = err
				started <- struct{}{}
				return
			}
			defer resp.Body.Close()
			r := bufio.NewReaderSize(resp.Body, 1024)
			head := make([]byte, 2048)
			n, err := io.ReadFull(r, head)
			d.body = append(d.body, head[:n]...)
			started <- struct{}{}
			if err != nil {
				d.err = err
				return
			}
			// A trickle (40 KB/s) while the rebuilds run: a client that
			// stops reading altogether is dropped after
			// Limits.DownloadIdleTimeout, one that reads slowly is not.
			small := make([]byte, 4096)
		trickle:
			for {
				select {
				case <-resume:
					break trickle
				case <-time.After(100 * time.Millisecond):
				}
				n, err := r.Read(small)
				d.body = append(d.body, small[:n]...)
				if err != nil {
					d.err = fmt.Errorf("while the rebuilds ran: %w", err)
					return
				}
			}
			buf := make([]byte, 16<<10)
			for {
				n, err := r.Read(buf)
				d.body = append(d.body, buf[:n]...)
				if err == io.EOF {
					return
				}
				if err != nil {
					d.err = err
					return
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
	for range downloads {
		<-started
	}
	// Two rebuilds switch the served generation twice.
	for i := range 2 {
		before := generation()
		if code, _, errOut := runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir, "--rebuild"); code != 0 {
			close(resume)
			t.Fatalf("rebuild %d: exit %d: %s", i+1, code, errOut)
		}
		deadline := time.Now().Add(15 * time.Second)
		for generation() == before && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		if generation() == before {
			close(resume)
			t.Fatalf("rebuild %d: the server did not switch", i+1)
		}
	}
	// The middle generation had no request: it is closed. The first is
	// held by the stalled downloads.
	deadline := time.Now().Add(5 * time.Second)
	for metric(t, base, "newsarchive_index_generations_closed_total") < 1 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if o, c := metric(t, base, "newsarchive_index_generations_opened_total"), metric(t, base, "newsarchive_index_generations_closed_total"); o != 3 || c != 1 {
		close(resume)
		t.Fatalf("with the downloads stalled: %d generations opened, %d closed; want 3 and 1 (the first still leased)", o, c)
	}
	// Searches answer from the newest generation meanwhile.
	if status, _ := httpGet(t, base+"api/v1/search?q=%E7%BB%8F%E6%B5%8E"); status != 200 {
		t.Errorf("search during the downloads: %d", status)
	}
	close(resume)
	wg.Wait()
	for _, d := range downloads {
		if d.err != nil {
			t.Fatalf("%s: %v", d.path, d.err)
		}
	}
	// Complete and correct: every article once, the same set in both.
	var csvIDs, jsonIDs []string
	rows, err := csv.NewReader(strings.NewReader(string(downloads[0].body))).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v", err)
	}
	for _, row := range rows[2:] { // after the #query row and the header
		if len(row) > 0 && !strings.HasPrefix(row[0], "#") {
			csvIDs = append(csvIDs, row[0])
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(string(downloads[1].body)), "\n") {
		var rec struct {
			ID    string          `json:"id"`
			Error json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("JSONL line %q: %v", line[:min(len(line), 80)], err)
		}
		if rec.Error != nil {
			t.Fatalf("JSONL download cut: %s", rec.Error)
		}
		jsonIDs = append(jsonIDs, rec.ID)
	}
	for name, ids := range map[string][]string{"CSV": csvIDs, "JSONL": jsonIDs} {
		seen := map[string]bool{}
		for _, id := range ids {
			seen[id] = true
		}
		if len(ids) != first.Total || len(seen) != first.Total {
			t.Errorf("%s: %d rows, %d distinct ids; want %d", name, len(ids), len(seen), first.Total)
		}
	}
	// The first generation closes once the downloads end.
	deadline = time.Now().Add(5 * time.Second)
	for metric(t, base, "newsarchive_index_generations_closed_total") < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if c := metric(t, base, "newsarchive_index_generations_closed_total"); c != 2 {
		t.Errorf("after the downloads: %d generations closed, want 2", c)
	}
	if g := generation(); g == gen0 || !strings.HasPrefix(g, "ok") {
		t.Errorf("readyz after the rebuilds: %q (before: %q)", g, gen0)
	}
}
