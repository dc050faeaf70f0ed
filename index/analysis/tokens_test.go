package analysis

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	blevea "github.com/blevesearch/bleve/v2/analysis"

	"newsarchive/corpus/corpustest"
	"newsarchive/corpus/textnorm"
)

// render writes a token stream as "term@position[start:end]" items.
func render(ts blevea.TokenStream) []string {
	out := make([]string, len(ts))
	for i, tk := range ts {
		out[i] = fmt.Sprintf("%s@%d[%d:%d]", tk.Term, tk.Position, tk.Start, tk.End)
	}
	return out
}

func testWordTokenizer(t testing.TB) *wordTokenizer {
	t.Helper()
	return &wordTokenizer{seg: testSegmenter(t), mode: wordMode}
}

func TestTokenizers(t *testing.T) {
	word := testWordTokenizer(t)
	tests := []struct {
		in                    string
		word, bigram, unigram []string
	}{
		{
			in:      "“双减”政策",
			word:    []string{"双@1[3:6]", "减@2[6:9]", "政策@3[12:18]"},
			bigram:  []string{"双减@1[3:9]", "减@2[6:9]", "政策@4[12:18]", "策@5[15:18]"},
			unigram: []string{"双@1[3:6]", "减@2[6:9]", "政@4[12:15]", "策@5[15:18]"},
		},
		{
			in:      "捐款10万余元",
			word:    []string{"捐款@1[0:6]", "10@2[6:8]", "万余元@3[8:17]"},
			bigram:  []string{"捐款@1[0:6]", "款1@2[3:7]", "10@3[6:8]", "0万@4[7:11]", "万余@5[8:14]", "余元@6[11:17]", "元@7[14:17]"},
			unigram: []string{"捐@1[0:3]", "款@2[3:6]", "1@3[6:7]", "0@4[7:8]", "万@5[8:11]", "余@6[11:14]", "元@7[14:17]"},
		},
		{
			in:     "伊通滿族自治縣",
			word:   []string{"伊通满族自治县@1[0:21]"},
			bigram: []string{"伊通@1[0:6]", "通满@2[3:9]", "满族@3[6:12]", "族自@4[9:15]", "自治@5[12:18]", "治县@6[15:21]", "县@7[18:21]"},
		},
		{
			in:      "ＡＢＣ１２３",
			word:    []string{"abc123@1[0:18]"},
			bigram:  []string{"ab@1[0:6]", "bc@2[3:9]", "c1@3[6:12]", "12@4[9:15]", "23@5[12:18]", "3@6[15:18]"},
			unigram: []string{"a@1[0:3]", "b@2[3:6]", "c@3[6:9]", "1@4[9:12]", "2@5[12:15]", "3@6[15:18]"},
		},
		{
			in:      "Hello, 2021",
			word:    []string{"hello@1[0:5]", "2021@2[7:11]"},
			bigram:  []string{"he@1[0:2]", "el@2[1:3]", "ll@3[2:4]", "lo@4[3:5]", "o@5[4:5]", "20@7[7:9]", "02@8[8:10]", "21@9[9:11]", "1@10[10:11]"},
			unigram: []string{"h@1[0:1]", "e@2[1:2]", "l@3[2:3]", "l@4[3:4]", "o@5[4:5]", "2@7[7:8]", "0@8[8:9]", "2@9[9:10]", "1@10[10:11]"},
		},
		{
			// A single-character run gives only its character (the last
			// of its run); a run of separators of any length is one gap.
			in:      "a，b。。c d",
			word:    []string{"a@1[0:1]", "b@2[4:5]", "c@3[11:12]", "d@4[13:14]"},
			bigram:  []string{"a@1[0:1]", "b@3[4:5]", "c@5[11:12]", "d@7[13:14]"},
			unigram: []string{"a@1[0:1]", "b@3[4:5]", "c@5[11:12]", "d@7[13:14]"},
		},
		{
			// Emoji and invalid UTF-8 separate runs and never panic.
			in:      "\xff好😀人\xfe",
			word:    []string{"好@1[1:4]", "人@2[8:11]"},
			bigram:  []string{"好@1[1:4]", "人@3[8:11]"},
			unigram: []string{"好@1[1:4]", "人@3[8:11]"},
		},
		{in: "", word: []string{}, bigram: []string{}, unigram: []string{}},
		{in: "，。！ 😀", word: []string{}, bigram: []string{}, unigram: []string{}},
	}
	for _, tt := range tests {
		in := []byte(tt.in)
		for _, c := range []struct {
			name string
			tok  blevea.Tokenizer
			want []string
		}{
			{"word", word, tt.word},
			{"bigram", bigramTokenizer{}, tt.bigram},
			{"unigram", unigramTokenizer{}, tt.unigram},
		} {
			if c.want == nil {
				continue
			}
			got := render(c.tok.Tokenize(in))
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s(%q)\n got  %q\n want %q", c.name, tt.in, got, c.want)
			}
		}
	}
}

