// Package rankeval measures ranking by a known-item evaluation: for sampled
// articles, queries a user who remembers the article might type (its two
// or three best TF-IDF keywords, its title, a quoted phrase of its body);
// the article should come first, and at least within the first ten.
//
// Articles dated from HeldOutFrom on (the most recent year of the test
// corpus) are the held-out split, never used to choose ranking
// parameters; the earlier ones are the dev split. Sampling is
// deterministic: the same records and Config give the same queries.
//
// Engines answer the queries as typed: the archive through the search
// package (ArchiveEngine), the baseline through Bleve's built-in cjk
// analyzer over the same records (CJKEngine). docs/analysis.md,
// "Ranking", has the method, the command and the figures.
package rankeval

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode/utf8"

	"newsarchive/corpus"
	"newsarchive/corpus/textnorm"
	"newsarchive/index/analysis"
)

// Kinds of query, one per way a user remembers an article.
const (
	Keywords2 = "kw2"    // the two best TF-IDF keywords of the body
	Keywords3 = "kw3"    // the three best
	Title     = "title"  // the title as typed, unquoted (titles no other article has)
	Phrase    = "phrase" // a quoted substring of 4–8 characters of the body
)

// Kinds lists the query kinds in report order.
var Kinds = []string{Keywords2, Keywords3, Title, Phrase}

// Splits of the sample.
const (
	Dev     = "dev"      // articles before HeldOutFrom: for choosing parameters
	HeldOut = "held-out" // articles from HeldOutFrom on: for reporting only
)

// Depth is the cut-off of the metrics: a target found below it counts as
// not found.
const Depth = 10

// Config says which queries to draw.
type Config struct {
	// N is the number of queries per kind and split.
	N int
	// Seed fixes the sample.
	Seed uint64
	// HeldOutFrom is the first date (YYYY-MM-DD) of the held-out split.
	HeldOutFrom string
	// MinBodyRunes is the shortest body an article needs to be sampled
	// (default 60 characters).
	MinBodyRunes int
}

// DefaultConfig is the full-scale evaluation: about 500 queries per kind
// and split, held out from 2025 (xwlb's most recent year).
var DefaultConfig = Config{N: 500, Seed: 16, HeldOutFrom: "2025-01-01"}

// Query is one known-item query.
type Query struct {
	Split  string // Dev or HeldOut
	Kind   string // Keywords2, Keywords3, Title or Phrase
	Text   string // the query as typed
	Target string // the id of the article it should find
}

// Queries draws the sample from articles: per split, the eligible
// articles (kind article, a title, a body of MinBodyRunes or more) in an
// order shuffled with cfg.Seed, and per kind the first N of them that
// yield a query of that kind (a title query needs a title no other
// article of articles has).
func Queries(articles []corpus.Article, cfg Config) ([]Query, error) {
	if cfg.MinBodyRunes == 0 {
		cfg.MinBodyRunes = 60
	}
	if cfg.HeldOutFrom == "" {
		return nil, fmt.Errorf("rankeval: no held-out date")
	}
	// A title names one article only when no other has it: a recurring
	// title (国际联播快讯, every day) cannot find a given day's item, for
	// any engine, so it makes no title query.
	titles := map[string]int{}
	for i := range articles {
		titles[textnorm.String(strings.TrimSpace(articles[i].Title))]++
	}
	bySplit := map[string][]*corpus.Article{}
	for i := range articles {
		a := &articles[i]
		if a.Kind != "article" || a.Date == "" || strings.TrimSpace(a.Title) == "" || utf8.RuneCountInString(a.Body) < cfg.MinBodyRunes {
			continue
		}
		split := Dev
		if a.Date >= cfg.HeldOutFrom {
			split = HeldOut
		}
		bySplit[split] = append(bySplit[split], a)
	}
	var out []Query
	for _, split := range []string{Dev, HeldOut} {
		pool := bySplit[split]
		slices.SortFunc(pool, func(a, b *corpus.Article) int { return cmp.Compare(a.ID, b.ID) })
		h := fnv.New64a()
		h.Write([]byte(split))
		rng := rand.New(rand.NewPCG(cfg.Seed, h.Sum64()))
		rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
		count := map[string]int{}
		for _, a := range pool {
			if count[Keywords2] >= cfg.N && count[Keywords3] >= cfg.N && count[Title] >= cfg.N && count[Phrase] >= cfg.N {
				break
			}
			kws, err := analysis.Keywords(a.Body, 3)
			if err != nil {
				return nil, fmt.Errorf("rankeval: keywords of %s: %w", a.ID, err)
			}
			add := func(kind, text string) {
				if text != "" && count[kind] < cfg.N {
					count[kind]++
					out = append(out, Query{Split: split, Kind: kind, Text: text, Target: a.ID})
				}
			}
			if len(kws) >= 2 {
				add(Keywords2, strings.Join(kws[:2], " "))
			}
			if len(kws) >= 3 {
				add(Keywords3, strings.Join(kws[:3], " "))
			}
			if title := strings.TrimSpace(a.Title); titles[textnorm.String(title)] == 1 {
				add(Title, title)
			}
			// The phrase is drawn whether or not it is used, so that the
			// other kinds' sample does not depend on N.
			if p := phrase(a.Body, rng); p != "" {
				add(Phrase, `"`+p+`"`)
			}
		}
	}
	return out, nil
}

