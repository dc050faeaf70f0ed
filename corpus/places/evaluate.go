package places

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"newsarchive/corpus/textnorm"
)

// EvalItem is one tagged article for Evaluate: its identification (for
// the report), its text (every field, in any form: it is folded) and the
// codes of the places it was tagged with.
type EvalItem struct {
	ID     string
	Text   string
	Places []string
}

// EvalReport holds the figures of a place-tagging evaluation (see
// Evaluate) and examples for a reader to review.
type EvalReport struct {
	Items       int // items read
	ItemsTagged int // items with a county-level place
	CountyTags  int // county-level places in all

	// Recall: county-level units named right after their prefecture or
	// province (浙江安吉, 吉林省四平市梨树县), by an official name or a short
	// name that is no common word, unambiguous within the parent and not
	// part of a longer name; Hit of Gold were tagged.
	RecallGold, RecallHit int
	// Loose recall: the county's name and its parent's anywhere in the
	// text (noisy: 何卫东, 浙江宁波 ∋ 江宁).
	LooseGold, LooseHit int
	// Precision: county-level tags supported by the text (the official
	// name, unique in China; or a name of the unit or of one of its
	// townships together with its parent's name elsewhere in the text).
	Supported int
	// TrapTags: county-level tags whose text holds a trap word (和平, 新华,
	// 长安, 东方, 朝阳, 安宁, 永定, 城区, 郊区, 开发区) as the unit's only
	// names: must be 0.
	TrapTags int

	Misses, LooseMisses, Unsupported, Sample []string
}

// Recall, LooseRecall and Precision are the report's percentages (100
// when there is nothing to measure).
func (r *EvalReport) Recall() float64      { return pct(r.RecallHit, r.RecallGold) }
func (r *EvalReport) LooseRecall() float64 { return pct(r.LooseHit, r.LooseGold) }
func (r *EvalReport) Precision() float64   { return pct(r.Supported, r.CountyTags) }

func pct(a, b int) float64 {
	if b == 0 {
		return 100
	}
	return 100 * float64(a) / float64(b)
}

// Targets of the evaluation (issue 12): recall and precision in percent.
const (
	TargetRecall    = 95
	TargetPrecision = 97
)

// Met reports whether the report meets the targets, and if not, why.
func (r *EvalReport) Met() (bool, string) {
	var why []string
	if r.Recall() < TargetRecall {
		why = append(why, fmt.Sprintf("recall %.1f%% < %d%%", r.Recall(), TargetRecall))
	}
	if r.Precision() < TargetPrecision {
		why = append(why, fmt.Sprintf("precision %.1f%% < %d%%", r.Precision(), TargetPrecision))
	}
	if r.TrapTags > 0 {
		why = append(why, fmt.Sprintf("%d county-level places rest on trap words", r.TrapTags))
	}
	return len(why) == 0, strings.Join(why, "; ")
}

// TrapWords are the words that are also county-level names and must tag
// nothing outside their home area (issue 12).
var TrapWords = []string{"和平", "新华", "长安", "东方", "朝阳", "安宁", "永定", "城区", "郊区", "开发区"}

// evaluator holds the checkers' name tables, built from the gazetteer
// alone, independent of Resolve's rules.
type evaluator struct {
	g                        *Gazetteer
	all, adj, county, parent finder
	town                     finder
	blocks                   *matcher
	trapForms                map[string]bool
}

type finder struct {
	m     *matcher
	units [][]*Unit
	// countyPart: for the adjacency finder, the county's name at the end
	// of each pattern.
	countyPart []string
}

func newFinder(byForm map[string][]*Unit, countyPart map[string]string) finder {
	pats := make([]string, 0, len(byForm))
	for f := range byForm {
		pats = append(pats, f)
	}
	slices.Sort(pats)
	f := finder{m: newMatcher(pats)}
	for _, p := range pats {
		f.units = append(f.units, byForm[p])
		if countyPart != nil {
			f.countyPart = append(f.countyPart, countyPart[p])
		}
	}
	return f
}

type occ struct {
	start, end int
	unit       *Unit
	pat        int32
}

func (f finder) find(text string) []occ {
	var out []occ
	for _, h := range f.m.all(text, nil) {
		for _, u := range f.units[h.pat] {
			out = append(out, occ{h.start, h.end, u, h.pat})
		}
	}
	return out
}

