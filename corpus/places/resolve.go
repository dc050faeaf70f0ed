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
	// Folded says Text is already folded by textnorm.String (as the
	// corpus tagger has it), which saves folding it again.
	Folded bool
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
	sent       int // the sentence of the field it is in
}

// ctxRef is a mention that names a unit, as context for others.
type ctxRef struct {
	pat         int32
	field, sent int
}

// isSentenceEnd reports whether r ends a sentence for the context rule:
// 。！？；!?; and a line break (the paragraphs of a body).
func isSentenceEnd(r rune) bool {
	switch r {
	case '。', '！', '？', '；', '!', '?', ';', '\n':
		return true
	}
	return false
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
	heading := make([]bool, len(fields))
	for fi, f := range fields {
		heading[fi] = f.Weight > 1
	}
	var ms []mention
	var hits []hit
	for fi, f := range fields {
		folded[fi] = f.Text
		if !f.Folded {
			folded[fi] = textnorm.String(f.Text)
		}
		hits = g.m.all(folded[fi], hits[:0])
		ms = g.mentions(fi, folded[fi], hits, ms)
	}
	if len(ms) == 0 {
		return []Place{}
	}

	// Context: every unit named by a mention (official name, or a short
	// name that is no common word — or is, inside the home area), with the
	// patterns that name it.
	ctx := make(map[*Unit][]ctxRef)
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
			ref := ctxRef{m.pat, m.field, m.sent}
			if !slices.Contains(ctx[n.Unit], ref) {
				ctx[n.Unit] = append(ctx[n.Unit], ref)
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
		r, ok := g.resolve(m, ms, i, hu, ctx, heading, folded)
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

// mentions appends the name occurrences of one folded field to ms, in
// text order. An occurrence inside a longer one is dropped (民和县 holds
// 和县, 新华社 masks 新华). Of occurrences that cross, the one chosen is, in
// this order of preference: a blocker or a province's or prefecture's
// name; a county's official name; a township's name; a county's short
// name; then the longer; then the leftmost. So 从江西 is 江西 (not 从江,
// 从江县's short name), 九江城区 is 九江 (not 阳江's 江城区) and 南阳镇平县 is
// 镇平县 (not the township 南阳镇) — except that a county's short name right
// after its parent's name wins (黑龙江漠河北极村 is 漠河, not 河北). An
// official name ending in 市 or 区 that starts a word (东方市场, 和平区域)
// is no occurrence, nor a short name before 村, 路, 街 or 巷 (阿里村).
func (g *Gazetteer) mentions(fi int, text string, hits []hit, ms []mention) []mention {
	hits = slices.DeleteFunc(hits, func(h hit) bool { return g.glued(text, h) })
	// Drop what lies inside a longer occurrence.
	slices.SortFunc(hits, func(a, b hit) int {
		if c := cmp.Compare(a.start, b.start); c != 0 {
			return c
		}
		return cmp.Compare(b.end, a.end)
	})
	var outer, inner []hit
	maxEnd := -1
	for _, h := range hits {
		if h.end <= maxEnd {
			inner = append(inner, h) // inside an earlier, longer one
			continue
		}
		maxEnd = h.end
		outer = append(outer, h)
	}
	byPreference := func(a, b hit) int {
		if c := cmp.Compare(g.pats[a.pat].rank, g.pats[b.pat].rank); c != 0 {
			return c
		}
		if c := cmp.Compare(b.end-b.start, a.end-a.start); c != 0 {
			return c
		}
		return cmp.Compare(a.start, b.start)
	}
	var taken []hit
	take := func(hs []hit) {
		for _, h := range hs {
			free := true
			for _, o := range taken {
				if h.start < o.end && o.start < h.end {
					free = false
					break
				}
			}
			if free {
				taken = append(taken, h)
			}
		}
	}
	cands := slices.Clone(outer)
	slices.SortFunc(cands, byPreference)
	take(cands)
	// What lay inside an occurrence that lost a crossing is free again
	// (南阳镇平县: 南阳, once 镇平县 beat the township 南阳镇).
	slices.SortFunc(inner, byPreference)
	take(inner)
	slices.SortFunc(taken, func(a, b hit) int { return cmp.Compare(a.start, b.start) })
	// A county's short name that lost to a crossing province or
	// prefecture short name but follows its parent's name wins.
	for _, h := range outer {
		if g.pats[h.pat].rank != 3 || slices.Contains(taken, h) {
			continue
		}
		k := slices.IndexFunc(taken, func(t hit) bool { return t.end == h.start })
		if k < 0 {
			continue
		}
		parentOK := false
		for _, n := range g.pats[h.pat].names {
			if g.namedParent(n.Unit, taken[k].pat) != nil {
				parentOK = true
			}
		}
		if !parentOK || k+1 >= len(taken) || g.pats[taken[k+1].pat].rank != 0 || g.pats[taken[k+1].pat].block || taken[k+1].start >= h.end {
			continue
		}
		if k+2 < len(taken) && taken[k+2].start < h.end {
			continue
		}
		taken[k+1] = h
	}
	first := len(ms)
	for _, h := range taken {
		if !g.pats[h.pat].block {
			ms = append(ms, mention{field: fi, start: h.start, end: h.end, pat: h.pat})
		}
	}
	// Sentence numbers (only needed between two mentions).
	if len(ms)-first > 1 {
		sent, pos := 0, 0
		for k := first; k < len(ms); k++ {
			for _, r := range text[pos:ms[k].start] {
				if isSentenceEnd(r) {
					sent++
				}
			}
			pos = ms[k].start
			ms[k].sent = sent
		}
	}
	return ms
}

// wordTails: an official name ending in the key that is followed by one
// of the runes is the start of another word (东方市场, 和平区域, 新城区别).
var wordTails = map[rune]string{'市': "场值价", '区': "域别分间块"}

// featureTails: a county's short name followed by one of these may name
// a river, lake, mountain or island (穆棱河, 长白山, 宝塔山) rather than the
// county: it counts only right after its parent's name (延安宝塔山 is in
// 宝塔区).
const featureTails = "河江湖山岭峡岛"

// streetTails: a province's, prefecture's or county's short name followed
// by one of these names a village or a street (阿里村, 吉林路), not the unit.
const streetTails = "村路街巷"

// featureTailed reports whether the mention is a county's short name
// followed by a feature tail.
func (g *Gazetteer) featureTailed(text string, m mention) bool {
	if g.pats[m.pat].rank != 3 || m.end >= len(text) {
		return false
	}
	next, _ := utf8.DecodeRuneInString(text[m.end:])
	return strings.ContainsRune(featureTails, next)
}

func (g *Gazetteer) glued(text string, h hit) bool {
	p := &g.pats[h.pat]
	if p.block || h.end >= len(text) {
		return false
	}
	if isShortOnly(p) {
		next, _ := utf8.DecodeRuneInString(text[h.end:])
		return strings.ContainsRune(streetTails, next)
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
func (g *Gazetteer) resolve(m mention, ms []mention, i int, hu *Unit, ctx map[*Unit][]ctxRef, heading []bool, folded []string) (resolved, bool) {
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

	// Right after a parent's name (浙江安吉, 福州市鼓楼区, 北京通州): the
	// candidates within the unit that name stands for, the outermost.
	if prev, ok := previousMention(ms, i); ok {
		var adj []*Unit
		for _, u := range cands {
			if g.namedParent(target(u), ms[prev].pat) != nil || (u.Level == Township && g.namesUnit(ms[prev].pat, u.County)) {
				adj = append(adj, u)
			}
		}
		adj = outermost(adj)
		if t, ok := oneTarget(adj, target); ok {
			v := g.pats[ms[prev].pat].text
			if adj[0].Level == Township {
				v = adj[0].Name + " < " + v
			}
			return resolved{unit: t, rule: RuleAdjacent, via: v, kind: kind, w: weight(kind)}, true
		}
	}

	// A county's short name before 河, 山 … counts only right after its
	// parent's name (above).
	if g.featureTailed(folded[m.field], m) {
		return resolved{}, false
	}

	// An official name no other unit has.
	if kind == FullName && len(cands) == 1 {
		return resolved{unit: cands[0], rule: RuleUnique, kind: kind, w: weight(kind)}, true
	}

	// The text names a parent in the same sentence, or in a heading (or
	// the mention is in a heading and the parent anywhere), and, for a
	// short name, the name stands alone (standsAlone): keep the
	// candidates with the most specific named parent (a county for a
	// township, else a prefecture, else a province); of nested candidates
	// (抚顺市 and its 抚顺县) the outer. Not for a name that is also a
	// province's or prefecture's: 河北 is 河北省 even in a text that names
	// 天津, whose 河北区 it could be (天津河北 is adjacent, above).
	best, depth := []*Unit(nil), 0
	var bestVia string
	for _, u := range cands {
		if u.Level == Province || u.Level == Prefecture || (kind == ShortName && !standsAlone(folded[m.field], m)) {
			best = nil
			break
		}
		d, v := g.contextDepth(u, m, ctx, heading)
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
// in the context of mention m (by another pattern: the same sentence, or a
// heading) is: 3 a county, 2 a prefecture, 1 a province, 0 none; and that
// parent's name as found.
func (g *Gazetteer) contextDepth(u *Unit, m mention, ctx map[*Unit][]ctxRef, heading []bool) (int, string) {
	for _, a := range []*Unit{u.County, u.Prefecture, u.Province} {
		if a == nil || a == u {
			continue
		}
		for _, q := range ctx[a] {
			if q.pat == m.pat {
				continue
			}
			if (q.field == m.field && q.sent == m.sent) || heading[q.field] || heading[m.field] {
				return int(a.Level), g.pats[q.pat].text
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

// namesUnit reports whether pattern q is a name (not a township's) of u.
func (g *Gazetteer) namesUnit(q int32, u *Unit) bool {
	if u == nil {
		return false
	}
	for _, n := range g.pats[q].names {
		if n.Unit == u && n.Kind != TownshipName {
			return true
		}
	}
	return false
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

// Runes a short name may stand after or before to stand alone, besides
// the start or end of the text and any rune that is not Chinese.
const (
	aloneBefore = "在和与及到至赴于、从经"
	aloneAfter  = "、和与及等的县市区旗到至一"
)

// standsAlone reports whether a short name found away from its parent's
// name stands alone: between punctuation, the text's ends, or a few
// function words (在安吉, 环江等), or as an item of a list (有松阳、兰溪、建德三地:
// a 、 on either side). 江汉平原, 雄安新区 (安新) and 东至安徽 (东至) do not.
func standsAlone(text string, m mention) bool {
	var before, after rune
	if m.start > 0 {
		before, _ = utf8.DecodeLastRuneInString(text[:m.start])
	}
	if m.end < len(text) {
		after, _ = utf8.DecodeRuneInString(text[m.end:])
	}
	if before == '、' || after == '、' {
		return true
	}
	okBefore := before == 0 || !textnorm.IsHan(before) || strings.ContainsRune(aloneBefore, before)
	okAfter := after == 0 || !textnorm.IsHan(after) || strings.ContainsRune(aloneAfter, after)
	return okBefore && okAfter
}

// isShortOnly reports whether every name of p is a short name.
func isShortOnly(p *pattern) bool {
	for _, n := range p.names {
		if n.Kind != ShortName {
			return false
		}
	}
	return len(p.names) > 0
}
