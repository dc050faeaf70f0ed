package index

import (
	"bytes"
	"context"
	"log/slog"
	"runtime"
	"strconv"
	"sync"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"newsarchive/corpus/textnorm"
)

// foldedText holds the folded head and body of every document of a
// generation in memory, so that an exact query verifies its candidates
// with a substring search, without decompressing, scanning and folding
// each candidate's stored record.
//
// The text is held in UTF-16 (appendWide), two bytes for a Chinese
// character where UTF-8 takes three: about 0.7 of the raw text's size in
// memory. It is built in the background after the generation opens (a
// few seconds for 200,000 articles); until then the verifier reads the
// stored records.
type foldedText struct {
	// chunks hold the text; a document's text lies in one chunk, so
	// that the text grows without copying.
	chunks [][]byte
	docs   []textLoc
	// bytes counts each byte value in the text: a run is searched by its
	// rarest byte.
	bytes [256]uint64
}

// textLoc is where a document's text lies: head (kicker, title and
// subtitle, separated by newlines) from head to body, body from body to
// end, in chunk.
type textLoc struct {
	chunk, head, body, end uint32
}

// foldedChunkSize is the size of the chunks of a foldedText; a larger
// document gets a chunk of its own.
const foldedChunkSize = 8 << 20

// releaseEvery is how many documents a folded-text loader reads between
// two releases of the pages it read (about 100 MB of records at 1,500
// bytes each).
const releaseEvery = 1 << 16

func (t *foldedText) head(d uint32) []byte {
	if int(d) >= len(t.docs) {
		return nil
	}
	l := t.docs[d]
	return t.chunks[l.chunk][l.head:l.body]
}

func (t *foldedText) body(d uint32) []byte {
	if int(d) >= len(t.docs) {
		return nil
	}
	l := t.docs[d]
	return t.chunks[l.chunk][l.body:l.end]
}

// free gives back the chunks' memory; nothing may read t after.
func (t *foldedText) free() {
	for _, c := range t.chunks {
		freeOffHeap(c)
	}
	t.chunks, t.docs = nil, nil
}

// loadFoldedText reads and folds every live document's text into chunks
// outside the Go heap. It returns nil when ctx is done first or memory
// cannot be mapped.
func loadFoldedText(ctx context.Context, sr *storedReader, cols *Columns) *foldedText {
	start := time.Now()
	// The documents are cut into one range per core, each loaded into
	// chunks of its own; the ranges' chunks are then put end to end.
	workers := max(1, min(runtime.GOMAXPROCS(0), int(cols.Docs)/4096))
	// The loader reads every stored record once: the pages it read are
	// released as it goes, so that they are not counted as the server's
	// memory beside the folded text itself.
	paths := sr.paths()
	defer releaseMapped(paths)
	parts := make([]*foldedText, workers)
	ok := make([]bool, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo := uint32(uint64(cols.Docs) * uint64(w) / uint64(workers))
		hi := uint32(uint64(cols.Docs) * uint64(w+1) / uint64(workers))
		wg.Go(func() {
			parts[w] = &foldedText{}
			err := guarded(func() error {
				ok[w] = parts[w].load(ctx, sr, cols, lo, hi, paths)
				return nil
			})
			if err != nil { // a damaged segment: this range's chunks are given back
				parts[w].free()
				ok[w] = false
			}
		})
	}
	wg.Wait()
	t := &foldedText{docs: make([]textLoc, cols.Docs)}
	failed := false
	for w, p := range parts {
		failed = failed || !ok[w]
		base := uint32(len(t.chunks))
		for d, l := range p.docs {
			if l.end > 0 {
				l.chunk += base
				t.docs[d] = l
			}
		}
		t.chunks = append(t.chunks, p.chunks...)
		for i, n := range p.bytes {
			t.bytes[i] += n
		}
		p.docs = nil
	}
	if failed {
		t.free()
		return nil
	}
	slog.Debug("folded text loaded", "documents", cols.Docs, "chunks", len(t.chunks), "workers", workers, "seconds", time.Since(start).Seconds())
	return t
}

// load reads and folds the text of the live documents numbered in [lo,
// hi) into t's chunks; t.docs is indexed by document number (entries
// outside the range stay empty). False when ctx is done first or memory
// cannot be mapped (t's chunks are freed then). Every releaseEvery
// documents it releases the pages read of the segment files in paths.
func (t *foldedText) load(ctx context.Context, sr *storedReader, cols *Columns, lo, hi uint32, paths []string) bool {
	t.docs = make([]textLoc, hi)
	var raw, head, body, wide []byte
	for d := lo; d < hi; d++ {
		if d%1024 == 0 && ctx.Err() != nil {
			t.free()
			return false
		}
		if (d-lo)%releaseEvery == releaseEvery-1 {
			releaseMapped(paths)
		}
		ok := false
		if cols.Live(d) {
			raw, ok = sr.record(internalID(d), raw[:0])
		}
		if !ok {
			continue
		}
		var fields [4]jsonText
		scanObject(raw, func(key []byte, val jsonText) {
			switch string(key) {
			case "kicker":
				fields[0] = val
			case "title":
				fields[1] = val
			case "subtitle":
				fields[2] = val
			case "body":
				fields[3] = val
			}
		})
		head = head[:0]
		for i := range 3 {
			if i > 0 {
				head = append(head, '\n')
			}
			head = appendFoldedJSON(head, fields[i].enc)
		}
		body = appendFoldedJSON(body[:0], fields[3].enc)
		wide = appendWide(wide[:0], head)
		headLen := len(wide)
		wide = appendWide(wide, body)
		n := len(wide)
		if len(t.chunks) == 0 || len(t.chunks[len(t.chunks)-1])+n > cap(t.chunks[len(t.chunks)-1]) {
			c, err := allocOffHeap(max(foldedChunkSize, n))
			if err != nil {
				slog.Warn("folded text not loaded: exact queries read the stored records", "err", err)
				t.free()
				return false
			}
			t.chunks = append(t.chunks, c[:0])
		}
		c := len(t.chunks) - 1
		at := len(t.chunks[c])
		t.chunks[c] = append(t.chunks[c], wide...)
		for _, b := range wide {
			t.bytes[b]++
		}
		t.docs[d] = textLoc{chunk: uint32(c), head: uint32(at), body: uint32(at + headLen), end: uint32(at + n)}
	}
	return true
}

