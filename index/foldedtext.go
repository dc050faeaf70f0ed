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
// It costs about the raw text's size in memory. It is built in the
// background after the generation opens (a few seconds for 200,000
// articles); until then the verifier reads the stored records.
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
	parts := make([]*foldedText, workers)
	ok := make([]bool, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo := uint32(uint64(cols.Docs) * uint64(w) / uint64(workers))
		hi := uint32(uint64(cols.Docs) * uint64(w+1) / uint64(workers))
		wg.Go(func() {
			parts[w] = &foldedText{}
			err := guarded(func() error {
				ok[w] = parts[w].load(ctx, sr, cols, lo, hi)
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
// cannot be mapped (t's chunks are freed then).
func (t *foldedText) load(ctx context.Context, sr *storedReader, cols *Columns, lo, hi uint32) bool {
	t.docs = make([]textLoc, hi)
	var raw, head, body []byte
	for d := lo; d < hi; d++ {
		if d%1024 == 0 && ctx.Err() != nil {
			t.free()
			return false
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
		n := len(head) + len(body)
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
		t.chunks[c] = append(append(t.chunks[c], head...), body...)
		for _, b := range head {
			t.bytes[b]++
		}
		for _, b := range body {
			t.bytes[b]++
		}
		t.docs[d] = textLoc{chunk: uint32(c), head: uint32(at), body: uint32(at + len(head)), end: uint32(at + n)}
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
// for none, looking for run[k] first. With k the run's rarest byte, that
// skips most of the text in bytes.IndexByte's vector loop: in Chinese text
// the first byte of a character takes one of a handful of values, so
// bytes.Index, which looks for the first byte, stops at almost every
// character.
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
		if bytes.Equal(text[i-k:i-k+n], run) {
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
