package places

import (
	"bufio"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"

	"newsarchive/corpus/textnorm"
)

//go:generate go run ./internal/gen/genplaces -out data

// Level is the administrative level of a unit.
type Level uint8

// The levels of the division codes: 2, 4, 6 and 9 digits.
const (
	Province   Level = iota + 1 // 省, 自治区, 直辖市, 特别行政区 (2 digits)
	Prefecture                  // 地级市, 地区, 自治州, 盟 (4 digits)
	County                      // 县, 自治县, 县级市, 市辖区, 旗, 林区, 特区, functional zones (6 digits)
	Township                    // 乡, 镇, 街道, 苏木 … (9 digits)
)

var levelNames = [...]string{"", "province", "prefecture", "county", "township"}

// String returns "province", "prefecture", "county" or "township".
func (l Level) String() string {
	if int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprintf("Level(%d)", l)
}

// Unit is one administrative division.
type Unit struct {
	// Code is the statistical division code: 2 digits for a province, 4
	// for a prefecture, 6 for a county-level unit, 9 for a township.
	Code string
	// Name is the official name (伊通满族自治县).
	Name  string
	Level Level
	// Display is unique among all units of the same level or above
	// (province, prefecture, county): the name, followed by the parent's
	// short name in full-width brackets when the name is shared
	// (鼓楼区（福州）). A township's Display is unique among townships.
	Display string
	// Short are the short names by rule (ShortNames): 伊通县, 伊通.
	Short []string
	// Zone marks a functional zone with a statistical code (开发区,
	// 高新区, 示范区 …; the codes' fifth digit is 7): not an administrative
	// division, matched only by its full name.
	Zone bool
	// County, Prefecture and Province are the unit's parents, nil where
	// there is none: a county directly under a province (济源市, 仙桃市,
	// the counties of Beijing, Tianjin, Shanghai, Chongqing) has no
	// prefecture; a township of 东莞市, 中山市, 儋州市 or 嘉峪关市 has no county.
	County, Prefecture, Province *Unit
}

// Parent returns the nearest parent, or nil for a province.
func (u *Unit) Parent() *Unit {
	switch {
	case u.County != nil:
		return u.County
	case u.Prefecture != nil:
		return u.Prefecture
	default:
		return u.Province
	}
}

// Within reports whether u is a or lies within a (a's code is a prefix of
// u's and u is a itself or one of its descendants).
func (u *Unit) Within(a *Unit) bool {
	for p := u; p != nil; p = p.Parent() {
		if p == a {
			return true
		}
	}
	return false
}

// Embedded data files: see the package documentation and docs/places.md.
var (
	//go:embed data/divisions.txt
	divisionsTxt string
	//go:embed data/words.txt
	wordsTxt string
	//go:embed data/common-words.txt
	commonWordsTxt string
)

var defaultG struct {
	once sync.Once
	g    *Gazetteer
	err  error
}

// Default returns the gazetteer of the embedded data files, loaded on
// first use.
func Default() (*Gazetteer, error) {
	defaultG.once.Do(func() {
		defaultG.g, defaultG.err = Load(Sources{})
	})
	return defaultG.g, defaultG.err
}

// Sources names the data files Load reads; an empty path selects the
// embedded file.
type Sources struct {
	Divisions   string // data/divisions.txt, generated
	Words       string // data/words.txt, generated
	CommonWords string // data/common-words.txt, reviewed by hand
}

// NameKind says how a name names a unit.
type NameKind uint8

// Kinds of names.
const (
	FullName     NameKind = iota + 1 // the official name (伊通满族自治县, 山门镇)
	ShortName                        // a short name by rule (伊通)
	TownshipName                     // a township's official name, standing for its county
)

var nameKindNames = [...]string{"", "full", "short", "township"}

// String returns "full", "short" or "township".
func (k NameKind) String() string {
	if int(k) < len(nameKindNames) {
		return nameKindNames[k]
	}
	return fmt.Sprintf("NameKind(%d)", k)
}

