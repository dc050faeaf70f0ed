package index

import (
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

// equalColumns fails t where a and b differ in any value, document or
// ordinal.
func equalColumns(t *testing.T, a, b *Columns) {
	t.Helper()
	if a.Docs != b.Docs {
		t.Fatalf("documents: %d and %d", a.Docs, b.Docs)
	}
	equalColumn(t, "id", a.ID, b.ID)
	if !slices.Equal(a.idDocs, b.idDocs) {
		t.Errorf("id ordinals' documents differ")
	}
	if !slices.Equal(a.Date, b.Date) {
		t.Errorf("dates differ")
	}
	if len(a.keyword) != len(b.keyword) {
		t.Errorf("%d and %d keyword columns", len(a.keyword), len(b.keyword))
	}
	for f, col := range a.keyword {
		equalColumn(t, f, col, b.keyword[f])
	}
}

func equalColumn(t *testing.T, name string, a, b *Column) {
	t.Helper()
	switch {
	case a == nil || b == nil:
		t.Errorf("column %s: %v and %v", name, a, b)
	case !slices.Equal(a.Values, b.Values):
		t.Errorf("column %s: values differ (%d and %d)", name, len(a.Values), len(b.Values))
	case !slices.Equal(a.start, b.start) || !slices.Equal(a.ords, b.ords):
		t.Errorf("column %s: documents' ordinals differ", name)
	case (a.single == nil) != (b.single == nil) || !slices.Equal(a.single, b.single):
		t.Errorf("column %s: single-valued forms differ", name)
	}
}

// columnsFromIndex reads idx's columns from its segments, as a generation
// without a columns file would.
func columnsFromIndex(t *testing.T, idx *Index) *Columns {
	t.Helper()
	cols, err := loadColumns(context.Background(), idx.snap.reader, idx.snap.stored, idx.snap.stored.docs())
	if err != nil {
		t.Fatal(err)
	}
	return cols
}

// TestColumnsFileMatchesIndex: a generation opens with the columns its
// commit wrote, equal in every value to those read from its segments,
// after an update that deleted and added articles, in one segment and in
// many.
func TestColumnsFileMatchesIndex(t *testing.T) {
	for _, segmentDocs := range []int{0, 100} {
		idx := columnsIndexWith(t, segmentDocs)
		if !idx.snap.columnsFromFile {
			t.Fatalf("segments of %d: columns were not read from the columns file", segmentDocs)
		}
		if len(idx.snap.stored.segments) < 2 && segmentDocs > 0 {
			t.Fatalf("%d segments, want several", len(idx.snap.stored.segments))
		}
		fromIndex := columnsFromIndex(t, idx)
		equalColumns(t, idx.snap.columns, fromIndex)
	}
}

// rewriteChecksums records gen's files anew, as a commit would have.
func rewriteChecksums(t *testing.T, gen string) {
	t.Helper()
	if err := writeChecksums(gen); err != nil {
		t.Fatal(err)
	}
}

// TestColumnsFileUnusableFallsBack: a columns file whose bytes are
// damaged (same size, so the open's size check passes), or one left from
// another generation, is not used: the columns come from the index and
// equal the true ones.
func TestColumnsFileUnusableFallsBack(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	linkTestCorpus(t, corpusDir, 80)
	update(t, corpusDir, indexDir, true)
	first, err := CurrentGeneration(indexDir)
	if err != nil {
		t.Fatal(err)
	}
	stale, err := os.ReadFile(filepath.Join(first, columnsFile))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(corpusDir, "new.txt"), "---\npaper: 四平日报\ndate: 2024-05-06\n---\n### 梨树县黑土地保护\n\n本报记者 张三\n\n梨树县推进黑土地保护。\n")
	update(t, corpusDir, indexDir, false)
	gen, err := CurrentGeneration(indexDir)
	if err != nil || gen == first {
		t.Fatalf("current generation %s (%v), want a new one", gen, err)
	}
	good := openIndex(t, indexDir)
	if !good.snap.columnsFromFile {
		t.Fatal("the new generation's columns were not read from its file")
	}
	want := good.snap.columns
	path := filepath.Join(gen, columnsFile)
	fresh, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	flipped := slices.Clone(fresh)
	flipped[len(flipped)/2] ^= 0x20
	for name, b := range map[string][]byte{"a flipped byte": flipped, "another generation's file": stale} {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		rewriteChecksums(t, gen)
		idx, err := Open(indexDir)
		if err != nil {
			t.Fatalf("%s: Open: %v", name, err)
		}
		if idx.snap.columnsFromFile {
			t.Errorf("%s: the columns file was used", name)
		}
		equalColumns(t, idx.snap.columns, want)
		idx.Close()
	}
	if _, _, err := decodeColumns(flipped); err == nil {
		t.Error("a flipped byte decoded without error")
	}
}

