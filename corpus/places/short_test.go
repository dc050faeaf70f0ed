package places

import (
	"slices"
	"testing"
)

func TestShortNames(t *testing.T) {
	for _, c := range []struct {
		name  string
		level Level
		want  []string
	}{
		// Counties.
		{"伊通满族自治县", County, []string{"伊通县", "伊通"}},
		{"梨树县", County, []string{"梨树"}},
		{"双辽市", County, []string{"双辽"}},
		{"铁西区", County, []string{"铁西"}},
		{"鄂温克族自治旗", County, []string{"鄂温克旗", "鄂温克"}},
		{"鄂伦春自治旗", County, []string{"鄂伦春旗", "鄂伦春"}},
		{"莫力达瓦达斡尔族自治旗", County, []string{"莫力达瓦旗", "莫力达瓦"}},
		{"和县", County, nil},
		{"管城回族区", County, []string{"管城区", "管城"}},
		{"梅里斯达斡尔族区", County, []string{"梅里斯区", "梅里斯"}},
		{"龙胜各族自治县", County, []string{"龙胜县", "龙胜"}},
		{"城区", County, nil},
		{"矿区", County, nil},
		{"沙县区", County, []string{"沙县"}},
		{"长阳土家族自治县", County, []string{"长阳县", "长阳"}},
		{"孟村回族自治县", County, []string{"孟村县", "孟村"}},
		{"大厂回族自治县", County, []string{"大厂县", "大厂"}},
		{"积石山保安族东乡族撒拉族自治县", County, []string{"积石山县", "积石山"}},
		{"民和回族土族自治县", County, []string{"民和县", "民和"}},
		{"塔什库尔干塔吉克自治县", County, []string{"塔什库尔干县", "塔什库尔干"}},
		{"察布查尔锡伯自治县", County, []string{"察布查尔县", "察布查尔"}},
		{"木垒哈萨克自治县", County, []string{"木垒县", "木垒"}},
		{"和布克赛尔蒙古自治县", County, []string{"和布克赛尔县", "和布克赛尔"}},
		{"三江侗族自治县", County, []string{"三江县", "三江"}},
		{"神农架林区", County, []string{"神农架"}},
		{"六枝特区", County, []string{"六枝"}},
		{"浦东新区", County, []string{"浦东"}},
		{"朝阳区", County, []string{"朝阳"}},
		{"鼓楼区", County, []string{"鼓楼"}},
		{"安吉县", County, []string{"安吉"}},
		{"东方市", County, []string{"东方"}},
		{"科尔沁左翼中旗", County, []string{"科尔沁左翼中"}},
		// Prefectures.
		{"延边朝鲜族自治州", Prefecture, []string{"延边州", "延边"}},
		{"四平市", Prefecture, []string{"四平"}},
		{"湘西土家族苗族自治州", Prefecture, []string{"湘西州", "湘西"}},
		{"黔东南苗族侗族自治州", Prefecture, []string{"黔东南州", "黔东南"}},
		{"巴音郭楞蒙古自治州", Prefecture, []string{"巴音郭楞州", "巴音郭楞"}},
		{"克孜勒苏柯尔克孜自治州", Prefecture, []string{"克孜勒苏州", "克孜勒苏"}},
		{"伊犁哈萨克自治州", Prefecture, []string{"伊犁州", "伊犁"}},
		{"大兴安岭地区", Prefecture, []string{"大兴安岭"}},
		{"阿拉善盟", Prefecture, []string{"阿拉善"}},
		{"吉林市", Prefecture, []string{"吉林"}},
		// Provinces.
		{"吉林省", Province, []string{"吉林"}},
		{"内蒙古自治区", Province, []string{"内蒙古"}},
		{"广西壮族自治区", Province, []string{"广西"}},
		{"新疆维吾尔自治区", Province, []string{"新疆"}},
		{"宁夏回族自治区", Province, []string{"宁夏"}},
		{"西藏自治区", Province, []string{"西藏"}},
		{"北京市", Province, []string{"北京"}},
		{"香港特别行政区", Province, []string{"香港"}},
		{"台湾省", Province, []string{"台湾"}},
		// Townships have none.
		{"叶赫满族镇", Township, nil},
		{"营城子镇", Township, nil},
	} {
		if got := ShortNames(c.name, c.level); !slices.Equal(got, c.want) {
			t.Errorf("ShortNames(%s, %v) = %q, want %q", c.name, c.level, got, c.want)
		}
	}
}

// TestShortNamesAllUnits checks the rule over all the data: no short name
// is under two characters, none equals its full name, every 自治 unit has
// one, and none keeps 自治 or 族.
func TestShortNamesAllUnits(t *testing.T) {
	g := mustDefault(t)
	for _, u := range g.Units() {
		for _, s := range u.Short {
			if len([]rune(s)) < 2 || s == u.Name {
				t.Errorf("%s %s: short name %q", u.Code, u.Name, s)
			}
			if containsAny(s, "自治", "族") {
				t.Errorf("%s %s: short name %q keeps 自治 or 族", u.Code, u.Name, s)
			}
		}
		if !u.Zone && u.Level != Township && containsAny(u.Name, "自治") && len(u.Short) == 0 {
			t.Errorf("%s %s: no short name", u.Code, u.Name)
		}
	}
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		for i := 0; i+len(x) <= len(s); i++ {
			if s[i:i+len(x)] == x {
				return true
			}
		}
	}
	return false
}
