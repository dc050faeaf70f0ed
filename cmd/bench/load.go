package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// mixQuery is one request of the query mix, sent as
// GET /api/v1/search?q=...&county=...&topic=...&from=...&to=...&sort=...&size=20
// to every engine.
type mixQuery struct {
	Class  string `json:"class"`
	Q      string `json:"q"`
	County string `json:"county,omitempty"`
	Topic  string `json:"topic,omitempty"`
	From   string `json:"from,omitempty"`
	To     string `json:"to,omitempty"`
	Sort   string `json:"sort,omitempty"`
}

// queryMix is the fixed query mix, in the order each client cycles through
// it (client i starts at entry i*len/clients). Classes: word1 (one word),
// word2 and word3 (two and three words, all must match), phrase (a quoted
// exact phrase), char (one character), filtered (a query with county,
// topic or date filters), browse (filters only, no query), date (sorted
// newest first). Every request asks for 20 hits; the servers compute the
// facets and highlights. County and topic values are canonical names so
// that the baselines need no alias tables.
var queryMix = []mixQuery{
	{Class: "word1", Q: "经济"},
	{Class: "word2", Q: "生态 保护"},
	{Class: "phrase", Q: `"高质量发展"`},
	{Class: "char", Q: "水"},
	{Class: "filtered", Q: "经济", County: "梨树县"},
	{Class: "word3", Q: "习近平 总书记 考察"},
	{Class: "word1", Q: "合作"},
	{Class: "date", Q: "科技 创新", Sort: "date"},
	{Class: "phrase", Q: `"人类命运共同体"`},
	{Class: "filtered", Q: "发展", Topic: "经济"},
	{Class: "char", Q: "中"},
	{Class: "word2", Q: "粮食 安全"},
	{Class: "filtered", Q: "合作", From: "2023-01-01", To: "2023-12-31"},
	{Class: "word1", Q: "乡村振兴"},
	{Class: "phrase", Q: `"一带一路"`},
	{Class: "filtered", Q: `"乡村振兴"`, County: "伊通满族自治县", Topic: "农业农村"},
	{Class: "word3", Q: "长江 经济带 发展"},
	{Class: "char", Q: "粮"},
	{Class: "date", Q: `"共同富裕"`, Sort: "date"},
	{Class: "filtered", Q: "中", County: "双辽市", Sort: "date"},
	{Class: "word1", Q: "创新"},
	{Class: "filtered", Q: "生态 保护", Topic: "生态环境", Sort: "date"},
	{Class: "browse", Q: "", County: "铁西区（四平）", Sort: "date"},
	{Class: "filtered", Q: "科技", From: "2024-01-01", To: "2024-06-30", Sort: "date"},
}

// path is the request's URL path and query.
func (q mixQuery) path() string {
	v := url.Values{}
	v.Set("q", q.Q)
	for k, s := range map[string]string{"county": q.County, "topic": q.Topic, "from": q.From, "to": q.To, "sort": q.Sort} {
		if s != "" {
			v.Set(k, s)
		}
	}
	v.Set("size", "20")
	return "/api/v1/search?" + v.Encode()
}

// check is the answer to one query of the verification pass, which sends
// every query once before the timed runs and decodes the whole response.
type check struct {
	Class   string  `json:"class"`
	Path    string  `json:"path"`
	Total   int64   `json:"total"`
	Hits    int     `json:"hits"`
	Marks   bool    `json:"marks"`  // some hit has a <mark> in its highlights
	Facets  bool    `json:"facets"` // the county facet is present
	Millis  float64 `json:"ms"`
	Status  int     `json:"status"`
	Problem string  `json:"problem,omitempty"`
	// IDs are the ids of the hits, in order.
	IDs []string `json:"ids,omitempty"`
	// FacetDigest is every facet's values and counts, sorted, as one
	// string ("county=梨树县:12,…;topic=…"), for comparing engines.
	FacetDigest string `json:"facet_digest,omitempty"`
}

// verify sends every query of the mix once.
func verify(ctx context.Context, base string, mix []mixQuery) []check {
	client := &http.Client{Timeout: 5 * time.Minute}
	var out []check
	for _, q := range mix {
		c := check{Class: q.Class, Path: q.path()}
		start := time.Now()
		body, status, err := get(ctx, client, base+c.Path)
		c.Millis = ms(time.Since(start))
		c.Status = status
		if err != nil {
			c.Problem = err.Error()
			out = append(out, c)
			continue
		}
		var res struct {
			Total  int64                      `json:"total"`
			Hits   []map[string]any           `json:"hits"`
			Facets map[string]json.RawMessage `json:"facets"`
		}
		if err := json.Unmarshal(body, &res); err != nil {
			c.Problem = "decode: " + err.Error()
		}
		c.Total, c.Hits = res.Total, len(res.Hits)
		_, c.Facets = res.Facets["county"]
		c.FacetDigest = facetDigest(res.Facets)
		for _, h := range res.Hits {
			id, _ := h["id"].(string)
			c.IDs = append(c.IDs, id)
			if hl, _ := json.Marshal(h["highlight"]); bytes.Contains(hl, []byte(`\u003cmark\u003e`)) || bytes.Contains(hl, []byte("<mark>")) {
				c.Marks = true
			}
		}
		out = append(out, c)
	}
	return out
}

