package textnorm

import (
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"伊通滿族自治縣", "伊通满族自治县"},
		{"鐵東區 梨樹縣 雙遼市", "铁东区 梨树县 双辽市"},
		{"家長", "家长"},
		{"ＡＢＣ１２３", "abc123"},
		{"１０万余元", "10万余元"},
		{"Hello，World！", "hello,world!"},
		{"全角\u3000空格", "全角 空格"},
		{"ｶﾀｶﾅ", "カタカナ"},
		{"already simplified 简体", "already simplified 简体"},
	}
	for _, tt := range tests {
		got := String(tt.in)
		if got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if utf8.RuneCountInString(got) != utf8.RuneCountInString(tt.in) {
			t.Errorf("String(%q) changed the rune count", tt.in)
		}
	}
}

func TestTableSize(t *testing.T) {
	// OpenCC's TSCharacters has about 4,100 entries; nearly all map one
	// traditional character to a different simplified one.
	if n := len(t2s()); n < 3000 {
		t.Fatalf("t2s table has %d entries, want at least 3000", n)
	}
}
