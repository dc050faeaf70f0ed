package corpus

import (
	"slices"
	"strings"
	"testing"
)

// placeCodes returns the codes of an article's places, and of its
// county-level ones.
func placeCodes(a *Article) (all, counties []string) {
	for _, p := range a.Places {
		all = append(all, p.Code)
		if p.Level == LevelCounty {
			counties = append(counties, p.Code)
		}
	}
	return all, counties
}

// TestPlaceTags tags sentences as items of papers with different home
// areas (papers.tsv: 四平日报 220300, 吉林日报 220000, 长春日报 220100,
// 新闻联播 national) and checks the places against the rules of issue 12.
func TestPlaceTags(t *testing.T) {
	tg := defaultTagger(t)
	tests := []struct {
		name, paper, date, title, body string
		want                           []string // all place codes, in order
	}{
		// Words that are also place names tag nothing.
		{name: "和平", paper: "新闻联播", body: "和平发展是时代的主题,维护世界和平。", want: nil},
		{name: "新华社", paper: "新闻联播", body: "据新华社北京电,会议召开。", want: []string{"110000"}},
		{name: "长安汽车", paper: "新闻联播", body: "长安汽车发布新车型。", want: nil},
		{name: "东方航空", paper: "新闻联播", body: "东方航空增开国际航班。", want: nil},
		{name: "朝阳产业", paper: "新闻联播", body: "新能源是朝阳产业。", want: nil},
		{name: "安宁祥和", paper: "新闻联播", body: "节日期间社会安宁祥和。", want: nil},
		{name: "永定河", paper: "新闻联播", body: "永定河生态补水启动。", want: nil},
		{name: "城区", paper: "新闻联播", body: "老城区改造加快推进。", want: nil},
		{name: "郊区", paper: "新闻联播", body: "郊区的蔬菜大棚丰收。", want: nil},
		{name: "开发区", paper: "新闻联播", body: "开发区建设提速。", want: nil},
		{name: "示范县", paper: "新闻联播", body: "创建国家级示范县。", want: nil}, // not 范县 (濮阳)
		{name: "traps in a regional paper", paper: "吉林日报", body: "和平发展,长安汽车,东方航空,朝阳产业,安宁祥和。", want: nil},
		{name: "traps in an unlisted paper", paper: "某某晚报", body: "朝阳产业和东方航空。", want: nil},

		// Outside the home area: by a unique official name, or with the
		// parent's name.
		{name: "安吉 alone", paper: "新闻联播", body: "安吉白茶开采。", want: nil},
		{name: "浙江安吉", paper: "新闻联播", body: "在浙江安吉,白茶开采。", want: []string{"330523", "330000"}},
		{name: "unique official name", paper: "新闻联播", body: "伊通满族自治县的学校开学。", want: []string{"220323"}},
		{name: "鼓楼区 alone", paper: "新闻联播", body: "鼓楼区开展活动。", want: nil},
		{name: "traditional, full-width", paper: "新闻联播", body: "福州市鼓樓區開展活動,ＡＢＣ。", want: []string{"350102", "350100"}},
		{name: "福州市鼓楼区", paper: "新闻联播", body: "福州市鼓楼区开展活动。", want: []string{"350102", "350100"}},
		{name: "梨树 outside home", paper: "新闻联播", body: "梨树的玉米丰收。", want: nil},

		// Inside the home area short names and townships count.
		{name: "梨树 at home", paper: "四平日报", body: "梨树的玉米丰收。", want: []string{"220322"}},
		{name: "梨树 in the province's paper", paper: "吉林日报", body: "梨树的玉米丰收。", want: []string{"220322"}},
		{name: "township at home", paper: "四平日报", body: "叶赫满族镇举办活动。", want: []string{"220303"}}, // 叶赫 lies in 铁东区,
		{name: "no paper: the overlay's area", paper: "", body: "梨树的玉米丰收。", want: []string{"220322"}},

		// A prefecture or province alone is a place too.
		{name: "province", paper: "新闻联播", body: "吉林省粮食丰收。", want: []string{"220000"}},
		{name: "province short name", paper: "新闻联播", body: "吉林粮食丰收。", want: []string{"220000"}},

		// Markers of the home area.
		{name: "全省 in the province's paper", paper: "吉林日报", body: "全省粮食丰收。", want: []string{"220000"}},
		{name: "全省 in a national paper", paper: "新闻联播", body: "全省粮食丰收。", want: nil},
		{name: "全市 in a city paper", paper: "长春日报", body: "全市粮食丰收。", want: []string{"220100"}},
		{name: "我省 in a city paper", paper: "四平日报", body: "国家和我省的成就。", want: []string{"220000"}},
		{name: "全省 after another province", paper: "吉林日报", body: "浙江省召开会议。全省粮食丰收。", want: []string{"330000"}},
		{name: "glued marker", paper: "长春日报", body: "北京市委召开会议。", want: []string{"110000"}},

		// The overlay decides inside its area: its exclusions hold.
		{name: "高铁西站", paper: "四平日报", body: "高铁西站客流增加。", want: nil},
		{name: "沈阳铁西", paper: "四平日报", body: "沈阳铁西的工厂。", want: []string{"210100"}},

		// Dated overlay rows: 公主岭市 was 四平's until June 2020.
		{name: "公主岭 2019", paper: "四平日报", date: "2019-05-01", body: "公主岭市玉米丰收。", want: []string{"220381"}},
		{name: "公主岭 2021", paper: "四平日报", date: "2021-05-01", body: "公主岭市玉米丰收。", want: []string{"220184"}},
		{name: "公主岭 undated", paper: "四平日报", body: "公主岭市玉米丰收。", want: []string{"220381"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &Article{Paper: tt.paper, Date: tt.date, Title: tt.title, Body: tt.body}
			ex := tg.Apply(a)
			got, _ := placeCodes(a)
			if !slices.Equal(got, tt.want) {
				t.Errorf("places %v, want %v (%+v)", got, tt.want, ex.Places)
			}
			if len(ex.Places) != len(a.Places) {
				t.Errorf("%d explanations for %d places", len(ex.Places), len(a.Places))
			}
			for i, p := range a.Places {
				if ex.Places[i].Code != p.Code || len(ex.Places[i].Why) == 0 {
					t.Errorf("place %s: explanation %+v", p.Code, ex.Places[i])
				}
			}
		})
	}
}

