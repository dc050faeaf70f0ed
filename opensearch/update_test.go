package opensearch

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"newsarchive/corpus"
	"newsarchive/corpus/corpustest"
	"newsarchive/index/analysis"
)

// incrementalCorpus copies n xwlb files into a new directory and returns
// it with the files' sources, in order.
func incrementalCorpus(t *testing.T, n int) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	src := corpustest.TestData(t, "xwlb", "2023")
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	var sources []string
	for _, e := range ents[:n] {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
		sources = append(sources, e.Name())
	}
	return dir, sources
}

func testParser(t *testing.T) *corpus.Parser {
	t.Helper()
	tagger, err := corpus.DefaultTagger()
	if err != nil {
		t.Fatal(err)
	}
	if err := analysis.Init(tagger.Gazetteer.PlaceNames()); err != nil && !errors.Is(err, analysis.ErrLoaded) {
		t.Fatal(err)
	}
	return corpus.NewParser(tagger)
}

// generationNames lists the alias's generations.
func generationNames(t *testing.T, c *Client) []string {
	t.Helper()
	gens, err := c.Generations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range gens {
		names = append(names, g.Name)
	}
	return names
}

// manifestRows counts the rows ALIAS-manifest holds for a generation.
func manifestRows(t *testing.T, c *Client, gen string) int64 {
	t.Helper()
	b, _ := json.Marshal(obj("query", obj("term", obj("generation", gen))))
	var cnt struct {
		Count int64 `json:"count"`
	}
	if err := c.do(context.Background(), http.MethodPost, "/"+c.manifestIndex()+"/_count", b, &cnt); err != nil {
		t.Fatal(err)
	}
	return cnt.Count
}

// TestClusterIncrementalUpdate loads a corpus of five files, then changes
// one, adds one and removes one: the second run reads two files and
// copies the other three's documents, which come back identical, with
// the same ids; the changed text is found, the removed file's articles
// are gone. A run with nothing changed creates no generation; a run
// whose copy fails (a conflicting document) or is cancelled while the
// cluster copies leaves the alias on the current generation and deletes
// its own; a stale schema, a generation without manifest, and --rebuild
// read every file.
//
// It runs twice: as Update does, cloning the current generation, and
// copying the unchanged files' documents (_reindex, or through the
// client on a cluster without it), as Update does when a clone is
// refused.
func TestClusterIncrementalUpdate(t *testing.T) {
	parser := testParser(t)
	for _, copying := range []bool{false, true} {
		name := "clone"
		if copying {
			name = "copy"
		}
		t.Run(name, func(t *testing.T) { incrementalUpdate(t, parser, copying) })
	}
}

