package opensearch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"newsarchive/corpus"
)

func TestWriter(t *testing.T) {
	arts := []corpus.Article{
		{ID: "a1", Source: "x/2023-01-02.txt", Ordinal: 1, Kind: corpus.KindArticle, Paper: "四平日报", Date: "2023-01-02", Page: "1",
			Title: "伊通满族自治县<script>", Body: "第一段。\n第二段 & 10万余元", Counties: []string{"伊通满族自治县"}, County: "伊通满族自治县"},
		{ID: "a2", Source: "x/undated.txt", Ordinal: 1, Kind: corpus.KindPhoto, Title: "无日期"},
	}
	var buf bytes.Buffer
	w := NewWriter(&buf, "")
	for i := range arts {
		if err := w.Write(&arts[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if w.Count() != 2 {
		t.Errorf("Count = %d", w.Count())
	}
	if err := w.Write(&corpus.Article{}); err == nil {
		t.Error("an article without id was written")
	}
	sc := bufio.NewScanner(&buf)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) != 4 {
		t.Fatalf("%d lines, want 4:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	for i := 0; i < len(lines); i += 2 {
		var act Action
		if err := json.Unmarshal([]byte(lines[i]), &act); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if act.Index.Index != DefaultIndexName || act.Index.ID != arts[i/2].ID {
			t.Errorf("line %d: action %+v", i+1, act)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(lines[i+1]), &doc); err != nil {
			t.Fatalf("line %d: %v", i+2, err)
		}
		if doc["id"] != arts[i/2].ID || doc["title"] != arts[i/2].Title || doc["body"] != arts[i/2].Body {
			t.Errorf("line %d: document %v", i+2, doc)
		}
	}
	if !strings.Contains(lines[1], `"month":"2023-01"`) || !strings.Contains(lines[1], "<script>") {
		t.Errorf("document line: %s", lines[1])
	}
	if strings.Contains(lines[3], `"date"`) || strings.Contains(lines[3], `"month"`) || !strings.Contains(lines[3], `"counties":[]`) {
		t.Errorf("an undated article's document has a date, or null lists: %s", lines[3])
	}
}
