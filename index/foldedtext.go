package index

import (
	"bytes"
	"context"
	"log/slog"
	"time"
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
	data []byte
	// off[2d] to off[2d+1] is document d's head (kicker, title and
	// subtitle, separated by newlines), off[2d+1] to off[2d+2] its body.
	off []uint64
}

func (t *foldedText) head(d uint32) []byte {
	if uint64(d)*2+2 >= uint64(len(t.off)) {
		return nil
	}
	return t.data[t.off[2*d]:t.off[2*d+1]]
}

func (t *foldedText) body(d uint32) []byte {
	if uint64(d)*2+2 >= uint64(len(t.off)) {
		return nil
	}
	return t.data[t.off[2*d+1]:t.off[2*d+2]]
}

// loadFoldedText reads and folds every live document's text. It returns
// nil when ctx is done first.
func loadFoldedText(ctx context.Context, sr *storedReader, cols *Columns) *foldedText {
	start := time.Now()
	t := &foldedText{off: make([]uint64, 0, 2*int(cols.Docs)+1)}
	t.off = append(t.off, 0)
	var raw, tmp []byte
	fold := func(jt *jsonText) {
		tmp = appendFolded(tmp[:0], jt.decode())
		t.data = append(t.data, tmp...)
	}
	for d := range cols.Docs {
		if d%1024 == 0 && ctx.Err() != nil {
			return nil
		}
		var head [3]jsonText
		var body jsonText
		ok := false
		if cols.Live(d) {
			raw, ok = sr.record(internalID(d), raw[:0])
		}
		if ok {
			scanObject(raw, func(key []byte, val jsonText) {
				switch string(key) {
				case "kicker":
					head[0] = val
				case "title":
					head[1] = val
				case "subtitle":
					head[2] = val
				case "body":
					body = val
				}
			})
			for i := range head {
				if i > 0 {
					t.data = append(t.data, '\n')
				}
				fold(&head[i])
			}
		}
		t.off = append(t.off, uint64(len(t.data)))
		if ok {
			fold(&body)
		}
		t.off = append(t.off, uint64(len(t.data)))
	}
	// Give back the slack of append's growth.
	t.data = bytes.Clone(t.data)
	slog.Debug("folded text loaded", "documents", cols.Docs, "bytes", len(t.data), "seconds", time.Since(start).Seconds())
	return t
}

// appendFolded appends the folded form of text to dst.
func appendFolded(dst, text []byte) []byte {
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRune(text[i:])
		if f := textnorm.Rune(r); f < utf8.RuneSelf {
			dst = append(dst, byte(f))
		} else {
			dst = utf8.AppendRune(dst, f)
		}
		i += size
	}
	return dst
}

// indexRun returns the index of the first occurrence of run in text, -1
// for none. It looks for run's last byte first: in Chinese text that is a
// UTF-8 continuation byte, spread over 64 values, where the first byte of
// a Han character takes one of a handful and makes bytes.Index stop at
// almost every character.
func indexRun(text, run []byte) int {
	n := len(run)
	if n == 0 {
		return 0
	}
	last := run[n-1]
	for i := n - 1; i < len(text); {
		j := bytes.IndexByte(text[i:], last)
		if j < 0 {
			return -1
		}
		i += j
		if bytes.Equal(text[i-n+1:i+1], run) {
			return i - n + 1
		}
		i++
	}
	return -1
}

// countRun returns the number of non-overlapping occurrences of run in
// text; with first, it stops at the first.
func countRun(text, run []byte, first bool) int {
	n := 0
	for {
		i := indexRun(text, run)
		if i < 0 {
			return n
		}
		n++
		if first {
			return n
		}
		text = text[i+len(run):]
	}
}
