package index

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	bleveindex "github.com/blevesearch/bleve_index_api"
	"golang.org/x/sync/errgroup"
)

// columnsFile, inside a generation, holds the generation's columns as
// loadColumns reads them from the index, written once at commit: opening
// the generation then reads one file sequentially instead of the twelve
// fields' term dictionaries and postings scattered through the segments
// (at a million articles it decodes in 0.4 s from a cold page cache, and
// the server is ready in 2.1 s instead of 3.0; docs/performance.md).
// A generation without one (written before it existed) has its columns
// read from the index; the next index run commits a copy with one.
const columnsFile = "columns.bin"

// columnsMagic starts a columns file; its last byte is the format's
// version.
const columnsMagic = "newsarchive columns\x01"

// errNoColumnsFile is readColumnsFile's error for a generation without one.
var errNoColumnsFile = errors.New("no columns file")

// fingerprint names the segments of a snapshot, with their sizes
// and deletions: a columns file describes exactly the snapshot it was
// written from.
func (sr *storedReader) fingerprint() string {
	var b strings.Builder
	for i, s := range sr.segments {
		name := ""
		if p, ok := s.(interface{ Path() string }); ok {
			name = filepath.Base(p.Path())
		}
		deleted := uint64(0)
		if sr.deleted[i] != nil {
			deleted = sr.deleted[i].GetCardinality()
		}
		fmt.Fprintf(&b, "%s:%d:%d;", name, s.Count(), deleted)
	}
	return b.String()
}

// writeColumnsFile opens the committed-to-be generation gen, reads its
// columns from the index and writes them to its columns file (through a
// temporary file, synced, renamed).
func writeColumnsFile(ctx context.Context, gen string) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("write columns of %s: %w", filepath.Base(gen), err)
		}
	}()
	start := time.Now()
	idx, err := openGeneration(gen)
	if err != nil {
		return err
	}
	defer idx.Close()
	adv, err := idx.Advanced()
	if err != nil {
		return err
	}
	r, err := adv.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	sr := newStoredReader(r)
	if sr == nil {
		return fmt.Errorf("index reader is a %T, not a scorch snapshot", r)
	}
	var cols *Columns
	err = guarded(func() (err error) {
		cols, err = loadColumns(ctx, r, sr, sr.docs())
		return err
	})
	if err != nil {
		return err
	}
	tmp := filepath.Join(gen, columnsFile+".tmp")
	data := encodeColumns(cols, sr.fingerprint())
	if err := writeFileSync(tmp, data); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, filepath.Join(gen, columnsFile)); err != nil {
		return err
	}
	slog.DebugContext(ctx, "columns file written", "bytes", len(data), "took", time.Since(start))
	return nil
}

// hasColumnsFile reports whether the generation gen has a columns file.
func hasColumnsFile(gen string) bool {
	_, err := os.Stat(filepath.Join(gen, columnsFile))
	return err == nil
}

// openColumns returns the columns of the snapshot r of generation gen:
// from its columns file, or when it has none, or one that does not match
// the snapshot, from the index. fromFile reports which.
func openColumns(ctx context.Context, gen string, r bleveindex.IndexReader, sr *storedReader) (cols *Columns, fromFile bool, err error) {
	docs := sr.docs()
	if gen != "" {
		cols, err = readColumnsFile(gen, sr.fingerprint(), docs)
		switch {
		case err == nil:
			return cols, true, nil
		case errors.Is(err, errNoColumnsFile):
			slog.Info("generation has no columns file: columns read from the index (a slower start); the next index run commits a copy with one", "generation", filepath.Base(gen))
		default:
			slog.Warn("columns file unusable: columns read from the index", "generation", filepath.Base(gen), "err", err)
		}
	}
	cols, err = loadColumns(ctx, r, sr, docs)
	return cols, false, err
}

