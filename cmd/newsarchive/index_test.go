package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"newsarchive/corpus/corpustest"
)

func TestIndexSearchStats(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	page, err := os.ReadFile(corpustest.RealPage(t))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(corpusDir, "2022-06-20_p2.txt"), page, 0o644)
	os.WriteFile(filepath.Join(corpusDir, "broken.txt"), []byte("\x00\x01binary"), 0o644)

	code, out, errOut := runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir)
	if code != 1 || !strings.Contains(out, "8 added") || !strings.Contains(errOut, "broken.txt:1: binary file") {
		t.Fatalf("index: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	os.Remove(filepath.Join(corpusDir, "broken.txt"))
	code, out, _ = runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir)
	if code != 0 || !strings.Contains(out, "0 added, 0 updated, 0 deleted, 8 in the index") {
		t.Fatalf("second index run: exit %d\n%s", code, out)
	}

	code, out, errOut = runCLI(t, "search", "--index", indexDir, "--json", "--county", "铁东", "排涝")
	var res struct {
		Total int
		Hits  []struct{ ID, Title, County string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Total != 1 || res.Hits[0].Title != "铁东区召开全区农田排涝推进会" {
		t.Fatalf("search: exit %d %s %s", code, out, errOut)
	}

	code, out, _ = runCLI(t, "stats", "--index", indexDir, "--json")
	var st struct {
		Articles  int
		Files     int
		FirstDate string `json:"first_date"`
		Counties  []struct {
			Value string
			Count int
		}
	}
	if code != 0 || json.Unmarshal([]byte(out), &st) != nil || st.Articles != 8 || st.Files != 1 || st.FirstDate != "2022-06-20" || len(st.Counties) == 0 {
		t.Fatalf("stats: exit %d %s", code, out)
	}
}

func TestIndexUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"index"},
		{"index", "--corpus", dir},
		{"index", "--corpus", filepath.Join(dir, "missing"), "--index", filepath.Join(dir, "idx")},
		{"search", "--index", filepath.Join(dir, "none"), "x"},
		{"stats"},
	} {
		if code, _, errOut := runCLI(t, args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, errOut)
		}
	}
}
