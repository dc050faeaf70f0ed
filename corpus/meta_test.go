package corpus

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestMetaFromFileName(t *testing.T) {
	tests := []struct {
		name string
		want Meta
	}{
		{"20230415.txt", Meta{Date: "2023-04-15"}},
		{"2023-04-15.txt", Meta{Date: "2023-04-15"}},
		{"xwlb-20220924.txt", Meta{Date: "2022-09-24"}},
		{"sprb-20230415-p2.txt", Meta{Date: "2023-04-15", Page: "2"}},
		{"2023-04-15_02.txt", Meta{Date: "2023-04-15", Page: "2"}},
		{"四平日报2023-04-15第3版.txt", Meta{Date: "2023-04-15", Page: "3"}},
		{"P12.md", Meta{Page: "12"}},
		{"000_23e23115af799f35.txt", Meta{}},
		{"20231345.txt", Meta{}},         // no 13th month
		{"report-123456789.txt", Meta{}}, // digits, not a date
		{"photo.txt", Meta{}},            // "p" inside a word is not a page
		{"2023-02-29.txt", Meta{}},       // not a leap year
		{"dir/20240229_01.txt", Meta{Date: "2024-02-29", Page: "1"}},
	}
	for _, tt := range tests {
		if got := MetaFromFileName(tt.name); got != tt.want {
			t.Errorf("MetaFromFileName(%q) = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestNormalizeDate(t *testing.T) {
	good := map[string]string{
		"2023-04-15": "2023-04-15", "2023/4/5": "2023-04-05", "2023.04.05": "2023-04-05",
		"20230405": "2023-04-05", "2023年4月5日": "2023-04-05", " 2022-9-24 ": "2022-09-24",
	}
	for in, want := range good {
		if got, err := NormalizeDate(in); err != nil || got != want {
			t.Errorf("NormalizeDate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "yesterday", "2023-13-01", "2023-02-30", "23-04-05", "0001-01-01", "1799-12-31", "2201-01-01"} {
		if got, err := NormalizeDate(in); err == nil {
			t.Errorf("NormalizeDate(%q) = %q, want an error", in, got)
		}
	}
}

func TestManifest(t *testing.T) {
	m, err := parseManifest(strings.NewReader("path,paper,date,page\n2022/a.txt,四平日报,2022/6/1,03\n\"b c.txt\",新闻联播,,\n"), "manifest.csv")
	if err != nil {
		t.Fatal(err)
	}
	want := Manifest{"2022/a.txt": {Meta: Meta{Paper: "四平日报", Date: "2022-06-01", Page: "3"}}, "b c.txt": {Meta: Meta{Paper: "新闻联播"}}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("manifest = %+v, want %+v", m, want)
	}
	_, err = parseManifest(strings.NewReader("path,paper,date,page\na.txt,x,2022-02-31,1\n"), "manifest.csv")
	if err == nil || !strings.HasPrefix(err.Error(), "manifest.csv:2: ") {
		t.Errorf("bad date: err = %v, want manifest.csv:2: …", err)
	}
	_, err = parseManifest(strings.NewReader("file,paper\n"), "manifest.csv")
	if err == nil || !strings.Contains(err.Error(), `no "path" column`) {
		t.Errorf("bad header: err = %v", err)
	}
}

// TestDateRange checks that every date a record may get, from front
// matter, a manifest or a file name, is within MinDate..MaxDate: one
// outside is left empty with a warning naming the file and line, and never
// guessed; the ends of the range are kept.
func TestDateRange(t *testing.T) {
	tests := []struct {
		name     string
		front    string // front matter date line, "" for none
		manifest string // the manifest's date for the file, "" for no manifest
		file     string // the file's name
		wantDate string
		wantWarn string // "path:line: message" of the one warning, "" for none
	}{
		{name: "front matter, first day", front: "1800-01-01", file: "a.txt", wantDate: "1800-01-01"},
		{name: "front matter, last day", front: "2200-12-31", file: "a.txt", wantDate: "2200-12-31"},
		{name: "front matter, year 1", front: "0001-01-01", file: "a.txt",
			wantWarn: "a.txt:3: front matter date 0001-01-01 is outside 1800–2200 (left empty)"},
		{name: "front matter, day before", front: "1799/12/31", file: "a.txt",
			wantWarn: "a.txt:3: front matter date 1799-12-31 is outside 1800–2200 (left empty)"},
		{name: "front matter, year 9999", front: "9999年12月31日", file: "a.txt",
			wantWarn: "a.txt:3: front matter date 9999-12-31 is outside 1800–2200 (left empty)"},
		{name: "front matter, day after", front: "2201-01-01", file: "a.txt",
			wantWarn: "a.txt:3: front matter date 2201-01-01 is outside 1800–2200 (left empty)"},
		{name: "front matter outside, file name not guessed from", front: "1677-01-01", file: "2022-06-15.txt",
			wantDate: "2022-06-15", wantWarn: "2022-06-15.txt:3: front matter date 1677-01-01 is outside 1800–2200 (left empty)"},
		{name: "manifest, in range", manifest: "2200-12-31", file: "a.txt", wantDate: "2200-12-31"},
		{name: "manifest, year 1", manifest: "0001-01-01", file: "a.txt",
			wantWarn: "manifest.csv:2: manifest date 0001-01-01 is outside 1800–2200 (left empty)"},
		{name: "manifest, 1677", manifest: "1677/1/1", file: "a.txt",
			wantWarn: "manifest.csv:2: manifest date 1677-01-01 is outside 1800–2200 (left empty)"},
		{name: "file name, in range", file: "18000101.txt", wantDate: "1800-01-01"},
		{name: "file name, year 1", file: "0001-01-01_02.txt",
			wantWarn: "0001-01-01_02.txt:1: file name date 0001-01-01 is outside 1800–2200 (left empty)"},
		{name: "file name, 1799", file: "sprb-17991231-p2.txt",
			wantWarn: "sprb-17991231-p2.txt:1: file name date 1799-12-31 is outside 1800–2200 (left empty)"},
		{name: "file name, 9999", file: "99991231.txt",
			wantWarn: "99991231.txt:1: file name date 9999-12-31 is outside 1800–2200 (left empty)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			text := "### 标题\n正文。\n"
			if tt.front != "" {
				text = "---\npaper: 四平日报\ndate: " + tt.front + "\n---\n" + text
			}
			path := filepath.Join(dir, tt.file)
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			if tt.manifest != "" {
				m := "path,paper,date,page\n" + tt.file + ",四平日报," + tt.manifest + ",1\n"
				if err := os.WriteFile(filepath.Join(dir, ManifestName), []byte(m), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			files, err := FindFiles(dir)
			if err != nil || len(files) != 1 {
				t.Fatalf("FindFiles: %v, %v", files, err)
			}
			res := NewParser(nil).ParseFile(files[0])
			if res.Skipped || len(res.Items) != 1 {
				t.Fatalf("skipped %v, %d items, problems %v", res.Skipped, len(res.Items), res.Problems)
			}
			if got := res.Items[0].Date; got != tt.wantDate {
				t.Errorf("date %q, want %q", got, tt.wantDate)
			}
			var warns []string
			for _, p := range res.Problems {
				warns = append(warns, strings.TrimPrefix(p.Error(), dir+string(filepath.Separator)))
			}
			var want []string
			if tt.wantWarn != "" {
				want = []string{tt.wantWarn}
			}
			if !reflect.DeepEqual(warns, want) {
				t.Errorf("problems %q, want %q", warns, want)
			}
		})
	}
}
