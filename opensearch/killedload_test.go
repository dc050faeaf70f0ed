package opensearch

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// envHelperAlias makes TestHelperEndlessLoad run: the alias it loads into.
const envHelperAlias = "NEWSARCHIVE_OPENSEARCH_HELPER_ALIAS"

// TestHelperEndlessLoad is not a test: TestClusterKilledLoad runs the
// test binary with it, as a process that loads without end until killed.
func TestHelperEndlessLoad(t *testing.T) {
	alias := os.Getenv(envHelperAlias)
	if alias == "" {
		t.Skip("a helper process of TestClusterKilledLoad")
	}
	cfg := ConfigFromEnv()
	cfg.Alias = alias
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	l, err := c.NewLoad(ctx, LoadOptions{BatchBytes: 32 << 10})
	if err != nil {
		t.Fatal(err)
	}
	arts := articles("x", "半途", 1000)
	for i := 0; ; i++ {
		a := arts[i%len(arts)]
		a.ID = a.ID + "-" + strings.Repeat("x", i/len(arts)%3) + string(rune('a'+i/len(arts)%26))
		if err := l.Add(ctx, &a); err != nil {
			t.Fatal(err)
		}
		if i == 2000 {
			os.Stdout.WriteString("loading " + l.Name() + "\n")
		}
	}
}

// TestClusterKilledLoad SIGKILLs a process in the middle of a load: the
// alias stays on the generation before, whole; the half-written index is
// listed incomplete, cannot be rolled back to, and the next committed
// load prunes it.
func TestClusterKilledLoad(t *testing.T) {
	c := testClient(t)
	ctx := context.Background()
	before := load(t, c, LoadOptions{}, articles("k", "完整", 120))

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperEndlessLoad$", "-test.v")
	cmd.Env = append(os.Environ(), envHelperAlias+"="+c.Alias())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if name, ok := strings.CutPrefix(sc.Text(), "loading "); ok {
				lines <- name
			}
		}
		close(lines)
	}()
	var half string
	select {
	case half = <-lines:
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		t.Fatal("the helper did not start loading")
	}
	time.Sleep(500 * time.Millisecond) // more batches in flight
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	t.Logf("killed a load into %s", half)

	if cur, err := c.Current(ctx); err != nil || cur != before.Generation {
		t.Fatalf("after the killed load the alias is on %q (%v), want %s", cur, err, before.Generation)
	}
	if n, err := c.Count(ctx, Query{}); err != nil || n != 120 {
		t.Errorf("after the killed load: %d articles (%v), want 120", n, err)
	}
	gens, err := c.Generations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, g := range gens {
		if g.Name == half {
			found = true
			if g.Complete || g.Current {
				t.Errorf("the killed load's generation: %+v", g)
			}
			t.Logf("the killed load's generation: %d documents written, incomplete", g.Docs)
		}
	}
	if !found {
		t.Fatalf("the killed load's generation %s is not listed: %+v", half, gens)
	}
	if _, err := c.Rollback(ctx, half); err == nil {
		t.Error("rolled back to the killed load's generation")
	}
	next := load(t, c, LoadOptions{}, articles("k", "下一代", 30))
	if !strings.Contains(strings.Join(next.Pruned, ","), half) {
		t.Errorf("the next load pruned %v, not the killed load's %s", next.Pruned, half)
	}
}