// readColumnsFile reads the columns file of generation gen, checking that
// it was written from the snapshot named fingerprint, of docs documents,
// and that its checksum holds.
func readColumnsFile(gen, fingerprint string, docs uint32) (*Columns, error) {
	b, err := os.ReadFile(filepath.Join(gen, columnsFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, errNoColumnsFile
	}
	if err != nil {
		return nil, err
	}
	cols, fp, err := decodeColumns(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", columnsFile, err)
	}
	if fp != fingerprint || cols.Docs != docs {
		return nil, fmt.Errorf("%s describes segments %q (%d documents), the generation has %q (%d)", columnsFile, fp, cols.Docs, fingerprint, docs)
	}
	return cols, nil
}

// The file: columnsMagic, then sections, each a uvarint length and its
// bytes, then the CRC-32C of all before it (4 bytes, little-endian).
// Sections: the fingerprint and document count; the id column (its
// values, front-coded, and each ordinal's document); the dates (zigzag
// deltas from the previous document's); then one per keyword column (its
// name, values front-coded, each document's number of values, and its
// ordinals as deltas within the document). Sections after the first
// decode in parallel.

// encodeColumns is the columns file of c.
func encodeColumns(c *Columns, fingerprint string) []byte {
	var head encoder
	head.string(fingerprint)
	head.uvarint(uint64(c.Docs))
	head.uvarint(uint64(len(c.keyword)))
	sections := [][]byte{head.b, encodeIDs(c), encodeDates(c)}
	for _, f := range slices.Sorted(maps.Keys(c.keyword)) {
		sections = append(sections, encodeColumn(f, c.keyword[f], c.Docs))
	}

	out := []byte(columnsMagic)
	for _, s := range sections {
		out = binary.AppendUvarint(out, uint64(len(s)))
		out = append(out, s...)
	}
	return binary.LittleEndian.AppendUint32(out, crc32.Checksum(out, castagnoli))
}

// encodeIDs is the id section: the id column's values and each ordinal's
// document.
func encodeIDs(c *Columns) []byte {
	var e encoder
	e.strings(c.ID.Values)
	for _, d := range c.idDocs {
		e.uvarint(uint64(d))
	}
	return e.b
}

// encodeDates is the date section: each document's date as the
// difference from the one before (wrapping, and unwrapped on decoding).
func encodeDates(c *Columns) []byte {
	var e encoder
	prev := int64(0)
	for _, v := range c.Date {
		e.varint(v - prev)
		prev = v
	}
	return e.b
}

// encodeColumn is a keyword column's section.
func encodeColumn(name string, col *Column, docs uint32) []byte {
	var e encoder
	e.string(name)
	e.strings(col.Values)
	for d := range docs {
		e.uvarint(uint64(col.start[d+1] - col.start[d]))
	}
	for d := range docs {
		prev := uint32(0)
		for i, o := range col.Ordinals(d) {
			if i == 0 {
				e.uvarint(uint64(o))
			} else {
				e.uvarint(uint64(o - prev))
			}
			prev = o
		}
	}
	return e.b
}

// decodeColumns reads a columns file's bytes, returning its columns and
// the fingerprint it was written with.
func decodeColumns(b []byte) (*Columns, string, error) {
	if len(b) < len(columnsMagic)+4 || string(b[:len(columnsMagic)]) != columnsMagic {
		return nil, "", errors.New("not a columns file of this version")
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, "", errors.New("checksum mismatch")
	}
	rest := decoder{b: body[len(columnsMagic):]}
	var sections [][]byte
	for len(rest.b) > 0 && rest.err == nil {
		n := rest.uvarint()
		if n > uint64(len(rest.b)) {
			return nil, "", errors.New("truncated section")
		}
		sections = append(sections, rest.b[:n])
		rest.b = rest.b[n:]
	}
	if rest.err != nil || len(sections) < 3 {
		return nil, "", errors.New("damaged section list")
	}
	head := decoder{b: sections[0]}
	fingerprint := head.string()
	docs64 := head.uvarint()
	keywords := head.uvarint()
	// Every document takes at least a byte of the date section: a count
	// beyond it is damage, refused before anything is allocated for it.
	if head.err != nil || docs64 >= NoOrdinal || docs64 > uint64(len(sections[2])) || keywords != uint64(len(sections)-3) {
		return nil, "", errors.New("damaged header")
	}
	docs := uint32(docs64)
	c := &Columns{Docs: docs, keyword: map[string]*Column{}}

	var (
		g  errgroup.Group
		mu sync.Mutex
	)
	run := func(what string, fn func() error) {
		g.Go(func() error {
			if err := fn(); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			return nil
		})
	}
	run("ids", func() (err error) {
		c.ID, c.idDocs, err = decodeIDs(sections[1], docs)
		return err
	})
	run("dates", func() (err error) {
		c.Date, err = decodeDates(sections[2], docs)
		return err
	})
	for i, s := range sections[3:] {
		run("column "+strconv.Itoa(i), func() error {
			name, col, err := decodeColumn(s, docs)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			if _, dup := c.keyword[name]; dup {
				return fmt.Errorf("column %s twice", name)
			}
			c.keyword[name] = col
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, "", err
	}
	for _, f := range columnFields {
		if c.keyword[f] == nil {
			return nil, "", fmt.Errorf("no column %s", f)
		}
	}
	return c, fingerprint, nil
}

// decodeIDs reads the id section: the id column and each ordinal's
// document.
func decodeIDs(b []byte, docs uint32) (*Column, []uint32, error) {
	d := decoder{b: b}
	values := d.strings()
	idDocs := make([]uint32, len(values))
	col := &Column{Values: values, start: make([]uint32, docs+1), ords: make([]uint32, len(values))}
	for o := range idDocs {
		doc := d.uvarint()
		if doc >= uint64(docs) || col.start[doc+1] != 0 {
			return nil, nil, errors.New("document out of range or twice")
		}
		idDocs[o] = uint32(doc)
		col.start[doc+1] = 1
	}
	if err := d.end(); err != nil {
		return nil, nil, err
	}
	for i := uint32(1); i <= docs; i++ {
		col.start[i] += col.start[i-1]
	}
	for o, doc := range idDocs {
		col.ords[col.start[doc]] = uint32(o)
	}
	return col, idDocs, nil
}

// decodeDates reads the date section.
func decodeDates(b []byte, docs uint32) ([]int64, error) {
	d := decoder{b: b}
	dates := make([]int64, docs)
	prev := int64(0)
	for i := range dates {
		prev += d.varint()
		dates[i] = prev
	}
	return dates, d.end()
}

// decodeColumn reads a keyword column's section.
func decodeColumn(b []byte, docs uint32) (string, *Column, error) {
	d := decoder{b: b}
	name := d.string()
	col := &Column{Values: d.strings(), start: make([]uint32, docs+1)}
	for i := range docs {
		n := d.uvarint()
		if n > uint64(len(col.Values)) || uint64(col.start[i])+n > uint64(len(b)) { // an ordinal takes a byte at least
			return "", nil, errors.New("more values than the column has")
		}
		col.start[i+1] = col.start[i] + uint32(n)
	}
	col.ords = make([]uint32, col.start[docs])
	for i := range docs {
		prev := uint64(0)
		for k := col.start[i]; k < col.start[i+1]; k++ {
			o := d.uvarint()
			if k > col.start[i] {
				o += prev
			}
			if o >= uint64(len(col.Values)) {
				return "", nil, errors.New("ordinal out of range")
			}
			col.ords[k] = uint32(o)
			prev = o
		}
	}
	if err := d.end(); err != nil {
		return "", nil, fmt.Errorf("%s: %w", name, err)
	}
	col.setSingle()
	return name, col, nil
}

// encoder builds one section.
type encoder struct{ b []byte }

func (e *encoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) string(s string) {
	e.uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
}

// strings writes sorted values front-coded: each as the length of the
// prefix it shares with the one before, and the rest.
func (e *encoder) strings(values []string) {
	e.uvarint(uint64(len(values)))
	prev := ""
	for _, v := range values {
		k := 0
		for k < len(prev) && k < len(v) && prev[k] == v[k] {
			k++
		}
		e.uvarint(uint64(k))
		e.string(v[k:])
		prev = v
	}
}

// decoder reads one section; the first error sticks, and reads after it
// return zeros.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errors.New("damaged number")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errors.New("damaged number")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = errors.New("truncated string")
		return nil
	}
	s := d.b[:n]
	d.b = d.b[n:]
	return s
}

func (d *decoder) string() string { return string(d.bytes()) }

// strings reads front-coded values into one string they all share.
func (d *decoder) strings() []string {
	n := d.uvarint()
	if n > uint64(len(d.b)) { // each value takes at least two bytes
		d.err = errors.New("more values than bytes")
	}
	if d.err != nil {
		return nil
	}
	var arena []byte
	ends := make([]int, n)
	start := 0
	for i := range ends {
		k := d.uvarint()
		if k > uint64(len(arena)-start) {
			d.err = errors.New("shared prefix longer than the value before")
			return nil
		}
		suffix := d.bytes()
		if d.err != nil {
			return nil
		}
		next := len(arena)
		arena = append(arena, arena[start:start+int(k)]...)
		arena = append(arena, suffix...)
		start = next
		ends[i] = len(arena)
	}
	all := string(arena)
	values := make([]string, n)
	from := 0
	for i, end := range ends {
		values[i] = all[from:end]
		from = end
	}
	return values
}

// end reports the section's error, or one if bytes are left.
func (d *decoder) end() error {
	if d.err == nil && len(d.b) > 0 {
		d.err = errors.New("bytes left over")
	}
	return d.err
}
