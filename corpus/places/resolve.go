package places

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"newsarchive/corpus/textnorm"
)

// Field is one part of an article for Resolve: its name (reported in the
// explanations), its text, and the weight of a mention in it (0 means 1).
// The tagger's weights are title 10, subtitle 6, kicker 4, body 1.
type Field struct {
	Name   string
	Text   string
	Weight float64
}

// Place is one unit an article names, with the evidence for it.
type Place struct {
	Code       string  `json:"code"`
	Name       string  `json:"name"`
	Level      string  `json:"level"` // province, prefecture or county
	Prefecture string  `json:"prefecture"`
	Province   string  `json:"province"`
	Display    string  `json:"display"`        // unique: 鼓楼区（福州）
	Zone       bool    `json:"zone,omitempty"` // a functional zone (开发区 …)
	Score      float64 `json:"score"`
	// Why lists the mentions that decided the place, in order of first
	// mention.
	Why []Evidence `json:"why"`
	// Unit is the unit itself.
	Unit *Unit `json:"-"`
}

// Evidence is one name found Count times in one field that resolved to the
// place by Rule, contributing Weight to its score.
type Evidence struct {
	Field string `json:"field"`
	// Text is the name as found (folded: simplified, half-width).
	Text string `json:"text"`
	// Kind: full (the official name), short (a short name by rule) or
	// township (a township's official name, Via, standing for its county).
	Kind string `json:"kind"`
	// Rule is what made the name count; see the Rule constants.
	Rule string `json:"rule"`
	// Via: for a township, its name; for RuleParent and RuleAdjacent, the
	// parent's name found in the text; for RuleHome, the home unit.
	Via    string  `json:"via,omitempty"`
	Count  int     `json:"count"`
	Weight float64 `json:"weight"`
}

// The rules by which a name counts (Evidence.Rule).
const (
	// RuleUnique: an official name that no other unit in China has.
	RuleUnique = "unique"
	// RuleHome: the name (short, township, or shared official name)
	// stands for exactly one unit inside the paper's home area.
	RuleHome = "home"
	// RuleParent: the text also names the unit's prefecture or province
	// (or, for a township, its county), and that leaves one unit.
	RuleParent = "parent"
	// RuleAdjacent: the name directly follows its parent's name (陕西安康,
	// 阳泉市郊区): the only way a common-word name counts outside home.
	RuleAdjacent = "adjacent"
	// RuleTop: a province's or prefecture's short name, taken without
	// context: the outermost unit of that name when it is the only one at
	// its level (吉林 → 吉林省, not 吉林市; 抚顺 → 抚顺市, not 抚顺县).
	RuleTop = "top"
)

// Kind weights: an official name weighs more than a short name or a
// township; a common word counted inside the home area weighs least.
const (
	weightFull     = 3
	weightShort    = 2
	weightTownship = 2
	weightCommon   = 1
)

// mention is one name occurrence (a leftmost-longest match).
type mention struct {
	field      int
	start, end int
	pat        int32
}

// resolved is what one mention stands for.
type resolved struct {
	unit *Unit // the place: a county, prefecture or province
	rule string
	via  string
	kind NameKind
	w    float64
}

