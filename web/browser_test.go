package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"maps"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"newsarchive/web"
)

// The browser tests drive Debian's chromium (headless) through the web UI
// as a reader would. Each subtest asserts on what the page shows and saves
// a screenshot under its temporary directory; with -screenshots they are
// also written to docs/screenshots/ for the README:
//
//	go test ./web -run Browser -screenshots

var writeScreenshots = flag.Bool("screenshots", false, "also write the browser tests' screenshots to docs/screenshots/")

// browserTimeout bounds each browser subtest.
const browserTimeout = 30 * time.Second

// chromiumPath finds the browser: $NEWSARCHIVE_CHROMIUM, Debian's
// /usr/bin/chromium, or chromium on the PATH. The tests fail without one:
// CI installs it (.ci/run), and a missing browser must not pass silently.
func chromiumPath(t *testing.T) string {
	if p := os.Getenv("NEWSARCHIVE_CHROMIUM"); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("the browser tests need Chromium and found none: install Debian's chromium package " +
		"(apt-get install -y chromium; .ci/run does this), or set NEWSARCHIVE_CHROMIUM to a Chrome or Chromium binary")
	return ""
}

// browserSession is one headless browser serving the subtests' tabs.
type browserSession struct {
	ctx context.Context
	ts  *httptest.Server
}

func startBrowser(t *testing.T, ts *httptest.Server) *browserSession {
	t.Helper()
	path := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 1000),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("hide-scrollbars", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	// The first run starts the browser and binds it to ctx, which has no
	// deadline; a watchdog bounds the start.
	watchdog := time.AfterFunc(browserTimeout, cancel)
	err := chromedp.Do(ctx)
	if !watchdog.Stop() {
		t.Fatalf("chromium (%s) did not start within %v", path, browserTimeout)
	}
	if err != nil {
		t.Fatalf("start chromium (%s): %v", path, err)
	}
	return &browserSession{ctx: ctx, ts: ts}
}

// tab opens a new tab with the subtest's timeout.
func (b *browserSession) tab(t *testing.T) context.Context {
	t.Helper()
	tabCtx, cancel := chromedp.NewContext(b.ctx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(tabCtx, browserTimeout)
	t.Cleanup(cancelTimeout)
	return ctx
}

// do runs actions and fails the test on an error.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// run runs one action that returns a value.
func run[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// screenshot saves what the tab shows as name (a .png) under the test's
// temporary directory, and under docs/screenshots with -screenshots.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png := run(t, ctx, "screenshot", chromedp.CaptureScreenshot())
	dirs := []string{t.TempDir()}
	if *writeScreenshots {
		dirs = append(dirs, filepath.Join("..", "docs", "screenshots"))
	}
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s", p)
	}
}

// total reads the number of matching articles the results page shows.
func total(t *testing.T, ctx context.Context) int {
	t.Helper()
	s := run(t, ctx, "read the total", chromedp.Text(chromedp.CSS("#total")))
	n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(s), ",", ""))
	if err != nil {
		t.Fatalf("total %q: %v", s, err)
	}
	return n
}

// facetCounts reads the sidebar: facet → value → count.
func facetCounts(t *testing.T, ctx context.Context) map[string]map[string]int {
	t.Helper()
	return run(t, ctx, "read the facets", chromedp.Evaluate[map[string]map[string]int](`(() => {
		const out = {};
		for (const cb of document.querySelectorAll('#filters input[type=checkbox]')) {
			const n = document.querySelector('label[for="' + cb.id + '"] .n');
			(out[cb.name] = out[cb.name] || {})[cb.value] = parseInt(n.textContent.replace(/,/g, ''), 10);
		}
		return out;
	})()`))
}

// texts returns the text of every element matching a CSS selector.
func texts(t *testing.T, ctx context.Context, css string) []string {
	t.Helper()
	return run(t, ctx, "read "+css, chromedp.Evaluate[[]string](
		fmt.Sprintf(`Array.from(document.querySelectorAll(%q), e => e.textContent)`, css)))
}

