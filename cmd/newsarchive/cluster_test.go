package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"newsarchive/opensearch"
	"newsarchive/search/searchtest"
)

// clusterArgs returns the flags that put a command on the test cluster,
// with a fresh alias deleted after the test. Without a cluster URL the
// test skips (fails under NEWSARCHIVE_REQUIRE_OPENSEARCH=1, as CI runs).
func clusterArgs(t *testing.T) []string {
	t.Helper()
	cfg := opensearch.ConfigFromEnv()
	if len(cfg.URLs) == 0 {
		if os.Getenv("NEWSARCHIVE_REQUIRE_OPENSEARCH") == "1" {
			t.Fatal("no OpenSearch cluster (NEWSARCHIVE_OPENSEARCH_URL) and NEWSARCHIVE_REQUIRE_OPENSEARCH=1")
		}
		t.Skip("no OpenSearch cluster: set NEWSARCHIVE_OPENSEARCH_URL (scripts/opensearch-cluster start)")
	}
	var b [4]byte
	rand.Read(b[:])
	cfg.Alias = "natest-cli-" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		c, err := opensearch.New(cfg)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := c.DeleteAll(ctx); err != nil {
			t.Errorf("delete the test's generations: %v", err)
		}
	})
	return []string{"--engine", "opensearch", "--opensearch-url", strings.Join(cfg.URLs, ","), "--opensearch-index", cfg.Alias}
}

// TestServeFromCluster is issue 14's end to end: index a corpus into the
// cluster, serve it, search it from the CLI, then rebuild and add a file
// while four clients query the server (no request may fail, the new file
// becomes searchable without a restart), list the generations and roll
// back (the server follows).
func TestServeFromCluster(t *testing.T) {
	on := clusterArgs(t)
	corpusDir := t.TempDir()
	if err := searchtest.BuildCorpus(t, corpusDir); err != nil {
		t.Fatal(err)
	}
	cli := func(args ...string) (int, string, string) {
		t.Helper()
		return runCLI(t, append(args, on...)...)
	}
	code, out, errOut := cli("index", "--corpus", corpusDir)
	if code != 0 {
		t.Fatalf("index --engine opensearch: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = cli("stats")
	m := regexp.MustCompile(`articles: (\d+)`).FindStringSubmatch(out)
	if code != 0 || m == nil || m[1] == "0" || !strings.Contains(out, "engine: opensearch") {
		t.Fatalf("stats on the cluster: exit %d\n%s", code, out)
	}
	articles := m[1]
	code, out, errOut = cli("search", "--json", `"满族"`)
	if code != 0 || !strings.Contains(out, `"total":`) {
		t.Fatalf("search on the cluster: exit %d %s %s", code, out, errOut)
	}

	base := startServe(t, append([]string{"--poll", "200ms", "--rate", "-1", "--max-downloads-per-client", "-1"}, on...)...)
	paths := []string{
		"api/v1/search?q=" + url.QueryEscape("经济"),
		"api/v1/search?q=" + url.QueryEscape(`"满族"`) + "&county=" + url.QueryEscape("伊通"),
		"api/v1/search?q=" + url.QueryEscape("发展 OR 改革") + "&sort=date&size=50",
		"api/v1/facets",
		"api/v1/search.csv?q=" + url.QueryEscape("黑土地") + "&limit=20",
		"search?q=" + url.QueryEscape("习近平"),
		"api/v1/search?q=" + url.QueryEscape("title:习近平") + "&page=3",
	}
	load := startLoad(base, paths)
	total := load.total

	time.Sleep(500 * time.Millisecond) // the load runs
	const word = "冰雪样例节"
	if got := total(word); got != "0" {
		t.Fatalf("%s: total %s before it was added", word, got)
	}
	page := "---\npaper: 测试报\ndate: 2025-01-05\npage: 1\n---\n\n# 双辽市举办" + word + "\n\n本报记者 周明\n\n1月5日，双辽市举办" + word + "，冰雕吸引游客。\n"
	if err := os.WriteFile(filepath.Join(corpusDir, "2025-01-05-p1.txt"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := cli("index", "--corpus", corpusDir); code != 0 {
		t.Fatalf("incremental run on the cluster: exit %d\n%s%s", code, out, errOut)
	}
	waitFor(t, "the new bulletin searchable", 30*time.Second, func() bool { return total(word) == "1" })
	if code, out, errOut := cli("index", "--corpus", corpusDir, "--rebuild"); code != 0 {
		t.Fatalf("rebuild on the cluster: exit %d\n%s%s", code, out, errOut)
	}
	if got := total(word); got != "1" {
		t.Errorf("after the rebuild, %s: total %s", word, got)
	}
	time.Sleep(300 * time.Millisecond)
	load.end(t, "two index runs on the cluster")

	// Generations and rollback: back before the file was added.
	code, out, _ = cli("generations")
	if code != 0 || strings.Count(out, "complete,") < 2 || strings.Count(out, "*") != 1 {
		t.Fatalf("generations on the cluster: exit %d\n%s", code, out)
	}
	for range 2 { // the rebuild, then the incremental run
		if code, out, errOut := cli("index", "--rollback"); code != 0 || !strings.Contains(out, "current generation:") {
			t.Fatalf("rollback on the cluster: exit %d %s %s", code, out, errOut)
		}
	}
	waitFor(t, "the rolled-back generation served", 30*time.Second, func() bool { return total(word) == "0" })
	code, out, _ = cli("stats")
	if m := regexp.MustCompile(`articles: (\d+)`).FindStringSubmatch(out); code != 0 || m == nil || m[1] != articles {
		t.Errorf("after the rollbacks: %s, want %s articles", out, articles)
	}
	if code, _, errOut := cli("search", `"`); code != 2 || errOut == "" {
		t.Errorf("a bad query on the cluster: exit %d %q", code, errOut)
	}
}

// TestEngineFlagErrors checks the engine flags' usage errors.
func TestEngineFlagErrors(t *testing.T) {
	t.Setenv("NEWSARCHIVE_OPENSEARCH_URL", "")
	t.Setenv("OPENSEARCH_URL", "")
	for _, args := range [][]string{
		{"search", "--engine", "opensearch", "x"},
		{"stats", "--engine", "elastic"},
		{"generations"},
		{"serve", "--engine", "opensearch"},
	} {
		code, _, errOut := runCLI(t, args...)
		if code != 2 || !strings.Contains(errOut, "engine") && !strings.Contains(errOut, "--index") {
			t.Errorf("%v: exit %d %q", args, code, errOut)
		}
	}
}
