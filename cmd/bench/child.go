package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/blevesearch/bleve/v2"

	"newsarchive/corpus"
	"newsarchive/index"
	"newsarchive/index/analysis"
	"newsarchive/opensearch"
	"newsarchive/serving"
	"newsarchive/web"
)

// A child process runs one phase, so that its peak RSS and CPU time are
// the phase's alone:
//
//	index --engine ours|cjk --corpus DIR --dir DIR
//	index --engine opensearch --corpus DIR --opensearch-url URLS --alias NAME
//	    builds the index (for opensearch: loads the corpus into a new
//	    generation of the alias on the cluster with opensearch.Client.Update,
//	    as "newsarchive index --engine opensearch" does) and prints an
//	    indexResult as JSON;
//	serve --engine ours|cjk|brute --dir DIR | --corpus DIR [--pprof]
//	serve --engine opensearch --opensearch-url URLS --alias NAME
//	    serves /api/v1/search and /readyz on a loopback port, prints
//	    "listening http://ADDR" when it accepts connections, and stops on
//	    SIGTERM. ours is the archive's own web app (web.New over
//	    search.Searcher, as "newsarchive serve --rate -1" wires it);
//	    opensearch is the same web app over the cluster's engine
//	    (opensearch.OpenEngine on the alias, as "newsarchive serve
//	    --engine opensearch" wires it); the baselines serve
//	    baselineHandler. brute loads the corpus first and prints "loaded
//	    {json}" (its load is its indexing); ours and opensearch print
//	    "startup {json}" with the seconds spent loading the word
//	    segmenter and opening the index (or connecting to the cluster).

// indexResult is what an index child reports.
type indexResult struct {
	Articles    int     `json:"articles"`
	Files       int     `json:"files"`
	Bytes       int64   `json:"bytes"`        // raw text read
	Seconds     float64 `json:"seconds"`      // the build, wall time
	InitSeconds float64 `json:"init_seconds"` // loading the segmenter before it (ours)
	CPUSeconds  float64 `json:"cpu_seconds"`  // CPU time of the build
}

func childMain(args []string) int {
	if err := child(args, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench child:", err)
		return 1
	}
	return 0
}

