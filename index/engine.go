package index

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"newsarchive/engine"
)

// The Index is the embedded engine: it implements engine.Engine.
var _ engine.Engine = (*Index)(nil)

// EngineName is the Info.Engine of the embedded engine.
const EngineName = "bleve"

// Info names the generation and its extent.
func (x *Index) Info() engine.Info {
	first, last := x.Columns().DateRange()
	n, _ := x.DocCount()
	return engine.Info{Engine: EngineName, Generation: x.Name(), Articles: n, FirstDate: first, LastDate: last}
}

// prepare turns a request into what collect runs.
func (x *Index) prepare(r *engine.Request) (query.Query, []namedFilter, order, *scoredDoc, error) {
	var q query.Query
	if r.Query != nil {
		var err error
		if q, err = compile(r.Query); err != nil {
			return nil, nil, order{}, nil, err
		}
	}
	cols := x.Columns()
	var filters []namedFilter
	for _, f := range r.Filters {
		if f.Field == engine.FieldDate {
			filters = append(filters, namedFilter{f.Name, newDateFilter(f.From, f.To)})
			continue
		}
		col := cols.Column(f.Field)
		if col == nil {
			return nil, nil, order{}, nil, fmt.Errorf("%w: no keyword column %q for filter %s", engine.ErrBadRequest, f.Field, f.Name)
		}
		filters = append(filters, namedFilter{f.Name, newValueFilter(col, f.Values)})
	}
	o := order{sort: r.Sort}
	if o.sort == "" {
		o.sort = engine.SortRelevance
	}
	switch o.sort {
	case engine.SortRelevance, engine.SortNewest, engine.SortOldest:
	default:
		return nil, nil, o, nil, fmt.Errorf("%w: sort %q", engine.ErrBadRequest, r.Sort)
	}
	var after *scoredDoc
	if r.After != nil {
		k, err := afterKey(o.sort, r.After, cols)
		if err != nil {
			return nil, nil, o, nil, fmt.Errorf("%w: after cursor: %v", engine.ErrBadRequest, err)
		}
		after = &k
	}
	return q, filters, o, after, nil
}

// Search runs a request in one pass over its matches (see collect).
func (x *Index) Search(ctx context.Context, r *engine.Request) (*engine.Result, error) {
	q, filters, o, after, err := x.prepare(r)
	if err != nil {
		return nil, err
	}
	hits := 0
	if r.Size > 0 {
		hits = r.Offset + r.Size
	}
	c, err := x.collect(ctx, q, filters, o, after, collectOptions{hits: hits, facets: r.Facets})
	if err != nil {
		return nil, err
	}
	res := &engine.Result{Total: c.total, Eligible: c.eligible, Facets: c.facets}
	page := c.hits[min(r.Offset, len(c.hits)):]
	// The page's records are read (decompressed, decoded) on every core.
	res.Hits = make([]engine.Hit, len(page))
	errs := make([]error, len(page))
	workers := min(len(page), runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(page); i += workers {
				res.Hits[i], errs[i] = x.hit(page[i], o, true)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return res, nil
}

// Each calls fn for every hit of r in its order, reading one record at a
// time: the pass keeps only the hits' document numbers and sort keys.
func (x *Index) Each(ctx context.Context, r *engine.Request, fn func(engine.Hit) error) error {
	q, filters, o, after, err := x.prepare(r)
	if err != nil {
		return err
	}
	limit := r.Size
	if limit <= 0 {
		n, _ := x.DocCount()
		limit = int(n)
	}
	c, err := x.collect(ctx, q, filters, o, after, collectOptions{hits: limit})
	if err != nil {
		return err
	}
	for i, sd := range c.hits {
		if i%100 == 0 && ctx.Err() != nil {
			return fmt.Errorf("search: %w", ctx.Err())
		}
		h, err := x.hit(sd, o, false)
		if err != nil {
			return err
		}
		if err := fn(h); err != nil {
			return err
		}
	}
	return nil
}

// hit reads the record of a collected document, kept decoded with keep.
func (x *Index) hit(sd scoredDoc, o order, keep bool) (engine.Hit, error) {
	a, err := x.recordAt(sd.doc, keep)
	if err != nil {
		return engine.Hit{}, fmt.Errorf("hit %d: %w", sd.doc, err)
	}
	h := engine.Hit{Record: a, Cursor: engine.Cursor{Value: o.sortValue(sd), ID: a.ID}}
	if o.sort == engine.SortRelevance {
		h.Score = sd.score
	}
	return h, nil
}

// compile turns an engine-neutral query into a Bleve query.
func compile(q engine.Query) (query.Query, error) {
	switch q := q.(type) {
	case engine.All:
		return bleve.NewMatchAllQuery(), nil
	case engine.Text:
		scope := ScopeAll
		if q.Scope == engine.ScopeHead {
			scope = ScopeHead
		}
		var bq query.Query
		if q.Exact {
			bq = PhraseQuery(q.Text, scope)
		} else {
			bq = TextQuery(q.Text, scope)
		}
		if bq == nil {
			return nil, fmt.Errorf("%w: %q has no searchable character", engine.ErrBadRequest, q.Text)
		}
		return bq, nil
	case engine.Near:
		return nearQuery(q)
	case engine.Term:
		t := bleve.NewTermQuery(q.Value)
		t.SetField(q.Field)
		// A keyword weighs little against text: in an Or with a Text (a
		// bare word also matching bylines) its matches rank below the
		// text's.
		t.SetBoost(termBoost)
		return t, nil
	case engine.DateRange:
		incl, excl := true, false
		d := bleve.NewDateRangeInclusiveQuery(q.From, q.To, &incl, &excl)
		d.SetField(FieldDate)
		return d, nil
	case engine.Or:
		qs := make([]query.Query, 0, len(q.Any))
		for _, c := range q.Any {
			bq, err := compile(c)
			if err != nil {
				return nil, err
			}
			qs = append(qs, bq)
		}
		return bleve.NewDisjunctionQuery(qs...), nil
	case engine.And:
		b := bleve.NewBooleanQuery()
		must := make([]query.Query, 0, len(q.Must))
		for _, c := range q.Must {
			bq, err := compile(c)
			if err != nil {
				return nil, err
			}
			must = append(must, bq)
		}
		if len(must) == 0 {
			must = append(must, bleve.NewMatchAllQuery())
		}
		b.AddMust(must...)
		for _, c := range q.Not {
			bq, err := compile(c)
			if err != nil {
				return nil, err
			}
			b.AddMustNot(bq)
		}
		return b, nil
	case nil:
		return nil, errors.New("search: nil query node")
	}
	return nil, fmt.Errorf("search: unknown query node %T", q)
}

// termBoost is the boost of a Term query.
const termBoost = 0.01
