package rankeval_test

import (
	"context"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"newsarchive/internal/rankeval"
	"newsarchive/search/searchtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	searchtest.Cleanup()
	os.Exit(code)
}

func TestSummarize(t *testing.T) {
	got := rankeval.Summarize([]int{1, 2, 0, 10})
	want := rankeval.Metrics{N: 4, MRR: (1 + 0.5 + 0.1) / 4, S1: 0.25, S10: 0.75}
	if got.N != want.N || math.Abs(got.MRR-want.MRR) > 1e-12 || got.S1 != want.S1 || got.S10 != want.S10 {
		t.Errorf("Summarize: %+v, want %+v", got, want)
	}
	if got := rankeval.Summarize(nil); got != (rankeval.Metrics{}) {
		t.Errorf("Summarize(nil): %+v", got)
	}
}

// smallConfig is the test's sample: 40 queries per kind and split from the
// fixture's 1,500 articles (every tenth xwlb file).
var smallConfig = rankeval.Config{N: 40, Seed: 16, HeldOutFrom: "2025-01-01"}

func TestQueriesAreDeterministicAndWellFormed(t *testing.T) {
	fx := searchtest.Get(t)
	a, err := rankeval.Queries(fx.Articles, smallConfig)
	if err != nil {
		t.Fatal(err)
	}
	b, err := rankeval.Queries(fx.Articles, smallConfig)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two draws with the same seed differ")
	}
	byID := map[string]int{}
	for i := range fx.Articles {
		byID[fx.Articles[i].ID] = i
	}
	count := map[string]int{}
	for _, q := range a {
		count[q.Split+"/"+q.Kind]++
		art := fx.Articles[byID[q.Target]]
		if (art.Date >= smallConfig.HeldOutFrom) != (q.Split == rankeval.HeldOut) {
			t.Errorf("%s dated %s is in split %s", q.Target, art.Date, q.Split)
		}
		switch q.Kind {
		case rankeval.Keywords2, rankeval.Keywords3:
			words := strings.Fields(q.Text)
			if want := map[string]int{rankeval.Keywords2: 2, rankeval.Keywords3: 3}[q.Kind]; len(words) != want {
				t.Errorf("%s query %q has %d words", q.Kind, q.Text, len(words))
			}
			for _, w := range words {
				if !strings.Contains(art.Body, w) {
					t.Errorf("keyword %q is not in the body of %s", w, q.Target)
				}
			}
		case rankeval.Title:
			if q.Text != strings.TrimSpace(art.Title) {
				t.Errorf("title query %q, title %q", q.Text, art.Title)
			}
			for i := range fx.Articles {
				if fx.Articles[i].ID != art.ID && strings.TrimSpace(fx.Articles[i].Title) == q.Text {
					t.Errorf("title query %q: %s has the same title", q.Text, fx.Articles[i].ID)
				}
			}
		case rankeval.Phrase:
			p := strings.Trim(q.Text, `"`)
			if n := utf8.RuneCountInString(p); n < 4 || n > 8 || q.Text != `"`+p+`"` || !strings.Contains(art.Body, p) {
				t.Errorf("phrase query %q (%d characters) for %s", q.Text, n, q.Target)
			}
		}
	}
	for _, split := range []string{rankeval.Dev, rankeval.HeldOut} {
		for _, kind := range rankeval.Kinds {
			if n := count[split+"/"+kind]; n != smallConfig.N {
				t.Errorf("%s %s: %d queries, want %d", split, kind, n, smallConfig.N)
			}
		}
	}
	// A different seed draws different articles.
	other := smallConfig
	other.Seed++
	c, err := rankeval.Queries(fx.Articles, other)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.DeepEqual(a, c) {
		t.Error("another seed draws the same sample")
	}
}

// TestArchiveNotBelowBaseline runs the evaluation at small scale: on the
// fixture's fixed sample the archive's MRR@10 is not below the cjk
// baseline's for any query kind (both splits together), and the
// engines find most targets (a broken engine scores near 0).
func TestArchiveNotBelowBaseline(t *testing.T) {
	fx := searchtest.Get(t)
	queries, err := rankeval.Queries(fx.Articles, smallConfig)
	if err != nil {
		t.Fatal(err)
	}
	cjk, err := rankeval.OpenCJK("", fx.Articles)
	if err != nil {
		t.Fatal(err)
	}
	defer cjk.Index.Close()
	archive := rankeval.ArchiveEngine{Searcher: fx.Searcher}
	ctx := context.Background()
	for _, kind := range rankeval.Kinds {
		var qs []rankeval.Query
		for _, q := range queries {
			if q.Kind == kind {
				qs = append(qs, q)
			}
		}
		ours, refused, err := rankeval.Ranks(ctx, archive, qs)
		if err != nil {
			t.Fatal(err)
		}
		base, _, err := rankeval.Ranks(ctx, cjk, qs)
		if err != nil {
			t.Fatal(err)
		}
		o, b := rankeval.Summarize(ours), rankeval.Summarize(base)
		t.Logf("%-6s n=%d archive MRR %.3f s@1 %.3f s@10 %.3f | cjk MRR %.3f s@1 %.3f s@10 %.3f", kind, o.N, o.MRR, o.S1, o.S10, b.MRR, b.S1, b.S10)
		for i, r := range refused {
			if r {
				t.Errorf("%s: the archive refused %q", kind, qs[i].Text)
			}
		}
		if o.MRR < b.MRR {
			t.Errorf("%s: archive MRR@10 %.3f below the cjk baseline's %.3f", kind, o.MRR, b.MRR)
		}
		if o.S10 < 0.7 {
			t.Errorf("%s: archive success@10 %.3f: the engine finds too few targets", kind, o.S10)
		}
	}
}