func child(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("no phase")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	engine := fs.String("engine", "ours", "ours, cjk, brute or opensearch")
	corpusDir := fs.String("corpus", "", "corpus directory")
	dir := fs.String("dir", "", "index directory")
	withPprof := fs.Bool("pprof", false, "serve /debug/pprof/")
	osURL := fs.String("opensearch-url", "", "the cluster's node URLs (opensearch)")
	alias := fs.String("alias", "", "the alias on the cluster (opensearch)")
	segmentDocs := fs.Int("segment-docs", 0, "most documents per merged segment (ours; 0: the default)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cluster := clusterConfig(splitURLs(*osURL), *alias)
	if *engine == "opensearch" && (len(cluster.URLs) == 0 || *alias == "") {
		return errors.New("the opensearch engine needs --opensearch-url and --alias")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tagger, err := corpus.DefaultTagger()
	if err != nil {
		return err
	}
	switch args[0] {
	case "index":
		res, err := indexPhase(ctx, *engine, tagger, *corpusDir, *dir, cluster, *segmentDocs)
		if err != nil {
			return err
		}
		return json.NewEncoder(stdout).Encode(res)
	case "serve":
		return servePhase(ctx, stdout, *engine, tagger, *corpusDir, *dir, cluster, *withPprof)
	}
	return fmt.Errorf("unknown phase %q", args[0])
}

// initAnalysis loads the word segmenter with the gazetteer's place names,
// as cmd/newsarchive does.
func initAnalysis(t *corpus.Tagger) error {
	if err := analysis.Init(t.Gazetteer.PlaceNames()); err != nil && !errors.Is(err, analysis.ErrLoaded) {
		return fmt.Errorf("load word segmenter: %w", err)
	}
	return nil
}

func indexPhase(ctx context.Context, engine string, tagger *corpus.Tagger, corpusDir, dir string, cluster opensearch.Config, segmentDocs int) (*indexResult, error) {
	files, err := corpus.FindFiles(corpusDir)
	if err != nil {
		return nil, err
	}
	res := &indexResult{Files: len(files)}
	for _, f := range files {
		res.Bytes += f.Size
	}
	parser := corpus.NewParser(tagger)
	switch engine {
	case "ours":
		start := time.Now()
		if err := initAnalysis(tagger); err != nil {
			return nil, err
		}
		res.InitSeconds = time.Since(start).Seconds()
		cpu0 := cpuTime()
		start = time.Now()
		// Debug: the stages' times (files read, persisted, merged) in the
		// index log.
		log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		defer index.BuildGC()() // as the index command
		sum, err := index.Update(ctx, index.Options{Corpus: corpusDir, Dir: dir, Rebuild: true, Parser: parser, Logger: log, SegmentDocs: segmentDocs})
		if err != nil {
			return nil, err
		}
		res.Seconds = time.Since(start).Seconds()
		res.CPUSeconds = (cpuTime() - cpu0).Seconds()
		res.Articles = sum.Articles
	case "opensearch":
		// As "newsarchive index --engine opensearch" does: the segmenter
		// (the documents carry the archive's words), then Update.
		start := time.Now()
		if err := initAnalysis(tagger); err != nil {
			return nil, err
		}
		res.InitSeconds = time.Since(start).Seconds()
		cluster.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
		c, err := opensearch.New(cluster)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		cpu0 := cpuTime()
		start = time.Now()
		sum, err := c.Update(ctx, opensearch.UpdateOptions{Corpus: corpusDir, Parser: parser})
		if err != nil {
			return nil, fmt.Errorf("load %s into %s on %v: %w", corpusDir, cluster.Alias, cluster.URLs, err)
		}
		res.Seconds = time.Since(start).Seconds()
		res.CPUSeconds = (cpuTime() - cpu0).Seconds()
		res.Articles = sum.Articles
	case "cjk":
		cpu0 := cpuTime()
		start := time.Now()
		n, err := buildCJK(ctx, parser, files, dir)
		if err != nil {
			return nil, err
		}
		res.Seconds = time.Since(start).Seconds()
		res.CPUSeconds = (cpuTime() - cpu0).Seconds()
		res.Articles = n
	default:
		return nil, fmt.Errorf("engine %q has no index phase", engine)
	}
	return res, nil
}

func servePhase(ctx context.Context, stdout io.Writer, engine string, tagger *corpus.Tagger, corpusDir, dir string, cluster opensearch.Config, withPprof bool) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var h http.Handler
	switch engine {
	case "ours":
		// As serve does: the segmenter loads while the index opens.
		start := time.Now()
		var initSeconds float64
		analysisLoaded := make(chan error, 1)
		go func() {
			err := initAnalysis(tagger)
			initSeconds = time.Since(start).Seconds()
			analysisLoaded <- err
		}()
		idx, err := index.Open(dir)
		if err != nil {
			return err
		}
		defer idx.Close()
		openSeconds := time.Since(start).Seconds()
		if err := <-analysisLoaded; err != nil {
			return err
		}
		fmt.Fprintf(stdout, "startup {\"init_s\":%.3f,\"open_s\":%.3f}\n", initSeconds, openSeconds)
		// Warm: the folded text the exact path verifies on is loaded (until
		// then quoted queries verify on the stored records).
		go func() {
			if idx.WaitFoldedText(ctx) == nil {
				fmt.Fprintf(stdout, "warm {\"warm_s\":%.3f}\n", time.Since(start).Seconds())
			}
		}()
		h = web.New(serving.Fixed(idx, tagger), web.Options{
			Logger: log, Limits: web.Limits{RatePerSecond: -1},
		}).Handler()
	case "opensearch":
		// As serve --engine opensearch does (archive.OpenSource): the
		// segmenter loads while the engine connects to the cluster.
		start := time.Now()
		var initSeconds float64
		analysisLoaded := make(chan error, 1)
		go func() {
			err := initAnalysis(tagger)
			initSeconds = time.Since(start).Seconds()
			analysisLoaded <- err
		}()
		cluster.Logger = log
		eng, err := opensearch.OpenEngine(ctx, cluster)
		if err != nil {
			<-analysisLoaded
			return fmt.Errorf("open %s on %v: %w", cluster.Alias, cluster.URLs, err)
		}
		defer eng.Close()
		openSeconds := time.Since(start).Seconds()
		if err := <-analysisLoaded; err != nil {
			return err
		}
		fmt.Fprintf(stdout, "startup {\"init_s\":%.3f,\"open_s\":%.3f}\n", initSeconds, openSeconds)
		h = web.New(serving.Fixed(eng, tagger), web.Options{
			Logger: log, Limits: web.Limits{RatePerSecond: -1},
		}).Handler()
	case "cjk":
		idx, err := bleve.OpenUsing(dir, map[string]interface{}{"read_only": true})
		if err != nil {
			return err
		}
		defer idx.Close()
		h = baselineHandler(&cjkEngine{idx: idx}, tagger)
	case "brute":
		files, err := corpus.FindFiles(corpusDir)
		if err != nil {
			return err
		}
		cpu0 := cpuTime()
		start := time.Now()
		e, err := loadBrute(ctx, corpus.NewParser(tagger), files)
		if err != nil {
			return err
		}
		res := indexResult{Articles: len(e.docs), Files: len(files), Seconds: time.Since(start).Seconds(), CPUSeconds: (cpuTime() - cpu0).Seconds()}
		for _, f := range files {
			res.Bytes += f.Size
		}
		b, _ := json.Marshal(res)
		fmt.Fprintf(stdout, "loaded %s\n", b)
		h = baselineHandler(e, tagger)
	default:
		return fmt.Errorf("unknown engine %q", engine)
	}
	if withPprof {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.Handle("/", h)
		h = mux
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
	}
	fmt.Fprintf(stdout, "listening http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return hs.Shutdown(sctx)
}
