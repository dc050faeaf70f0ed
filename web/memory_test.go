package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"newsarchive/corpus"
	"newsarchive/corpus/corpustest"
	"newsarchive/index"
	"newsarchive/search/searchtest"
	"newsarchive/serving"
	"newsarchive/web"
)

// Memory budgets of TestMemoryBudget (docs/operations.md): a bulletin file
// of the largest size read (corpus.MaxFileSize) made of one article, and an
// article of exactly corpus.MaxArticleBytes, indexed and served.
const (
	// indexHeapBudget bounds the live Go heap (after a collection) of a
	// process that loads the segmenter (about 230 MiB) and indexes the
	// two files (measured 790 MiB); indexPeakBudget bounds its peak RSS
	// (VmHWM): with GOGC at 100 the heap may grow to twice the live heap
	// before a collection, so the RSS follows the collector's timing
	// (measured 1.2 GiB on a quiet machine, 1.67 GiB on a starved one).
	// Before the limits, the huge file alone took 2.4 GiB.
	indexHeapBudget = 900 << 20
	indexPeakBudget = 2*indexHeapBudget + 128<<20
	// serveHeapBudget bounds how much the live Go heap grows over its idle
	// size while serveClients clients request the largest articles'
	// pages and records with q=字: 16 MiB per request in flight (the
	// record, its folded copy, up to MaxMarks marks, the page's HTML, the
	// similar articles' words), so that the bound holds however the
	// requests overlap on a loaded machine (measured 49-84 MiB in all on
	// 2 cores, the more the busier); serveRSSBudget bounds the growth of
	// the peak RSS meanwhile.
	serveHeapBudget = serveClients * 16 << 20
	serveRSSBudget  = 256 << 20
	// serveIdleSlack bounds what the heap keeps after the requests, once
	// collected.
	serveIdleSlack = 8 << 20
	serveClients   = 6
	serveRounds    = 4
)

const (
	envMemoryPhase = "NEWSARCHIVE_MEMORY_PHASE"
	envMemoryDir   = "NEWSARCHIVE_MEMORY_DIR"
)

// memoryReport is what a child process of TestMemoryBudget measured.
type memoryReport struct {
	BaseRSS    int64    // VmHWM before the phase's work (segmenter loaded)
	PeakRSS    int64    // VmHWM at the end
	IdleHeap   int64    // live heap before the requests (serve)
	PeakHeap   int64    // largest live heap sampled during the work
	AfterHeap  int64    // live heap after the requests, collected (serve)
	Articles   int      // articles in the index (index)
	Problems   []string // warnings of the run (index)
	Requests   int      // requests answered (serve)
	LargestRec int      // bytes of the largest body served (serve)
}

