package web_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"newsarchive/corpus"
	"newsarchive/index"
	"newsarchive/serving"
	"newsarchive/web"
)

// serveCorpus indexes corpusDir into indexDir and serves it on a test
// server (no rate limit), closed with the test.
func serveCorpus(t *testing.T, corpusDir, indexDir string, tagger *corpus.Tagger) *httptest.Server {
	t.Helper()
	if _, err := index.Update(context.Background(), index.Options{Corpus: corpusDir, Dir: indexDir, Parser: corpus.NewParser(tagger)}); err != nil {
		t.Fatal(err)
	}
	idx, err := index.Open(indexDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	srv := web.New(serving.Fixed(idx, tagger), web.Options{Logger: slog.New(slog.DiscardHandler), Limits: web.Limits{RatePerSecond: -1}})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}
