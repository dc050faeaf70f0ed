package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"newsarchive/corpus/corpustest"
)

func TestGenerationsAndRollback(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	page, err := os.ReadFile(corpustest.RealPage(t))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(corpusDir, "2022-06-20_p2.txt"), string(page))
	if code, _, errOut := runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir); code != 0 {
		t.Fatalf("index: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "index", "--index", indexDir, "--rollback"); code != 2 || !strings.Contains(errOut, "no complete generation older") {
		t.Errorf("rollback with one generation: exit %d %q", code, errOut)
	}
	writeFile(t, filepath.Join(corpusDir, "2024-01-02-p1.txt"), "---\npaper: 测试报\ndate: 2024-01-02\npage: 1\n---\n\n# 双辽市冬季冰雪节开幕\n\n本报记者 周明\n\n1月2日，双辽市冬季冰雪节开幕。\n")
	if code, _, errOut := runCLI(t, "index", "--corpus", corpusDir, "--index", indexDir); code != 0 {
		t.Fatalf("second index: %d %s", code, errOut)
	}
	articles := func() string {
		_, out, _ := runCLI(t, "stats", "--index", indexDir)
		m := regexp.MustCompile(`articles: (\d+)`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("stats: %s", out)
		}
		return m[1]
	}
	if n := articles(); n != "9" {
		t.Fatalf("after the second run: %s articles, want 9", n)
	}
	code, out, _ := runCLI(t, "generations", "--index", indexDir)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[1], "* gen-") || !strings.HasPrefix(lines[0], "  gen-") || !strings.Contains(out, "complete, written") {
		t.Fatalf("generations: exit %d\n%s", code, out)
	}
	newest := strings.Fields(lines[1])[1]

	code, out, _ = runCLI(t, "index", "--index", indexDir, "--rollback")
	if code != 0 || !strings.Contains(out, strings.Fields(lines[0])[0]) {
		t.Fatalf("rollback: exit %d %s", code, out)
	}
	if n := articles(); n != "8" {
		t.Errorf("after rollback: %s articles, want 8", n)
	}
	if code, out, _ = runCLI(t, "index", "--index", indexDir, "--rollback", "--to", newest); code != 0 || !strings.Contains(out, newest) {
		t.Fatalf("roll forward: exit %d %s", code, out)
	}
	if n := articles(); n != "9" {
		t.Errorf("after rolling forward: %s articles, want 9", n)
	}
	if code, _, errOut := runCLI(t, "index", "--index", indexDir, "--rollback", "--to", "gen-nonsense"); code != 2 || !strings.Contains(errOut, `no generation "gen-nonsense"`) {
		t.Errorf("rollback to an unknown generation: exit %d %q", code, errOut)
	}
	if code, _, _ := runCLI(t, "index", "--index", indexDir, "--corpus", corpusDir, "--rollback"); code != 2 {
		t.Errorf("--rollback with --corpus: exit %d, want 2", code)
	}
}
