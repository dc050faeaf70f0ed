package corpus

import (
	"slices"
	"strings"
	"testing"
)

func defaultTaxonomy(t testing.TB) *Taxonomy {
	t.Helper()
	tx, err := DefaultTaxonomy()
	if err != nil {
		t.Fatalf("DefaultTaxonomy: %v", err)
	}
	return tx
}

func TestDefaultTaxonomyLabels(t *testing.T) {
	want := []string{"时政", "党建", "经济", "农业农村", "教育", "科技", "文化旅游", "卫生健康", "生态环境", "社会民生", "政法", "城乡建设", "体育"}
	tx := defaultTaxonomy(t)
	if got := tx.Labels(); !slices.Equal(got, want) {
		t.Errorf("Labels() = %v, want exactly %v", got, want)
	}
	// A generous list: dozens of keywords per label.
	count := make(map[int]int)
	for _, kws := range tx.pats {
		for _, k := range kws {
			if k.weight > 0 {
				count[k.label]++
			}
		}
	}
	for i, l := range tx.labels {
		if count[i] < 40 {
			t.Errorf("label %s has %d keywords, want at least 40", l, count[i])
		}
	}
}

func TestTaxonomyCanonical(t *testing.T) {
	tx := defaultTaxonomy(t)
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"教育", "教育", true},
		{"經濟", "经济", true},
		{"農業農村", "农业农村", true},
		{"文旅", "文化旅游", true},
		{"卫健", "卫生健康", true},
		{" 民生 ", "社会民生", true},
		{"生态", "生态环境", true},
		{"sports", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := tx.Canonical(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Canonical(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTaxonomyTag(t *testing.T) {
	tx := defaultTaxonomy(t)
	tests := []struct {
		name        string
		title, body string
		want        []string
	}{
		{name: "nothing", body: "今天天气晴。", want: []string{}},
		{name: "education", title: "推进“双减”政策落实", body: "中小学校开展课后服务。", want: []string{"教育"}},
		{name: "agriculture", title: "召开农田排涝推进会", body: "确保作物正常生长。", want: []string{"农业农村"}},
		{name: "traditional", title: "召開農田排澇推進會", body: "確保作物正常生長。", want: []string{"农业农村"}},
		{name: "full-width latin", title: "ＧＤＰ同比增长５%", want: []string{"经济"}},
		{name: "sport", title: "全民健身运动会开幕", body: "运动员参加比赛。", want: []string{"体育"}},
		{name: "ecology", title: "河长办组织志愿者清理河道", body: "保护河湖环境。", want: []string{"生态环境"}},
		{name: "neutral phrase masks 教育",
			title: "离退休干部党支部开展主题党日",
			body:  "教育引导老党员坚定理想信念,教育引导,教育引导。",
			want:  []string{"党建"}},
		{name: "multi-label",
			title: "科技创新助力乡村振兴",
			body:  "农业科技人员研发新品种玉米,农民增收。",
			want:  []string{"农业农村", "科技"}},
		{name: "weak evidence is no topic", body: "活动中,大家很开心。会议。", want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := countyValues(tx.Tag(&Article{Title: tt.title, Body: tt.body}))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Tag = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLoadTaxonomy(t *testing.T) {
	const file = "# custom\n" +
		"@field\ttitle\t2\n@min_score\t1\n@ratio\t0.5\n" +
		"天气\t晴\t1\n天气\t下雨\t2\n天气\t气象\talias\n" +
		"心情\t开心\t1\n" +
		"-\t晴朗的心\t0\n"
	tx, err := LoadTaxonomy(strings.NewReader(file), "custom.tsv")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := tx.Labels(), []string{"天气", "心情"}; !slices.Equal(got, want) {
		t.Errorf("Labels() = %v, want %v", got, want)
	}
	if got, ok := tx.Canonical("氣象"); !ok || got != "天气" {
		t.Errorf("Canonical(氣象) = %q, %v", got, ok)
	}
	tests := []struct {
		title, body string
		want        []string
		top         float64
	}{
		{title: "下雨", want: []string{"天气"}, top: 4},                   // title 2 × 2
		{body: "下雨 下雨 开心 开心", want: []string{"天气", "心情"}, top: 4},     // 2×(1+1), 1×(1+1) = 2 ≥ 0.5×4
		{body: "晴 开心 开心 开心 开心", want: []string{"心情"}, top: 3},         // 1 < 0.5 × 3
		{body: "晴 晴 开心 开心 开心 开心", want: []string{"心情", "天气"}, top: 3}, // 2 ≥ 0.5 × 3
		{body: "晴朗的心", want: []string{}},
	}
	for _, tt := range tests {
		got := tx.Tag(&Article{Title: tt.title, Body: tt.body})
		if !slices.Equal(countyValues(got), tt.want) {
			t.Errorf("Tag(%q, %q) = %v, want %v", tt.title, tt.body, countyValues(got), tt.want)
			continue
		}
		if len(got) > 0 && got[0].Score != tt.top {
			t.Errorf("Tag(%q, %q) top score = %v, want %v", tt.title, tt.body, got[0].Score, tt.top)
		}
	}
}

func TestLoadTaxonomyErrors(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"two cells", "教育\t学校\n", "test.tsv:1: want 3"},
		{"four cells", "教育\t学校\t1\t2\n", "test.tsv:1: want 3"},
		{"bad weight", "# c\n教育\t学校\theavy\n", "test.tsv:2: weight \"heavy\""},
		{"negative weight", "教育\t学校\t-2\n", "test.tsv:1: weight"},
		{"empty keyword", "教育\t\t1\n", "test.tsv:1: empty"},
		{"duplicate", "教育\t学校\t1\n教育\t學校\t2\n", "test.tsv:2: duplicate keyword"},
		{"neutral with weight", "-\t学校\t2\n", "test.tsv:1: neutral phrase"},
		{"neutral and keyword", "教育\t学校\t1\n-\t学校\t0\n", "test.tsv:2: neutral phrase"},
		{"alias of two labels", "教育\t学\talias\n科技\t学\talias\n", "test.tsv:2: alias"},
		{"label spelt two ways", "教育\t学校\t1\n教育\t学生\t1\n敎育\t老师\t1\n", "test.tsv:3: label \"敎育\" is another name of \"教育\""},
		{"ratio above 1", "@ratio\t2\n", "test.tsv:1: @ratio"},
		{"unknown directive", "@min\t2\n", "test.tsv:1: unknown directive"},
		{"no labels", "# empty\n", "test.tsv: no labels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadTaxonomy(strings.NewReader(tt.file), "test.tsv")
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("LoadTaxonomy error = %v, want prefix %q", err, tt.want)
			}
		})
	}
}
