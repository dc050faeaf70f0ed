package places

import (
	"testing"
)

func mustDefault(tb testing.TB) *Gazetteer {
	tb.Helper()
	g, err := Default()
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

func TestDefaultCounts(t *testing.T) {
	g := mustDefault(t)
	n := map[Level]int{}
	zones := 0
	for _, u := range g.Units() {
		n[u.Level]++
		if u.Zone {
			zones++
		}
	}
	// 2023 codes: 31 provinces + 台湾, 香港, 澳门; 333 prefectures; 2,974
	// county-level rows of which 4 are their prefecture itself (东莞 …)
	// and 124 functional zones; 41,352 townships.
	want := map[Level]int{Province: 34, Prefecture: 333, County: 2974, Township: 41352}
	for l, w := range want {
		if n[l] != w {
			t.Errorf("%v: %d units, want %d", l, n[l], w)
		}
	}
	if zones != 124 {
		t.Errorf("%d zones, want 124", zones)
	}
}

func TestUnits(t *testing.T) {
	g := mustDefault(t)
	for _, c := range []struct {
		code, name, pref, prov string
		level                  Level
	}{
		{"220323", "伊通满族自治县", "四平市", "吉林省", County},
		{"220323108", "营城子镇", "四平市", "吉林省", Township},
		{"2203", "四平市", "", "吉林省", Prefecture},
		{"22", "吉林省", "", "", Province},
		{"110105", "朝阳区", "", "北京市", County},       // under a municipality: no prefecture
		{"419001", "济源市", "", "河南省", County},       // 省直辖县级行政区划
		{"429004", "仙桃市", "", "湖北省", County},       // 省直辖县级行政区划
		{"659001", "石河子市", "", "新疆维吾尔自治区", County}, // 自治区直辖县级行政区划
		{"500229", "城口县", "", "重庆市", County},       // Chongqing's pseudo-prefecture 县
		{"81", "香港特别行政区", "", "", Province},
		{"82", "澳门特别行政区", "", "", Province},
		{"71", "台湾省", "", "", Province},
		{"220300", "四平市", "", "吉林省", Prefecture}, // 6-digit form of a prefecture code
		{"220000", "吉林省", "", "", Province},
	} {
		u, ok := g.Unit(c.code)
		if !ok {
			t.Errorf("%s: not found", c.code)
			continue
		}
		pref, prov := "", ""
		if u.Prefecture != nil {
			pref = u.Prefecture.Name
		}
		if u.Province != nil {
			prov = u.Province.Name
		}
		if u.Name != c.name || u.Level != c.level || pref != c.pref || prov != c.prov {
			t.Errorf("%s: %s %v pref %q prov %q, want %s %v %q %q", c.code, u.Name, u.Level, pref, prov, c.name, c.level, c.pref, c.prov)
		}
	}
	// 东莞市 has no county level: its townships are under the prefecture.
	u, ok := g.Unit("441900003")
	if !ok || u.County != nil || u.Prefecture == nil || u.Prefecture.Name != "东莞市" {
		t.Errorf("441900003: %+v", u)
	}
	// 441900, 东莞市 as its own county, is no unit: the code reads as the prefecture's.
	if u, _ := g.Unit("441900"); u == nil || u.Level != Prefecture || u.Name != "东莞市" {
		t.Errorf("441900: %+v, want the prefecture 东莞市", u)
	}
	if _, ok := g.Unit("1101"); ok {
		t.Errorf("1101 (北京's 市辖区) should be no unit")
	}
	if z, _ := g.Unit("220171"); z == nil || !z.Zone || len(z.Short) != 0 {
		t.Errorf("220171 (长春经济技术开发区) should be a zone without short names: %+v", z)
	}
}

func TestDisplayUnique(t *testing.T) {
	g := mustDefault(t)
	seen := map[string]string{}
	for _, u := range g.Units() {
		k := u.Display
		if u.Level == Township {
			k = "t:" + k
		}
		if o, dup := seen[k]; dup {
			t.Errorf("display %q of %s and %s", u.Display, u.Code, o)
		}
		seen[k] = u.Code
	}
	for code, want := range map[string]string{
		"350102": "鼓楼区（福州）", "320106": "鼓楼区（南京）", "320302": "鼓楼区（徐州）", "410204": "鼓楼区（开封）",
		"220323": "伊通满族自治县", "110105": "朝阳区（北京）", "220104": "朝阳区（长春）",
		"2202": "吉林市", "22": "吉林省",
	} {
		if u, _ := g.Unit(code); u == nil || u.Display != want {
			t.Errorf("%s: display %v, want %s", code, u, want)
		} else if b, ok := g.ByDisplay(want); !ok || b != u {
			t.Errorf("ByDisplay(%s) = %v", want, b)
		}
	}
}

func TestLookupAmbiguity(t *testing.T) {
	g := mustDefault(t)
	codes := func(name string) []string {
		var out []string
		for _, n := range g.Lookup(name) {
			out = append(out, n.Unit.Code+":"+n.Kind.String())
		}
		return out
	}
	for name, want := range map[string][]string{
		"吉林":      {"22:short", "2202:short"},
		"吉林省":     {"22:full"},
		"吉林市":     {"2202:full"},
		"鼓楼区":     {"320106:full", "320302:full", "350102:full", "410204:full"},
		"伊通":      {"220323:short"},
		"伊通县":     {"220323:short"},
		"伊通滿族自治縣": {"220323:full"},
		"和县":      {"340523:full"},
		"和":       nil,
	} {
		got := codes(name)
		if len(got) != len(want) {
			t.Errorf("Lookup(%s) = %v, want %v", name, got, want)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("Lookup(%s) = %v, want %v", name, got, want)
				break
			}
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(Sources{}); err != nil {
			b.Fatal(err)
		}
	}
}
