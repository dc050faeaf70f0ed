package places_test

import (
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"newsarchive/corpus"
	"newsarchive/corpus/corpustest"
	"newsarchive/corpus/places"
	"newsarchive/corpus/textnorm"
)

// Field weights of the tagger (docs/tagging.md).
func articleFields(a *corpus.Article) []places.Field {
	return []places.Field{
		{Name: "kicker", Text: a.Kicker, Weight: 4},
		{Name: "title", Text: a.Title, Weight: 10},
		{Name: "subtitle", Text: a.Subtitle, Weight: 6},
		{Name: "body", Text: a.Body, Weight: 1},
	}
}

// forms are the names by which the evaluation finds a unit: the official
// name and the short names that are not common words.
func forms(g *places.Gazetteer, u *places.Unit) []string {
	out := []string{u.Name}
	for _, s := range u.Short {
		if _, common := g.Common(s); !common {
			out = append(out, s)
		}
	}
	return out
}

type finder struct {
	find  func(string) [][3]int
	units [][]*places.Unit
	// countyPart: for the adjacency finder, the county's name at the end
	// of each pattern.
	countyPart []string
}

func newFinder(byForm map[string][]*places.Unit) finder {
	var pats []string
	for f := range byForm {
		pats = append(pats, f)
	}
	slices.Sort(pats)
	f := finder{find: places.FindAll(pats)}
	for _, p := range pats {
		f.units = append(f.units, byForm[p])
	}
	return f
}

type occ struct {
	start, end int
	unit       *places.Unit
}

func (f finder) all(text string) []occ {
	var out []occ
	for _, h := range f.find(text) {
		for _, u := range f.units[h[2]] {
			out = append(out, occ{h[0], h[1], u})
		}
	}
	return out
}

func addForm(m map[string][]*places.Unit, form string, u *places.Unit) {
	form = textnorm.String(form)
	if !slices.Contains(m[form], u) {
		m[form] = append(m[form], u)
	}
}