// facetDigest writes the values and counts of the five facets the
// baselines count too (county, topic, author, paper, date), sorted by
// value, so that two engines' facets compare equal whatever order they
// list ties in.
func facetDigest(facets map[string]json.RawMessage) string {
	var parts []string
	for _, name := range []string{"county", "topic", "author", "paper", "date"} {
		raw, ok := facets[name]
		if !ok {
			continue
		}
		var vals []facetValue
		if err := json.Unmarshal(raw, &vals); err != nil {
			parts = append(parts, name+"=?")
			continue
		}
		vs := make([]string, len(vals))
		for i, v := range vals {
			vs[i] = fmt.Sprintf("%s:%d", v.Value, v.Count)
		}
		slices.Sort(vs)
		parts = append(parts, name+"="+strings.Join(vs, ","))
	}
	return strings.Join(parts, ";")
}

func get(ctx context.Context, client *http.Client, u string) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, resp.StatusCode, err
	}
	if resp.StatusCode != http.StatusOK {
		return body, resp.StatusCode, fmt.Errorf("status %d: %.200s", resp.StatusCode, body)
	}
	return body, resp.StatusCode, nil
}

// loadFigures are the figures of one timed run.
type loadFigures struct {
	Clients  int     `json:"clients"`
	Seconds  float64 `json:"seconds"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	QPS      float64 `json:"qps"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
	Mean     float64 `json:"mean_ms"`
	Max      float64 `json:"max_ms"`
	// ByClass has the latency of each class of the mix.
	ByClass map[string]classFigures `json:"by_class"`
	// FirstError is the first failed request's error, if any.
	FirstError string `json:"first_error,omitempty"`
}

type classFigures struct {
	Requests int     `json:"requests"`
	P50      float64 `json:"p50_ms"`
	P99      float64 `json:"p99_ms"`
}

// drive sends the mix from clients concurrent loopback clients (each with
// its own keep-alive connection) for d, and returns the figures. A request
// fails when it errs, its status is not 200 or its body has no total.
func drive(ctx context.Context, base string, mix []mixQuery, clients int, d time.Duration) loadFigures {
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 2 * time.Minute}
	type sample struct {
		class int
		dur   time.Duration
	}
	var (
		mu       sync.Mutex
		samples  []sample
		errs     int
		firstErr string
		wg       sync.WaitGroup
	)
	paths := make([]string, len(mix))
	for i, q := range mix {
		paths[i] = base + q.path()
	}
	start := time.Now()
	deadline := start.Add(d)
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []sample
			var myErrs int
			var myFirst string
			for i := c * len(mix) / clients; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				k := i % len(mix)
				t0 := time.Now()
				body, _, err := get(ctx, client, paths[k])
				dur := time.Since(t0)
				if err == nil && !bytes.Contains(body, []byte(`"total":`)) {
					err = fmt.Errorf("no total in %.200s", body)
				}
				if err != nil {
					myErrs++
					if myFirst == "" {
						myFirst = err.Error()
					}
					continue
				}
				mine = append(mine, sample{k, dur})
			}
			mu.Lock()
			samples = append(samples, mine...)
			errs += myErrs
			if firstErr == "" {
				firstErr = myFirst
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	f := loadFigures{Clients: clients, Seconds: elapsed.Seconds(), Requests: len(samples) + errs, Errors: errs, FirstError: firstErr, ByClass: map[string]classFigures{}}
	f.QPS = float64(len(samples)) / elapsed.Seconds()
	all := make([]time.Duration, len(samples))
	byClass := map[string][]time.Duration{}
	var sum time.Duration
	for i, s := range samples {
		all[i] = s.dur
		sum += s.dur
		byClass[mix[s.class].Class] = append(byClass[mix[s.class].Class], s.dur)
	}
	if len(all) > 0 {
		f.P50, f.P95, f.P99 = percentile(all, 50), percentile(all, 95), percentile(all, 99)
		f.Max = percentile(all, 100)
		f.Mean = ms(sum / time.Duration(len(all)))
	}
	for name, ds := range byClass {
		f.ByClass[name] = classFigures{Requests: len(ds), P50: percentile(ds, 50), P99: percentile(ds, 99)}
	}
	return f
}

// percentile returns the p-th percentile (nearest rank) of ds in
// milliseconds; it sorts ds.
func percentile(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(p/100*float64(len(ds))+0.999999) - 1
	i = max(0, min(i, len(ds)-1))
	return ms(ds[i])
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// classes lists the classes of the mix in order of first appearance.
func classes(mix []mixQuery) []string {
	var out []string
	for _, q := range mix {
		if !slices.Contains(out, q.Class) {
			out = append(out, q.Class)
		}
	}
	return out
}

// terms splits a query of the mix into its terms: words separated by
// spaces, and quoted phrases (quoted is true for those). The baselines use
// it; the mix uses no other syntax.
func terms(q string) (out []string, quoted []bool) {
	for q = strings.TrimSpace(q); q != ""; q = strings.TrimSpace(q) {
		if q[0] == '"' {
			end := strings.IndexByte(q[1:], '"')
			if end < 0 {
				end = len(q) - 1
			}
			if s := q[1 : 1+end]; s != "" {
				out, quoted = append(out, s), append(quoted, true)
			}
			q = q[min(len(q), end+2):]
			continue
		}
		end := strings.IndexAny(q, " \t\u3000")
		if end < 0 {
			end = len(q)
		}
		out, quoted = append(out, q[:end]), append(quoted, false)
		q = q[end:]
	}
	return out, quoted
}