func TestUserWords(t *testing.T) {
	word := testWordTokenizer(t)
	got := render(word.Tokenize([]byte("铁东区叶赫满族镇郑家屯，梨樹縣伊通满族自治县")))
	want := []string{"铁东区@1[0:9]", "叶赫满族镇@2[9:24]", "郑家屯@3[24:33]", "梨树县@4[36:45]", "伊通满族自治县@5[45:66]"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("user words\n got  %q\n want %q", got, want)
	}
	if err := Init([]string{"梨树县"}); !errors.Is(err, ErrLoaded) {
		t.Errorf("second Init: got %v, want ErrLoaded", err)
	}
	for _, bad := range []string{"", "  ", "梨树 县"} {
		if _, err := cleanUserWords([]string{bad}); err == nil {
			t.Errorf("cleanUserWords(%q): no error", bad)
		}
	}
}

func TestQueryBigrams(t *testing.T) {
	tests := []struct {
		in   string
		want [][]string
	}{
		{"满族", [][]string{{"满族"}}},
		{"自治县", [][]string{{"自治", "治县"}}},
		{"满", [][]string{{"满"}}},
		{"“双减”政策", [][]string{{"双减"}, {"政策"}}},
		{"10万余元", [][]string{{"10", "0万", "万余", "余元"}}},
		{"伊通滿族 Ａ", [][]string{{"伊通", "通满", "满族"}, {"a"}}},
		{"", nil},
		{"，。😀", nil},
	}
	for _, tt := range tests {
		if got := QueryBigrams(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("QueryBigrams(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// realTexts returns the real bulletin page and a few xwlb files.
func realTexts(t testing.TB, nXWLB int) map[string][]byte {
	t.Helper()
	paths := []string{corpustest.RealPage(t)}
	paths = append(paths, xwlbFiles(t, nXWLB)...)
	texts := make(map[string][]byte, len(paths))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("read %s: %v", p, err)
		}
		texts[filepath.Base(p)] = b
	}
	return texts
}

// xwlbFiles returns the first n xwlb files in name order.
func xwlbFiles(t testing.TB, n int) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpustest.TestData(t, "xwlb"), "*", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no xwlb files: %v", err)
	}
	sort.Strings(files)
	if len(files) > n {
		files = files[:n]
	}
	return files
}

// checkOffsets asserts that every token's Start:End slice of the original
// text folds to its term, and that positions behave as documented.
func checkOffsets(t *testing.T, name, kind string, text []byte, ts blevea.TokenStream) {
	t.Helper()
	lastPos, lastStart := 0, -1
	for i, tk := range ts {
		if tk.Start < 0 || tk.End > len(text) || tk.Start >= tk.End {
			t.Fatalf("%s %s token %d %q: bad offsets %d:%d", name, kind, i, tk.Term, tk.Start, tk.End)
		}
		if !utf8.Valid(text[tk.Start:tk.End]) && !strings.Contains(string(tk.Term), "\uFFFD") {
			t.Errorf("%s %s token %q: offsets %d:%d not on rune boundaries", name, kind, tk.Term, tk.Start, tk.End)
		}
		if got := textnorm.String(string(text[tk.Start:tk.End])); got != string(tk.Term) {
			t.Errorf("%s %s token %d: text[%d:%d] = %q folds to %q, term %q", name, kind, i, tk.Start, tk.End, text[tk.Start:tk.End], got, tk.Term)
		}
		switch kind {
		case "word":
			if tk.Position != lastPos+1 || tk.Start < lastStart {
				t.Errorf("%s word token %d %q: position %d after %d, start %d after %d", name, i, tk.Term, tk.Position, lastPos, tk.Start, lastStart)
			}
		default:
			if tk.Position <= lastPos || tk.Start <= lastStart {
				t.Errorf("%s %s token %d %q: position %d after %d, start %d after %d", name, kind, i, tk.Term, tk.Position, lastPos, tk.Start, lastStart)
			}
		}
		lastPos, lastStart = tk.Position, tk.Start
	}
}

