package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startServe runs "newsarchive serve args..." in the test process and
// returns the URL it says it listens on; the server stops when the test
// ends.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), pw, &errb)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited %d: %s", code, errb.String())
			}
		case <-time.After(30 * time.Second):
			t.Errorf("serve did not stop within 30 s of the signal")
		}
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
	}()
	select {
	case line := <-lines:
		m := regexp.MustCompile(`at (http://\S+/)$`).FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("serve said %q, not where it listens", line)
		}
		return m[1]
	case code := <-done:
		t.Fatalf("serve exited %d before listening: %s", code, errb.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not start within 60 s: %s", errb.String())
	}
	return ""
}

func httpGet(t *testing.T, u string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// TestServeSampleAndSearchJSON starts serve as a fresh clone does (no
// flags but a data directory), and checks that "search --json" prints what
// the API answers.
func TestServeSampleAndSearchJSON(t *testing.T) {
	data := t.TempDir()
	base := startServe(t, "--data", data)
	status, body := httpGet(t, base+"api/v1/search?q="+url.QueryEscape("满族")+"&county="+url.QueryEscape("伊通")+"&size=5")
	if status != 200 || !strings.Contains(string(body), "<mark>满族</mark>") {
		t.Fatalf("search on the sample: %d %s", status, body)
	}
	code, out, errOut := runCLI(t, "search", "--index", filepath.Join(data, "sample", "index"), "--json", "--county", "伊通", "--size", "5", "满族")
	if code != 0 {
		t.Fatalf("search --json: exit %d: %s", code, errOut)
	}
	took := regexp.MustCompile(`"took_ms":\d+`)
	if a, b := took.ReplaceAllString(out, ""), took.ReplaceAllString(string(body), ""); a != b {
		t.Errorf("search --json and the API differ:\n%s\n%s", a, b)
	}
	// The place filters at each level, by code and by name.
	status, body = httpGet(t, base+"api/v1/search?q="+url.QueryEscape("活动")+"&province=22&prefecture="+url.QueryEscape("四平市")+"&size=3")
	if status != 200 || !strings.Contains(string(body), `"province":[{"value":"吉林省","count":`) {
		t.Fatalf("search with places on the sample: %d %s", status, body)
	}
	code, out, errOut = runCLI(t, "search", "--index", filepath.Join(data, "sample", "index"), "--json", "--province", "22", "--prefecture", "四平市", "--size", "3", "活动")
	if a, b := took.ReplaceAllString(out, ""), took.ReplaceAllString(string(body), ""); code != 0 || a != b {
		t.Errorf("search --json --province --prefecture and the API differ (exit %d %s):\n%s\n%s", code, errOut, a, b)
	}
	status, body = httpGet(t, base+"api/v1/facets")
	if status != 200 || !strings.Contains(string(body), `"articles":`) {
		t.Errorf("facets: %d %s", status, body)
	}
}

// TestServeIndexesCorpus checks that serve --corpus indexes the corpus
// before it answers.
func TestServeIndexesCorpus(t *testing.T) {
	corpusDir := t.TempDir()
	writeFile(t, filepath.Join(corpusDir, "2024-01-02-p1.txt"), "---\npaper: 测试报\ndate: 2024-01-02\npage: 1\n---\n\n# 双辽市冬季冰雪节开幕\n\n本报记者 周明\n\n1月2日，双辽市冬季冰雪节开幕，冰雕、雪雕吸引大批游客。\n")
	indexDir := filepath.Join(t.TempDir(), "idx")
	base := startServe(t, "--corpus", corpusDir, "--index", indexDir)
	status, body := httpGet(t, base+"api/v1/search?q="+url.QueryEscape("冰雕"))
	if status != 200 || !strings.Contains(string(body), `"total":1`) || !strings.Contains(string(body), `"paper":"测试报"`) {
		t.Fatalf("search: %d %s", status, body)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestAdminReindex starts serve on a corpus with an admin token, adds a
// bulletin and asks the server to reindex: the new article is served at
// once, and a request without the token is refused.
func TestAdminReindex(t *testing.T) {
	t.Setenv(EnvAdminToken, "test-token")
	corpusDir := t.TempDir()
	writeFile(t, filepath.Join(corpusDir, "2024-01-02-p1.txt"), "---\npaper: 测试报\ndate: 2024-01-02\npage: 1\n---\n\n# 双辽市冬季冰雪节开幕\n\n本报记者 周明\n\n1月2日，双辽市冬季冰雪节开幕。\n")
	base := startServe(t, "--corpus", corpusDir, "--index", filepath.Join(t.TempDir(), "idx"), "--poll", "1h")
	post := func(token string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, base+"admin/reindex", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	writeFile(t, filepath.Join(corpusDir, "2024-01-03-p1.txt"), "---\npaper: 测试报\ndate: 2024-01-03\npage: 1\n---\n\n# 梨树县雪乡样例游开幕\n\n本报记者 周明\n\n1月3日，梨树县雪乡样例游开幕。\n")
	if status, _ := post("wrong"); status != http.StatusUnauthorized {
		t.Errorf("reindex with a wrong token: %d, want 401", status)
	}
	status, body := post("test-token")
	if status != 200 || !strings.Contains(body, `"added":1`) {
		t.Fatalf("reindex: %d %s", status, body)
	}
	// The server switched at once (the poll is an hour away).
	_, got := httpGet(t, base+"api/v1/search?q="+url.QueryEscape("雪乡样例游"))
	if !strings.Contains(string(got), `"total":1`) {
		t.Errorf("after reindex: %s", got)
	}
	_, metrics := httpGet(t, base+"metrics")
	if !strings.Contains(string(metrics), "newsarchive_last_reindex_success 1") {
		t.Errorf("metrics do not record the reindex")
	}
}