// TestPlaceRecord checks the record form of places: codes, levels, names
// of the parents, unique display names, and counties from them.
func TestPlaceRecord(t *testing.T) {
	tg := defaultTagger(t)
	a := &Article{Paper: "新闻联播", Title: "福州市鼓楼区:老街焕新", Body: "在福建福州市鼓楼区,三坊七巷游人如织。"}
	tg.Apply(a)
	if len(a.Places) == 0 {
		t.Fatalf("no places")
	}
	want := Place{Code: "350102", Name: "鼓楼区", Level: LevelCounty, Prefecture: "福州市", Province: "福建省", Display: "鼓楼区（福州）"}
	if a.Places[0] != want {
		t.Errorf("first place %+v, want %+v", a.Places[0], want)
	}
	if !slices.Equal(a.Counties, []string{"鼓楼区（福州）"}) || a.County != "鼓楼区（福州）" {
		t.Errorf("counties %v county %q", a.Counties, a.County)
	}
	levels := map[string]string{}
	for _, p := range a.Places {
		levels[p.Code] = p.Level
	}
	if levels["350100"] != LevelPrefecture || levels["350000"] != LevelProvince {
		t.Errorf("levels %v, want 福州市 a prefecture and 福建省 a province", levels)
	}
	// A city paper: its own city counts as one of its counties, last.
	b := &Article{Paper: "四平日报", Body: "梨树县召开会议,市委书记出席。"}
	tg.Apply(b)
	if !slices.Equal(b.Counties, []string{"梨树县", "四平市"}) {
		t.Errorf("city paper: counties %v, want [梨树县 四平市]", b.Counties)
	}
}

// TestLookupPlace checks what filters accept.
func TestLookupPlace(t *testing.T) {
	tg := defaultTagger(t)
	codes := func(ps []Place) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Code)
		}
		return out
	}
	for _, tt := range []struct {
		s, level string
		want     []string
	}{
		{"220323", "", []string{"220323"}},
		{"伊通", "", []string{"220323"}},
		{"伊通满族自治县", LevelCounty, []string{"220323"}},
		{"鼓楼区", "", []string{"320106", "320302", "350102", "410204"}},
		{"鼓楼区（福州）", "", []string{"350102"}},
		{"吉林", "", []string{"220000", "220200"}},
		{"吉林", LevelProvince, []string{"220000"}},
		{"22", "", []string{"220000"}},
		{"2203", "", []string{"220300"}},
		{"220300", LevelPrefecture, []string{"220300"}},
		{"220300", LevelCounty, nil},
		{"220381", "", []string{"220381"}}, // the overlay's former unit
		{"公主岭市", "", []string{"220184"}},   // by name one filter value: both read 公主岭市
		{"公主岭", "", []string{"220184"}},
		{"臺北", "", nil},
		{"叶赫满族镇", "", nil}, // townships are not filter values
		{"", "", nil},
	} {
		if got := codes(tg.LookupPlace(tt.s, tt.level)); !slices.Equal(got, tt.want) {
			t.Errorf("LookupPlace(%q, %q) = %v, want %v", tt.s, tt.level, got, tt.want)
		}
	}
	if ps := tg.LookupPlace("220381", ""); len(ps) != 1 || ps[0].Prefecture != "四平市" || ps[0].Province != "吉林省" {
		t.Errorf("220381: %+v, want 公主岭市 under 四平市, 吉林省", ps)
	}
	if !strings.HasPrefix(tg.LookupPlace("台湾", "")[0].Code, "71") {
		t.Errorf("台湾: %+v", tg.LookupPlace("台湾", ""))
	}
}
