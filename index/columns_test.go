package index

import (
	"context"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	"newsarchive/engine"
)

// columnsIndex builds an index of the real page and some xwlb files, then
// updates it (one file removed, one added).
func columnsIndex(t *testing.T) *Index {
	t.Helper()
	return columnsIndexWith(t, 0)
}

// columnsIndexWith is columnsIndex with merged segments of at most
// segmentDocs documents (0: the default).
func columnsIndexWith(t *testing.T, segmentDocs int) *Index {
	t.Helper()
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	xwlb := linkTestCorpus(t, corpusDir, 40)
	run := func(rebuild bool) Summary {
		sum, err := Update(context.Background(), Options{Corpus: corpusDir, Dir: indexDir, Rebuild: rebuild, Parser: newParser(t), BatchSize: 50, SegmentDocs: segmentDocs})
		if err != nil {
			t.Fatalf("Update: %v", err)
		}
		return sum
	}
	run(true)
	if err := os.Remove(filepath.Join(corpusDir, filepath.Base(xwlb[0].Path))); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(corpusDir, "new.txt"), "---\npaper: 四平日报\ndate: 2024-05-06\n---\n### 梨树县黑土地保护\n\n本报记者 张三\n\n梨树县推进黑土地保护。\n")
	sum := run(false)
	if sum.Deleted == 0 || sum.Added == 0 {
		t.Fatalf("update deleted %d, added %d articles; want some of both", sum.Deleted, sum.Added)
	}
	idx := openIndex(t, indexDir)
	waitFoldedText(t, idx)
	return idx
}

// segmentedIndex is columnsIndexWith(segmentDocs), the test corpus built
// in batches of 50 and updated once, with the bound on the segments
// checked.
func segmentedIndex(t *testing.T, segmentDocs int) *Index {
	t.Helper()
	idx := columnsIndexWith(t, segmentDocs)
	segs := idx.snap.stored.segments
	if len(segs) < 4 {
		t.Fatalf("%d segments, want several", len(segs))
	}
	// Merges keep to segmentDocs; Bleve's persister, though, writes the
	// batches introduced since it last ran as one segment (two writers:
	// usually one or two batches of 50, more when the machine is loaded),
	// which no merge plan bounds. Four batches are allowed for that.
	bound := uint64(max(segmentDocs, 4*50))
	for i, sg := range segs {
		if sg.Count() > bound {
			t.Errorf("segment %d holds %d documents, more than %d", i, sg.Count(), bound)
		}
	}
	t.Logf("%d segments", len(segs))
	return idx
}

func TestColumnsHoldEveryRecordsValues(t *testing.T) {
	idx := columnsIndex(t)
	cols := idx.Columns()
	n, err := idx.DocCount()
	if err != nil {
		t.Fatal(err)
	}
	live := 0
	deleted := 0
	for d := range cols.Docs {
		if !cols.Live(d) {
			deleted++
			continue
		}
		live++
		a, err := idx.RecordAt(d)
		if err != nil {
			t.Fatalf("doc %d: %v", d, err)
		}
		values := func(field string) []string {
			var out []string
			c := cols.Column(field)
			for _, o := range c.Ordinals(d) {
				out = append(out, c.Values[o])
			}
			return out
		}
		sorted := func(s []string) []string {
			s = slices.Clone(s)
			slices.Sort(s)
			return slices.Compact(s)
		}
		one := func(s string) []string {
			if s == "" {
				return nil
			}
			return []string{s}
		}
		month := ""
		if len(a.Date) >= 7 {
			month = a.Date[:7]
		}
		for _, c := range []struct {
			field string
			want  []string
		}{
			{FieldCounties, sorted(a.Counties)},
			{FieldTopics, sorted(a.Topics)},
			{FieldAuthors, sorted(a.Authors)},
			{FieldPaper, []string{a.Paper}}, // an unknown paper is the value "",
			{FieldKind, one(a.Kind)},
			{FieldMonth, one(month)},
			{FieldProvinces, sorted(engine.PlacesOf(&a).Provinces)},
			{FieldPrefectures, sorted(engine.PlacesOf(&a).Prefectures)},
			{FieldPlace, sorted(engine.PlacesOf(&a).Codes)},
			{FieldPlaceTopic, sorted(engine.PlaceTopics(&a, engine.PlacesOf(&a)))},
		} {
			if got := values(c.field); !slices.Equal(got, c.want) {
				t.Errorf("doc %d (%s) %s = %q, record has %q", d, a.ID, c.field, got, c.want)
			}
		}
		if got := cols.ID.Values[cols.ID.First(d)]; got != a.ID {
			t.Errorf("doc %d id = %q, record has %q", d, got, a.ID)
		}
		if doc, ok := cols.Doc(a.ID); !ok || doc != d {
			t.Errorf("Doc(%q) = %d, %v; want %d", a.ID, doc, ok, d)
		}
		wantDate := int64(NoDate)
		if date, err := time.Parse("2006-01-02", a.Date); err == nil {
			wantDate = date.UnixNano()
		}
		if cols.Date[d] != wantDate {
			t.Errorf("doc %d date = %v, record has %s", d, time.Unix(0, cols.Date[d]).UTC(), a.Date)
		}
	}
	if uint64(live) != n {
		t.Errorf("%d live documents (%d deleted), index counts %d", live, deleted, n)
	}
	if !slices.IsSorted(cols.ID.Values) || len(cols.ID.Values) != live {
		t.Errorf("%d ids for %d live documents, sorted %v", len(cols.ID.Values), live, slices.IsSorted(cols.ID.Values))
	}
	if _, ok := cols.Doc("no/such/article"); ok {
		t.Errorf("Doc of an unknown id found a document")
	}
	if o := cols.IDOrdinalAfter(cols.ID.Values[3]); o != 4 {
		t.Errorf("IDOrdinalAfter(the 4th id) = %d, want 4", o)
	}
}

