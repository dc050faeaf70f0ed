package web_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"newsarchive/web"
)

// adminDo sends an admin request with an Authorization header (none when
// auth is empty) and returns the status and the error body, if any.
func adminDo(t *testing.T, base, method, path, auth string) (int, web.ErrorBody, string) {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var e web.ErrorBody
	json.Unmarshal(b, &e)
	return resp.StatusCode, e, string(b)
}

func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	ts := serverWith(t, web.Options{Limits: web.Limits{RatePerSecond: -1}, AdminToken: "s3cret"})
	for auth, want := range map[string]int{
		"Bearer s3cret":   200,
		"bearer s3cret":   200,
		"BEARER s3cret":   200,
		"bEaReR   s3cret": 200,
		"Bearer s3cre":    401,
		"Basic s3cret":    401,
		"Bearers3cret":    401,
		"bearer":          401,
		"s3cret":          401,
	} {
		if status, _, body := adminDo(t, ts.URL, http.MethodGet, "/admin/stats", auth); status != want {
			t.Errorf("Authorization %q: %d, want %d (%.100s)", auth, status, want, body)
		}
	}
}

func TestSecondReindexIsAConflict(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	runs := 0
	var result error
	ts := serverWith(t, web.Options{Limits: web.Limits{RatePerSecond: -1}, AdminToken: "s3cret", Admin: web.Admin{
		Reindex: func(ctx context.Context, rebuild bool) (any, error) {
			runs++
			started <- struct{}{}
			<-release
			return map[string]int{"articles": 7}, result
		},
	}})
	first := make(chan string)
	go func() {
		status, _, body := adminDo(t, ts.URL, http.MethodPost, "/admin/reindex", "Bearer s3cret")
		first <- fmt.Sprint(status, " ", strings.TrimSpace(body))
	}()
	<-started
	status, e, _ := adminDo(t, ts.URL, http.MethodPost, "/admin/reindex?rebuild=1", "Bearer s3cret")
	if status != http.StatusConflict || e.Error.Code != "conflict" || !strings.Contains(e.Error.Message, "a reindex is already running") {
		t.Errorf("second reindex while one runs: %d %+v, want 409 conflict", status, e)
	}
	release <- struct{}{}
	if got := <-first; got != `200 {"articles":7}` {
		t.Errorf("the first reindex: %s", got)
	}
	if runs != 1 {
		t.Errorf("%d runs, want 1", runs)
	}

	// An implementation that finds the index busy (a run of the command
	// line holds its write lock) says so with ErrBusy: 409 too, and no
	// failed reindex in the metrics.
	result = fmt.Errorf("index /var/idx: %w: another index run holds write.lock", web.ErrBusy)
	go func() { <-started; release <- struct{}{} }()
	status, e, _ = adminDo(t, ts.URL, http.MethodPost, "/admin/reindex", "Bearer s3cret")
	if status != http.StatusConflict || e.Error.Code != "conflict" || !strings.Contains(e.Error.Message, "another index run holds write.lock") {
		t.Errorf("reindex returning ErrBusy: %d %+v, want 409 conflict with its message", status, e)
	}
	if !errors.Is(result, web.ErrBusy) {
		t.Fatal("ErrBusy does not wrap")
	}
	_, _, metrics := adminDo(t, ts.URL, http.MethodGet, "/metrics", "")
	if !strings.Contains(metrics, "newsarchive_last_reindex_success 1") {
		t.Errorf("after a busy reindex the last reindex is not the successful one:\n%s", grepLines(metrics, "last_reindex"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
