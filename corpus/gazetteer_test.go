package corpus

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"newsarchive/corpus/corpustest"
)

func defaultGazetteer(t testing.TB) *Gazetteer {
	t.Helper()
	g, err := DefaultGazetteer()
	if err != nil {
		t.Fatalf("DefaultGazetteer: %v", err)
	}
	return g
}

func countyValues(s []Score) []string {
	out := []string{}
	for _, sc := range s {
		out = append(out, sc.Value)
	}
	return out
}

func TestGazetteerUnits(t *testing.T) {
	want := []string{"四平市", "铁西区", "铁东区", "梨树县", "伊通满族自治县", "双辽市", "公主岭市"}
	if got := defaultGazetteer(t).Units(); !slices.Equal(got, want) {
		t.Errorf("Units() = %v, want %v", got, want)
	}
}

func TestGazetteerCanonical(t *testing.T) {
	g := defaultGazetteer(t)
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"伊通", "伊通满族自治县", true},
		{"伊通县", "伊通满族自治县", true},
		{"伊通滿族自治縣", "伊通满族自治县", true},
		{"伊通满族自治县", "伊通满族自治县", true},
		{" 铁东 ", "铁东区", true},
		{"鐵東區", "铁东区", true},
		{"梨樹", "梨树县", true},
		{"雙遼市", "双辽市", true},
		{"220322", "梨树县", true},
		{"２２０３２２", "梨树县", true}, // full-width digits
		{"四平", "四平市", true},
		{"公主岭", "公主岭市", true},
		{"伊丹镇", "", false}, // townships are not county names
		{"满族", "", false},
		{"市委", "", false},
		{"沈阳铁西", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := g.Canonical(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Canonical(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestGazetteerPlaceNames(t *testing.T) {
	names := defaultGazetteer(t).PlaceNames()
	for _, want := range []string{"四平市", "四平", "伊通满族自治县", "伊通", "伊丹镇", "叶赫满族镇", "郑家屯", "郭家店镇", "公主岭市"} {
		if !slices.Contains(names, want) {
			t.Errorf("PlaceNames() lacks %s", want)
		}
	}
	for _, bad := range []string{"市委", "全市", "沈阳铁西", "四平路", "北京", "在"} {
		if slices.Contains(names, bad) {
			t.Errorf("PlaceNames() has %s, which is not a place of the gazetteer", bad)
		}
	}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("PlaceNames() has %s twice", n)
		}
		seen[n] = true
	}
}

// TestGazetteerCoversReference checks that every unit, short name and
// township of the reference table is in the default gazetteer.
func TestGazetteerCoversReference(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(corpustest.SharedDir(t), "reference", "siping-divisions.md"))
	if err != nil {
		t.Fatal(err)
	}
	g := defaultGazetteer(t)
	names := g.PlaceNames()
	han := regexp.MustCompile(`\p{Han}+`)
	township := regexp.MustCompile(`\p{Han}+(?:镇|乡|街道|开发区)|郑家屯`)
	rows := 0
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "| 22") && !strings.HasPrefix(line, "| (22") {
			continue
		}
		rows++
		cells := strings.Split(line, "|")
		if len(cells) < 5 {
			t.Fatalf("reference row %q: want 4 cells", line)
		}
		unit := han.FindString(cells[2])
		if got, ok := g.Canonical(unit); !ok || got != unit {
			t.Errorf("unit %s: Canonical = %q, %v", unit, got, ok)
		}
		for _, alias := range han.FindAllString(cells[3], -1) {
			if got, ok := g.Canonical(alias); !ok || got != unit {
				t.Errorf("short name %s: Canonical = %q, %v; want %s", alias, got, ok, unit)
			}
		}
		for _, tw := range township.FindAllString(cells[4], -1) {
			if !slices.Contains(names, tw) {
				t.Errorf("township %s of %s is not in the gazetteer", tw, unit)
			}
		}
	}
	if rows != 7 {
		t.Errorf("read %d rows of the reference table, want 7", rows)
	}
}

