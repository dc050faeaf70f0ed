package opensearch

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"newsarchive/corpus"
	"newsarchive/corpus/corpustest"
	"newsarchive/index"
	"newsarchive/index/analysis"
)

type mappingBody struct {
	Settings struct {
		Analysis struct {
			Tokenizer map[string]json.RawMessage `json:"tokenizer"`
			Analyzer  map[string]struct {
				CharFilter []string `json:"char_filter"`
				Tokenizer  string   `json:"tokenizer"`
				Filter     []string `json:"filter"`
			} `json:"analyzer"`
		} `json:"analysis"`
	} `json:"settings"`
	Mappings struct {
		Dynamic string `json:"dynamic"`
		Source  struct {
			Excludes []string `json:"excludes"`
		} `json:"_source"`
		Properties map[string]struct {
			Type          string `json:"type"`
			Analyzer      string `json:"analyzer"`
			IndexOptions  string `json:"index_options"`
			Index         *bool  `json:"index"`
			Properties    map[string]json.RawMessage
			SearchAnalyer string `json:"search_analyzer"`
		} `json:"properties"`
	} `json:"mappings"`
}

// TestMappingNeedsNoPlugin checks the mapping against what a stock node
// has (analysis-common) and the document.
func TestMappingNeedsNoPlugin(t *testing.T) {
	var m mappingBody
	if err := json.Unmarshal(Mapping(), &m); err != nil {
		t.Fatalf("mapping is not JSON: %v", err)
	}
	if m.Mappings.Dynamic != "strict" {
		t.Errorf("dynamic = %q, want strict (a field the mapping lacks is an error, not a guess)", m.Mappings.Dynamic)
	}
	// Every field of the document is mapped, and nothing else.
	var docFields, derived []string
	rt := reflect.TypeOf(Document{})
	for i := 0; i < rt.NumField(); i++ {
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		docFields = append(docFields, name)
		if strings.HasPrefix(name, "head_") || strings.HasPrefix(name, "body_") {
			derived = append(derived, name)
		}
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
	// The analysis the archive does for the engine stays in _source, so
	// that an update can copy a generation's documents with _reindex;
	// searches leave it out of their answers (sourceExcludes).
	if len(m.Mappings.Source.Excludes) > 0 {
		t.Errorf("_source excludes %v: _reindex would copy documents without them", m.Mappings.Source.Excludes)
	}
	sort.Strings(derived)
	ex := slices.Clone(sourceExcludes)
	sort.Strings(ex)
	if !slices.Equal(derived, ex) {
		t.Errorf("searches leave out %v of _source, want the derived fields %v", ex, derived)
	}
	// The document carries every field of the record.
	ra := reflect.TypeOf(corpus.Article{})
	for i := 0; i < ra.NumField(); i++ {
		name, _, _ := strings.Cut(ra.Field(i).Tag.Get("json"), ",")
		if name != "-" && !slices.Contains(docFields, name) {
			t.Errorf("record field %q is not in the document", name)
		}
	}
	// Only built-in tokenizers and analysis-common filters, no char
	// filter: the folding is the archive's.
	an := m.Settings.Analysis
	if len(an.Tokenizer) != 0 {
		t.Errorf("custom tokenizers %v: the exact fields are cut by the archive", an.Tokenizer)
	}
	stock := map[string]bool{"whitespace": true, "standard": true, "cjk_width": true, "lowercase": true, "cjk_bigram": true}
	for name, a := range an.Analyzer {
		if !stock[a.Tokenizer] || len(a.CharFilter) > 0 {
			t.Errorf("analyzer %s: tokenizer %q, char filters %v", name, a.Tokenizer, a.CharFilter)
		}
		for _, f := range a.Filter {
			if !stock[f] {
				t.Errorf("analyzer %s: filter %q is not stock", name, f)
			}
		}
	}
	if a := an.Analyzer["tokens"]; a.Tokenizer != "whitespace" || len(a.Filter) != 0 {
		t.Errorf("analyzer tokens = %+v, want the whitespace tokenizer alone", a)
	}
	for _, f := range []string{"head_x", "body_x"} {
		if p := m.Mappings.Properties[f]; p.Analyzer != "tokens" || p.IndexOptions != "positions" {
			t.Errorf("%s: %+v, want tokens with positions", f, p)
		}
	}
	for _, f := range []string{"head_c", "body_c"} {
		if p := m.Mappings.Properties[f]; p.Analyzer != "tokens" || p.IndexOptions != "freqs" {
			t.Errorf("%s: %+v, want tokens with frequencies (a character's occurrences score)", f, p)
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

// TestExactTokensAreBleves checks that the tokens sent for the *_x fields
// are, in order, the terms of the Bleve index's bigram analyzer, and
// those of *_c its distinct characters, on real xwlb text and on the
// characters the issue lists.
func TestExactTokensAreBleves(t *testing.T) {
	an := bleve.NewIndexMapping().AnalyzerNamed(analysis.BigramAnalyzer)
	if an == nil {
		t.Fatal("no bigram analyzer")
	}
	texts := []string{
		"二〇二四年〇点", "第Ⅻ届 ＡＢＣ abc 臺灣 台湾", "教育、科技\n其才\n尽", "a", "", "！！", "林 火势 新\n高端", "𠮷野家 ①② x²",
		"İstanbul ß Ωmega", "\ufeff零\u200b一", "a\u3000b",
	}
	texts = append(texts, corpustest.Paragraphs(t, 200)...)
	for _, s := range texts {
		var want, chars []string
		seen := map[string]bool{}
		for _, tk := range an.Analyze([]byte(s)) {
			want = append(want, string(tk.Term))
		}
		for _, tk := range bleve.NewIndexMapping().AnalyzerNamed(analysis.UnigramAnalyzer).Analyze([]byte(s)) {
			if !seen[string(tk.Term)] {
				seen[string(tk.Term)] = true
				chars = append(chars, string(tk.Term))
			}
		}
		bg, ch := ExactTokens(s)
		if got := strings.Fields(bg); !slices.Equal(got, want) {
			t.Errorf("%q: bigram tokens\n%v\nBleve\n%v", s, got, want)
		}
		if got := strings.Fields(ch); !slices.Equal(got, chars) {
			t.Errorf("%q: chars %v, Bleve %v", s, got, chars)
		}
		// Whitespace is all the engine splits at: no token holds any.
		if strings.Contains(bg, "  ") || strings.HasPrefix(bg, " ") || strings.HasSuffix(bg, " ") {
			t.Errorf("%q: tokens %q not single-spaced", s, bg)
		}
	}
}

// TestExactClause checks the decision of one character or more on the
// folded runs.
func TestExactClause(t *testing.T) {
	for _, tc := range []struct {
		q, want string
	}{
		{"〇", `{"bool":{"minimum_should_match":1,"should":[{"term":{"head_c":"〇"}},{"term":{"body_c":"〇"}}]}}`},
		{"二〇", `{"bool":{"minimum_should_match":1,"should":[{"term":{"head_x":"二〇"}},{"term":{"body_x":"二〇"}}]}}`},
		{"ＡＢＣ", `{"bool":{"minimum_should_match":1,"should":[{"match_phrase":{"head_x":{"query":"ab bc","slop":0}}},{"match_phrase":{"body_x":{"query":"ab bc","slop":0}}}]}}`},
		{"臺", `{"bool":{"minimum_should_match":1,"should":[{"term":{"head_c":"台"}},{"term":{"body_c":"台"}}]}}`},
	} {
		c, err := exactClause(tc.q, ScopeAll)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(c)
		if string(b) != tc.want {
			t.Errorf("%s: %s\nwant %s", tc.q, b, tc.want)
		}
	}
	c, _ := exactClause("教育、科技", ScopeHead)
	if b, _ := json.Marshal(c); string(b) != `{"bool":{"filter":[{"term":{"head_x":"教育"}},{"term":{"head_x":"科技"}}]}}` {
		t.Errorf("教育、科技 in the head: %s", b)
	}
	for _, q := range []string{"Ⅻ", "！？", " ", "①"} {
		if _, err := exactClause(q, ScopeAll); err != ErrNoSearchable {
			t.Errorf("%q: %v, want ErrNoSearchable", q, err)
		}
	}
}

// TestRankingAsEmbedded checks that the cluster ranks with the embedded
// engine's parameters.
func TestRankingAsEmbedded(t *testing.T) {
	r := index.DefaultRanking
	if r.HeadBoost != headBoost || r.ExactHeadBoost != exactHeadBoost || r.ExactWeight != exactWeight || r.PhraseWords != phraseWords || !r.ExactByLength {
		t.Errorf("index.DefaultRanking %+v, the cluster's: head %v, exact head %v, exact %v, phrase words %v, by length", r, headBoost, exactHeadBoost, exactWeight, phraseWords)
	}
	var m struct {
		Settings struct {
			Similarity map[string]struct {
				Script struct {
					Source string `json:"source"`
				} `json:"script"`
			} `json:"similarity"`
		} `json:"settings"`
	}
	if err := json.Unmarshal(Mapping(), &m); err != nil {
		t.Fatal(err)
	}
	src := m.Settings.Similarity["archive_bm25"].Script.Source
	tf := "Math.sqrt(doc.freq)"
	if r.RawTF {
		tf = "doc.freq"
	}
	want := fmt.Sprintf("double k1 = %v; double b = %v; double tf = %s;", r.K1, r.B, tf)
	if !strings.HasPrefix(src, want) {
		t.Errorf("the mapping's similarity %q does not start with the embedded engine's %q", src, want)
	}
	// The query weight holds one idf (index.wordTermQuery's too), the
	// term score the others: IDFPower factors in all.
	if r.IDFPower != math.Trunc(r.IDFPower) || r.IDFPower < 1 {
		t.Fatalf("index.DefaultRanking.IDFPower %v: the cluster's script multiplies whole idfs", r.IDFPower)
	}
	ret := "return query.boost * " + strings.Repeat("idf * ", int(r.IDFPower)) + "tf * k1 / (tf + k1 * (1 - b + b * doc.length / avgdl));"
	if !strings.HasSuffix(src, ret) {
		t.Errorf("the mapping's similarity %q does not end with the embedded engine's %q", src, ret)
	}
}
