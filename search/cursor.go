package search

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"

	"newsarchive/index"
)

// A cursor marks a place in a result list: the sort values of the last hit
// read, so the next request starts right after it however deep it is.
// It is opaque to clients: URL-safe base64 of a small JSON object.
type cursor struct {
	Sort   string   `json:"s"`
	Values []string `json:"v"`
}

// cursor encodes the place after collected document sd.
func (p *plan) cursor(sd scoredDoc, cols *index.Columns) string {
	id := ""
	if sd.id >= 0 && sd.id < int64(len(cols.ID.Values)) {
		id = cols.ID.Values[sd.id]
	}
	b, _ := json.Marshal(cursor{Sort: p.sort, Values: []string{p.sortValue(sd), id}})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor checks a cursor from a request made with sort order s.
func decodeCursor(c, s string) ([]string, error) {
	bad := badRequest("after %q is not a cursor from this API (use a response's next)", c)
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, bad
	}
	var cur cursor
	if err := json.Unmarshal(b, &cur); err != nil || len(cur.Values) != 2 {
		return nil, bad
	}
	if cur.Sort != s {
		return nil, badRequest("the after cursor was made for sort=%s, not sort=%s", cur.Sort, s)
	}
	switch s {
	case SortRelevance:
		if _, err := strconv.ParseFloat(cur.Values[0], 64); err != nil {
			return nil, bad
		}
	default: // a date, or "" for an article without one
		if _, err := time.Parse(time.RFC3339Nano, cur.Values[0]); err != nil && cur.Values[0] != "" {
			return nil, bad
		}
	}
	return cur.Values, nil
}
