package search

import (
	"context"
	"fmt"
)

// DefaultSimilar is the number of articles Similar returns when the
// request does not say.
const DefaultSimilar = 10

// Similar returns up to size articles that share the most distinctive
// words (by tf-idf) with article id, best first, the article itself
// excluded.
func (s *Searcher) Similar(ctx context.Context, id string, size int) ([]Hit, error) {
	if size <= 0 {
		size = DefaultSimilar
	}
	if size > MaxSize {
		return nil, invalid(CodeBadSize, fmt.Sprintf("篇数 %d 超出范围（1 到 %d）", size, MaxSize), "size %d is out of range (1 to %d)", size, MaxSize)
	}
	a, err := s.record(ctx, id)
	if err != nil {
		return nil, err
	}
	found, err := s.Engine.Similar(ctx, &a, size)
	if err != nil {
		return nil, fmt.Errorf("similar to %s: %w", id, err)
	}
	hl := s.highlighter(nil)
	hits := make([]Hit, 0, len(found))
	for _, h := range found {
		hits = append(hits, newHit(h.Record, h.Score, hl))
	}
	return hits, nil
}
