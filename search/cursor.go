package search

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"newsarchive/corpus"
	"newsarchive/engine"
)

// A cursor marks a place in a result list: the sort values of the last hit
// read, so the next request starts right after it however deep it is.
// It is opaque to clients: URL-safe base64 of a small JSON object. It
// holds the sort order and a short hash of the request's normalized query
// and filters (requestKey), so that a cursor is only taken by the request
// it was made for: with another query or other filters it is a 400.
type cursor struct {
	Sort   string   `json:"s"`
	Values []string `json:"v"`
	Key    string   `json:"k"`
}

// requestKey is a short hash of what selects a request's hits: its query,
// spaces collapsed, and its filters, each name resolved (伊通 and
// 伊通满族自治县 are one county), without duplicates, sorted. The sort
// order is in the cursor as it is; page and size do not matter.
func (s *Searcher) requestKey(r Request) string {
	var b strings.Builder
	b.WriteString(strings.Join(strings.FieldsFunc(r.Query, isSpace), " "))
	list := func(name string, values []string, canonical func(string) (string, error)) {
		var names []string
		for _, v := range values {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			if c, err := canonical(v); err == nil {
				v = c
			}
			names = append(names, v)
		}
		slices.Sort(names)
		b.WriteString("\x00" + name)
		for _, v := range slices.Compact(names) {
			b.WriteString("\x01" + v)
		}
	}
	asGiven := func(v string) (string, error) { return v, nil }
	list("province", r.Provinces, s.canonicalPlace(corpus.LevelProvince))
	list("prefecture", r.Prefectures, s.canonicalPlace(corpus.LevelPrefecture))
	list("county", r.Counties, s.canonicalPlace(corpus.LevelCounty))
	list("topic", r.Topics, s.canonicalTopic)
	list("author", r.Authors, asGiven)
	list("paper", r.Papers, asGiven)
	b.WriteString("\x00from\x01" + strings.TrimSpace(r.From) + "\x00to\x01" + strings.TrimSpace(r.To))
	sum := sha256.Sum256([]byte(b.String()))
	return base64.RawURLEncoding.EncodeToString(sum[:6])
}

// cursor encodes the place after a hit.
func (p *plan) cursor(c engine.Cursor) string {
	b, _ := json.Marshal(cursor{Sort: p.sort, Values: []string{c.Value, c.ID}, Key: p.key})
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor checks a cursor from a request made with sort order s and
// request key key: a cursor of another request, or whose score is not a
// finite number, is a bad request.
func decodeCursor(c, s, key string) ([]string, error) {
	bad := invalid(CodeBadCursor, "继续阅读的游标无效，请从第一页重新开始", "after %q is not a cursor from this API (use a response's next)", c)
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return nil, bad
	}
	var cur cursor
	if err := json.Unmarshal(b, &cur); err != nil || len(cur.Values) != 2 {
		return nil, bad
	}
	if cur.Sort != s {
		return nil, invalid(CodeBadCursor, "继续阅读的游标属于另一种排序，请从第一页重新开始", "the after cursor was made for sort=%s, not sort=%s", cur.Sort, s)
	}
	if cur.Key != key {
		return nil, invalid(CodeBadCursor, "继续阅读的游标属于另一个检索，请从第一页重新开始",
			"the after cursor was made for another query or other filters; use the next of a response to this same request, or start again without after")
	}
	switch s {
	case SortRelevance:
		f, err := strconv.ParseFloat(cur.Values[0], 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, bad
		}
	default: // a date, or "" for an article without one
		if cur.Values[0] != "" {
			t, err := time.Parse(time.RFC3339Nano, cur.Values[0])
			if err != nil || !corpus.DateInRange(t) { // outside the range, UnixNano overflows
				return nil, bad
			}
		}
	}
	return cur.Values, nil
}
