package index

import (
	"bufio"
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"

	"newsarchive/corpus"
	"newsarchive/corpus/corpustest"
)

// The indexing benchmarks index the whole xwlb corpus, once with this
// package's mapping and writer (Update) and once, as the baseline, the same
// parsed records in a Bleve index using Bleve's built-in cjk analyzer and
// its default dynamic mapping. They only run with -bench; each iteration
// takes tens of seconds, so run them with -benchtime 1x:
//
//	go test ./index -run '^$' -bench Index -benchtime 1x -count 3
//
// Metrics besides ns/op: MB/s and articles/s (of the raw corpus, wall
// time), size-x (index bytes on disk / raw corpus bytes), peak-heap-MB (Go
// heap, sampled every 20 ms) and peak-RSS-MB (the process's VmHWM, reset
// before each run; it includes the gse dictionary, loaded once per process
// by TestMain, in both). See docs/performance.md.
func BenchmarkIndex(b *testing.B) {
	xwlb := corpustest.TestData(b, "xwlb")
	files, err := corpus.FindFiles(xwlb)
	if err != nil {
		b.Fatal(err)
	}
	var raw int64
	for _, f := range files {
		raw += f.Size
	}
	parser := newParser(b)
	b.Run("ours", func(b *testing.B) {
		benchIndex(b, raw, func(dir string) (int, error) {
			sum, err := Update(context.Background(), Options{Corpus: xwlb, Dir: dir, Rebuild: true, Parser: parser})
			return sum.Articles, err
		})
	})
	b.Run("cjk", func(b *testing.B) {
		benchIndex(b, raw, func(dir string) (int, error) {
			return cjkBaseline(parser, files, dir)
		})
	})
}

// benchIndex runs build into a fresh directory per iteration and reports
// the metrics of the last one.
func benchIndex(b *testing.B, raw int64, build func(dir string) (int, error)) {
	var articles int
	var size int64
	var peakHeap, peakRSS uint64
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := filepath.Join(b.TempDir(), "idx")
		debug.FreeOSMemory()
		resetPeakRSS()
		stop := sampleHeap()
		b.StartTimer()
		start := time.Now()
		n, err := build(dir)
		elapsed = time.Since(start)
		b.StopTimer()
		peakHeap = stop()
		peakRSS = peakRSSBytes()
		if err != nil {
			b.Fatal(err)
		}
		articles = n
		size = dirSize(b, dir)
		os.RemoveAll(dir)
		b.StartTimer()
	}
	s := elapsed.Seconds()
	b.ReportMetric(float64(raw)/1e6/s, "MB/s")
	b.ReportMetric(float64(articles)/s, "articles/s")
	b.ReportMetric(float64(size)/float64(raw), "size-x")
	b.ReportMetric(float64(size)/1e6, "index-MB")
	b.ReportMetric(float64(peakHeap)/1e6, "peak-heap-MB")
	if peakRSS > 0 {
		b.ReportMetric(float64(peakRSS)/1e6, "peak-RSS-MB")
	}
}

