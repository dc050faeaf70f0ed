package corpus

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"newsarchive/corpus/corpustest"
)

// realPageItems splits the real bulletin page crudely into its eight items
// (the page parser is tested elsewhere): each item starts at a known line;
// a "## " line right before a "### " line is a kicker, a "## ——" line a
// subtitle; the other lines, headings included, are body; credit lines
// (本报通讯员) are dropped.
func realPageItems(t *testing.T) []Article {
	t.Helper()
	data, err := os.ReadFile(corpustest.RealPage(t))
	if err != nil {
		t.Fatal(err)
	}
	starts := []string{
		"# 强化教育教学研培",
		"## 统筹调配 夯实责任",
		"## 传承革命精神 践行初心使命",
		"## 创新理论宣讲 力求入脑入心",
		"## 强基固本 规范提升",
		"## 新征程 青山环绕 新时代 绿水长流",
		"日前,铁东区以",
		"为深入学习贯彻省第十二次党代会精神,近日",
	}
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	var items []Article
	next := 0
	for i, l := range lines {
		if next < len(starts) && strings.HasPrefix(l, starts[next]) {
			kind := KindArticle
			if next >= 6 {
				kind = KindPhoto
			}
			items = append(items, Article{Kind: kind, Ordinal: next + 1, Date: "2022-07-01"})
			next++
		}
		if len(items) == 0 {
			continue
		}
		a := &items[len(items)-1]
		text := strings.TrimSpace(strings.TrimLeft(l, "#"))
		switch {
		case strings.HasPrefix(l, "本报通讯员"):
		case strings.HasPrefix(l, "# "):
			a.Title = text
		case strings.HasPrefix(l, "## ——"):
			a.Subtitle = strings.TrimPrefix(text, "——")
		case strings.HasPrefix(l, "## ") && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "### "):
			a.Kicker = text
		case strings.HasPrefix(l, "### ") && a.Title == "":
			a.Title = text
		default:
			if a.Body != "" {
				a.Body += "\n"
			}
			a.Body += text
		}
	}
	if len(items) != len(starts) {
		t.Fatalf("real page: found %d of %d items", len(items), len(starts))
	}
	return items
}

func defaultTagger(t testing.TB) *Tagger {
	t.Helper()
	tg, err := DefaultTagger()
	if err != nil {
		t.Fatalf("DefaultTagger: %v", err)
	}
	return tg
}

// TestTagRealPage tags the eight items of the real page. Items 3, 4 and 8
// have no required topic; 党建 is this taxonomy's call for them (a
// commemorative party event, a lecture on the party congress, a lecture
// team's visit), asserted so that a change shows.
func TestTagRealPage(t *testing.T) {
	tg := defaultTagger(t)
	want := []struct {
		county, topic string
		counties      []string
	}{
		{"伊通满族自治县", "教育", []string{"伊通满族自治县"}},
		{"铁东区（四平）", "农业农村", []string{"铁东区（四平）"}},
		{"双辽市", "党建", []string{"双辽市"}},
		{"铁西区（四平）", "党建", []string{"铁西区（四平）"}},
		{"梨树县", "党建", []string{"梨树县", "四平市"}}, // 省、市委老干部局
		{"双辽市", "生态环境", []string{"双辽市"}},
		{"铁东区（四平）", "文化旅游", []string{"铁东区（四平）"}},
		{"伊通满族自治县", "党建", []string{"伊通满族自治县", "四平市"}}, // 市委宣讲团 … 伊通福安社区
	}
	items := realPageItems(t)
	for i, a := range items {
		ex := tg.Apply(&a)
		w := want[i]
		if a.County != w.county || !slices.Equal(a.Counties, w.counties) {
			t.Errorf("item %d %q: county %q %v, want %q %v (evidence %+v)", i+1, a.Title, a.County, a.Counties, w.county, w.counties, ex.County)
		}
		if a.Topic != w.topic {
			t.Errorf("item %d %q: topic %q %v, want %q (evidence %+v)", i+1, a.Title, a.Topic, a.Topics, w.topic, ex.Topic)
		}
		if len(ex.County) != len(a.Counties) || len(ex.Topic) != len(a.Topics) {
			t.Errorf("item %d: explanation has %d counties and %d topics, the article %d and %d", i+1, len(ex.County), len(ex.Topic), len(a.Counties), len(a.Topics))
		}
	}
}

