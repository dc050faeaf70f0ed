package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// queryLoad is four clients querying a server in a loop, the load of the
// tests that reindex while serving.
type queryLoad struct {
	base     string
	client   *http.Client
	stop     atomic.Bool
	requests atomic.Int64
	wg       sync.WaitGroup
	mu       sync.Mutex
	failed   []string // "path: error" of each request that failed
}

// startLoad starts four clients cycling through paths (relative to base)
// until end is called; a request fails on a transport error or a status
// other than 200.
func startLoad(base string, paths []string) *queryLoad {
	l := &queryLoad{base: base, client: &http.Client{Timeout: 30 * time.Second}}
	for w := range 4 {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := w; !l.stop.Load(); i++ {
				p := paths[i%len(paths)]
				resp, err := l.client.Get(base + p)
				l.requests.Add(1)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if err != nil {
					l.mu.Lock()
					l.failed = append(l.failed, p+": "+err.Error())
					l.mu.Unlock()
				}
			}
		}()
	}
	return l
}

// end stops the clients and fails the test if a request failed or too
// few ran.
func (l *queryLoad) end(t *testing.T, during string) {
	t.Helper()
	l.stop.Store(true)
	l.wg.Wait()
	t.Logf("%d requests during %s, %d failed", l.requests.Load(), during, len(l.failed))
	if len(l.failed) > 0 {
		t.Errorf("%d of %d requests failed: %v", len(l.failed), l.requests.Load(), l.failed[:min(len(l.failed), 10)])
	}
	if l.requests.Load() < 20 {
		t.Errorf("only %d requests: the load did not run", l.requests.Load())
	}
}

// total is the API's total for a query, or what went wrong.
func (l *queryLoad) total(q string) string {
	resp, err := l.client.Get(l.base + "api/v1/search?q=" + url.QueryEscape(q))
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := regexp.MustCompile(`"total":(\d+)`).FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return string(b)
}

// waitFor waits up to limit for cond.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v of the index run", what, limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