// TestMemoryBudget indexes a bulletin file of exactly corpus.MaxFileSize
// bytes holding one article, and a file with an article of exactly
// corpus.MaxArticleBytes of body, each in a child process whose peak RSS
// is read from /proc/self/status; then serves them in another child, six
// clients at once asking for the article page and the API record with
// q=字, sampling the live heap.
func TestMemoryBudget(t *testing.T) {
	if phase := os.Getenv(envMemoryPhase); phase != "" {
		memoryChild(t, phase, os.Getenv(envMemoryDir))
		return
	}
	dir := t.TempDir()
	corpusDir := filepath.Join(dir, "corpus")
	if err := os.Mkdir(corpusDir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeMaximalFiles(t, corpusDir)

	ix := runMemoryChild(t, "index", dir)
	t.Logf("index: base RSS %d MiB, peak RSS %d MiB, peak heap %d MiB, %d articles",
		ix.BaseRSS>>20, ix.PeakRSS>>20, ix.PeakHeap>>20, ix.Articles)
	for _, p := range ix.Problems {
		t.Logf("index warning: %s", p)
	}
	parts := (corpus.MaxFileSize + corpus.MaxArticleBytes - 1) / corpus.MaxArticleBytes
	if ix.Articles != parts+1 {
		t.Errorf("%d articles indexed, want the huge one split into %d parts and the one at the limit", ix.Articles, parts)
	}
	if ix.PeakHeap > indexHeapBudget {
		t.Errorf("indexing's live heap peaked at %d MiB, the budget is %d MiB", ix.PeakHeap>>20, indexHeapBudget>>20)
	}
	if ix.PeakRSS > indexPeakBudget {
		t.Errorf("indexing peaked at %d MiB RSS, the budget is %d MiB", ix.PeakRSS>>20, indexPeakBudget>>20)
	}

	sv := runMemoryChild(t, "serve", dir)
	t.Logf("serve: %d requests, largest body %d bytes; heap idle %d MiB, peak %d MiB, after %d MiB; RSS base %d MiB, peak %d MiB",
		sv.Requests, sv.LargestRec, sv.IdleHeap>>20, sv.PeakHeap>>20, sv.AfterHeap>>20, sv.BaseRSS>>20, sv.PeakRSS>>20)
	if sv.LargestRec != corpus.MaxArticleBytes {
		t.Errorf("the largest body served has %d bytes, want the article at the limit (%d)", sv.LargestRec, corpus.MaxArticleBytes)
	}
	if sv.Requests != 2*serveClients*serveRounds*4 {
		t.Errorf("%d requests answered", sv.Requests)
	}
	if grow := sv.PeakHeap - sv.IdleHeap; grow > serveHeapBudget {
		t.Errorf("serving grew the heap by %d MiB, the budget is %d MiB", grow>>20, serveHeapBudget>>20)
	}
	if grow := sv.PeakRSS - sv.BaseRSS; grow > serveRSSBudget {
		t.Errorf("serving grew the peak RSS by %d MiB, the budget is %d MiB", grow>>20, serveRSSBudget>>20)
	}
	if kept := sv.AfterHeap - sv.IdleHeap; kept > serveIdleSlack {
		t.Errorf("the heap kept %d MiB after the requests, want at most %d MiB", kept>>20, serveIdleSlack>>20)
	}
}

// runMemoryChild runs one phase of TestMemoryBudget in a child process of
// the test binary and returns its report.
func runMemoryChild(t *testing.T, phase, dir string) memoryReport {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestMemoryBudget$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), envMemoryPhase+"="+phase, envMemoryDir+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s phase: %v\n%s", phase, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if js, ok := strings.CutPrefix(strings.TrimSpace(line), "MEMORY "); ok {
			var r memoryReport
			if err := json.Unmarshal([]byte(js), &r); err != nil {
				t.Fatalf("%s phase report %q: %v", phase, js, err)
			}
			return r
		}
	}
	t.Fatalf("%s phase printed no report:\n%s", phase, out)
	return memoryReport{}
}

// xwlbParagraphs are body paragraphs of the shared xwlb corpus that the parser
// keeps as they are (corpustest.Paragraphs).
func xwlbParagraphs(t *testing.T) []string {
	t.Helper()
	paras := corpustest.Paragraphs(t, 200)
	if len(paras) < 1000 {
		t.Fatalf("only %d xwlb paragraphs", len(paras))
	}
	return paras
}

// writeMaximalFiles writes huge.txt, exactly corpus.MaxFileSize bytes: one
// article of real text; and limit.txt, an article whose body is exactly
// corpus.MaxArticleBytes.
func writeMaximalFiles(t *testing.T, dir string) {
	t.Helper()
	paras := xwlbParagraphs(t)
	var b bytes.Buffer
	b.WriteString("---\npaper: 测试日报\ndate: 2024-01-01\npage: 1\n---\n\n### 一篇极长的文章\n\n")
	for i := 0; ; i++ {
		p := paras[i%len(paras)]
		if b.Len()+len(p)+2+64 > corpus.MaxFileSize {
			break
		}
		b.WriteString(p)
		b.WriteString("\n\n")
	}
	rest := corpus.MaxFileSize - b.Len() - len("。\n")
	b.WriteString(strings.Repeat("字", rest/3) + strings.Repeat("x", rest%3) + "。\n")
	if b.Len() != corpus.MaxFileSize {
		t.Fatalf("huge.txt has %d bytes", b.Len())
	}
	if err := os.WriteFile(filepath.Join(dir, "huge.txt"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	// The body is the paragraphs joined by "\n".
	var body strings.Builder
	for i := 0; body.Len() < corpus.MaxArticleBytes-1000; i++ {
		if body.Len() > 0 {
			body.WriteByte('\n')
		}
		body.WriteString(paras[(i*7)%len(paras)])
	}
	rest = corpus.MaxArticleBytes - body.Len() - len("\n") - len("。")
	body.WriteString("\n" + strings.Repeat("字", rest/3) + strings.Repeat("x", rest%3) + "。")
	if body.Len() != corpus.MaxArticleBytes {
		t.Fatalf("limit.txt's body has %d bytes", body.Len())
	}
	text := "---\npaper: 测试日报\ndate: 2024-01-02\npage: 1\n---\n\n### 正好到上限的文章\n\n" + strings.ReplaceAll(body.String(), "\n", "\n\n") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "limit.txt"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// vmHWM reads the peak resident set size of this process.
func vmHWM(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatalf("read peak RSS: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("read peak RSS from %q: %v", line, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/self/status")
	return 0
}

// resetHWM resets the peak RSS to the current RSS (Linux: clear_refs 5).
func resetHWM(t *testing.T) {
	t.Helper()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Fatalf("reset peak RSS: %v", err)
	}
}

// liveHeap is the live heap the last garbage collection marked (the
// garbage made since is not counted: it is what GOGC lets the heap grow
// by, which the peak RSS shows).
func liveHeap() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}

// heapSampler records the largest heap seen until stopped.
func heapSampler() (stop func() int64) {
	var mu sync.Mutex
	peak := liveHeap()
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				h := liveHeap()
				mu.Lock()
				peak = max(peak, h)
				mu.Unlock()
			}
		}
	}()
	return func() int64 {
		close(done)
		<-finished
		mu.Lock()
		defer mu.Unlock()
		return max(peak, liveHeap())
	}
}

