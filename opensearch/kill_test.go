package opensearch

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"newsarchive/engine"
)

// EnvKill, when "1", lets TestClusterKillNode kill node 2 of the cluster
// scripts/opensearch-cluster started from this checkout (CI sets it).
const EnvKill = "NEWSARCHIVE_OPENSEARCH_KILL"

// clusterScript runs scripts/opensearch-cluster with args.
func clusterScript(t *testing.T, args ...string) {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("..", "scripts", "opensearch-cluster"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	out, err := exec.Command(script, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", script, strings.Join(args, " "), err, out)
	}
	t.Logf("opensearch-cluster %s: %v", strings.Join(args, " "), time.Since(start).Round(100*time.Millisecond))
}

// TestClusterKillNode kills node 2 (SIGKILL) while a load writes a new
// generation and four readers count the current one: the load retries
// and commits every article, the readers keep answering the right count
// (the old generation's, then the new one's). Then a client that knows
// only node 2 loads while it is down (the load retries, fails naming the
// articles, the alias stays), and again while it restarts (the load
// retries until node 2 answers, and commits); the cluster is green again.
func TestClusterKillNode(t *testing.T) {
	c := testClient(t)
	if os.Getenv(EnvKill) != "1" {
		t.Skipf("kills node 2 of the cluster scripts/opensearch-cluster started: set %s=1 to run it", EnvKill)
	}
	ctx := context.Background()
	load(t, c, LoadOptions{}, articles("k", "旧", 500))
	killed := false
	t.Cleanup(func() {
		if killed {
			clusterScript(t, "start-node", "2")
		}
	})

	var stop atomic.Bool
	var wg sync.WaitGroup
	var answers, failures atomic.Int64
	var mu sync.Mutex
	var wrong []string
	// The readers search as the archive does (search.Searcher's engine): a
	// quoted string every article holds, a county facet, a page by date.
	eng := &Engine{c: c}
	req := &engine.Request{
		Query:  engine.Text{Text: "二〇二三年", Exact: true},
		Facets: []engine.Facet{{Name: "county", Field: engine.FieldCounties, Size: 10}},
		Sort:   engine.SortNewest, Size: 10,
	}
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				// The old generation, or the new one once committed.
				res, err := eng.Search(ctx, req)
				sum := 0
				if err == nil {
					for _, v := range res.Facets["county"] {
						sum += v.Count
					}
				}
				switch {
				case err != nil:
					failures.Add(1)
					mu.Lock()
					wrong = append(wrong, err.Error())
					mu.Unlock()
				case res.Total != 500 && res.Total != 6000 || uint64(sum) != res.Total || len(res.Hits) != 10:
					mu.Lock()
					wrong = append(wrong, fmt.Sprintf("total %d, county facet %d, %d hits", res.Total, sum, len(res.Hits)))
					mu.Unlock()
				default:
					answers.Add(1)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
	}

	arts := articles("k", "新", 6000)
	for i := range arts {
		arts[i].Body = strings.Repeat(arts[i].Body, 20)
	}
	start := time.Now()
	l, err := c.NewLoad(ctx, LoadOptions{BatchBytes: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	// A client that knows node 2 only, and two loads of it begun while
	// node 2 is up (after l: newer than l, they are not pruned when l
	// commits).
	cfg := ConfigFromEnv()
	if len(cfg.URLs) < 2 {
		t.Fatalf("the cluster URL names %d nodes, the test needs 2", len(cfg.URLs))
	}
	cfg.URLs, cfg.Alias, cfg.Logger = cfg.URLs[1:2], c.alias, c.log
	c2, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	l2a, err := c2.NewLoad(ctx, LoadOptions{MaxRetries: 2})
	if err != nil {
		t.Fatal(err)
	}
	l2b, err := c2.NewLoad(ctx, LoadOptions{MaxRetries: 12, BatchBytes: 16 << 10})
	if err != nil {
		t.Fatal(err)
	}
	for i := range arts {
		if i == 1500 {
			clusterScript(t, "kill-node", "2")
			killed = true
		}
		if err := l.Add(ctx, &arts[i]); err != nil {
			t.Fatalf("article %d, after killing node 2: %v", i, err)
		}
	}
	if h, err := c.Health(ctx); err == nil {
		t.Logf("health before the commit: %s", h)
	}
	sum, err := l.Commit(ctx)
	if err != nil {
		t.Fatalf("commit with node 2 down: %v", err)
	}
	t.Logf("load with node 2 killed at article 1500: %d articles, %d batches, %d retries, %v", sum.Articles, sum.Batches, sum.Retries, time.Since(start).Round(time.Millisecond))
	if n, err := c.Count(ctx, Query{Exact: []string{"新"}}); err != nil || n != 6000 {
		t.Errorf("after the load: %d articles (%v)", n, err)
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("readers during the load: %d right answers, %d errors", answers.Load(), failures.Load())
	for i, w := range wrong {
		if i == 5 {
			break
		}
		t.Errorf("a reader: %s", w)
	}

	// While node 2 is down, a load through it retries, then fails,
	// naming the articles, and the alias stays.
	small := articles("k", "再", 200)
	for i := range small {
		if err = l2a.Add(ctx, &small[i]); err != nil {
			break
		}
	}
	if err == nil {
		_, err = l2a.Commit(ctx)
	}
	if err == nil {
		t.Fatal("a load through node 2 only, with node 2 down, committed")
	}
	t.Logf("a load through the dead node 2 only: %v", err)
	if cur, err := c.Current(ctx); err != nil || cur != sum.Generation {
		t.Errorf("after the failed load the alias is on %q (%v), want %s", cur, err, sum.Generation)
	}

	// The same, with node 2 restarting meanwhile: the load retries
	// until node 2 is back and commits.
	restarted := make(chan struct{})
	go func() {
		defer close(restarted)
		clusterScript(t, "start-node", "2")
	}()
	defer func() { <-restarted; killed = false }()
	start = time.Now()
	sum2, err := func() (LoadSummary, error) {
		for i := range small {
			if err := l2b.Add(ctx, &small[i]); err != nil {
				return LoadSummary{}, err
			}
		}
		return l2b.Commit(ctx)
	}()
	if err != nil {
		t.Fatalf("load through node 2 while it restarts: %v", err)
	}
	t.Logf("load through node 2 while it restarts: %d articles, %d batches, %d retries, %v", sum2.Articles, sum2.Batches, sum2.Retries, time.Since(start).Round(time.Millisecond))
	<-restarted
	if h, err := c.Health(ctx); err != nil || h != "green" {
		t.Errorf("health after start-node 2: %q %v", h, err)
	}
	if n, err := c.Count(ctx, Query{Exact: []string{"再"}}); err != nil || n != 200 {
		t.Errorf("after the load through node 2: %d articles (%v)", n, err)
	}
}
