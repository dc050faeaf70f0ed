package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"newsarchive/corpus"
	"newsarchive/corpus/places"
)

func newPlacesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "places",
		Short: "Look up places and evaluate place tagging",
	}
	cmd.AddCommand(newPlacesLookupCmd(), newPlacesEvalCmd())
	return cmd
}

func newPlacesLookupCmd() *cobra.Command {
	var tf taggerFlags
	cmd := &cobra.Command{
		Use:   "lookup NAME|CODE...",
		Short: "Print the places a name or code stands for (what the county, prefecture, province and place: filters accept)",
		Long: `Lookup prints, for each argument, every province, prefecture and
county-level unit it can stand for, one per line: code, level, display
name, prefecture, province. A name shared by several units prints them all
(the search filters answer 400 for it and list them). Exit status 1 when
some argument names no place.`,
		Args: wrapArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := tf.tagger()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			missing := 0
			for _, a := range args {
				ps := t.LookupPlace(a, "")
				if len(ps) == 0 {
					fmt.Fprintf(cmd.ErrOrStderr(), "%s: no place of that name or code\n", a)
					missing++
				}
				for _, p := range ps {
					fmt.Fprintf(out, "%s\t%s\t%s\t%s\t%s\t%s\n", a, p.Code, p.Level, p.Display, p.Prefecture, p.Province)
				}
			}
			if missing > 0 {
				return &exitError{code: exitPartial, err: fmt.Errorf("%d of %d names found no place", missing, len(args))}
			}
			return nil
		},
	}
	tf.register(cmd)
	return cmd
}

func newPlacesEvalCmd() *cobra.Command {
	var (
		tf      taggerFlags
		asJSON  bool
		workers int
	)
	cmd := &cobra.Command{
		Use:   "eval PATH...",
		Short: "Measure place tagging on bulletin files: recall, precision, trap words",
		Long: `Eval parses the files as "parse" does and measures the county-level
place tags against checks made from the raw text and the gazetteer alone
(docs/tagging.md, "Evaluation"):

  recall     units named right after their prefecture or province
             (浙江安吉, 吉林省四平市梨树县) that were tagged (target 95%)
  precision  county-level tags the text supports: a unique official name,
             or a name of the unit or its township together with its
             parent's name (target 97%)
  traps      tags resting on 和平, 新华, 长安, 东方, 朝阳, 安宁, 永定, 城区,
             郊区 or 开发区 (target 0)

It prints the figures, then the misses and unsupported tags to review.
Exit status 0 when the targets are met, 1 when not, 2 on usage errors.`,
		Args: wrapArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := tf.tagger()
			if err != nil {
				return err
			}
			files, err := corpus.FindFiles(args...)
			if err != nil {
				return usageError(err)
			}
			var items []places.EvalItem
			err = corpus.NewParser(t).ParseFiles(cmd.Context(), files, workers, func(res corpus.FileResult) error {
				for i := range res.Items {
					items = append(items, corpus.EvalItem(&res.Items[i]))
				}
				return nil
			})
			if err != nil {
				return usageError(err)
			}
			r := places.Evaluate(t.Places, items)
			out := cmd.OutOrStdout()
			ok, why := r.Met()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				if err := enc.Encode(evalJSON{r, r.Recall(), r.LooseRecall(), r.Precision(), ok}); err != nil {
					return fmt.Errorf("write report: %w", err)
				}
			} else {
				fmt.Fprintf(out, "items            %d (%d with a county-level place, %d county-level places)\n", r.Items, r.ItemsTagged, r.CountyTags)
				fmt.Fprintf(out, "recall           %d of %d = %.1f%% (target %d%%)\n", r.RecallHit, r.RecallGold, r.Recall(), places.TargetRecall)
				fmt.Fprintf(out, "recall, loose    %d of %d = %.1f%%\n", r.LooseHit, r.LooseGold, r.LooseRecall())
				fmt.Fprintf(out, "precision        %d of %d = %.1f%% (target %d%%)\n", r.Supported, r.CountyTags, r.Precision(), places.TargetPrecision)
				fmt.Fprintf(out, "trap-word tags   %d (target 0)\n", r.TrapTags)
				for _, s := range []struct {
					name string
					list []string
				}{{"miss", r.Misses}, {"unsupported", r.Unsupported}, {"loose miss", r.LooseMisses}, {"sample", r.Sample}} {
					for _, l := range s.list {
						fmt.Fprintf(out, "%s: %s\n", s.name, l)
					}
				}
			}
			if !ok {
				fmt.Fprintln(cmd.ErrOrStderr(), "newsarchive: targets missed:", why)
				return &exitError{code: exitPartial, err: errors.New("targets missed: " + why)}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().IntVar(&workers, "workers", 0, "files parsed at once (default: all cores)")
	tf.register(cmd)
	return cmd
}

// evalJSON is the --json form of an evaluation report.
type evalJSON struct {
	places.EvalReport
	RecallPct      float64 `json:"recall_pct"`
	LooseRecallPct float64 `json:"loose_recall_pct"`
	PrecisionPct   float64 `json:"precision_pct"`
	Met            bool    `json:"targets_met"`
}