// phrase returns a substring of body of 4 to 8 searchable characters
// (letters, digits, Han; no punctuation or space inside), its length and
// place drawn from rng, or "" when the body has no run of four.
func phrase(body string, rng *rand.Rand) string {
	rs := []rune(body)
	want := 4 + rng.IntN(5)
	// runs of searchable characters, as [start, end) rune offsets
	var runs [][2]int
	for i := 0; i < len(rs); {
		if !analysis.Searchable(textnorm.Rune(rs[i])) {
			i++
			continue
		}
		j := i
		for j < len(rs) && analysis.Searchable(textnorm.Rune(rs[j])) {
			j++
		}
		runs = append(runs, [2]int{i, j})
		i = j
	}
	for n := want; n >= 4; n-- {
		var starts []int
		for _, r := range runs {
			for s := r[0]; s+n <= r[1]; s++ {
				starts = append(starts, s)
			}
		}
		if len(starts) > 0 {
			s := starts[rng.IntN(len(starts))]
			return string(rs[s : s+n])
		}
	}
	return ""
}

// Engine answers a query as typed with the ids of its first hits, best
// first.
type Engine interface {
	// Name names the engine in reports.
	Name() string
	// Top returns the ids of the first k hits of q.
	Top(ctx context.Context, q string, k int) ([]string, error)
}

// Metrics are one engine's figures over one set of queries.
type Metrics struct {
	N      int     // queries
	Errors int     // queries the engine refused (counted as not found)
	MRR    float64 // mean reciprocal rank of the target, 0 below Depth
	S1     float64 // share of queries with the target first
	S10    float64 // share with the target in the first Depth
}

// Result is the Metrics of one engine on one split and kind.
type Result struct {
	Split, Kind, Engine string
	Metrics
}

// Ranks runs every query on e and returns the target's 1-based rank per
// query (0: not in the first Depth, or refused) and whether the engine
// refused it.
func Ranks(ctx context.Context, e Engine, queries []Query) (ranks []int, refused []bool, err error) {
	ranks = make([]int, len(queries))
	refused = make([]bool, len(queries))
	for i, q := range queries {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		ids, qerr := e.Top(ctx, q.Text, Depth)
		if qerr != nil {
			if ctx.Err() != nil {
				return nil, nil, ctx.Err()
			}
			refused[i] = true
			continue
		}
		if k := slices.Index(ids, q.Target); k >= 0 {
			ranks[i] = k + 1
		}
	}
	return ranks, refused, nil
}

// Summarize turns the ranks of a set of queries into Metrics.
func Summarize(ranks []int) Metrics {
	m := Metrics{N: len(ranks)}
	if m.N == 0 {
		return m
	}
	for _, r := range ranks {
		if r == 0 {
			continue
		}
		m.MRR += 1 / float64(r)
		m.S10++
		if r == 1 {
			m.S1++
		}
	}
	n := float64(m.N)
	m.MRR, m.S1, m.S10 = m.MRR/n, m.S1/n, m.S10/n
	return m
}

// Evaluate runs the queries on every engine and returns a Result per
// split, kind and engine, in the order of Kinds and engines.
func Evaluate(ctx context.Context, engines []Engine, queries []Query) ([]Result, error) {
	var out []Result
	for _, e := range engines {
		ranks, refused, err := Ranks(ctx, e, queries)
		if err != nil {
			return nil, fmt.Errorf("rankeval: %s: %w", e.Name(), err)
		}
		for _, split := range []string{Dev, HeldOut} {
			for _, kind := range Kinds {
				var rs []int
				errs := 0
				for i, q := range queries {
					if q.Split == split && q.Kind == kind {
						rs = append(rs, ranks[i])
						if refused[i] {
							errs++
						}
					}
				}
				if len(rs) == 0 {
					continue
				}
				m := Summarize(rs)
				m.Errors = errs
				out = append(out, Result{Split: split, Kind: kind, Engine: e.Name(), Metrics: m})
			}
		}
	}
	return out, nil
}

// Find returns the Result of an engine on a split and kind.
func Find(results []Result, split, kind, engine string) (Result, bool) {
	for _, r := range results {
		if r.Split == split && r.Kind == kind && r.Engine == engine {
			return r, true
		}
	}
	return Result{}, false
}

// WriteTable writes the results as a Markdown table, one row per split
// and kind, the engines side by side.
func WriteTable(w io.Writer, results []Result) error {
	var engines []string
	for _, r := range results {
		if !slices.Contains(engines, r.Engine) {
			engines = append(engines, r.Engine)
		}
	}
	var b strings.Builder
	b.WriteString("| split | query | n |")
	for _, e := range engines {
		fmt.Fprintf(&b, " %s MRR@10 | %s s@1 | %s s@10 |", e, e, e)
	}
	b.WriteString("\n|---|---|---|")
	for range engines {
		b.WriteString("---|---|---|")
	}
	b.WriteString("\n")
	for _, split := range []string{Dev, HeldOut} {
		for _, kind := range Kinds {
			first, ok := Find(results, split, kind, engines[0])
			if !ok {
				continue
			}
			fmt.Fprintf(&b, "| %s | %s | %d |", split, kind, first.N)
			for _, e := range engines {
				r, _ := Find(results, split, kind, e)
				fmt.Fprintf(&b, " %.3f | %.3f | %.3f |", r.MRR, r.S1, r.S10)
			}
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
