package corpus

import (
	"cmp"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"newsarchive/corpus/textnorm"
)

// Kinds of gazetteer rows (the third column of data/gazetteer.tsv).
const (
	// GazUnit is a county-level unit's full official name, e.g. 伊通满族自治县.
	GazUnit = "unit"
	// GazAlias is a short name of a unit, e.g. 伊通, 伊通县.
	GazAlias = "alias"
	// GazTownship is a township, town or sub-district (乡镇街道) of a unit.
	GazTownship = "township"
	// GazMarker is a word that names the paper's own city without naming
	// it (市委, 全市), counted only where it stands on its own.
	GazMarker = "marker"
	// GazExclude is a string whose occurrences mask every name inside or
	// overlapping them (沈阳铁西, 四平路).
	GazExclude = "exclude"
	// GazLead is a string allowed to stand right before a marker even
	// though it ends with a Chinese character (在市委, 召开全市).
	GazLead = "lead"
	// GazForeign is a place outside the paper's area (北京, 浙江): an item
	// that names one ignores its markers, which likely mean that place.
	GazForeign = "foreign"
)

// DefaultCountyMinScore is the least score a unit needs to be tagged; a
// gazetteer file may change it with a @min_score row.
const DefaultCountyMinScore = 1.0

// Default weights of gazetteer row kinds and of the fields an item is read
// from; a gazetteer file may change them with @kind and @field rows.
var (
	defaultGazKindWeights = map[string]float64{
		GazUnit: 3, GazAlias: 2, GazTownship: 2, GazMarker: 1,
	}
	defaultGazFieldWeights = [tagFieldCount]float64{
		tagKicker: 4, tagTitle: 10, tagSubtitle: 6, tagBody: 1,
	}
)

//go:embed data/gazetteer.tsv
var defaultGazetteerTSV string

var defaultGaz struct {
	once sync.Once
	g    *Gazetteer
	err  error
}

// Gazetteer maps place names found in an item's text to county-level units.
// It is read from a tab-separated file (see docs/tagging.md) and is safe
// for concurrent use once loaded.
type Gazetteer struct {
	units       []gazUnit
	canon       map[string]int // folded unit name, alias or code → unit
	pats        []gazPattern
	m           *tagMatcher
	leads       []string // folded
	fieldWeight [tagFieldCount]float64
	minScore    float64
	placeNames  []string
	digest      string // SHA-256 of the file read, see Tagger.Fingerprint
	area        string // the division code of the area it curates (@home)
}

type gazUnit struct {
	code, name string
	// parent: its code is a proper prefix of another unit's code (the city
	// 四平市 over its counties); it ranks after every child found.
	parent bool
	// city: a county-level city (name ends in 市, not a parent), whose own
	// 市委 and 全市 the city markers could mean.
	city bool
}

// gazPattern is one folded string of the file with the rows that use it.
type gazPattern struct {
	exclude bool // an exclusion: masks names
	foreign bool // a foreign place: vetoes markers
	entries []gazEntry
}

type gazEntry struct {
	unit     int
	kind     string
	name     string // as written in the file
	from, to string // as written; "" when open
	toUpper  string // to + "~", compares above every date that starts with to
	weight   float64
	line     int
}

// validOn reports whether the entry applies on date (YYYY-MM-DD).
func (e *gazEntry) validOn(date string) bool {
	return date >= e.from && (e.to == "" || date <= e.toUpper)
}

// pick returns the entry that applies on date, nil when none does (the
// name is not the file's on that date: 公主岭市 after it left 四平市); with
// no date, the current one (open-ended, else the latest).
func (p *gazPattern) pick(date string) *gazEntry {
	if date != "" {
		for i := range p.entries {
			if p.entries[i].validOn(date) {
				return &p.entries[i]
			}
		}
		return nil
	}
	best := &p.entries[0]
	for i := range p.entries {
		e := &p.entries[i]
		if e.to == "" || (best.to != "" && e.to > best.to) {
			best = e
			if e.to == "" {
				break
			}
		}
	}
	return best
}

// DefaultGazetteer returns the embedded gazetteer (data/gazetteer.tsv),
// parsed on first use.
func DefaultGazetteer() (*Gazetteer, error) {
	defaultGaz.once.Do(func() {
		defaultGaz.g, defaultGaz.err = LoadGazetteer(strings.NewReader(defaultGazetteerTSV), "data/gazetteer.tsv")
	})
	return defaultGaz.g, defaultGaz.err
}

