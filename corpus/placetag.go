package corpus

import (
	"cmp"
	"slices"
	"strings"

	"newsarchive/corpus/places"
)

// home returns the division code of the home area of an item's paper (see
// places.Papers): "" for a national paper or an unlisted one. An item with
// no paper is at home in the overlay's area (the area the archive curates)
// unless the papers file has a row for places.Unknown; without a papers
// file every item is, as before the national gazetteer.
func (t *Tagger) home(paper string) string {
	if t.Papers != nil {
		if h, ok := t.Papers.Home(paper); ok || strings.TrimSpace(paper) != "" {
			return h
		}
	}
	if t.Gazetteer != nil {
		return t.Gazetteer.Area()
	}
	return ""
}

// placeCand is one place of an item before ordering.
type placeCand struct {
	place  Place
	reason PlaceScore
}

// placeTags tags an item with places. The national gazetteer reads every
// item in the context of its paper's home area (places.Resolve). When that
// home lies within the overlay's area (Gazetteer.Area: 四平市 for the
// embedded file), the overlay reads the item too, as the archive always
// has, and decides every place inside its area: the national places there
// are dropped (and those sharing a name with one of the overlay's, such as
// 公主岭市 of 长春市 for an item of 2019, when it was 四平's). Places are
// ordered county-level first, then prefectures, then provinces, each level
// by score (the overlay's first on a tie).
//
// Counties are the county-level places' display names, followed by the
// home prefecture itself when the item names it: for a city paper, news
// of the whole city (全市, 市委) is one of its "counties", as it always was.
func (t *Tagger) placeTags(f *tagFields, a *Article) ([]Score, []PlaceScore) {
	home := t.home(a.Paper)
	ov := []Score{}
	overlay := t.Gazetteer != nil && home != "" && t.Gazetteer.within(home)
	weights := defaultGazFieldWeights
	if overlay {
		ov = t.Gazetteer.tag(f, a.Date)
		weights = t.Gazetteer.fieldWeight
	}
	var cands []placeCand
	names := map[string]bool{}
	for _, sc := range ov {
		p := t.overlayPlace(t.Gazetteer.unitCode(sc.Value), sc.Value)
		names[p.Name] = true
		why := make([]PlaceEvidence, len(sc.Evidence))
		for i, e := range sc.Evidence {
			why[i] = PlaceEvidence{Field: e.Field, Text: e.Text, Kind: e.Kind, Rule: RuleOverlay, Count: e.Count, Weight: e.Weight}
		}
		cands = append(cands, placeCand{p, PlaceScore{Code: p.Code, Display: p.Display, Level: p.Level, Score: sc.Score, Why: why}})
	}
	fields := make([]places.Field, 0, tagFieldCount)
	for i, text := range f {
		if text != "" {
			fields = append(fields, places.Field{Name: tagFieldNames[i], Text: text, Weight: weights[i], Folded: true})
		}
	}
	var named []*places.Unit
	for _, np := range t.Places.Resolve(home, fields...) {
		named = append(named, np.Unit)
		if overlay && (t.Gazetteer.within(np.Code) || names[np.Name]) {
			continue
		}
		p := placeOf(np.Unit)
		cands = append(cands, placeCand{p, PlaceScore{Code: p.Code, Display: p.Display, Level: p.Level, Score: np.Score, Why: np.Why}})
	}
	if hu, ok := t.Places.Unit(home); ok && home != "" {
		for _, c := range cands {
			if u, ok := t.Places.Unit(c.place.Code); ok && c.reason.Why[0].Rule == RuleOverlay {
				named = append(named, u)
			}
		}
		for _, mc := range t.markerPlaces(f, hu, named, weights) {
			merged := false
			for i := range cands {
				if cands[i].place.Code == mc.place.Code {
					cands[i].reason.Score = roundScore(cands[i].reason.Score + mc.reason.Score)
					cands[i].reason.Why = append(cands[i].reason.Why, mc.reason.Why...)
					merged = true
				}
			}
			if !merged {
				cands = append(cands, mc)
			}
		}
	}
	slices.SortStableFunc(cands, func(x, y placeCand) int {
		if c := cmp.Compare(levelOrder(x.place.Level), levelOrder(y.place.Level)); c != 0 {
			return c
		}
		return cmp.Compare(y.reason.Score, x.reason.Score)
	})
	a.Places = make([]Place, len(cands))
	reasons := make([]PlaceScore, len(cands))
	a.Counties = []string{}
	homeCode := Code6(home)
	var homePlace string
	for i, c := range cands {
		a.Places[i], reasons[i] = c.place, c.reason
		switch {
		case c.place.Level == LevelCounty:
			a.Counties = append(a.Counties, c.place.Display)
		case c.place.Level == LevelPrefecture && c.place.Code == homeCode:
			homePlace = c.place.Display
		}
	}
	if homePlace != "" {
		a.Counties = append(a.Counties, homePlace)
	}
	a.County = ""
	if len(a.Counties) > 0 {
		a.County = a.Counties[0]
	}
	return ov, reasons
}

func levelOrder(level string) int {
	switch level {
	case LevelCounty:
		return 0
	case LevelPrefecture:
		return 1
	}
	return 2
}

// overlayPlace returns the record form of an overlay unit: the national
// unit of that code and name when there is one, else (a unit as it was
// before a move: 公主岭市 220381) a place of its own under the national
// parents of its code.
func (t *Tagger) overlayPlace(code, name string) Place {
	if t.Places != nil {
		if u, ok := t.Places.Unit(code); ok && u.Name == name {
			return placeOf(u)
		}
	}
	p := Place{Code: Code6(code), Name: name, Display: name}
	switch len(code) {
	case 2:
		p.Level = LevelProvince
	case 4:
		p.Level = LevelPrefecture
	default:
		p.Level = LevelCounty
	}
	if t.Places != nil {
		if len(code) > 2 {
			if u, ok := t.Places.Unit(code[:2]); ok {
				p.Province = u.Name
			}
		}
		if len(code) > 4 {
			if u, ok := t.Places.Unit(code[:4]); ok && u.Level == places.Prefecture {
				p.Prefecture = u.Name
			}
		}
	}
	return p
}

// overlayPlaces returns the places of the overlay's scores, for a Tagger
// without the national gazetteer.
func (t *Tagger) overlayPlaces(ov []Score) []Place {
	out := make([]Place, 0, len(ov))
	for _, sc := range ov {
		out = append(out, t.overlayPlace(t.Gazetteer.unitCode(sc.Value), sc.Value))
	}
	return out
}
