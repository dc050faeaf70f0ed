package places

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// ethnicGroups are the names of the 56 recognised nationalities as they
// appear before 自治区, 自治州, 自治县 and 自治旗, longest first so that 土家族
// is tried before 土 and 哈萨克族 before 哈萨克. A name is stripped with its
// 族 (满族, 蒙古族); the few that official names also use without 族
// (蒙古自治州, 柯尔克孜自治州, 维吾尔自治区 …) are in ethnicBare.
var ethnicGroups = sortLongestFirst([]string{
	"蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶",
	"白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜",
	"水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗",
	"撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克",
	"俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春",
	"赫哲", "门巴", "珞巴", "基诺",
	"各", // 各族: 龙胜各族自治县, 隆林各族自治县
})

// ethnicBare are the ethnic names that official names use without 族
// (巴音郭楞蒙古自治州, 克孜勒苏柯尔克孜自治州, 新疆维吾尔自治区, 伊犁哈萨克自治州,
// 塔什库尔干塔吉克自治县, 察布查尔锡伯自治县, 鄂伦春自治旗). One-character names
// (回, 藏, 苗 …) are never stripped without 族: too many place names end in them.
var ethnicBare = sortLongestFirst([]string{"蒙古", "柯尔克孜", "哈萨克", "维吾尔", "塔吉克", "锡伯", "鄂伦春"})

func sortLongestFirst(s []string) []string {
	slices.SortStableFunc(s, func(a, b string) int { return utf8.RuneCountInString(b) - utf8.RuneCountInString(a) })
	return s
}

// Suffixes stripped by ShortNames, per level, longest first. 自治区, 自治州,
// 自治县 and 自治旗 are handled first with the ethnic names before them.
var (
	provinceSuffixes   = []string{"特别行政区", "省", "市"}
	prefectureSuffixes = []string{"地区", "市", "盟", "州"}
	countySuffixes     = []string{"新区", "林区", "特区", "县", "市", "区", "旗"}
)

// minShortRunes is the shortest a short name may be: 和县 stays 和县.
const minShortRunes = 2

// ShortNames returns the short names of a unit's official name by the
// package's rule (see the package documentation), most specific first:
//
//   - 自治区, 自治州, 自治县, 自治旗 are removed together with the ethnic
//     names in front of them, several if chained (湘西土家族苗族自治州 → 湘西,
//     鄂温克族自治旗 → 鄂温克旗, 鄂温克). If that would leave fewer than two
//     characters, the last ethnic name is kept without its 族 (鄂温克族自治旗 →
//     鄂温克; 鄂伦春自治旗 → 鄂伦春). A 自治州 also gets the base with 州
//     (延边州), a 自治县 the base with 县 (伊通县), a 自治旗 the base with 旗
//     (鄂温克旗): all three are in common use.
//   - A 民族区 (管城回族区) loses its ethnic names the same way and gets the
//     base with and without 区: 管城区, 管城.
//   - Otherwise one suffix of the level is removed: a province's 省, 市 or
//     特别行政区; a prefecture's 市, 地区, 盟 or 州; a county's 县, 市, 区, 旗,
//     林区, 特区 or 新区.
//   - A short name is never shorter than two characters (和县, 城区 and 矿区
//     have none) and never equals the full name.
//
// Townships and functional zones (开发区 …) have no short names: their
// official names are matched whole. ShortNames does not know which short
// names are also common words; the Gazetteer marks those.
func ShortNames(name string, level Level) []string {
	var out []string
	add := func(s string) {
		if utf8.RuneCountInString(s) >= minShortRunes && s != name && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if level == Township {
		return nil
	}
	for _, auto := range []string{"自治区", "自治州", "自治县", "自治旗"} {
		base, ok := strings.CutSuffix(name, auto)
		if !ok {
			continue
		}
		stripped, lastEthnic := stripEthnic(base)
		if utf8.RuneCountInString(stripped) < minShortRunes && lastEthnic != "" {
			stripped = lastEthnic // 鄂温克族自治旗 → 鄂温克
		}
		switch auto {
		case "自治州":
			add(stripped + "州")
		case "自治县":
			add(stripped + "县")
		case "自治旗":
			add(stripped + "旗")
		}
		add(stripped)
		return out
	}
	if base, ok := strings.CutSuffix(name, "族区"); ok && level == County {
		// A 民族区 (管城回族区, 梅里斯达斡尔族区): the ethnic names go as
		// before 自治县; 管城区 and 管城 are both in use.
		if stripped, _ := stripEthnic(base + "族"); stripped != base+"族" {
			add(stripped + "区")
			add(stripped)
			return out
		}
	}
	var suffixes []string
	switch level {
	case Province:
		suffixes = provinceSuffixes
	case Prefecture:
		suffixes = prefectureSuffixes
	case County:
		suffixes = countySuffixes
	}
	for _, suf := range suffixes {
		if base, ok := strings.CutSuffix(name, suf); ok {
			add(base)
			break
		}
	}
	return out
}

// stripEthnic removes ethnic names (with 族, or one of ethnicBare) from the
// end of base, as many as are chained, and returns what is left and the bare
// form of the last one removed (the first in reading order).
func stripEthnic(base string) (rest, last string) {
	for {
		found := false
		for _, e := range ethnicGroups {
			if b, ok := strings.CutSuffix(base, e+"族"); ok {
				base, last, found = b, e, true
				break
			}
		}
		if !found {
			for _, e := range ethnicBare {
				if b, ok := strings.CutSuffix(base, e); ok && utf8.RuneCountInString(b) >= minShortRunes {
					base, last, found = b, e, true
					break
				}
			}
		}
		if !found {
			return base, last
		}
		// 各族 as in 积石山保安族东乡族撒拉族自治县 needs no special case; 族 alone is not stripped.
	}
}
