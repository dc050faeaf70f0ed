package main

import (
	"context"
	"html"
	"runtime"
	"slices"
	"strings"
	"sync"

	"newsarchive/corpus"
	"newsarchive/corpus/textnorm"
	archiveengine "newsarchive/engine"
)

// The brute-force baseline is what a grep-style tool does: the parsed
// records are held in memory with their text folded (textnorm, as the
// index folds it), and every request scans all of them on all cores. An
// article matches when each term occurs as a substring of its folded head
// (kicker, title, subtitle) or body; county, topic and date filters are
// checked first (an article failing two filters counts nowhere and is not
// scanned). It counts the same five facets disjunctively in the same pass,
// ranks by occurrences (3 per occurrence in the head, 1 in the body) or by
// date, keeps the best 20 and highlights their title and a 120-character
// snippet of the body. Loading (parsing and folding) is its "indexing".

type bruteDoc struct {
	a          *corpus.Article
	head, body string // folded
	month      string
}

type bruteEngine struct {
	docs []bruteDoc
}

// loadBrute parses files into memory.
func loadBrute(ctx context.Context, parser *corpus.Parser, files []corpus.File) (*bruteEngine, error) {
	e := &bruteEngine{}
	err := parser.ParseFiles(ctx, files, 0, func(res corpus.FileResult) error {
		for i := range res.Items {
			a := &res.Items[i]
			e.docs = append(e.docs, bruteDoc{a: a, head: textnorm.String(archiveengine.HeadText(a)), body: textnorm.String(a.Body), month: month(a.Date)})
		}
		return nil
	})
	return e, err
}

func (e *bruteEngine) count() (int, error) { return len(e.docs), nil }

type scored struct {
	i     int
	score float64
}

// partial is one worker's share of a search.
type partial struct {
	total  int
	top    []scored
	facets [5]map[string]int // in the order of baseFacets
}

func (e *bruteEngine) search(ctx context.Context, r baseRequest) (*baseResponse, error) {
	folded := make([]string, len(r.Terms))
	for i, t := range r.Terms {
		folded[i] = textnorm.String(t)
	}
	better := func(a, b scored) bool {
		if r.ByDate {
			da, db := e.docs[a.i].a.Date, e.docs[b.i].a.Date
			if da != db {
				return da > db
			}
		} else if a.score != b.score {
			return a.score > b.score
		}
		return e.docs[a.i].a.ID < e.docs[b.i].a.ID
	}
	insert := func(top []scored, s scored) []scored {
		if len(top) == r.Size && !better(s, top[len(top)-1]) {
			return top
		}
		if len(top) < r.Size {
			top = append(top, s)
		} else {
			top[len(top)-1] = s
		}
		for j := len(top) - 1; j > 0 && better(top[j], top[j-1]); j-- {
			top[j], top[j-1] = top[j-1], top[j]
		}
		return top
	}
	workers := runtime.GOMAXPROCS(0)
	parts := make([]partial, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := &parts[w]
			for k := range p.facets {
				p.facets[k] = map[string]int{}
			}
			lo, hi := w*len(e.docs)/workers, (w+1)*len(e.docs)/workers
			for i := lo; i < hi; i++ {
				if i%1024 == 0 && ctx.Err() != nil {
					return
				}
				d := &e.docs[i]
				fail := [3]bool{!hasAny(r.Counties, d.a.Counties), !hasAny(r.Topics, d.a.Topics), !inRange(d.a.Date, r.From, r.To)}
				fails := 0
				for _, f := range fail {
					if f {
						fails++
					}
				}
				if fails >= 2 {
					continue
				}
				match := true
				for _, t := range folded {
					if !strings.Contains(d.head, t) && !strings.Contains(d.body, t) {
						match = false
						break
					}
				}
				if !match {
					continue
				}
				values := [5][]string{d.a.Counties, d.a.Topics, d.a.Authors, {d.a.Paper}, {d.month}}
				if fails == 1 {
					// Only the facet whose own filter failed counts it.
					k := 0 // county
					if fail[1] {
						k = 1
					} else if fail[2] {
						k = 4
					}
					for _, v := range values[k] {
						p.facets[k][v]++
					}
					continue
				}
				p.total++
				for k := range values {
					for _, v := range values[k] {
						p.facets[k][v]++
					}
				}
				s := scored{i: i}
				if !r.ByDate {
					for _, t := range folded {
						s.score += float64(3*strings.Count(d.head, t) + strings.Count(d.body, t))
					}
				}
				p.top = insert(p.top, s)
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := &baseResponse{Hits: []baseHit{}, Facets: map[string][]facetValue{}}
	var top []scored
	counts := [5]map[string]int{{}, {}, {}, {}, {}}
	for _, p := range parts {
		out.Total += int64(p.total)
		for _, s := range p.top {
			top = insert(top, s)
		}
		for k := range p.facets {
			for v, n := range p.facets[k] {
				counts[k][v] += n
			}
		}
	}
	for k, f := range baseFacets {
		var vs []facetValue
		for v, n := range counts[k] {
			if strings.TrimSpace(v) != "" {
				vs = append(vs, facetValue{v, n})
			}
		}
		sortFacet(vs, f.name == "date")
		if len(vs) > f.size {
			vs = vs[:f.size]
		}
		out.Facets[f.name] = vs
	}
	for _, s := range top {
		a := e.docs[s.i].a
		out.Hits = append(out.Hits, baseHit{
			ID: a.ID, Paper: a.Paper, Date: a.Date, Title: a.Title, Counties: a.Counties, Topics: a.Topics, Score: s.score,
			Highlight: map[string]string{"title": highlight(a.Title, folded, 0), "snippet": highlight(a.Body, folded, 120)},
		})
	}
	return out, nil
}

// sortFacet orders facet values by count (or by value for the date
// facet).
func sortFacet(vs []facetValue, byValue bool) {
	slices.SortFunc(vs, func(a, b facetValue) int {
		if byValue {
			return strings.Compare(a.Value, b.Value)
		}
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Value, b.Value)
	})
}

// highlight returns text as HTML with <mark> around the occurrences of the
// folded terms; with width > 0 only about width runes around the first.
func highlight(text string, terms []string, width int) string {
	rs := []rune(text)
	fs := []rune(textnorm.String(text)) // rune for rune
	marked := make([]bool, len(rs))
	first := -1
	for _, t := range terms {
		tr := []rune(t)
		if len(tr) == 0 {
			continue
		}
		for i := 0; i+len(tr) <= len(fs); i++ {
			if string(fs[i:i+len(tr)]) == t {
				for j := i; j < i+len(tr); j++ {
					marked[j] = true
				}
				if first < 0 || i < first {
					first = i
				}
			}
		}
	}
	from, to := 0, len(rs)
	if width > 0 {
		from = max(0, first-20)
		to = min(len(rs), from+width)
	}
	var b strings.Builder
	in := false
	for i := from; i < to; i++ {
		if marked[i] != in {
			if in {
				b.WriteString("</mark>")
			} else {
				b.WriteString("<mark>")
			}
			in = marked[i]
		}
		b.WriteString(html.EscapeString(string(rs[i])))
	}
	if in {
		b.WriteString("</mark>")
	}
	return b.String()
}
