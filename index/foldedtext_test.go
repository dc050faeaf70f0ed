package index

import (
	"bytes"
	"encoding/json"
	"testing"

	"newsarchive/corpus/textnorm"
)

// FuzzCountRun checks the rare-byte substring search against the
// standard library's.
func FuzzCountRun(f *testing.F) {
	f.Add("高质量发展是首要任务，推动高质量发展", "高质量发展", uint8(3))
	f.Add("aaaa", "aa", uint8(1))
	f.Add("中中中", "中中", uint8(5))
	f.Add("乡村振兴乡村振", "村振兴", uint8(0))
	f.Add("", "x", uint8(0))
	f.Add("abc", "", uint8(0))
	f.Add("ab", "abc", uint8(2))
	f.Fuzz(func(t *testing.T, text, run string, k uint8) {
		tb, rb := []byte(text), []byte(run)
		if len(run) == 0 {
			if got := indexRun(tb, rb, 0); got != 0 {
				t.Errorf("indexRun(%q, \"\") = %d, want 0", text, got)
			}
			return
		}
		// Searching by any byte of the run gives the same answers.
		by := int(k) % len(rb)
		if got, want := indexRun(tb, rb, by), bytes.Index(tb, rb); got != want {
			t.Errorf("indexRun(%q, %q, %d) = %d, bytes.Index %d", text, run, by, got, want)
		}
		if got, want := countRun(tb, rb, by, 0), bytes.Count(tb, rb); got != want {
			t.Errorf("countRun(%q, %q, %d) = %d, bytes.Count %d", text, run, by, got, want)
		}
		if got, want := countRun(tb, rb, by, 2), min(2, bytes.Count(tb, rb)); got != want {
			t.Errorf("countRun(%q, %q, %d, 2) = %d, want %d", text, run, by, got, want)
		}
	})
}

// FuzzAppendFoldedJSON checks the decoding of JSON escapes into folded
// text against encoding/json.
func FuzzAppendFoldedJSON(f *testing.F) {
	f.Add("第一段\n第二段\t\"引号\" <script>")
	f.Add("ＡＢＣ１２３ 國際")
	f.Add("\U0001F600 emoji \u2028 \\ /")
	f.Add("bad \xff utf-8")
	f.Fuzz(func(t *testing.T, s string) {
		enc, err := json.Marshal(s)
		if err != nil {
			t.Skip()
		}
		var decoded string
		if err := json.Unmarshal(enc, &decoded); err != nil {
			t.Fatal(err)
		}
		var want []byte
		for _, r := range decoded {
			want = appendFoldedRune(want, r)
		}
		if got := appendFoldedJSON(nil, enc[1:len(enc)-1]); !bytes.Equal(got, want) {
			t.Errorf("appendFoldedJSON(%s) = %q, want %q", enc, got, want)
		}
		if got, want := string(want), textnorm.String(decoded); got != want {
			t.Errorf("per-rune folding of %q = %q, textnorm.String %q", decoded, got, want)
		}
	})
}
