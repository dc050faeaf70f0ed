package main

import (
	"bufio"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"newsarchive/corpus"
)

// taggerFlags are the flags that choose the gazetteer and taxonomy files.
type taggerFlags struct {
	files corpus.TaggerFiles
}

func (f *taggerFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.files.Gazetteer, "gazetteer", "", "overlay gazetteer `FILE` for the places of one area (default: the embedded one, 四平市)")
	cmd.Flags().StringVar(&f.files.Papers, "papers", "", "papers `FILE`: each paper's home area (default: the embedded one)")
	cmd.Flags().StringVar(&f.files.Taxonomy, "taxonomy", "", "taxonomy `FILE` for topic tags (default: the embedded one)")
}

func (f *taggerFlags) tagger() (*corpus.Tagger, error) {
	t, err := corpus.LoadTagger(f.files)
	if err != nil {
		return nil, usageError(err)
	}
	return t, nil
}

func newParseCmd() *cobra.Command {
	var (
		explain bool
		workers int
		tf      taggerFlags
	)
	cmd := &cobra.Command{
		Use:   "parse [--explain] PATH...",
		Short: "Parse bulletin files into JSON Lines records",
		Long: `Parse reads bulletin files (and directories, recursively) and writes one
JSON record per article or photo to standard output. Problems go to standard
error as "path:line: message".

Exit status: 0 when every file was read, 1 when some were skipped (the other
files' records are complete), 2 on usage errors.`,
		Args: wrapArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			tagger, err := tf.tagger()
			if err != nil {
				return err
			}
			files, err := corpus.FindFiles(args...)
			if err != nil {
				return usageError(err)
			}
			parser := corpus.NewParser(tagger)
			parser.Explain = explain
			out := bufio.NewWriter(cmd.OutOrStdout())
			enc := json.NewEncoder(out)
			enc.SetEscapeHTML(false)
			skipped := 0
			err = parser.ParseFiles(cmd.Context(), files, workers, func(res corpus.FileResult) error {
				for _, p := range res.Problems {
					fmt.Fprintln(cmd.ErrOrStderr(), p.Error())
				}
				if res.Skipped {
					skipped++
				}
				for i, a := range res.Items {
					var rec any = a
					if explain {
						rec = explainedRecord{a, res.Explanations[i]}
					}
					if err := enc.Encode(rec); err != nil {
						return fmt.Errorf("write record: %w", err)
					}
				}
				return nil
			})
			if ferr := out.Flush(); err == nil && ferr != nil {
				err = fmt.Errorf("write records: %w", ferr)
			}
			if err != nil {
				return usageError(err)
			}
			if skipped > 0 {
				return &exitError{code: exitPartial, err: fmt.Errorf("%d of %d files skipped", skipped, len(files))}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&explain, "explain", false, "add an \"explain\" field with the evidence behind each place and topic tag: the name, field and rule that decided it")
	cmd.Flags().IntVar(&workers, "workers", 0, "files parsed at once (default: all cores)")
	tf.register(cmd)
	return cmd
}

// explainedRecord is a record with its tagging evidence, for --explain.
type explainedRecord struct {
	corpus.Article
	Explain corpus.Explanation `json:"explain"`
}