// TestTagRealPageTraditional checks that the real page in traditional
// characters and full-width punctuation tags the same.
func TestTagRealPageTraditional(t *testing.T) {
	tg := defaultTagger(t)
	trad := strings.NewReplacer(
		"铁", "鐵", "东", "東", "区", "區", "树", "樹", "县", "縣", "双", "雙", "辽", "遼",
		"满", "滿", "族", "族", "治", "治", "镇", "鎮", "乡", "鄉", "农", "農", "业", "業",
		"教育", "教育", "党", "黨", "员", "員", "环", "環", "长", "長", "办", "辦", "组", "組",
		"织", "織", "会", "會", "进", "進", "华", "華", "艺", "藝", "演", "演", "宣", "宣", "讲", "講",
		",", "，", ":", "：", "(", "（", ")", "）",
	)
	for i, a := range realPageItems(t) {
		b := a
		b.Kicker, b.Title, b.Subtitle, b.Body = trad.Replace(a.Kicker), trad.Replace(a.Title), trad.Replace(a.Subtitle), trad.Replace(a.Body)
		if b.Title == a.Title && b.Body == a.Body {
			t.Fatalf("item %d: the replacer changed nothing", i+1)
		}
		ea, eb := tg.Apply(&a), tg.Apply(&b)
		ja, _ := json.Marshal(ea)
		jb, _ := json.Marshal(eb)
		if !slices.Equal(a.Counties, b.Counties) || !slices.Equal(a.Topics, b.Topics) {
			t.Errorf("item %d: simplified %v %v, traditional %v %v", i+1, a.Counties, a.Topics, b.Counties, b.Topics)
		} else if string(ja) != string(jb) {
			t.Errorf("item %d: the evidence differs:\n%s\n%s", i+1, ja, jb)
		}
	}
}

func TestTagApplyEmpty(t *testing.T) {
	tg := defaultTagger(t)
	a := &Article{Title: "今天", Body: "天气晴。", Counties: []string{"stale"}, County: "stale", Topic: "stale"}
	ex := tg.Apply(a)
	if a.Counties == nil || len(a.Counties) != 0 || a.County != "" {
		t.Errorf("Counties %#v County %q, want an empty non-nil slice and \"\"", a.Counties, a.County)
	}
	if a.Topics == nil || len(a.Topics) != 0 || a.Topic != "" {
		t.Errorf("Topics %#v Topic %q, want an empty non-nil slice and \"\"", a.Topics, a.Topic)
	}
	js, err := json.Marshal(ex)
	if err != nil {
		t.Fatal(err)
	}
	if string(js) != `{"county":[],"places":[],"topic":[]}` {
		t.Errorf("explanation JSON = %s", js)
	}
	var nilTagger Tagger
	b := &Article{Title: "铁东区召开全区农田排涝推进会"}
	nilTagger.Apply(b)
	if b.Counties == nil || b.Topics == nil || b.County != "" {
		t.Errorf("a Tagger without data: %#v %#v %q", b.Counties, b.Topics, b.County)
	}
}

// TestTagApplyDeterministic applies the tagger to the same items many times,
// from several goroutines, and wants byte-identical explanations.
func TestTagApplyDeterministic(t *testing.T) {
	tg := defaultTagger(t)
	items := realPageItems(t)
	items = append(items, Article{Body: "双辽、梨树、伊通、铁东、铁西、公主岭各一次,教育 科技 体育 经济"})
	want := make([]string, len(items))
	for i := range items {
		a := items[i]
		js, _ := json.Marshal(tg.Apply(&a))
		want[i] = string(js)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 5 {
				for i := range items {
					a := items[i]
					js, _ := json.Marshal(tg.Apply(&a))
					if string(js) != want[i] {
						t.Errorf("item %d: explanation changed:\n%s\n%s", i+1, js, want[i])
						return
					}
				}
			}
		})
	}
	wg.Wait()
}

