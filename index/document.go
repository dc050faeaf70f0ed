package index

import (
	"encoding/json"
	"fmt"
	"slices"

	"newsarchive/corpus"
)

// HeadText joins an article's kicker, title and subtitle, the text of the
// head fields. The line breaks keep the parts apart: no phrase matches
// across them.
func HeadText(a *corpus.Article) string {
	return a.Kicker + "\n" + a.Title + "\n" + a.Subtitle
}

// document returns the Bleve document of an article.
func document(a *corpus.Article) (map[string]any, error) {
	rec, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("encode record %s: %w", a.ID, err)
	}
	head := HeadText(a)
	d := map[string]any{
		FieldHead:       head,
		FieldBody:       a.Body,
		FieldHeadBigram: head,
		FieldBodyBigram: a.Body,
		FieldCounties:   a.Counties,
		FieldCounty:     a.County,
		FieldTopics:     a.Topics,
		FieldTopic:      a.Topic,
		FieldAuthors:    a.Authors,
		FieldPaper:      a.Paper,
		FieldPage:       a.Page,
		FieldSource:     a.Source,
		FieldKind:       a.Kind,
		FieldRecord:     string(compressRecord(rec)),
		FieldID:         a.ID,
	}
	pl := PlacesOf(a)
	if len(pl.Provinces) > 0 {
		d[FieldProvinces] = pl.Provinces
	}
	if len(pl.Prefectures) > 0 {
		d[FieldPrefectures] = pl.Prefectures
	}
	if len(pl.Codes) > 0 {
		d[FieldPlace] = pl.Codes
	}
	if pairs := placeTopics(a, pl); len(pairs) > 0 {
		d[FieldPlaceTopic] = pairs
	}
	if len(a.Aliases) > 0 {
		d[FieldAlias] = a.Aliases
	}
	if a.Date != "" {
		d[FieldDate] = a.Date
	}
	if len(a.Date) >= len("2006-01") {
		d[FieldMonth] = a.Date[:len("2006-01")]
	}
	return d, nil
}

// PlaceTopicSep separates the level, the place and the topic in
// FieldPlaceTopic.
const PlaceTopicSep = "\x1f"

// PlaceTopicValue is a value of FieldPlaceTopic.
func PlaceTopicValue(level, place, topic string) string {
	return level + PlaceTopicSep + place + PlaceTopicSep + topic
}

// ArticlePlaces are the values of an article's place fields.
type ArticlePlaces struct {
	Provinces   []string // FieldProvinces
	Prefectures []string // FieldPrefectures
	Codes       []string // FieldPlace
}

// PlacesOf returns the values of an article's place fields: its places
// and their ancestors at each level, without duplicates, in the order of
// its places. An ancestor is known by the record's Province and Prefecture
// names, which are also their display names (province and prefecture names
// are unique in China; TestAncestorNamesAreDisplays checks it), and by the
// leading digits of the place's code.
func PlacesOf(a *corpus.Article) ArticlePlaces {
	var out ArticlePlaces
	add := func(list *[]string, v string) {
		if v != "" && !slices.Contains(*list, v) {
			*list = append(*list, v)
		}
	}
	for _, p := range a.Places {
		code := corpus.Code6(p.Code)
		add(&out.Codes, code)
		switch p.Level {
		case corpus.LevelProvince:
			add(&out.Provinces, p.Display)
		case corpus.LevelPrefecture:
			add(&out.Prefectures, p.Display)
			add(&out.Provinces, p.Province)
			if len(code) == 6 {
				add(&out.Codes, code[:2]+"0000")
			}
		default:
			add(&out.Prefectures, p.Prefecture)
			add(&out.Provinces, p.Province)
			if len(code) == 6 {
				if p.Prefecture != "" {
					add(&out.Codes, code[:4]+"00")
				}
				add(&out.Codes, code[:2]+"0000")
			}
		}
	}
	return out
}

// placeTopics returns an article's place and topic pairs at every level.
func placeTopics(a *corpus.Article, pl ArticlePlaces) []string {
	var pairs []string
	for _, t := range a.Topics {
		for _, c := range a.Counties {
			pairs = append(pairs, PlaceTopicValue(corpus.LevelCounty, c, t))
		}
		for _, c := range pl.Prefectures {
			pairs = append(pairs, PlaceTopicValue(corpus.LevelPrefecture, c, t))
		}
		for _, c := range pl.Provinces {
			pairs = append(pairs, PlaceTopicValue(corpus.LevelProvince, c, t))
		}
	}
	return pairs
}
