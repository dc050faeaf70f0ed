package main

import (
	"fmt"
	"io"
	"math"
	"net/url"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is every figure of a run; --out writes it as JSON.
type Report struct {
	Started time.Time      `json:"started"`
	Host    map[string]any `json:"host"`
	Options *options       `json:"options"`
	Mix     []mixQuery     `json:"mix"`
	Scales  []*scaleReport `json:"scales"`
}

type scaleReport struct {
	Corpus  scaledCorpus             `json:"corpus"`
	Engines map[string]*engineReport `json:"engines"`
	// Ratios compare ours with a baseline; every ratio is oriented so
	// that above 1 means ours is better (faster, smaller, more
	// throughput).
	Ratios  map[string]float64 `json:"ratios"`
	Targets []target           `json:"targets"`
	// Agreement compares each other engine's answers in the
	// verification pass with ours'.
	Agreement map[string]*agreement `json:"agreement,omitempty"`
}

type engineReport struct {
	// Alias is the opensearch engine's alias on the cluster (deleted
	// after the run).
	Alias string        `json:"alias,omitempty"`
	Index *indexFigures `json:"index,omitempty"`
	Serve *serveFigures `json:"serve,omitempty"`
}

// agreement counts the queries of the verification pass on which an
// engine answered as ours did: the same total, the same facet counts
// (every value of the five facets), and, for the date-ordered queries
// (sort=date), the same ids on the first page in the same order.
type agreement struct {
	Queries     int      `json:"queries"`
	SameTotal   int      `json:"same_total"`
	SameFacets  int      `json:"same_facets"`
	DateOrdered int      `json:"date_ordered"`
	SameIDs     int      `json:"same_ids"`
	Differences []string `json:"differences,omitempty"`
}

// indexFigures are an engine's indexing figures. For brute force they are
// its load (parse and fold into memory) and Size is not measured. For
// opensearch, Seconds is opensearch.Client.Update (parse, bulk load,
// refresh, alias swap), CPUSeconds and PeakRSSMB are the loading Go
// process's, ClusterCPUSeconds the nodes', and IndexBytes the primaries'
// store size from _stats once the merges are done.
type indexFigures struct {
	Articles       int     `json:"articles"`
	Files          int     `json:"files"`
	RawMB          float64 `json:"raw_mb"`
	Seconds        float64 `json:"seconds"`
	InitSeconds    float64 `json:"init_seconds"` // the segmenter's load before indexing, not in Seconds
	MBps           float64 `json:"mb_per_s"`
	ArticlesPerSec float64 `json:"articles_per_s"`
	CPUSeconds     float64 `json:"cpu_seconds"`
	Cores          float64 `json:"cores"` // CPU seconds per wall second of the build
	IndexBytes     int64   `json:"index_bytes"`
	SizeRatio      float64 `json:"size_ratio"` // index bytes / raw text bytes
	PeakRSSMB      float64 `json:"peak_rss_mb"`
	Reused         bool    `json:"reused,omitempty"`
	// The opensearch engine's: the store with the replicas, the seconds
	// waited after the load for the cluster's merges to end before the
	// size was read (not in Seconds), and the nodes' CPU seconds during
	// the load (an upper bound: another user of the cluster adds to it).
	IndexBytesWithReplicas int64   `json:"index_bytes_with_replicas,omitempty"`
	MergeWaitSeconds       float64 `json:"merge_wait_s,omitempty"`
	ClusterCPUSeconds      float64 `json:"cluster_cpu_seconds,omitempty"`
	// LoadAvg is the machine's 1-minute load average when the phase
	// ended: above the core count, other processes shared the CPUs.
	LoadAvg float64 `json:"loadavg"`
}

func indexFiguresOf(r indexResult, u usage) *indexFigures {
	f := &indexFigures{
		Articles: r.Articles, Files: r.Files, RawMB: mb(r.Bytes), Seconds: r.Seconds, InitSeconds: r.InitSeconds,
		CPUSeconds: r.CPUSeconds, PeakRSSMB: mb(u.MaxRSS),
	}
	if r.Seconds > 0 {
		f.MBps = f.RawMB / r.Seconds
		f.ArticlesPerSec = float64(r.Articles) / r.Seconds
		f.Cores = r.CPUSeconds / r.Seconds
	}
	return f
}

type serveFigures struct {
	ReadySeconds float64 `json:"ready_s"`
	// WarmSeconds is ours' time from the start until the folded text is
	// loaded (after ready; until then quoted queries are slower).
	WarmSeconds float64 `json:"warm_s,omitempty"`
	// Startup splits ours' time to ready: init_s loading the word
	// segmenter, open_s opening the index and loading its columns, both
	// from the start and at the same time (the rest is process start and
	// the first /readyz).
	Startup map[string]float64 `json:"startup,omitempty"`
	// PeakRSSMB is the serving child's: for opensearch the Go server
	// alone; the nodes' memory is Cluster.
	PeakRSSMB float64 `json:"peak_rss_mb"`
	// EndRSSAnonMB and EndRSSFileMB split the serving child's resident
	// set when the timed runs ended: anonymous memory (heap, folded text)
	// and pages of mapped files (the index's segments it read).
	EndRSSAnonMB float64 `json:"end_rss_anon_mb,omitempty"`
	EndRSSFileMB float64 `json:"end_rss_file_mb,omitempty"`
	// CPUSeconds is the serving child's CPU time, start to stop.
	CPUSeconds float64 `json:"cpu_seconds"`
	// Cluster is the opensearch nodes' memory and CPU while serving.
	Cluster    *clusterMemory `json:"cluster,omitempty"`
	Checks     []check        `json:"checks"`
	Loads      []loadFigures  `json:"loads"`
	LoadAvg    float64        `json:"loadavg"` // when the timed runs ended (see indexFigures)
	CPUProfile string         `json:"cpu_profile,omitempty"`
	MemProfile string         `json:"mem_profile,omitempty"`
	// Exports are the downloads of --exports (ours only).
	Exports []exportFigures `json:"exports,omitempty"`
}

func (s *serveFigures) load(clients int) *loadFigures {
	if s == nil {
		return nil
	}
	for i := range s.Loads {
		if s.Loads[i].Clients == clients {
			return &s.Loads[i]
		}
	}
	return nil
}

// totalRSSMB is the serving RSS with the cluster nodes' (opensearch).
func (s *serveFigures) totalRSSMB() float64 {
	if s.Cluster == nil {
		return s.PeakRSSMB
	}
	return s.PeakRSSMB + s.Cluster.RSSPeakMB
}

// target is one of issue 7's (or issue 16's) targets, checked on this
// run's figures.
type target struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Want  string  `json:"want"`
	Met   bool    `json:"met"`
	NA    bool    `json:"na,omitempty"` // not measured in this run
	// Detail says which figure gave Value, where several are checked.
	Detail string `json:"detail,omitempty"`
}

