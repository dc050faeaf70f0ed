package index

import (
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// The stored record is the article's JSON compressed with zstd. Zap
// compresses stored fields with snappy, which gains little on Chinese text
// (19.4 MB for 21.5 MB of xwlb); zstd stores the same records in about
// half, which keeps the index under 3× the raw text with every character
// indexed for recall (schema 4).

// recordCodec is the zstd encoder and decoder of stored records: made once,
// safe for concurrent use, and never changed after.
var recordCodec = sync.OnceValues(func() (*zstd.Encoder, *zstd.Decoder) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBetterCompression), zstd.WithEncoderConcurrency(1))
	if err != nil {
		panic(fmt.Sprintf("index: zstd encoder: %v", err))
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0))
	if err != nil {
		panic(fmt.Sprintf("index: zstd decoder: %v", err))
	}
	return enc, dec
})

// compressRecord compresses a record's JSON for storing.
func compressRecord(js []byte) []byte {
	enc, _ := recordCodec()
	return enc.EncodeAll(js, make([]byte, 0, len(js)/2))
}

// recordJSON appends the JSON of a stored record to dst. A record that is
// JSON already (it starts with '{') is appended as it is.
func recordJSON(dst, stored []byte) ([]byte, error) {
	if len(stored) > 0 && stored[0] == '{' {
		return append(dst, stored...), nil
	}
	_, dec := recordCodec()
	out, err := dec.DecodeAll(stored, dst)
	if err != nil {
		return dst, fmt.Errorf("decompress stored record: %w", err)
	}
	return out, nil
}