// Name is one unit a name can stand for.
type Name struct {
	Unit *Unit
	Kind NameKind
}

// Gazetteer holds every division of the PRC with its names and the
// matcher that finds them in text. It is safe for concurrent use.
type Gazetteer struct {
	units  []Unit
	byCode map[string]*Unit
	// names maps a folded name to the units it can stand for.
	names map[string][]Name
	// common: folded names that are also ordinary words, with the reason
	// (from data/words.txt and data/common-words.txt).
	common map[string]string
	// pats are the matcher's patterns: names (with their entries in
	// names) and blockers (dictionary words that contain a name but are
	// not places: 新华社, 永定河), which mask what they cover.
	pats    []pattern
	m       *matcher
	display map[string]*Unit
	digest  string // SHA-256 of the data files read
}

type pattern struct {
	text  string // folded
	block bool
	names []Name
	// rank orders crossing matches (lower wins): 0 a blocker or a name
	// of a province or prefecture, 1 a county's official name, 2 a
	// township's name, 3 a county's short name.
	rank uint8
}

func patternRank(p *pattern) uint8 {
	if p.block {
		return 0
	}
	r := uint8(3)
	for _, n := range p.names {
		var x uint8
		switch {
		case n.Unit.Level == Province || n.Unit.Level == Prefecture:
			x = 0
		case n.Kind == FullName:
			x = 1
		case n.Kind == TownshipName:
			x = 2
		default:
			x = 3
		}
		r = min(r, x)
	}
	return r
}