func addForm(m map[string][]*Unit, form string, u *Unit) {
	form = textnorm.String(form)
	if !slices.Contains(m[form], u) {
		m[form] = append(m[form], u)
	}
}

// forms are the names by which the evaluation finds a unit: the official
// name and the short names that are not common words.
func (g *Gazetteer) forms(u *Unit) []string {
	out := []string{u.Name}
	for _, s := range u.Short {
		if _, common := g.common[s]; !common {
			out = append(out, s)
		}
	}
	return out
}

// outerForm reports whether form, a name of the county u, is also a name
// of its prefecture or province: then it stands for those (安徽黄山 is
// 黄山市, not its 黄山区).
func (g *Gazetteer) outerForm(u *Unit, form string) bool {
	for _, p := range []*Unit{u.Prefecture, u.Province} {
		if p != nil && slices.Contains(g.forms(p), form) {
			return true
		}
	}
	return false
}

func (g *Gazetteer) uniqueName(name string) bool {
	n := 0
	for _, x := range g.Lookup(name) {
		if x.Kind != TownshipName {
			n++
		}
	}
	return n == 1
}

func newEvaluator(g *Gazetteer) *evaluator {
	countyForms := map[string][]*Unit{}
	parentForms := map[string][]*Unit{}
	adjacent := map[string][]*Unit{}
	countyPart := map[string]string{}
	townshipForms := map[string][]*Unit{}
	allForms := map[string][]*Unit{}
	for _, u := range g.Units() {
		addForm(allForms, u.Name, u)
		for _, f := range u.Short {
			addForm(allForms, f, u)
		}
		switch {
		case u.Level == Township && u.County != nil:
			addForm(townshipForms, u.Name, u.County)
		case u.Level == County && !u.Zone:
			for _, f := range g.forms(u) {
				if g.outerForm(u, f) {
					continue
				}
				addForm(countyForms, f, u)
				for _, p := range []*Unit{u.Prefecture, u.Province} {
					if p == nil {
						continue
					}
					for _, pf := range g.forms(p) {
						addForm(adjacent, pf+f, u)
						countyPart[textnorm.String(pf+f)] = textnorm.String(f)
					}
				}
			}
		case u.Level == Prefecture || u.Level == Province:
			for _, f := range g.forms(u) {
				addForm(parentForms, f, u)
			}
		}
	}
	blockers := g.Blockers()
	slices.Sort(blockers)
	blockers = slices.Compact(blockers)
	e := &evaluator{
		g: g, all: newFinder(allForms, nil), adj: newFinder(adjacent, countyPart),
		county: newFinder(countyForms, nil), parent: newFinder(parentForms, nil), town: newFinder(townshipForms, nil),
		blocks: newMatcher(blockers), trapForms: map[string]bool{},
	}
	for _, w := range TrapWords {
		e.trapForms[w] = true
	}
	return e
}

// Evaluate measures place tagging over items against checks made from
// the raw text and the gazetteer alone (docs/tagging.md, "Evaluation"):
// recall of county-level units named right after their parent, loose
// recall, precision of every county-level tag, and tags resting on trap
// words. Places whose code the gazetteer does not know (an overlay's
// former units) are left out of precision.
func Evaluate(g *Gazetteer, items []EvalItem) EvalReport {
	e := newEvaluator(g)
	var r EvalReport
	r.Items = len(items)
	for _, it := range items {
		e.item(&r, it)
	}
	return r
}