// cjkBaseline indexes the parsed records with Bleve's defaults and the cjk
// analyzer: a dynamic mapping of the record (every string field analysed,
// stored, with term vectors and in _all). It gets the same parsing, batch
// size and unsafe_batch writes as Update, with one persisted wait at the
// end, but no merge.
func cjkBaseline(parser *corpus.Parser, files []corpus.File, dir string) (int, error) {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = cjk.AnalyzerName
	idx, err := bleve.NewUsing(dir, m, bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, map[string]interface{}{"unsafe_batch": true})
	if err != nil {
		return 0, err
	}
	closed := false
	defer func() {
		if !closed {
			idx.Close()
		}
	}()
	n := 0
	batch := idx.NewBatch()
	err = parser.ParseFiles(context.Background(), files, 0, func(res corpus.FileResult) error {
		for i := range res.Items {
			if err := batch.Index(res.Items[i].ID, res.Items[i]); err != nil {
				return err
			}
			n++
		}
		if batch.Size() >= 1000 {
			if err := idx.Batch(batch); err != nil {
				return err
			}
			batch = idx.NewBatch()
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	persisted := make(chan error, 1)
	batch.SetPersistedCallback(func(err error) { persisted <- err })
	if err := idx.Batch(batch); err != nil {
		return n, err
	}
	if err := <-persisted; err != nil {
		return n, err
	}
	closed = true
	return n, idx.Close()
}

func dirSize(tb testing.TB, dir string) int64 {
	tb.Helper()
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			n += info.Size()
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// sampleHeap samples the Go heap's live and unswept objects every 20 ms
// until the returned function is called, which returns the peak.
func sampleHeap() func() uint64 {
	const name = "/memory/classes/heap/objects:bytes"
	sample := []metrics.Sample{{Name: name}}
	var peak uint64
	var mu sync.Mutex
	done := make(chan struct{})
	stopped := make(chan struct{})
	read := func() {
		metrics.Read(sample)
		mu.Lock()
		peak = max(peak, sample[0].Value.Uint64())
		mu.Unlock()
	}
	go func() {
		defer close(stopped)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-stopped
		read()
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// resetPeakRSS resets the process's peak resident set size (Linux: writing
// 5 to /proc/self/clear_refs); elsewhere it does nothing.
func resetPeakRSS() {
	runtime.GC()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSSBytes returns the process's peak resident set size (VmHWM), or 0
// where /proc is missing.
func peakRSSBytes() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Bytes()
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb, err := strconv.ParseUint(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))), 10, 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}

var (
	benchIndexOnce sync.Once
	benchIndexDir  string
	benchIndexErr  error
)

// xwlbIndex builds the index of all xwlb once per test binary.
func xwlbIndex(b *testing.B) *Index {
	b.Helper()
	benchIndexOnce.Do(func() {
		dir, err := os.MkdirTemp("", "newsarchive-bench-")
		if err != nil {
			benchIndexErr = err
			return
		}
		benchIndexDir = filepath.Join(dir, "idx")
		_, benchIndexErr = Update(context.Background(), Options{Corpus: corpustest.TestData(b, "xwlb"), Dir: benchIndexDir, Rebuild: true, Parser: newParser(b)})
	})
	if benchIndexErr != nil {
		b.Fatal(benchIndexErr)
	}
	idx, err := Open(benchIndexDir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { idx.Close() })
	return idx
}

// BenchmarkExactQuery measures quoted queries on the xwlb index (built
// once, about 15 s): "verified" is the query as searched (first page of 20
// hits, total counted), "candidates" the same without the verification of
// the stored text, to show what the verification costs. Metrics: hits and
// candidates (totals).
//
//	go test ./index -run '^$' -bench ExactQuery -benchtime 2s
func BenchmarkExactQuery(b *testing.B) {
	idx := xwlbIndex(b)
	for _, s := range []string{"中", "经济", "中国", "习近平总书记", "高质量发展", "人类命运共同体", "一带一路", "新时代中国特色社会主义思想", "乡村振兴，共同富裕"} {
		q := ExactQuery(s, ScopeAll).(*ExactPhraseQuery)
		cand := *q
		cand.unverified = true
		var hits, candidates uint64
		for _, c := range []struct {
			name string
			q    *ExactPhraseQuery
			n    *uint64
		}{{"verified", q, &hits}, {"candidates", &cand, &candidates}} {
			b.Run(s+"/"+c.name, func(b *testing.B) {
				req := bleve.NewSearchRequestOptions(c.q, 20, 0, false)
				for b.Loop() {
					res, err := idx.searchBleve(context.Background(), req)
					if err != nil {
						b.Fatal(err)
					}
					*c.n = res.Total
				}
				b.ReportMetric(float64(*c.n), "hits")
			})
		}
	}
}
