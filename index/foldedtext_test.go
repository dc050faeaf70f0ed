package index

import (
	"bytes"
	"testing"
)

// FuzzCountRun checks the rare-byte substring search against the
// standard library's.
func FuzzCountRun(f *testing.F) {
	f.Add("高质量发展是首要任务，推动高质量发展", "高质量发展")
	f.Add("aaaa", "aa")
	f.Add("中中中", "中中")
	f.Add("乡村振兴乡村振", "村振兴")
	f.Add("", "x")
	f.Add("abc", "")
	f.Fuzz(func(t *testing.T, text, run string) {
		tb, rb := []byte(text), []byte(run)
		if got, want := indexRun(tb, rb), bytes.Index(tb, rb); got != want {
			t.Errorf("indexRun(%q, %q) = %d, bytes.Index %d", text, run, got, want)
		}
		if len(run) == 0 {
			return
		}
		if got, want := countRun(tb, rb, false), bytes.Count(tb, rb); got != want {
			t.Errorf("countRun(%q, %q) = %d, bytes.Count %d", text, run, got, want)
		}
		if got, want := countRun(tb, rb, true), min(1, bytes.Count(tb, rb)); got != want {
			t.Errorf("countRun(%q, %q, first) = %d, want %d", text, run, got, want)
		}
	})
}
