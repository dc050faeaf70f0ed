package web_test

import (
	"testing"

	"newsarchive/web"
)

func TestCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"":                   "",
		"伊通":                 "伊通",
		"=HYPERLINK(1)":      "'=HYPERLINK(1)",
		"+1":                 "'+1",
		"-1":                 "'-1",
		"@SUM(A1)":           "'@SUM(A1)",
		"\tx":                "'\tx",
		"\rx":                "'\rx",
		"＝HYPERLINK(1)":      "'＝HYPERLINK(1)",
		"＋1":                 "'＋1",
		"－1":                 "'－1",
		"＠A":                 "'＠A",
		"a=b":                "a=b",
		"“=”":                "“=”",
		string([]byte{0xff}): string([]byte{0xff}),
	} {
		if got := web.CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
	}
}
