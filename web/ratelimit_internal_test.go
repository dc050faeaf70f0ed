package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"newsarchive/search/searchtest"
	"newsarchive/serving"
)

// TestRateLimiterMemoryIsBounded sends requests from many more client
// addresses than MaxRateClients: the limiter holds buckets for the
// bound's worth of them, the most recently seen.
func TestRateLimiterMemoryIsBounded(t *testing.T) {
	fx := searchtest.Get(t)
	srv := New(serving.Fixed(fx.Engine, fx.Tagger), Options{Logger: slog.New(slog.DiscardHandler),
		Limits: Limits{RatePerSecond: 0.001, RateBurst: 1, MaxRateClients: 50}})
	get := func(addr string) int {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil)
		req.RemoteAddr = addr + ":1234"
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		return rec.Code
	}
	if s := get("192.0.2.1"); s != 200 {
		t.Fatalf("first request: %d", s)
	}
	if s := get("192.0.2.1"); s != 429 {
		t.Fatalf("second request of a burst of 1: %d, want 429", s)
	}
	for i := range 2000 {
		addr := fmt.Sprintf("10.%d.%d.%d", i>>16, (i>>8)&255, i&255)
		if s := get(addr); s != 200 {
			t.Fatalf("new client %s: %d", addr, s)
		}
		if n := srv.rate.tracked(); n > 50 {
			t.Fatalf("after %d clients the limiter tracks %d, more than MaxRateClients 50", i+2, n)
		}
	}
	if n := srv.rate.tracked(); n != 50 {
		t.Errorf("the limiter tracks %d clients, want 50", n)
	}
	// The most recent 50 are still limited; the first, forgotten, starts
	// again with a full bucket.
	if s := get("10.0.7.207"); s != 429 { // client 1999
		t.Errorf("a recent client's second request: %d, want 429", s)
	}
	if s := get("192.0.2.1"); s != 200 {
		t.Errorf("the least recently seen client, forgotten: %d, want 200", s)
	}
}
