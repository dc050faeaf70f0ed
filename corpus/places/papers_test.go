package places

import (
	"strings"
	"testing"
)

func TestDefaultPapers(t *testing.T) {
	p, err := DefaultPapers()
	if err != nil {
		t.Fatal(err)
	}
	for paper, want := range map[string]string{"四平日报": "2203", "吉林日报": "22", "新闻联播": National, "人民日报": National} {
		if got, ok := p.Home(paper); !ok || got != want {
			t.Errorf("Home(%s) = %q, %v; want %q", paper, got, ok, want)
		}
	}
	if _, ok := p.Home("未知日报"); ok {
		t.Error("an unlisted paper is listed")
	}
	// Home changes what counts: 梨树 is 梨树县 in 四平日报, nothing in 人民日报.
	g := mustDefault(t)
	home, _ := p.Home("四平日报")
	if got := codes(g.Resolve(home, body("梨树召开会议"))); got != "220322" {
		t.Errorf("四平日报: %s", got)
	}
	home, _ = p.Home("人民日报")
	if got := codes(g.Resolve(home, body("梨树召开会议"))); got != "" {
		t.Errorf("人民日报: %s", got)
	}
}

func TestLoadPapersErrors(t *testing.T) {
	g := mustDefault(t)
	for _, c := range []struct{ in, want string }{
		{"四平日报\t999999\n", "x:1: home 999999 is no province"},
		{"四平日报\tabc\n", "x:1: home \"abc\" is not a division code"},
		{"四平日报\n", "x:1: want paper<TAB>home"},
		{"a\t22\na\t22\n", "x:2: paper \"a\" listed twice"},
		{"a\t220323108\n", "x:1: home 220323108 is no province"},
	} {
		_, err := LoadPapers(strings.NewReader(c.in), "x", g)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.in, err, c.want)
		}
	}
}
