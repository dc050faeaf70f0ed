// Command bench measures the archive at scale, beside two baselines, in
// one run (issue 7; docs/performance.md (part 2) has the method and figures).
//
// For each article count it builds a scaled corpus from the xwlb test data
// (the real text repeated with shifted dates, varied papers and injected
// county names), indexes it with the archive's index package and, as the
// baseline, into a Bleve index with the built-in cjk analyzer; it then
// serves each in turn (the archive's own web app; a small endpoint for the
// cjk index; a brute-force scan of the parsed records in memory) and
// drives the same fixed query mix at each from concurrent loopback
// clients. Each phase runs in a child process (this binary, re-executed)
// so that its peak RSS and CPU time are its own.
//
// A fourth engine, opensearch, is the same archive on an OpenSearch
// cluster (issues 14 and 16; cluster.go): the corpus loaded with the
// archive's own code (opensearch.Client.Update) into a fresh alias,
// served by the archive's web app over opensearch.OpenEngine, driven by
// the same verification pass and clients, the nodes' memory and CPU
// reported apart from the Go processes'. The alias is deleted at the end.
//
// Usage:
//
//	go run ./cmd/bench [--articles 14000,50000,200000] [--clients 1,8]
//	    [--duration 20s] [--keep DIR] [--reuse-index] [--out report.json]
//	    [--engines ours,cjk,brute[,opensearch]] [--opensearch-url URLS]
//	    [--cpuprofile FILE] [--memprofile FILE]
//
// It prints a table per article count (each engine, and ours' ratio to
// each other engine) and the targets of issues 7 and 16, and writes every
// figure as JSON to --out. The opensearch engine needs the cluster's node
// URLs, from --opensearch-url or $NEWSARCHIVE_OPENSEARCH_URL.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"newsarchive/corpus"
	"newsarchive/opensearch"
)