func TestGazetteerTag(t *testing.T) {
	g := defaultGazetteer(t)
	tests := []struct {
		name                string
		title, kicker, body string
		date                string
		want                []string
	}{
		{name: "nothing", body: "今天天气很好。", want: []string{}},
		{name: "unit in title", title: "铁东区召开全区农田排涝推进会", want: []string{"铁东区"}},
		{name: "traditional 铁东", title: "鐵東區召開會議", want: []string{"铁东区"}},
		{name: "traditional 梨树", body: "梨樹縣農民喜獲豐收", want: []string{"梨树县"}},
		{name: "traditional 双辽", body: "雙遼市開展活動", want: []string{"双辽市"}},
		{name: "traditional 伊通", body: "伊通滿族自治縣教育工作", want: []string{"伊通满族自治县"}},
		{name: "alias", body: "伊通教育局将扎实做好工作", want: []string{"伊通满族自治县"}},
		{name: "township", body: "伊丹镇中心幼儿园动工", want: []string{"伊通满族自治县"}},
		{name: "township traditional", body: "那木斯蒙古族鄉", want: []string{"双辽市"}},
		{name: "seat", body: "郑家屯街头", want: []string{"双辽市"}},
		{name: "叶赫满族镇 is not 伊通", body: "叶赫满族镇举办满族民俗文化节", want: []string{"铁东区"}},
		{name: "bare 满族 is nothing", body: "满族自治县的满族群众", want: []string{}},
		{name: "title outweighs body",
			title: "梨树县召开会议",
			body:  "伊通满族自治县、伊通县、伊通、伊丹镇、伊丹镇、伊通、小孤山镇代表参加。",
			want:  []string{"梨树县", "伊通满族自治县"}},
		{name: "kicker outweighs body", kicker: "双辽市 聚焦发展", body: "铁西区代表发言。", want: []string{"双辽市", "铁西区"}},
		{name: "ties by first mention", body: "双辽、梨树", want: []string{"双辽市", "梨树县"}},
		{name: "ties by first mention reversed", body: "梨树、双辽", want: []string{"梨树县", "双辽市"}},
		{name: "dated township 2015", body: "郭家店镇", date: "2015-06-01", want: []string{"梨树县"}},
		{name: "dated township 2017-01-31", body: "十家堡镇", date: "2017-01-31", want: []string{"梨树县"}},
		{name: "dated township 2017-02-01", body: "十家堡镇", date: "2017-02-01", want: []string{"铁西区"}},
		{name: "dated township 2020", body: "郭家店镇", date: "2020-05-01", want: []string{"铁西区"}},
		{name: "dated township undated", body: "孟家岭镇", want: []string{"铁西区"}},
		{name: "公主岭", body: "公主岭市玉米丰收", date: "2018-09-01", want: []string{"公主岭市"}},
		{name: "exclude 四平教育发布", body: "案例在“四平教育发布”上刊登。", want: []string{}},
		{name: "exclude 四平路", body: "上海杨浦区四平路街头", want: []string{}},
		{name: "exclude 沈阳市铁西区", body: "沈阳市铁西区老工业基地", want: []string{}},
		{name: "exclude 沈阳铁西", body: "沈阳铁西的工厂", want: []string{}},
		{name: "exclude 鞍山铁东", body: "鞍山铁东的街道", want: []string{}},
		{name: "exclude 鞍山市铁东区", body: "鞍山市铁东区", want: []string{}},
		{name: "exclude 鞍山市铁西区", body: "鞍山市铁西区", want: []string{}},
		{name: "exclude pear trees", body: "种植梨树、培育梨树苗、三棵梨树、一片梨树林", want: []string{}},
		{name: "exclude 鸡西梨树区", body: "黑龙江鸡西梨树区", want: []string{}},
		{name: "exclude high-speed rail", body: "高铁西站、昌景黄高铁西起南昌、国铁西安局", want: []string{}},
		{name: "exclude 四平方米", body: "十四平方米的小屋，四平八稳", want: []string{}},
		{name: "exclusion masks only itself", body: "沈阳铁西的客人来到铁西区", want: []string{"铁西区"}},
		{name: "marker alone", body: "近日,市委宣讲团进入社区。", want: []string{"四平市"}},
		{name: "marker after full-width comma", body: "近日，市委宣讲团进入社区。", want: []string{"四平市"}},
		{name: "marker at start", title: "市委常委会召开会议", want: []string{"四平市"}},
		{name: "marker after lead", body: "会议要求在全市范围内开展检查", want: []string{"四平市"}},
		{name: "北京市委 is not 四平", body: "北京市委书记出席", want: []string{}},
		{name: "上海市委 is not 四平", body: "上海市委召开会议", want: []string{}},
		{name: "marker glued elsewhere vetoes the item", body: "长春市委书记出席。市委要求", want: []string{}},
		{name: "foreign place vetoes markers", body: "浙江湖州:全市新增就业两万人", want: []string{}},
		{name: "county-level city vetoes markers", body: "双辽市召开会议,全市上下齐心", want: []string{"双辽市"}},
		{name: "资本市场 is not 本市", body: "资本市场平稳运行,日本市民", want: []string{}},
		{name: "城市直接 is not 市直", body: "城市直接受益", want: []string{}},
		{name: "city ranks after a county", body: "四平市、四平市、四平市、四平 代表和伊通代表", want: []string{"伊通满族自治县", "四平市"}},
		{name: "city in title still after a county", title: "四平市召开大会", body: "梨树县作典型发言", want: []string{"梨树县", "四平市"}},
		{name: "四平市委 is the city", body: "四平市委书记调研", want: []string{"四平市"}},
		{name: "weak township alone is dropped", body: "新时代、新家乡", want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &Article{Title: tt.title, Kicker: tt.kicker, Body: tt.body, Date: tt.date}
			if got := countyValues(g.Tag(a)); !slices.Equal(got, tt.want) {
				t.Errorf("Tag = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestGazetteerLongestMatch(t *testing.T) {
	g := defaultGazetteer(t)
	got := g.Tag(&Article{Body: "伊通满族自治县"})
	if len(got) != 1 || len(got[0].Evidence) != 1 {
		t.Fatalf("Tag = %+v, want one unit with one piece of evidence", got)
	}
	if ev := got[0].Evidence[0]; ev.Text != "伊通满族自治县" || ev.Kind != GazUnit || ev.Count != 1 || ev.Field != "body" {
		t.Errorf("evidence = %+v, want the unit once in the body", ev)
	}
	// The score is the documented product: body 1 × unit 3 × (1+log2 1).
	if got[0].Score != 3 {
		t.Errorf("score = %v, want 3", got[0].Score)
	}
	two := g.Tag(&Article{Title: "伊通", Body: "伊通 伊通"})
	// title 10 × alias 2 + body 1 × alias 2 × (1+log2 2) = 24
	if len(two) != 1 || two[0].Score != 24 {
		t.Errorf("Tag = %+v, want score 24", two)
	}
}

func TestLoadGazetteer(t *testing.T) {
	const file = "# test\n" +
		"@field\ttitle\t5\n" +
		"@min_score\t0.5\n" +
		"10\t甲市\tunit\t甲市\n" +
		"1001\t乙县\tunit\t乙县\n" +
		"1001\t乙县\talias\t乙\n" +
		"\t乙县\ttownship\t丙镇\t\t2009\n" +
		"1002\t丁区\tunit\t丁区\n" +
		"1002\t丁区\ttownship\t丙镇\t2010\t\t0.5\tmoved\n" +
		"10\t甲市\tmarker\t全市\n" +
		"-\t-\texclude\t乙醇\n" +
		"-\t-\tlead\t在\n"
	g, err := LoadGazetteer(strings.NewReader(file), "test.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := g.Units(), []string{"甲市", "乙县", "丁区"}; !slices.Equal(got, want) {
		t.Errorf("Units = %v, want %v", got, want)
	}
	tests := []struct {
		title, body, date string
		want              []string
		score             float64
	}{
		{title: "乙", want: []string{"乙县"}, score: 10},
		{body: "丙镇", date: "2005-01-01", want: []string{"乙县"}, score: 2},
		{body: "丙镇", date: "2012-01-01", want: []string{"丁区"}, score: 0.5},
		{body: "乙醇", want: []string{}},
		{body: "在全市", want: []string{"甲市"}, score: 1},
	}
	for _, tt := range tests {
		got := g.Tag(&Article{Title: tt.title, Body: tt.body, Date: tt.date})
		if !slices.Equal(countyValues(got), tt.want) {
			t.Errorf("Tag(%q %q %s) = %v, want %v", tt.title, tt.body, tt.date, countyValues(got), tt.want)
			continue
		}
		if len(got) > 0 && got[0].Score != tt.score {
			t.Errorf("Tag(%q %q %s) score = %v, want %v", tt.title, tt.body, tt.date, got[0].Score, tt.score)
		}
	}
}

func TestLoadGazetteerErrors(t *testing.T) {
	const unit = "1\t甲县\tunit\t甲县\n"
	tests := []struct {
		name, file, want string
	}{
		{"too few cells", "1\t甲县\tunit\n", "test.tsv:1: want 4 to 8"},
		{"too many cells", "1\t甲县\tunit\t甲县\t\t\t\t\tx\n", "test.tsv:1: want 4 to 8"},
		{"unknown kind", unit + "1\t甲县\tvillage\t乙村\n", "test.tsv:2: unknown kind"},
		{"unit first", "# c\n1\t甲县\talias\t甲\n", "test.tsv:2: unknown unit"},
		{"unit without code", "\t甲县\tunit\t甲县\n", "test.tsv:1: unit \"甲县\" has no code"},
		{"unit name mismatch", "1\t甲县\tunit\t乙县\n", "test.tsv:1: unit row"},
		{"duplicate unit", unit + unit, "test.tsv:2: duplicate unit"},
		{"code mismatch", unit + "2\t甲县\talias\t甲\n", "test.tsv:2: code 2 does not match"},
		{"bad date", unit + "1\t甲县\ttownship\t乙镇\t2017/02\n", "test.tsv:2: from:"},
		{"from after to", unit + "1\t甲县\ttownship\t乙镇\t2018\t2017\n", "test.tsv:2: from 2018 is after to 2017"},
		{"bad weight", unit + "1\t甲县\ttownship\t乙镇\t\t\theavy\n", "test.tsv:2: weight \"heavy\""},
		{"negative weight", unit + "1\t甲县\ttownship\t乙镇\t\t\t-1\n", "test.tsv:2: weight"},
		{"overlapping years", unit + "1\t甲县\ttownship\t乙镇\t\t2017\n1\t甲县\ttownship\t乙镇\t2017-06\n", "test.tsv:3: \"乙镇\" overlaps line 2"},
		{"exclude with unit", unit + "1\t甲县\texclude\t甲县城\n", "test.tsv:2: exclude rows take no code or unit"},
		{"name and exclusion", unit + "-\t-\texclude\t甲县\n", "test.tsv:2: \"甲县\" is already in the gazetteer"},
		{"alias of two units", unit + "2\t乙县\tunit\t乙县\n2\t乙县\talias\t甲县\n", "test.tsv:3: name \"甲县\" already names unit"},
		{"unknown directive", "@weights\tx\n", "test.tsv:1: unknown directive"},
		{"bad field", "@field\theadline\t3\n", "test.tsv:1: unknown field"},
		{"bad kind weight", "@kind\texclude\t3\n", "test.tsv:1: @kind"},
		{"no units", "# nothing\n", "test.tsv: no unit rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadGazetteer(strings.NewReader(tt.file), "test.tsv")
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("LoadGazetteer error = %v, want prefix %q", err, tt.want)
			}
		})
	}
}
