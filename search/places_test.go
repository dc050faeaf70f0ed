package search_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"newsarchive/corpus"
	"newsarchive/search"
	"newsarchive/search/searchtest"
)

// scanIDs returns the ids of the fixture's records that keep(a) holds for.
func scanIDs(fx *searchtest.Fixture, keep func(a *corpus.Article) bool) []string {
	var out []string
	for i := range fx.Articles {
		if keep(&fx.Articles[i]) {
			out = append(out, fx.Articles[i].ID)
		}
	}
	slices.Sort(out)
	return out
}

// allIDs runs a request and returns every hit's id, sorted.
func allIDs(t *testing.T, s *search.Searcher, r search.Request) []string {
	t.Helper()
	var out []string
	if err := s.Each(context.Background(), r, 100_000, func(h search.Hit) error {
		out = append(out, h.ID)
		return nil
	}); err != nil {
		t.Fatalf("%+v: %v", r, err)
	}
	slices.Sort(out)
	return out
}

// inPlace reports whether a record's places or their ancestors include the
// unit of code (2, 4 or 6 digits, as a prefix of the 6-digit codes).
func inPlace(a *corpus.Article, code string) bool {
	for _, p := range a.Places {
		if strings.HasPrefix(p.Code, code) {
			// A county directly under its province has no prefecture.
			if len(code) == 4 && p.Level == corpus.LevelCounty && p.Prefecture == "" {
				continue
			}
			return true
		}
	}
	return false
}

func TestPlaceFiltersAtEveryLevel(t *testing.T) {
	fx := searchtest.Get(t)
	tests := []struct {
		name   string
		req    search.Request
		prefix string // the unit's code digits
	}{
		{"province by name", search.Request{Provinces: []string{"吉林省"}}, "22"},
		{"province by short name", search.Request{Provinces: []string{"吉林"}}, "22"},
		{"province by code", search.Request{Provinces: []string{"22"}}, "22"},
		{"province by 6-digit code", search.Request{Provinces: []string{"220000"}}, "22"},
		{"prefecture by name", search.Request{Prefectures: []string{"四平市"}}, "2203"},
		{"prefecture by code", search.Request{Prefectures: []string{"220300"}}, "2203"},
		{"county by name", search.Request{Counties: []string{"伊通满族自治县"}}, "220323"},
		{"county by short name", search.Request{Counties: []string{"伊通"}}, "220323"},
		{"county by code", search.Request{Counties: []string{"220323"}}, "220323"},
		{"county by display", search.Request{Counties: []string{"铁东区（四平）"}}, "220303"},
		{"county by display's code", search.Request{Counties: []string{"220303"}}, "220303"},
		{"another province", search.Request{Provinces: []string{"浙江省"}}, "33"},
		{"place: province", search.Request{Query: "place:吉林省"}, "22"},
		{"place: prefecture", search.Request{Query: "place:四平"}, "2203"},
		{"place: prefecture code", search.Request{Query: "place:2203"}, "2203"},
		{"place: county", search.Request{Query: "place:梨树县"}, "220322"},
		{"place: county code", search.Request{Query: "place:220382"}, "220382"},
		{"county: code", search.Request{Query: "county:220382"}, "220382"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := scanIDs(fx, func(a *corpus.Article) bool { return inPlace(a, tc.prefix) })
			if len(want) == 0 {
				t.Fatalf("no record in %s: the test tests nothing", tc.prefix)
			}
			if got := allIDs(t, fx.Searcher, tc.req); !slices.Equal(got, want) {
				t.Errorf("%d hits, scan %d", len(got), len(want))
			}
		})
	}
	// Ancestors: an article tagged 伊通满族自治县 is in 四平市 and 吉林省.
	yitong := allIDs(t, fx.Searcher, search.Request{Counties: []string{"伊通"}})
	for _, r := range []search.Request{{Prefectures: []string{"四平市"}}, {Provinces: []string{"吉林省"}}} {
		got := allIDs(t, fx.Searcher, r)
		for _, id := range yitong {
			if _, ok := slices.BinarySearch(got, id); !ok {
				t.Errorf("%s (伊通满族自治县) not found with %+v", id, r)
			}
		}
	}
	// Filters of different levels must all hold.
	both := allIDs(t, fx.Searcher, search.Request{Provinces: []string{"22"}, Counties: []string{"梨树县"}})
	if want := scanIDs(fx, func(a *corpus.Article) bool { return inPlace(a, "220322") }); !slices.Equal(both, want) {
		t.Errorf("province 22 and county 梨树: %d hits, want %d", len(both), len(want))
	}
	if got := allIDs(t, fx.Searcher, search.Request{Provinces: []string{"浙江"}, Counties: []string{"梨树县"}}); len(got) != 0 {
		t.Errorf("浙江 and 梨树: %d hits, want none", len(got))
	}
}