func newReport(o *options) *Report {
	return &Report{Started: time.Now().UTC(), Host: hostInfo(), Options: o, Mix: queryMix}
}

// baselines are the engines ours is compared with, in table order.
var baselines = []string{"cjk", "brute", "opensearch"}

// evaluate computes the ratios, the agreement with ours and the targets.
func (sr *scaleReport) evaluate() {
	sr.Ratios = map[string]float64{}
	ours := sr.Engines["ours"]
	if ours == nil {
		return
	}
	ratio := func(name string, a, b float64) {
		if a > 0 && b > 0 {
			sr.Ratios[name] = a / b
		}
	}
	for _, base := range baselines {
		other := sr.Engines[base]
		if other == nil {
			continue
		}
		if ours.Index != nil && other.Index != nil {
			ratio("index_mbps_ours_over_"+base, ours.Index.MBps, other.Index.MBps)
			switch base {
			case "cjk":
				ratio("index_size_cjk_over_ours", other.Index.SizeRatio, ours.Index.SizeRatio)
				ratio("index_rss_cjk_over_ours", other.Index.PeakRSSMB, ours.Index.PeakRSSMB)
			case "opensearch":
				ratio("index_size_opensearch_over_ours", other.Index.SizeRatio, ours.Index.SizeRatio)
				ratio("index_size_with_replicas_opensearch_over_ours", float64(other.Index.IndexBytesWithReplicas), float64(ours.Index.IndexBytes))
			}
		}
		if ours.Serve != nil && other.Serve != nil {
			if base == "opensearch" {
				// The Go server alone would flatter the cluster: its RSS
				// with the nodes'.
				ratio("serve_rss_with_nodes_opensearch_over_ours", other.Serve.totalRSSMB(), ours.Serve.PeakRSSMB)
			} else {
				ratio("serve_rss_"+base+"_over_ours", other.Serve.PeakRSSMB, ours.Serve.PeakRSSMB)
			}
			ratio("ready_"+base+"_over_ours", other.Serve.ReadySeconds, ours.Serve.ReadySeconds)
			for _, l := range ours.Serve.Loads {
				ol := other.Serve.load(l.Clients)
				if ol == nil || ol.Requests == ol.Errors || l.Requests == l.Errors {
					continue
				}
				c := fmt.Sprintf("%dc", l.Clients)
				ratio("p50_"+c+"_"+base+"_over_ours", ol.P50, l.P50)
				ratio("p95_"+c+"_"+base+"_over_ours", ol.P95, l.P95)
				ratio("p99_"+c+"_"+base+"_over_ours", ol.P99, l.P99)
				ratio("qps_"+c+"_ours_over_"+base, l.QPS, ol.QPS)
			}
			sr.agree(base)
		}
	}
	add := func(name string, v float64, want string, ok func(float64) bool, measured bool) *target {
		t := target{Name: name, Value: v, Want: want, NA: !measured}
		t.Met = measured && ok(v)
		sr.Targets = append(sr.Targets, t)
		return &sr.Targets[len(sr.Targets)-1]
	}
	le := func(x float64) func(float64) bool { return func(v float64) bool { return v <= x } }
	ge := func(x float64) func(float64) bool { return func(v float64) bool { return v >= x } }
	l1, l8 := ours.Serve.load(1), ours.Serve.load(8)
	get := func(l *loadFigures, f func(*loadFigures) float64) (float64, bool) {
		if l == nil {
			return 0, false
		}
		return f(l), true
	}
	v, ok := get(l1, func(l *loadFigures) float64 { return l.P50 })
	add("1 client p50 (ms)", v, "≤ 10", le(10), ok)
	v, ok = get(l1, func(l *loadFigures) float64 { return l.P99 })
	add("1 client p99 (ms)", v, "≤ 60", le(60), ok)
	v, ok = get(l8, func(l *loadFigures) float64 { return l.QPS })
	add("8 clients queries/s", v, "≥ 200", ge(200), ok)
	errs, measured := 0.0, ours.Serve != nil && len(ours.Serve.Loads) > 0
	if ours.Serve != nil {
		for _, l := range ours.Serve.Loads {
			errs += float64(l.Errors)
		}
		for _, c := range ours.Serve.Checks {
			if c.Problem != "" {
				errs++
			}
		}
	}
	add("errors (all runs)", errs, "= 0", le(0), measured)
	r, ok := sr.Ratios["p50_1c_brute_over_ours"]
	add("p50 speed-up over brute force, 1 client", r, "≥ 50×", ge(50), ok)
	r, ok = sr.Ratios["p50_1c_cjk_over_ours"]
	add("p50 speed-up over cjk, 1 client", r, "> 1×", func(v float64) bool { return v > 1 }, ok)
	if ours.Index != nil {
		add("index size ÷ raw text", ours.Index.SizeRatio, "≤ 3", le(3), true)
	}
	if ours.Serve != nil {
		add("serving peak RSS (MB)", ours.Serve.PeakRSSMB, "≤ 1500", le(1500), true)
		add("ready to serve (s)", ours.Serve.ReadySeconds, "≤ 3", le(3), true)
	}
	r, ok = sr.Ratios["index_mbps_ours_over_cjk"]
	add("indexing MB/s ÷ cjk's", r, "≥ 1", ge(1), ok)
	if ours.Index != nil {
		add("indexing cores used (CPU s ÷ wall s)", ours.Index.Cores, "≥ 1.5 (both cores)", ge(1.5), true)
	}
	// Issue 16's targets for its two sizes.
	switch {
	case sr.Corpus.Target >= 1_000_000:
		v, ok = get(l1, func(l *loadFigures) float64 { return l.P50 })
		add("1M: 1 client p50 (ms)", v, "≤ 10", le(10), ok)
		v, ok = get(l1, func(l *loadFigures) float64 { return l.P99 })
		add("1M: 1 client p99 (ms)", v, "≤ 100", le(100), ok)
		v, ok = get(l8, func(l *loadFigures) float64 { return l.QPS })
		add("1M: 8 clients queries/s", v, "≥ 100", ge(100), ok)
		if ours.Serve != nil {
			add("1M: serving peak RSS (MB)", ours.Serve.PeakRSSMB, "≤ 3000", le(3000), true)
			add("1M: ready to serve (s)", ours.Serve.ReadySeconds, "≤ 3", le(3), true)
		}
		if ours.Index != nil {
			add("1M: indexing (s)", ours.Index.Seconds, "≤ 900", le(900), true)
			add("1M: peak RSS indexing (MB)", ours.Index.PeakRSSMB, "≤ 3000", le(3000), true)
			add("1M: index size ÷ raw text", ours.Index.SizeRatio, "≤ 2.5", le(2.5), true)
		}
	case sr.Corpus.Target >= 200_000:
		v, ok = get(l8, func(l *loadFigures) float64 { return l.QPS })
		add("issue 16: 8 clients queries/s", v, "≥ 200", ge(200), ok)
		r, ok = sr.Ratios["p50_1c_brute_over_ours"]
		add("issue 16: p50 speed-up over brute force, 1 client", r, "≥ 50×", ge(50), ok)
		v, ok = get(l1, func(l *loadFigures) float64 { return l.P50 })
		add("issue 16: 1 client p50 (ms)", v, "≤ 5", le(5), ok)
		v, ok = get(l1, func(l *loadFigures) float64 { return l.P99 })
		add("issue 16: 1 client p99 (ms)", v, "≤ 40", le(40), ok)
	}
	// Issue 16: ahead of the cluster on every latency and throughput
	// figure, i.e. the smallest of those ratios above 1.
	name, worst, n := "", 0.0, 0
	for k, v := range sr.Ratios {
		if !strings.Contains(k, "opensearch") || !slices.ContainsFunc([]string{"p50_", "p95_", "p99_", "qps_"}, func(p string) bool { return strings.HasPrefix(k, p) }) {
			continue
		}
		if n == 0 || v < worst || v == worst && k < name {
			name, worst = k, v
		}
		n++
	}
	t := add("embedded ahead of the cluster on every latency and throughput figure (smallest ratio)", worst, "> 1×",
		func(v float64) bool { return v > 1 }, n > 0)
	if n > 0 {
		t.Detail = fmt.Sprintf("%s, of %d figures", name, n)
	}
}

