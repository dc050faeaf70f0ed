package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"newsarchive/archive"
	"newsarchive/index"
	"newsarchive/serving"
	"newsarchive/web"
)

// serveConfig is what the serve command was asked to do.
type serveConfig struct {
	corpusDir, indexDir, dataDir, addr string
	workers                            int
	tf                                 taggerFlags
	pollEvery                          time.Duration
	limits                             web.Limits
	logJSON                            bool
	baseURL                            string
	corsOrigins                        []string
	ef                                 engineFlags
}

// EnvAdminToken names the environment variable holding the token that
// enables the /admin endpoints.
const EnvAdminToken = "NEWSARCHIVE_ADMIN_TOKEN"

// EnvBaseURL names the environment variable that gives --base-url's
// default.
const EnvBaseURL = "NEWSARCHIVE_BASE_URL"

func newServeCmd() *cobra.Command {
	var cfg serveConfig
	cmd := &cobra.Command{
		Use:   "serve [--corpus DIR] [--index PATH | --engine opensearch [--opensearch-url URLS]] [--addr HOST:PORT]",
		Short: "Serve the web UI and the JSON API",
		Long: `Serve answers searches over HTTP: the web UI at / and the JSON API under
/api/v1 (docs/api.md).

With no flags it serves the embedded sample corpus, indexed on first start
into the data directory (--data, default: $NEWSARCHIVE_DATA or the user
cache directory). With --corpus it indexes that directory first (only what
changed since the last start) into --index (default: a directory in the data
directory). With --index alone it serves that index as it is.

While it runs, "newsarchive index" runs against the same --index are picked
up within seconds, without a restart.

With --engine opensearch it serves the archive loaded into a cluster
("newsarchive index --engine opensearch"), through its alias: a rebuild or a
rollback on the cluster is followed within --poll.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			return serve(cmd.Context(), cmd, cfg)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.corpusDir, "corpus", "", "corpus `DIR` to index before serving (default: the embedded sample)")
	f.StringVar(&cfg.indexDir, "index", "", "index directory `PATH` (default: in the data directory)")
	f.StringVar(&cfg.dataDir, "data", "", "data `DIR` for the default index and the sample corpus")
	f.StringVar(&cfg.addr, "addr", "localhost:8080", "listen on `HOST:PORT`")
	f.IntVar(&cfg.workers, "workers", 0, "files parsed at once when indexing (default: all cores)")
	f.DurationVar(&cfg.pollEvery, "poll", time.Second, "how often to look for a new index generation")
	f.BoolVar(&cfg.logJSON, "log-json", false, "write logs as JSON lines (default: text)")
	f.StringVar(&cfg.baseURL, "base-url", os.Getenv(EnvBaseURL), "origin `URL` of absolute links: citations, permalinks, Atom (default: $"+EnvBaseURL+", else http://ADDR)")
	f.StringSliceVar(&cfg.corsOrigins, "cors-origin", nil, "`ORIGIN` (scheme://host[:port], or *) whose pages may read the API from a browser (GET, HEAD; no credentials); repeatable (default: none)")
	d := web.DefaultLimits
	f.IntVar(&cfg.limits.MaxQueryLength, "max-query", d.MaxQueryLength, "longest query in characters")
	f.DurationVar(&cfg.limits.RequestTimeout, "timeout", d.RequestTimeout, "a search is stopped after this")
	f.DurationVar(&cfg.limits.ExportTimeout, "export-timeout", d.ExportTimeout, "a CSV/JSONL download is cut after this")
	f.IntVar(&cfg.limits.MaxConcurrent, "max-concurrent", d.MaxConcurrent, "searches run at once (more wait)")
	f.Float64Var(&cfg.limits.RatePerSecond, "rate", d.RatePerSecond, "API requests per second per client address (-1: no limit)")
	f.IntVar(&cfg.limits.RateBurst, "burst", d.RateBurst, "API requests a client may make at once")
	f.BoolVar(&cfg.limits.TrustProxyHeads, "behind-proxy", false, "take the client address from X-Forwarded-For when the request comes from a --trusted-proxy")
	f.StringSliceVar(&cfg.limits.TrustedProxies, "trusted-proxy", nil, "`ADDR` or CIDR of a proxy whose X-Forwarded-For is believed with --behind-proxy; repeatable (default: loopback)")
	f.IntVar(&cfg.limits.MaxDownloads, "max-downloads", d.MaxDownloads, "CSV/JSONL downloads streamed at once (more wait, then 503)")
	f.IntVar(&cfg.limits.MaxDownloadsPerClient, "max-downloads-per-client", d.MaxDownloadsPerClient, "CSV/JSONL downloads one client address may run at once (-1: no limit)")
	cfg.tf.register(cmd)
	cfg.ef.register(cmd)
	return cmd
}

func serve(ctx context.Context, cmd *cobra.Command, cfg serveConfig) error {
	if err := cfg.limits.Validate(); err != nil {
		return usageError(fmt.Errorf("--trusted-proxy: %w", err))
	}
	if err := web.CheckCORSOrigins(cfg.corsOrigins); err != nil {
		return usageError(fmt.Errorf("--cors-origin: %w", err))
	}
	var log *slog.Logger
	if cfg.logJSON {
		log = slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), nil))
	} else {
		log = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))
	}
	eng, err := cfg.ef.engine()
	if err != nil {
		return err
	}
	tagger, err := cfg.tf.tagger()
	if err != nil {
		return err
	}
	// The segmenter loads (2-3 s) while the sample is written.
	analysisLoaded := make(chan error, 1)
	go func() { analysisLoaded <- initAnalysis(tagger) }()
	arch, err := archive.Open(ctx, archive.Config{
		CorpusDir: cfg.corpusDir, IndexDir: cfg.indexDir, DataDir: cfg.dataDir, Engine: eng,
		Tagger: tagger, Workers: cfg.workers, Logger: log,
		Progress: func() (func(index.Progress), func()) { return newProgress(cmd.ErrOrStderr()) },
	}, func() error { return <-analysisLoaded })
	if errors.Is(err, archive.ErrConfig) || errors.Is(err, index.ErrNoIndex) || errors.Is(err, archive.ErrNoIndex) || errors.Is(err, serving.ErrNoIntact) {
		return usageError(err)
	}
	if err != nil {
		return err
	}
	defer arch.Close()
	src := arch.Source()
	admin := web.Admin{Reload: func() error { return src.Reload(context.Background()) }}
	if arch.HasCorpus() {
		admin.Reindex = func(ctx context.Context, rebuild bool) (any, error) {
			sum, err := arch.Reindex(ctx, rebuild)
			if errors.Is(err, index.ErrLocked) {
				return nil, fmt.Errorf("%w: %w", web.ErrBusy, err) // a CLI run holds the write lock: 409
			}
			return sum, err
		}
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return usageError(fmt.Errorf("listen on %s: %w", cfg.addr, err))
	}
	defer ln.Close()
	base := cfg.baseURL
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	if base, err = web.CheckBaseURL(base); err != nil {
		return usageError(fmt.Errorf("--base-url: %w", err))
	}
	srv := web.New(src, web.Options{
		Logger: log, Limits: cfg.limits, AdminToken: os.Getenv(EnvAdminToken), Admin: admin, BaseURL: base,
		CORSOrigins: cfg.corsOrigins,
	})
	watchCtx, stopWatching := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() { defer close(watched); src.Run(watchCtx, cfg.pollEvery) }()
	defer func() { stopWatching(); <-watched }()

	hs := srv.HTTPServer() // timeouts and header limit: web.Server.HTTPServer
	st := src.Status()
	url := "http://" + ln.Addr().String() + "/"
	fmt.Fprintf(cmd.OutOrStdout(), "newsarchive: serving %d articles from %s at %s\n", st.Articles, arch.Where(), url)
	log.Info("listening", "url", url, "generation", st.Generation, "fallback", st.Fallback)

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