func incrementalUpdate(t *testing.T, parser *corpus.Parser, copying bool) {
	c := testClient(t)
	ctx := context.Background()
	dir, sources := incrementalCorpus(t, 5)
	update := func(opts UpdateOptions) (UpdateSummary, error) {
		t.Helper()
		opts.Corpus, opts.Parser, opts.noClone = dir, parser, copying
		return c.Update(ctx, opts)
	}
	count := func(q string) int64 {
		t.Helper()
		n, err := c.Count(ctx, Query{Exact: []string{q}})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	s1, err := update(UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !s1.Rebuilt || s1.FilesRead != 5 || s1.FilesUnchanged != 0 || s1.Articles == 0 || s1.Copied != 0 ||
		!slices.Equal(s1.Reasons, []string{"no generation yet"}) || s1.Added != s1.Articles {
		t.Fatalf("first run: %+v", s1)
	}
	m1, why, err := c.readManifest(ctx, s1.Generation)
	if err != nil || m1 == nil {
		t.Fatalf("manifest of the first generation: %v %s", err, why)
	}
	if len(m1.files) != 5 || m1.meta.Articles != int64(s1.Articles) || m1.meta.Schema != Schema() {
		t.Fatalf("manifest %+v", m1.meta)
	}
	hash, err := corpus.HashFile(filepath.Join(dir, sources[2]))
	if err != nil || m1.files[sources[2]].Hash != hash {
		t.Errorf("manifest hash of %s: %s, want %s (%v)", sources[2], m1.files[sources[2]].Hash, hash, err)
	}
	// The unchanged files' records, to compare after the run.
	var keptIDs []string
	for _, s := range sources[2:] {
		keptIDs = append(keptIDs, m1.files[s].IDs...)
	}
	before, err := c.Records(ctx, keptIDs...)
	if err != nil || len(before) != len(keptIDs) {
		t.Fatalf("records of the unchanged files: %d of %d, %v", len(before), len(keptIDs), err)
	}

	// Change the first file (its first title), remove the second, add one.
	const changed, added = "增量测试标记甲", "增量新增标记乙"
	first := filepath.Join(dir, sources[0])
	b, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(first, []byte(strings.Replace(string(b), "\n### ", "\n### "+changed, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, sources[1])); err != nil {
		t.Fatal(err)
	}
	page := "---\npaper: 测试报\ndate: 2025-01-05\npage: 1\n---\n\n# 双辽市举办" + added + "\n\n本报记者 周明\n\n1月5日，双辽市举办" + added + "，冰雕吸引游客。\n"
	if err := os.WriteFile(filepath.Join(dir, "2025-01-05-p1.txt"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	if count(changed) != 0 || count(added) != 0 {
		t.Fatal("the new text is found before the run")
	}
	s2, err := update(UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	removed := len(m1.files[sources[1]].IDs)
	wantArticles := s1.Articles - removed + 1
	if s2.Rebuilt || s2.NothingChanged || s2.FilesRead != 2 || s2.FilesUnchanged != 3 || s2.FilesRemoved != 1 || s2.Files != 5 ||
		s2.Copied != len(keptIDs) || s2.Articles != wantArticles || s2.Previous != s1.Generation || s2.Generation == s1.Generation ||
		s2.Added != 1 || s2.Deleted != removed || s2.Updated != len(m1.files[sources[0]].IDs) || s2.Cloned == copying {
		t.Fatalf("second run: %+v (want 2 read, 3 unchanged, 1 removed, %d copied, %d articles)", s2, len(keptIDs), wantArticles)
	}
	if cur, _ := c.Current(ctx); cur != s2.Generation {
		t.Fatalf("current %s, want %s", cur, s2.Generation)
	}
	if n, err := c.Count(ctx, Query{}); err != nil || n != int64(wantArticles) {
		t.Errorf("articles on the cluster: %d %v, want %d", n, err, wantArticles)
	}
	if count(changed) != 1 || count(added) != 1 {
		t.Errorf("changed text %d, added text %d: want 1 and 1", count(changed), count(added))
	}
	if recs, err := c.Records(ctx, m1.files[sources[1]].IDs...); err != nil || len(recs) != 0 {
		t.Errorf("the removed file's articles: %d left (%v)", len(recs), err)
	}
	after, err := c.Records(ctx, keptIDs...)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("the unchanged files' records differ after the copy (%d before, %d after)", len(before), len(after))
	}
	m2, _, err := c.readManifest(ctx, s2.Generation)
	if err != nil || m2 == nil {
		t.Fatal("no manifest after the second run", err)
	}
	for _, s := range sources[2:] {
		if !slices.Equal(m2.files[s].IDs, m1.files[s].IDs) || m2.files[s].Hash != m1.files[s].Hash {
			t.Errorf("manifest row of %s changed: %+v", s, m2.files[s])
		}
	}
	if _, ok := m2.files[sources[1]]; ok || len(m2.files) != 5 {
		t.Errorf("manifest files: %d, removed one present: %v", len(m2.files), ok)
	}

	// Nothing changed: no generation.
	gens := generationNames(t, c)
	s3, err := update(UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !s3.NothingChanged || s3.Generation != s2.Generation || s3.FilesRead != 0 || s3.FilesUnchanged != 5 || s3.Articles != wantArticles {
		t.Errorf("run with nothing changed: %+v", s3)
	}
	if got := generationNames(t, c); !slices.Equal(got, gens) {
		t.Errorf("generations after a run with nothing changed: %v, want %v", got, gens)
	}

	// A copy that fails midway (the new generation already holds one of
	// the documents it copies), then one cancelled while the cluster
	// copies (or, cloning, while the files are read): the alias stays,
	// the failed generations go.
	if err := os.WriteFile(first, b, 0o644); err != nil {
		t.Fatal(err)
	}
	var failed []string
	if !copying {
		cctx, cancel := context.WithCancel(ctx)
		_, err = c.Update(cctx, UpdateOptions{Corpus: dir, Parser: parser, Progress: func(int, int) { cancel() }})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("a run cancelled while reading: %v", err)
		}
		if cur, _ := c.Current(ctx); cur != s2.Generation || count(changed) != 1 {
			t.Errorf("after a cancelled run, current %s, want %s", cur, s2.Generation)
		}
		if got := generationNames(t, c); !slices.Equal(got, gens) {
			t.Errorf("generations after a cancelled run: %v, want %v", got, gens)
		}
		var st map[string]struct {
			Settings struct {
				Index struct {
					Blocks struct {
						Write *string `json:"write"`
					} `json:"blocks"`
				} `json:"index"`
			} `json:"settings"`
		}
		if err := c.do(ctx, http.MethodGet, "/"+s2.Generation+"/_settings", nil, &st); err != nil {
			t.Fatal(err)
		}
		if w := st[s2.Generation].Settings.Index.Blocks.Write; w != nil && *w == "true" {
			t.Errorf("the cloned generation is still write-blocked")
		}
	}
	if copying {
		_, err = update(UpdateOptions{beforeCopy: func(gen string) {
			failed = append(failed, gen)
			doc, _ := json.Marshal(NewDocument(&before[0]))
			if err := c.do(ctx, http.MethodPut, "/"+gen+"/_doc/"+before[0].ID, doc, nil); err != nil {
				t.Error(err)
			}
		}})
		if err == nil || !strings.Contains(err.Error(), "conflict") {
			t.Errorf("a copy into a generation holding one of its documents: %v", err)
		}
		t.Logf("failed copy: %v", err)
		cctx, cancel := context.WithCancel(ctx)
		_, err = c.Update(cctx, UpdateOptions{Corpus: dir, Parser: parser, noClone: true,
			beforeCopy:     func(gen string) { failed = append(failed, gen) },
			afterCopyStart: func(string) { cancel() }})
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("a run cancelled while copying: %v", err)
		}
	}
	if cur, _ := c.Current(ctx); cur != s2.Generation || count(changed) != 1 {
		t.Errorf("after failed runs, current %s, want %s", cur, s2.Generation)
	}
	if got := generationNames(t, c); !slices.Equal(got, gens) || copying && len(failed) != 2 {
		t.Errorf("generations after failed runs: %v, want %v (failed: %v)", got, gens, failed)
	}
	for _, g := range failed {
		if n := manifestRows(t, c, g); n != 0 {
			t.Errorf("%d manifest rows left of the failed generation %s", n, g)
		}
	}

	// A stale schema in the current generation: every file is read.
	var maps map[string]struct {
		Mappings struct {
			Meta map[string]any `json:"_meta"`
		} `json:"mappings"`
	}
	if err := c.do(ctx, http.MethodGet, "/"+s2.Generation+"/_mapping", nil, &maps); err != nil {
		t.Fatal(err)
	}
	meta := maps[s2.Generation].Mappings.Meta
	meta["manifest"].(map[string]any)["schema"] = "0/stale"
	body, _ := json.Marshal(obj("_meta", meta))
	if err := c.do(ctx, http.MethodPut, "/"+s2.Generation+"/_mapping", body, nil); err != nil {
		t.Fatal(err)
	}
	s4, err := update(UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !s4.Rebuilt || s4.FilesRead != 5 || s4.Copied != 0 || len(s4.Reasons) != 1 || !strings.HasPrefix(s4.Reasons[0], `schema changed ("0/stale" → "`) ||
		s4.Articles != wantArticles || count(changed) != 0 {
		t.Errorf("run on a stale schema: %+v", s4)
	}
	// --rebuild reads everything; a generation without a manifest (a
	// plain Load) is rebuilt too.
	s5, err := update(UpdateOptions{Rebuild: true})
	if err != nil || !s5.Rebuilt || s5.FilesRead != 5 || s5.Copied != 0 || !slices.Equal(s5.Reasons, []string{"rebuild requested"}) {
		t.Errorf("rebuild: %+v %v", s5, err)
	}
	load(t, c, LoadOptions{}, articles("m", "无清单", 3))
	s6, err := update(UpdateOptions{})
	if err != nil || !s6.Rebuilt || s6.FilesRead != 5 || len(s6.Reasons) != 1 || !strings.HasPrefix(s6.Reasons[0], "no manifest in ") {
		t.Errorf("run on a generation without manifest: %+v %v", s6, err)
	}
	if n, _ := c.Count(ctx, Query{}); n != int64(wantArticles) {
		t.Errorf("after the rebuilds: %d articles, want %d", n, wantArticles)
	}
	// Rows of pruned generations are deleted.
	for _, g := range []string{s1.Generation} {
		if slices.Contains(generationNames(t, c), g) {
			continue
		}
		if n := manifestRows(t, c, g); n != 0 {
			t.Errorf("%d manifest rows left of the pruned generation %s", n, g)
		}
	}
}

// TestClusterUpdateEmptyCorpus: an empty corpus loads nothing and keeps
// the current generation.
func TestClusterUpdateEmptyCorpus(t *testing.T) {
	c := testClient(t)
	ctx := context.Background()
	parser := testParser(t)
	dir, _ := incrementalCorpus(t, 2)
	s, err := c.Update(ctx, UpdateOptions{Corpus: dir, Parser: parser})
	if err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	if _, err := c.Update(ctx, UpdateOptions{Corpus: empty, Parser: parser}); !errors.Is(err, ErrEmptyCorpus) {
		t.Errorf("empty corpus: %v", err)
	}
	if cur, _ := c.Current(ctx); cur != s.Generation {
		t.Errorf("after an empty corpus, current %s, want %s", cur, s.Generation)
	}
}
