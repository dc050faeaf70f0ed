package opensearch

import (
	_ "embed"
)

// DefaultIndexName is the alias the archive reads and the exporter writes
// to unless told.
const DefaultIndexName = "newsarchive"

//go:embed mapping.json
var mapping []byte

// Mapping returns the body of the request that creates an index of the
// archive (PUT /NAME): its settings, analyzers and mapping, as JSON. It
// needs only the analysis-common module: the archive sends text already
// folded and cut into tokens (see Document).
func Mapping() []byte {
	out := make([]byte, len(mapping))
	copy(out, mapping)
	return out
}
