package index

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"newsarchive/corpus"
)

// allIDs returns every article id of the current generation, sorted.
func allIDs(t testing.TB, dir string) []string {
	t.Helper()
	idx, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	var ids []string
	for d := range idx.Columns().Docs {
		if o := idx.Columns().ID.First(d); o != NoOrdinal {
			ids = append(ids, idx.Columns().ID.Values[o])
		}
	}
	sort.Strings(ids)
	return ids
}

// Moving every file of a corpus into other directories keeps every id:
// pages with metadata by their page id; files without it keep answering
// to their old path ids, which redirect (MovedError) to the new ones.
func TestMoveKeepsIDs(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	for i := range 6 {
		writeOld(t, filepath.Join(corpusDir, "bulletins", fmt.Sprintf("p%d.txt", i)),
			fmt.Sprintf("---\npaper: 四平日报\ndate: 2022-06-%02d\npage: %d\n---\n\n### 第%d版头条\n\n内容%d。\n\n### 第%d版二条\n\n又一条%d。\n", 10+i, i+1, i, i, i, i))
	}
	// No page metadata: a path-based id.
	writeOld(t, filepath.Join(corpusDir, "bulletins", "loose.txt"), "### 无日期的消息\n\n没有报名和日期。\n")
	mustRun(t, Options{Corpus: corpusDir, Dir: indexDir})
	before := allIDs(t, indexDir)
	if len(before) != 13 {
		t.Fatalf("%d articles, want 13", len(before))
	}
	looseOld := corpus.ArticleID("bulletins/loose.txt", 1)

	// Move everything: bulletins/pN.txt -> 2022/06/DD/pN.txt, loose.txt -> misc/.
	moved := t.TempDir()
	for i := range 6 {
		dst := filepath.Join(moved, "2022", "06", fmt.Sprintf("%02d", 10+i), fmt.Sprintf("p%d.txt", i))
		os.MkdirAll(filepath.Dir(dst), 0o755)
		if err := os.Rename(filepath.Join(corpusDir, "bulletins", fmt.Sprintf("p%d.txt", i)), dst); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(moved, "misc"), 0o755)
	if err := os.Rename(filepath.Join(corpusDir, "bulletins", "loose.txt"), filepath.Join(moved, "misc", "loose.txt")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(corpusDir)
	if err := os.Rename(moved, corpusDir); err != nil {
		t.Fatal(err)
	}
	sum := mustRun(t, Options{Corpus: corpusDir, Dir: indexDir}) // no --allow-deletions needed: nothing is lost
	if sum.FilesRemoved != 7 || sum.Deleted != 1 || sum.Added != 0 || sum.Updated != 13 {
		t.Errorf("move: removed %d files, %d deleted, %d added, %d updated; want 7, 1 (the loose file's old id, now an alias), 0, 13", sum.FilesRemoved, sum.Deleted, sum.Added, sum.Updated)
	}
	after := allIDs(t, indexDir)
	looseNew := corpus.ArticleID("misc/loose.txt", 1)
	var want []string
	for _, id := range before {
		if id != looseOld {
			want = append(want, id)
		}
	}
	want = append(want, looseNew)
	sort.Strings(want)
	if strings.Join(after, ",") != strings.Join(want, ",") {
		t.Errorf("ids after the move:\n%v\nwant\n%v", after, want)
	}
	idx, err := Open(indexDir)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	_, err = idx.Record(context.Background(), looseOld)
	var m *MovedError
	if !errors.As(err, &m) || m.To != looseNew {
		t.Errorf("old id of the moved loose file: %v, want MovedError to %s", err, looseNew)
	}
	// A page article's path id from before schema 6 redirects too.
	_, err = idx.Record(context.Background(), corpus.ArticleID("2022/06/10/p0.txt", 1))
	if !errors.As(err, &m) || m.To != corpus.PageID("四平日报", "2022-06-10", "1", 1) {
		t.Errorf("path id of a page article: %v, want a MovedError to its page id", err)
	}
	// And a rebuild keeps the carried alias.
	mustRun(t, Options{Corpus: corpusDir, Dir: indexDir, Rebuild: true})
	idx2, err := Open(indexDir)
	if err != nil {
		t.Fatal(err)
	}
	defer idx2.Close()
	if _, err := idx2.Record(context.Background(), looseOld); !errors.As(err, &m) || m.To != looseNew {
		t.Errorf("after a rebuild, the old id of the moved file: %v", err)
	}
}

// Two files holding the same page: the first (by path) keeps the page
// ids, the other falls back to path ids with a warning; no article is
// lost or overwritten.
func TestDuplicatePageFallsBackToPathIDs(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	page := "---\npaper: 四平日报\ndate: 2022-06-10\npage: 1\n---\n\n### 头条\n\n内容。\n"
	writeOld(t, filepath.Join(corpusDir, "a.txt"), page)
	writeOld(t, filepath.Join(corpusDir, "b.txt"), strings.Replace(page, "内容", "另一份内容", 1))
	sum := mustRun(t, Options{Corpus: corpusDir, Dir: indexDir})
	ids := allIDs(t, indexDir)
	want := []string{corpus.PageID("四平日报", "2022-06-10", "1", 1), corpus.ArticleID("b.txt", 1)}
	sort.Strings(want)
	if strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Errorf("ids %v, want %v", ids, want)
	}
	found := false
	for _, p := range sum.Problems {
		found = found || (strings.HasSuffix(p.Path, "b.txt") && strings.Contains(p.Message, "two files hold this page"))
	}
	if !found {
		t.Errorf("no warning naming b.txt: %v", sum.Problems)
	}
	// An incremental run with nothing changed keeps that.
	mustRun(t, Options{Corpus: corpusDir, Dir: indexDir})
	if got := allIDs(t, indexDir); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("after an idle run: %v", got)
	}
}
