package engine

import (
	"slices"

	"newsarchive/corpus"
)

// HeadText joins an article's kicker, title and subtitle, the text of the
// head fields. The line breaks keep the parts apart: no phrase matches
// across them.
func HeadText(a *corpus.Article) string {
	return a.Kicker + "\n" + a.Title + "\n" + a.Subtitle
}

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

// PlaceTopics returns the values of FieldPlaceTopic: an article's place
// and topic pairs at every level.
func PlaceTopics(a *corpus.Article, pl ArticlePlaces) []string {
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