// Load reads the data files (an empty path selects the embedded file).
func Load(src Sources) (*Gazetteer, error) {
	read := func(path, embedded string) (string, string, error) {
		if path == "" {
			return embedded, "", nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return "", path, fmt.Errorf("places: %w", err)
		}
		return string(b), path, nil
	}
	div, divName, err := read(src.Divisions, divisionsTxt)
	if err != nil {
		return nil, err
	}
	words, wordsName, err := read(src.Words, wordsTxt)
	if err != nil {
		return nil, err
	}
	cw, cwName, err := read(src.CommonWords, commonWordsTxt)
	if err != nil {
		return nil, err
	}
	return load(div, orDefault(divName, "data/divisions.txt"), words, orDefault(wordsName, "data/words.txt"), cw, orDefault(cwName, "data/common-words.txt"))
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// ParseDivisions reads a divisions file (the format of data/divisions.txt)
// into units, for the generator and tests; name is used in errors.
func ParseDivisions(r io.Reader, name string) ([]Unit, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	units, err := parseDivisions(string(b), name)
	if err != nil {
		return nil, err
	}
	return units, nil
}

// parseDivisions reads the divisions file: lines "CODE<TAB>NAME[<TAB>FLAGS]"
// where CODE has 2, 4 or 6 digits, or 3 for a township (the last digits of
// its 9-digit code, under the 6-digit line above it). Flags: z (functional
// zone), = (a county-level line that is its prefecture itself: 东莞市
// 441900; its townships belong to the prefecture, it is no unit).
func parseDivisions(s, name string) ([]Unit, error) {
	n := strings.Count(s, "\n") + 1
	units := make([]Unit, 0, n)
	byCode := make(map[string]int, n)
	type parents struct{ county, pref, prov int }
	par := make([]parents, 0, n)
	curCounty, curCountyUnit := "", -1
	line := 0
	for len(s) > 0 {
		var l string
		l, s, _ = strings.Cut(s, "\n")
		line++
		l = strings.TrimSuffix(l, "\r")
		if l == "" || l[0] == '#' {
			continue
		}
		code, rest, ok := strings.Cut(l, "\t")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want CODE<TAB>NAME", name, line)
		}
		uname, flags, _ := strings.Cut(rest, "\t")
		if uname == "" || !allDigits(code) {
			return nil, fmt.Errorf("%s:%d: bad line %q", name, line, l)
		}
		u := Unit{Code: code, Name: uname}
		p := parents{-1, -1, -1}
		switch len(code) {
		case 2:
			u.Level = Province
		case 4:
			u.Level = Prefecture
			p.prov = byCode[code[:2]] - 1
		case 6:
			u.Level = County
			p.prov = byCode[code[:2]] - 1
			p.pref = byCode[code[:4]] - 1
			curCounty, curCountyUnit = code, -1
		case 3:
			if curCounty == "" {
				return nil, fmt.Errorf("%s:%d: township before any county line", name, line)
			}
			u.Level = Township
			u.Code = curCounty + code
			p.prov = byCode[curCounty[:2]] - 1
			p.pref = byCode[curCounty[:4]] - 1
			p.county = curCountyUnit
		default:
			return nil, fmt.Errorf("%s:%d: code %q has %d digits (want 2, 4, 6 or 3)", name, line, code, len(code))
		}
		if p.prov < 0 && u.Level != Province {
			return nil, fmt.Errorf("%s:%d: %s %s has no province line before it", name, line, u.Code, u.Name)
		}
		for _, f := range flags {
			switch f {
			case 'z':
				u.Zone = true
			case '=':
				if u.Level != County || p.pref < 0 || units[p.pref].Name != u.Name {
					return nil, fmt.Errorf("%s:%d: flag = on %s %s, which is not its prefecture's name", name, line, u.Code, u.Name)
				}
			default:
				return nil, fmt.Errorf("%s:%d: unknown flag %q", name, line, f)
			}
		}
		if strings.ContainsRune(flags, '=') {
			continue // townships below attach to the prefecture
		}
		if _, dup := byCode[u.Code]; dup {
			return nil, fmt.Errorf("%s:%d: duplicate code %s", name, line, u.Code)
		}
		if u.Level != Township {
			u.Short = ShortNames(u.Name, u.Level)
			if u.Zone {
				u.Short = nil
			}
		}
		units = append(units, u)
		par = append(par, p)
		byCode[u.Code] = len(units) // +1: 0 is "absent"
		if u.Level == County {
			curCountyUnit = len(units) - 1
		}
	}
	for i := range units {
		p := par[i]
		if p.county >= 0 {
			units[i].County = &units[p.county]
		}
		if p.pref >= 0 {
			units[i].Prefecture = &units[p.pref]
		}
		if p.prov >= 0 {
			units[i].Province = &units[p.prov]
		}
	}
	return units, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func load(div, divName, words, wordsName, cw, cwName string) (*Gazetteer, error) {
	units, err := parseDivisions(div, divName)
	if err != nil {
		return nil, err
	}
	g := &Gazetteer{units: units, byCode: make(map[string]*Unit, len(units)), common: make(map[string]string)}
	for i := range g.units {
		g.byCode[g.units[i].Code] = &g.units[i]
	}
	var blockers []string
	if err := eachLine(words, wordsName, func(line int, cells []string) error {
		switch {
		case cells[0] == "common" && len(cells) >= 2:
			g.common[textnorm.String(cells[1])] = "gse: " + strings.Join(cells[2:], " ")
		case cells[0] == "block" && len(cells) >= 2:
			blockers = append(blockers, textnorm.String(cells[1]))
		default:
			return fmt.Errorf("%s:%d: want common or block rows", wordsName, line)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := parseCommonWords(cw, cwName, g.common, &blockers); err != nil {
		return nil, err
	}
	g.buildNames(blockers)
	g.buildDisplay()
	h := sha256.New()
	for _, s := range []string{div, words, cw} {
		fmt.Fprintf(h, "%d\n%s", len(s), s)
	}
	g.digest = hex.EncodeToString(h.Sum(nil))
	return g, nil
}

// Digest returns the SHA-256 (hex) of the data files the gazetteer was
// loaded from: two gazetteers with equal digests resolve alike.
func (g *Gazetteer) Digest() string { return g.digest }

// eachLine calls fn with the tab-separated cells of every line that is not
// empty or a # comment.
func eachLine(s, name string, fn func(line int, cells []string) error) error {
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		l := strings.TrimRight(sc.Text(), "\r")
		if t := strings.TrimSpace(l); t == "" || t[0] == '#' {
			continue
		}
		if err := fn(line, strings.Split(l, "\t")); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// parseCommonWords reads the reviewed overlay: "+WORD  # why" marks a name
// as a common word, "-WORD  # why" unmarks one that the dictionary flagged,
// "!WORD  # why" adds a blocker (a non-place word containing a name). Every
// entry must have a comment.
func parseCommonWords(s, name string, common map[string]string, blockers *[]string) error {
	line := 0
	for len(s) > 0 {
		var l string
		l, s, _ = strings.Cut(s, "\n")
		line++
		l = strings.TrimSpace(strings.TrimSuffix(l, "\r"))
		if l == "" || l[0] == '#' {
			continue
		}
		entry, why, ok := strings.Cut(l, "#")
		entry, why = strings.TrimSpace(entry), strings.TrimSpace(why)
		if !ok || why == "" {
			return fmt.Errorf("%s:%d: every entry needs a # comment saying why", name, line)
		}
		if len(entry) < 2 {
			return fmt.Errorf("%s:%d: want +WORD, -WORD or !WORD", name, line)
		}
		w := textnorm.String(entry[1:])
		switch entry[0] {
		case '+':
			common[w] = "reviewed: " + why
		case '-':
			if _, ok := common[w]; !ok {
				return fmt.Errorf("%s:%d: %q is not flagged, nothing to unmark", name, line, entry[1:])
			}
			delete(common, w)
		case '!':
			*blockers = append(*blockers, w)
		default:
			return fmt.Errorf("%s:%d: want +WORD, -WORD or !WORD", name, line)
		}
	}
	return nil
}

// buildNames indexes every name and builds the matcher.
func (g *Gazetteer) buildNames(blockers []string) {
	g.names = make(map[string][]Name, len(g.units)+8000)
	add := func(s string, u *Unit, k NameKind) {
		f := textnorm.String(s)
		for _, n := range g.names[f] {
			if n.Unit == u {
				return
			}
		}
		g.names[f] = append(g.names[f], Name{u, k})
	}
	for i := range g.units {
		u := &g.units[i]
		if u.Level == Township {
			add(u.Name, u, TownshipName)
			continue
		}
		add(u.Name, u, FullName)
		for _, s := range u.Short {
			add(s, u, ShortName)
		}
	}
	texts := make([]string, 0, len(g.names)+len(blockers))
	for t := range g.names {
		texts = append(texts, t)
	}
	slices.Sort(texts)
	g.pats = make([]pattern, 0, len(texts)+len(blockers))
	for _, t := range texts {
		g.pats = append(g.pats, pattern{text: t, names: g.names[t]})
	}
	slices.Sort(blockers)
	blockers = slices.Compact(blockers)
	for _, b := range blockers {
		if _, isName := g.names[b]; isName {
			continue // a name is never a blocker
		}
		g.pats = append(g.pats, pattern{text: b, block: true})
	}
	// The matcher wants its patterns sorted.
	slices.SortFunc(g.pats, func(a, b pattern) int { return strings.Compare(a.text, b.text) })
	for i := range g.pats {
		g.pats[i].rank = patternRank(&g.pats[i])
	}
	ps := make([]string, len(g.pats))
	for i, p := range g.pats {
		ps[i] = p.text
	}
	g.m = newMatcher(ps)
}

// buildDisplay gives every unit a unique display name.
func (g *Gazetteer) buildDisplay() {
	count := make(map[string]int)
	key := func(u *Unit) string {
		if u.Level == Township {
			return "t" + u.Name
		}
		return "u" + u.Name
	}
	for i := range g.units {
		count[key(&g.units[i])]++
	}
	g.display = make(map[string]*Unit, len(g.units))
	for i := range g.units {
		u := &g.units[i]
		u.Display = u.Name
		if count[key(u)] > 1 {
			u.Display = u.Name + "（" + qualifier(u) + "）"
		}
	}
	// Still not unique (two townships of one name in one county, …): add the code.
	seen := make(map[string]int)
	for i := range g.units {
		seen[key(&g.units[i])[:1]+g.units[i].Display]++
	}
	for i := range g.units {
		u := &g.units[i]
		if seen[key(u)[:1]+u.Display] > 1 {
			u.Display = u.Name + "（" + qualifier(u) + " " + u.Code + "）"
		}
		if u.Level != Township {
			g.display[u.Display] = u
		}
	}
}

// qualifier is what tells a shared name apart: for a township its county
// (or prefecture), for a county its prefecture (or province), for a
// prefecture its province; the parent's first short name, else its name.
func qualifier(u *Unit) string {
	var p *Unit
	switch u.Level {
	case Township:
		p = u.County
		if p == nil {
			p = u.Prefecture
		}
	case County:
		p = u.Prefecture
	}
	if p == nil {
		p = u.Province
	}
	if p == nil {
		return u.Code
	}
	if len(p.Short) > 0 {
		return p.Short[len(p.Short)-1]
	}
	return p.Name
}

// Units returns every unit, in code order (a parent before its children).
func (g *Gazetteer) Units() []*Unit {
	out := make([]*Unit, len(g.units))
	for i := range g.units {
		out[i] = &g.units[i]
	}
	return out
}

// Unit returns the unit of a code: 2, 4, 6 or 9 digits, or 6 digits with
// trailing zeros for a province or prefecture (220000, 220300).
func (g *Gazetteer) Unit(code string) (*Unit, bool) {
	code = normalizeCode(code)
	u, ok := g.byCode[code]
	return u, ok
}

// ByDisplay returns the province, prefecture or county-level unit whose
// Display is s.
func (g *Gazetteer) ByDisplay(s string) (*Unit, bool) {
	u, ok := g.display[s]
	return u, ok
}

// normalizeCode turns 220000 into 22 and 220300 into 2203.
func normalizeCode(code string) string {
	code = strings.TrimSpace(code)
	if len(code) == 6 && allDigits(code) {
		switch {
		case code[2:] == "0000":
			return code[:2]
		case code[4:] == "00":
			return code[:4]
		}
	}
	return code
}

// Lookup returns the units a name can stand for (official names, short
// names and townships' names, in any form textnorm folds alike), in code
// order. 吉林 gives the province 吉林省 and the prefecture 吉林市; 鼓楼区 four
// districts.
func (g *Gazetteer) Lookup(name string) []Name {
	return slices.Clone(g.names[textnorm.String(strings.TrimSpace(name))])
}

// Common reports whether a name (folded) is also an ordinary word, and why:
// such a short name counts only inside the paper's home area.
func (g *Gazetteer) Common(name string) (string, bool) {
	why, ok := g.common[textnorm.String(name)]
	return why, ok
}

// Blocked reports whether s is a blocker: a word that contains a name but
// is not a place (新华社, 永定河), which masks the names inside it.
func (g *Gazetteer) Blocked(s string) bool {
	id, ok := g.m.exact(textnorm.String(s))
	return ok && g.pats[id].block
}

// Blockers returns the words that contain a name but are no place and so
// mask the names inside them (新华社, 永定河), sorted.
func (g *Gazetteer) Blockers() []string {
	var out []string
	for _, p := range g.pats {
		if p.block {
			out = append(out, p.text)
		}
	}
	return out
}
