package index

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"newsarchive/corpus"
)

// checkScan encodes a record as the index stores it and checks that
// scanObject finds its text fields, that decode gives them back, and that
// a search of the encoded text for a run without ASCII characters counts
// what a search of the decoded text counts.
func checkScan(t *testing.T, a corpus.Article, runs ...string) {
	t.Helper()
	raw, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var want struct{ Kicker, Title, Subtitle, Body string }
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	got := map[string]jsonText{}
	if !scanObject(raw, func(key []byte, val jsonText) { got[string(key)] = val }) {
		t.Fatalf("scanObject(%s) failed", raw)
	}
	for key, w := range map[string]string{"kicker": want.Kicker, "title": want.Title, "subtitle": want.Subtitle, "body": want.Body} {
		v := got[key]
		if dec := string(v.decode()); dec != w {
			t.Errorf("%s: decoded %q, want %q (encoded %q)", key, dec, w, v.enc)
		}
		for _, run := range runs {
			if strings.IndexFunc(run, func(r rune) bool { return r < utf8.RuneSelf }) >= 0 {
				continue
			}
			if n, m := bytes.Count(v.enc, []byte(run)), strings.Count(w, run); n != m {
				t.Errorf("%s: %q counted %d times in the encoded text, %d in the text", key, run, n, m)
			}
		}
	}
}

func TestScanObject(t *testing.T) {
	checkScan(t, corpus.Article{ID: "x", Title: "标题", Body: "甲乙丙。\n\n丁戊己"}, "乙丙", "丙丁")
	checkScan(t, corpus.Article{
		Kicker:   `"引号" \ 反斜杠`,
		Title:    "<b>&amp;</b>\u2028行\u2029段",
		Subtitle: "\x00\x1f控制\t字符",
		Body:     "无效\xff字节\n第二段，“双减”政策",
		Authors:  []string{"作者", `"x"`},
		Counties: []string{"铁东区"},
		Ordinal:  -12,
	}, "引号", "反斜杠", "行段", "控制", "字节", "双减")
	checkScan(t, corpus.Article{})

	for _, bad := range []string{``, `[]`, `{`, `{"a"}`, `{"a":"x`, `{"a":[1,2}`, `{"a":1 "b":2}`, `"x"`} {
		if scanObject([]byte(bad), func([]byte, jsonText) {}) {
			t.Errorf("scanObject(%q) = true", bad)
		}
	}
	if !scanObject([]byte(` { "a" : [ {"b":"}"} , "]" ] , "c" : null , "d":"e" } `), func(k []byte, v jsonText) {
		if string(k) != "d" || string(v.enc) != "e" {
			t.Errorf("key %q = %q", k, v.enc)
		}
	}) {
		t.Errorf("scanObject of nested values failed")
	}
}

func FuzzScanObject(f *testing.F) {
	f.Add("标题", "正文\n第二段", `"x" <y> & \z`)
	f.Add("", "\xff\u2028", "")
	f.Fuzz(func(t *testing.T, title, body, kicker string) {
		checkScan(t, corpus.Article{Title: title, Body: body, Kicker: kicker, Authors: []string{kicker}}, "第二", "正文")
	})
}
