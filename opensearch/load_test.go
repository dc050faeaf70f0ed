package opensearch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"newsarchive/corpus"
)

// articles returns n synthetic articles whose body holds marker, with
// ids prefix-0 … prefix-(n-1).
func articles(prefix, marker string, n int) []corpus.Article {
	counties := []string{"伊通满族自治县", "梨树县", "双辽市"}
	var out []corpus.Article
	for i := range n {
		out = append(out, corpus.Article{
			ID: fmt.Sprintf("%s-%04d", prefix, i), Source: prefix + ".txt", Ordinal: i + 1, Kind: corpus.KindArticle,
			Paper: "四平日报", Date: fmt.Sprintf("2023-%02d-%02d", i%12+1, i%28+1), Page: "1",
			Title: fmt.Sprintf("标题%d", i), Body: fmt.Sprintf("第%d段：%s。二〇二三年", i, marker),
			Counties: []string{counties[i%3]}, County: counties[i%3], Topics: []string{"农业"}, Topic: "农业",
			Authors: []string{"孙月秋"},
		})
	}
	return out
}

func load(t *testing.T, c *Client, opts LoadOptions, arts []corpus.Article) LoadSummary {
	t.Helper()
	ctx := context.Background()
	l, err := c.NewLoad(ctx, opts)
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
	return sum
}

func TestClusterLoadAndRead(t *testing.T) {
	c := testClient(t)
	ctx := context.Background()
	arts := articles("a", "满族文化", 300)
	// Small batches: the load goes through several bulk requests.
	sum := load(t, c, LoadOptions{BatchBytes: 16 << 10}, arts)
	if sum.Articles != 300 || sum.Batches < 5 || sum.Previous != "" {
		t.Errorf("summary %+v", sum)
	}
	cur, err := c.Current(ctx)
	if err != nil || cur != sum.Generation {
		t.Fatalf("current %q %v, want %s", cur, err, sum.Generation)
	}
	for _, tc := range []struct {
		q    Query
		want int64
	}{
		{Query{}, 300},
		{Query{Exact: []string{"满族文化"}}, 300},
		{Query{Exact: []string{"滿族"}}, 300}, // traditional
		{Query{Exact: []string{"〇"}}, 300},  // U+3007
		{Query{Exact: []string{"二〇二三"}}, 300},
		{Query{Exact: []string{"段满族"}}, 0},    // across the colon
		{Query{Exact: []string{"段，满族"}}, 300}, // punctuation cuts runs
		{Query{Exact: []string{"标题1"}}, 111},  // 1, 10-19, 100-199
		{Query{Exact: []string{"标题1"}, Scope: ScopeHead}, 111},
		{Query{Exact: []string{"满族"}, Scope: ScopeHead}, 0},
		{Query{Filter: Filter{Counties: []string{"梨树县"}}}, 100},
		{Query{Filter: Filter{Counties: []string{"梨树县", "双辽市"}}}, 200},
		{Query{Filter: Filter{From: "2023-01-01", To: "2023-01-31"}}, 25},
		{Query{Filter: Filter{Papers: []string{"四平日报"}, Authors: []string{"孙月秋"}, Topics: []string{"农业"}}}, 300},
	} {
		n, err := c.Count(ctx, tc.q)
		if err != nil {
			t.Fatalf("%+v: %v", tc.q, err)
		}
		if n != tc.want {
			t.Errorf("count %+v = %d, want %d", tc.q, n, tc.want)
		}
	}
	if _, err := c.Count(ctx, Query{Exact: []string{"Ⅻ"}}); !errors.Is(err, ErrNoSearchable) {
		t.Errorf("Ⅻ: %v", err)
	}
	// Facets: exact counts.
	f, err := c.Facets(ctx, Query{Exact: []string{"满族"}}, "counties", "month", "topic")
	if err != nil {
		t.Fatal(err)
	}
	if want := []FacetValue{{"伊通满族自治县", 100}, {"双辽市", 100}, {"梨树县", 100}}; !slices.Equal(f["counties"], want) {
		t.Errorf("counties %v", f["counties"])
	}
	if len(f["month"]) != 12 || f["month"][0].Count != 25 {
		t.Errorf("month %v", f["month"])
	}
	// Records by id, with their fields.
	recs, err := c.Records(ctx, "a-0007", "nope", "a-0003")
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].ID != "a-0007" || recs[1].Body != arts[3].Body || !slices.Equal(recs[1].Counties, arts[3].Counties) {
		t.Errorf("records %+v", recs)
	}
	if _, err := c.Record(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Record(nope): %v", err)
	}
	// Pages by date with cursors: every article once, in date order.
	for _, s := range []Sort{SortNewest, SortOldest, SortRelevance} {
		var got []corpus.Article
		after := ""
		for page := 0; ; page++ {
			res, err := c.Search(ctx, SearchRequest{Query: Query{Exact: []string{"满族"}, Words: "文化"}, Sort: s, Size: 64, After: after})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != 300 {
				t.Errorf("sort %d page %d: total %d", s, page, res.Total)
			}
			for _, h := range res.Hits {
				got = append(got, h.Article)
			}
			if res.Next == "" {
				break
			}
			after = res.Next
		}
		if len(got) != 300 {
			t.Fatalf("sort %d: %d hits over the pages", s, len(got))
		}
		seen := map[string]bool{}
		for i, a := range got {
			if seen[a.ID] {
				t.Errorf("sort %d: %s twice", s, a.ID)
			}
			seen[a.ID] = true
			if i > 0 && (s == SortNewest && a.Date > got[i-1].Date || s == SortOldest && a.Date < got[i-1].Date) {
				t.Errorf("sort %d: %s (%s) after %s (%s)", s, a.ID, a.Date, got[i-1].ID, got[i-1].Date)
			}
		}
	}
}

