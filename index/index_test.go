package index

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"newsarchive/corpus"
	"newsarchive/corpus/corpustest"
)

func newParser(t testing.TB) *corpus.Parser {
	t.Helper()
	tagger, err := corpus.DefaultTagger()
	if err != nil {
		t.Fatal(err)
	}
	return corpus.NewParser(tagger)
}

func writeFile(t testing.TB, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func update(t testing.TB, corpusDir, indexDir string, rebuild bool) Summary {
	t.Helper()
	sum, err := Update(context.Background(), Options{Corpus: corpusDir, Dir: indexDir, Rebuild: rebuild, Parser: newParser(t), BatchSize: 50})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	return sum
}

// ids runs q and returns the sorted ids of all hits.
func ids(t testing.TB, idx bleve.Index, q query.Query) []string {
	t.Helper()
	req := bleve.NewSearchRequestOptions(q, 100000, 0, false)
	res, err := idx.Search(req)
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	out := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	sort.Strings(out)
	return out
}

func openIndex(t testing.TB, dir string) *Index {
	t.Helper()
	idx, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { idx.Close() })
	return idx
}

func TestIncrementalUpdates(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	page, err := os.ReadFile(corpustest.RealPage(t))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(corpusDir, "2022/page.txt"), string(page))
	writeFile(t, filepath.Join(corpusDir, "a.txt"), "### 第一条\n\n甲乙丙。\n\n### 第二条\n\n丁戊己。\n")

	sum := update(t, corpusDir, indexDir, false)
	if !sum.Rebuilt || sum.Files != 2 || sum.FilesRead != 2 || sum.Added != 10 || sum.Articles != 10 {
		t.Fatalf("first run: %+v", sum)
	}
	first := sum.Generation

	// Nothing changed: nothing read, no generation written.
	sum = update(t, corpusDir, indexDir, false)
	if sum.Rebuilt || !sum.NothingChanged || sum.Generation != first || sum.FilesRead != 0 || sum.FilesUnchanged != 2 || sum.Added+sum.Updated+sum.Deleted != 0 || sum.Articles != 10 {
		t.Fatalf("unchanged run: %+v", sum)
	}

	// One file changes (loses an article), one is added, one removed.
	writeFile(t, filepath.Join(corpusDir, "a.txt"), "### 第一条（更正）\n\n甲乙丙丁。\n")
	writeFile(t, filepath.Join(corpusDir, "b.txt"), "### 新的一条\n\n庚辛壬癸。\n")
	if err := os.Remove(filepath.Join(corpusDir, "2022/page.txt")); err != nil {
		t.Fatal(err)
	}
	// (9 of the 10 articles go: more than the default share.)
	sum, err = Update(context.Background(), Options{Corpus: corpusDir, Dir: indexDir, Parser: newParser(t), BatchSize: 50, AllowDeletions: true})
	if err != nil {
		t.Fatal(err)
	}
	if sum.FilesRead != 2 || sum.FilesRemoved != 1 || sum.Added != 1 || sum.Updated != 1 || sum.Deleted != 9 || sum.Articles != 2 {
		t.Fatalf("changed run: %+v", sum)
	}
	idx := openIndex(t, indexDir)
	if got := ids(t, idx.bleve, ExactQuery("伊通", ScopeAll)); len(got) != 0 {
		t.Errorf("removed file's articles still found: %v", got)
	}
	a, err := idx.Record(context.Background(), corpus.ArticleID("a.txt", 1))
	if err != nil || a.Title != "第一条（更正）" || a.Body != "甲乙丙丁。" {
		t.Errorf("changed article = %+v, %v", a, err)
	}
	if _, err := idx.Record(context.Background(), corpus.ArticleID("a.txt", 2)); err == nil {
		t.Errorf("article dropped from a changed file is still there")
	}
	if got := ids(t, idx.bleve, ExactQuery("庚辛", ScopeAll)); len(got) != 1 {
		t.Errorf("added file's article not found: %v", got)
	}

	// The previous generation is kept for rollback: the first (the
	// unchanged run wrote none).
	gens, err := Generations(indexDir)
	if err != nil {
		t.Fatal(err)
	}
	if len(gens) != 2 || !gens[len(gens)-1].Current || gens[0].Path != first {
		names := []string{}
		for _, g := range gens {
			names = append(names, g.Name)
		}
		t.Errorf("generations after 3 runs: %v (first was %s)", names, filepath.Base(first))
	}
}

func TestRebuildLeavesOldGenerationOnFailure(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	writeFile(t, filepath.Join(corpusDir, "a.txt"), "### 标题\n\n内容一。\n")
	sum := update(t, corpusDir, indexDir, false)
	before := sum.Generation

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the run fails: its context is already done
	_, err := Update(ctx, Options{Corpus: corpusDir, Dir: indexDir, Rebuild: true, Parser: newParser(t)})
	if err == nil {
		t.Fatal("cancelled rebuild succeeded")
	}
	cur, err := CurrentGeneration(indexDir)
	if err != nil || cur != before {
		t.Fatalf("current generation %s, %v; want %s", cur, err, before)
	}
	gens, _ := Generations(indexDir)
	if len(gens) != 1 {
		t.Errorf("failed run left %d generations", len(gens))
	}
	idx := openIndex(t, indexDir)
	if n, _ := idx.DocCount(); n != 1 {
		t.Errorf("old index has %d articles, want 1", n)
	}
}