// TestColumnsFileDecodingRejectsDamage: every section cut short or
// lengthened, read past the checksum, is an error and never a panic.
func TestColumnsFileDecodingRejectsDamage(t *testing.T) {
	idx := columnsIndex(t)
	c := idx.snap.columns
	ids, dates := encodeIDs(c), encodeDates(c)
	col := c.keyword[FieldCounties]
	counties := encodeColumn(FieldCounties, col, c.Docs)
	// Whole, each decodes to what was encoded.
	if got, _, err := decodeIDs(ids, c.Docs); err != nil || !slices.Equal(got.Values, c.ID.Values) {
		t.Fatalf("ids: %v", err)
	}
	if got, err := decodeDates(dates, c.Docs); err != nil || !slices.Equal(got, c.Date) {
		t.Fatalf("dates: %v", err)
	}
	if name, got, err := decodeColumn(counties, c.Docs); err != nil || name != FieldCounties || !slices.Equal(got.ords, col.ords) {
		t.Fatalf("counties: %q %v", name, err)
	}
	decoders := map[string]func([]byte) error{
		"ids":      func(b []byte) error { _, _, err := decodeIDs(b, c.Docs); return err },
		"dates":    func(b []byte) error { _, err := decodeDates(b, c.Docs); return err },
		"counties": func(b []byte) error { _, _, err := decodeColumn(b, c.Docs); return err },
	}
	sections := map[string][]byte{"ids": ids, "dates": dates, "counties": counties}
	for name, b := range sections {
		step := max(1, len(b)/200)
		for cut := 0; cut < len(b); cut += step {
			if err := decoders[name](b[:cut]); err == nil {
				t.Errorf("%s cut at %d of %d bytes: no error", name, cut, len(b))
			}
		}
		if err := decoders[name](append(slices.Clone(b), 0)); err == nil {
			t.Errorf("%s with a byte more: no error", name)
		}
	}
	if _, _, err := decodeColumns([]byte(columnsMagic)); err == nil {
		t.Error("a file of only the magic decoded")
	}

	// Damage behind a valid checksum (a file made to break the reader): a
	// document count beyond the bytes that would hold the dates is refused
	// before 2^31 dates are allocated, and ordinals counted but missing
	// are an error.
	frame := func(sections ...[]byte) []byte {
		out := []byte(columnsMagic)
		for _, s := range sections {
			out = binary.AppendUvarint(out, uint64(len(s)))
			out = append(out, s...)
		}
		return binary.LittleEndian.AppendUint32(out, crc32.Checksum(out, castagnoli))
	}
	var head encoder
	head.string("x")
	head.uvarint(1 << 31)
	head.uvarint(0)
	crafted := frame(head.b, []byte{0}, []byte{0})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := decodeColumns(crafted)
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Error("a header of 2^31 documents over a one-byte date section decoded")
	}
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Errorf("refusing a header of 2^31 documents allocated %d bytes", grew)
	}
	var many encoder
	many.string(FieldCounties)
	many.strings([]string{"a"})
	for range 4 {
		many.uvarint(1)
	}
	if _, _, err := decodeColumn(many.b, 4); err == nil {
		t.Error("four ordinals with no bytes for them decoded")
	}
}

// TestOldGenerationGetsColumnsFile: a generation committed before columns
// files (none, and none in its CHECKSUMS) opens with columns read from
// the index; the next index run, with nothing else to do, commits a copy
// with one, and the run after that changes nothing.
func TestOldGenerationGetsColumnsFile(t *testing.T) {
	corpusDir, indexDir := t.TempDir(), filepath.Join(t.TempDir(), "idx")
	linkTestCorpus(t, corpusDir, 80)
	update(t, corpusDir, indexDir, true)
	old, err := CurrentGeneration(indexDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(old, columnsFile)); err != nil {
		t.Fatal(err)
	}
	rewriteChecksums(t, old)
	idx, err := Open(indexDir)
	if err != nil {
		t.Fatal(err)
	}
	if idx.snap.columnsFromFile {
		t.Fatal("columns read from a file that is not there")
	}
	want := idx.snap.columns
	articles, err := idx.DocCount()
	if err != nil {
		t.Fatal(err)
	}
	idx.Close()

	sum := update(t, corpusDir, indexDir, false)
	if sum.NothingChanged || sum.Rebuilt || sum.Added != 0 || sum.Deleted != 0 || len(sum.Reasons) == 0 {
		t.Fatalf("run on the old generation: %+v; want a new generation, nothing added or deleted, and a reason", sum)
	}
	gen, err := CurrentGeneration(indexDir)
	if err != nil || gen == old || !hasColumnsFile(gen) {
		t.Fatalf("current generation %s (%v); want a new one with a columns file", gen, err)
	}
	if err := checkGeneration(context.Background(), gen, true); err != nil {
		t.Fatalf("the new generation's checksums: %v", err)
	}
	idx = openIndex(t, indexDir)
	if !idx.snap.columnsFromFile {
		t.Fatal("the new generation's columns were not read from its file")
	}
	equalColumns(t, idx.snap.columns, want)
	if n, err := idx.DocCount(); err != nil || n != articles {
		t.Fatalf("%d articles (%v), want %d", n, err, articles)
	}
	if again := update(t, corpusDir, indexDir, false); !again.NothingChanged {
		t.Fatalf("the run after: %+v; want nothing changed", again)
	}
}

// TestColumnsFileNotCloned: the copy an incremental run starts from has
// no columns file until its commit writes its own.
func TestColumnsFileNotCloned(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(src, columnsFile), "x")
	writeFile(t, filepath.Join(src, "store", "a.zap"), "y")
	if err := cloneGeneration(src, filepath.Join(dst, "gen")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dst, "gen", columnsFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("clone's columns file: %v, want none", err)
	}
	if _, err := os.Stat(filepath.Join(dst, "gen", "store", "a.zap")); err != nil {
		t.Fatalf("clone's segment: %v", err)
	}
}
