package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"newsarchive/corpus/corpustest"
	"newsarchive/opensearch"
)

// envRequire makes the cluster tests fail, not skip, without a cluster
// (as CI runs them; the opensearch package's tests read it too).
const envRequire = "NEWSARCHIVE_REQUIRE_OPENSEARCH"

// testClusterURLs returns the test cluster's node URLs from
// $NEWSARCHIVE_OPENSEARCH_URL. Without them the test skips, or fails
// under NEWSARCHIVE_REQUIRE_OPENSEARCH=1.
func testClusterURLs(t *testing.T) []string {
	t.Helper()
	urls := opensearch.ConfigFromEnv().URLs
	if len(urls) == 0 {
		msg := "no OpenSearch cluster: run scripts/opensearch-cluster start, then " +
			"NEWSARCHIVE_OPENSEARCH_URL=http://127.0.0.1:9200,http://127.0.0.1:9201 go test ./cmd/bench/ -run Cluster"
		if os.Getenv(envRequire) == "1" {
			t.Fatal(msg + "; " + envRequire + "=1 requires it")
		}
		t.Skip(msg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var h struct {
		Status string `json:"status"`
	}
	if err := newClusterHTTP(clusterConfig(urls, "")).do(ctx, http.MethodGet, "/_cluster/health", &h); err != nil {
		t.Fatalf("cluster at %v does not answer: %v", urls, err)
	}
	return urls
}

// TestBenchCluster runs the harness on ours and the opensearch engine at
// small scale: the corpus is loaded into the test cluster under a fresh
// alias, served by the archive's web app over the cluster, verified and
// timed like ours. The cluster must answer every query of the mix as
// ours does (totals, facet counts, the first page of date orders), every
// figure must be measured, and the bench's index must be gone afterwards.
// No timing is asserted.
func TestBenchCluster(t *testing.T) {
	urls := testClusterURLs(t)
	if testing.Short() {
		t.Skip("builds an index, loads the cluster and starts two servers")
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
		"--articles", strconv.Itoa(n), "--clients", "1,8", "--duration", "2s", "--engines", "ours,opensearch",
		"--opensearch-url", strings.Join(urls, ","),
		"--source", corpustest.TestData(t, "xwlb"), "--out", out,
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
	if !slices.Equal(rep.Options.OpenSearchURLs, urls) {
		t.Errorf("report's cluster %v, want %v", rep.Options.OpenSearchURLs, urls)
	}
	ours, oe := sr.Engines["ours"], sr.Engines["opensearch"]
	if ours == nil || oe == nil || oe.Index == nil || oe.Serve == nil || ours.Serve == nil {
		t.Fatalf("figures missing: ours %+v, opensearch %+v", ours, oe)
	}
	if !strings.HasPrefix(oe.Alias, "bench-"+strconv.Itoa(n)+"-") {
		t.Errorf("alias %q, want bench-%d-…", oe.Alias, n)
	}

	// Indexing.
	ix := oe.Index
	if ix.Articles != sr.Corpus.Articles || ix.Files != sr.Corpus.Files {
		t.Errorf("opensearch: %d articles of %d files loaded, the corpus has %d of %d", ix.Articles, ix.Files, sr.Corpus.Articles, sr.Corpus.Files)
	}
	if ix.Seconds <= 0 || ix.MBps <= 0 || ix.ArticlesPerSec <= 0 || ix.CPUSeconds <= 0 || ix.PeakRSSMB <= 0 || ix.InitSeconds <= 0 {
		t.Errorf("opensearch: indexing figures not all measured: %+v", ix)
	}
	if ix.IndexBytes <= 0 || ix.IndexBytesWithReplicas < ix.IndexBytes || ix.SizeRatio <= 0 {
		t.Errorf("opensearch: index size %d, with replicas %d, ratio %.2f", ix.IndexBytes, ix.IndexBytesWithReplicas, ix.SizeRatio)
	}
	if ix.ClusterCPUSeconds <= 0 {
		t.Errorf("opensearch: the nodes' CPU during the load not measured: %+v", ix)
	}

	// Serving: the Go server, and the nodes apart.
	sv := oe.Serve
	if sv.ReadySeconds <= 0 || sv.PeakRSSMB <= 0 || sv.CPUSeconds <= 0 || sv.Startup["open_s"] <= 0 {
		t.Errorf("opensearch: ready %.2f s, serving RSS %.0f MB, CPU %.1f s, startup %v", sv.ReadySeconds, sv.PeakRSSMB, sv.CPUSeconds, sv.Startup)
	}
	cl := sv.Cluster
	if cl == nil || len(cl.Nodes) != len(urls) || cl.Samples < 2 || cl.HeapUsedPeakMB <= 0 || cl.HeapMaxMB < cl.HeapUsedPeakMB || cl.CPUSeconds <= 0 {
		t.Fatalf("opensearch: the nodes' figures: %+v", cl)
	}
	if loopback(urls) {
		for _, nd := range cl.Nodes {
			if nd.PID <= 0 || nd.RSSPeakMB <= nd.HeapUsedPeakMB/2 {
				t.Errorf("node %s on this machine: pid %d, RSS %.0f MB, heap used %.0f MB", nd.Name, nd.PID, nd.RSSPeakMB, nd.HeapUsedPeakMB)
			}
		}
		if sv.totalRSSMB() <= sv.PeakRSSMB {
			t.Errorf("serving RSS with the nodes %.0f MB, the Go server alone %.0f MB", sv.totalRSSMB(), sv.PeakRSSMB)
		}
	}

	// The same answers as ours.
	if len(sv.Checks) != len(queryMix) || len(ours.Serve.Checks) != len(queryMix) {
		t.Fatalf("%d and %d queries verified, the mix has %d", len(sv.Checks), len(ours.Serve.Checks), len(queryMix))
	}
	hits, marks := 0, 0
	for i, c := range sv.Checks {
		o := ours.Serve.Checks[i]
		if c.Problem != "" || c.Status != 200 {
			t.Errorf("opensearch: %s: status %d %s", c.Path, c.Status, c.Problem)
			continue
		}
		if !c.Facets {
			t.Errorf("opensearch: %s: no county facet", c.Path)
		}
		if c.Total != o.Total {
			t.Errorf("%s: opensearch %d hits, ours %d", c.Path, c.Total, o.Total)
		}
		if c.FacetDigest != o.FacetDigest {
			t.Errorf("%s: facets differ:\nopensearch %s\nours       %s", c.Path, c.FacetDigest, o.FacetDigest)
		}
		if queryMix[i].Sort == "date" && !slices.Equal(c.IDs, o.IDs) {
			t.Errorf("%s: first page by date differs:\nopensearch %v\nours       %v", c.Path, c.IDs, o.IDs)
		}
		if c.Hits != min(int(c.Total), 20) {
			t.Errorf("opensearch: %s: %d hits on the page of %d", c.Path, c.Hits, c.Total)
		}
		if c.Total > 0 {
			hits++
		}
		if c.Marks {
			marks++
		}
	}
	if hits < len(queryMix)/2 || marks == 0 {
		t.Errorf("opensearch: %d of %d queries have hits, %d have marks", hits, len(queryMix), marks)
	}
	if a := sr.Agreement["opensearch"]; a == nil || a.Queries != len(queryMix) || a.SameTotal != a.Queries || a.SameFacets != a.Queries || a.DateOrdered == 0 || a.SameIDs != a.DateOrdered {
		t.Errorf("agreement with ours: %+v", a)
	}

	// Timed runs.
	for _, clients := range []int{1, 8} {
		l := sv.load(clients)
		if l == nil {
			t.Fatalf("opensearch: no run at %d clients", clients)
		}
		if l.Errors != 0 {
			t.Errorf("opensearch, %d clients: %d errors, first: %s", clients, l.Errors, l.FirstError)
		}
		if l.Requests == 0 || l.QPS <= 0 || l.P50 <= 0 || l.P50 > l.P95 || l.P95 > l.P99 || l.P99 > l.Max {
			t.Errorf("opensearch, %d clients: figures not sane: %+v", clients, l)
		}
	}

	// Ratios and the target, measured (whether met is the run's figure).
	for _, key := range []string{"index_mbps_ours_over_opensearch", "index_size_opensearch_over_ours", "index_size_with_replicas_opensearch_over_ours",
		"serve_rss_with_nodes_opensearch_over_ours", "ready_opensearch_over_ours",
		"p50_1c_opensearch_over_ours", "p95_1c_opensearch_over_ours", "p99_1c_opensearch_over_ours", "qps_1c_ours_over_opensearch",
		"p50_8c_opensearch_over_ours", "p99_8c_opensearch_over_ours", "qps_8c_ours_over_opensearch"} {
		if sr.Ratios[key] <= 0 {
			t.Errorf("ratio %s missing", key)
		}
	}
	tg := sr.Targets[len(sr.Targets)-1]
	if !strings.Contains(tg.Name, "ahead of the cluster") || tg.NA || tg.Value <= 0 || !strings.Contains(tg.Detail, "of 8 figures") {
		t.Errorf("issue 16's target: %+v", tg)
	}
	for _, row := range []string{"ours vs opensearch", "cluster nodes' RSS MB", "cluster nodes' heap used MB", "serving RSS with the nodes MB", "opensearch answers as ours: same total 24/24"} {
		if !strings.Contains(stdout.String(), row) {
			t.Errorf("the table lacks %q", row)
		}
	}

	// The bench's index is gone.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var left []map[string]any
	if err := newClusterHTTP(clusterConfig(urls, "")).do(ctx, http.MethodGet, "/_cat/indices/"+url.PathEscape(oe.Alias)+"*?format=json&expand_wildcards=all", &left); err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("the bench's indexes are left on the cluster: %v", left)
	}
}

// loopback reports whether every URL is a node on this machine.
func loopback(urls []string) bool {
	for _, s := range urls {
		u, err := url.Parse(s)
		if err != nil || u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" && u.Hostname() != "::1" {
			return false
		}
	}
	return true
}

// TestOpenSearchNeedsURL: the opensearch engine without a cluster's URL
// is refused before anything runs, with a message naming the flag and
// the variable.
func TestOpenSearchNeedsURL(t *testing.T) {
	t.Setenv(opensearch.EnvURL, "")
	t.Setenv("OPENSEARCH_URL", "")
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"--engines", "ours,opensearch", "--source", t.TempDir()}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "--opensearch-url") || !strings.Contains(err.Error(), opensearch.EnvURL) {
		t.Fatalf("run without a URL: %v, want a refusal naming --opensearch-url and $%s", err, opensearch.EnvURL)
	}
	if stdout.Len() != 0 {
		t.Errorf("printed a report: %s", stdout.String())
	}
	o, err := parseFlags([]string{"--engines", "opensearch", "--opensearch-url", " http://a:9200, http://b:9200 ", "--source", t.TempDir()}, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"http://a:9200", "http://b:9200"}; !slices.Equal(o.OpenSearchURLs, want) {
		t.Errorf("URLs %q, want %q", o.OpenSearchURLs, want)
	}
	if _, err := parseFlags([]string{"--engines", "ours,elastic"}, &stderr); err == nil || !strings.Contains(err.Error(), "opensearch") {
		t.Errorf("unknown engine: %v, want the list of engines", err)
	}
}
