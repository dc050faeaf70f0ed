package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"newsarchive/corpus"
	"newsarchive/corpus/corpustest"
)

// TestParseExplainPlaces: --explain names the name, field and rule behind
// each place, for the overlay's places and the national gazetteer's.
func TestParseExplainPlaces(t *testing.T) {
	dir := t.TempDir()
	page := "---\npaper: 新闻联播\ndate: 2024-05-01\npage: 1\n---\n\n### 浙江安吉白茶开采\n\n在浙江安吉,白茶开采。\n"
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path, code, rule string
	}{
		{filepath.Join(dir, "a.txt"), "330523", "adjacent"},
		{corpustest.RealPage(t), "220323", corpus.RuleOverlay},
	} {
		code, out, errOut := runCLI(t, "parse", "--explain", c.path)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.path, code, errOut)
		}
		var rec struct {
			Places  []corpus.Place
			Explain corpus.Explanation
		}
		if err := json.Unmarshal([]byte(strings.SplitN(out, "\n", 2)[0]), &rec); err != nil {
			t.Fatal(err)
		}
		if len(rec.Places) == 0 || rec.Places[0].Code != c.code || len(rec.Explain.Places) != len(rec.Places) {
			t.Fatalf("%s: places %+v, explain %+v", c.path, rec.Places, rec.Explain.Places)
		}
		why := rec.Explain.Places[0].Why
		if len(why) == 0 || why[0].Rule != c.rule || why[0].Field == "" || why[0].Text == "" {
			t.Errorf("%s: why %+v, want rule %s with field and text", c.path, why, c.rule)
		}
	}
}

func TestPlacesLookup(t *testing.T) {
	code, out, errOut := runCLI(t, "places", "lookup", "鼓楼区", "220323")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 5 || !strings.Contains(out, "鼓楼区\t350102\tcounty\t鼓楼区（福州）\t福州市\t福建省") || !strings.Contains(out, "220323\t220323\tcounty\t伊通满族自治县\t四平市\t吉林省") {
		t.Errorf("output:\n%s", out)
	}
	code, _, errOut = runCLI(t, "places", "lookup", "不存在县")
	if code != 1 || !strings.Contains(errOut, "不存在县: no place") {
		t.Errorf("unknown name: exit %d, stderr %q", code, errOut)
	}
}

// TestPlacesEval runs the evaluation command on a small corpus it can
// check by hand: one right tag, one miss.
func TestPlacesEval(t *testing.T) {
	dir := t.TempDir()
	page := "---\npaper: 新闻联播\ndate: 2024-05-01\npage: 1\n---\n\n### 福州市鼓楼区开展活动\n\n福州市鼓楼区开展活动。\n\n### 天河路商圈\n\n广州天河路商圈客流如织。\n"
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "places", "eval", "--json", dir)
	var r struct {
		Items, CountyTags, RecallGold, RecallHit, Supported, TrapTags int
		Met                                                           bool `json:"targets_met"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("exit %d, %v: %s %s", code, err, out, errOut)
	}
	// 广州天河路: 天河区 named right after 广州 but read as a road: a miss.
	if r.Items != 2 || r.CountyTags != 1 || r.Supported != 1 || r.RecallGold != 2 || r.RecallHit != 1 || r.Met {
		t.Errorf("report %+v", r)
	}
	if code != 1 || !strings.Contains(errOut, "recall 50.0% < 95%") {
		t.Errorf("exit %d, stderr %q: want 1 and the missed target", code, errOut)
	}
}
