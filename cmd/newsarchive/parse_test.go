package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"newsarchive/corpus"
	"newsarchive/corpus/corpustest"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestParseRealPage(t *testing.T) {
	code, out, errOut := runCLI(t, "parse", filepath.Dir(corpustest.RealPage(t)))
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 8 {
		t.Fatalf("%d records, want 8", len(lines))
	}
	wantFields := []string{"id", "source", "ordinal", "kind", "paper", "date", "page", "kicker", "title", "subtitle", "authors", "body", "counties", "county", "places", "topics", "topic"}
	for _, line := range lines {
		dec := json.NewDecoder(strings.NewReader(line))
		var keys []string
		tok, _ := dec.Token() // {
		for dec.More() {
			k, _ := dec.Token()
			keys = append(keys, k.(string))
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
		}
		if tok != json.Delim('{') || strings.Join(keys, ",") != strings.Join(wantFields, ",") {
			t.Fatalf("record fields %v, want exactly %v", keys, wantFields)
		}
	}
}

func TestParseExplain(t *testing.T) {
	code, out, _ := runCLI(t, "parse", "--explain", corpustest.RealPage(t))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var rec struct {
		Source  string
		County  string
		Explain corpus.Explanation
	}
	if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Source != "000_23e23115af799f35.txt" || len(rec.Explain.County) == 0 || rec.Explain.County[0].Value != rec.County || len(rec.Explain.County[0].Evidence) == 0 {
		t.Errorf("explain = %+v", rec)
	}
}

func TestParseBadFilesAreSkipped(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a-empty.txt", nil)
	write("b-binary.txt", []byte("\x00\x01\x02PK\x03\x04"))
	write("c-undecodable.txt", []byte("### 标题\n\xff\xfe\xfd\x80\n"))
	write("d-unclosed.txt", []byte("---\ndate: 2022-01-01\n### 标题\n正文。\n"))
	write("e/2023-04-15_p3.txt", []byte("### 好的标题\n\n正文。\n"))
	write("f-warning.txt", []byte("### 标题\n\n本报通讯员 王健 摄\n\n正文。\n"))
	write("image.jpg", []byte("\xff\xd8\xff\xe0"))
	write(".hidden.txt", []byte("### 隐藏\n"))
	code, out, errOut := runCLI(t, "parse", dir)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	wantErr := []string{
		filepath.Join(dir, "a-empty.txt") + ":1: empty file (file skipped)",
		filepath.Join(dir, "b-binary.txt") + ":1: binary file: contains NUL bytes (file skipped)",
		filepath.Join(dir, "c-undecodable.txt") + ":1: cannot decode text: not UTF-8, UTF-16 or GB18030 (invalid byte sequences) (file skipped)",
		filepath.Join(dir, "d-unclosed.txt") + ":1: front matter opened with --- is never closed (file skipped)",
		filepath.Join(dir, "f-warning.txt") + `:3: photo credit "本报通讯员 王健 摄" has no caption above it`,
	}
	if got := strings.Split(strings.TrimSpace(errOut), "\n"); strings.Join(got, "\n") != strings.Join(wantErr, "\n") {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, strings.Join(wantErr, "\n"))
	}
	var recs []corpus.Article
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var a corpus.Article
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, a)
	}
	if len(recs) != 2 || recs[0].Source != "e/2023-04-15_p3.txt" || recs[0].Date != "2023-04-15" || recs[0].Page != "3" || recs[1].Title != "标题" {
		t.Errorf("records = %+v", recs)
	}
}

func TestParseUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"parse"}, {"parse", "--no-such-flag", "x"}, {"parse", filepath.Join(t.TempDir(), "missing")}} {
		code, out, errOut := runCLI(t, args...)
		if code != 2 || out != "" || !strings.HasPrefix(errOut, "newsarchive: ") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and a message", args, code, out, errOut)
		}
	}
}