func TestSharedPlaceNameIsABadRequest(t *testing.T) {
	fx := searchtest.Get(t)
	tests := []struct {
		req   search.Request
		level string
		codes []string
	}{
		{search.Request{Counties: []string{"铁东区"}}, corpus.LevelCounty, []string{"210302", "220303"}},
		{search.Request{Counties: []string{"鼓楼区"}}, corpus.LevelCounty, []string{"320106", "350102", "410204", "320302"}},
		{search.Request{Query: "county:铁西区"}, corpus.LevelCounty, []string{"210106", "210303", "220302"}},
		{search.Request{Counties: []string{"梨树"}}, corpus.LevelCounty, []string{"220322", "230305"}},
		{search.Request{Query: "place:吉林"}, "", []string{"220000", "220200"}},
		{search.Request{Query: "满族 place:鼓楼区"}, "", []string{"320106", "350102", "410204", "320302"}},
	}
	for _, tc := range tests {
		_, err := fx.Searcher.Search(context.Background(), tc.req)
		pe, ok := errors.AsType[*search.PlaceError](err)
		if !errors.Is(err, search.ErrBadRequest) || !ok {
			t.Errorf("%+v: %v, want a PlaceError", tc.req, err)
			continue
		}
		var codes []string
		for _, p := range pe.Candidates {
			codes = append(codes, p.Code)
			if !strings.Contains(err.Error(), p.Display+" "+p.Code) || !strings.Contains(pe.Chinese(), p.Display+" "+p.Code) {
				t.Errorf("%q / %q does not list %s %s", err, pe.Chinese(), p.Display, p.Code)
			}
		}
		slices.Sort(codes)
		want := slices.Sorted(slices.Values(tc.codes))
		if pe.Level != tc.level || !slices.Equal(codes, want) {
			t.Errorf("%+v: level %q candidates %v, want %q %v", tc.req, pe.Level, codes, tc.level, want)
		}
	}
	_, err := fx.Searcher.Search(context.Background(), search.Request{Counties: []string{"鼓楼区"}})
	if want := `county "鼓楼区" is shared by 4 places: `; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("message %q, want it to start %q", err, want)
	}
	pe, _ := errors.AsType[*search.PlaceError](err)
	if pe == nil || !strings.HasPrefix(pe.Chinese(), "县级单位\u201c鼓楼区\u201d有4个：") || !strings.HasSuffix(pe.Chinese(), "；请改用代码或所列名称") {
		t.Errorf("Chinese message %q", pe.Chinese())
	}
	// Unknown places.
	for _, r := range []search.Request{{Provinces: []string{"火星省"}}, {Prefectures: []string{"伊通"}}, {Counties: []string{"99"}}, {Query: "place:火星"}} {
		_, err := fx.Searcher.Search(context.Background(), r)
		pe, ok := errors.AsType[*search.PlaceError](err)
		if !ok || len(pe.Candidates) != 0 || !strings.Contains(err.Error(), "unknown") {
			t.Errorf("%+v: %v, want an unknown place", r, err)
		}
	}
}

