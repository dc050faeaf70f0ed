package index

import "testing"

// TestLucenePrecision checks lucenePrecision against SmallFloat's
// encoding written out: intToByte4 and byte4ToInt of Lucene 9.
func TestLucenePrecision(t *testing.T) {
	longToInt4 := func(i int64) int {
		bits := 0
		for x := i; x != 0; x >>= 1 {
			bits++
		}
		if bits < 4 {
			return int(i)
		}
		shift := bits - 4
		enc := int(i>>shift) & 0x07
		return enc | (shift+1)<<3
	}
	int4ToLong := func(i int) int64 {
		b := int64(i & 0x07)
		shift := (i >> 3) - 1
		if shift == -1 {
			return b
		}
		return (b | 0x08) << shift
	}
	free := 255 - longToInt4(1<<31-1)
	if free != 24 {
		t.Fatalf("NUM_FREE_VALUES = %d, want 24", free)
	}
	lucene := func(n int) int {
		var b int
		if n < free {
			b = n
		} else {
			b = free + longToInt4(int64(n-free))
		}
		if b < free {
			return b
		}
		return free + int(int4ToLong(b-free))
	}
	for n := 0; n < 1<<20; n++ {
		if got, want := lucenePrecision(n), lucene(n); got != want {
			t.Fatalf("lucenePrecision(%d) = %d, Lucene reads %d", n, got, want)
		}
	}
	for _, c := range []struct{ n, want int }{{23, 23}, {24, 24}, {31, 31}, {40, 40}, {41, 40}, {270, 264}, {300, 280}} {
		if got := lucenePrecision(c.n); got != c.want {
			t.Errorf("lucenePrecision(%d) = %d, want %d", c.n, got, c.want)
		}
	}
}

// TestLuceneCodeNumbersPrecisions checks that luceneCode gives two
// lengths one code exactly when lucenePrecision reads them back alike,
// within lengthCodes.
func TestLuceneCodeNumbersPrecisions(t *testing.T) {
	byCode := map[int]int{}
	for _, n := range append([]int{0, 1, 23, 24, 31, 32, 1 << 20, 1<<31 - 1}, func() (ns []int) {
		for n := 0; n < 300_000; n += 7 {
			ns = append(ns, n)
		}
		return
	}()...) {
		c, p := luceneCode(n), lucenePrecision(n)
		if c < 0 || c >= lengthCodes {
			t.Fatalf("luceneCode(%d) = %d, outside [0, %d)", n, c, lengthCodes)
		}
		if q, ok := byCode[c]; ok && q != p {
			t.Fatalf("luceneCode(%d) = %d, the code of precision %d, but its precision is %d", n, c, q, p)
		}
		if l := codeLength(c); l != p {
			t.Fatalf("codeLength(luceneCode(%d)) = %d, its precision is %d", n, l, p)
		}
		byCode[c] = p
	}
	seen := map[int]int{}
	for c, p := range byCode {
		if d, ok := seen[p]; ok {
			t.Fatalf("precision %d has codes %d and %d", p, d, c)
		}
		seen[p] = c
	}
}
