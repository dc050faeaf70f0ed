package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"newsarchive/corpus/corpustest"
)

// TestMain lets the test binary serve as the harness's child process: the
// harness re-executes its own binary for each phase.
func TestMain(m *testing.M) {
	if os.Getenv(EnvChild) != "" {
		os.Exit(childMain(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// smokeArticles is the corpus size of TestBenchSmoke: 3,000 articles keep
// it around a minute on the 2-core CI machine (at 14,000 the two index
// builds alone take about that). NEWSARCHIVE_BENCH_ARTICLES overrides it;
// the 14k smoke run is
//
//	NEWSARCHIVE_BENCH_ARTICLES=14000 go test ./cmd/bench -run Smoke -v
//
// or, with the full durations, go run ./cmd/bench --articles 14000.
const smokeArticles = 3000

// TestBenchSmoke runs the whole harness at small scale: corpus, both
// index builds, the three servers, the query mix at 1 and 8 clients. It
// prints the figures and checks that every one was measured and is sane,
// without timing assertions.
func TestBenchSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two indexes and starts three servers")
	}
	n := smokeArticles
	if s := os.Getenv("NEWSARCHIVE_BENCH_ARTICLES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatalf("NEWSARCHIVE_BENCH_ARTICLES: %v", err)
		}
	}
	out := filepath.Join(t.TempDir(), "report.json")
	var stdout, stderr bytes.Buffer
	start := time.Now()
	err := run(context.Background(), []string{
		"--articles", strconv.Itoa(n), "--clients", "1,8", "--duration", "2s",
		"--source", corpustest.TestData(t, "xwlb"), "--out", out, "--exports",
	}, &stdout, &stderr)
	t.Logf("harness took %s\n%s", time.Since(start).Round(time.Second), stdout.String())
	if err != nil {
		t.Fatalf("harness: %v\n%s", err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("report JSON: %v", err)
	}
	if len(rep.Scales) != 1 {
		t.Fatalf("report has %d scales, want 1", len(rep.Scales))
	}
	sr := rep.Scales[0]
	if sr.Corpus.Articles < n || sr.Corpus.Bytes <= 0 {
		t.Errorf("corpus: %+v, want at least %d articles", sr.Corpus, n)
	}
	for _, name := range []string{"ours", "cjk", "brute"} {
		e := sr.Engines[name]
		if e == nil || e.Index == nil || e.Serve == nil {
			t.Fatalf("%s: figures missing: %+v", name, e)
		}
		ix := e.Index
		if ix.Articles != sr.Corpus.Articles {
			t.Errorf("%s: %d articles indexed, the corpus has %d", name, ix.Articles, sr.Corpus.Articles)
		}
		if ix.MBps <= 0 || ix.ArticlesPerSec <= 0 || ix.Seconds <= 0 || ix.CPUSeconds <= 0 || ix.PeakRSSMB <= 0 {
			t.Errorf("%s: indexing figures not all measured: %+v", name, ix)
		}
		if name != "brute" && (ix.IndexBytes <= 0 || ix.SizeRatio <= 0) {
			t.Errorf("%s: index size not measured: %+v", name, ix)
		}
		sv := e.Serve
		if sv.ReadySeconds <= 0 || sv.PeakRSSMB <= 0 {
			t.Errorf("%s: ready %.2f s, serving RSS %.0f MB", name, sv.ReadySeconds, sv.PeakRSSMB)
		}
		if runtime.GOOS == "linux" && (sv.EndRSSAnonMB <= 0 || sv.EndRSSAnonMB > sv.PeakRSSMB || sv.EndRSSAnonMB+sv.EndRSSFileMB > sv.PeakRSSMB+1) {
			t.Errorf("%s: RSS at the end %.0f MB anonymous + %.0f MB files, peak %.0f MB", name, sv.EndRSSAnonMB, sv.EndRSSFileMB, sv.PeakRSSMB)
		}
		if len(sv.Checks) != len(queryMix) {
			t.Fatalf("%s: %d queries verified, the mix has %d", name, len(sv.Checks), len(queryMix))
		}
		hits := 0
		for _, c := range sv.Checks {
			if c.Problem != "" || c.Status != 200 {
				t.Errorf("%s: %s: status %d %s", name, c.Path, c.Status, c.Problem)
			}
			if !c.Facets {
				t.Errorf("%s: %s: no county facet", name, c.Path)
			}
			if c.Total > 0 {
				hits++
			}
		}
		if hits < len(queryMix)/2 {
			t.Errorf("%s: only %d of %d queries have hits", name, hits, len(queryMix))
		}
		for _, clients := range []int{1, 8} {
			l := sv.load(clients)
			if l == nil {
				t.Fatalf("%s: no run at %d clients", name, clients)
			}
			if l.Errors != 0 {
				t.Errorf("%s, %d clients: %d errors, first: %s", name, clients, l.Errors, l.FirstError)
			}
			if l.Requests == 0 || l.QPS <= 0 || l.P50 <= 0 || l.P50 > l.P95 || l.P95 > l.P99 || l.P99 > l.Max {
				t.Errorf("%s, %d clients: figures not sane: %+v", name, clients, l)
			}
		}
	}
	// Our downloads hold every hit, as many as X-Total-Count.
	if ex := sr.Engines["ours"].Serve.Exports; len(ex) != len(exportMix) {
		t.Errorf("%d downloads measured, the mix has %d", len(ex), len(exportMix))
	} else {
		for _, f := range ex {
			if f.Error != "" || f.Records != f.Total || f.Total == 0 || f.Trailer != "complete" || f.Bytes <= 0 || f.Seconds <= 0 || f.AnonPeakMB <= 0 {
				t.Errorf("download %s: %+v", f.Path, f)
			}
		}
		if ex[0].Total != sr.Engines["ours"].Index.Articles {
			t.Errorf("the download of every article has %d, the index %d", ex[0].Total, sr.Engines["ours"].Index.Articles)
		}
	}
	// Ours highlights what it finds, and quoted phrases find exactly what
	// the brute-force scan finds (the recall contract).
	ours, brute := sr.Engines["ours"].Serve.Checks, sr.Engines["brute"].Serve.Checks
	marks := 0
	for i, c := range ours {
		if c.Marks {
			marks++
		}
		q := queryMix[i]
		if strings.HasPrefix(q.Q, `"`) && !strings.Contains(q.Q, " ") && c.Total != brute[i].Total {
			t.Errorf("%s: ours %d hits, brute force %d", c.Path, c.Total, brute[i].Total)
		}
	}
	if marks == 0 {
		t.Error("no hit of ours has a <mark> in its highlights")
	}
	for _, key := range []string{"index_mbps_ours_over_cjk", "index_size_cjk_over_ours", "p50_1c_cjk_over_ours", "p50_1c_brute_over_ours", "p99_8c_cjk_over_ours", "qps_8c_ours_over_brute"} {
		if sr.Ratios[key] <= 0 {
			t.Errorf("ratio %s missing", key)
		}
	}
	if len(sr.Targets) != 12 {
		t.Errorf("%d targets checked, want 12", len(sr.Targets))
	}
	for i, tg := range sr.Targets {
		// The last, against the cluster, needs the opensearch engine.
		if tg.NA != (i == len(sr.Targets)-1) {
			t.Errorf("target %q: not measured %v", tg.Name, tg.NA)
		}
	}
	if !strings.Contains(stdout.String(), "1 client p50 ms") || !strings.Contains(stdout.String(), "targets") {
		t.Errorf("the table lacks rows:\n%s", stdout.String())
	}
}

func TestTerms(t *testing.T) {
	for _, c := range []struct {
		q      string
		terms  []string
		quoted []bool
	}{
		{"", nil, nil},
		{"经济", []string{"经济"}, []bool{false}},
		{"生态  保护", []string{"生态", "保护"}, []bool{false, false}},
		{`"高质量发展" 经济`, []string{"高质量发展", "经济"}, []bool{true, false}},
		{`"未闭合`, []string{"未闭合"}, []bool{true}},
	} {
		terms, quoted := terms(c.q)
		if strings.Join(terms, "|") != strings.Join(c.terms, "|") || len(quoted) != len(c.quoted) {
			t.Errorf("terms(%q) = %q %v, want %q %v", c.q, terms, quoted, c.terms, c.quoted)
			continue
		}
		for i := range quoted {
			if quoted[i] != c.quoted[i] {
				t.Errorf("terms(%q) quoted = %v, want %v", c.q, quoted, c.quoted)
			}
		}
	}
}

func TestRewriteFile(t *testing.T) {
	in := "---\npaper: 新闻联播\ndate: 2024-02-29\npage: 1\n---\n\n### 标题一\n\n第一段。\n\n第二段。\n\n### 标题二\n\n另一段。\n"
	units := []string{"梨树县", "双辽市"}
	out, n, err := rewriteFile([]byte(in), 1, 0, "四平日报", units)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	if n != 2 {
		t.Errorf("%d articles, want 2", n)
	}
	if !strings.Contains(s, "date: 2021-03-01\n") || !strings.Contains(s, "paper: 四平日报\n") {
		t.Errorf("front matter not rewritten:\n%s", s)
	}
	if !strings.Contains(s, "第二段。\n") || !strings.Contains(s, "另一段") || !strings.HasSuffix(s, "\n") {
		t.Errorf("text lost:\n%s", s)
	}
}