// agree compares base's answers in the verification pass with ours'.
func (sr *scaleReport) agree(base string) {
	ours, other := sr.Engines["ours"].Serve.Checks, sr.Engines[base].Serve.Checks
	a := &agreement{}
	for i := range min(len(ours), len(other), len(queryMix)) {
		o, b := ours[i], other[i]
		if o.Problem != "" || b.Problem != "" {
			continue
		}
		a.Queries++
		var diff []string
		if o.Total == b.Total {
			a.SameTotal++
		} else {
			diff = append(diff, fmt.Sprintf("total %d vs %d", o.Total, b.Total))
		}
		if o.FacetDigest == b.FacetDigest {
			a.SameFacets++
		} else {
			diff = append(diff, "facets")
		}
		if queryMix[i].Sort == "date" {
			a.DateOrdered++
			if slices.Equal(o.IDs, b.IDs) {
				a.SameIDs++
			} else {
				diff = append(diff, "ids of the first page")
			}
		}
		if len(diff) > 0 {
			a.Differences = append(a.Differences, o.Path+": "+strings.Join(diff, ", "))
		}
	}
	if sr.Agreement == nil {
		sr.Agreement = map[string]*agreement{}
	}
	sr.Agreement[base] = a
}

// printReport writes the tables of a report: a column per engine of the
// run, then ours' ratio to each other engine.
func printReport(w io.Writer, rep *Report) {
	for _, sr := range rep.Scales {
		fmt.Fprintf(w, "\n== %d articles (target %d): %d files, %.1f MB of text, %d copies of xwlb\n",
			articlesOf(sr), sr.Corpus.Target, sr.Corpus.Files, mb(sr.Corpus.Bytes), sr.Corpus.Copies)
		var names []string
		for _, e := range allEngines {
			if sr.Engines[e] != nil {
				names = append(names, e)
			}
		}
		oursAt := slices.Index(names, "ours")
		var vs []int // the columns ours is compared with
		if oursAt >= 0 {
			for i, e := range names {
				if e != "ours" {
					vs = append(vs, i)
				}
			}
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "\t", strings.Join(names, "\t"), "\t")
		for _, i := range vs {
			fmt.Fprintf(tw, "ours vs %s\t", names[i])
		}
		fmt.Fprintln(tw)
		engines := make([]*engineReport, len(names))
		for i, e := range names {
			engines[i] = sr.Engines[e]
		}
		// row prints a figure of every engine and ours' ratios (above 1×:
		// ours better), except against the engines in noRatio.
		row := func(name string, val func(*engineReport) (float64, bool), format string, better string, noRatio ...string) {
			vals := make([]float64, len(engines))
			oks := make([]bool, len(engines))
			fmt.Fprint(tw, name+"\t")
			for i, e := range engines {
				if e != nil {
					vals[i], oks[i] = val(e)
				}
				if oks[i] {
					fmt.Fprintf(tw, format+"\t", vals[i])
				} else {
					fmt.Fprint(tw, "-\t")
				}
			}
			for _, i := range vs {
				switch {
				case !oks[oursAt] || !oks[i] || vals[oursAt] == 0 || vals[i] == 0 || better == "" || slices.Contains(noRatio, names[i]):
					fmt.Fprint(tw, "\t")
				case better == "lower":
					fmt.Fprintf(tw, "%.2f×\t", vals[i]/vals[oursAt])
				default:
					fmt.Fprintf(tw, "%.2f×\t", vals[oursAt]/vals[i])
				}
			}
			fmt.Fprintln(tw)
		}
		idx := func(f func(*indexFigures) float64) func(*engineReport) (float64, bool) {
			return func(e *engineReport) (float64, bool) {
				if e.Index == nil {
					return 0, false
				}
				return f(e.Index), true
			}
		}
		srv := func(f func(*serveFigures) float64) func(*engineReport) (float64, bool) {
			return func(e *engineReport) (float64, bool) {
				if e.Serve == nil {
					return 0, false
				}
				return f(e.Serve), true
			}
		}
		cl := func(f func(*clusterMemory) float64) func(*engineReport) (float64, bool) {
			return func(e *engineReport) (float64, bool) {
				if e.Serve == nil || e.Serve.Cluster == nil {
					return 0, false
				}
				return f(e.Serve.Cluster), true
			}
		}
		_, withCluster := sr.Engines["opensearch"]
		// brute force's "indexing" is a load.
		row("articles", idx(func(f *indexFigures) float64 { return float64(f.Articles) }), "%.0f", "")
		row("indexing MB/s", idx(func(f *indexFigures) float64 { return f.MBps }), "%.2f", "higher", "brute")
		row("indexing articles/s", idx(func(f *indexFigures) float64 { return f.ArticlesPerSec }), "%.0f", "higher", "brute")
		row("indexing s", idx(func(f *indexFigures) float64 { return f.Seconds }), "%.1f", "lower", "brute")
		row("indexing cores used", idx(func(f *indexFigures) float64 { return f.Cores }), "%.2f", "")
		if withCluster {
			row("  cluster nodes' CPU s indexing", func(e *engineReport) (float64, bool) {
				if e.Index == nil || e.Index.ClusterCPUSeconds == 0 {
					return 0, false
				}
				return e.Index.ClusterCPUSeconds, true
			}, "%.1f", "")
		}
		row("index size ÷ raw text", func(e *engineReport) (float64, bool) {
			if e.Index == nil || e.Index.IndexBytes == 0 {
				return 0, false
			}
			return e.Index.SizeRatio, true
		}, "%.2f", "lower")
		if withCluster {
			row("  with replicas ÷ raw text", func(e *engineReport) (float64, bool) {
				if e.Index == nil || e.Index.IndexBytes == 0 {
					return 0, false
				}
				b := e.Index.IndexBytes
				if e.Index.IndexBytesWithReplicas > 0 {
					b = e.Index.IndexBytesWithReplicas
				}
				return float64(b) / (e.Index.RawMB * 1e6), true
			}, "%.2f", "lower")
		}
		row("load average after indexing", idx(func(f *indexFigures) float64 { return f.LoadAvg }), "%.1f", "")
		row("peak RSS indexing MB", idx(func(f *indexFigures) float64 { return f.PeakRSSMB }), "%.0f", "lower", "opensearch")
		row("ready s", srv(func(f *serveFigures) float64 { return f.ReadySeconds }), "%.2f", "lower")
		row("  in it: load segmenter s", func(e *engineReport) (float64, bool) {
			if e.Serve == nil || e.Serve.Startup == nil {
				return 0, false
			}
			return e.Serve.Startup["init_s"], true
		}, "%.2f", "")
		row("  in it, alongside: open index s", func(e *engineReport) (float64, bool) {
			if e.Serve == nil || e.Serve.Startup == nil {
				return 0, false
			}
			return e.Serve.Startup["open_s"], true
		}, "%.2f", "")
		row("warm s (folded text loaded)", func(e *engineReport) (float64, bool) {
			if e.Serve == nil || e.Serve.WarmSeconds == 0 {
				return 0, false
			}
			return e.Serve.WarmSeconds, true
		}, "%.2f", "lower")
		row("first query p50 ms (cold caches)", func(e *engineReport) (float64, bool) {
			if e.Serve == nil || len(e.Serve.Checks) == 0 {
				return 0, false
			}
			ms := make([]float64, 0, len(e.Serve.Checks))
			for _, c := range e.Serve.Checks {
				ms = append(ms, c.Millis)
			}
			slices.Sort(ms)
			return ms[len(ms)/2], true
		}, "%.1f", "lower")
		row("first query max ms (cold caches)", func(e *engineReport) (float64, bool) {
			if e.Serve == nil || len(e.Serve.Checks) == 0 {
				return 0, false
			}
			m := 0.0
			for _, c := range e.Serve.Checks {
				m = max(m, c.Millis)
			}
			return m, true
		}, "%.1f", "lower")
		row("peak RSS serving MB", srv(func(f *serveFigures) float64 { return f.PeakRSSMB }), "%.0f", "lower", "opensearch")
		row("  RSS at the end: anonymous MB", srv(func(f *serveFigures) float64 { return f.EndRSSAnonMB }), "%.0f", "")
		row("  RSS at the end: mapped files MB", srv(func(f *serveFigures) float64 { return f.EndRSSFileMB }), "%.0f", "")
		if withCluster {
			row("  cluster nodes' RSS MB (peak)", cl(func(m *clusterMemory) float64 { return m.RSSPeakMB }), "%.0f", "")
			row("  cluster nodes' heap used MB (peak)", cl(func(m *clusterMemory) float64 { return m.HeapUsedPeakMB }), "%.0f", "")
			row("  cluster nodes' heap max MB", cl(func(m *clusterMemory) float64 { return m.HeapMaxMB }), "%.0f", "")
			row("serving RSS with the nodes MB", srv(func(f *serveFigures) float64 { return f.totalRSSMB() }), "%.0f", "lower")
			row("serving CPU s (server)", srv(func(f *serveFigures) float64 { return f.CPUSeconds }), "%.1f", "")
			row("  cluster nodes' CPU s serving", cl(func(m *clusterMemory) float64 { return m.CPUSeconds }), "%.1f", "")
		}
		row("load average after serving", srv(func(f *serveFigures) float64 { return f.LoadAvg }), "%.1f", "")
		for _, c := range rep.Options.Clients {
			ld := func(f func(*loadFigures) float64) func(*engineReport) (float64, bool) {
				return func(e *engineReport) (float64, bool) {
					if l := e.Serve.load(c); l != nil && l.Requests > l.Errors {
						return f(l), true
					}
					return 0, false
				}
			}
			row(fmt.Sprintf("%d client p50 ms", c), ld(func(l *loadFigures) float64 { return l.P50 }), "%.1f", "lower")
			row(fmt.Sprintf("%d client p95 ms", c), ld(func(l *loadFigures) float64 { return l.P95 }), "%.1f", "lower")
			row(fmt.Sprintf("%d client p99 ms", c), ld(func(l *loadFigures) float64 { return l.P99 }), "%.1f", "lower")
			row(fmt.Sprintf("%d client queries/s", c), ld(func(l *loadFigures) float64 { return l.QPS }), "%.1f", "higher")
			row(fmt.Sprintf("%d client errors", c), func(e *engineReport) (float64, bool) {
				if l := e.Serve.load(c); l != nil {
					return float64(l.Errors), true
				}
				return 0, false
			}, "%.0f", "")
		}
		tw.Flush()
		fmt.Fprintln(w, "(ratios: above 1× means ours is better: faster, smaller or more throughput;\n brute force's indexing figures are its load: parsing and folding into memory)")
		if withCluster {
			fmt.Fprintln(w, "(opensearch: indexing is opensearch.Client.Update from this machine into the cluster; its CPU and\n peak RSS are the loading Go process's, the nodes' CPU is apart; the size is the primaries' store\n from _stats after the merges; peak RSS serving is the Go server alone, the nodes' RSS and JVM heap\n are the rows below it (sampled every second), and \"with the nodes\" adds them)")
		}

		// Per class p50 at one client.
		if len(rep.Options.Clients) > 0 {
			c := rep.Options.Clients[0]
			fmt.Fprintf(w, "\np50 ms by query class, %d client:\n", c)
			tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprint(tw, "class\t", strings.Join(names, "\t"), "\t\n")
			for _, cl := range classes(queryMix) {
				fmt.Fprint(tw, cl+"\t")
				for _, e := range engines {
					l := e.Serve.load(c)
					if l == nil || l.ByClass[cl].Requests == 0 {
						fmt.Fprint(tw, "-\t")
						continue
					}
					fmt.Fprintf(tw, "%.1f\t", l.ByClass[cl].P50)
				}
				fmt.Fprintln(tw)
			}
			tw.Flush()
		}
		// Downloads (--exports).
		if o := sr.Engines["ours"]; o != nil && o.Serve != nil && len(o.Serve.Exports) > 0 {
			fmt.Fprintln(w, "\ndownloads of every hit (ours, one at a time):")
			tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "path\trecords\tX-Total-Count\tend\tMB\ts\tMB/s\tarticles/s\tRssAnon before MB\tpeak MB\t")
			for _, f := range o.Serve.Exports {
				path := f.Path
				if u, err := url.QueryUnescape(path); err == nil {
					path = u
				}
				fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%.1f\t%.1f\t%.1f\t%.0f\t%.0f\t%.0f\t\n", path, f.Records, f.Total, f.Trailer,
					mb(f.Bytes), f.Seconds, f.MBps, f.PerSec, f.AnonBeforeMB, f.AnonPeakMB)
			}
			tw.Flush()
		}
		// Hits per query.
		fmt.Fprintln(w, "\nhits per query (verification pass):")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprint(tw, "query\t", strings.Join(names, "\t"), "\t\n")
		for i, q := range queryMix {
			desc := q.Q
			for _, f := range []string{q.County, q.Topic, q.From, q.To, q.Sort} {
				if f != "" {
					desc += " " + f
				}
			}
			fmt.Fprintf(tw, "%s\t", strings.TrimSpace(desc))
			for _, e := range engines {
				if e == nil || e.Serve == nil || i >= len(e.Serve.Checks) {
					fmt.Fprint(tw, "-\t")
					continue
				}
				c := e.Serve.Checks[i]
				if c.Problem != "" {
					fmt.Fprint(tw, "ERROR\t")
				} else {
					fmt.Fprintf(tw, "%d\t", c.Total)
				}
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
		if a := sr.Agreement["opensearch"]; a != nil {
			fmt.Fprintf(w, "opensearch answers as ours: same total %d/%d, same facet counts %d/%d, same first page of the date-ordered queries %d/%d\n",
				a.SameTotal, a.Queries, a.SameFacets, a.Queries, a.SameIDs, a.DateOrdered)
			for _, d := range a.Differences {
				fmt.Fprintln(w, "  differs:", d)
			}
		}

		fmt.Fprintln(w, "\ntargets (issue 7, set for 200,000 articles; the last, issue 16's, needs --engines …,opensearch):")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, t := range sr.Targets {
			state := "MISSED"
			switch {
			case t.NA:
				state = "n/a"
			case t.Met:
				state = "met"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Name, fmtNum(t.Value), t.Want, state, t.Detail)
		}
		tw.Flush()
	}
}

func articlesOf(sr *scaleReport) int {
	if o := sr.Engines["ours"]; o != nil && o.Index != nil {
		return o.Index.Articles
	}
	return sr.Corpus.Articles
}

func fmtNum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e6 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}