func memoryChild(t *testing.T, phase, dir string) {
	tagger, err := corpus.DefaultTagger()
	if err != nil {
		t.Fatal(err)
	}
	if err := searchtest.Init(tagger); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var r memoryReport
	r.BaseRSS = vmHWM(t)
	ctx := context.Background()
	idxDir := filepath.Join(dir, "index")
	switch phase {
	case "index":
		stop := heapSampler()
		sum, err := index.Update(ctx, index.Options{Corpus: filepath.Join(dir, "corpus"), Dir: idxDir, Parser: corpus.NewParser(tagger),
			Logger: slog.New(slog.DiscardHandler)})
		r.PeakHeap = stop()
		if err != nil {
			t.Fatal(err)
		}
		r.Articles = sum.Articles
		for _, p := range sum.Problems {
			r.Problems = append(r.Problems, p.Error())
		}
	case "serve":
		idx, err := index.Open(idxDir)
		if err != nil {
			t.Fatal(err)
		}
		defer idx.Close()
		ts := httptest.NewServer(web.New(serving.Fixed(idx, tagger), web.Options{Logger: slog.New(slog.DiscardHandler), Limits: web.Limits{RatePerSecond: -1}}).Handler())
		defer ts.Close()
		// The largest articles: the one at the limit and the first parts of
		// the huge one.
		ids := []string{corpus.ArticleID("limit.txt", 1), corpus.ArticleID("huge.txt", 1), corpus.ArticleID("huge.txt", 2), corpus.ArticleID("huge.txt", 3)}
		for i, id := range ids {
			a, err := idx.Record(ctx, id)
			if m, ok := errors.AsType[*index.MovedError](err); ok {
				// The files have page metadata: their ids are page ids.
				ids[i] = m.To
				a, err = idx.Record(ctx, m.To)
			}
			if err != nil {
				t.Fatalf("record %s: %v", id, err)
			}
			r.LargestRec = max(r.LargestRec, len(a.Body))
		}
		paths := func(id string) []string {
			return []string{"/articles/" + id + "?q=%E5%AD%97", "/api/v1/articles/" + id + "?q=%E5%AD%97"}
		}
		fetch := func(path string) error {
			resp, err := http.Get(ts.URL + path)
			if err != nil {
				return err
			}
			defer resp.Body.Close()
			n, err := io.Copy(io.Discard, bufio.NewReader(resp.Body))
			if err != nil {
				return err
			}
			if resp.StatusCode != 200 || n == 0 {
				return fmt.Errorf("%s: %d, %d bytes", path, resp.StatusCode, n)
			}
			return nil
		}
		for _, id := range ids { // warm up: caches filled, segments open
			for _, p := range paths(id) {
				if err := fetch(p); err != nil {
					t.Fatal(err)
				}
			}
		}
		runtime.GC()
		r.IdleHeap = liveHeap()
		resetHWM(t)
		r.BaseRSS = vmHWM(t)
		stop := heapSampler()
		var wg sync.WaitGroup
		errs := make(chan error, serveClients)
		var mu sync.Mutex
		for c := range serveClients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for round := range serveRounds {
					for k := range ids {
						for _, p := range paths(ids[(c+round+k)%len(ids)]) {
							if err := fetch(p); err != nil {
								errs <- err
								return
							}
							mu.Lock()
							r.Requests++
							mu.Unlock()
						}
					}
				}
			}()
		}
		wg.Wait()
		r.PeakHeap = stop()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		runtime.GC()
		r.AfterHeap = liveHeap()
	default:
		t.Fatalf("unknown phase %q", phase)
	}
	r.PeakRSS = vmHWM(t)
	js, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("MEMORY %s\n", js)
}
