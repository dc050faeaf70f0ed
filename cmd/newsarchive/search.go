package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"newsarchive/archive"
	"newsarchive/corpus"
	"newsarchive/index"
	"newsarchive/search"
	"newsarchive/serving"
	"newsarchive/web"
)

func newSearchCmd() *cobra.Command {
	var (
		indexDir string
		req      search.Request
		asJSON   bool
		tf       taggerFlags
		ef       engineFlags
	)
	cmd := &cobra.Command{
		Use:   "search (--index PATH | --engine opensearch [--opensearch-url URLS]) [--province P]... [--prefecture P]... [--county C]... [--topic T]... [--author A]... [--paper P]... [--from DATE] [--to DATE] [--sort ORDER] [--page N] [--size N] [--json] QUERY",
		Short: "Search the index, for maintainers checking it",
		Args:  wrapArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := ef.engine()
			if err != nil {
				return err
			}
			if err := needIndex(eng, indexDir); err != nil {
				return err
			}
			if len(args) == 1 {
				req.Query = args[0]
			}
			tagger, err := tf.tagger()
			if err != nil {
				return err
			}
			if err := initAnalysis(tagger); err != nil {
				return err
			}
			lease, done, err := openLease(cmd, eng, indexDir, tagger)
			if err != nil {
				return err
			}
			defer done()
			res, err := lease.Searcher.Search(cmd.Context(), req)
			if err != nil {
				if errors.Is(err, search.ErrBadRequest) {
					return usageError(err)
				}
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				var buf bytes.Buffer
				if err := web.EncodeJSON(&buf, res); err != nil {
					return err
				}
				_, err := out.Write(buf.Bytes())
				return err
			}
			fmt.Fprintf(out, "%d articles\n", res.Total)
			for i, h := range res.Hits {
				title := strings.TrimSpace(h.Kicker + " " + h.Title)
				if title == "" {
					title = "(" + h.Kind + ")"
				}
				fmt.Fprintf(out, "%2d. %s  %s  %s  [%s/%s]  %.3f\n", i+1, h.Date, h.ID, title, h.County, h.Topic, h.Score)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&indexDir, "index", "", "index directory `PATH`")
	f.StringArrayVar(&req.Provinces, "province", nil, "only articles about this province or a place in it, by code or name (repeatable: any of them)")
	f.StringArrayVar(&req.Prefectures, "prefecture", nil, "only articles about this prefecture or a place in it, by code or name (repeatable: any of them)")
	f.StringArrayVar(&req.Counties, "county", nil, "only articles about this county-level unit, by code or name (repeatable: any of them)")
	f.StringArrayVar(&req.Topics, "topic", nil, "only articles on this topic (repeatable: any of them)")
	f.StringVar(&req.From, "from", "", "only articles dated on or after `DATE` (YYYY-MM-DD)")
	f.StringVar(&req.To, "to", "", "only articles dated on or before `DATE` (YYYY-MM-DD)")
	f.StringArrayVar(&req.Authors, "author", nil, "only articles by this author (repeatable: any of them)")
	f.StringArrayVar(&req.Papers, "paper", nil, "only articles of this paper (repeatable: any of them)")
	f.StringVar(&req.Sort, "sort", "relevance", "order: relevance, date (newest first) or -date (oldest first)")
	f.IntVar(&req.Page, "page", 1, "page of hits, from 1")
	f.IntVar(&req.Size, "size", search.DefaultSize, "hits per page")
	f.StringVar(&req.After, "after", "", "start after this cursor (a previous result's next)")
	f.BoolVar(&asJSON, "json", false, "print the result as JSON")
	tf.register(cmd)
	ef.register(cmd)
	return cmd
}

func newStatsCmd() *cobra.Command {
	var indexDir string
	var asJSON bool
	var ef engineFlags
	cmd := &cobra.Command{
		Use:   "stats (--index PATH | --engine opensearch [--opensearch-url URLS])",
		Short: "Describe the index: articles, files, size, counts per county and topic, dates",
		Args:  wrapArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, err := ef.engine()
			if err != nil {
				return err
			}
			if err := needIndex(eng, indexDir); err != nil {
				return err
			}
			lease, done, err := openLease(cmd, eng, indexDir, nil)
			if err != nil {
				return err
			}
			defer done()
			st, err := lease.Searcher.Stats(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(out).Encode(st)
			}
			fmt.Fprintf(out, "engine: %s\ngeneration: %s\narticles: %d\nfiles: %d\nsize on disk: %.1f MB\ndates: %s .. %s\n",
				lease.Searcher.Engine.Info().Engine, st.Generation, st.Articles, st.Files, float64(st.SizeBytes)/1e6, st.FirstDate, st.LastDate)
			for _, g := range []struct {
				name   string
				counts []index.Count
			}{{"counties", st.Counties}, {"topics", st.Topics}, {"papers", st.Papers}} {
				fmt.Fprintf(out, "%s:\n", g.name)
				for _, c := range g.counts {
					fmt.Fprintf(out, "  %-16s %d\n", c.Value, c.Count)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&indexDir, "index", "", "index directory `PATH`")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	ef.register(cmd)
	return cmd
}

// openLease opens the index for one command: the generation CURRENT names,
// or when it is damaged the newest intact one, said on standard error; on
// a cluster, the generation behind the alias.
func openLease(cmd *cobra.Command, eng archive.Engine, dir string, tagger *corpus.Tagger) (*serving.Lease, func(), error) {
	log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	src, err := archive.OpenSource(cmd.Context(), eng, serving.Options{Dir: dir, Tagger: tagger, Logger: log, SkipFullCheck: true})
	if err != nil {
		return nil, nil, usageError(err)
	}
	lease, err := src.Acquire()
	if err != nil {
		src.Close()
		return nil, nil, usageError(err)
	}
	return lease, func() { lease.Release(); src.Close() }, nil
}
