package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"newsarchive/opensearch"
)

// The opensearch engine: the archive on an OpenSearch cluster, loaded and
// served with the archive's own code (package opensearch), measured by
// the same harness. The cluster is not started by the harness: it is
// given by --opensearch-url or $NEWSARCHIVE_OPENSEARCH_URL (credentials
// from $NEWSARCHIVE_OPENSEARCH_USER and _PASSWORD). Each article count
// loads into a fresh alias, bench-<n>-<time>-<random>, whose generations
// are deleted when the count is done, also on failure.
//
// What the harness reads from the cluster itself, beside what the
// children measure:
//   - the index size: GET /ALIAS/_stats/store (primaries, and with the
//     replicas), after a refresh and once the background merges are done;
//   - the nodes' CPU time (process.cpu.total_in_millis of
//     _nodes/stats/process) around the load and the timed runs;
//   - the nodes' memory while serving, sampled every second: JVM heap
//     used (_nodes/stats/jvm) and, for a node on this machine, its
//     resident set (VmRSS of /proc/PID/status, the pid from
//     _nodes/process), reported apart from the Go server's RSS.
//
// The nodes are shared: another user of the cluster adds to its CPU,
// heap and merges, so those figures are upper bounds.

// clusterConfig returns the configuration of the cluster: the
// environment's (opensearch.ConfigFromEnv), with urls if given, and alias.
func clusterConfig(urls []string, alias string) opensearch.Config {
	cfg := opensearch.ConfigFromEnv()
	if len(urls) > 0 {
		cfg.URLs = urls
	}
	cfg.Alias = alias
	return cfg
}

// splitURLs splits a comma-separated list of node URLs.
func splitURLs(s string) []string {
	var out []string
	for _, u := range strings.Split(s, ",") {
		if u = strings.TrimSpace(u); u != "" {
			out = append(out, u)
		}
	}
	return out
}

// benchAlias is a fresh alias for the run of n articles.
func benchAlias(n int, now time.Time) string {
	var b [3]byte
	rand.Read(b[:])
	return fmt.Sprintf("bench-%d-%s-%s", n, strings.ToLower(now.UTC().Format("20060102t150405")), hex.EncodeToString(b[:]))
}

// deleteAlias deletes every generation of alias, and so the alias.
func deleteAlias(ctx context.Context, cfg opensearch.Config) error {
	c, err := opensearch.New(cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	return c.DeleteAll(ctx)
}

// clusterHTTP reads the cluster's statistics with plain HTTP GETs, tried
// on each node in turn.
type clusterHTTP struct {
	cfg    opensearch.Config
	client *http.Client
}

func newClusterHTTP(cfg opensearch.Config) *clusterHTTP {
	return &clusterHTTP{cfg: cfg, client: &http.Client{Timeout: 30 * time.Second}}
}

// do sends a request to the first node that answers and decodes its JSON
// answer into out (when not nil).
func (c *clusterHTTP) do(ctx context.Context, method, path string, out any) error {
	var errs []error
	for _, base := range c.cfg.URLs {
		req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(base, "/")+path, nil)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		if c.cfg.Username != "" {
			req.SetBasicAuth(c.cfg.Username, c.cfg.Password)
		}
		resp, err := c.client.Do(req)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if resp.StatusCode/100 != 2 {
			return fmt.Errorf("%s %s on %s: %s: %.300s", method, path, base, resp.Status, body)
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("%s %s on %s: decode: %w", method, path, base, err)
		}
		return nil
	}
	return fmt.Errorf("%s %s: no node answers: %w", method, path, errors.Join(errs...))
}

// storeStats are an index's sizes and merges.
type storeStats struct {
	All struct {
		Primaries struct {
			Store struct {
				SizeInBytes int64 `json:"size_in_bytes"`
			} `json:"store"`
			Docs struct {
				Count int64 `json:"count"`
			} `json:"docs"`
		} `json:"primaries"`
		Total struct {
			Store struct {
				SizeInBytes int64 `json:"size_in_bytes"`
			} `json:"store"`
			Merges struct {
				Current int64 `json:"current"`
			} `json:"merges"`
		} `json:"total"`
	} `json:"_all"`
}

