package corpus

import (
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
	for _, in := range []string{"", "yesterday", "2023-13-01", "2023-02-30", "23-04-05", "0001-01-01"} {
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
	want := Manifest{"2022/a.txt": {Paper: "四平日报", Date: "2022-06-01", Page: "3"}, "b c.txt": {Paper: "新闻联播"}}
	if len(m) != len(want) || m["2022/a.txt"] != want["2022/a.txt"] || m["b c.txt"] != want["b c.txt"] {
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
