package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"newsarchive/search/searchtest"
)

// TestReindexWhileServing runs a mixed query load against serve while an
// incremental index run adds a bulletin and a --rebuild follows: no request
// may fail, and the new bulletin must become searchable without a restart.
func TestReindexWhileServing(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	if err := searchtest.BuildCorpus(t, corpusDir); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir); code != 0 {
		t.Fatalf("first index run: exit %d: %s", code, errOut)
	}
	// One address makes every request: no per-address limits.
	base := startServe(t, "--index", indexDir, "--poll", "200ms", "--rate", "-1", "--max-downloads-per-client", "-1")

	var (
		stop     atomic.Bool
		requests atomic.Int64
		failures atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		failed   []string
	)
	paths := []string{
		"api/v1/search?q=" + url.QueryEscape("经济"),
		"api/v1/search?q=" + url.QueryEscape(`"满族"`) + "&county=" + url.QueryEscape("伊通"),
		"api/v1/search?q=" + url.QueryEscape("发展 OR 改革") + "&sort=date&size=50",
		"api/v1/facets",
		"api/v1/search.csv?q=" + url.QueryEscape("黑土地") + "&limit=20",
		"api/v1/search?q=" + url.QueryEscape("title:习近平") + "&page=3",
	}
	client := &http.Client{Timeout: 30 * time.Second}
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; !stop.Load(); i++ {
				p := paths[i%len(paths)]
				resp, err := client.Get(base + p)
				requests.Add(1)
				if err != nil {
					failures.Add(1)
					mu.Lock()
					failed = append(failed, fmt.Sprintf("%s: %v", p, err))
					mu.Unlock()
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					failures.Add(1)
					mu.Lock()
					failed = append(failed, fmt.Sprintf("%s: %d", p, resp.StatusCode))
					mu.Unlock()
				}
			}
		}()
	}

	total := func(q string) string {
		resp, err := client.Get(base + "api/v1/search?q=" + url.QueryEscape(q))
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if m := regexp.MustCompile(`"total":(\d+)`).FindSubmatch(b); m != nil {
			return string(m[1])
		}
		return string(b)
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 15 s of the index run", what)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	generation := func() string {
		resp, err := client.Get(base + "readyz")
		if err != nil {
			return ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.TrimSpace(string(b))
	}

	time.Sleep(500 * time.Millisecond) // load running
	const word = "冰雪样例节"
	if total(word) != "0" {
		t.Fatalf("%s is already in the index", word)
	}
	page := "---\npaper: 测试报\ndate: 2025-01-05\npage: 1\n---\n\n# 双辽市举办" + word + "\n\n本报记者 周明\n\n1月5日，双辽市举办" + word + "，冰雕吸引游客。\n"
	if err := os.WriteFile(filepath.Join(corpusDir, "2025-01-05-p1.txt"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir); code != 0 || !strings.Contains(out, "1 added") {
		t.Fatalf("incremental run: exit %d\n%s%s", code, out, errOut)
	}
	waitFor("the new bulletin searchable", func() bool { return total(word) == "1" })

	before := generation()
	if code, _, errOut := runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir, "--rebuild"); code != 0 {
		t.Fatalf("rebuild: exit %d: %s", code, errOut)
	}
	waitFor("the rebuilt generation served", func() bool { g := generation(); return g != before && strings.HasPrefix(g, "ok") })
	if got := total(word); got != "1" {
		t.Errorf("after the rebuild, %s: total %s", word, got)
	}
	time.Sleep(300 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	t.Logf("%d requests during two index runs, %d failed", requests.Load(), failures.Load())
	if failures.Load() > 0 {
		t.Errorf("%d of %d requests failed: %v", failures.Load(), requests.Load(), failed[:min(len(failed), 10)])
	}
	if requests.Load() < 20 {
		t.Errorf("only %d requests: the load did not run", requests.Load())
	}
}