// LoadGazetteer reads a gazetteer file; name is used in errors, which read
// "name:line: what is wrong".
//
// Rows are code, unit, kind, name, from, to, weight, note (trailing cells may
// be left out); "@field FIELD WEIGHT" and "@kind KIND WEIGHT" rows set
// weights. docs/tagging.md describes the format.
func LoadGazetteer(r io.Reader, name string) (*Gazetteer, error) {
	g := &Gazetteer{canon: make(map[string]int), fieldWeight: defaultGazFieldWeights, minScore: DefaultCountyMinScore}
	kindWeight := make(map[string]float64, len(defaultGazKindWeights))
	for k, w := range defaultGazKindWeights {
		kindWeight[k] = w
	}
	unitByName := make(map[string]int)
	patByText := make(map[string]int)
	var patTexts []string
	seenPlace := make(map[string]bool)
	tt := newTagTable(r, name)
	for {
		cells, err := tt.next()
		if err != nil {
			return nil, err
		}
		if cells == nil {
			break
		}
		switch cells[0] {
		case "@field":
			if err := tt.fieldDirective(cells, &g.fieldWeight); err != nil {
				return nil, err
			}
			continue
		case "@kind":
			if len(cells) != 3 {
				return nil, tt.errorf("@kind wants 2 cells (kind, weight), got %d", len(cells)-1)
			}
			if _, ok := kindWeight[cells[1]]; !ok {
				return nil, tt.errorf("@kind: kind %q has no weight (want unit, alias, township or marker)", cells[1])
			}
			w, err := tt.weight(cells[2])
			if err != nil {
				return nil, err
			}
			kindWeight[cells[1]] = w
			continue
		case "@home":
			if len(cells) != 2 || !isCode(cells[1]) {
				return nil, tt.errorf("@home wants 1 cell, a division code of 2, 4 or 6 digits")
			}
			g.area = shortCode(cells[1])
			continue
		case "@min_score":
			if len(cells) != 2 {
				return nil, tt.errorf("@min_score wants 1 cell, got %d", len(cells)-1)
			}
			w, err := tt.weight(cells[1])
			if err != nil {
				return nil, err
			}
			g.minScore = w
			continue
		}
		if strings.HasPrefix(cells[0], "@") {
			return nil, tt.errorf("unknown directive %q (want @home, @field, @kind or @min_score)", cells[0])
		}
		if len(cells) < 4 || len(cells) > 8 {
			return nil, tt.errorf("want 4 to 8 tab-separated cells (code, unit, kind, name, from, to, weight, note), got %d", len(cells))
		}
		for len(cells) < 8 {
			cells = append(cells, "")
		}
		code, unitName, kind, text := cells[0], cells[1], cells[2], cells[3]
		from, to, wcell := cells[4], cells[5], cells[6]
		if text == "" {
			return nil, tt.errorf("empty name")
		}
		folded := textnorm.String(text)
		if err := checkGazDate(from); err != nil {
			return nil, tt.errorf("from: %v", err)
		}
		if err := checkGazDate(to); err != nil {
			return nil, tt.errorf("to: %v", err)
		}
		if from != "" && to != "" && from > to+"~" {
			return nil, tt.errorf("from %s is after to %s", from, to)
		}
		weight := -1.0 // the kind's weight, resolved at the end
		if wcell != "" {
			if weight, err = tt.weight(wcell); err != nil {
				return nil, err
			}
		}

		switch kind {
		case GazExclude, GazLead, GazForeign:
			if (code != "" && code != "-") || (unitName != "" && unitName != "-") {
				return nil, tt.errorf("%s rows take no code or unit (write - or leave empty)", kind)
			}
			if from != "" || to != "" || wcell != "" {
				return nil, tt.errorf("%s rows take no dates or weight", kind)
			}
			if kind == GazLead {
				g.leads = append(g.leads, folded)
				continue
			}
			if _, dup := patByText[folded]; dup {
				return nil, tt.errorf("%q is already in the gazetteer", text)
			}
			patByText[folded] = len(g.pats)
			patTexts = append(patTexts, folded)
			g.pats = append(g.pats, gazPattern{exclude: kind == GazExclude, foreign: kind == GazForeign})
			continue
		case GazUnit:
			if code == "" {
				return nil, tt.errorf("unit %q has no code", text)
			}
			if unitName != text {
				return nil, tt.errorf("unit row: unit %q and name %q differ", unitName, text)
			}
			if _, dup := unitByName[unitName]; dup {
				return nil, tt.errorf("duplicate unit %q", unitName)
			}
			for i, u := range g.units {
				if u.code == code {
					return nil, tt.errorf("code %s already belongs to unit %q", code, g.units[i].name)
				}
			}
			unitByName[unitName] = len(g.units)
			g.units = append(g.units, gazUnit{code: code, name: unitName})
			g.canon[textnorm.String(code)] = len(g.units) - 1
		case GazAlias, GazTownship, GazMarker:
		default:
			return nil, tt.errorf("unknown kind %q (want unit, alias, township, marker, exclude, lead or foreign)", kind)
		}

		ui, ok := unitByName[unitName]
		if !ok {
			return nil, tt.errorf("unknown unit %q (its unit row must come first)", unitName)
		}
		if code != "" && code != g.units[ui].code {
			return nil, tt.errorf("code %s does not match unit %q (code %s)", code, unitName, g.units[ui].code)
		}
		if kind == GazUnit || kind == GazAlias {
			if other, dup := g.canon[folded]; dup && other != ui {
				return nil, tt.errorf("name %q already names unit %q", text, g.units[other].name)
			}
			g.canon[folded] = ui
		}
		if kind != GazMarker && !seenPlace[text] {
			seenPlace[text] = true
			g.placeNames = append(g.placeNames, text)
		}
		e := gazEntry{unit: ui, kind: kind, name: text, from: from, to: to, weight: weight, line: tt.line}
		if to != "" {
			e.toUpper = to + "~"
		}
		id, ok := patByText[folded]
		if !ok {
			id = len(g.pats)
			patByText[folded] = id
			patTexts = append(patTexts, folded)
			g.pats = append(g.pats, gazPattern{})
		}
		p := &g.pats[id]
		if p.exclude || p.foreign {
			return nil, tt.errorf("%q is already an exclusion or a foreign place", text)
		}
		for _, o := range p.entries {
			if overlaps(o, e) {
				return nil, tt.errorf("%q overlaps line %d: rows for one name need disjoint from/to years", text, o.line)
			}
		}
		p.entries = append(p.entries, e)
	}
	if len(g.units) == 0 {
		return nil, fmt.Errorf("%s: no unit rows", name)
	}
	for i := range g.pats {
		for j := range g.pats[i].entries {
			if e := &g.pats[i].entries[j]; e.weight < 0 {
				e.weight = kindWeight[e.kind]
			}
		}
	}
	for i := range g.units {
		u := &g.units[i]
		for _, o := range g.units {
			if len(o.code) > len(u.code) && strings.HasPrefix(o.code, u.code) {
				u.parent = true
			}
		}
		u.city = !u.parent && strings.HasSuffix(u.name, "市")
	}
	if g.area == "" {
		g.area = commonArea(g.units)
	}
	g.m = newTagMatcher(patTexts)
	g.digest = tt.digest()
	return g, nil
}

