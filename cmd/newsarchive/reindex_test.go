package main

import (
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
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

	paths := []string{
		"api/v1/search?q=" + url.QueryEscape("经济"),
		"api/v1/search?q=" + url.QueryEscape(`"满族"`) + "&county=" + url.QueryEscape("伊通"),
		"api/v1/search?q=" + url.QueryEscape("发展 OR 改革") + "&sort=date&size=50",
		"api/v1/facets",
		"api/v1/search.csv?q=" + url.QueryEscape("黑土地") + "&limit=20",
		"api/v1/search?q=" + url.QueryEscape("title:习近平") + "&page=3",
	}
	load := startLoad(base, paths)
	client, total := load.client, load.total
	waitFor := func(what string, cond func() bool) { t.Helper(); waitFor(t, what, 15*time.Second, cond) }
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
	load.end(t, "two index runs")
}
