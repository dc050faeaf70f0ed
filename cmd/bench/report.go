package main

import (
	"fmt"
	"io"
	"math"
	"net/url"
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
}

type engineReport struct {
	Index *indexFigures `json:"index,omitempty"`
	Serve *serveFigures `json:"serve,omitempty"`
}

// indexFigures are an engine's indexing figures. For brute force they are
// its load (parse and fold into memory) and Size is not measured.
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
	// Startup splits ours' time to ready: init_s loading the word
	// segmenter, open_s opening the index and loading its columns, both
	// from the start and at the same time (the rest is process start and
	// the first /readyz).
	Startup    map[string]float64 `json:"startup,omitempty"`
	PeakRSSMB  float64            `json:"peak_rss_mb"`
	Checks     []check            `json:"checks"`
	Loads      []loadFigures      `json:"loads"`
	LoadAvg    float64            `json:"loadavg"` // when the timed runs ended (see indexFigures)
	CPUProfile string             `json:"cpu_profile,omitempty"`
	MemProfile string             `json:"mem_profile,omitempty"`
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

// target is one of issue 7's targets, checked on this run's figures.
type target struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Want  string  `json:"want"`
	Met   bool    `json:"met"`
	NA    bool    `json:"na,omitempty"` // not measured in this run
}

func newReport(o *options) *Report {
	return &Report{Started: time.Now().UTC(), Host: hostInfo(), Options: o, Mix: queryMix}
}

// evaluate computes the ratios and checks the targets.
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
	for _, base := range []string{"cjk", "brute"} {
		other := sr.Engines[base]
		if other == nil {
			continue
		}
		if ours.Index != nil && other.Index != nil {
			ratio("index_mbps_ours_over_"+base, ours.Index.MBps, other.Index.MBps)
			if base == "cjk" {
				ratio("index_size_cjk_over_ours", other.Index.SizeRatio, ours.Index.SizeRatio)
				ratio("index_rss_cjk_over_ours", other.Index.PeakRSSMB, ours.Index.PeakRSSMB)
			}
		}
		if ours.Serve != nil && other.Serve != nil {
			ratio("serve_rss_"+base+"_over_ours", other.Serve.PeakRSSMB, ours.Serve.PeakRSSMB)
			ratio("ready_"+base+"_over_ours", other.Serve.ReadySeconds, ours.Serve.ReadySeconds)
			for _, l := range ours.Serve.Loads {
				ol := other.Serve.load(l.Clients)
				if ol == nil {
					continue
				}
				c := fmt.Sprintf("%dc", l.Clients)
				ratio("p50_"+c+"_"+base+"_over_ours", ol.P50, l.P50)
				ratio("p99_"+c+"_"+base+"_over_ours", ol.P99, l.P99)
				ratio("qps_"+c+"_ours_over_"+base, l.QPS, ol.QPS)
			}
		}
	}
	add := func(name string, v float64, want string, ok func(float64) bool, measured bool) {
		t := target{Name: name, Value: v, Want: want, NA: !measured}
		t.Met = measured && ok(v)
		sr.Targets = append(sr.Targets, t)
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
}

// printReport writes the tables of a report.
func printReport(w io.Writer, rep *Report) {
	for _, sr := range rep.Scales {
		fmt.Fprintf(w, "\n== %d articles (target %d): %d files, %.1f MB of text, %d copies of xwlb\n",
			articlesOf(sr), sr.Corpus.Target, sr.Corpus.Files, mb(sr.Corpus.Bytes), sr.Corpus.Copies)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "\tours\tcjk\tbrute\tours vs cjk\tours vs brute\t")
		engines := []*engineReport{sr.Engines["ours"], sr.Engines["cjk"], sr.Engines["brute"]}
		row := func(name string, val func(*engineReport) (float64, bool), format string, better string) {
			vals := make([]float64, 3)
			oks := make([]bool, 3)
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
			for i := 1; i < 3; i++ {
				switch {
				case !oks[0] || !oks[i] || vals[0] == 0 || vals[i] == 0 || better == "",
					i == 2 && strings.HasPrefix(name, "indexing"): // brute force's "indexing" is a load
					fmt.Fprint(tw, "\t")
				case better == "lower":
					fmt.Fprintf(tw, "%.2f×\t", vals[i]/vals[0])
				default:
					fmt.Fprintf(tw, "%.2f×\t", vals[0]/vals[i])
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
		row("articles", idx(func(f *indexFigures) float64 { return float64(f.Articles) }), "%.0f", "")
		row("indexing MB/s", idx(func(f *indexFigures) float64 { return f.MBps }), "%.2f", "higher")
		row("indexing articles/s", idx(func(f *indexFigures) float64 { return f.ArticlesPerSec }), "%.0f", "higher")
		row("indexing s", idx(func(f *indexFigures) float64 { return f.Seconds }), "%.1f", "lower")
		row("indexing cores used", idx(func(f *indexFigures) float64 { return f.Cores }), "%.2f", "")
		row("index size ÷ raw text", func(e *engineReport) (float64, bool) {
			if e.Index == nil || e.Index.IndexBytes == 0 {
				return 0, false
			}
			return e.Index.SizeRatio, true
		}, "%.2f", "lower")
		row("load average after indexing", idx(func(f *indexFigures) float64 { return f.LoadAvg }), "%.1f", "")
		row("peak RSS indexing MB", idx(func(f *indexFigures) float64 { return f.PeakRSSMB }), "%.0f", "lower")
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
		row("peak RSS serving MB", srv(func(f *serveFigures) float64 { return f.PeakRSSMB }), "%.0f", "lower")
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

		// Per class p50 at one client.
		if len(rep.Options.Clients) > 0 {
			c := rep.Options.Clients[0]
			fmt.Fprintf(w, "\np50 ms by query class, %d client:\n", c)
			tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "class\tours\tcjk\tbrute\t")
			for _, cl := range classes(queryMix) {
				fmt.Fprint(tw, cl+"\t")
				for _, e := range engines {
					if e == nil || e.Serve.load(c) == nil {
						fmt.Fprint(tw, "-\t")
						continue
					}
					fmt.Fprintf(tw, "%.1f\t", e.Serve.load(c).ByClass[cl].P50)
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
		fmt.Fprintln(tw, "query\tours\tcjk\tbrute\t")
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

		fmt.Fprintln(w, "\ntargets (issue 7; set for 200,000 articles):")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, t := range sr.Targets {
			state := "MISSED"
			switch {
			case t.NA:
				state = "n/a"
			case t.Met:
				state = "met"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", t.Name, fmtNum(t.Value), t.Want, state)
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
