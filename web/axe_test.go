package web_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// The accessibility run: axe-core (from npm, pinned by
// testdata/axe/package-lock.json) injected into the UI's pages in
// headless Chromium, at WCAG 2.0 and 2.1, levels A and AA. A page passes
// with no violation at all; the violations are printed when there are.
//
// checkAccessible is the helper for any page: other tests add theirs with
// one call (b, ts and a path).

// axeTags are the rule sets run.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

var (
	axeOnce   sync.Once
	axeSource string
	axeErr    error
)

// axeScript returns axe.min.js, installed with npm ci on first use into
// the user's cache (a directory named after the lock file's hash, so a
// changed lock installs again; node_modules is never in the repository).
func axeScript(t *testing.T) string {
	t.Helper()
	axeOnce.Do(func() { axeSource, axeErr = installAxe() })
	if axeErr != nil {
		t.Fatalf("axe-core: %v", axeErr)
	}
	return axeSource
}

func installAxe() (string, error) {
	lock, err := os.ReadFile(filepath.Join("testdata", "axe", "package-lock.json"))
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(lock)
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "newsarchive", "axe-"+hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	for _, f := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "axe", f))
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			return "", err
		}
	}
	script := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
	if _, err := os.Stat(script); errors.Is(err, os.ErrNotExist) {
		cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", fmt.Errorf("npm ci in %s: %v\n%s", dir, err, out)
		}
	}
	b, err := os.ReadFile(script)
	if err != nil {
		return "", fmt.Errorf("read axe-core: %w", err)
	}
	if len(b) < 100_000 || !strings.Contains(string(b), "axe") {
		return "", fmt.Errorf("%s (%d bytes) is not axe-core", script, len(b))
	}
	return string(b), nil
}

// axeViolation is one rule that failed, with the elements it failed on.
type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target         []any  `json:"target"`
		HTML           string `json:"html"`
		FailureSummary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axeResult is what the run reports.
type axeResult struct {
	Violations []axeViolation `json:"violations"`
	Passes     int            `json:"passes"`
	Incomplete int            `json:"incomplete"`
}

// checkAccessible loads path in a new tab (after setup, such as a phone's
// viewport; ready is a CSS selector visible once the page is drawn), runs
// axe-core on it and fails the test on any WCAG 2 A/AA violation,
// printing each with its elements.
func checkAccessible(t *testing.T, b *browserSession, path, ready string, setup ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	src := axeScript(t)
	ctx := b.tab(t)
	do(t, ctx, "open "+path, append(setup,
		chromedp.Navigate(b.ts.URL+path),
		chromedp.WaitVisible(chromedp.CSS(ready)),
	)...)
	runAxe(t, ctx, path, src)
}

// runAxe runs axe-core on the page the tab shows and reports its
// violations as errors.
func runAxe(t *testing.T, ctx context.Context, what, src string) {
	t.Helper()
	for _, v := range axeViolations(t, ctx, what, src) {
		var b strings.Builder
		fmt.Fprintf(&b, "%s: %s (%s): %s\n    %s", what, v.ID, v.Impact, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    %v %s\n      %s", n.Target, cutHTML(n.HTML), strings.ReplaceAll(n.FailureSummary, "\n", "\n      "))
		}
		t.Error(b.String())
	}
}

// axeViolations runs axe-core on the page the tab shows and returns what
// it found.
func axeViolations(t *testing.T, ctx context.Context, what, src string) []axeViolation {
	t.Helper()
	if ok := run(t, ctx, "inject axe-core", chromedp.Evaluate[bool](src+"\n;typeof axe === 'object'")); !ok {
		t.Fatalf("%s: axe-core did not load", what)
	}
	tags := `['` + strings.Join(axeTags, `','`) + `']`
	res := run(t, ctx, "run axe-core", chromedp.Evaluate[axeResult](
		`axe.run(document, {runOnly: {type: 'tag', values: `+tags+`}, resultTypes: ['violations']}).then(r => ({violations: r.violations, passes: r.passes.length, incomplete: r.incomplete.length}))`,
		chromedp.EvalAwaitPromise))
	if res.Passes == 0 {
		t.Errorf("%s: axe-core checked nothing", what)
	}
	t.Logf("%s: axe-core %d rules passed, %d to review by hand, %d violated", what, res.Passes, res.Incomplete, len(res.Violations))
	return res.Violations
}

