package search_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"newsarchive/search"
	"newsarchive/search/searchtest"
)

// decodeNext is the JSON object inside a response's next cursor.
func decodeNext(t *testing.T, next *string) map[string]any {
	t.Helper()
	if next == nil {
		t.Fatal("no next cursor")
	}
	b, err := base64.RawURLEncoding.DecodeString(*next)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// cursorKey is the request key a cursor of r carries.
func cursorKey(t *testing.T, s *search.Searcher, r search.Request) string {
	t.Helper()
	r.Size, r.Page, r.After = 1, 0, ""
	res, err := s.Search(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := decodeNext(t, res.Next)["k"].(string)
	if k == "" {
		t.Fatalf("cursor of %+v has no key", r)
	}
	return k
}

// encodeCursor builds a cursor as the API does.
func encodeCursor(sort string, values []string, key string) string {
	b, _ := json.Marshal(map[string]any{"s": sort, "v": values, "k": key})
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestCursorBoundToItsRequest(t *testing.T) {
	fx := searchtest.Get(t)
	ctx := context.Background()
	res, err := fx.Searcher.Search(ctx, search.Request{Query: "经济", Size: 2})
	if err != nil {
		t.Fatal(err)
	}
	base := search.Request{Query: "经济", Size: 2, After: *res.Next}
	// The same request, written differently: spaces, the county's full
	// name, a duplicate, another page size.
	same := base
	same.Query, same.Size = "  经济\u3000", 5
	page2, err := fx.Searcher.Search(ctx, same)
	if err != nil {
		t.Fatalf("the cursor with the same query, spaced differently: %v", err)
	}
	if len(page2.Hits) != 5 || page2.Hits[0].ID == res.Hits[0].ID {
		t.Errorf("page after the cursor: %d hits", len(page2.Hits))
	}
	rc, err := fx.Searcher.Search(ctx, search.Request{Query: "县", Counties: []string{"伊通", "伊通满族自治县"}, Size: 1})
	if err != nil || rc.Next == nil {
		t.Fatalf("county search: %v", err)
	}
	if _, err := fx.Searcher.Search(ctx, search.Request{Query: " 县 ", Counties: []string{"伊通满族自治县"}, After: *rc.Next}); err != nil {
		t.Errorf("a county's alias and full name are one filter: %v", err)
	}

	for name, other := range map[string]search.Request{
		"another query":  {Query: "农业", After: base.After},
		"a county added": {Query: "经济", Counties: []string{"伊通"}, After: base.After},
		"a topic added":  {Query: "经济", Topics: []string{"教育"}, After: base.After},
		"an author":      {Query: "经济", Authors: []string{"赵雪"}, After: base.After},
		"a paper":        {Query: "经济", Papers: []string{"样例日报"}, After: base.After},
		"a date range":   {Query: "经济", From: "2020-01-01", After: base.After},
		"filters gone":   {Query: "县", After: *rc.Next},
	} {
		_, err := fx.Searcher.Search(ctx, other)
		if !errors.Is(err, search.ErrBadRequest) || !strings.Contains(err.Error(), "made for another query or other filters") {
			t.Errorf("%s: error %v, want a bad request for a cursor of another request", name, err)
		}
	}
}

func TestCursorScoreMustBeFinite(t *testing.T) {
	fx := searchtest.Get(t)
	r := search.Request{Query: "经济", Size: 3}
	key := cursorKey(t, fx.Searcher, r)
	res, err := fx.Searcher.Search(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Hits[2].ID
	// A well-made cursor is taken: the control for the cases below.
	r.After = encodeCursor(search.SortRelevance, []string{"1.5", id}, key)
	if _, err := fx.Searcher.Search(context.Background(), r); err != nil {
		t.Fatalf("a finite score: %v", err)
	}
	for _, score := range []string{"NaN", "nan", "+Inf", "-Inf", "Infinity", "1e999"} {
		r.After = encodeCursor(search.SortRelevance, []string{score, id}, key)
		_, err := fx.Searcher.Search(context.Background(), r)
		if !errors.Is(err, search.ErrBadRequest) || !strings.Contains(err.Error(), "not a cursor from this API") {
			t.Errorf("score %s: error %v, want a bad request", score, err)
		}
	}
}

// A date cursor outside the archive's date range is refused (its
// nanoseconds would overflow), one inside it is taken.
func TestCursorDateInRange(t *testing.T) {
	fx := searchtest.Get(t)
	r := search.Request{Query: "经济", Size: 3, Sort: search.SortNewest}
	key := cursorKey(t, fx.Searcher, r)
	res, err := fx.Searcher.Search(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Hits[2].ID
	r.After = encodeCursor(search.SortNewest, []string{"2023-01-02T00:00:00Z", id}, key)
	if _, err := fx.Searcher.Search(context.Background(), r); err != nil {
		t.Fatalf("a date in range: %v", err)
	}
	for _, d := range []string{"0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z", "1677-01-01T00:00:00Z"} {
		r.After = encodeCursor(search.SortNewest, []string{d, id}, key)
		if _, err := fx.Searcher.Search(context.Background(), r); !errors.Is(err, search.ErrBadRequest) {
			t.Errorf("cursor date %s: %v, want a bad request", d, err)
		}
	}
}