// shortCode turns a 6-digit province or prefecture code into its short
// form (220000 → 22, 220300 → 2203).
func shortCode(code string) string {
	for len(code) > 2 && strings.HasSuffix(code, "00") {
		code = code[:len(code)-2]
	}
	return code
}

// commonArea returns the longest division code (2, 4 or 6 digits) that
// every unit's code starts with, "" when there is none.
func commonArea(units []gazUnit) string {
	if len(units) == 0 {
		return ""
	}
	area := shortCode(units[0].code)
	for _, u := range units[1:] {
		c := shortCode(u.code)
		for !strings.HasPrefix(c, area) {
			area = area[:max(0, len(area)-2)]
		}
	}
	return area
}

// Area returns the division code of the area the file curates (its @home
// row, else the longest code prefix that all its units share: 2203 for
// the embedded file), "" for none. See Tagger.Apply.
func (g *Gazetteer) Area() string { return g.area }

// within reports whether the division code lies inside the file's area.
func (g *Gazetteer) within(code string) bool {
	return g.area != "" && strings.HasPrefix(shortCode(code), g.area)
}

// unitCode returns the code of the unit named name (a unit row's name).
func (g *Gazetteer) unitCode(name string) string {
	for _, u := range g.units {
		if u.name == name {
			return u.code
		}
	}
	return ""
}

// checkGazDate accepts "", YYYY, YYYY-MM and YYYY-MM-DD.
func checkGazDate(s string) error {
	if s == "" {
		return nil
	}
	ok := len(s) == 4 || len(s) == 7 || len(s) == 10
	for i := 0; ok && i < len(s); i++ {
		if i == 4 || i == 7 {
			ok = s[i] == '-'
		} else {
			ok = '0' <= s[i] && s[i] <= '9'
		}
	}
	if !ok {
		return fmt.Errorf("%q is not YYYY, YYYY-MM or YYYY-MM-DD", s)
	}
	return nil
}

func overlaps(a, b gazEntry) bool {
	upper := func(e gazEntry) string {
		if e.to == "" {
			return "\xff"
		}
		return e.toUpper
	}
	return a.from <= upper(b) && b.from <= upper(a)
}

// Units returns the canonical unit names in file order.
func (g *Gazetteer) Units() []string {
	out := make([]string, len(g.units))
	for i, u := range g.units {
		out[i] = u.name
	}
	return out
}

