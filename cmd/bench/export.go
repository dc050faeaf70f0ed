package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// exportFigures are the figures of one download (--exports): every hit of
// a search, streamed by our server.
type exportFigures struct {
	Path    string  `json:"path"`
	Status  int     `json:"status"`
	Total   int     `json:"total"`   // X-Total-Count
	Records int     `json:"records"` // rows, lines or records counted in the body
	Trailer string  `json:"trailer"` // X-Export-Status
	Bytes   int64   `json:"bytes"`
	Seconds float64 `json:"seconds"`
	MBps    float64 `json:"mb_per_s"`
	PerSec  float64 `json:"articles_per_s"`
	// AnonBeforeMB is the server's anonymous resident memory (RssAnon:
	// the Go heap and stacks, not the index files it maps) before the
	// download; AnonPeakMB the most sampled during it (every 20 ms).
	AnonBeforeMB float64 `json:"anon_before_mb"`
	AnonPeakMB   float64 `json:"anon_peak_mb"`
	Error        string  `json:"error,omitempty"`
}

// exportMix are the downloads --exports measures: every article (no
// query) in each format, and a query by relevance.
var exportMix = []string{
	"/api/v1/search.csv",
	"/api/v1/search.jsonl",
	"/api/v1/search.ris",
	"/api/v1/search.bib",
	"/api/v1/search.csl.json",
	"/api/v1/search.csv?q=" + url.QueryEscape("高质量发展"),
	"/api/v1/search.csv?q=" + url.QueryEscape(`"乡村振兴"`) + "&sort=-date",
}

// measureExports downloads exportMix from the server one after the other,
// counting the records as they arrive (the client holds nothing).
func measureExports(ctx context.Context, srv *server, logf func(string, ...any)) []exportFigures {
	var out []exportFigures
	for _, p := range exportMix {
		f := exportFigures{Path: p}
		f.AnonBeforeMB = mb(srv.status("RssAnon:"))
		stop := make(chan struct{})
		peak := make(chan int64)
		go func() {
			top := int64(0)
			t := time.NewTicker(20 * time.Millisecond)
			defer t.Stop()
			for {
				top = max(top, srv.status("RssAnon:"))
				select {
				case <-stop:
					peak <- top
					return
				case <-t.C:
				}
			}
		}()
		start := time.Now()
		err := download(ctx, srv.URL+p, &f)
		f.Seconds = time.Since(start).Seconds()
		close(stop)
		f.AnonPeakMB = mb(<-peak)
		if err != nil {
			f.Error = err.Error()
		}
		if f.Seconds > 0 {
			f.MBps = mb(f.Bytes) / f.Seconds
			f.PerSec = float64(f.Records) / f.Seconds
		}
		logf("export %s: %d of %d records (%s), %.1f MB in %.1f s, %.1f MB/s; server RssAnon %.0f MB before, peak %.0f MB",
			p, f.Records, f.Total, f.Trailer, mb(f.Bytes), f.Seconds, f.MBps, f.AnonBeforeMB, f.AnonPeakMB)
		out = append(out, f)
	}
	return out
}

// download reads one download, counting its records: CSV rows (past the
// #query row and the header; a quoted field may span lines, so rows are
// counted by a CSV reader), JSONL lines, RIS "ER  -" lines, BibTeX
// entries, CSL-JSON items (lines "  {" at the array's level).
func download(ctx context.Context, u string, f *exportFigures) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	f.Status = resp.StatusCode
	f.Total, _ = strconv.Atoi(resp.Header.Get("X-Total-Count"))
	cr := &countingReader{r: resp.Body}
	path, _, _ := strings.Cut(f.Path, "?")
	switch {
	case strings.HasSuffix(path, ".csv"):
		f.Records, err = csvRows(cr)
		f.Records -= 2 // the #query row and the header
	default:
		sc := bufio.NewScanner(cr)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			l := sc.Bytes()
			switch {
			case strings.HasSuffix(path, ".jsonl"):
				if !bytes.HasPrefix(l, []byte(`{"error"`)) {
					f.Records++
				}
			case strings.HasSuffix(path, ".ris"):
				if bytes.HasPrefix(l, []byte("ER  -")) {
					f.Records++
				}
			case strings.HasSuffix(path, ".bib"):
				if bytes.HasPrefix(l, []byte("@article{")) {
					f.Records++
				}
			case strings.HasSuffix(path, ".csl.json"):
				if string(l) == "  {" {
					f.Records++
				}
			}
		}
		err = sc.Err()
	}
	f.Bytes = cr.n
	f.Trailer = resp.Trailer.Get("X-Export-Status")
	if err == nil && (f.Status != http.StatusOK || f.Trailer != "complete" || f.Records != f.Total) {
		err = fmt.Errorf("status %d, trailer %q, %d records of %d", f.Status, f.Trailer, f.Records, f.Total)
	}
	return err
}

// csvRows counts the rows of a CSV stream without keeping them: a row
// ends at a line break outside quotes.
func csvRows(r io.Reader) (int, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	rows, quoted, any := 0, false, false
	for {
		b, err := br.ReadByte()
		if err == io.EOF {
			if any {
				rows++
			}
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		switch {
		case b == '"':
			quoted = !quoted // "" inside a quoted field flips twice
			any = true
		case b == '\n' && !quoted:
			rows++
			any = false
		default:
			any = true
		}
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// status reads a field of the child's /proc status in bytes (kB values).
func (s *server) status(field string) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(s.cmd.Process.Pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}
