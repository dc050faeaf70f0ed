//go:build linux

package web_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"newsarchive/search/searchtest"
	"newsarchive/serving"
	"newsarchive/web"
)

// smallBuffers is a listener whose connections have a small send buffer,
// so that a client that stops reading blocks the server's writes soon (as
// over a slow network) instead of after megabytes of kernel buffers.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(4 << 10)
	}
	return c, err
}

// slowServer serves the test index on a loopback listener with small
// buffers, behind a trusted proxy (loopback), so that each test client has
// the address it puts in X-Forwarded-For.
func slowServer(t *testing.T, limits web.Limits) *httptest.Server {
	t.Helper()
	fx := searchtest.Get(t)
	limits.RatePerSecond = -1
	limits.TrustProxyHeads = true
	srv := web.New(serving.Fixed(fx.Engine, fx.Tagger), web.Options{Logger: slog.New(slog.DiscardHandler), Limits: limits})
	ts := httptest.NewUnstartedServer(srv.Handler())
	ts.Listener = smallBuffers{ts.Listener}
	ts.Start()
	t.Cleanup(ts.Close)
	return ts
}

// slowDownload is a client that reads the headers and a few bytes of a
// download, then stops reading until it is told to resume.
type slowDownload struct {
	conn   net.Conn
	resp   *http.Response
	status int
	first  []byte
}

// startSlowDownload sends GET path as client addr and reads the
// response's headers and, on a 200, its first bytes; its receive buffer
// is small, so that the server's writes block while it does not read.
func startSlowDownload(t *testing.T, ts *httptest.Server, path, addr string) (*slowDownload, error) {
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4<<10) })
	}}
	conn, err := d.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(2 * time.Minute))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: %s\r\nConnection: close\r\n\r\n", path, addr)
	br := bufio.NewReaderSize(conn, 1<<10)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	s := &slowDownload{conn: conn, resp: resp, status: resp.StatusCode}
	if resp.StatusCode == http.StatusOK {
		s.first = make([]byte, 100)
		if _, err := io.ReadFull(resp.Body, s.first); err != nil {
			conn.Close()
			return nil, err
		}
	}
	return s, nil
}

// finish reads the rest of the download and returns all of it and its
// X-Export-Status trailer.
func (s *slowDownload) finish() ([]byte, string, error) {
	defer s.conn.Close()
	rest, err := io.ReadAll(s.resp.Body)
	return append(s.first, rest...), s.resp.Trailer.Get(web.ExportStatusTrailer), err
}

// latencies runs each search once, one after another, and returns the
// time each took; every one must answer 200.
func latencies(t *testing.T, ts *httptest.Server, paths []string) []time.Duration {
	t.Helper()
	var out []time.Duration
	for _, p := range paths {
		start := time.Now()
		resp, err := http.Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		out = append(out, time.Since(start))
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d, want 200", p, resp.StatusCode)
		}
	}
	return out
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// TestSlowDownloadsLeaveSearchesAnswering is the acceptance test:
// 16 clients start downloading every article with 的 and stall after a
// few bytes. The searches that follow answer as fast as before (the
// medians' ratio, with a generous margin), and each download admitted
// arrives complete when its client reads again.
func TestSlowDownloadsLeaveSearchesAnswering(t *testing.T) {
	ts := slowServer(t, web.Limits{QueueTimeout: 300 * time.Millisecond})
	const path = "/api/v1/search.csv?q=%E7%9A%84" // 的
	ref, err := http.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := io.ReadAll(ref.Body)
	ref.Body.Close()
	if ref.StatusCode != 200 || len(want) < 1<<20 || ref.Trailer.Get(web.ExportStatusTrailer) != web.ExportComplete {
		t.Fatalf("reference download: %d, %d bytes, trailer %q; want a complete download of more than 1 MB",
			ref.StatusCode, len(want), ref.Trailer.Get(web.ExportStatusTrailer))
	}

	var searches []string
	for range 4 {
		for _, q := range []string{"经济", "的", `"黑土地"`, "农业 OR 教育", "county:伊通"} {
			searches = append(searches, "/api/v1/search?q="+url.QueryEscape(q))
		}
	}
	latencies(t, ts, searches[:5]) // warm up
	before := median(latencies(t, ts, searches))

	var (
		mu    sync.Mutex
		slow  []*slowDownload
		wg    sync.WaitGroup
		codes = map[int]int{}
	)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := startSlowDownload(t, ts, path, fmt.Sprintf("198.51.100.%d", i+1))
			if err != nil {
				t.Errorf("slow client %d: %v", i, err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			codes[d.status]++
			if d.status == http.StatusOK {
				slow = append(slow, d)
				return
			}
			// Turned away: told why and when to come back.
			b, _ := io.ReadAll(d.resp.Body)
			d.conn.Close()
			if d.status != http.StatusServiceUnavailable || d.resp.Header.Get("Retry-After") == "" || !strings.Contains(string(b), `"code":"busy"`) {
				t.Errorf("slow client %d turned away: %d %s", i, d.status, b)
			}
		}()
	}
	wg.Wait()
	if codes[200] != web.DefaultLimits.MaxDownloads || codes[200]+codes[503] != 16 {
		t.Errorf("downloads: %v, want %d admitted (MaxDownloads) and the others 503", codes, web.DefaultLimits.MaxDownloads)
	}

	// The admitted downloads are stalled now, each holding its
	// connection; searches answer as before.
	during := median(latencies(t, ts, searches))
	t.Logf("median search latency: %s before, %s with %d downloads stalled", before, during, len(slow))
	if during > 10*before {
		t.Errorf("searches took %s (median) with slow downloads, %s before: more than 10×", during, before)
	}

	// Resumed, each download arrives whole.
	for i, d := range slow {
		got, trailer, err := d.finish()
		// The first row (#query) holds the time of the export; the rest is the same.
		if err != nil || !bytes.Equal(afterFirstLine(got), afterFirstLine(want)) || trailer != web.ExportComplete {
			t.Errorf("download %d after resuming: %d of %d bytes (%v), trailer %q", i, len(got), len(want), err, trailer)
		}
	}
}