// Canonical returns the unit that name (a unit's official name, an alias or
// a code, in any of the forms textnorm folds alike) stands for.
func (g *Gazetteer) Canonical(name string) (string, bool) {
	i, ok := g.canon[textnorm.String(strings.TrimSpace(name))]
	if !ok {
		return "", false
	}
	return g.units[i].name, true
}

// PlaceNames returns every unit name, alias and township once, in file
// order, for a word segmenter's dictionary.
func (g *Gazetteer) PlaceNames() []string {
	return slices.Clone(g.placeNames)
}

// Tag returns the units an item names, best first (see docs/tagging.md):
// by score, then first mention, except that a parent unit (the city) ranks
// after every unit within it.
func (g *Gazetteer) Tag(a *Article) []Score {
	f := foldArticle(a)
	return g.tag(&f, a.Date)
}

// gazMention counts one gazetteer entry in one field.
type gazMention struct {
	field int
	entry *gazEntry
	count int
	first int // field<<32 | byte offset of the first occurrence
}

func (g *Gazetteer) tag(f *tagFields, date string) []Score {
	if len(date) < 4 {
		date = ""
	}
	var (
		mentions       []gazMention
		hits           []tagHit
		masked         [][2]int
		markerRejected bool
		cityNamed      bool
		foreignNamed   bool
	)
	for fi, text := range f {
		if text == "" {
			continue
		}
		hits = g.m.all(text, hits[:0])
		masked = masked[:0]
		for _, h := range hits {
			if g.pats[h.pat].exclude {
				masked = append(masked, [2]int{h.start, h.end})
			}
		}
		names := hits[:0]
		for _, h := range hits {
			if !g.pats[h.pat].exclude && !inMasked(h, masked) {
				names = append(names, h)
			}
		}
		for _, h := range leftmostLongest(names) {
			if g.pats[h.pat].foreign {
				foreignNamed = true
				continue
			}
			e := g.pats[h.pat].pick(date)
			if e == nil {
				continue
			}
			if e.kind == GazMarker {
				if !g.markerStands(text, h.start) {
					markerRejected = true
					continue
				}
			} else if g.units[e.unit].city {
				cityNamed = true
			}
			found := false
			for i := range mentions {
				if mentions[i].field == fi && mentions[i].entry == e {
					mentions[i].count++
					found = true
					break
				}
			}
			if !found {
				mentions = append(mentions, gazMention{field: fi, entry: e, count: 1, first: fi<<32 | h.start})
			}
		}
	}

	scores := make([]Score, 0, 2)
	byUnit := make(map[int]int)
	firstOf := make(map[int]int)
	for _, m := range mentions {
		if m.entry.kind == GazMarker && (markerRejected || cityNamed || foreignNamed) {
			continue
		}
		w := g.fieldWeight[m.field] * m.entry.weight * countFactor(m.count)
		si, ok := byUnit[m.entry.unit]
		if !ok {
			si = len(scores)
			byUnit[m.entry.unit] = si
			firstOf[m.entry.unit] = m.first
			scores = append(scores, Score{Value: g.units[m.entry.unit].name, Evidence: []Evidence{}})
		}
		scores[si].Score += w
		scores[si].Evidence = append(scores[si].Evidence, Evidence{
			Field: tagFieldNames[m.field], Text: m.entry.name, Kind: m.entry.kind,
			Weight: roundScore(w), Count: m.count,
		})
	}
	unitOf := make(map[string]int, len(byUnit))
	for ui := range byUnit {
		unitOf[g.units[ui].name] = ui
	}
	kept := scores[:0]
	for _, s := range scores {
		if s.Score = roundScore(s.Score); s.Score >= g.minScore {
			kept = append(kept, s)
		}
	}
	scores = kept
	slices.SortStableFunc(scores, func(a, b Score) int {
		ua, ub := unitOf[a.Value], unitOf[b.Value]
		if pa, pb := g.units[ua].parent, g.units[ub].parent; pa != pb {
			if pa {
				return 1
			}
			return -1
		}
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(firstOf[ua], firstOf[ub]); c != 0 {
			return c
		}
		return cmp.Compare(ua, ub)
	})
	return scores
}

func inMasked(h tagHit, masked [][2]int) bool {
	for _, m := range masked {
		if h.start < m[1] && m[0] < h.end {
			return true
		}
	}
	return false
}

// markerStands reports whether the marker at byte offset start of text
// stands on its own: at the start, after a character that is not Chinese
// (punctuation, digits, space), or after a lead (在, 召开 …). After any
// other Chinese character it is taken to end another place's name
// (北京市委, 上海全市) and does not name the paper's city.
func (g *Gazetteer) markerStands(text string, start int) bool {
	if start == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(text[:start])
	if !textnorm.IsHan(r) {
		return true
	}
	before := text[:start]
	for _, l := range g.leads {
		if strings.HasSuffix(before, l) {
			return true
		}
	}
	return false
}
