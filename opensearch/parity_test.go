package opensearch

import (
	"context"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"newsarchive/corpus"
	"newsarchive/corpus/corpustest"
	"newsarchive/corpus/textnorm"
	"newsarchive/engine"
	"newsarchive/index"
	"newsarchive/index/analysis"
)

// variantsPage is a bulletin page of the characters the issue found the
// old mapping losing or mangling: 〇, Ⅻ, full-width and traditional
// forms, punctuation and line breaks inside what looks like a phrase.
const variantsPage = `---
paper: 测试报
date: 2024-02-03
page: 1
---

### 臺灣同胞迎新春 ＡＢＣ大会

二〇二四年，第Ⅻ届ＡＢＣ论坛在台湾举行。Ｇ２０与ＡＰＥＣ代表出席。

教育、科技、人才是全面建设社会主义现代化国家的基础性、战略性支撑。

其才
尽显风采，林
火势渐小，新
高端产业。

### 經濟發展 abc 与 x²

2024年经济发展稳中有进，ⅻ号展馆开放，〇点整开幕。
`

// parityStrings are the quoted strings compared on both engines.
var parityStrings = []string{
	"〇", "二〇", "〇二四", "二〇二四年", "Ⅻ", "ⅻ", "第Ⅻ届", "Ⅻ届", "臺灣", "台湾", "ＡＢＣ", "abc", "ABC",
	"經濟", "经济发展", "Ｇ２０", "G20", "ＡＰＥＣ", "apec", "2024", "２０２４", "2024年", "1", "5G",
	"的", "国", "a", "x", "²", "教育、科技", "教育，科技", "教育 科技", "乡村 振兴", "乡村振兴",
	"其才尽", "林火势", "新高端", "其才", "中华民族伟大复兴", "人类命运共同体", "一带一路", "新闻联播",
	"AI", "GDP", "PM2.5", "CR450", "习近平同志为核心的党中央", "、", "！？", "“两会”", "两会",
	"冰墩墩", "长江经济带", "十四五", "脱贫攻坚",
}

