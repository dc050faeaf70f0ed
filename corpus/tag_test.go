package corpus

import (
	"os"
	"strings"
	"testing"

	"newsarchive/corpus/corpustest"
)

// realPageItems splits the real bulletin page crudely into its eight items
// (the page parser is tested elsewhere): each item starts at a known line;
// a "## " line right before a "### " line is a kicker, a "## ——" line a
// subtitle; the other lines, headings included, are body; credit lines
// (本报通讯员) are dropped.
func realPageItems(t *testing.T) []Article {
	t.Helper()
	data, err := os.ReadFile(corpustest.RealPage(t))
	if err != nil {
		t.Fatal(err)
	}
	starts := []string{
		"# 强化教育教学研培",
		"## 统筹调配 夯实责任",
		"## 传承革命精神 践行初心使命",
		"## 创新理论宣讲 力求入脑入心",
		"## 强基固本 规范提升",
		"## 新征程 青山环绕 新时代 绿水长流",
		"日前,铁东区以",
		"为深入学习贯彻省第十二次党代会精神,近日",
	}
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	var items []Article
	next := 0
	for i, l := range lines {
		if next < len(starts) && strings.HasPrefix(l, starts[next]) {
			kind := KindArticle
			if next >= 6 {
				kind = KindPhoto
			}
			items = append(items, Article{Kind: kind, Ordinal: next + 1, Date: "2022-07-01"})
			next++
		}
		if len(items) == 0 {
			continue
		}
		a := &items[len(items)-1]
		text := strings.TrimSpace(strings.TrimLeft(l, "#"))
		switch {
		case strings.HasPrefix(l, "本报通讯员"):
		case strings.HasPrefix(l, "# "):
			a.Title = text
		case strings.HasPrefix(l, "## ——"):
			a.Subtitle = strings.TrimPrefix(text, "——")
		case strings.HasPrefix(l, "## ") && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "### "):
			a.Kicker = text
		case strings.HasPrefix(l, "### ") && a.Title == "":
			a.Title = text
		default:
			if a.Body != "" {
				a.Body += "\n"
			}
			a.Body += text
		}
	}
	if len(items) != len(starts) {
		t.Fatalf("real page: found %d of %d items", len(items), len(starts))
	}
	return items
}

func TestTagDebug(t *testing.T) {
	tg, err := DefaultTagger()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range realPageItems(t) {
		ex := tg.Apply(&a)
		t.Logf("#%d k=%q t=%q s=%q → %v %v", a.Ordinal, a.Kicker, a.Title, a.Subtitle, a.Counties, a.Topics)
		for _, s := range ex.County {
			t.Logf("   county %s %.2f %v", s.Value, s.Score, s.Evidence)
		}
		for _, s := range ex.Topic {
			t.Logf("   topic %s %.2f %v", s.Value, s.Score, s.Evidence)
		}
	}
}