func cutHTML(s string) string {
	if r := []rune(s); len(r) > 160 {
		return string(r[:160]) + "…"
	}
	return s
}

// TestAccessibility runs axe-core on each kind of page: the home page, a
// results page with facets, the place tree, a timeline and the table, a
// results page with a query error, an article, the about page, the
// 404 page, the trends and the concordance pages.
func TestAccessibility(t *testing.T) {
	ts, fx := uiServer(t)
	b := startBrowser(t, ts)
	var id string
	for _, a := range fx.Articles {
		if a.Title != "" && len(a.Authors) > 0 && len(a.Counties) > 0 {
			id = a.ID
			break
		}
	}
	for _, p := range []struct{ name, path, ready string }{
		{"Home", "/", "#stats"},
		{"Results", "/search?q=" + url.QueryEscape("活动"), "#timeline"},
		{"ResultsFiltered", "/search?q=" + url.QueryEscape("活动") + "&county=" + url.QueryEscape("伊通满族自治县") + "&from=2023-01-01", "#results"},
		{"ResultsPlaces", "/search?province=220000", "#place-tree"},
		{"AllArticles", "/search?sort=date", "#timeline"},
		{"DayInPageOrder", "/search?from=2024-05-10&to=2024-05-10&sort=page", "#results"},
		{"QueryError", "/search?q=" + url.QueryEscape(`"乡村振兴`), "#query-error"},
		{"NoResults", "/search?q=" + url.QueryEscape("满族") + "&county=" + url.QueryEscape("双辽市") + "&from=2022-01-01", "#empty"},
		{"Article", "/articles/" + id + "?q=" + url.QueryEscape("活动"), "#body"},
		{"About", "/about", "#syntax"},
		{"NotFound", "/no-such-page", ".error-page"},
		{"Trends", "/trends?q=" + url.QueryEscape("经济") + "&q=" + url.QueryEscape(`"黑土地"`) + "&interval=year", "#trends-table"},
		{"TrendsMonths", "/trends?q=" + url.QueryEscape("活动") + "&show=count", "#trends-table"},
		{"Concordance", "/concordance?q=" + url.QueryEscape(`"发展"`) + "&sort=right", "#kwic"},
	} {
		t.Run(p.name, func(t *testing.T) { checkAccessible(t, b, p.path, p.ready) })
	}
	// On a phone the results come first and the tables scroll.
	phone := chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)
	t.Run("ResultsPhone", func(t *testing.T) {
		checkAccessible(t, b, "/search?q="+url.QueryEscape("活动"), "#timeline", phone)
	})
	t.Run("ArticlePhone", func(t *testing.T) { checkAccessible(t, b, "/articles/"+id, "#body", phone) })
}

// TestAxeFindsViolations checks the checker: a page with an image without
// text, a field without a label, grey on grey and no language has each
// violation reported.
func TestAxeFindsViolations(t *testing.T) {
	ts, _ := uiServer(t)
	b := startBrowser(t, ts)
	ctx := b.tab(t)
	const page = `<!DOCTYPE html><html><head><title>x</title></head><body>` +
		`<img src="/static/none.png"><input type="text"><p style="color:#ccc;background:#ddd">灰色的字</p></body></html>`
	do(t, ctx, "open the bad page", chromedp.Navigate("data:text/html;charset=utf-8,"+url.PathEscape(page)), chromedp.WaitReady(chromedp.CSS("p")))
	found := map[string]bool{}
	for _, v := range axeViolations(t, ctx, "bad page", axeScript(t)) {
		found[v.ID] = len(v.Nodes) > 0
	}
	for _, id := range []string{"image-alt", "label", "color-contrast", "html-has-lang"} {
		if !found[id] {
			t.Errorf("axe-core did not report %s (it found %v)", id, found)
		}
	}
}