func TestPlaceFacetsAgainstScan(t *testing.T) {
	fx := searchtest.Get(t)
	reqs := []search.Request{
		{},
		{Query: "经济"},
		{Provinces: []string{"吉林省"}},
		{Prefectures: []string{"2203"}, Topics: []string{"教育"}},
		{Counties: []string{"伊通"}},
		{Provinces: []string{"22"}, Prefectures: []string{"四平"}},
	}
	levels := map[string]string{"province": corpus.LevelProvince, "prefecture": corpus.LevelPrefecture, "county": corpus.LevelCounty}
	for _, r := range reqs {
		r.Size = 1
		res, err := fx.Searcher.Search(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		// The matching set of each facet: the request without that
		// facet's own filter.
		for facet, level := range levels {
			rr := r
			switch facet {
			case "province":
				rr.Provinces = nil
			case "prefecture":
				rr.Prefectures = nil
			case "county":
				rr.Counties = nil
			}
			ids := allIDs(t, fx.Searcher, rr)
			want := map[string]int{}
			for i := range fx.Articles {
				a := &fx.Articles[i]
				if _, ok := slices.BinarySearch(ids, a.ID); !ok {
					continue
				}
				for _, v := range scanPlaces(fx.Tagger, a, level) {
					want[v]++
				}
			}
			var got []search.FacetValue
			switch facet {
			case "province":
				got = res.Facets.Province
			case "prefecture":
				got = res.Facets.Prefecture
			case "county":
				got = res.Facets.County
			}
			if len(got) != len(want) || len(want) == 0 {
				t.Errorf("%+v: %s facet has %d values, scan %d", r, facet, len(got), len(want))
			}
			for _, fv := range got {
				if want[fv.Value] != fv.Count {
					t.Errorf("%+v: %s %s = %d, scan %d", r, facet, fv.Value, fv.Count, want[fv.Value])
				}
				if fv.Code == "" || len(fv.Code) != 6 {
					t.Errorf("%+v: %s %s has code %q", r, facet, fv.Value, fv.Code)
				}
			}
		}
	}
	res, err := fx.Searcher.Search(context.Background(), search.Request{Counties: []string{"伊通"}, Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, fv := range res.Facets.Province {
		if fv.Value == "吉林省" {
			codes = append(codes, fv.Code)
		}
	}
	for _, fv := range res.Facets.Prefecture {
		if fv.Value == "四平市" {
			codes = append(codes, fv.Code)
		}
	}
	if !slices.Equal(codes, []string{"220000", "220300"}) {
		t.Errorf("codes of 吉林省, 四平市: %v", codes)
	}
	if len(res.Hits) != 1 || len(res.Hits[0].Places) == 0 || res.Hits[0].Places[0].Code != "220323" {
		t.Errorf("hit places: %+v", res.Hits)
	}
}

func TestPlaceCursorsCanonical(t *testing.T) {
	fx := searchtest.Get(t)
	ctx := context.Background()
	a, err := fx.Searcher.Search(ctx, search.Request{Prefectures: []string{"四平"}, Provinces: []string{"吉林"}, Sort: search.SortNewest, Size: 2})
	if err != nil || a.Next == nil {
		t.Fatalf("%v, next %v", err, a)
	}
	b, err := fx.Searcher.Search(ctx, search.Request{Prefectures: []string{"220300"}, Provinces: []string{"22"}, Sort: search.SortNewest, Size: 2, After: *a.Next})
	if err != nil || len(b.Hits) == 0 || b.Hits[0].ID == a.Hits[0].ID {
		t.Fatalf("the cursor of 四平/吉林 with 220300/22: %v", err)
	}
	if _, err := fx.Searcher.Search(ctx, search.Request{Prefectures: []string{"220300"}, Sort: search.SortNewest, Size: 2, After: *a.Next}); !errors.Is(err, search.ErrBadRequest) {
		t.Errorf("the cursor with other filters: %v, want a 400", err)
	}
}