func TestTagLoadTagger(t *testing.T) {
	dir := t.TempDir()
	gaz := filepath.Join(dir, "gaz.tsv")
	tax := filepath.Join(dir, "tax.tsv")
	bad := filepath.Join(dir, "bad.tsv")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(gaz, []byte("1\t甲县\tunit\t甲县\n"), 0o644))
	must(os.WriteFile(tax, []byte("天气\t下雨\t5\n"), 0o644))
	must(os.WriteFile(bad, []byte("1\t甲县\tunit\n"), 0o644))

	tg, err := LoadTagger(TaggerFiles{Gazetteer: gaz, Taxonomy: tax})
	if err != nil {
		t.Fatal(err)
	}
	a := &Article{Title: "甲县下雨"}
	tg.Apply(a)
	if a.County != "甲县" || a.Topic != "天气" {
		t.Errorf("custom files: county %q topic %q", a.County, a.Topic)
	}
	def, err := LoadTagger(TaggerFiles{})
	if err != nil {
		t.Fatal(err)
	}
	if g, _ := DefaultGazetteer(); def.Gazetteer != g {
		t.Error("LoadTagger(\"\", \"\") does not use the cached default gazetteer")
	}
	if _, err := LoadTagger(TaggerFiles{Gazetteer: bad}); err == nil || !strings.HasPrefix(err.Error(), bad+":1: ") {
		t.Errorf("bad gazetteer: error %v, want it to start with %q", err, bad+":1: ")
	}
	if _, err := LoadTagger(TaggerFiles{Taxonomy: filepath.Join(dir, "missing.tsv")}); err == nil || !strings.Contains(err.Error(), "missing.tsv") {
		t.Errorf("missing taxonomy: error %v", err)
	}
}

// xwlbArticles splits the national news transcripts crudely into items: a
// "### " line starts one, "date: " in the front matter dates it.
func xwlbArticles(tb testing.TB) []Article {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(corpustest.TestData(tb, "xwlb"), "*", "*.txt"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no xwlb files: %v", err)
	}
	var out []Article
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		date, paper, head := "", "", true
		var body strings.Builder
		flush := func() {
			if !head {
				out[len(out)-1].Body = body.String()
			}
			body.Reset()
		}
		for _, l := range strings.Split(string(data), "\n") {
			switch {
			case head && strings.HasPrefix(l, "paper: "):
				paper = strings.TrimSpace(strings.TrimPrefix(l, "paper: "))
			case head && strings.HasPrefix(l, "date: "):
				date = strings.TrimSpace(strings.TrimPrefix(l, "date: "))
			case strings.HasPrefix(l, "### "):
				flush()
				head = false
				out = append(out, Article{Title: strings.TrimPrefix(l, "### "), Date: date, Paper: paper})
			case !head && strings.TrimSpace(l) != "":
				body.WriteString(l)
				body.WriteString("\n")
			}
		}
		flush()
	}
	return out
}

// TestTaggerNationalNews runs the tagger over the national news corpus: it
// names the region rarely, so county tags must be rare, and none of them may
// rest on a city marker alone (全市, 市委 there mean other cities).
func TestTaggerNationalNews(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 23 MB")
	}
	tg := defaultTagger(t)
	arts := xwlbArticles(t)
	if len(arts) < 10000 {
		t.Fatalf("read %d xwlb items, want over 10,000", len(arts))
	}
	tagged, untopiced := 0, 0
	labels := make(map[string]int)
	for i := range arts {
		a := &arts[i]
		ex := tg.Apply(a)
		if a.Topic == "" {
			untopiced++
		}
		for _, l := range a.Topics {
			labels[l]++
		}
		if len(a.Counties) == 0 {
			continue
		}
		tagged++
		if len(ex.County) != 0 {
			t.Errorf("%q (paper %q): the overlay read a national item: %+v", a.Title, a.Paper, ex.County)
		}
		for _, s := range ex.County {
			markersOnly := true
			for _, e := range s.Evidence {
				markersOnly = markersOnly && e.Kind == GazMarker
			}
			if markersOnly {
				t.Errorf("%q tagged %s on markers alone: %+v", a.Title, s.Value, s.Evidence)
			}
		}
	}
	// Before the national gazetteer 19 items had a county (四平's units
	// only); the places package's evaluation measures its recall and
	// precision. Here: the overlay never reads a national paper.
	if min := len(arts) / 10; tagged < min {
		t.Errorf("%d of %d national items have a county, want at least %d", tagged, len(arts), min)
	}
	if max := len(arts) / 20; untopiced > max {
		t.Errorf("%d of %d national items have no topic, want at most %d", untopiced, len(arts), max)
	}
	for _, l := range tg.Taxonomy.Labels() {
		if labels[l] < 50 {
			t.Errorf("label %s assigned %d times in %d items, want at least 50", l, labels[l], len(arts))
		}
	}
	t.Logf("%d items: %d with a county, %d without a topic; labels %v", len(arts), tagged, untopiced, labels)
}

func BenchmarkTagger(b *testing.B) {
	tg := defaultTagger(b)
	arts := xwlbArticles(b)
	size := 0
	for _, a := range arts {
		size += len(a.Title) + len(a.Body)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i := range arts {
			a := arts[i]
			tg.Apply(&a)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(arts)), "ns/article")
}
