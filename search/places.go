package search

import (
	"context"
	"fmt"
	"strings"

	"newsarchive/corpus"
	"newsarchive/engine"
)

// PlaceError is a place filter or place query value (county=, prefecture=,
// province=, county:, place:) that names no place at its level, or names
// several: a name shared by units of different places (鼓楼区 is a district
// of four cities). It wraps ErrBadRequest (a 400).
type PlaceError struct {
	Level      string         // corpus.LevelCounty, LevelPrefecture, LevelProvince; "" for place: (any level)
	Value      string         // as given
	Candidates []corpus.Place // the places the name stands for; none when it names none
}

// Unwrap makes a PlaceError an ErrBadRequest.
func (e *PlaceError) Unwrap() error { return ErrBadRequest }

// Error says what is wrong, in English as the API's other messages:
// `unknown county "火星"`, or `county "鼓楼区" is shared by 4 places:
// 鼓楼区（福州） 350102, …; use a code or one of the names listed`.
func (e *PlaceError) Error() string {
	level := e.Level
	if level == "" {
		level = "place"
	}
	if len(e.Candidates) == 0 {
		return fmt.Sprintf("unknown %s %q", level, e.Value)
	}
	list := make([]string, len(e.Candidates))
	for i, p := range e.Candidates {
		list[i] = p.Display + " " + p.Code
	}
	return fmt.Sprintf("%s %q is shared by %d places: %s; use a code or one of the names listed", level, e.Value, len(e.Candidates), strings.Join(list, ", "))
}

// Chinese is the message in Chinese, for the web UI: `未知的县级单位"火星"`,
// `县级单位"鼓楼区"有4个：鼓楼区（福州） 350102、…；请改用代码或所列名称`.
func (e *PlaceError) Chinese() string {
	level := map[string]string{corpus.LevelProvince: "省级单位", corpus.LevelPrefecture: "地级单位", corpus.LevelCounty: "县级单位"}[e.Level]
	if level == "" {
		level = "地名"
	}
	if len(e.Candidates) == 0 {
		return fmt.Sprintf("未知的%s\u201c%s\u201d", level, e.Value)
	}
	list := make([]string, len(e.Candidates))
	for i, p := range e.Candidates {
		list[i] = p.Display + " " + p.Code
	}
	return fmt.Sprintf("%s\u201c%s\u201d有%d个：%s；请改用代码或所列名称", level, e.Value, len(e.Candidates), strings.Join(list, "、"))
}

// placeFacets are the place facets by level, and their fields.
var placeFields = map[string]string{
	corpus.LevelProvince:   engine.FieldProvinces,
	corpus.LevelPrefecture: engine.FieldPrefectures,
	corpus.LevelCounty:     engine.FieldCounties,
}

// lookupPlaces returns the places a value stands for at a level ("" for
// any), several places of one display name counting as one (a county
// before and after a move: 公主岭市).
func (s *Searcher) lookupPlaces(value, level string) ([]corpus.Place, error) {
	ps := s.Tagger.LookupPlace(value, level)
	if level == corpus.LevelCounty && len(ps) == 0 {
		// A city paper's records list their home prefecture among the
		// counties (四平市): the county facet has that value, so the
		// county filter takes it.
		if pre := s.Tagger.LookupPlace(value, corpus.LevelPrefecture); len(pre) == 1 && s.hasCounty(pre[0].Display) {
			ps = pre
		}
	}
	if len(ps) == 0 {
		return nil, &PlaceError{Level: level, Value: value}
	}
	for _, p := range ps[1:] {
		if p.Display != ps[0].Display {
			return nil, &PlaceError{Level: level, Value: value, Candidates: ps}
		}
	}
	return ps, nil
}

// canonicalPlace returns the display name of the place a filter value
// (a code or a name) stands for at a level: the value of that level's
// field and facet.
func (s *Searcher) canonicalPlace(level string) func(string) (string, error) {
	return func(value string) (string, error) {
		if !s.knowsPlaces() {
			return value, nil
		}
		ps, err := s.lookupPlaces(value, level)
		if err != nil {
			return "", err
		}
		return ps[0].Display, nil
	}
}

// placeQuery matches the articles of the place a place: value stands for,
// at any level, by code (an article in 伊通满族自治县 is in 四平市 and 吉林省).
func (s *Searcher) placeQuery(value string) (engine.Query, error) {
	if !s.knowsPlaces() {
		return engine.Term{Field: engine.FieldPlace, Value: corpus.Code6(value)}, nil
	}
	ps, err := s.lookupPlaces(value, "")
	if err != nil {
		return nil, err
	}
	var qs []engine.Query
	for _, p := range ps {
		qs = append(qs, engine.Term{Field: engine.FieldPlace, Value: p.Code})
	}
	if len(qs) == 1 {
		return qs[0], nil
	}
	return engine.Or{Any: qs}, nil
}

// hasCounty reports whether some article lists value among its counties
// (a city paper's home prefecture, 四平市). It asks the engine for a count
// only; a failure counts as no.
func (s *Searcher) hasCounty(value string) bool {
	if s.Engine == nil {
		return false
	}
	res, err := s.Engine.Search(context.Background(), &engine.Request{Query: engine.Term{Field: engine.FieldCounties, Value: value}})
	return err == nil && res.Total > 0
}

// Canonical returns the value under which a facet lists a filter value:
// the display name of a place (伊通 and 220323 are 伊通满族自治县), the
// taxonomy's label of a topic; other values as they are. A value that is
// not known is an error (a *PlaceError for a place).
func (s *Searcher) Canonical(facet, value string) (string, error) {
	value = strings.TrimSpace(value)
	switch facet {
	case "county":
		return s.canonicalPlace(corpus.LevelCounty)(value)
	case "prefecture":
		return s.canonicalPlace(corpus.LevelPrefecture)(value)
	case "province":
		return s.canonicalPlace(corpus.LevelProvince)(value)
	case "topic":
		return s.canonicalTopic(value)
	}
	return value, nil
}

// placeCode returns the code of a place facet's value at a level, "" when
// it is not known.
func (s *Searcher) placeCode(value, level string) string {
	if !s.knowsPlaces() {
		return ""
	}
	key := level + "\x00" + value
	if c, ok := s.codes.Load(key); ok {
		return c.(string)
	}
	c := s.lookupCode(value, level)
	s.codes.Store(key, c)
	return c
}

func (s *Searcher) lookupCode(value, level string) string {
	ps := s.Tagger.LookupPlace(value, level)
	if level == corpus.LevelCounty && len(ps) == 0 {
		ps = s.Tagger.LookupPlace(value, corpus.LevelPrefecture)
	}
	for _, p := range ps {
		if p.Display == value {
			return p.Code
		}
	}
	return ""
}

// knowsPlaces reports whether the searcher has a gazetteer to resolve
// place names with; without one, values are taken as given.
func (s *Searcher) knowsPlaces() bool {
	return s.Tagger != nil && (s.Tagger.Places != nil || s.Tagger.Gazetteer != nil)
}
