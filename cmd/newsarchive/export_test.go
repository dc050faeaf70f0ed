package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"newsarchive/corpus"
	"newsarchive/opensearch"
	"newsarchive/search/searchtest"
)

// TestMain removes the shared search fixture after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	searchtest.Cleanup()
	os.Exit(code)
}

// TestExportOpenSearch exports the search fixture and reads the bulk NDJSON
// back: every line is JSON, lines alternate action and document, the ids
// are unique and are the index's, and each document is its record.
func TestExportOpenSearch(t *testing.T) {
	fx := searchtest.Get(t)
	out := filepath.Join(t.TempDir(), "bulk.ndjson")
	code, stdout, stderr := runCLI(t, "export", "--index", fx.Dir, "--format", "opensearch", "--out", out, "--index-name", "archive-test")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != "" || !strings.Contains(stderr, "exported") {
		t.Errorf("stdout %q, stderr %q", stdout, stderr)
	}
	records := map[string]corpus.Article{}
	for _, a := range fx.Articles {
		records[a.ID] = a
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	seen := map[string]bool{}
	lines := 0
	var lastDate string
	for sc.Scan() {
		lines++
		line := sc.Bytes()
		if lines%2 == 1 {
			var act opensearch.Action
			dec := json.NewDecoder(strings.NewReader(string(line)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&act); err != nil {
				t.Fatalf("line %d is not an index action: %v: %s", lines, err, line)
			}
			if act.Index.Index != "archive-test" || act.Index.ID == "" {
				t.Fatalf("line %d: action %+v", lines, act)
			}
			if seen[act.Index.ID] {
				t.Errorf("line %d: id %s exported twice", lines, act.Index.ID)
			}
			seen[act.Index.ID] = true
			continue
		}
		var doc opensearch.Document
		if err := json.Unmarshal(line, &doc); err != nil {
			t.Fatalf("line %d is not a document: %v", lines, err)
		}
		rec, ok := records[doc.ID]
		if !ok {
			t.Fatalf("line %d: document %s is not in the index", lines, doc.ID)
		}
		if want := opensearch.NewDocument(&rec); doc.Title != want.Title || doc.Body != want.Body || doc.Date != want.Date ||
			doc.Month != want.Month || strings.Join(doc.Counties, ",") != strings.Join(want.Counties, ",") ||
			doc.HeadX != want.HeadX || doc.BodyX != want.BodyX || doc.BodyC != want.BodyC || doc.BodyW != want.BodyW {
			t.Errorf("line %d: document %s differs from its record", lines, doc.ID)
		}
		if doc.Date != "" {
			if doc.Date < lastDate {
				t.Errorf("line %d: date %s after %s: not oldest first", lines, doc.Date, lastDate)
			}
			lastDate = doc.Date
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if lines%2 != 0 {
		t.Errorf("%d lines: an action without its document", lines)
	}
	n, err := fx.Index.DocCount()
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != int(n) || len(seen) != len(fx.Articles) {
		t.Errorf("exported %d articles, the index holds %d", len(seen), n)
	}
}

func TestExportMappingAndUsage(t *testing.T) {
	code, stdout, stderr := runCLI(t, "export", "--mapping")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout != string(opensearch.Mapping()) || !json.Valid([]byte(stdout)) {
		t.Errorf("--mapping printed %.200q", stdout)
	}
	for _, args := range [][]string{
		{"export"},
		{"export", "--format", "solr", "--index", "x"},
		{"export", "--index", filepath.Join(t.TempDir(), "none")},
		{"export", "--mapping", "--index", "x"},
	} {
		if code, _, stderr := runCLI(t, args...); code != exitUsage || stderr == "" {
			t.Errorf("%q: exit %d, stderr %q; want %d and a message", args, code, stderr, exitUsage)
		}
	}
}