// appendFoldedJSON appends the folded text of a JSON string's encoded
// contents (between the quotes) to dst, decoding escapes. A malformed
// escape is kept as it stands.
func appendFoldedJSON(dst, enc []byte) []byte {
	for i := 0; i < len(enc); {
		c := enc[i]
		if c != '\\' || i+1 == len(enc) {
			r, size := utf8.DecodeRune(enc[i:])
			dst = appendFoldedRune(dst, r)
			i += size
			continue
		}
		switch e := enc[i+1]; e {
		case 'n':
			dst = append(dst, '\n')
		case 't':
			dst = append(dst, '\t')
		case 'r':
			dst = append(dst, '\r')
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case '"', '\\', '/':
			dst = append(dst, e)
		case 'u':
			r, n := decodeJSONEscape(enc[i:])
			if n == 0 {
				dst = append(dst, c)
				i++
				continue
			}
			dst = appendFoldedRune(dst, r)
			i += n
			continue
		default:
			dst = append(dst, c, e)
		}
		i += 2
	}
	return dst
}

// decodeJSONEscape decodes a \uXXXX escape at the start of b, or a
// surrogate pair of two; n is 0 when there is none.
func decodeJSONEscape(b []byte) (r rune, n int) {
	hex4 := func(b []byte) (rune, bool) {
		if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(string(b[2:6]), 16, 16)
		return rune(v), err == nil
	}
	r, ok := hex4(b)
	if !ok {
		return 0, 0
	}
	if utf16.IsSurrogate(r) {
		if r2, ok := hex4(b[6:]); ok {
			if p := utf16.DecodeRune(r, r2); p != utf8.RuneError {
				return p, 12
			}
		}
		return utf8.RuneError, 6
	}
	return r, 6
}

func appendFoldedRune(dst []byte, r rune) []byte {
	f := textnorm.Rune(r)
	if f < utf8.RuneSelf {
		return append(dst, byte(f))
	}
	return utf8.AppendRune(dst, f)
}

// appendWide appends the UTF-8 text s to dst in UTF-16, little-endian, the
// encoding of the folded text (an invalid byte becomes U+FFFD). Runs are
// searched in it in the same encoding, at even offsets only (indexRun).
func appendWide(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRune(s[i:])
		i += size
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			dst = append(dst, byte(r1), byte(r1>>8), byte(r2), byte(r2>>8))
			continue
		}
		dst = append(dst, byte(r), byte(r>>8))
	}
	return dst
}

// wideRunes returns the number of characters of the UTF-16 text b: its
// units but the second halves of surrogate pairs.
func wideRunes(b []byte) int {
	n := 0
	for i := 1; i < len(b); i += 2 {
		if u := uint16(b[i-1]) | uint16(b[i])<<8; u < 0xDC00 || u > 0xDFFF {
			n++
		}
	}
	return n
}

// rarest returns the index in run of its byte least frequent in the text.
func (t *foldedText) rarest(run []byte) int {
	k := 0
	for i, b := range run {
		if t.bytes[b] < t.bytes[run[k]] {
			k = i
		}
	}
	return k
}

// indexRun returns the index of the first occurrence of run in text, -1
// for none, looking for run[k] first. Both are UTF-16 (appendWide): an
// occurrence starts at an even offset, as a character does. With k the
// run's rarest byte, that skips most of the text in bytes.IndexByte's
// vector loop: bytes.Index looks for the first byte, whose value in
// Chinese text is shared by many characters (the high byte of a unit
// takes one of about 80 values), and stops at almost every one.
func indexRun(text, run []byte, k int) int {
	n := len(run)
	if n == 0 {
		return 0
	}
	c := run[k]
	for i := k; i+n-k <= len(text); {
		j := bytes.IndexByte(text[i:len(text)-(n-k-1)], c)
		if j < 0 {
			return -1
		}
		i += j
		if (i-k)%2 == 0 && bytes.Equal(text[i-k:i-k+n], run) {
			return i - k
		}
		i++
	}
	return -1
}

// countRun returns the number of non-overlapping occurrences of run in
// text, searched by run[k], counting up to limit (all when limit <= 0).
func countRun(text, run []byte, k, limit int) int {
	n := 0
	for {
		i := indexRun(text, run, k)
		if i < 0 {
			return n
		}
		n++
		if n == limit {
			return n
		}
		text = text[i+len(run):]
	}
}