// TestClusterParity indexes the same corpus into a Bleve index (the
// index package's writer) and into the cluster, and compares, for each
// of parityStrings, the exact total and the set of ids on both, and a
// brute-force scan of the records, then the recall property on random
// substrings. NEWSARCHIVE_OPENSEARCH_PARITY_EVERY=N takes every Nth xwlb
// file (default 1: all of them, 14,002 articles; the test takes 49 s on
// an idle 2-core machine, about 2 minutes when other tests load it).
func TestClusterParity(t *testing.T) {
	c := testClient(t)
	ctx := context.Background()
	every := 1
	if s := os.Getenv("NEWSARCHIVE_OPENSEARCH_PARITY_EVERY"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("NEWSARCHIVE_OPENSEARCH_PARITY_EVERY=%q", s)
		}
		every = n
	}
	tmp := t.TempDir()
	dir, idxDir := filepath.Join(tmp, "corpus"), filepath.Join(tmp, "index")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(corpustest.RealPage(t), filepath.Join(dir, "realpage.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "variants.txt"), []byte(variantsPage), 0o644); err != nil {
		t.Fatal(err)
	}
	var files []string
	err := filepath.WalkDir(corpustest.TestData(t, "xwlb"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ".txt" {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	linked := 0
	for i := 0; i < len(files); i += every {
		if err := os.Symlink(files[i], filepath.Join(dir, filepath.Base(files[i]))); err != nil {
			t.Fatal(err)
		}
		linked++
	}
	tagger, err := corpus.DefaultTagger()
	if err != nil {
		t.Fatal(err)
	}
	if err := analysis.Init(tagger.Gazetteer.PlaceNames()); err != nil && !errors.Is(err, analysis.ErrLoaded) {
		t.Fatal(err)
	}

	start := time.Now()
	if _, err := index.Update(ctx, index.Options{Corpus: dir, Dir: idxDir, Parser: corpus.NewParser(tagger)}); err != nil {
		t.Fatal(err)
	}
	bleveTime := time.Since(start)
	idx, err := index.Open(idxDir)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	var arts []corpus.Article
	if err := idx.Each(ctx, &engine.Request{}, func(h engine.Hit) error {
		arts = append(arts, h.Record)
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	start = time.Now()
	l, err := c.NewLoad(ctx, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range arts {
		if err := l.Add(ctx, &arts[i]); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := l.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files (every %d of %d xwlb, the real page, a page of variants), %d articles: Bleve index %v, cluster load %v (%d batches, %.1f MB bulk, %d retries)",
		linked+2, every, len(files), len(arts), bleveTime.Round(time.Millisecond), sum.Duration.Round(time.Millisecond), sum.Batches, float64(sum.Bytes)/1e6, sum.Retries)
	if total, err := c.Count(ctx, Query{}); err != nil || total != int64(len(arts)) {
		t.Fatalf("the cluster counts %d articles (%v), Bleve %d", total, err, len(arts))
	}

	// A brute-force scan: the folded head and body of every record.
	type folded struct{ id, head, body string }
	var scan []folded
	for i := range arts {
		scan = append(scan, folded{arts[i].ID, textnorm.String(engine.HeadText(&arts[i])), textnorm.String(arts[i].Body)})
	}
	// check compares one quoted string on the cluster, on Bleve and in
	// the scan; it reports whether all three agree.
	check := func(s string, verbose bool) (agree, matched bool) {
		t.Helper()
		bq := index.ExactQuery(s, index.ScopeAll)
		osIDs, osErr := c.IDs(ctx, Query{Exact: []string{s}})
		total, cntErr := c.Count(ctx, Query{Exact: []string{s}})
		if bq == nil {
			if !errors.Is(osErr, ErrNoSearchable) || !errors.Is(cntErr, ErrNoSearchable) {
				t.Errorf("%q: Bleve has no query (no searchable character), the cluster: %d ids, %v / %v", s, len(osIDs), osErr, cntErr)
				return false, false
			}
			if verbose {
				t.Logf("%-14q rejected on both (no searchable character)", s)
			}
			return true, false
		}
		if osErr != nil || cntErr != nil {
			t.Errorf("%q: %v / %v", s, osErr, cntErr)
			return false, false
		}
		// The embedded engine, as search asks it.
		var bIDs []string
		if err := idx.Each(ctx, &engine.Request{Query: engine.Text{Text: s, Exact: true}}, func(h engine.Hit) error {
			bIDs = append(bIDs, h.Record.ID)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		sort.Strings(bIDs)
		bres, err := idx.Search(ctx, &engine.Request{Query: engine.Text{Text: s, Exact: true}})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		runs := runs(s)
	articles:
		for _, a := range scan {
			for _, terms := range runs {
				r := analysis.RunText(terms)
				if !strings.Contains(a.head, r) && !strings.Contains(a.body, r) {
					continue articles
				}
			}
			want = append(want, a.id)
		}
		sort.Strings(want)
		ok := slices.Equal(osIDs, bIDs) && total == int64(bres.Total) && int(bres.Total) == len(bIDs)
		if verbose {
			t.Logf("%-14q Bleve %5d  cluster %5d (count %5d)  scan %5d  %s", s, bres.Total, len(osIDs), total, len(want), map[bool]string{true: "equal", false: "DIFFERENT"}[ok])
		}
		if !ok {
			t.Errorf("%q: Bleve %d ids (total %d), cluster %d ids (count %d); only on Bleve %v; only on the cluster %v",
				s, len(bIDs), bres.Total, len(osIDs), total, firstN(minus(bIDs, osIDs), 5), firstN(minus(osIDs, bIDs), 5))
		}
		if !slices.Equal(want, bIDs) {
			t.Errorf("%q: the scan finds %d articles, Bleve %d; only in the scan %v, only on Bleve %v", s, len(want), len(bIDs), firstN(minus(want, bIDs), 5), firstN(minus(bIDs, want), 5))
			ok = false
		}
		return ok, len(bIDs) > 0
	}
	equal, nonzero := 0, 0
	for _, s := range parityStrings {
		ok, m := check(s, true)
		if ok {
			equal++
		}
		if m {
			nonzero++
		}
	}
	t.Logf("parity: %d of %d quoted strings equal on both engines (%d with matches)", equal, len(parityStrings), nonzero)

	// The recall property: random substrings of the records (1 to 8
	// characters of a title or body, punctuation and line breaks
	// included), on the cluster as on Bleve and the scan.
	rng := rand.New(rand.NewPCG(14, 2026))
	agree := 0
	const samples = 150
	for range samples {
		a := &arts[rng.IntN(len(arts))]
		text := []rune(a.Body)
		if rng.IntN(4) == 0 || len(text) == 0 {
			text = []rune(a.Title)
		}
		if len(text) == 0 {
			agree++
			continue
		}
		i := rng.IntN(len(text))
		j := min(len(text), i+1+rng.IntN(8))
		if ok, _ := check(string(text[i:j]), false); ok {
			agree++
		}
	}
	t.Logf("recall property: %d of %d random substrings give the same ids on the cluster, on Bleve and in the scan", agree, samples)

	t.Run("searcher", func(t *testing.T) { searcherParity(t, ctx, idx, c, tagger) })
}

// minus returns the elements of a (sorted) not in b (sorted).
func minus(a, b []string) []string {
	var out []string
	for _, s := range a {
		if _, ok := slices.BinarySearch(b, s); !ok {
			out = append(out, s)
		}
	}
	return out
}

func firstN(s []string, n int) []string { return s[:min(n, len(s))] }
