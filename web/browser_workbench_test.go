package web_test

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"newsarchive/corpus/textnorm"
)

// waitQuery waits until the tab's URL has path and the parameter key set
// to value, then for sel to show.
func waitQuery(t *testing.T, ctxTab context.Context, path, key, value, sel string) url.Values {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		loc := run(t, ctxTab, "location", chromedp.Location())
		u, err := url.Parse(loc)
		if err == nil && u.Path == path && u.Query().Get(key) == value {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the tab is at %s, want %s with %s=%s", loc, path, key, value)
		}
		time.Sleep(50 * time.Millisecond)
	}
	do(t, ctxTab, "wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
	return query(t, ctxTab)
}

// kwicRow is a row of the concordance table as the browser shows it.
type kwicRow struct {
	Key   string `json:"key"`
	N     string `json:"n"`
	Right string `json:"right"`
	// Gap is how far the left context's text ends from its cell's right
	// edge (0 when right-aligned against the keyword).
	Gap float64 `json:"gap"`
}

func kwicRows(t *testing.T, ctx context.Context) []kwicRow {
	t.Helper()
	return run(t, ctx, "read the concordance", chromedp.Evaluate[[]kwicRow](`Array.from(document.querySelectorAll('#kwic tbody tr'), r => {
		const div = r.querySelector('td.left div');
		const range = document.createRange();
		range.selectNodeContents(div);
		const text = range.getBoundingClientRect(), box = div.getBoundingClientRect();
		return {key: r.dataset.id + '/' + r.dataset.field + '/' + r.dataset.offset, n: r.querySelector('td.n').textContent,
			right: r.querySelector('td.right').textContent, gap: div.textContent === '' ? 0 : Math.abs(box.right - text.right)};
	})`))
}

func TestBrowserWorkbench(t *testing.T) {
	ts, _ := uiServer(t)
	b := startBrowser(t, ts)

	t.Run("TrendsChartTableKeyboard", func(t *testing.T) {
		ctx := b.tab(t)
		path := "/trends?" + url.Values{"q": {"经济", `"黑土地"`}, "interval": {"year"}}.Encode()
		do(t, ctx, "open the trends", chromedp.Navigate(ts.URL+path), chromedp.WaitVisible(chromedp.CSS("#trends-chart")))
		rows := run(t, ctx, "table rows", chromedp.Evaluate[int](`document.querySelectorAll('#trends-table tbody th[scope=row]').length`))
		caption := run(t, ctx, "caption", chromedp.Text(chromedp.CSS("#trends-table caption")))
		if rows < 2 || !strings.Contains(caption, "每年") {
			t.Fatalf("table: %d rows, caption %q", rows, caption)
		}
		hrefs := run(t, ctx, "points", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#trends-chart a.point'), a => a.getAttribute('href'))`))
		if len(hrefs) != 2*rows {
			t.Fatalf("%d points for 2 series of %d periods", len(hrefs), rows)
		}
		for _, h := range hrefs {
			u, err := url.Parse(h)
			if err != nil || u.Path != "/search" || u.Query().Get("from") == "" || u.Query().Get("to") == "" {
				t.Fatalf("point links to %q", h)
			}
		}
		if role := run(t, ctx, "role", chromedp.Evaluate[string](`document.querySelector('#trends-chart svg.drawing').getAttribute('role')`)); role != "img" {
			t.Errorf("the drawing's role is %q", role)
		}
		// From the form's button, Tab reaches a point; Enter opens its
		// period's results.
		do(t, ctx, "focus the button", chromedp.Focus(chromedp.CSS("#trends-form button")))
		var point map[string]string
		for range 20 {
			do(t, ctx, "Tab", chromedp.KeyEvent(kb.Tab))
			point = run(t, ctx, "focus", chromedp.Evaluate[map[string]string](`(() => {
				const e = document.activeElement;
				if (!e.classList.contains('point')) return {};
				return {period: e.dataset.period, count: e.dataset.count, series: e.dataset.series, href: e.getAttribute('href')};
			})()`))
			if point["period"] != "" {
				break
			}
		}
		if point["period"] == "" {
			t.Fatal("Tab never reached a point of the chart")
		}
		screenshot(t, ctx, "trends.png")
		want, _ := strconv.Atoi(point["count"])
		do(t, ctx, "Enter follows the point", chromedp.KeyEvent(kb.Enter))
		q := waitQuery(t, ctx, "/search", "from", point["period"]+"-01-01", "h1.count")
		if q.Get("q") != "经济" || q.Get("to") != point["period"]+"-12-31" {
			t.Errorf("the point led to %v", q)
		}
		if got := total(t, ctx); got != want {
			t.Errorf("%d results, the point said %d", got, want)
		}
	})

	t.Run("ConcordanceSortAndPage", func(t *testing.T) {
		ctx := b.tab(t)
		path := "/concordance?" + url.Values{"q": {`"经济"`}, "width": {"10"}, "size": {"20"}}.Encode()
		do(t, ctx, "open the concordance", chromedp.Navigate(ts.URL+path), chromedp.WaitVisible(chromedp.CSS("#kwic")))
		byDate := kwicRows(t, ctx)
		if len(byDate) != 20 {
			t.Fatalf("%d rows, want 20", len(byDate))
		}
		for i, r := range byDate {
			if r.Gap > 2 {
				t.Errorf("row %d: the left context ends %.1fpx short of the keyword", i, r.Gap)
			}
		}
		do(t, ctx, "sort by the right context",
			chromedp.SetValue(chromedp.CSS("#ksort"), "right"),
			chromedp.Click(chromedp.CSS("#concordance-form button")))
		waitQuery(t, ctx, "/concordance", "sort", "right", "#kwic")
		byRight := kwicRows(t, ctx)
		keys := func(rs []kwicRow) []string {
			var out []string
			for _, r := range rs {
				out = append(out, r.Key)
			}
			return out
		}
		if len(byRight) != 20 || slices.Equal(keys(byRight), keys(byDate)) {
			t.Fatalf("sorting by the right context left the order as it was")
		}
		sorted := func(rs []kwicRow) bool {
			return slices.IsSortedFunc(rs, func(a, b kwicRow) int { return strings.Compare(foldKey(a.Right), foldKey(b.Right)) })
		}
		if !sorted(byRight) {
			t.Errorf("the rows are not in right-context order: %v", byRight)
		}
		screenshot(t, ctx, "concordance.png")
		do(t, ctx, "next page", chromedp.Click(chromedp.CSS(`nav.pager a[rel="next"]`)))
		q := waitQuery(t, ctx, "/concordance", "page", "2", "#kwic")
		if q.Get("sort") != "right" || q.Get("width") != "10" {
			t.Errorf("page 2 lost the sort or the width: %v", q)
		}
		page2 := kwicRows(t, ctx)
		if len(page2) == 0 || page2[0].N != "21" || !sorted(page2) {
			t.Fatalf("page 2 starts at %v", page2)
		}
		for _, r := range page2 {
			if slices.Contains(keys(byRight), r.Key) {
				t.Errorf("%s is on pages 1 and 2", r.Key)
			}
		}
		if foldKey(byRight[len(byRight)-1].Right) > foldKey(page2[0].Right) {
			t.Errorf("page 2 does not continue page 1's order")
		}
	})
}

// foldKey is what the right sort compares for a width of 10.
func foldKey(s string) string {
	r := []rune(textnorm.String(s))
	return string(r[:min(len(r), 10)])
}
