package analysis

import (
	"reflect"
	"testing"
)

func TestKeywords(t *testing.T) {
	text := "日前，铁东区召开全区农田排涝推进会。会议要求，全区各乡镇要抓紧排涝，确保作物正常生长和安全成熟。"
	got, err := Keywords(text, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"排涝", "全区", "铁东区"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Keywords: %v, want %v", got, want)
	}
	for range 5 {
		again, err := Keywords(text, 3)
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("Keywords is not deterministic: %v then %v (%v)", got, again, err)
		}
	}
	if got, _ := Keywords(text, 1); len(got) != 1 || got[0] != want[0] {
		t.Errorf("Keywords(1): %v", got)
	}
	if got, _ := Keywords("", 3); len(got) != 0 {
		t.Errorf("Keywords of nothing: %v", got)
	}
}
