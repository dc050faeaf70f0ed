package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"newsarchive/index"
	"newsarchive/opensearch"
	"newsarchive/search"
)

func newExportCmd() *cobra.Command {
	var (
		indexDir, format, out, indexName string
		mapping                          bool
	)
	cmd := &cobra.Command{
		Use:   "export --index PATH --format opensearch [--out FILE] [--index-name NAME] | export --format opensearch --mapping",
		Short: "Write the archive as bulk NDJSON for OpenSearch",
		Long: `Export reads every article of the index at PATH, oldest first, and writes
it as bulk NDJSON for OpenSearch: an action line
{"index":{"_index":NAME,"_id":ID}} and the record, per article, to --out
(default: standard output). --mapping prints instead the settings and
mapping to create the index with (PUT /NAME); it needs no plugin, the
documents carry the archive's own folding and exact-recall terms. See
docs/opensearch.md.

Exit status: 0 on success, 2 on usage errors or when the index cannot be
read or the output written.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if format != "opensearch" {
				return usageError(fmt.Errorf("--format %q: the one format is opensearch", format))
			}
			var w io.Writer = cmd.OutOrStdout()
			if out != "" && out != "-" {
				f, err := os.Create(out)
				if err != nil {
					return usageError(err)
				}
				defer func() {
					if cerr := f.Close(); err == nil && cerr != nil {
						err = usageError(cerr)
					}
					if err != nil {
						os.Remove(out)
					}
				}()
				w = f
			}
			if mapping {
				if indexDir != "" {
					return usageError(errors.New("--mapping takes no --index"))
				}
				_, err := w.Write(opensearch.Mapping())
				if err != nil {
					return usageError(err)
				}
				return nil
			}
			if indexDir == "" {
				return usageError(errors.New("--index is required"))
			}
			if err := initAnalysis(nil); err != nil {
				return err
			}
			idx, err := index.Open(indexDir)
			if err != nil {
				return usageError(err)
			}
			defer idx.Close()
			n, err := idx.DocCount()
			if err != nil {
				return usageError(fmt.Errorf("count articles of %s: %w", indexDir, err))
			}
			bw := bufio.NewWriterSize(w, 1<<20)
			bulk := opensearch.NewWriter(bw, indexName)
			s := &search.Searcher{Engine: idx}
			err = s.Each(cmd.Context(), search.Request{Sort: search.SortOldest}, int(n), func(h search.Hit) error {
				return bulk.Write(&h.Article)
			})
			if err == nil {
				err = bulk.Flush()
			}
			if err == nil {
				err = bw.Flush()
			}
			if err != nil {
				return usageError(fmt.Errorf("export %s: %w", indexDir, err))
			}
			if bulk.Count() != int(n) {
				return usageError(fmt.Errorf("export %s: wrote %d articles, the index holds %d", indexDir, bulk.Count(), n))
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "exported %d articles of %s\n", bulk.Count(), indexDir)
			return nil
		},
	}
	cmd.Flags().StringVar(&indexDir, "index", "", "index directory `PATH`")
	cmd.Flags().StringVar(&format, "format", "opensearch", "output `FORMAT`: opensearch (also Elasticsearch)")
	cmd.Flags().StringVar(&out, "out", "", "write to `FILE` (default: standard output)")
	cmd.Flags().StringVar(&indexName, "index-name", opensearch.DefaultIndexName, "the target index `NAME` in the action lines")
	cmd.Flags().BoolVar(&mapping, "mapping", false, "print the index settings and mapping instead")
	return cmd
}
