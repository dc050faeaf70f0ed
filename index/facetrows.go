package index

// A search counts several facets over the same matches. Counted a column
// at a time, each match is looked up once per column, in arrays far
// apart; at a million articles the seven facets of a search took a third
// of a common word's time. facetRows lays the columns side by side: a
// document's ordinals of every column in one run of one array, each
// shifted past the values of the columns before it, so that one pass over
// the matches counts every facet into one array of counters.

// maxRowColumns is the most columns laid side by side.
const maxRowColumns = 8

// rowsCacheBudget bounds the bytes of a generation's side-by-side
// columns (one set per distinct set of facets asked for: the search
// page's, mostly; 4 bytes per value of a document and per document).
const rowsCacheBudget = 256 << 20

// rowsCacheEntries bounds their number.
const rowsCacheEntries = 4

// rowsKey names a set of columns, in order.
type rowsKey [maxRowColumns]*Column

// facetRows are the ordinals of several columns by document.
type facetRows struct {
	offset []int    // column i's counters are [offset[i], offset[i+1])
	start  []uint32 // document d's ordinals are ords[start[d]:start[d+1]]
	ords   []uint32 // shifted by their column's offset
}

// rows returns cols laid side by side (nil for fewer than two columns or
// more than maxRowColumns), built on first use and kept with the
// generation.
func (c *Columns) rows(cols []*Column) *facetRows {
	if len(cols) < 2 || len(cols) > maxRowColumns {
		return nil
	}
	var key rowsKey
	copy(key[:], cols)
	r, _ := c.facetRows.get(key, rowsCacheBudget, rowsCacheEntries, func() (*facetRows, int, bool) {
		r := buildRows(cols, c.Docs)
		return r, 64 + 4*(len(r.start)+len(r.ords)+len(r.offset)), true
	})
	return r
}

func buildRows(cols []*Column, docs uint32) *facetRows {
	r := &facetRows{offset: make([]int, len(cols)+1), start: make([]uint32, docs+1)}
	n := 0
	for i, col := range cols {
		r.offset[i+1] = r.offset[i] + len(col.Values)
		n += len(col.ords)
	}
	r.ords = make([]uint32, 0, n)
	for d := range docs {
		for i, col := range cols {
			for _, o := range col.Ordinals(d) {
				r.ords = append(r.ords, uint32(r.offset[i])+o)
			}
		}
		r.start[d+1] = uint32(len(r.ords))
	}
	return r
}

// width is the number of counters of all the columns.
func (r *facetRows) width() int { return r.offset[len(r.offset)-1] }

// countAll adds one to counts (width long; 4 bytes a counter, to keep
// more of them in the caches) for each ordinal of each of
// docs, of every column.
func (r *facetRows) countAll(counts []uint32, docs []uint32) {
	start, ords := r.start, r.ords
	for _, d := range docs {
		for _, o := range ords[start[d]:start[d+1]] {
			counts[o]++
		}
	}
}

// counts returns column i's counters in counts.
func (r *facetRows) counts(counts []uint32, i int) []uint32 {
	return counts[r.offset[i]:r.offset[i+1]]
}
