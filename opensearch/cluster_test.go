package opensearch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"
)

// EnvRequire, when "1", makes the cluster tests fail instead of skipping
// when no cluster URL is set (CI sets it).
const EnvRequire = "NEWSARCHIVE_REQUIRE_OPENSEARCH"

// testClient returns a client of the test cluster for a fresh alias,
// whose generations are deleted after the test. Without a cluster URL
// the test skips (fails under NEWSARCHIVE_REQUIRE_OPENSEARCH=1).
func testClient(t *testing.T) *Client {
	t.Helper()
	cfg := ConfigFromEnv()
	if len(cfg.URLs) == 0 {
		msg := "no OpenSearch cluster: run scripts/opensearch-cluster start, then " +
			"NEWSARCHIVE_OPENSEARCH_URL=http://127.0.0.1:9200,http://127.0.0.1:9201 go test ./opensearch/ (see docs/opensearch.md)"
		if os.Getenv(EnvRequire) == "1" {
			t.Fatal(msg + "; " + EnvRequire + "=1 requires it")
		}
		t.Skip(msg)
	}
	var b [4]byte
	rand.Read(b[:])
	cfg.Alias = "natest-" + strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name())) + "-" + hex.EncodeToString(b[:])
	if len(cfg.Alias) > 120 {
		cfg.Alias = cfg.Alias[len(cfg.Alias)-120:]
	}
	cfg.Logger = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Health(ctx); err != nil {
		t.Fatalf("cluster at %v does not answer: %v", cfg.URLs, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if err := c.DeleteAll(ctx); err != nil {
			t.Logf("delete the test's generations: %v", err)
		}
		c.Close()
	})
	return c
}

// testWriter sends log lines to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

var _ io.Writer = testWriter{}