// TestDownloadsPerClient: a client address runs at most
// MaxDownloadsPerClient downloads at once; one more is a 429 with
// Retry-After, while another address still gets its own.
func TestDownloadsPerClient(t *testing.T) {
	ts := slowServer(t, web.Limits{MaxDownloads: 8})
	const path = "/api/v1/search.jsonl?q=%E7%9A%84"
	var slow []*slowDownload
	for range 2 {
		d, err := startSlowDownload(t, ts, path, "198.51.100.1")
		if err != nil || d.status != 200 {
			t.Fatalf("download of client 1: %v %v", d, err)
		}
		slow = append(slow, d)
	}
	third, err := startSlowDownload(t, ts, path, "198.51.100.1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(third.resp.Body)
	third.conn.Close()
	if third.status != http.StatusTooManyRequests || third.resp.Header.Get("Retry-After") == "" ||
		!strings.Contains(string(b), `"code":"too_many_downloads"`) || !strings.Contains(string(b), "already has 2 downloads running") {
		t.Errorf("third download of one client: %d Retry-After %q %s", third.status, third.resp.Header.Get("Retry-After"), b)
	}
	other, err := startSlowDownload(t, ts, path, "198.51.100.2")
	if err != nil || other.status != 200 {
		t.Fatalf("another client's download: %v %v", other, err)
	}
	slow = append(slow, other)
	for i, d := range slow {
		got, trailer, err := d.finish()
		if err != nil || trailer != web.ExportComplete || !bytes.HasSuffix(got, []byte("}\n")) {
			t.Errorf("download %d: %d bytes, trailer %q, %v", i, len(got), trailer, err)
		}
	}
	// Finished downloads free their client's places.
	d, err := startSlowDownload(t, ts, path, "198.51.100.1")
	if err != nil || d.status != 200 {
		t.Fatalf("client 1 after its downloads finished: %v %v", d, err)
	}
	if _, trailer, err := d.finish(); err != nil || trailer != web.ExportComplete {
		t.Errorf("client 1's next download: trailer %q, %v", trailer, err)
	}
}

// TestStalledDownloadIsDropped: a client that stops reading loses its
// download after DownloadIdleTimeout, and its slot goes to the next one.
func TestStalledDownloadIsDropped(t *testing.T) {
	ts := slowServer(t, web.Limits{MaxDownloads: 1, DownloadIdleTimeout: 300 * time.Millisecond})
	const path = "/api/v1/search.jsonl?q=%E7%9A%84"
	stalled, err := startSlowDownload(t, ts, path, "198.51.100.1")
	if err != nil || stalled.status != 200 {
		t.Fatalf("first download: %v %v", stalled, err)
	}
	// The only slot is taken; this one waits for it (QueueTimeout, 5 s),
	// and gets it when the stalled download is dropped.
	start := time.Now()
	next, err := startSlowDownload(t, ts, path, "198.51.100.2")
	if err != nil || next.status != 200 {
		t.Fatalf("second download, while the first stalls: %v %v", next, err)
	}
	waited := time.Since(start)
	got, trailer, err := next.finish()
	if err != nil || trailer != web.ExportComplete || !bytes.HasSuffix(got, []byte("}\n")) {
		t.Errorf("second download: %d bytes, trailer %q, %v", len(got), trailer, err)
	}
	// The stalled client finds its download unfinished.
	got, trailer, _ = stalled.finish()
	if trailer == web.ExportComplete {
		t.Errorf("the dropped download says it is complete (%d bytes)", len(got))
	}
	t.Logf("the second download waited %s for the stalled one's slot", waited)
}

// afterFirstLine is b without its first line.
func afterFirstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return nil
}
