// Command rankeval runs the known-item ranking evaluation at full scale
// (internal/rankeval): it indexes a corpus with the archive (a real
// on-disk index) and with the Bleve cjk baseline, draws the queries and
// prints MRR@10, success@1 and success@10 per split and query kind.
//
//	go run ./cmd/rankeval [--corpus DIR] [--work DIR] [--n 500] [--seed 16] [--held-out-from 2025-01-01] [--split dev|held-out] [--json] [--engines archive,cjk]
//
// The indexes are kept in --work and reused when they are up to date (the
// archive's by index.Update, the baseline's when it holds as many
// records), so that a change of query-time ranking is measured in about a
// minute.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"newsarchive/corpus"
	"newsarchive/index"
	"newsarchive/index/analysis"
	"newsarchive/internal/rankeval"
	"newsarchive/search"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "rankeval:", err)
		os.Exit(1)
	}
}

func defaultCorpus() string {
	if d := os.Getenv("NEWSARCHIVE_SHARED"); d != "" {
		return filepath.Join(d, "testdata", "xwlb")
	}
	return filepath.Join("..", "shared", "testdata", "xwlb")
}

func run() error {
	cfg := rankeval.DefaultConfig
	corpusDir := flag.String("corpus", defaultCorpus(), "bulletin files to index (all of xwlb by default)")
	work := flag.String("work", filepath.Join(os.TempDir(), "newsarchive-rankeval"), "directory for the two indexes (reused)")
	flag.IntVar(&cfg.N, "n", cfg.N, "queries per kind and split")
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "sampling seed")
	flag.StringVar(&cfg.HeldOutFrom, "held-out-from", cfg.HeldOutFrom, "first date of the held-out split")
	asJSON := flag.Bool("json", false, "print the results as JSON")
	engines := flag.String("engines", "archive,cjk", "engines to run, comma-separated")
	split := flag.String("split", "", "evaluate only this split (dev or held-out; both by default): tune with --split dev")
	rk := index.DefaultRanking
	flag.Float64Var(&rk.HeadBoost, "head-boost", rk.HeadBoost, "ranking experiment: weight of a head match (body: 1)")
	flag.Float64Var(&rk.ExactHeadBoost, "exact-head-boost", rk.ExactHeadBoost, "ranking experiment: weight of an exact run in the head (body: 1)")
	flag.BoolVar(&rk.ExactByLength, "exact-by-length", rk.ExactByLength, "ranking experiment: weigh exact runs by their length")
	flag.Float64Var(&rk.PhraseWords, "phrase-words", rk.PhraseWords, "ranking experiment: weight of the words' BM25 in a quoted string")
	flag.Float64Var(&rk.ExactWeight, "exact-weight", rk.ExactWeight, "ranking experiment: weight of the exact path in a bare term")
	flag.BoolVar(&rk.RawTF, "raw-tf", rk.RawTF, "ranking experiment: BM25 on a word's frequency (false: its square root)")
	flag.Float64Var(&rk.IDFPower, "idf-power", rk.IDFPower, "ranking experiment: power of a word's idf in its score")
	flag.Float64Var(&rk.K1, "k1", rk.K1, "ranking experiment: BM25 k1")
	flag.Float64Var(&rk.B, "b", rk.B, "ranking experiment: BM25 b")
	misses := flag.String("misses", "", "print to standard error the queries of this kind (kw2, kw3, title, phrase) the first engine misses in the first 10 and the second finds")
	flag.Parse()
	index.SetRanking(rk)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	tagger, err := corpus.DefaultTagger()
	if err != nil {
		return err
	}
	if err := analysis.Init(tagger.Gazetteer.PlaceNames()); err != nil {
		return fmt.Errorf("load segmenter: %w", err)
	}
	dir := filepath.Join(*work, "archive")
	start := time.Now()
	sum, err := index.Update(ctx, index.Options{Corpus: *corpusDir, Dir: dir, Parser: corpus.NewParser(tagger), AllowDeletions: true})
	if err != nil {
		return fmt.Errorf("index %s: %w", *corpusDir, err)
	}
	fmt.Fprintf(os.Stderr, "archive index %s: %d articles, nothing changed: %v (%.1f s)\n", dir, sum.Articles, sum.NothingChanged, time.Since(start).Seconds())
	idx, err := index.Open(dir)
	if err != nil {
		return err
	}
	defer idx.Close()
	records, err := rankeval.Records(ctx, idx)
	if err != nil {
		return err
	}
	var es []rankeval.Engine
	for _, name := range strings.Split(*engines, ",") {
		switch name {
		case "archive":
			es = append(es, rankeval.ArchiveEngine{Searcher: &search.Searcher{Engine: idx, Tagger: tagger}})
		case "cjk":
			start := time.Now()
			c, err := rankeval.OpenCJK(filepath.Join(*work, "cjk"), records)
			if err != nil {
				return err
			}
			defer c.Index.Close()
			fmt.Fprintf(os.Stderr, "cjk index ready (%.1f s)\n", time.Since(start).Seconds())
			es = append(es, c)
		default:
			return fmt.Errorf("unknown engine %q", name)
		}
	}
	start = time.Now()
	queries, err := rankeval.Queries(records, cfg)
	if err != nil {
		return err
	}
	switch *split {
	case "":
	case rankeval.Dev, rankeval.HeldOut:
		queries = slices.DeleteFunc(queries, func(q rankeval.Query) bool { return q.Split != *split })
	default:
		return fmt.Errorf("unknown split %q (dev or held-out)", *split)
	}
	fmt.Fprintf(os.Stderr, "%d queries from %d records (%.1f s)\n", len(queries), len(records), time.Since(start).Seconds())
	start = time.Now()
	results, err := rankeval.Evaluate(ctx, es, queries)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "evaluated in %.1f s\n", time.Since(start).Seconds())
	if *misses != "" && len(es) >= 2 {
		if err := printMisses(ctx, es[0], es[1], queries, *misses); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	return rankeval.WriteTable(os.Stdout, results)
}

// printMisses prints the dev queries of kind that a misses and b finds,
// with the ranks of each engine, for reading why.
func printMisses(ctx context.Context, a, b rankeval.Engine, queries []rankeval.Query, kind string) error {
	var qs []rankeval.Query
	for _, q := range queries {
		if q.Kind == kind && q.Split == rankeval.Dev {
			qs = append(qs, q)
		}
	}
	ra, _, err := rankeval.Ranks(ctx, a, qs)
	if err != nil {
		return err
	}
	rb, _, err := rankeval.Ranks(ctx, b, qs)
	if err != nil {
		return err
	}
	for i, q := range qs {
		if ra[i] != rb[i] && (ra[i] == 0 || rb[i] != 0 && rb[i] < ra[i]) {
			fmt.Fprintf(os.Stderr, "%s\t%s %d\t%s %d\t%s\n", q.Text, a.Name(), ra[i], b.Name(), rb[i], q.Target)
		}
	}
	return nil
}
