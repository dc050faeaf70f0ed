package places

import (
	"encoding/json"
	"strings"
	"testing"
)

// codes returns the places' codes, best first.
func codes(ps []Place) string {
	var s []string
	for _, p := range ps {
		s = append(s, p.Code)
	}
	return strings.Join(s, ",")
}

func body(text string) Field { return Field{Name: "body", Text: text, Weight: 1} }

func TestResolve(t *testing.T) {
	g := mustDefault(t)
	for _, c := range []struct {
		home, text, want string
	}{
		// Inside the home area short names and townships count.
		{"220300", "梨树召开会议", "220322"},
		{"220300", "伊通营城子镇举行活动", "220323"},
		{"220300", "营城子镇举行活动", "220323"},
		{"220300", "铁西区召开会议", "220302"},
		{"220300", "四平召开会议", "2203"},
		// Outside it a short name needs its prefecture or province …
		{"", "梨树召开会议", ""},
		{"", "吉林梨树召开会议", "220322,22"},
		{"", "浙江安吉白茶", "330523,33"},
		{"", "安吉白茶", ""},
		// … an official name counts when it is unique in China …
		{"", "伊通满族自治县召开会议", "220323"},
		{"", "伊通滿族自治縣召開會議", "220323"},
		// … a shared one with its parent named.
		{"", "鼓楼区召开会议", ""},
		{"", "福州市鼓楼区召开会议", "350102,3501"},
		{"", "福建鼓楼区召开会议", "350102,35"},
		{"", "江苏鼓楼区召开会议", "32"}, // 南京 and 徐州: still two, only 江苏 counts
		{"", "南京鼓楼区", "320106,3201"},
		// A township outside home needs a parent named.
		{"", "营城子镇举行活动", ""},
		{"", "吉林省伊通县营城子镇", "220323,22"},
		// Prefectures and provinces alone.
		{"", "四平市召开会议", "2203"},
		{"", "延边朝鲜族自治州", "2224"},
		{"", "延边州", "2224"},
		{"", "延边", "2224"},
		{"", "吉林", "22"}, // 吉林省 and 吉林市: the outer
		{"", "吉林市", "2202"},
		{"", "内蒙古自治区", "15"},
		{"", "广西", "45"},
		{"", "抚顺", "2104"}, // 抚顺市, not its 抚顺县
		{"", "辽宁抚顺县", "210421,21"},
		{"", "香港", "81"},
		{"", "澳门特别行政区", "82"},
		{"", "台湾", "71"},
		// Overlapping names: the longer, then the higher level, then
		// the county's short name right after its parent.
		{"", "在青海民和县,当地", "630222,63"},           // not 和县 (安徽)
		{"", "普洱市澜沧县阿里村", "530828,5308"},         // not 沧县 (河北), nor 阿里地区 (a village)
		{"", "黑龙江漠河北极村", "232701,23"},            // 漠河, not 河北
		{"", "从江西井冈山到陕西延安", "360881,6106,36,61"}, // 江西, not 从江县
		{"", "长江国家文化公园九江城区段", "3604"},            // 九江, not 阳江's 江城区
		{"", "在南阳镇平县,联合收割机", "411324,4113"},      // 镇平县, not the township 南阳镇
		{"", "在山东青岛市南区", "3702,37"},              // read as 青岛市 + 南区: 市南区 is missed
		// Townships: the most specific named parent decides.
		{"", "深入重庆万州长滩镇、走马镇群众集中安置点", "500101,50"}, // 万州's 走马镇, not 九龙坡's
		// Context: same sentence, names that stand alone; features.
		{"", "位于江汉平原腹地的荆州是湖北", "4210,42"},
		{"", "雄安新区:未来之城", ""},
		{"", "东至安徽省黄山市", "3410,34"},
		{"", "松花江、嫩江等干流防洪压力增大", ""},
		{"", "在陕西延安宝塔山下", "610602,6106,61"}, // adjacent: 宝塔山 is in 宝塔区
		{"", "赴天山", ""},
		{"", "新疆伊宁发起", "65"}, // 伊宁市 or 伊宁县: ambiguous
		{"", "浙江有松阳、兰溪、建德三地", "331124,330781,330182,33"},
		{"", "江西南昌。安吉县", "330523,3601,36"},
		{"", "浙江。安吉白茶", "33"}, // another sentence: no context
		// 和县 stays 和县: no 1-character name.
		{"", "安徽和县", "340523,34"},
		{"", "和谐社会", ""},
	} {
		got := codes(g.Resolve(c.home, body(c.text)))
		if got != c.want {
			t.Errorf("Resolve(%q, %q) = %s, want %s", c.home, c.text, got, c.want)
		}
	}
}

// TestTrapWords: words that hold a place name and are no place tag nothing.
func TestTrapWords(t *testing.T) {
	g := mustDefault(t)
	for _, text := range []string{
		"维护世界和平", "和平发展", "新华社", "新华社记者", "新华网", "长安汽车发布新车", "东方航空开通航线",
		"朝阳产业", "安宁祥和", "永定河治理", "城区道路", "郊区农民", "经济开发区建设", "开发区",
		"东方市场", "和平区域", "中方表示", "大兴调查研究之风", "绿水青山就是金山银山", "长治久安",
		"江南水乡", "天下太平", "江山就是人民", "新华书店", "新城建设", "城关镇", "太平洋",
		"中山大学", "孙中山", "北海道", "一路平安", "合作共赢", "资源节约", "前进方向",
	} {
		if ps := g.Resolve("", Field{Name: "title", Text: text, Weight: 10}); len(ps) != 0 {
			t.Errorf("%q: %s (%+v)", text, codes(ps), ps[0].Why)
		}
	}
	// A dateline names its place, not the agency's.
	if ps := g.Resolve("", body("新华社北京电")); codes(ps) != "11" {
		t.Errorf("新华社北京电: %s", codes(ps))
	}
	// Inside its home area a common word still does not tag a county when
	// it is a word: 和平 in a Tianjin paper is 和平区 only by its full name …
	if ps := g.Resolve("12", body("和平区召开会议")); codes(ps) != "120101" {
		t.Errorf("天津 home, 和平区: %s", codes(ps))
	}
	// … and the common full name 城区 counts right after its prefecture.
	if ps := g.Resolve("", body("阳泉市城区")); codes(ps) != "140302,1403" {
		t.Errorf("阳泉市城区: %s", codes(ps))
	}
}

// TestPlaceJSON: the record shape and the explanation of a place.
func TestPlaceJSON(t *testing.T) {
	g := mustDefault(t)
	ps := g.Resolve("", Field{Name: "title", Text: "吉林伊通满族自治县营城子镇", Weight: 10})
	if len(ps) != 2 {
		t.Fatalf("%s", codes(ps))
	}
	b, err := json.Marshal(ps[0])
	if err != nil {
		t.Fatal(err)
	}
	want := `{"code":"220323","name":"伊通满族自治县","level":"county","prefecture":"四平市","province":"吉林省","display":"伊通满族自治县","score":50,"why":[{"field":"title","text":"伊通满族自治县","kind":"full","rule":"adjacent","via":"吉林","count":1,"weight":30},{"field":"title","text":"营城子镇","kind":"township","rule":"adjacent","via":"营城子镇 \u003c 伊通满族自治县","count":1,"weight":20}]}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
	if ps[1].Code != "22" || ps[1].Level != "province" || ps[1].Why[0].Rule != RuleTop {
		t.Errorf("second place %+v", ps[1])
	}
}
