package opensearch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"newsarchive/corpus"
)

type mappingBody struct {
	Settings struct {
		Analysis struct {
			CharFilter map[string]json.RawMessage `json:"char_filter"`
			Filter     map[string]json.RawMessage `json:"filter"`
			Tokenizer  map[string]json.RawMessage `json:"tokenizer"`
			Analyzer   map[string]struct {
				CharFilter []string `json:"char_filter"`
				Tokenizer  string   `json:"tokenizer"`
				Filter     []string `json:"filter"`
			} `json:"analyzer"`
		} `json:"analysis"`
	} `json:"settings"`
	Mappings struct {
		Dynamic    string `json:"dynamic"`
		Properties map[string]struct {
			Type           string `json:"type"`
			Analyzer       string `json:"analyzer"`
			SearchAnalyzer string `json:"search_analyzer"`
			Fields         map[string]struct {
				Type     string `json:"type"`
				Analyzer string `json:"analyzer"`
			} `json:"fields"`
		} `json:"properties"`
	} `json:"mappings"`
}

func TestMappingCoversTheDocument(t *testing.T) {
	var m mappingBody
	if err := json.Unmarshal(Mapping(), &m); err != nil {
		t.Fatalf("mapping is not JSON: %v", err)
	}
	if m.Mappings.Dynamic != "strict" {
		t.Errorf("dynamic = %q, want strict (a field the mapping lacks is an error, not a guess)", m.Mappings.Dynamic)
	}
	// Every field of the document is mapped, and nothing else.
	var docFields []string
	rt := reflect.TypeOf(Document{})
	for i := 0; i < rt.NumField(); i++ {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		docFields = append(docFields, name)
	}
	var mapped []string
	for name := range m.Mappings.Properties {
		mapped = append(mapped, name)
	}
	sort.Strings(docFields)
	sort.Strings(mapped)
	if !slices.Equal(docFields, mapped) {
		t.Errorf("document fields %v, mapped fields %v", docFields, mapped)
	}
	// The document carries every field of the record.
	ra := reflect.TypeOf(corpus.Article{})
	for i := 0; i < ra.NumField(); i++ {
		name, _, _ := strings.Cut(ra.Field(i).Tag.Get("json"), ",")
		if name != "-" && !slices.Contains(docFields, name) {
			t.Errorf("record field %q is not in the document", name)
		}
	}
	// Analyzers, and what they refer to, are defined (ik_* come with the
	// IK plugin).
	an := m.Settings.Analysis
	for _, f := range []string{"kicker", "title", "subtitle", "body"} {
		p := m.Mappings.Properties[f]
		if p.Type != "text" || p.Analyzer != "words" || p.SearchAnalyzer != "words_search" {
			t.Errorf("%s: %+v, want text analysed by words / words_search", f, p)
		}
		if p.Fields["x"].Analyzer != "exact_bigram" || p.Fields["x1"].Analyzer != "exact_char" {
			t.Errorf("%s: subfields %+v, want x (exact_bigram) and x1 (exact_char)", f, p.Fields)
		}
		for _, sub := range p.Fields {
			if _, ok := an.Analyzer[sub.Analyzer]; !ok {
				t.Errorf("%s: analyzer %q undefined", f, sub.Analyzer)
			}
		}
	}
	for name, a := range an.Analyzer {
		if _, ok := an.Tokenizer[a.Tokenizer]; !ok && !strings.HasPrefix(a.Tokenizer, "ik_") {
			t.Errorf("analyzer %s: tokenizer %q undefined", name, a.Tokenizer)
		}
		for _, f := range a.CharFilter {
			if _, ok := an.CharFilter[f]; !ok {
				t.Errorf("analyzer %s: char filter %q undefined", name, f)
			}
		}
		for _, f := range a.Filter {
			if _, ok := an.Filter[f]; !ok {
				t.Errorf("analyzer %s: filter %q undefined", name, f)
			}
		}
	}
	for _, f := range []string{"counties", "county", "topics", "topic", "authors", "paper", "month", "kind", "id"} {
		if got := m.Mappings.Properties[f].Type; got != "keyword" {
			t.Errorf("%s is %q, want keyword", f, got)
		}
	}
	if got := m.Mappings.Properties["date"].Type; got != "date" {
		t.Errorf("date is %q, want date", got)
	}
}

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