func TestFoldedQueries(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	writeFile(t, filepath.Join(corpusDir, "trad.txt"), "### 鐵東區召開會議\n\n梨樹縣與雙遼市的代表參加。\n")
	writeFile(t, filepath.Join(corpusDir, "simp.txt"), "### 铁东区召开会议\n\n参加人数：ABC公司120人。\n")
	writeFile(t, filepath.Join(corpusDir, "wide.txt"), "### 全角\n\nＡＢＣ公司１２０人。\n")
	update(t, corpusDir, indexDir, false)
	idx := openIndex(t, indexDir)
	trad, simp, wide := corpus.ArticleID("trad.txt", 1), corpus.ArticleID("simp.txt", 1), corpus.ArticleID("wide.txt", 1)
	tests := []struct {
		q    string
		want []string
	}{
		{"铁东区", []string{trad, simp}}, // simplified finds traditional
		{"鐵東區", []string{trad, simp}}, // and the reverse
		{"梨树县", []string{trad}},
		{"參加", []string{trad, simp}},
		{"ABC公司120", []string{simp, wide}},  // half-width finds full-width
		{"ａｂｃ公司１２０人", []string{simp, wide}}, // full-width finds half-width, any case
		{"c公", []string{simp, wide}},
		{"20人", []string{simp, wide}},
	}
	for _, tt := range tests {
		want := append([]string(nil), tt.want...)
		sort.Strings(want)
		if got := ids(t, idx.bleve, ExactQuery(tt.q, ScopeAll)); !equal(got, want) {
			t.Errorf("%q: got %v, want %v", tt.q, got, want)
		}
		if got := ids(t, idx.bleve, TextQuery(tt.q, ScopeAll)); !subset(want, got) {
			t.Errorf("unquoted %q: got %v, want at least %v", tt.q, got, want)
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func subset(small, big []string) bool {
	have := map[string]bool{}
	for _, s := range big {
		have[s] = true
	}
	for _, s := range small {
		if !have[s] {
			return false
		}
	}
	return true
}

func TestSchemaChangeRebuilds(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	writeFile(t, filepath.Join(corpusDir, "a.txt"), "### 标题\n\n内容一。\n")
	update(t, corpusDir, indexDir, false)

	// Make the current generation look written by another schema.
	cur, err := CurrentGeneration(indexDir)
	if err != nil {
		t.Fatal(err)
	}
	// (Update stores unsafe_batch in the generation's config: override it
	// so that SetInternal is on disk when it returns.)
	b, err := bleve.OpenUsing(cur, map[string]interface{}{"unsafe_batch": false})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.SetInternal(keySchema, []byte("1")); err != nil {
		t.Fatal(err)
	}
	b.Close()

	if _, err := Open(indexDir); !errors.Is(err, ErrSchema) || !strings.Contains(err.Error(), "newsarchive index") {
		t.Fatalf("Open of an old schema: %v, want ErrSchema telling to run newsarchive index", err)
	}
	sum := update(t, corpusDir, indexDir, false)
	if !sum.Rebuilt || sum.Added != 1 || sum.Articles != 1 {
		t.Fatalf("run on an old schema did not rebuild: %+v", sum)
	}
	idx := openIndex(t, indexDir)
	if got := ids(t, idx.bleve, ExactQuery("内容一", ScopeAll)); len(got) != 1 {
		t.Errorf("after the rebuild: %v", got)
	}
}

func TestExactQueryVerifies(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	// a: the bigrams of 中国家 apart (candidate, no match); b: 中国家 in
	// the body; c: in the title; d: 中国 in the title, 家 runs in the body.
	writeFile(t, filepath.Join(corpusDir, "a.txt"), "### 中国新闻\n\n国家发展。\n")
	writeFile(t, filepath.Join(corpusDir, "b.txt"), "### 新闻\n\n一个中国家庭。\n")
	writeFile(t, filepath.Join(corpusDir, "c.txt"), "### 中国家庭调查\n\n内容。\n")
	writeFile(t, filepath.Join(corpusDir, "d.txt"), "### 中国新闻\n\n家家户户。\n")
	update(t, corpusDir, indexDir, false)
	idx := openIndex(t, indexDir)
	a, b, c, d := corpus.ArticleID("a.txt", 1), corpus.ArticleID("b.txt", 1), corpus.ArticleID("c.txt", 1), corpus.ArticleID("d.txt", 1)
	sorted := func(s ...string) []string { sort.Strings(s); return s }
	tests := []struct {
		q     string
		scope Scope
		want  []string
	}{
		{"中国家", ScopeAll, sorted(b, c)},
		{"中国家", ScopeHead, []string{c}},
		{"中国新闻", ScopeAll, sorted(a, d)},
		{"中国，家家户户", ScopeAll, []string{d}}, // runs in the head and in the body
		{"中国，家家户户", ScopeHead, nil},
		{"家", ScopeHead, []string{c}},
		{"国家", ScopeAll, sorted(a, b, c)},
	}
	for _, tt := range tests {
		if got := ids(t, idx.bleve, ExactQuery(tt.q, tt.scope)); !equal(got, tt.want) && len(got)+len(tt.want) > 0 {
			t.Errorf("%q scope %d: got %v, want %v", tt.q, tt.scope, got, tt.want)
		}
	}
	// A match in the title ranks above one in the body.
	res, err := idx.bleve.Search(bleve.NewSearchRequest(ExactQuery("中国家", ScopeAll)))
	if err != nil || len(res.Hits) != 2 || res.Hits[0].ID != c || res.Hits[0].Score <= res.Hits[1].Score {
		t.Errorf("ranking of 中国家: %v %v", res, err)
	}
}