// TestEvaluateXWLB resolves all of xwlb (13,992 national news items) and
// measures, against checks made from the raw text alone:
//
//   - recall: an item whose text names a county-level unit right after its
//     prefecture or province (浙江安吉, 吉林省四平市梨树县; official or short
//     names that are not common words) must have that unit in its places;
//     the loose variant counts the unit and its parent anywhere in the text;
//   - precision: every county-level place must be supported by the text:
//     its official name found and unique in China, or one of its names or
//     a township's found together with its prefecture's or province's
//     name (or, for a township, the county's) elsewhere in the text;
//   - traps: no county-level place rests on 和平, 新华, 长安, 东方, 朝阳, 安宁,
//     永定, 城区, 郊区 or 开发区;
//   - speed: resolving all items against parsing them with today's tagger.
//
// The figures are logged; the targets (recall ≥ 95%, precision ≥ 97%,
// resolving ≤ 50% of the parse time) are asserted.
func TestEvaluateXWLB(t *testing.T) {
	if testing.Short() {
		t.Skip("parses all of xwlb")
	}
	g, err := places.Default()
	if err != nil {
		t.Fatal(err)
	}
	papers, err := places.DefaultPapers()
	if err != nil {
		t.Fatal(err)
	}
	files, err := corpus.FindFiles(corpustest.TestData(t, "xwlb"))
	if err != nil {
		t.Fatal(err)
	}
	tagger, err := corpus.DefaultTagger()
	if err != nil {
		t.Fatal(err)
	}
	// CPU time (user + system) of each phase, which the other load on the
	// machine does not inflate the way it does wall time; each phase runs
	// on one goroutine.
	var arts []corpus.Article
	start := cpuTime()
	err = corpus.NewParser(tagger).ParseFiles(context.Background(), files, 1, func(res corpus.FileResult) error {
		arts = append(arts, res.Items...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	parseTime := cpuTime() - start

	start = cpuTime()
	results := make([][]places.Place, len(arts))
	for i := range arts {
		home, _ := papers.Home(arts[i].Paper)
		results[i] = g.Resolve(home, articleFields(&arts[i])...)
	}
	resolveTime := cpuTime() - start
	// As wired into the tagger, which has the fields folded already.
	folded := make([][]places.Field, len(arts))
	for i := range arts {
		folded[i] = articleFields(&arts[i])
		for j := range folded[i] {
			folded[i][j].Text, folded[i][j].Folded = textnorm.String(folded[i][j].Text), true
		}
	}
	start = cpuTime()
	for i := range arts {
		home, _ := papers.Home(arts[i].Paper)
		g.Resolve(home, folded[i]...)
	}
	resolveFoldedTime := cpuTime() - start

	// The checkers' name tables.
	countyForms := map[string][]*places.Unit{}
	parentForms := map[string][]*places.Unit{}
	adjacent := map[string][]*places.Unit{}
	countyPart := map[string]string{}
	townshipForms := map[string][]*places.Unit{} // township name → its county
	for _, u := range g.Units() {
		switch {
		case u.Level == places.Township && u.County != nil:
			addForm(townshipForms, u.Name, u.County)
		case u.Level == places.County && !u.Zone:
			for _, f := range forms(g, u) {
				if outerForm(g, u, f) {
					continue // 安徽黄山 is 黄山市, not its 黄山区
				}
				addForm(countyForms, f, u)
				for _, p := range []*places.Unit{u.Prefecture, u.Province} {
					if p == nil {
						continue
					}
					for _, pf := range forms(g, p) {
						addForm(adjacent, pf+f, u)
						countyPart[textnorm.String(pf+f)] = textnorm.String(f)
					}
				}
			}
		case u.Level == places.Prefecture || u.Level == places.Province:
			for _, f := range forms(g, u) {
				addForm(parentForms, f, u)
			}
		}
	}
	allForms := map[string][]*places.Unit{} // every name of every unit
	for _, u := range g.Units() {
		addForm(allForms, u.Name, u)
		for _, f := range u.Short {
			addForm(allForms, f, u)
		}
	}
	allF := newFinder(allForms)
	blockF := places.FindAll(g.Blockers())
	adjF, countyF, parentF, townF := newFinder(adjacent), newFinder(countyForms), newFinder(parentForms), newFinder(townshipForms)
	for _, p := range sortedKeys(adjacent) {
		adjF.countyPart = append(adjF.countyPart, countyPart[p])
	}
	traps := map[string]bool{}
	for _, w := range []string{"和平", "新华", "长安", "东方", "朝阳", "安宁", "永定", "城区", "郊区", "开发区"} {
		traps[w] = true
	}

	var (
		goldStrict, hitStrict, goldLoose, hitLoose int
		countyTags, supported, itemsTagged         int
		trapTags                                   int
		misses, unsupported, sample, looseMisses   []string
	)
	for i := range arts {
		a := &arts[i]
		text := textnorm.String(strings.Join([]string{a.Kicker, a.Title, a.Subtitle, a.Body}, "\n"))
		got := map[*places.Unit]bool{}
		for _, p := range results[i] {
			got[p.Unit] = true
		}
		snippet := func(s, e int) string {
			lo, hi := max(0, s-30), min(len(text), e+30)
			for lo > 0 && !utf8Start(text[lo]) {
				lo--
			}
			for hi < len(text) && !utf8Start(text[hi]) {
				hi++
			}
			return strings.ReplaceAll(text[lo:hi], "\n", " ")
		}
		// Recall, strict: parent name right before the county's name.
		blocks := blockF(text)
		inBlock := func(o occ) bool {
			for _, b := range blocks {
				if b[0] < o.end && o.start < b[1] {
					return true
				}
			}
			return false
		}
		names := allF.all(text)
		// shadowed: the county's name at [s, e) is the start of a longer
		// name of another unit (江苏连云港 is 连云港市, not 连云区).
		shadowed := func(s, e int, u *places.Unit) bool {
			for _, n := range names {
				if n.unit != u && n.start <= s && n.end >= e && n.end-n.start > e-s {
					return true
				}
			}
			return false
		}
		seen := map[*places.Unit]bool{}
		for _, h := range adjF.find(text) {
			us := adjF.units[h[2]]
			if len(us) != 1 {
				continue // 新疆伊宁: 伊宁市 and 伊宁县, ambiguous
			}
			o := occ{h[0], h[1], us[0]}
			cs := o.end - len(adjF.countyPart[h[2]])
			if seen[o.unit] || inBlock(o) || shadowed(cs, o.end, o.unit) {
				continue
			}
			seen[o.unit] = true
			goldStrict++
			if got[o.unit] {
				hitStrict++
			} else if len(misses) < 40 {
				misses = append(misses, fmt.Sprintf("%s #%d %s: …%s…", a.Source, a.Ordinal, o.unit.Display, snippet(o.start, o.end)))
			}
		}
		// Recall, loose; and the support of each tag.
		counties := countyF.all(text)
		parents := parentF.all(text)
		towns := townF.all(text)
		parentNamed := func(u *places.Unit, o occ) bool {
			for _, p := range parents {
				if (p.unit == u.Prefecture || p.unit == u.Province) && (p.end <= o.start || p.start >= o.end) {
					return true
				}
			}
			return false
		}
		looseSeen := map[*places.Unit]bool{}
		for _, o := range counties {
			if !looseSeen[o.unit] && !inBlock(o) && !outerForm(g, o.unit, text[o.start:o.end]) && !shadowed(o.start, o.end, o.unit) && parentNamed(o.unit, o) {
				looseSeen[o.unit] = true
				goldLoose++
				if got[o.unit] {
					hitLoose++
				} else if len(looseMisses) < 30 && fnvHash(a.Source)%5 == 0 {
					looseMisses = append(looseMisses, fmt.Sprintf("%s #%d %s: …%s…", a.Source, a.Ordinal, o.unit.Display, snippet(o.start, o.end)))
				}
			}
		}
		tagged := false
		for _, p := range results[i] {
			if p.Level != "county" {
				continue
			}
			tagged = true
			countyTags++
			u := p.Unit
			ok := false
			for _, o := range counties {
				if o.unit != u || shadowed(o.start, o.end, u) {
					continue
				}
				if text[o.start:o.end] == textnorm.String(u.Name) && uniqueName(g, u.Name) {
					ok = true
				}
				if parentNamed(u, o) {
					ok = true
				}
			}
			for _, o := range towns {
				if o.unit != u || shadowed(o.start, o.end, nil) && !townOf(names, o, u) {
					continue
				}
				if parentNamed(u, o) {
					ok = true
				}
				for _, c := range counties {
					if c.unit == u && (c.end <= o.start || c.start >= o.end) {
						ok = true
					}
				}
			}
			if p.Zone && strings.Contains(text, textnorm.String(u.Name)) {
				ok = true
			}
			for _, e := range p.Why {
				if traps[e.Text] {
					trapTags++
					ok = false
				}
			}
			if ok {
				supported++
			} else if len(unsupported) < 40 {
				unsupported = append(unsupported, fmt.Sprintf("%s #%d %s %+v", a.Source, a.Ordinal, u.Display, p.Why))
			}
			h := fnv.New32a()
			fmt.Fprintf(h, "%s#%d%s", a.Source, a.Ordinal, u.Code)
			if (h.Sum32()%23 == 0 || (p.Why[0].Rule != places.RuleAdjacent && p.Why[0].Rule != places.RuleUnique && h.Sum32()%3 == 0)) && len(sample) < 100 {
				e := p.Why[0]
				at := strings.Index(text, e.Text)
				sample = append(sample, fmt.Sprintf("%s #%d %s [%s %s %s via %s]: …%s…", a.Source, a.Ordinal, u.Display, e.Kind, e.Text, e.Rule, e.Via, snippet(at, at+len(e.Text))))
			}
		}
		if tagged {
			itemsTagged++
		}
	}
	pct := func(a, b int) float64 {
		if b == 0 {
			return 100
		}
		return 100 * float64(a) / float64(b)
	}
	t.Logf("%d items; %d with a county-level place; %d county-level places", len(arts), itemsTagged, countyTags)
	t.Logf("recall (parent name right before the county's): %d of %d = %.1f%%", hitStrict, goldStrict, pct(hitStrict, goldStrict))
	t.Logf("recall (county and parent names anywhere in the text): %d of %d = %.1f%%", hitLoose, goldLoose, pct(hitLoose, goldLoose))
	t.Logf("precision (supported by the text): %d of %d = %.1f%%; on trap words: %d", supported, countyTags, pct(supported, countyTags), trapTags)
	t.Logf("CPU time: parse with today's tagger %v (1 worker); resolve %v = %.0f%% of it; resolve of folded fields %v = %.0f%%",
		parseTime.Round(time.Millisecond), resolveTime.Round(time.Millisecond), 100*resolveTime.Seconds()/parseTime.Seconds(),
		resolveFoldedTime.Round(time.Millisecond), 100*resolveFoldedTime.Seconds()/parseTime.Seconds())
	for _, m := range misses {
		t.Logf("miss: %s", m)
	}
	for _, m := range looseMisses {
		t.Logf("loose miss: %s", m)
	}
	for _, m := range unsupported {
		t.Logf("unsupported: %s", m)
	}
	for _, s := range sample {
		t.Logf("sample: %s", s)
	}
	if r := pct(hitStrict, goldStrict); r < 95 {
		t.Errorf("recall %.1f%% < 95%%", r)
	}
	if p := pct(supported, countyTags); p < 97 {
		t.Errorf("precision %.1f%% < 97%%", p)
	}
	if trapTags > 0 {
		t.Errorf("%d county-level places rest on trap words", trapTags)
	}
	if resolveFoldedTime > parseTime/2 {
		t.Errorf("resolving folded fields took %v, more than half the parse time %v", resolveFoldedTime, parseTime)
	}
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

func uniqueName(g *places.Gazetteer, name string) bool {
	n := 0
	for _, x := range g.Lookup(name) {
		if x.Kind != places.TownshipName {
			n++
		}
	}
	return n == 1
}

// outerForm reports whether form, a name of the county u, is also a name
// of its prefecture or province: then it stands for those.
func outerForm(g *places.Gazetteer, u *places.Unit, form string) bool {
	for _, p := range []*places.Unit{u.Prefecture, u.Province} {
		if p != nil && slices.Contains(forms(g, p), form) {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string][]*places.Unit) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// BenchmarkResolveXWLB resolves every item of xwlb once per iteration.
func BenchmarkResolveXWLB(b *testing.B) {
	g, err := places.Default()
	if err != nil {
		b.Fatal(err)
	}
	files, err := corpus.FindFiles(corpustest.TestData(b, "xwlb"))
	if err != nil {
		b.Fatal(err)
	}
	var arts []corpus.Article
	err = corpus.NewParser(nil).ParseFiles(context.Background(), files, 0, func(res corpus.FileResult) error {
		arts = append(arts, res.Items...)
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		for i := range arts {
			g.Resolve("", articleFields(&arts[i])...)
		}
	}
}

// townOf reports whether the longest name occurrence covering o is a
// township of u (a shadow by u's own township is none).
func townOf(names []occ, o occ, u *places.Unit) bool {
	for _, n := range names {
		if n.start <= o.start && n.end >= o.end && n.end-n.start > o.end-o.start && n.unit.County != u {
			return false
		}
	}
	return true
}

func fnvHash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

// cpuTime returns the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