func (e *evaluator) item(r *EvalReport, it EvalItem) {
	g := e.g
	text := textnorm.String(it.Text)
	got := map[*Unit]bool{}
	var tags []*Unit
	for _, c := range it.Places {
		if u, ok := g.Unit(c); ok {
			got[u] = true
			if u.Level == County {
				tags = append(tags, u)
			}
		}
	}
	snippet := func(s, end int) string {
		lo, hi := max(0, s-30), min(len(text), end+30)
		for lo > 0 && text[lo]&0xC0 == 0x80 {
			lo--
		}
		for hi < len(text) && text[hi]&0xC0 == 0x80 {
			hi++
		}
		return strings.ReplaceAll(text[lo:hi], "\n", " ")
	}
	blocks := e.blocks.all(text, nil)
	inBlock := func(o occ) bool {
		for _, b := range blocks {
			if b.start < o.end && o.start < b.end {
				return true
			}
		}
		return false
	}
	names := e.all.find(text)
	// shadowed: the name at [s, end) is the start of a longer name of
	// another unit (江苏连云港 is 连云港市, not 连云区).
	shadowed := func(s, end int, u *Unit) bool {
		for _, n := range names {
			if n.unit != u && n.start <= s && n.end >= end && n.end-n.start > end-s {
				return true
			}
		}
		return false
	}
	seen := map[*Unit]bool{}
	for _, o := range e.adj.find(text) {
		if len(e.adj.units[o.pat]) != 1 {
			continue // 新疆伊宁: 伊宁市 and 伊宁县, ambiguous
		}
		cs := o.end - len(e.adj.countyPart[o.pat])
		if seen[o.unit] || inBlock(o) || shadowed(cs, o.end, o.unit) {
			continue
		}
		seen[o.unit] = true
		r.RecallGold++
		if got[o.unit] {
			r.RecallHit++
		} else if len(r.Misses) < 40 {
			r.Misses = append(r.Misses, fmt.Sprintf("%s %s: …%s…", it.ID, o.unit.Display, snippet(o.start, o.end)))
		}
	}
	counties := e.county.find(text)
	parents := e.parent.find(text)
	towns := e.town.find(text)
	parentNamed := func(u *Unit, o occ) bool {
		for _, p := range parents {
			if (p.unit == u.Prefecture || p.unit == u.Province) && (p.end <= o.start || p.start >= o.end) {
				return true
			}
		}
		return false
	}
	looseSeen := map[*Unit]bool{}
	for _, o := range counties {
		if !looseSeen[o.unit] && !inBlock(o) && !g.outerForm(o.unit, text[o.start:o.end]) && !shadowed(o.start, o.end, o.unit) && parentNamed(o.unit, o) {
			looseSeen[o.unit] = true
			r.LooseGold++
			if got[o.unit] {
				r.LooseHit++
			} else if len(r.LooseMisses) < 30 && fnvHash(it.ID)%5 == 0 {
				r.LooseMisses = append(r.LooseMisses, fmt.Sprintf("%s %s: …%s…", it.ID, o.unit.Display, snippet(o.start, o.end)))
			}
		}
	}
	if len(tags) > 0 {
		r.ItemsTagged++
	}
	for _, u := range tags {
		r.CountyTags++
		ok, trap := false, false
		for _, o := range counties {
			if o.unit != u || shadowed(o.start, o.end, u) {
				continue
			}
			if text[o.start:o.end] == textnorm.String(u.Name) && g.uniqueName(u.Name) {
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
		if u.Zone && strings.Contains(text, textnorm.String(u.Name)) {
			ok = true
		}
		// A trap: the unit's only occurrences in the text are a trap word
		// (和平 for 和平区) standing for it.
		if !ok {
			for _, n := range names {
				if n.unit == u && e.trapForms[text[n.start:n.end]] {
					trap = true
				}
			}
		}
		if trap {
			r.TrapTags++
		}
		if ok {
			r.Supported++
		} else if len(r.Unsupported) < 40 {
			r.Unsupported = append(r.Unsupported, fmt.Sprintf("%s %s", it.ID, u.Display))
		}
		h := fnv.New32a()
		fmt.Fprintf(h, "%s%s", it.ID, u.Code)
		if h.Sum32()%23 == 0 && len(r.Sample) < 100 {
			at := strings.Index(text, textnorm.String(u.Name))
			if at < 0 && len(u.Short) > 0 {
				at = strings.Index(text, u.Short[len(u.Short)-1])
			}
			if at >= 0 {
				r.Sample = append(r.Sample, fmt.Sprintf("%s %s: …%s…", it.ID, u.Display, snippet(at, at+1)))
			} else {
				r.Sample = append(r.Sample, fmt.Sprintf("%s %s (by a township)", it.ID, u.Display))
			}
		}
	}
}

// townOf reports whether the longest name occurrence covering o is a
// township of u (a shadow by u's own township is none).
func townOf(names []occ, o occ, u *Unit) bool {
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