// TestClusterGenerations loads three generations, the last without one
// article: it disappears; rollback goes back and forth; a refused
// article fails the load with its id, and a load that is never committed
// leaves the alias where it was; Prune keeps what it must.
func TestClusterGenerations(t *testing.T) {
	c := testClient(t)
	ctx := context.Background()
	count := func(q Query) int64 {
		t.Helper()
		n, err := c.Count(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	g1 := load(t, c, LoadOptions{Keep: -1}, articles("g", "第一代", 50))
	arts := articles("g", "第二代", 50)
	g2 := load(t, c, LoadOptions{Keep: -1}, arts)
	if g2.Previous != g1.Generation || count(Query{Exact: []string{"第二代"}}) != 50 || count(Query{Exact: []string{"第一代"}}) != 0 {
		t.Fatalf("after the second load: %+v", g2)
	}
	// Removed articles disappear with the next generation.
	g3 := load(t, c, LoadOptions{Keep: -1}, slices.Delete(slices.Clone(arts), 10, 11))
	if n := count(Query{}); n != 49 {
		t.Errorf("after removing one: %d articles", n)
	}
	if _, err := c.Record(ctx, "g-0010"); !errors.Is(err, ErrNotFound) {
		t.Errorf("removed article: %v", err)
	}
	// Rollback: to the one before, then by name.
	to, err := c.Rollback(ctx, "")
	if err != nil || to != g2.Generation || count(Query{}) != 50 {
		t.Fatalf("rollback: %s %v", to, err)
	}
	to, err = c.Rollback(ctx, "")
	if err != nil || to != g1.Generation || count(Query{Exact: []string{"第一代"}}) != 50 {
		t.Fatalf("second rollback: %s %v", to, err)
	}
	if _, err := c.Rollback(ctx, ""); !errors.Is(err, ErrNoGeneration) {
		t.Errorf("rollback before the first: %v", err)
	}
	if to, err = c.Rollback(ctx, g3.Generation); err != nil || to != g3.Generation || count(Query{}) != 49 {
		t.Fatalf("rollback to %s: %s %v", g3.Generation, to, err)
	}

	// A refused article (a date the mapping cannot parse) fails the
	// load, naming it; the alias stays.
	bad := articles("b", "坏", 30)
	bad[17].Date = "yesterday" // (a lenient parser takes 2023-13-45)
	l, err := c.NewLoad(ctx, LoadOptions{BatchBytes: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	var lerr error
	for i := range bad {
		if lerr = l.Add(ctx, &bad[i]); lerr != nil {
			break
		}
	}
	if lerr == nil {
		_, lerr = l.Commit(ctx)
	}
	var be *BulkError
	if !errors.As(lerr, &be) || len(be.Items) != 1 || be.Items[0].ID != "b-0017" || be.Items[0].Status != 400 {
		t.Fatalf("load with a bad date: %v", lerr)
	}
	t.Logf("refused: %v", lerr)
	if _, err := l.Commit(ctx); err == nil {
		t.Error("a failed load committed")
	}
	if cur, _ := c.Current(ctx); cur != g3.Generation || count(Query{}) != 49 {
		t.Errorf("after a failed load, current %s", cur)
	}
	if err := l.Abort(ctx); err != nil {
		t.Fatal(err)
	}
	// A load abandoned midway (as a killed process leaves it): the alias
	// stays, the generation is incomplete and cannot be rolled back to.
	l, err = c.NewLoad(ctx, LoadOptions{BatchBytes: 1 << 10})
	if err != nil {
		t.Fatal(err)
	}
	half := articles("h", "半", 40)
	for i := range half[:20] {
		if err := l.Add(ctx, &half[i]); err != nil {
			t.Fatal(err)
		}
	}
	if cur, _ := c.Current(ctx); cur != g3.Generation || count(Query{Exact: []string{"半"}}) != 0 {
		t.Errorf("during a load, current %s", cur)
	}
	if _, err := c.Rollback(ctx, l.Name()); err == nil {
		t.Error("rolled back to an incomplete generation")
	}
	gens, err := c.Generations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, g := range gens {
		names = append(names, g.Name)
		if g.Current != (g.Name == g3.Generation) || g.Complete != (g.Name != l.Name()) {
			t.Errorf("generation %+v", g)
		}
	}
	if want := []string{g1.Generation, g2.Generation, g3.Generation, l.Name()}; !slices.Equal(names, want) {
		t.Errorf("generations %v, want %v", names, want)
	}
	// Prune(1) keeps the current generation (the newest complete one), the
	// one before it (the rollback point) and the load that may still run.
	deleted, err := c.Prune(ctx, 1)
	if err != nil || !slices.Equal(deleted, []string{g1.Generation}) {
		t.Errorf("prune: %v %v", deleted, err)
	}
	// The next committed load prunes the abandoned one, now older than
	// the current generation.
	g4 := load(t, c, LoadOptions{Keep: 1}, articles("g", "第四代", 5))
	if want := []string{g2.Generation, l.Name()}; !slices.Equal(g4.Pruned, want) {
		t.Errorf("pruned %v, want %v (the abandoned load, now older than the current generation)", g4.Pruned, want)
	}
}

// TestClusterSwapIsAtomic has readers count while generations switch
// back and forth: each answer is one generation's, whole.
func TestClusterSwapIsAtomic(t *testing.T) {
	c := testClient(t)
	ctx := context.Background()
	a := load(t, c, LoadOptions{Keep: -1}, articles("s", "旧", 120))
	b := load(t, c, LoadOptions{Keep: -1}, articles("s", "新", 80))
	var stop atomic.Bool
	var wg sync.WaitGroup
	var answers, olds, news atomic.Int64
	errs := make(chan error, 8)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				total, o, n, err := swapCounts(ctx, c)
				if err != nil {
					errs <- err
					return
				}
				answers.Add(1)
				switch total {
				case 120:
					olds.Add(1)
				case 80:
					news.Add(1)
				default:
					errs <- fmt.Errorf("a reader counted %d articles: neither generation", total)
					return
				}
				if total == 120 && (o != 120 || n != 0) || total == 80 && (o != 0 || n != 80) {
					errs <- fmt.Errorf("a reader counted 旧 %d, 新 %d", o, n)
					return
				}
			}
		}()
	}
	start := time.Now()
	swaps := 0
	for time.Since(start) < 5*time.Second {
		to := a.Generation
		if swaps%2 == 1 {
			to = b.Generation
		}
		if _, err := c.Rollback(ctx, to); err != nil {
			t.Fatal(err)
		}
		swaps++
		time.Sleep(20 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d swaps, %d reader answers (%d old, %d new)", swaps, answers.Load(), olds.Load(), news.Load())
	if olds.Load() == 0 || news.Load() == 0 {
		t.Errorf("the readers saw only one generation")
	}
}

// swapCounts counts in one request all articles, those with 旧 and
// those with 新: one generation answers the three.
func swapCounts(ctx context.Context, c *Client) (total, old, new int64, err error) {
	o, _ := exactClause("旧", ScopeAll)
	n, _ := exactClause("新", ScopeAll)
	ans, err := c.search(ctx, map[string]any{"size": 0, "track_total_hits": true,
		"aggs": obj("f", obj("filters", obj("filters", map[string]any{"old": o, "new": n})))})
	if err != nil {
		return 0, 0, 0, err
	}
	var agg struct {
		Buckets map[string]struct {
			DocCount int64 `json:"doc_count"`
		} `json:"buckets"`
	}
	if err := json.Unmarshal(ans.Aggregations["f"], &agg); err != nil {
		return 0, 0, 0, err
	}
	return ans.Hits.Total.Value, agg.Buckets["old"].DocCount, agg.Buckets["new"].DocCount, nil
}

// TestClusterExportLoads loads what newsarchive export writes (Mapping
// and Writer's NDJSON) into the cluster by hand, as docs/scaling.md
// shows with curl, and searches it.
func TestClusterExportLoads(t *testing.T) {
	c := testClient(t)
	ctx := context.Background()
	name := c.genPrefix() + "export"
	if err := c.do(ctx, "PUT", "/"+name, Mapping(), nil); err != nil {
		t.Fatalf("PUT the exported mapping: %v", err)
	}
	var buf bytes.Buffer
	w := NewWriter(&buf, name)
	arts := articles("e", "臺灣〇", 40)
	for i := range arts {
		if err := w.Write(&arts[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	var ans bulkAnswer
	if err := c.do(ctx, "POST", "/_bulk?refresh=true", buf.Bytes(), &ans); err != nil || ans.Errors {
		t.Fatalf("bulk of the exported NDJSON: %v, errors %v", err, ans.Errors)
	}
	if err := c.switchTo(ctx, name); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"台湾〇", "〇", "湾", "臺灣"} {
		if n, err := c.Count(ctx, Query{Exact: []string{q}}); err != nil || n != 40 {
			t.Errorf("%s: %d (%v), want 40", q, n, err)
		}
	}
}
