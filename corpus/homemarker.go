package corpus

import (
	"strings"
	"sync"

	"newsarchive/corpus/places"
)

// RuleHomeMarker is the PlaceEvidence.Rule of a marker of the paper's own
// area: a word such as 全省, 省委, 我市, 县政府 that names the home province,
// prefecture or county without naming it.
const RuleHomeMarker = "home-marker"

// markerForms are the marker words of a unit whose name ends in X: 全X,
// 我X, 本X, X委, X政府 …
var markerForms = []string{"全%", "我%", "本%", "%委", "%政府", "%人民政府", "%人大", "%政协", "%纪委", "%直"}

// homeMarkers is the marker matcher of one home area: each word stands for
// one of the home's units (the home and its parents), the lowest one
// whose name ends in the word's level character (in a 县级市's paper 市委
// is that city's, not its prefecture's).
type homeMarkers struct {
	m     *tagMatcher
	units []*places.Unit // by pattern
}

// markerChar returns the level character of a unit's markers (省, 市, 州,
// 盟, 县, 区, 旗), "" when it has none.
func markerChar(u *places.Unit) string {
	name := u.Name
	switch {
	case strings.HasSuffix(name, "特别行政区"), strings.HasSuffix(name, "地区"), strings.HasSuffix(name, "林区"), strings.HasSuffix(name, "特区"):
		return ""
	case strings.HasSuffix(name, "自治区"):
		return "区"
	}
	for _, c := range []string{"省", "市", "州", "盟", "县", "区", "旗"} {
		if strings.HasSuffix(name, c) {
			return c
		}
	}
	return ""
}

// markerCache holds the homeMarkers of each home code seen.
type markerCache struct {
	mu sync.Mutex
	m  map[string]*homeMarkers
}

func (c *markerCache) get(hu *places.Unit, skip func(*places.Unit) bool) *homeMarkers {
	c.mu.Lock()
	defer c.mu.Unlock()
	if hm, ok := c.m[hu.Code]; ok {
		return hm
	}
	hm := &homeMarkers{}
	taken := map[string]bool{}
	var pats []string
	for u := hu; u != nil; u = u.Parent() {
		ch := markerChar(u)
		if ch == "" || taken[ch] || u.Level == places.Township {
			continue
		}
		taken[ch] = true
		if skip(u) {
			continue
		}
		for _, f := range markerForms {
			pats = append(pats, strings.Replace(f, "%", ch, 1))
			hm.units = append(hm.units, u)
		}
	}
	hm.m = newTagMatcher(pats)
	if c.m == nil {
		c.m = map[string]*homeMarkers{}
	}
	c.m[hu.Code] = hm
	return hm
}

// markerPlaces returns the home units that an item's markers name. A
// marker counts where it stands on its own (Gazetteer.markerStands: at the
// start of a field, after a character that is not Chinese, or after one of
// the overlay's leads), and only when the item names no place outside
// that unit other than the unit's own parents (浙江…全省 is 浙江's), no
// county-level city inside a prefecture it names by marker (双辽市 has its
// own 市委), and no marker glued to another name (北京市委).
func (t *Tagger) markerPlaces(f *tagFields, hu *places.Unit, named []*places.Unit, weights [tagFieldCount]float64) []placeCand {
	hm := t.markers.get(hu, func(u *places.Unit) bool {
		// The overlay reads its own area's markers.
		return t.Gazetteer != nil && t.Gazetteer.within(u.Code)
	})
	if len(hm.units) == 0 {
		return nil
	}
	type found struct {
		field, count, first int
	}
	byPat := map[int]*found{}
	var order []int
	rejected := false
	var hits []tagHit
	for fi, text := range f {
		if text == "" {
			continue
		}
		hits = hm.m.all(text, hits[:0])
		for _, h := range leftmostLongest(hits) {
			if !t.markerStands(text, h.start) {
				rejected = true
				continue
			}
			key := fi<<8 | h.pat
			if x := byPat[key]; x != nil {
				x.count++
				continue
			}
			byPat[key] = &found{field: fi, count: 1, first: fi<<32 | h.start}
			order = append(order, key)
		}
	}
	if rejected || len(order) == 0 {
		return nil
	}
	var out []placeCand
	idx := map[*places.Unit]int{}
	for _, key := range order {
		x := byPat[key]
		u := hm.units[key&0xff]
		if !markerAllowed(u, named) {
			continue
		}
		w := roundScore(weights[x.field] * defaultGazKindWeights[GazMarker] * countFactor(x.count))
		i, ok := idx[u]
		if !ok {
			i = len(out)
			idx[u] = i
			p := placeOf(u)
			out = append(out, placeCand{p, PlaceScore{Code: p.Code, Display: p.Display, Level: p.Level, Why: []PlaceEvidence{}}})
		}
		c := &out[i]
		c.reason.Score = roundScore(c.reason.Score + w)
		c.reason.Why = append(c.reason.Why, PlaceEvidence{
			Field: tagFieldNames[x.field], Text: hm.m.pats[key&0xff], Kind: GazMarker,
			Rule: RuleHomeMarker, Via: hu.Display, Count: x.count, Weight: w,
		})
	}
	return out
}

// markerAllowed reports whether u's markers may count in an item that
// names the units named: none lies outside u except u's own parents, and
// for a prefecture none is a county-level city inside it.
func markerAllowed(u *places.Unit, named []*places.Unit) bool {
	for _, n := range named {
		if n == u {
			continue
		}
		if u.Within(n) { // a parent of u
			continue
		}
		if !n.Within(u) {
			return false
		}
		if u.Level == places.Prefecture && n.Level == places.County && strings.HasSuffix(n.Name, "市") {
			return false
		}
	}
	return true
}

// markerStands reports whether the marker at byte offset start of text
// stands on its own, by the overlay's leads when there is an overlay.
func (t *Tagger) markerStands(text string, start int) bool {
	if t.Gazetteer != nil {
		return t.Gazetteer.markerStands(text, start)
	}
	return (&Gazetteer{}).markerStands(text, start)
}
