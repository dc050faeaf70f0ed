package search

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"

	bsearch "github.com/blevesearch/bleve/v2/search"
)

// A cursor marks a place in a result list: the sort values of the last hit
// read, so the next request starts right after it however deep it is.
// It is opaque to clients: URL-safe base64 of a small JSON object.
type cursor struct {
	Sort   string   `json:"s"`
	Values []string `json:"v"`
}

// sortValues are a hit's values in the plan's sort order, as Bleve's
// SearchAfter wants them.
func (p *plan) sortValues(h *bsearch.DocumentMatch) []string {
	switch p.sort {
	case SortNewest, SortOldest:
		date := ""
		if len(h.DecodedSort) > 0 {
			date = h.DecodedSort[0]
		}
		return []string{date, h.ID}
	default:
		return []string{strconv.FormatFloat(h.Score, 'g', -1, 64), h.ID}
	}
}

// cursor encodes the place after hit h.
func (p *plan) cursor(h *bsearch.DocumentMatch) string {
	b, _ := json.Marshal(cursor{Sort: p.sort, Values: p.sortValues(h)})
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
	default:
		if _, err := time.Parse(time.RFC3339Nano, cur.Values[0]); err != nil {
			return nil, bad
		}
	}
	return cur.Values, nil
}