func TestOffsetsFoldToTerms(t *testing.T) {
	word := testWordTokenizer(t)
	for name, text := range realTexts(t, 5) {
		checkOffsets(t, name, "word", text, word.Tokenize(text))
		checkOffsets(t, name, "bigram", text, bigramTokenizer{}.Tokenize(text))
		uni := unigramTokenizer{}.Tokenize(text)
		checkOffsets(t, name, "unigram", text, uni)
		n := 0
		for _, r := range string(text) {
			if Searchable(textnorm.Rune(r)) {
				n++
			}
		}
		if len(uni) != n {
			t.Errorf("%s: %d unigrams for %d searchable characters", name, len(uni), n)
		}
	}
}

// TestBigramRecall checks the promise on the real page: every substring of
// a run of searchable characters is found by its query bigrams at
// consecutive positions of the bigram stream, and every character of a run
// starts a term of the bigram stream (a bigram, or the run's last
// character alone), so a one-character query is a prefix lookup.
func TestBigramRecall(t *testing.T) {
	text, err := os.ReadFile(corpustest.RealPage(t))
	if err != nil {
		t.Fatal(err)
	}
	at := map[string][]int{}
	for _, tk := range (bigramTokenizer{}).Tokenize(text) {
		at[string(tk.Term)] = append(at[string(tk.Term)], tk.Position)
	}
	starts := map[rune]bool{} // first characters of the bigram stream's terms
	for term := range at {
		r, _ := utf8.DecodeRuneInString(term)
		starts[r] = true
	}
	has := func(term string, pos int) bool {
		for _, p := range at[term] {
			if p == pos {
				return true
			}
		}
		return false
	}
	runes := []rune(string(text))
	checked := 0
	for i := 0; i < len(runes); i += 7 {
		for n := 1; n <= 6 && i+n <= len(runes); n++ {
			q := string(runes[i : i+n])
			if strings.IndexFunc(q, func(r rune) bool { return !Searchable(textnorm.Rune(r)) }) >= 0 {
				continue // the substring crosses a separator
			}
			runs := QueryBigrams(q)
			if len(runs) != 1 {
				t.Fatalf("QueryBigrams(%q) = %q: want one run", q, runs)
			}
			run := runs[0]
			if n == 1 {
				if r, _ := utf8.DecodeRuneInString(run[0]); !starts[r] {
					t.Errorf("%q: no bigram-stream term starts with %q", q, run[0])
				}
				checked++
				continue
			}
			found := false
			for _, p := range at[run[0]] {
				ok := true
				for k := 1; k < len(run) && ok; k++ {
					ok = has(run[k], p+k)
				}
				if ok {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%q: bigram phrase %q not found", q, run)
			}
			checked++
		}
	}
	if checked < 1000 {
		t.Errorf("only %d substrings checked", checked)
	}
}

func TestConcurrentTokenize(t *testing.T) {
	word := testWordTokenizer(t)
	texts := realTexts(t, 8)
	want := map[string][2][]string{}
	for name, text := range texts {
		want[name] = [2][]string{render(word.Tokenize(text)), render(bigramTokenizer{}.Tokenize(text))}
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name, text := range texts {
				got := [2][]string{render(word.Tokenize(text)), render(bigramTokenizer{}.Tokenize(text))}
				if !reflect.DeepEqual(got, want[name]) {
					t.Errorf("%s: concurrent tokenization differs", name)
				}
			}
		}()
	}
	wg.Wait()
}
