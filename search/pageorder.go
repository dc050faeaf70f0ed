package search

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"newsarchive/corpus"
	"newsarchive/engine"
)

// SortPage lists articles as the papers printed them: by date (oldest
// first, undated last), then paper, page (numerically: 第2版 before
// 第10版) and position on the page (the record's ordinal), ties by id. It
// is the order of a day's items (the article page's date link).
//
// The engines sort by date and id only, so the search package orders
// these itself: it reads every match (at most MaxPageOrder of them, a
// bounded buffer) and sorts them. A request with more matches is a bad
// request (CodeTooMany) saying to narrow the dates; every page of the
// order is reachable by number, so it has no after cursor.
const SortPage = "page"

// MaxPageOrder is the most matches sort=page orders (a day of a paper has
// a few hundred items at most).
const MaxPageOrder = 1000

// pageOrdered returns the hits of the plan (made with SortPage) in page
// order: all of them, for Search to cut a page from and Each to walk.
func (s *Searcher) pageOrdered(ctx context.Context, p *plan, total uint64) ([]engine.Hit, error) {
	if total > MaxPageOrder {
		return nil, invalid(CodeTooMany,
			fmt.Sprintf("按版面顺序排列最多 %d 篇，这次检索有 %d 篇：请缩小日期范围（例如只看一天）", MaxPageOrder, total),
			"sort=page orders at most %d articles and this search has %d; narrow the dates (one day, say)", MaxPageOrder, total)
	}
	hits := make([]engine.Hit, 0, total)
	err := s.Engine.Each(ctx, p.request(nil, 0, MaxPageOrder+1), func(h engine.Hit) error {
		if len(hits) == MaxPageOrder {
			return invalid(CodeTooMany, fmt.Sprintf("按版面顺序排列最多 %d 篇：请缩小日期范围", MaxPageOrder),
				"sort=page orders at most %d articles; narrow the dates", MaxPageOrder)
		}
		hits = append(hits, h)
		return nil
	})
	if err != nil {
		return nil, engineError(err)
	}
	slices.SortFunc(hits, func(a, b engine.Hit) int { return comparePageOrder(&a.Record, &b.Record) })
	return hits, nil
}

// comparePageOrder compares two records in SortPage's order.
func comparePageOrder(a, b *corpus.Article) int {
	if (a.Date == "") != (b.Date == "") { // undated last
		if a.Date == "" {
			return 1
		}
		return -1
	}
	return cmp.Or(
		cmp.Compare(a.Date, b.Date),
		cmp.Compare(a.Paper, b.Paper),
		comparePages(a.Page, b.Page),
		cmp.Compare(a.Ordinal, b.Ordinal),
		cmp.Compare(a.ID, b.ID),
	)
}

// comparePages compares page labels, numbers as numbers and before other
// labels.
func comparePages(a, b string) int {
	na, errA := strconv.Atoi(a)
	nb, errB := strconv.Atoi(b)
	switch {
	case errA == nil && errB == nil:
		return cmp.Compare(na, nb)
	case errA == nil:
		return -1
	case errB == nil:
		return 1
	}
	return cmp.Compare(a, b)
}