func main() {
	if os.Getenv(EnvChild) != "" {
		os.Exit(childMain(os.Args[1:]))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// options are the harness's flags.
type options struct {
	Articles   []int         `json:"articles"`
	Clients    []int         `json:"clients"`
	Duration   time.Duration `json:"duration_ns"`
	Engines    []string      `json:"engines"`
	Source     string        `json:"source"`
	Keep       string        `json:"keep,omitempty"`
	ReuseIndex bool          `json:"reuse_index"`
	// SegmentDocs bounds our index's merged segments (0: the index
	// package's default).
	SegmentDocs int    `json:"segment_docs,omitempty"`
	Exports     bool   `json:"exports"`
	Out         string `json:"-"`
	CPUProfile  string `json:"-"`
	MemProfile  string `json:"-"`
	// OpenSearchURLs are the cluster's node URLs, for the opensearch
	// engine (credentials, from the environment, are not recorded).
	OpenSearchURLs []string `json:"opensearch_urls,omitempty"`
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	articles := fs.String("articles", "14000", "article counts of the scaled corpora, comma-separated")
	clients := fs.String("clients", "1,8", "concurrent clients of the timed runs, comma-separated")
	engines := fs.String("engines", "ours,cjk,brute", "engines to measure: ours, cjk, brute, opensearch")
	osURL := fs.String("opensearch-url", "", "the OpenSearch cluster's node `URLs`, comma-separated, for the opensearch engine (default $"+opensearch.EnvURL+")")
	fs.DurationVar(&o.Duration, "duration", 20*time.Second, "length of each timed run")
	fs.StringVar(&o.Source, "source", "", "the xwlb corpus (default: ../shared/testdata/xwlb beside the module)")
	fs.StringVar(&o.Keep, "keep", "", "keep corpora and indexes in `DIR` and reuse the corpora (default: a temporary directory, removed)")
	fs.BoolVar(&o.ReuseIndex, "reuse-index", false, "with --keep: serve the indexes of an earlier run instead of rebuilding them (its indexing figures are reported)")
	fs.IntVar(&o.SegmentDocs, "segment-docs", 0, "our index's most documents per merged segment (default: the index's own, index.DefaultSegmentDocs)")
	fs.BoolVar(&o.Exports, "exports", false, "also time our server's downloads of every hit (CSV, JSONL, RIS, BibTeX, CSL-JSON) after the timed runs")
	fs.StringVar(&o.Out, "out", "", "write every figure as JSON to `FILE`")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of our server during the last timed run to `FILE` (suffixed with the article count)")
	fs.StringVar(&o.MemProfile, "memprofile", "", "write a heap profile of our server after the timed runs to `FILE` (suffixed with the article count)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var err error
	if o.Articles, err = ints(*articles); err != nil {
		return nil, fmt.Errorf("--articles: %w", err)
	}
	if o.Clients, err = ints(*clients); err != nil {
		return nil, fmt.Errorf("--clients: %w", err)
	}
	for _, e := range strings.Split(*engines, ",") {
		if e = strings.TrimSpace(e); e != "" {
			if !slices.Contains(allEngines, e) {
				return nil, fmt.Errorf("--engines: unknown engine %q (want %s)", e, strings.Join(allEngines, ", "))
			}
			if !slices.Contains(o.Engines, e) {
				o.Engines = append(o.Engines, e)
			}
		}
	}
	if len(o.Engines) == 0 {
		return nil, errors.New("--engines: no engine")
	}
	if slices.Contains(o.Engines, "opensearch") {
		o.OpenSearchURLs = splitURLs(*osURL)
		if len(o.OpenSearchURLs) == 0 {
			o.OpenSearchURLs = opensearch.ConfigFromEnv().URLs
		}
		if len(o.OpenSearchURLs) == 0 {
			return nil, fmt.Errorf("--engines opensearch needs the cluster's URL: give --opensearch-url http://HOST:9200[,…] or set $%s", opensearch.EnvURL)
		}
	}
	if o.ReuseIndex && o.Keep == "" {
		return nil, errors.New("--reuse-index needs --keep")
	}
	if o.Source == "" {
		if o.Source, err = defaultSource(); err != nil {
			return nil, err
		}
	}
	return &o, nil
}

// allEngines are the engines the harness knows, in the order of its
// tables.
var allEngines = []string{"ours", "cjk", "brute", "opensearch"}

func ints(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// defaultSource finds ../shared/testdata/xwlb beside the module root.
func defaultSource() (string, error) {
	if d := os.Getenv("NEWSARCHIVE_SHARED"); d != "" {
		return filepath.Join(d, "testdata", "xwlb"), nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(dir), "shared", "testdata", "xwlb"), nil
		}
		if filepath.Dir(dir) == dir {
			return "", errors.New("no go.mod above the working directory: give --source")
		}
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	rep, err := runBench(ctx, o, stderr)
	if rep != nil {
		printReport(stdout, rep)
		if o.Out != "" {
			b, jerr := json.MarshalIndent(rep, "", "  ")
			if jerr == nil {
				jerr = os.WriteFile(o.Out, append(b, '\n'), 0o644)
			}
			if jerr != nil && err == nil {
				err = jerr
			}
		}
	}
	return err
}

// runBench measures every article count; the report holds what was
// measured even when it fails midway.
func runBench(ctx context.Context, o *options, logw io.Writer) (*Report, error) {
	work := o.Keep
	if work == "" {
		tmp, err := os.MkdirTemp("", "newsarchive-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		work = tmp
	} else if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, err
	}
	tagger, err := corpus.DefaultTagger()
	if err != nil {
		return nil, err
	}
	rep := newReport(o)
	logf := func(format string, args ...any) {
		fmt.Fprintf(logw, "%s bench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
	}
	for _, n := range o.Articles {
		sr, err := benchScale(ctx, o, work, n, tagger.Gazetteer.Units(), logf)
		if sr != nil {
			sr.evaluate()
			rep.Scales = append(rep.Scales, sr)
		}
		if err != nil {
			return rep, fmt.Errorf("%d articles: %w", n, err)
		}
	}
	return rep, nil
}

func benchScale(ctx context.Context, o *options, work string, n int, units []string, logf func(string, ...any)) (sr *scaleReport, err error) {
	logf("corpus of %d articles", n)
	sc, err := buildCorpus(o.Source, filepath.Join(work, fmt.Sprintf("corpus-%d", n)), n, units)
	if err != nil {
		return nil, fmt.Errorf("build corpus: %w", err)
	}
	sr = &scaleReport{Corpus: *sc, Engines: map[string]*engineReport{}}
	for _, e := range o.Engines {
		sr.Engines[e] = &engineReport{}
	}
	// The cluster's index of this run: a fresh alias, deleted at the end
	// whatever happens.
	var cluster *clusterHTTP
	var clusterArgs []string
	if slices.Contains(o.Engines, "opensearch") {
		cfg := clusterConfig(o.OpenSearchURLs, benchAlias(n, time.Now()))
		cluster = newClusterHTTP(cfg)
		sr.Engines["opensearch"].Alias = cfg.Alias
		clusterArgs = []string{"--opensearch-url", strings.Join(cfg.URLs, ","), "--alias", cfg.Alias}
		defer func() {
			if derr := deleteAlias(ctx, cfg); derr != nil {
				logf("opensearch: delete %s: %v", cfg.Alias, derr)
				if err == nil {
					err = fmt.Errorf("delete the bench's index %s: %w", cfg.Alias, derr)
				}
			} else {
				logf("opensearch: %s deleted", cfg.Alias)
			}
		}()
	}
	// Indexing.
	for _, e := range o.Engines {
		if e == "brute" {
			continue
		}
		dir := filepath.Join(work, fmt.Sprintf("%s-%d", e, n))
		saved := dir + ".json"
		if o.ReuseIndex && e != "opensearch" {
			if b, err := os.ReadFile(saved); err == nil {
				var f indexFigures
				if err := json.Unmarshal(b, &f); err == nil {
					f.Reused = true
					sr.Engines[e].Index = &f
					logf("%s: reusing the index of %s", e, dir)
					continue
				}
			}
		}
		args := []string{"index", "--engine", e, "--corpus", sc.Dir}
		var cpu0 float64
		if e == "opensearch" {
			args = append(args, clusterArgs...)
			if ns, err := cluster.nodes(ctx); err == nil {
				cpu0 = cpuSeconds(ns)
			}
		} else {
			os.RemoveAll(dir)
			os.Remove(saved)
			args = append(args, "--dir", dir)
			if o.SegmentDocs > 0 {
				args = append(args, "--segment-docs", strconv.Itoa(o.SegmentDocs))
			}
		}
		logf("%s: indexing", e)
		out, u, err := runChild(ctx, dir+".index.log", args...)
		if err != nil {
			return sr, err
		}
		var res indexResult
		if err := json.Unmarshal(out, &res); err != nil {
			return sr, fmt.Errorf("%s index: %w: %s", e, err, out)
		}
		f := indexFiguresOf(res, u)
		if e == "opensearch" {
			prim, total, waited, err := cluster.indexSize(ctx, sr.Engines[e].Alias, 2*time.Minute)
			if err != nil {
				return sr, fmt.Errorf("opensearch: index size: %w", err)
			}
			f.IndexBytes, f.IndexBytesWithReplicas, f.MergeWaitSeconds = prim, total, waited
			if ns, err := cluster.nodes(ctx); err == nil && cpu0 > 0 {
				f.ClusterCPUSeconds = cpuSeconds(ns) - cpu0
			}
		} else {
			f.IndexBytes = dirSize(dir)
		}
		f.LoadAvg = loadAvg()
		f.SizeRatio = float64(f.IndexBytes) / float64(res.Bytes)
		sr.Engines[e].Index = f
		if e != "opensearch" {
			b, _ := json.Marshal(f)
			os.WriteFile(saved, b, 0o644)
		}
		logf("%s: %d articles in %.1f s, %.2f MB/s, %.2fx the text", e, f.Articles, f.Seconds, f.MBps, f.SizeRatio)
	}
	// Serving.
	for _, e := range o.Engines {
		args := []string{"serve", "--engine", e}
		switch e {
		case "brute":
			args = append(args, "--corpus", sc.Dir)
		case "opensearch":
			args = append(args, clusterArgs...)
		default:
			args = append(args, "--dir", filepath.Join(work, fmt.Sprintf("%s-%d", e, n)))
		}
		profile := e == "ours" && (o.CPUProfile != "" || o.MemProfile != "")
		if profile {
			args = append(args, "--pprof")
		}
		logf("%s: serving", e)
		var sampler *memSampler
		if e == "opensearch" {
			sampler = startMemSampler(ctx, cluster)
		}
		srv, err := startServer(ctx, filepath.Join(work, fmt.Sprintf("%s-%d.serve.log", e, n)), args...)
		if err != nil {
			if sampler != nil {
				sampler.stop(ctx)
			}
			return sr, err
		}
		sf := &serveFigures{ReadySeconds: srv.Ready.Seconds()}
		sr.Engines[e].Serve = sf
		if e == "brute" && srv.Loaded != "" {
			var res indexResult
			if json.Unmarshal([]byte(srv.Loaded), &res) == nil {
				sr.Engines[e].Index = indexFiguresOf(res, usage{})
			}
		}
		if srv.Startup != "" {
			json.Unmarshal([]byte(srv.Startup), &sf.Startup)
		}
		if e == "ours" {
			// The timed runs measure a warm server: the folded text loads in
			// the background after ready (ready and warm are both reported).
			if srv.waitWarm(10 * time.Minute) {
				sf.WarmSeconds = srv.Warm.Seconds()
			} else {
				logf("%s: not warm after 10 minutes", e)
			}
		}
		// The verification pass is each query's first: its latencies are
		// the cold ones (caches of the generation still empty).
		sf.Checks = verify(ctx, srv.URL, queryMix)
		for i, c := range o.Clients {
			logf("%s: %d clients for %s", e, c, o.Duration)
			var prof chan error
			if profile && o.CPUProfile != "" && i == len(o.Clients)-1 {
				prof = make(chan error, 1)
				secs := max(1, int(o.Duration.Seconds())-1)
				path := suffixed(o.CPUProfile, n)
				sf.CPUProfile = path
				go func() { prof <- fetch(srv.URL+"/debug/pprof/profile?seconds="+strconv.Itoa(secs), path) }()
			}
			lf := drive(ctx, srv.URL, queryMix, c, o.Duration)
			sf.Loads = append(sf.Loads, lf)
			if prof != nil {
				if err := <-prof; err != nil {
					logf("cpu profile: %v", err)
				}
			}
			logf("%s: %d clients: p50 %.1f ms, p99 %.1f ms, %.1f q/s, %d errors", e, c, lf.P50, lf.P99, lf.QPS, lf.Errors)
		}
		if e == "ours" && o.Exports {
			sf.Exports = measureExports(ctx, srv, logf)
		}
		if profile && o.MemProfile != "" {
			path := suffixed(o.MemProfile, n)
			if err := fetch(srv.URL+"/debug/pprof/heap", path); err != nil {
				logf("heap profile: %v", err)
			} else {
				sf.MemProfile = path
			}
		}
		if sampler != nil {
			sf.Cluster = sampler.stop(ctx)
			logf("%s: cluster nodes: heap used %.0f MB (peak, of %.0f MB), RSS %.0f MB (peak), %.1f CPU s", e,
				sf.Cluster.HeapUsedPeakMB, sf.Cluster.HeapMaxMB, sf.Cluster.RSSPeakMB, sf.Cluster.CPUSeconds)
		}
		sf.LoadAvg = loadAvg()
		sf.PeakRSSMB = mb(srv.peakRSS())
		anon, file := srv.rss()
		sf.EndRSSAnonMB, sf.EndRSSFileMB = mb(anon), mb(file)
		u := srv.stop()
		if sf.PeakRSSMB == 0 {
			sf.PeakRSSMB = mb(u.MaxRSS)
		}
		sf.CPUSeconds = u.CPU.Seconds()
		if e == "brute" && sr.Engines[e].Index != nil {
			sr.Engines[e].Index.PeakRSSMB = sf.PeakRSSMB
		}
		if err := ctx.Err(); err != nil {
			return sr, err
		}
	}
	return sr, nil
}

func suffixed(path string, n int) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + "-" + strconv.Itoa(n) + ext
}

// fetch saves the body of a GET to path.
func fetch(u, path string) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// loadAvg is the 1-minute load average (0 where /proc is missing).
func loadAvg() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	v, _ := strconv.ParseFloat(f[0], 64)
	return v
}

func mb(b int64) float64 { return float64(b) / 1e6 }

func hostInfo() map[string]any {
	h := map[string]any{"goos": runtime.GOOS, "goarch": runtime.GOARCH, "go": runtime.Version(), "cpus": runtime.NumCPU(), "gomaxprocs": runtime.GOMAXPROCS(0)}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				h["cpu"] = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if line, _, ok := strings.Cut(string(b), "\n"); ok {
			h["mem"] = strings.Join(strings.Fields(strings.TrimPrefix(line, "MemTotal:")), " ")
		}
	}
	return h
}
