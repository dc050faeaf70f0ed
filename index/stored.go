package index

import (
	"encoding/binary"
	"sort"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	bleveindex "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// storedReader reads a document's stored record straight from its segment
// by internal id. Bleve's reader can only do it by external id, which costs
// a lookup of the external id (decoding the stored fields' metadata) and
// then a term lookup of it, before the same read: three times the work,
// for every candidate an exact query verifies.
type storedReader struct {
	segments []segment.Segment
	offsets  []uint64          // the global number of each segment's first document
	deleted  []*roaring.Bitmap // each segment's deleted documents (nil for none)
}

// newStoredReader returns nil when r is not a scorch index snapshot.
func newStoredReader(r bleveindex.IndexReader) *storedReader {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil
	}
	sr := &storedReader{}
	var running uint64
	for _, ss := range snap.Segments() {
		sr.segments = append(sr.segments, ss.Segment())
		sr.offsets = append(sr.offsets, running)
		sr.deleted = append(sr.deleted, ss.Deleted())
		running += ss.Segment().Count()
	}
	return sr
}

// paths returns the files of the segments (those that are files).
func (sr *storedReader) paths() []string {
	var ps []string
	for _, s := range sr.segments {
		if p, ok := s.(interface{ Path() string }); ok && p.Path() != "" {
			ps = append(ps, p.Path())
		}
	}
	return ps
}

// docs returns one past the largest document number.
func (sr *storedReader) docs() uint32 {
	if len(sr.segments) == 0 {
		return 0
	}
	last := len(sr.segments) - 1
	return uint32(sr.offsets[last] + sr.segments[last].Count())
}

// live reports whether document d exists and is not deleted.
func (sr *storedReader) live(d uint64) bool {
	i := sort.Search(len(sr.offsets), func(i int) bool { return sr.offsets[i] > d }) - 1
	if i < 0 || d-sr.offsets[i] >= sr.segments[i].Count() {
		return false
	}
	del := sr.deleted[i]
	return del == nil || !del.Contains(uint32(d-sr.offsets[i]))
}

// record appends the stored record (its JSON, decompressed) of the document
// with internal id to buf; it reports false when there is none.
func (sr *storedReader) record(id bleveindex.IndexInternalID, buf []byte) ([]byte, bool) {
	if len(id) != 8 || len(sr.segments) == 0 {
		return buf, false
	}
	num := binary.BigEndian.Uint64(id)
	i := sort.Search(len(sr.offsets), func(i int) bool { return sr.offsets[i] > num }) - 1
	if i < 0 {
		return buf, false
	}
	found := false
	var decodeErr error
	err := sr.segments[i].VisitStoredFields(num-sr.offsets[i], func(field string, _ byte, value []byte, _ []uint64) bool {
		if field == FieldRecord {
			buf, decodeErr = recordJSON(buf, value)
			found = true
			return false
		}
		return true
	})
	return buf, err == nil && decodeErr == nil && found
}
