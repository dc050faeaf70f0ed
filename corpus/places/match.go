package places

import (
	"slices"
	"unicode/utf8"
)

// matcher is an Aho–Corasick automaton over runes: one pass over a text
// finds every occurrence of every pattern. The trie's edges are stored
// sorted per node (binary search); the root's edges for runes below
// rootSpan (ASCII and the CJK blocks) are also in a direct table, since
// almost every step of a scan starts from a shallow state.
//
// Maintained Go libraries were considered (github.com/cloudflare/ahocorasick
// matches bytes and reports no positions; github.com/petar-dambovaliev/aho-corasick
// and github.com/coregx/ahocorasick do): this one is small, needs no new
// module, and is built from sorted patterns in one linear pass without maps,
// which keeps the gazetteer's load time low.
type matcher struct {
	root      []int32 // rune → child of the root, 0 when none
	edgeStart []int32 // node → its first edge; edges of node n are [edgeStart[n], edgeStart[n+1])
	edgeRune  []rune
	edgeNext  []int32
	fail      []int32
	out       []int32 // node → the pattern ending there, -1 when none
	dict      []int32 // node → the nearest node on its fail chain with out ≥ 0, -1 when none
	plen      []int32 // pattern → its length in bytes
}

const rootSpan = 0xA000

// hit is one occurrence of a pattern: byte offsets into the text.
type hit struct {
	start, end int
	pat        int32
}

// newMatcher builds the automaton; pats must be sorted (byte order) and
// distinct.
func newMatcher(pats []string) *matcher {
	if !slices.IsSorted(pats) {
		panic("places: matcher patterns not sorted")
	}
	// Trie by insertion in sorted order: a new node is always the last
	// child of its parent, so children come out sorted by rune.
	type tnode struct {
		firstChild, nextSib, lastChild int32
		r                              rune
	}
	nodes := make([]tnode, 1, len(pats)*3)
	nodes[0] = tnode{firstChild: -1, nextSib: -1, lastChild: -1}
	out := make([]int32, 1, cap(nodes))
	out[0] = -1
	m := &matcher{plen: make([]int32, len(pats))}
	var stack []int32 // nodes of the previous pattern's path, by rune index
	var prev []rune
	var rs []rune
	for id, p := range pats {
		m.plen[id] = int32(len(p))
		rs = rs[:0]
		for _, r := range p {
			rs = append(rs, r)
		}
		lcp := 0
		for lcp < len(rs) && lcp < len(prev) && rs[lcp] == prev[lcp] {
			lcp++
		}
		stack = stack[:lcp]
		parent := int32(0)
		if lcp > 0 {
			parent = stack[lcp-1]
		}
		for _, r := range rs[lcp:] {
			n := int32(len(nodes))
			nodes = append(nodes, tnode{firstChild: -1, nextSib: -1, lastChild: -1, r: r})
			out = append(out, -1)
			if nodes[parent].lastChild < 0 {
				nodes[parent].firstChild = n
			} else {
				nodes[nodes[parent].lastChild].nextSib = n
			}
			nodes[parent].lastChild = n
			stack = append(stack, n)
			parent = n
		}
		out[parent] = int32(id)
		prev = append(prev[:0], rs...)
	}
	// CSR edges.
	nn := len(nodes)
	m.edgeStart = make([]int32, nn+1)
	m.edgeRune = make([]rune, 0, nn-1)
	m.edgeNext = make([]int32, 0, nn-1)
	for n := range nodes {
		m.edgeStart[n] = int32(len(m.edgeRune))
		for c := nodes[n].firstChild; c >= 0; c = nodes[c].nextSib {
			m.edgeRune = append(m.edgeRune, nodes[c].r)
			m.edgeNext = append(m.edgeNext, c)
		}
	}
	m.edgeStart[nn] = int32(len(m.edgeRune))
	m.root = make([]int32, rootSpan)
	for e := m.edgeStart[0]; e < m.edgeStart[1]; e++ {
		if r := m.edgeRune[e]; r < rootSpan {
			m.root[r] = m.edgeNext[e]
		}
	}
	m.out = out
	// Fail and dictionary links, breadth first.
	m.fail = make([]int32, nn)
	m.dict = make([]int32, nn)
	m.dict[0] = -1
	queue := make([]int32, 0, nn)
	for e := m.edgeStart[0]; e < m.edgeStart[1]; e++ {
		c := m.edgeNext[e]
		m.fail[c] = 0
		m.dict[c] = -1
		queue = append(queue, c)
	}
	for qi := 0; qi < len(queue); qi++ {
		u := queue[qi]
		for e := m.edgeStart[u]; e < m.edgeStart[u+1]; e++ {
			r, v := m.edgeRune[e], m.edgeNext[e]
			f := m.fail[u]
			for {
				if t := m.step(f, r); t >= 0 {
					m.fail[v] = t
					break
				}
				if f == 0 {
					m.fail[v] = 0
					break
				}
				f = m.fail[f]
			}
			if fv := m.fail[v]; m.out[fv] >= 0 {
				m.dict[v] = fv
			} else {
				m.dict[v] = m.dict[fv]
			}
			queue = append(queue, v)
		}
	}
	return m
}

// step returns the child of node n by rune r, or -1.
func (m *matcher) step(n int32, r rune) int32 {
	if n == 0 && r < rootSpan {
		if c := m.root[r]; c != 0 {
			return c
		}
		return -1
	}
	lo, hi := m.edgeStart[n], m.edgeStart[n+1]
	for lo < hi {
		mid := int32(uint32(lo+hi) >> 1)
		if m.edgeRune[mid] < r {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < m.edgeStart[n+1] && m.edgeRune[lo] == r {
		return m.edgeNext[lo]
	}
	return -1
}

// all appends every occurrence of every pattern in s to hits, in order of
// their end, and at one end longest first.
func (m *matcher) all(s string, hits []hit) []hit {
	state := int32(0)
	for i, r := range s {
		for {
			if t := m.step(state, r); t >= 0 {
				state = t
				break
			}
			if state == 0 {
				break
			}
			state = m.fail[state]
		}
		if state == 0 {
			continue
		}
		end := i + utf8.RuneLen(r)
		t := state
		if m.out[t] < 0 {
			t = m.dict[t]
		}
		for t >= 0 {
			p := m.out[t]
			hits = append(hits, hit{start: end - int(m.plen[p]), end: end, pat: p})
			t = m.dict[t]
		}
	}
	return hits
}

// exact returns the pattern equal to s.
func (m *matcher) exact(s string) (int32, bool) {
	n := int32(0)
	for _, r := range s {
		if n = m.step(n, r); n < 0 {
			return 0, false
		}
	}
	if n == 0 || m.out[n] < 0 {
		return 0, false
	}
	return m.out[n], true
}
