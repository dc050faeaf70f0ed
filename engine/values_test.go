package engine

import (
	"slices"
	"testing"

	"newsarchive/corpus"
	"newsarchive/corpus/places"
)

// TestAncestorNamesAreDisplays checks what PlacesOf relies on: the name of
// every province and prefecture is its display name.
func TestAncestorNamesAreDisplays(t *testing.T) {
	g, err := places.Default()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, u := range g.Units() {
		if u.Level == places.Province || u.Level == places.Prefecture {
			n++
			if u.Display != u.Name {
				t.Errorf("%s %s has the display name %s", u.Code, u.Name, u.Display)
			}
		}
	}
	if n < 34+300 {
		t.Fatalf("only %d provinces and prefectures", n)
	}
}

func TestPlacesOf(t *testing.T) {
	tagger, err := corpus.DefaultTagger()
	if err != nil {
		t.Fatal(err)
	}
	one := func(s, level string) corpus.Place {
		t.Helper()
		ps := tagger.LookupPlace(s, level)
		if len(ps) != 1 {
			t.Fatalf("LookupPlace(%q, %q) = %v", s, level, ps)
		}
		return ps[0]
	}
	a := corpus.Article{
		Counties: []string{"伊通满族自治县", "朝阳区（北京）", "四平市"},
		Topics:   []string{"教育"},
		Places: []corpus.Place{
			one("伊通满族自治县", corpus.LevelCounty),
			one("朝阳区（北京）", corpus.LevelCounty),
			one("四平市", corpus.LevelPrefecture),
			one("杭州市", corpus.LevelPrefecture),
			one("广东省", corpus.LevelProvince),
		},
	}
	got := PlacesOf(&a)
	want := ArticlePlaces{
		Provinces:   []string{"吉林省", "北京市", "浙江省", "广东省"},
		Prefectures: []string{"四平市", "杭州市"},
		Codes:       []string{"220323", "220300", "220000", "110105", "110000", "330100", "330000", "440000"},
	}
	if !slices.Equal(got.Provinces, want.Provinces) || !slices.Equal(got.Prefectures, want.Prefectures) || !slices.Equal(got.Codes, want.Codes) {
		t.Errorf("PlacesOf = %+v\nwant       %+v", got, want)
	}
	pairs := PlaceTopics(&a, got)
	for _, w := range []string{
		PlaceTopicValue("county", "伊通满族自治县", "教育"),
		PlaceTopicValue("prefecture", "四平市", "教育"),
		PlaceTopicValue("province", "北京市", "教育"),
	} {
		if !slices.Contains(pairs, w) {
			t.Errorf("pairs %q lack %q", pairs, w)
		}
	}
	if len(pairs) != 3+2+4 {
		t.Errorf("%d pairs, want 9: %q", len(pairs), pairs)
	}
}
