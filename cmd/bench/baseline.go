package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"newsarchive/corpus"
)

// The baselines answer GET /api/v1/search with the same parameters as the
// archive's API (q, county, topic, from, to, sort, size) and a response of
// the same shape (total, hits with highlights, facets), so that the load
// generator treats the three engines alike. They understand only the
// syntax of the query mix: words (all must match) and quoted phrases.

// baseRequest is a parsed request to a baseline.
type baseRequest struct {
	Terms    []string // folded for the brute-force scan; as given for cjk
	Quoted   []bool
	Counties []string // canonical names
	Topics   []string
	From, To string
	ByDate   bool
	Size     int
}

// baseResponse is a baseline's answer.
type baseResponse struct {
	Total  int64                   `json:"total"`
	TookMS int64                   `json:"took_ms"`
	Hits   []baseHit               `json:"hits"`
	Facets map[string][]facetValue `json:"facets"`
}

type baseHit struct {
	ID        string            `json:"id"`
	Paper     string            `json:"paper"`
	Date      string            `json:"date"`
	Title     string            `json:"title"`
	Counties  []string          `json:"counties"`
	Topics    []string          `json:"topics"`
	Score     float64           `json:"score"`
	Highlight map[string]string `json:"highlight"`
}

type facetValue struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// baseFacets are the facets the baselines count, with the number of values
// returned, as the archive's search package does (county, topic, author,
// paper, month).
var baseFacets = []struct {
	name, field string
	size        int
}{
	{"county", "counties", 200},
	{"topic", "topics", 200},
	{"author", "authors", 30},
	{"paper", "paper", 50},
	{"date", "month", 100_000},
}

type engine interface {
	search(ctx context.Context, r baseRequest) (*baseResponse, error)
	count() (int, error)
}

// baselineHandler serves /api/v1/search and /readyz for a baseline.
func baselineHandler(e engine, tagger *corpus.Tagger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		n, err := e.count()
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, "ok: %d articles\n", n)
	})
	mux.HandleFunc("GET /api/v1/search", func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		q := r.URL.Query()
		req := baseRequest{From: q.Get("from"), To: q.Get("to"), ByDate: q.Get("sort") == "date", Size: 20}
		req.Terms, req.Quoted = terms(q.Get("q"))
		for _, c := range q["county"] {
			if name, ok := tagger.Gazetteer.Canonical(c); ok {
				c = name
			}
			req.Counties = append(req.Counties, c)
		}
		for _, t := range q["topic"] {
			if name, ok := tagger.Taxonomy.Canonical(t); ok {
				t = name
			}
			req.Topics = append(req.Topics, t)
		}
		if s := q.Get("size"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 100 {
				http.Error(w, "bad size", http.StatusBadRequest)
				return
			}
			req.Size = n
		}
		res, err := e.search(r.Context(), req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		res.TookMS = time.Since(start).Milliseconds()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.Encode(res)
	})
	return mux
}

// month is the YYYY-MM of a date.
func month(date string) string {
	if len(date) >= 7 {
		return date[:7]
	}
	return ""
}

// hasAny reports whether one of values is in set (true for an empty set:
// no filter).
func hasAny(set, values []string) bool {
	if len(set) == 0 {
		return true
	}
	for _, v := range values {
		for _, s := range set {
			if v == s {
				return true
			}
		}
	}
	return false
}

func inRange(date, from, to string) bool {
	return (from == "" || date >= from) && (to == "" || date <= to)
}

// nonEmpty drops empty strings (the archive's facets have no empty values).
func nonEmpty(s []string) []string {
	out := s[:0:0]
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			out = append(out, v)
		}
	}
	return out
}