func TestMatchAgreesWithBleve(t *testing.T) {
	idx := columnsIndex(t)
	county := bleve.NewTermQuery("梨树县")
	county.SetField(FieldCounties)
	for _, q := range []query.Query{
		TextQuery("经济", ScopeAll),
		TextQuery("高质量发展", ScopeAll),
		ExactQuery("人类命运共同体", ScopeAll),
		ExactQuery("中", ScopeAll),
		TextQuery("黑土地 保护", ScopeHead),
		county,
	} {
		req := bleve.NewSearchRequestOptions(q, 100000, 0, false)
		res, err := idx.searchBleve(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]float64{}
		for _, h := range res.Hits {
			want[h.ID] = h.Score
		}
		// One part, and several: each part's searcher starts at its range.
		for _, parts := range []int{1, 3} {
			idx.MatchParts = parts
			var mu sync.Mutex
			got := map[string]float64{}
			last := slices.Repeat([]int64{-1}, parts)
			inOrder := true
			err = idx.Match(context.Background(), q, true, func(part int, d uint32, score float64) {
				mu.Lock()
				defer mu.Unlock()
				got[idx.Columns().ID.Values[idx.Columns().ID.First(d)]] = score
				inOrder = inOrder && int64(d) > last[part]
				last[part] = int64(d)
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) || len(want) == 0 || !inOrder {
				t.Errorf("%v, %d parts: Match found %d articles, Bleve %d; in document order: %v", q, parts, len(got), len(want), inOrder)
				continue
			}
			for id, s := range want {
				if g, ok := got[id]; !ok || math.Abs(g-s) > 1e-9*math.Max(1, s) {
					t.Errorf("%v, %d parts: %s scores %v, Bleve %v", q, parts, id, g, s)
					break
				}
			}
		}
	}
	// The one-character runs (中) were answered from the prefix cache after
	// the first part count: the comparisons above cover both paths.
	if _, ok := idx.snap.prefixes.entries.Load(FieldBodyBigram + "\x00中"); !ok {
		t.Errorf("the prefix cache holds no entry for 中 in %s", FieldBodyBigram)
	}
	var all atomic.Int64
	if err := idx.Match(context.Background(), nil, false, func(int, uint32, float64) { all.Add(1) }); err != nil {
		t.Fatal(err)
	}
	if n, _ := idx.DocCount(); uint64(all.Load()) != n {
		t.Errorf("Match(nil) visited %d documents, index holds %d", all.Load(), n)
	}
}

// TestStatsCountRecords checks the counts of Index.Stats against the
// stored records.
func TestStatsCountRecords(t *testing.T) {
	idx := columnsIndex(t)
	st, err := idx.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]int{"county": {}, "topic": {}, "paper": {}}
	first, last := "", ""
	cols := idx.Columns()
	for d := range cols.Docs {
		if !cols.Live(d) {
			continue
		}
		a, err := idx.RecordAt(d)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range slices.Compact(slices.Sorted(slices.Values(a.Counties))) {
			want["county"][c]++
		}
		for _, c := range slices.Compact(slices.Sorted(slices.Values(a.Topics))) {
			want["topic"][c]++
		}
		if a.Paper != "" {
			want["paper"][a.Paper]++
		}
		if a.Date != "" && (first == "" || a.Date < first) {
			first = a.Date
		}
		last = max(last, a.Date)
	}
	for name, got := range map[string][]Count{"county": st.Counties, "topic": st.Topics, "paper": st.Papers} {
		m := map[string]int{}
		for i, c := range got {
			m[c.Value] = c.Count
			if i > 0 && got[i-1].Count < c.Count {
				t.Errorf("%s counts not largest first: %v", name, got)
			}
		}
		if !maps.Equal(m, want[name]) || len(m) == 0 {
			t.Errorf("%s counts = %v, records give %v", name, m, want[name])
		}
	}
	if st.FirstDate != first || st.LastDate != last || uint64(len(cols.ID.Values)) != st.Articles {
		t.Errorf("stats: %s to %s, %d articles; records: %s to %s, %d", st.FirstDate, st.LastDate, st.Articles, first, last, len(cols.ID.Values))
	}
}

// TestSortByID checks the id order of the id column against the strings'
// own, with ids sharing long prefixes and shorter than the key.
func TestSortByID(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 12))
	ids := make([]string, 5000)
	keys := make([]idKey, len(ids))
	for d := range ids {
		b := make([]byte, rng.IntN(13))
		for i := range b {
			b[i] = "ab\x00\xff"[rng.IntN(4)]
		}
		ids[d] = string(b)
		keys[d] = newIDKey(ids[d], uint32(d))
	}
	sortByID(keys, ids)
	want := slices.Clone(ids)
	slices.Sort(want)
	for i, k := range keys {
		if ids[k.doc] != want[i] {
			t.Fatalf("position %d: %q, want %q", i, ids[k.doc], want[i])
		}
	}
}
