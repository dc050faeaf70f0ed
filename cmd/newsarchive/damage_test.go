package main

import (
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newsarchive/index"
)

// TestServeFallsBackFromTruncatedSegment truncates a segment file of the
// current generation: serve starts on the previous generation, answers
// searches, and says so on /readyz.
func TestServeFallsBackFromTruncatedSegment(t *testing.T) {
	corpusDir := t.TempDir()
	writeFile(t, filepath.Join(corpusDir, "2024-01-02-p1.txt"), "---\npaper: 测试报\ndate: 2024-01-02\npage: 1\n---\n\n# 双辽市冬季冰雪节开幕\n\n本报记者 周明\n\n1月2日，双辽市冬季冰雪节开幕，冰雕、雪雕吸引大批游客。\n")
	indexDir := filepath.Join(t.TempDir(), "idx")
	for i := range 2 {
		if code, _, errOut := runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir, "--rebuild"); code != 0 {
			t.Fatalf("index run %d: exit %d: %s", i+1, code, errOut)
		}
		time.Sleep(2 * time.Millisecond)
	}
	gens, err := index.Generations(indexDir)
	if err != nil || len(gens) != 2 {
		t.Fatalf("%d generations (%v)", len(gens), err)
	}
	var seg string
	filepath.WalkDir(gens[1].Path, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".zap") {
			seg = p
		}
		return err
	})
	st, err := os.Stat(seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(seg, st.Size()/3); err != nil {
		t.Fatal(err)
	}
	// The command line falls back too, and says so.
	code, out, errOut := runCLI(t, "search", "--index", indexDir, "冰雕")
	if code != 0 || !strings.Contains(out, "1 articles") || !strings.Contains(errOut, "fallback") {
		t.Errorf("search on a damaged current generation: exit %d\n%s%s", code, out, errOut)
	}
	base := startServe(t, "--index", indexDir)
	status, body := httpGet(t, base+"readyz")
	if status != 200 || !strings.Contains(string(body), gens[0].Name) || !strings.Contains(string(body), "fallback") || !strings.Contains(string(body), gens[1].Name) {
		t.Errorf("readyz: %d %s; want ok on %s with the fallback's reason", status, body, gens[0].Name)
	}
	status, body = httpGet(t, base+"api/v1/search?q="+url.QueryEscape("冰雕"))
	if status != 200 || !strings.Contains(string(body), `"total":1`) {
		t.Errorf("search on the fallback: %d %s", status, body)
	}
}