// Resolve returns the places that the fields of an article name, best
// first, given the code of the paper's home area (a province, prefecture
// or county code: 22, 2203, 220300, 220323; "" for a national paper). See
// the package documentation for the rules; the result is deterministic.
//
// Order: county-level places first, then prefectures, then provinces; in
// each level by score, then first mention, then code.
func (g *Gazetteer) Resolve(home string, fields ...Field) []Place {
	var hu *Unit
	if home != "" {
		hu, _ = g.Unit(home)
	}
	folded := make([]string, len(fields))
	var ms []mention
	var hits []hit
	for fi, f := range fields {
		folded[fi] = textnorm.String(f.Text)
		hits = g.m.all(folded[fi], hits[:0])
		ms = g.mentions(fi, folded[fi], hits, ms)
	}
	if len(ms) == 0 {
		return []Place{}
	}

	// Context: every unit named by a mention (official name, or a short
	// name that is no common word — or is, inside the home area), with the
	// patterns that name it.
	ctx := make(map[*Unit][]int32)
	for _, m := range ms {
		p := &g.pats[m.pat]
		_, common := g.common[p.text]
		for _, n := range p.names {
			if n.Kind == TownshipName {
				continue
			}
			if common && !(hu != nil && n.Unit.Within(hu)) {
				continue
			}
			if !slices.Contains(ctx[n.Unit], m.pat) {
				ctx[n.Unit] = append(ctx[n.Unit], m.pat)
			}
		}
	}

	type key struct {
		unit  *Unit
		field int
		pat   int32
		rule  string
	}
	type acc struct {
		r     resolved
		count int
		first int
	}
	byKey := map[key]*acc{}
	var order []key
	for i, m := range ms {
		r, ok := g.resolve(m, ms, i, hu, ctx, folded)
		if !ok {
			continue
		}
		k := key{r.unit, m.field, m.pat, r.rule}
		a := byKey[k]
		if a == nil {
			a = &acc{r: r, first: m.field<<32 | m.start}
			byKey[k] = a
			order = append(order, k)
		}
		a.count++
	}
	idx := map[*Unit]int{}
	var out []Place
	var firsts []int
	for _, k := range order {
		a := byKey[k]
		fw := fields[k.field].Weight
		if fw == 0 {
			fw = 1
		}
		w := roundScore(fw * a.r.w * (1 + math.Log2(float64(a.count))))
		pi, ok := idx[k.unit]
		if !ok {
			pi = len(out)
			idx[k.unit] = pi
			out = append(out, newPlace(k.unit))
			firsts = append(firsts, a.first)
		}
		p := &out[pi]
		p.Score += w
		p.Why = append(p.Why, Evidence{
			Field: fields[k.field].Name, Text: g.pats[k.pat].text, Kind: a.r.kind.String(),
			Rule: a.r.rule, Via: a.r.via, Count: a.count, Weight: w,
		})
	}
	rank := make([]int, len(out))
	for i := range out {
		out[i].Score = roundScore(out[i].Score)
		rank[i] = i
	}
	slices.SortStableFunc(rank, func(a, b int) int {
		pa, pb := &out[a], &out[b]
		if c := cmp.Compare(levelRank(pa.Unit.Level), levelRank(pb.Unit.Level)); c != 0 {
			return c
		}
		if c := cmp.Compare(pb.Score, pa.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(firsts[a], firsts[b]); c != 0 {
			return c
		}
		return strings.Compare(pa.Code, pb.Code)
	})
	sorted := make([]Place, len(out))
	for i, r := range rank {
		sorted[i] = out[r]
	}
	return sorted
}

func levelRank(l Level) int {
	switch l {
	case County:
		return 0
	case Prefecture:
		return 1
	default:
		return 2
	}
}

func roundScore(x float64) float64 { return math.Round(x*1000) / 1000 }

func newPlace(u *Unit) Place {
	p := Place{Code: u.Code, Name: u.Name, Level: u.Level.String(), Display: u.Display, Zone: u.Zone, Unit: u, Why: []Evidence{}}
	if u.Prefecture != nil {
		p.Prefecture = u.Prefecture.Name
	}
	if u.Province != nil {
		p.Province = u.Province.Name
	}
	return p
}

// mentions appends the leftmost-longest name occurrences of one folded
// field to ms. Blockers take part in the leftmost-longest choice and mask
// what they cover; an official name ending in 市 or 区 that is the start of
// a word (东方市场, 和平区域) is no occurrence.
func (g *Gazetteer) mentions(fi int, text string, hits []hit, ms []mention) []mention {
	// hits come ordered by end; leftmost-longest wants them by start, then
	// longest first.
	hits = slices.DeleteFunc(hits, func(h hit) bool { return g.glued(text, h) })
	slices.SortFunc(hits, func(a, b hit) int {
		if c := cmp.Compare(a.start, b.start); c != 0 {
			return c
		}
		return cmp.Compare(b.end, a.end)
	})
	end := 0
	for _, h := range hits {
		if h.start < end {
			continue
		}
		end = h.end
		if g.pats[h.pat].block {
			continue
		}
		ms = append(ms, mention{field: fi, start: h.start, end: h.end, pat: h.pat})
	}
	return ms
}

// wordTails: an official name ending in the key that is followed by one
// of the runes is the start of another word (东方市场, 和平区域, 新城区别).
var wordTails = map[rune]string{'市': "场值价", '区': "域别分间块"}

func (g *Gazetteer) glued(text string, h hit) bool {
	p := &g.pats[h.pat]
	if p.block || h.end >= len(text) {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(p.text)
	tails, ok := wordTails[last]
	if !ok {
		return false
	}
	next, _ := utf8.DecodeRuneInString(text[h.end:])
	if !strings.ContainsRune(tails, next) {
		return false
	}
	for _, n := range p.names {
		if n.Kind != ShortName {
			return true
		}
	}
	return false
}

// resolve decides what mention ms[i] stands for.
func (g *Gazetteer) resolve(m mention, ms []mention, i int, hu *Unit, ctx map[*Unit][]int32, folded []string) (resolved, bool) {
	p := &g.pats[m.pat]
	_, common := g.common[p.text]
	// A name that is a township's and also another unit's (rare) is read
	// as the other unit's; of a name that is one unit's official name and
	// another's short name, all count, as an official name.
	kind := TownshipName
	for _, n := range p.names {
		if n.Kind == FullName || (n.Kind == ShortName && kind == TownshipName) {
			kind = n.Kind
		}
	}
	cands := make([]*Unit, 0, len(p.names))
	for _, n := range p.names {
		if (n.Kind == TownshipName) == (kind == TownshipName) {
			cands = append(cands, n.Unit)
		}
	}
	target := func(u *Unit) *Unit {
		if u.Level != Township {
			return u
		}
		if u.County != nil {
			return u.County
		}
		return u.Prefecture
	}
	weight := func(k NameKind) float64 {
		switch k {
		case FullName:
			return weightFull
		case ShortName:
			return weightShort
		}
		return weightTownship
	}
	via := func(u *Unit) string {
		if u.Level == Township {
			return u.Name
		}
		return ""
	}

	// Home area.
	if hu != nil {
		var in []*Unit
		for _, u := range cands {
			if u.Within(hu) {
				in = append(in, u)
			}
		}
		in = outermost(in)
		if t, ok := oneTarget(in, target); ok {
			w := weight(kind)
			if common {
				w = weightCommon
			}
			v := via(in[0])
			if v == "" {
				v = hu.Name
			}
			return resolved{unit: t, rule: RuleHome, via: v, kind: kind, w: w}, true
		}
	}

	// Common words (城区, 东方, 朝阳) outside home: only right after the
	// parent's name, and for a county-level or township name not even then.
	if common {
		if prev, ok := previousMention(ms, i); ok && kind != TownshipName {
			for _, u := range cands {
				if u.Level == County && kind == ShortName {
					continue
				}
				if a := g.namedParent(u, ms[prev].pat); a != nil {
					return resolved{unit: u, rule: RuleAdjacent, via: g.pats[ms[prev].pat].text, kind: kind, w: weight(kind)}, true
				}
			}
		}
		return resolved{}, false
	}

	// An official name no other unit has.
	if kind == FullName && len(cands) == 1 {
		return resolved{unit: cands[0], rule: RuleUnique, kind: kind, w: weight(kind)}, true
	}

	// The text names a parent: keep the candidates with the most specific
	// named parent (a county for a township, else a prefecture, else a
	// province); of nested candidates (抚顺市 and its 抚顺县) the outer.
	best, depth := []*Unit(nil), 0
	var bestVia string
	for _, u := range cands {
		d, v := g.contextDepth(u, m.pat, ctx)
		if d == 0 {
			continue
		}
		if d > depth {
			best, depth, bestVia = nil, d, v
		}
		if d == depth {
			best = append(best, u)
		}
	}
	best = outermost(best)
	if t, ok := oneTarget(best, target); ok {
		v := bestVia
		if best[0].Level == Township {
			v = best[0].Name + " < " + bestVia
		}
		return resolved{unit: t, rule: RuleParent, via: v, kind: kind, w: weight(kind)}, true
	}

	// A province's or prefecture's short name without context: the
	// outermost unit of that name, if it is the only one at its level.
	if kind == ShortName {
		top := outermost(cands)
		if len(top) == 1 && (top[0].Level == Province || top[0].Level == Prefecture) {
			same := 0
			for _, u := range cands {
				if u.Level == top[0].Level {
					same++
				}
			}
			if same == 1 {
				return resolved{unit: top[0], rule: RuleTop, kind: kind, w: weight(kind)}, true
			}
		}
	}
	if kind == FullName {
		// A shared official name of a province or prefecture (none today)
		// or a county without context: ambiguous, no place.
		return resolved{}, false
	}
	return resolved{}, false
}

// oneTarget reports whether the units all stand for one place (a township
// for its county) and returns it.
func oneTarget(us []*Unit, target func(*Unit) *Unit) (*Unit, bool) {
	if len(us) == 0 {
		return nil, false
	}
	t := target(us[0])
	for _, u := range us[1:] {
		if target(u) != t {
			return nil, false
		}
	}
	return t, t != nil
}

// outermost drops every unit that lies within another of us.
func outermost(us []*Unit) []*Unit {
	if len(us) < 2 {
		return us
	}
	out := make([]*Unit, 0, len(us))
	for _, u := range us {
		inner := false
		for _, o := range us {
			if o != u && u.Within(o) {
				inner = true
				break
			}
		}
		if !inner {
			out = append(out, u)
		}
	}
	return out
}

// contextDepth returns how specific the most specific parent of u named
// in the text by a pattern other than pat is: 3 a county, 2 a prefecture,
// 1 a province, 0 none; and that parent's name as found.
func (g *Gazetteer) contextDepth(u *Unit, pat int32, ctx map[*Unit][]int32) (int, string) {
	for _, a := range []*Unit{u.County, u.Prefecture, u.Province} {
		if a == nil || a == u {
			continue
		}
		for _, q := range ctx[a] {
			if q != pat {
				return 4 - int(a.Level), g.pats[q].text
			}
		}
	}
	return 0, ""
}

// namedParent returns the parent of u (prefecture or province) that
// pattern q names, or nil.
func (g *Gazetteer) namedParent(u *Unit, q int32) *Unit {
	for _, n := range g.pats[q].names {
		if n.Kind == TownshipName {
			continue
		}
		if a := n.Unit; a != u && u.Within(a) {
			return a
		}
	}
	return nil
}

// previousMention returns the mention that ends where ms[i] starts, in the
// same field.
func previousMention(ms []mention, i int) (int, bool) {
	if i == 0 {
		return 0, false
	}
	p := ms[i-1]
	return i - 1, p.field == ms[i].field && p.end == ms[i].start
}
