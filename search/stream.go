package search

import (
	"context"
	"fmt"

	"newsarchive/engine"
)

// DefaultStreamPage is the number of hits a Stream asks the engine for at
// a time when its caller does not say.
const DefaultStreamPage = 500

// Stream reads every hit of a request, however many, a page at a time:
// each page is one engine request of at most the page size that starts
// right after the last hit of the page before (its cursor), with no
// facets. Whatever the number of hits, it holds at most one page of
// records, so a download of a million articles takes the memory of one
// of a thousand. Its first page is read by (*Searcher).Stream, which
// gives the total before the first hit is used: a bad request fails
// there, before a caller has written anything.
type Stream struct {
	s     *Searcher
	p     *plan
	size  int
	page  []engine.Hit // read, not yet given
	done  bool         // the engine has no more hits
	total uint64
}

// Stream starts reading the hits of r in its order, pageSize at a time
// (DefaultStreamPage when pageSize <= 0). r's Page, Size and After are
// ignored. It reads the first page, and so knows the total.
func (s *Searcher) Stream(ctx context.Context, r Request, pageSize int) (*Stream, error) {
	r.Page, r.Size, r.After = 0, 0, ""
	p, err := s.plan(r)
	if err != nil {
		return nil, err
	}
	if pageSize <= 0 {
		pageSize = DefaultStreamPage
	}
	st := &Stream{s: s, p: p, size: pageSize}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	res, err := s.Engine.Search(ctx, p.request(nil, 0, pageSize))
	if err != nil {
		return nil, engineError(err)
	}
	st.total = res.Total
	st.take(res.Hits, pageSize)
	return st, nil
}

// Total is the number of articles the request matches.
func (st *Stream) Total() uint64 { return st.total }

// take keeps a page read from the engine (asked hits were asked for) and
// moves the cursor past it.
func (st *Stream) take(hits []engine.Hit, asked int) {
	st.page = hits
	if len(hits) < asked {
		st.done = true
	}
	if n := len(hits); n > 0 {
		c := hits[n-1].Cursor
		st.p.after = &c
	}
}

// Each calls fn for the stream's hits in order, up to limit of them (0 or
// less: all), reading the pages after the first as it goes. An error from
// fn stops it and is returned. The hits carry no highlights. A Stream is
// read once.
func (st *Stream) Each(ctx context.Context, limit int, fn func(Hit) error) error {
	n := 0
	for {
		for len(st.page) > 0 {
			if limit > 0 && n >= limit {
				return nil
			}
			h := st.page[0]
			st.page[0] = engine.Hit{} // let the record go
			st.page = st.page[1:]
			if err := fn(newHit(h.Record, h.Score, nil)); err != nil {
				return err
			}
			n++
		}
		if st.done || (limit > 0 && n >= limit) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("search: %w", err)
		}
		size := st.size
		if limit > 0 {
			size = min(size, limit-n)
		}
		res, err := st.s.Engine.Search(ctx, st.p.request(nil, 0, size))
		if err != nil {
			return fmt.Errorf("search: page after %d hits: %w", n, engineError(err))
		}
		st.take(res.Hits, size)
	}
}
