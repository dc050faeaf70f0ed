package corpus

import (
	"slices"
	"strconv"
	"strings"

	"newsarchive/corpus/places"
)

// Place levels (Place.Level).
const (
	LevelProvince   = "province"
	LevelPrefecture = "prefecture"
	LevelCounty     = "county"
)

// Place is one division an item names, as the record holds it: a province,
// a prefecture or a county-level unit. Code is the 6-digit statistical
// division code (220000, 220300, 220323); Prefecture and Province name its
// parents ("" where there is none: a province, a prefecture's own
// prefecture, a county directly under a province); Display is unique among
// all places (鼓楼区（福州）) and is the value of the county, prefecture and
// province filters and facets.
type Place struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Level      string `json:"level"`
	Prefecture string `json:"prefecture"`
	Province   string `json:"province"`
	Display    string `json:"display"`
}

// Code6 returns a division code in its 6-digit form: 22 → 220000, 2203 →
// 220300; other codes are returned as they are.
func Code6(code string) string {
	switch len(code) {
	case 2:
		return code + "0000"
	case 4:
		return code + "00"
	}
	return code
}

// placeOf returns the record form of a national unit.
func placeOf(u *places.Unit) Place {
	p := Place{Code: Code6(u.Code), Name: u.Name, Level: u.Level.String(), Display: u.Display}
	if u.Prefecture != nil {
		p.Prefecture = u.Prefecture.Name
	}
	if u.Province != nil {
		p.Province = u.Province.Name
	}
	return p
}

// LookupPlace returns the places that a filter value stands for: a
// division code (2, 4 or 6 digits: 22, 2203, 220300, 220323), or a name
// (official, short or display: 伊通, 伊通满族自治县, 鼓楼区（福州）) of a
// province, prefecture or county-level unit, in any form textnorm folds
// alike. level ("" for any) keeps only places of that level. Several
// places mean the name is shared (鼓楼区: four districts, 吉林: a province
// and a prefecture); none, that it names no place. The overlay
// gazetteer's own units (a county as it was before a move, 公主岭市 in 四平市
// until 2020) are found by their code, and by their names unless a
// national unit has the same display name (then they are one filter
// value: a display-name filter matches both).
func (t *Tagger) LookupPlace(s, level string) []Place {
	s = strings.TrimSpace(s)
	var out []Place
	add := func(p Place) {
		if level != "" && p.Level != level {
			return
		}
		for _, q := range out {
			if q.Code == p.Code {
				return
			}
		}
		out = append(out, p)
	}
	if t.Places != nil {
		if isCode(s) {
			if u, ok := t.Places.Unit(s); ok && u.Level != places.Township {
				add(placeOf(u))
			}
		} else if u, ok := t.Places.ByDisplay(s); ok {
			add(placeOf(u))
		} else {
			for _, n := range t.Places.Lookup(s) {
				if n.Kind != places.TownshipName && n.Unit.Level != places.Township {
					add(placeOf(n.Unit))
				}
			}
		}
	}
	if t.Gazetteer != nil {
		if name, ok := t.Gazetteer.Canonical(s); ok {
			p := t.overlayPlace(t.Gazetteer.unitCode(name), name)
			// By name, a former unit that reads like a national one
			// (公主岭市 of 2019 and of today) is the same filter value.
			if isCode(s) || !slices.ContainsFunc(out, func(q Place) bool { return q.Display == p.Display }) {
				add(p)
			}
		}
	}
	return out
}

func isCode(s string) bool {
	if len(s) != 2 && len(s) != 4 && len(s) != 6 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// EvalItem returns an article as places.Evaluate reads it: its source and
// ordinal, all its text, and its places' codes.
func EvalItem(a *Article) places.EvalItem {
	codes := make([]string, len(a.Places))
	for i, p := range a.Places {
		codes[i] = p.Code
	}
	return places.EvalItem{
		ID:     a.Source + " #" + strconv.Itoa(a.Ordinal),
		Text:   strings.Join([]string{a.Kicker, a.Title, a.Subtitle, a.Body}, "\n"),
		Places: codes,
	}
}
