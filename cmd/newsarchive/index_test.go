package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"newsarchive/corpus/corpustest"
	"newsarchive/index"
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

	// 铁东 is a district of 四平 and of 鞍山: the code or the display name.
	code, out, errOut = runCLI(t, "search", "--index", indexDir, "--county", "铁东", "排涝")
	if code != 2 || !strings.Contains(errOut, "铁东区（四平） 220303") || !strings.Contains(errOut, "铁东区（鞍山） 210302") {
		t.Fatalf("search --county 铁东: exit %d, stderr %s; want a usage error listing both", code, errOut)
	}
	for _, flags := range [][]string{{"--county", "220303"}, {"--county", "铁东区（四平）"}, {"--prefecture", "四平", "--province", "220000"}} {
		args := append([]string{"search", "--index", indexDir, "--json"}, flags...)
		code, out, errOut = runCLI(t, append(args, "排涝")...)
		var res struct{ Total int }
		if code != 0 || json.Unmarshal([]byte(out), &res) != nil || res.Total != 1 {
			t.Fatalf("search %v: exit %d %s %s", flags, code, out, errOut)
		}
	}
	code, out, errOut = runCLI(t, "search", "--index", indexDir, "--json", "--county", "220303", "排涝")
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

// TestSchemaChangeSaysRebuilt: an index of an older schema is rebuilt by
// the next index run, which says so in its summary, exits 0 and logs no
// error.
func TestSchemaChangeSaysRebuilt(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	page, err := os.ReadFile(corpustest.RealPage(t))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(corpusDir, "2022-06-20_p2.txt"), page, 0o644)
	if code, out, errOut := runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir); code != 0 {
		t.Fatalf("index: exit %d\n%s%s", code, out, errOut)
	}
	cur, err := index.CurrentGeneration(indexDir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bleve.OpenUsing(cur, map[string]any{"unsafe_batch": false})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.SetInternal([]byte("newsarchive/schema"), []byte("6")); err != nil {
		t.Fatal(err)
	}
	b.Close()
	code, out, errOut := runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir)
	if code != 0 {
		t.Fatalf("index of an old schema: exit %d\n%s%s", code, out, errOut)
	}
	want := fmt.Sprintf("rebuilt: schema changed (\"6\" → %q)\n", index.SchemaVersion)
	if !strings.Contains(out, want) || !strings.Contains(out, "8 added, 0 updated, 0 deleted, 8 in the index") {
		t.Errorf("summary lacks %q or the 8 articles:\n%s", want, out)
	}
	if !strings.Contains(out, "not an error") {
		t.Errorf("summary does not say the rebuild is expected:\n%s", out)
	}
	if strings.Contains(strings.ToLower(errOut), "error") {
		t.Errorf("stderr reports an error: %s", errOut)
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
