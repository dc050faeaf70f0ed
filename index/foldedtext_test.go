package index

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"newsarchive/corpus/textnorm"
)

// FuzzCountRun checks the rare-byte substring search of the folded text's
// UTF-16 against a naive search of its units.
func FuzzCountRun(f *testing.F) {
	f.Add("高质量发展是首要任务，推动高质量发展", "高质量发展", uint8(3))
	f.Add("aaaa", "aa", uint8(1))
	f.Add("中中中", "中中", uint8(5))
	f.Add("乡村振兴乡村振", "村振兴", uint8(0))
	f.Add("", "x", uint8(0))
	f.Add("abc", "", uint8(0))
	f.Add("ab", "abc", uint8(2))
	f.Add("丁乙", "\u4e00", uint8(1)) // 乙 is 59 4e, 丁 01 4e: 一 (00 4e) must not match across them
	f.Add("𠀀𠀁x", "\U00020001", uint8(2))
	f.Fuzz(func(t *testing.T, text, run string, k uint8) {
		tb, rb := appendWide(nil, []byte(text)), appendWide(nil, []byte(run))
		if len(rb) == 0 {
			if got := indexRun(tb, rb, 0); got != 0 {
				t.Errorf("indexRun(%q, \"\") = %d, want 0", text, got)
			}
			return
		}
		// Searching by any byte of the run gives the same answers.
		by := int(k) % len(rb)
		if got, want := indexRun(tb, rb, by), naiveIndex(tb, rb); got != want {
			t.Errorf("indexRun(%q, %q, %d) = %d, want %d", text, run, by, got, want)
		}
		if got, want := countRun(tb, rb, by, 0), naiveCount(tb, rb); got != want {
			t.Errorf("countRun(%q, %q, %d) = %d, want %d", text, run, by, got, want)
		}
		if got, want := countRun(tb, rb, by, 2), min(2, naiveCount(tb, rb)); got != want {
			t.Errorf("countRun(%q, %q, %d, 2) = %d, want %d", text, run, by, got, want)
		}
		if got, want := wideRunes(tb), utf8.RuneCount(appendUTF8(tb)); got != want {
			t.Errorf("wideRunes(%q) = %d, want %d", text, got, want)
		}
	})
}

// naiveIndex is the byte offset of the first occurrence of run in text,
// both UTF-16, at a unit boundary; -1 for none.
func naiveIndex(text, run []byte) int {
	for i := 0; i+len(run) <= len(text); i += 2 {
		if bytes.Equal(text[i:i+len(run)], run) {
			return i
		}
	}
	return -1
}

func naiveCount(text, run []byte) int {
	n := 0
	for i := naiveIndex(text, run); i >= 0; i = naiveIndex(text, run) {
		n++
		text = text[i+len(run):]
	}
	return n
}

// appendUTF8 decodes UTF-16 text back to UTF-8.
func appendUTF8(b []byte) []byte {
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return []byte(string(utf16.Decode(units)))
}

// TestAppendWide checks the folded text's encoding against unicode/utf16.
func TestAppendWide(t *testing.T) {
	for _, s := range []string{"", "ascii", "四平市铁西区", "𠀀𪚥 mixed 中", "bad \xff byte"} {
		got := appendUTF8(appendWide(nil, []byte(s)))
		if want := strings.ToValidUTF8(s, "\uFFFD"); string(got) != want {
			t.Errorf("appendWide(%q) decodes to %q, want %q", s, got, want)
		}
	}
	if got := len(appendWide(nil, []byte("四平"))); got != 4 {
		t.Errorf("two Chinese characters take %d bytes, want 4", got)
	}
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
