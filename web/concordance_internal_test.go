package web

import (
	"slices"
	"testing"
)

func TestQuotedStrings(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{`"黑土地"`, []string{"黑土地"}},
		{`"黑土地" 保护 "黑土地" “梨树模式”`, []string{"黑土地", "梨树模式"}},
		{`-"总书记" "习近平"`, []string{"习近平"}},
		{`"黑土 保护"~5 "耕地"`, []string{"耕地"}},
		{`title:"满族" author:"李四" ("剪纸" OR 经济)`, []string{"剪纸"}},
		{`经济 满族`, nil},
		{`"未闭合`, nil},
		{`"" " "`, nil},
	} {
		if got := quotedStrings(tc.q); !slices.Equal(got, tc.want) {
			t.Errorf("quotedStrings(%q) = %q, want %q", tc.q, got, tc.want)
		}
	}
}