// indexSize refreshes alias's index, waits (up to limit) until no merge
// runs on it, and returns its store size: primaries, with the replicas,
// and the seconds waited.
func (c *clusterHTTP) indexSize(ctx context.Context, alias string, limit time.Duration) (primaries, total int64, waited float64, err error) {
	p := "/" + url.PathEscape(alias)
	if err := c.do(ctx, http.MethodPost, p+"/_refresh", nil); err != nil {
		return 0, 0, 0, err
	}
	start := time.Now()
	var st storeStats
	for {
		st = storeStats{}
		if err := c.do(ctx, http.MethodGet, p+"/_stats/store,docs,merge", &st); err != nil {
			return 0, 0, 0, err
		}
		if st.All.Total.Merges.Current == 0 || time.Since(start) > limit {
			break
		}
		select {
		case <-ctx.Done():
			return 0, 0, 0, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return st.All.Primaries.Store.SizeInBytes, st.All.Total.Store.SizeInBytes, time.Since(start).Seconds(), nil
}

// nodeStat is one node's figures at one moment.
type nodeStat struct {
	Name        string
	PID         int
	HeapUsed    int64
	HeapMax     int64
	NonHeapUsed int64
	CPUMillis   int64
	RSS         int64 // 0 when the node is not on this machine
}

// nodes returns every node's figures, by name.
func (c *clusterHTTP) nodes(ctx context.Context) ([]nodeStat, error) {
	var st struct {
		Nodes map[string]struct {
			Name    string `json:"name"`
			Process struct {
				CPU struct {
					TotalInMillis int64 `json:"total_in_millis"`
				} `json:"cpu"`
			} `json:"process"`
			JVM struct {
				Mem struct {
					HeapUsed    int64 `json:"heap_used_in_bytes"`
					HeapMax     int64 `json:"heap_max_in_bytes"`
					NonHeapUsed int64 `json:"non_heap_used_in_bytes"`
				} `json:"mem"`
			} `json:"jvm"`
		} `json:"nodes"`
	}
	if err := c.do(ctx, http.MethodGet, "/_nodes/stats/jvm,process", &st); err != nil {
		return nil, err
	}
	var info struct {
		Nodes map[string]struct {
			Process struct {
				ID int `json:"id"`
			} `json:"process"`
		} `json:"nodes"`
	}
	if err := c.do(ctx, http.MethodGet, "/_nodes/process", &info); err != nil {
		return nil, err
	}
	var out []nodeStat
	for id, n := range st.Nodes {
		ns := nodeStat{Name: n.Name, PID: info.Nodes[id].Process.ID, HeapUsed: n.JVM.Mem.HeapUsed, HeapMax: n.JVM.Mem.HeapMax,
			NonHeapUsed: n.JVM.Mem.NonHeapUsed, CPUMillis: n.Process.CPU.TotalInMillis}
		ns.RSS = localRSS(ns.PID)
		out = append(out, ns)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// cpuSeconds is the nodes' CPU time in total.
func cpuSeconds(ns []nodeStat) float64 {
	var ms int64
	for _, n := range ns {
		ms += n.CPUMillis
	}
	return float64(ms) / 1000
}

// localRSS is the resident set of process pid if it is an OpenSearch node
// on this machine, else 0.
func localRSS(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	dir := "/proc/" + strconv.Itoa(pid)
	if cmd, err := os.ReadFile(dir + "/cmdline"); err != nil || !bytes.Contains(cmd, []byte("opensearch")) {
		return 0
	}
	b, err := os.ReadFile(dir + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// clusterMemory is the cluster nodes' memory while an engine served,
// apart from the Go server's RSS: the peak of each node's JVM heap used
// and resident set over samples taken every second.
type clusterMemory struct {
	Nodes []nodeMemory `json:"nodes"`
	// HeapUsedPeakMB and RSSPeakMB are the sums of the nodes' peaks;
	// HeapMaxMB the sum of their heap limits.
	HeapUsedPeakMB float64 `json:"heap_used_peak_mb"`
	HeapMaxMB      float64 `json:"heap_max_mb"`
	RSSPeakMB      float64 `json:"rss_peak_mb"` // 0 when no node is on this machine
	Samples        int     `json:"samples"`
	// CPUSeconds is the nodes' CPU time from the first sample to the
	// last (the verification pass and the timed runs).
	CPUSeconds float64 `json:"cpu_seconds"`
	Note       string  `json:"note"`
}

type nodeMemory struct {
	Name           string  `json:"name"`
	PID            int     `json:"pid"`
	HeapUsedPeakMB float64 `json:"heap_used_peak_mb"`
	HeapMaxMB      float64 `json:"heap_max_mb"`
	NonHeapMB      float64 `json:"non_heap_mb"`
	RSSPeakMB      float64 `json:"rss_peak_mb"`
}

// memSampler samples the nodes every second until stopped.
type memSampler struct {
	c      *clusterHTTP
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	first  []nodeStat
	last   []nodeStat
	peak   map[string]*nodeMemory
	n      int
}

func startMemSampler(ctx context.Context, c *clusterHTTP) *memSampler {
	ctx, cancel := context.WithCancel(ctx)
	s := &memSampler{c: c, cancel: cancel, done: make(chan struct{}), peak: map[string]*nodeMemory{}}
	go func() {
		defer close(s.done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			s.sample(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *memSampler) sample(ctx context.Context) {
	ns, err := s.c.nodes(ctx)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.first == nil {
		s.first = ns
	}
	s.last = ns
	s.n++
	for _, n := range ns {
		p := s.peak[n.Name]
		if p == nil {
			p = &nodeMemory{Name: n.Name, PID: n.PID}
			s.peak[n.Name] = p
		}
		p.HeapUsedPeakMB = max(p.HeapUsedPeakMB, mb(n.HeapUsed))
		p.HeapMaxMB = mb(n.HeapMax)
		p.NonHeapMB = max(p.NonHeapMB, mb(n.NonHeapUsed))
		p.RSSPeakMB = max(p.RSSPeakMB, mb(n.RSS))
	}
}

// stop takes a last sample and returns the figures.
func (s *memSampler) stop(ctx context.Context) *clusterMemory {
	s.cancel()
	<-s.done
	s.sample(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	m := &clusterMemory{Samples: s.n, Note: "the cluster nodes' own memory, not in the Go server's peak_rss_mb: JVM heap used " +
		"(_nodes/stats/jvm) and resident set (/proc/PID/status VmRSS of a node on this machine), peaks of samples taken every second"}
	if s.first != nil {
		m.CPUSeconds = cpuSeconds(s.last) - cpuSeconds(s.first)
	}
	for _, p := range s.peak {
		m.Nodes = append(m.Nodes, *p)
		m.HeapUsedPeakMB += p.HeapUsedPeakMB
		m.HeapMaxMB += p.HeapMaxMB
		m.RSSPeakMB += p.RSSPeakMB
	}
	sort.Slice(m.Nodes, func(i, j int) bool { return m.Nodes[i].Name < m.Nodes[j].Name })
	return m
}