func query(t *testing.T, ctx context.Context) url.Values {
	t.Helper()
	loc := run(t, ctx, "location", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestBrowser(t *testing.T) {
	ts, fx := uiServer(t)
	b := startBrowser(t, ts)

	t.Run("TypeQuerySeeHighlightedHits", func(t *testing.T) {
		ctx := b.tab(t)
		do(t, ctx, "search from the home page",
			chromedp.Navigate(ts.URL+"/"),
			chromedp.WaitVisible(chromedp.CSS("#stats")),
			chromedp.SendKeys(chromedp.ID("q"), "活动"+kb.Enter),
			chromedp.WaitVisible(chromedp.CSS("ol.hits")),
		)
		if q := query(t, ctx); q.Get("q") != "活动" {
			t.Errorf("results URL has q=%q", q.Get("q"))
		}
		res := searchAPI(t, ts, "q="+url.QueryEscape("活动"))
		if got := total(t, ctx); got != int(res.Total) {
			t.Errorf("the page says %d articles, the API %d", got, res.Total)
		}
		titles := texts(t, ctx, "li.hit h2.title")
		if len(titles) != 20 || titles[0] != res.Hits[0].Title {
			t.Errorf("%d hits shown, first %q; API first %q", len(titles), titles[0], res.Hits[0].Title)
		}
		marks := texts(t, ctx, "li.hit mark")
		if len(marks) < len(titles) {
			t.Errorf("only %d highlights on %d hits", len(marks), len(titles))
		}
		for _, m := range marks {
			if m != "活动" {
				t.Errorf("highlighted %q, not the query", m)
			}
		}
		if n := len(texts(t, ctx, "#timeline a.bar")); n < 10 {
			t.Errorf("timeline has %d bars", n)
		}
		if n := len(texts(t, ctx, "#crosstab tbody tr")); n < 2 {
			t.Errorf("county × topic table has %d rows", n)
		}
		screenshot(t, ctx, "results.png")
	})

	t.Run("TickCountyFacetsChange", func(t *testing.T) {
		ctx := b.tab(t)
		do(t, ctx, "open results", chromedp.Navigate(ts.URL+"/search?q="+url.QueryEscape("活动")), chromedp.WaitVisible(chromedp.CSS("#filters")))
		before, totalBefore := facetCounts(t, ctx), total(t, ctx)
		const county = "伊通满族自治县"
		do(t, ctx, "tick a county",
			chromedp.Click(chromedp.CSS(`#filters input[name="county"][value="`+county+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(".active-filters")), // the new page
		)
		if q := query(t, ctx); !slices.Equal(q["county"], []string{county}) || q.Get("q") != "活动" {
			t.Errorf("after ticking, the URL has %v", q)
		}
		after, totalAfter := facetCounts(t, ctx), total(t, ctx)
		if totalAfter != before["county"][county] || totalAfter >= totalBefore {
			t.Errorf("total %d → %d, the county's count was %d", totalBefore, totalAfter, before["county"][county])
		}
		if !maps.Equal(after["county"], before["county"]) {
			t.Errorf("county counts changed (they are disjunctive): %v → %v", before["county"], after["county"])
		}
		if maps.Equal(after["topic"], before["topic"]) || maps.Equal(after["author"], before["author"]) {
			t.Errorf("topic or author counts did not change: %v / %v", after["topic"], after["author"])
		}
		checked := run(t, ctx, "checked", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#filters input:checked'), e => e.value)`))
		if !slices.Equal(checked, []string{county}) {
			t.Errorf("ticked boxes %v", checked)
		}
		hitCounties := texts(t, ctx, "li.hit .chip.county")
		if !slices.Contains(hitCounties, county) {
			t.Errorf("hits do not show the county: %v", hitCounties)
		}
		screenshot(t, ctx, "facets.png")
	})

	t.Run("WithoutJavaScript", func(t *testing.T) {
		ctx := b.tab(t)
		do(t, ctx, "disable JavaScript",
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
				return err
			}),
			chromedp.Navigate(ts.URL+"/search?q="+url.QueryEscape("活动")),
			chromedp.WaitVisible(chromedp.CSS("#filters")),
			chromedp.Click(chromedp.CSS(`#filters input[name="county"][value="双辽市"]`)),
			chromedp.Sleep(200*time.Millisecond),
		)
		if q := query(t, ctx); q.Has("county") {
			t.Fatalf("the page changed without JavaScript: %v", q)
		}
		do(t, ctx, "apply the filters with the button",
			chromedp.Click(chromedp.CSS(`#filters button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(".active-filters")),
		)
		res := searchAPI(t, ts, "q="+url.QueryEscape("活动")+"&county="+url.QueryEscape("双辽市"))
		if got := total(t, ctx); got != int(res.Total) || got == 0 {
			t.Errorf("after applying: %d articles, the API says %d", got, res.Total)
		}
	})

	t.Run("KeyboardPlaceTree", func(t *testing.T) {
		// With 吉林省 selected its prefectures show; from the tree's first
		// link, Tab reaches 四平市, Enter opens it, Tab reaches its link
		// and Enter applies it: the only place filter, its counties show.
		ctx := b.tab(t)
		do(t, ctx, "open results with a province",
			chromedp.Navigate(ts.URL+"/search?province=220000"),
			chromedp.WaitVisible(chromedp.CSS("#place-220000 > summary")),
			chromedp.WaitVisible(chromedp.CSS("#place-220300 > summary")), // the level in view is open
			chromedp.Focus(chromedp.CSS("#place-tree .clear a")),
		)
		active := func() string {
			return run(t, ctx, "active element", chromedp.Evaluate[string](`(() => {
				const e = document.activeElement;
				if (e.tagName === 'SUMMARY') return 'summary ' + e.parentElement.id;
				return e.tagName.toLowerCase() + ' ' + (e.getAttribute('data-code') || e.id || '');
			})()`))
		}
		reached := false
		for range 40 {
			do(t, ctx, "Tab", chromedp.KeyEvent(kb.Tab))
			if active() == "summary place-220300" {
				reached = true
				break
			}
		}
		if !reached {
			t.Fatalf("Tab never reached 四平市 (at %q)", active())
		}
		if open := run(t, ctx, "open?", chromedp.Evaluate[bool](`document.getElementById('place-220300').open`)); open {
			t.Fatal("四平市 open before Enter")
		}
		do(t, ctx, "Enter opens 四平市", chromedp.KeyEvent(kb.Enter))
		if open := run(t, ctx, "open?", chromedp.Evaluate[bool](`document.getElementById('place-220300').open`)); !open {
			t.Fatal("Enter did not open 四平市")
		}
		do(t, ctx, "Tab to its link", chromedp.KeyEvent(kb.Tab))
		if a := active(); a != "a 220300" {
			t.Fatalf("after Tab the focus is on %q, want 四平市's link", a)
		}
		do(t, ctx, "Enter applies it", chromedp.KeyEvent(kb.Enter))
		deadline := time.Now().Add(10 * time.Second)
		for !query(t, ctx).Has("prefecture") && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		do(t, ctx, "wait for the page", chromedp.WaitVisible(chromedp.CSS("#place-tree")))
		q := query(t, ctx)
		if q.Get("prefecture") != "四平市" || q.Has("province") {
			t.Fatalf("after Enter the URL has %v", q)
		}
		res := searchAPI(t, ts, "prefecture="+url.QueryEscape("四平市"))
		if got := total(t, ctx); got != int(res.Total) || got == 0 {
			t.Errorf("%d articles shown, the API says %d", got, res.Total)
		}
		if h := texts(t, ctx, "#crosstab-h"); len(h) != 1 || h[0] != "区县 × 主题" {
			t.Errorf("table heading %v", h)
		}
		if open := run(t, ctx, "open?", chromedp.Evaluate[bool](`document.getElementById('place-220300').open`)); !open {
			t.Error("四平市 not open once selected")
		}
		screenshot(t, ctx, "places.png")
	})

	t.Run("ClickTimelineBar", func(t *testing.T) {
		ctx := b.tab(t)
		do(t, ctx, "open results", chromedp.Navigate(ts.URL+"/search?q="+url.QueryEscape("活动")), chromedp.WaitVisible(chromedp.CSS("#timeline")))
		bar := run(t, ctx, "read the bar", chromedp.Attributes(chromedp.CSS(`#timeline a.bar[data-period="2024-05"]`)))
		want, _ := strconv.Atoi(bar["data-count"])
		if want == 0 || bar["aria-label"] == "" {
			t.Fatalf("bar %v", bar)
		}
		do(t, ctx, "click the bar",
			chromedp.Click(chromedp.CSS(`#timeline a.bar[data-period="2024-05"]`)),
			chromedp.WaitVisible(chromedp.CSS(".active-filters")),
		)
		q := query(t, ctx)
		if q.Get("from") != "2024-05-01" || q.Get("to") != "2024-05-31" || q.Get("q") != "活动" {
			t.Errorf("after the click the URL has %v", q)
		}
		if got := total(t, ctx); got != want {
			t.Errorf("%d articles in May 2024, the bar said %d", got, want)
		}
		from := run(t, ctx, "from", chromedp.Value(chromedp.ID("from")))
		to := run(t, ctx, "to", chromedp.Value(chromedp.ID("to")))
		if from != "2024-05-01" || to != "2024-05-31" {
			t.Errorf("date inputs %s – %s", from, to)
		}
		for _, d := range texts(t, ctx, "li.hit .meta time") {
			if !strings.HasPrefix(d, "2024-05-") {
				t.Errorf("a hit dated %s", d)
			}
		}
		// The timeline now shows that year, the month marked.
		current := run(t, ctx, "current bar", chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll('#timeline a.bar.current'), e => e.dataset.period)`))
		if !slices.Equal(current, []string{"2024-05"}) {
			t.Errorf("marked bars %v", current)
		}
		if periods := run(t, ctx, "bars", chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll('#timeline a.bar'), e => e.dataset.period)`)); len(periods) < 2 || !strings.HasPrefix(periods[0], "2024-") {
			t.Errorf("the narrowed timeline shows %v", periods)
		}
		screenshot(t, ctx, "timeline.png")
	})

	t.Run("OpenArticleSeeTermsHighlighted", func(t *testing.T) {
		ctx := b.tab(t)
		do(t, ctx, "open an article from the results",
			chromedp.Navigate(ts.URL+"/search?q="+url.QueryEscape("满族")),
			chromedp.WaitVisible(chromedp.CSS("ol.hits")),
			chromedp.Click(chromedp.CSS("li.hit:not(.photo) h2.title a")),
			chromedp.WaitVisible(chromedp.CSS("#body")),
		)
		loc := run(t, ctx, "location", chromedp.Location())
		if !strings.HasPrefix(loc, ts.URL+"/articles/") || !strings.HasSuffix(loc, "?q="+url.QueryEscape("满族")) {
			t.Errorf("article URL %s", loc)
		}
		marks := texts(t, ctx, "#body mark")
		if len(marks) == 0 {
			t.Fatal("no highlighted terms in the article body")
		}
		for _, m := range marks {
			if m != "满族" {
				t.Errorf("highlighted %q", m)
			}
		}
		paras := texts(t, ctx, "#body p")
		id := loc[len(ts.URL+"/articles/"):strings.Index(loc, "?")]
		var body string
		for _, a := range fx.Articles {
			if a.ID == id {
				body = a.Body
			}
		}
		if !slices.Equal(paras, paragraphs(body)) {
			t.Errorf("the page shows %d paragraphs, the record has %d", len(paras), len(paragraphs(body)))
		}
		if c := run(t, ctx, "citation", chromedp.Text(chromedp.ID("citation"))); !strings.Contains(c, "[N/OL]") {
			t.Errorf("citation %q", c)
		}
		screenshot(t, ctx, "article.png")
	})

	t.Run("FollowCSVLinkGetFile", func(t *testing.T) {
		ctx := b.tab(t)
		dir := t.TempDir()
		progress := chromedp.Events(ctx, browser.DownloadProgress)
		suggested := make(chan string, 1)
		go func() {
			for ev, err := range chromedp.Events(ctx, browser.DownloadWillBegin) {
				if err == nil {
					suggested <- ev.SuggestedFilename
				}
				return
			}
		}()
		yes := true
		do(t, ctx, "download the CSV",
			chromedp.Navigate(ts.URL+"/search?q="+url.QueryEscape("满族")),
			chromedp.WaitVisible(chromedp.ID("export-csv")),
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
					Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &yes,
				})
				return err
			}),
			chromedp.Click(chromedp.ID("export-csv")),
		)
		var file string
		for ev, err := range progress {
			if err != nil {
				t.Fatalf("waiting for the download: %v", err)
			}
			if ev.State == browser.DownloadProgressStateCanceled {
				t.Fatal("the download was cancelled")
			}
			if ev.State == browser.DownloadProgressStateCompleted {
				file = filepath.Join(dir, ev.GUID)
				break
			}
		}
		// The browser names the file after the query and the day
		// (Content-Disposition's filename*).
		select {
		case name := <-suggested:
			if want := "newsarchive-满族-" + time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02") + ".csv"; name != want {
				t.Errorf("the browser names the download %q, want %q", name, want)
			}
		case <-time.After(5 * time.Second):
			t.Error("no downloadWillBegin event")
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		// A byte order mark, the #query row, then the header.
		if !bytes.HasPrefix(b, []byte("\xef\xbb\xbf#query,")) {
			t.Errorf("the CSV starts with %.20q, want a byte order mark and #query", b)
		}
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")))).ReadAll()
		if err != nil {
			t.Fatalf("the download is not CSV: %v", err)
		}
		if len(rows) < 2 || rows[0][1] != "q=满族" || !slices.Equal(rows[1], web.CSVColumns) {
			t.Fatalf("CSV first rows %q", rows[:min(2, len(rows))])
		}
		rows = rows[1:]
		n := total(t, ctx)
		if len(rows)-1 != n {
			t.Errorf("CSV has %d rows, the page says %d articles", len(rows)-1, n)
		}
		title := slices.Index(web.CSVColumns, "title")
		pageTitles := texts(t, ctx, "li.hit h2.title")
		for i, r := range rows[1:] {
			if r[title] != "" && !slices.Contains(pageTitles, r[title]) {
				t.Errorf("CSV row %d: title %q not in the results", i+1, r[title])
			}
		}
		screenshot(t, ctx, "export.png")
	})

	t.Run("KeyboardReachesFacetsKeepsFocus", func(t *testing.T) {
		// From the top of a results page, Tab reaches the first filter in
		// a few presses (the sidebar comes before the results); ticking a
		// county with the space bar reloads the page with the focus on
		// that county's box; the skip links jump to the filters and to
		// the results.
		ctx := b.tab(t)
		do(t, ctx, "open results", chromedp.Navigate(ts.URL+"/search?q="+url.QueryEscape("活动")), chromedp.WaitVisible(chromedp.CSS("#filters")))
		active := func() map[string]string {
			return run(t, ctx, "active element", chromedp.Evaluate[map[string]string](`(() => {
				const e = document.activeElement;
				return {tag: e.tagName.toLowerCase(), id: e.id, text: e.textContent.trim(), href: e.getAttribute('href') || '',
					inFilters: String(!!e.closest('#filters')), inResults: String(!!e.closest('#results')), facet: e.name || ''};
			})()`))
		}
		presses := 0
		for ; presses <= 15; presses++ {
			if active()["inFilters"] == "true" {
				break
			}
			if active()["inResults"] == "true" {
				t.Fatalf("Tab reached the results before the filters (press %d)", presses)
			}
			do(t, ctx, "Tab", chromedp.KeyEvent(kb.Tab))
		}
		if presses > 15 {
			t.Fatalf("15 Tab presses did not reach the filters (at %v)", active())
		}
		t.Logf("the first filter after %d Tab presses: %v", presses, active())
		// On to the first county box.
		for range 60 {
			if active()["facet"] == "county" {
				break
			}
			do(t, ctx, "Tab", chromedp.KeyEvent(kb.Tab))
		}
		box := active()
		if box["facet"] != "county" || !strings.HasPrefix(box["id"], "f-county-") {
			t.Fatalf("Tab did not reach a county box: %v", box)
		}
		value := run(t, ctx, "its value", chromedp.Evaluate[string](`document.activeElement.value`))
		if box["id"] != "f-county-"+strings.Join(strings.Fields(value), "_") {
			t.Errorf("box %q of %q: the id is not the facet and value", box["id"], value)
		}
		do(t, ctx, "tick it with the space bar", chromedp.KeyEvent(" "))
		deadline := time.Now().Add(10 * time.Second)
		for !query(t, ctx).Has("county") && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		do(t, ctx, "wait for the new page", chromedp.WaitVisible(chromedp.CSS(".active-filters")))
		if q := query(t, ctx); !slices.Equal(q["county"], []string{value}) {
			t.Fatalf("after ticking, the URL has %v", q)
		}
		loc := run(t, ctx, "location", chromedp.Location())
		if u, _ := url.Parse(loc); u.Fragment != box["id"] {
			t.Errorf("the new page is %s, want the fragment #%s", loc, box["id"])
		}
		var after map[string]string
		for time.Now().Before(deadline) { // app.js runs once the page is parsed
			if after = active(); after["id"] == box["id"] {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if after["id"] != box["id"] {
			t.Fatalf("after the reload the focus is on %v, want the box %s", after, box["id"])
		}
		if checked := run(t, ctx, "checked", chromedp.Evaluate[bool](`document.activeElement.checked`)); !checked {
			t.Error("the focused box is not ticked")
		}
		// Tab goes on from the box, not from the top.
		do(t, ctx, "Tab", chromedp.KeyEvent(kb.Tab))
		if next := active(); next["inFilters"] != "true" {
			t.Errorf("Tab after the reload left the filters: %v", next)
		}
		// Unticking returns the focus to the same box.
		do(t, ctx, "Shift+Tab back", chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)))
		if a := active(); a["id"] != box["id"] {
			t.Fatalf("Shift+Tab went to %v", a)
		}
		do(t, ctx, "untick it", chromedp.KeyEvent(" "))
		deadline = time.Now().Add(10 * time.Second)
		for query(t, ctx).Has("county") && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		do(t, ctx, "wait for the page", chromedp.WaitVisible(chromedp.CSS("#filters")))
		for time.Now().Before(deadline) {
			if after = active(); after["id"] == box["id"] {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if after["id"] != box["id"] || query(t, ctx).Has("county") {
			t.Errorf("after unticking: focus %v, URL %v", after, query(t, ctx))
		}

		// The skip links: the second Tab stop is 跳到筛选, Enter on it and
		// Tab is in the filters; 跳到检索结果 and Tab is in the results.
		do(t, ctx, "reload at the top", chromedp.Navigate(ts.URL+"/search?q="+url.QueryEscape("活动")), chromedp.WaitVisible(chromedp.CSS("#filters")))
		do(t, ctx, "Tab Tab", chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab))
		if a := active(); a["text"] != "跳到筛选" {
			t.Fatalf("the second Tab stop is %v, want 跳到筛选", a)
		}
		visible := run(t, ctx, "skip link shown", chromedp.Evaluate[bool](`document.activeElement.getBoundingClientRect().left >= 0`))
		if !visible {
			t.Error("the focused skip link is off screen")
		}
		do(t, ctx, "Enter, Tab", chromedp.KeyEvent(kb.Enter), chromedp.KeyEvent(kb.Tab))
		if a := active(); a["inFilters"] != "true" {
			t.Errorf("after 跳到筛选 and Tab the focus is on %v", a)
		}
		do(t, ctx, "reload at the top", chromedp.Navigate(ts.URL+"/search?q="+url.QueryEscape("活动")), chromedp.WaitVisible(chromedp.CSS("#filters")))
		do(t, ctx, "Tab ×3", chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Tab))
		if a := active(); a["text"] != "跳到检索结果" {
			t.Fatalf("the third Tab stop is %v, want 跳到检索结果", a)
		}
		do(t, ctx, "Enter, Tab", chromedp.KeyEvent(kb.Enter), chromedp.KeyEvent(kb.Tab))
		if a := active(); a["inResults"] != "true" {
			t.Errorf("after 跳到检索结果 and Tab the focus is on %v", a)
		}
		screenshot(t, ctx, "keyboard.png")
	})

	t.Run("BackLinkKeepsPage", func(t *testing.T) {
		// From page 2 of a filtered search, open an article and follow 返回
		// 检索结果: the same hits on the same page.
		ctx := b.tab(t)
		topic := searchAPI(t, ts, "q="+url.QueryEscape("活动")).Facets.Topic[0].Value
		start := ts.URL + "/search?" + url.Values{"q": {"活动"}, "topic": {topic}, "sort": {"date"}, "size": {"5"}, "page": {"2"}}.Encode()
		do(t, ctx, "open page 2", chromedp.Navigate(start), chromedp.WaitVisible(chromedp.CSS("ol.hits")))
		before := texts(t, ctx, "li.hit h2.title")
		totalBefore := total(t, ctx)
		do(t, ctx, "open the third hit",
			chromedp.Click(chromedp.CSS("li.hit:nth-child(3) h2.title a")),
			chromedp.WaitVisible(chromedp.CSS("p.back a")),
		)
		do(t, ctx, "follow the back link", chromedp.Click(chromedp.CSS("p.back a")), chromedp.WaitVisible(chromedp.CSS("ol.hits")))
		if got := texts(t, ctx, "li.hit h2.title"); !slices.Equal(got, before) || total(t, ctx) != totalBefore {
			t.Errorf("back: %d articles %v, want %d %v", total(t, ctx), got, totalBefore, before)
		}
		q := query(t, ctx)
		if q.Get("page") != "2" || q.Get("topic") != topic || q.Get("sort") != "date" || q.Get("size") != "5" {
			t.Errorf("back at %v", q)
		}
		cur := texts(t, ctx, `.pager a[aria-current="page"]`)
		if !slices.Equal(cur, []string{"2"}) {
			t.Errorf("the pager marks page %v", cur)
		}
	})

	t.Run("KeyboardAndMobile", func(t *testing.T) {
		ctx := b.tab(t)
		// A real "/" key press: keyDown with its text (the browser makes
		// the character unless the page prevents it), then keyUp.
		slash := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
				p := input.DispatchKeyEventParams{Type: typ, Key: "/", Code: "Slash", WindowsVirtualKeyCode: 191, NativeVirtualKeyCode: 191}
				if typ == input.DispatchKeyEventTypeKeyDown {
					p.Text, p.UnmodifiedText = "/", "/"
				}
				if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, p); err != nil {
					return err
				}
			}
			return nil
		})
		do(t, ctx, "press / on a page",
			chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
			chromedp.Navigate(ts.URL+"/search?q="+url.QueryEscape("满族")),
			chromedp.WaitVisible(chromedp.CSS("ol.hits")),
			slash,
		)
		focus := run(t, ctx, "focus", chromedp.Evaluate[map[string]string](`({id: document.activeElement.id, value: document.activeElement.value})`))
		if focus["id"] != "q" || focus["value"] != "满族" {
			t.Errorf("after /, the focus is on %q holding %q; want the search box holding the query", focus["id"], focus["value"])
		}
		layout := run(t, ctx, "layout", chromedp.Evaluate[map[string]float64](`({
			overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
			results: document.querySelector('.results').getBoundingClientRect().top,
			sidebar: document.querySelector('.sidebar').getBoundingClientRect().top,
		})`))
		if layout["overflow"] > 0 {
			t.Errorf("the page is %vpx wider than a phone", layout["overflow"])
		}
		if layout["results"] >= layout["sidebar"] {
			t.Errorf("on a phone the filters come before the results")
		}
		screenshot(t, ctx, "mobile.png")
	})
}
