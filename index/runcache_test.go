package index

import (
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
)

// TestRunCacheBudget checks that the run cache builds each entry once,
// even when asked concurrently, forgets a failed build, and keeps its
// bytes within its budget by dropping the least recently used.
func TestRunCacheBudget(t *testing.T) {
	c := &runCache{keptCache: keptCache[runKey, *runPostings]{budget: 3 * (64 + 100*5)}}
	var builds atomic.Int32
	build := func(n int) func() ([]uint32, []uint8, bool) {
		return func() ([]uint32, []uint8, bool) {
			builds.Add(1)
			return make([]uint32, n), make([]uint8, n), true
		}
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if p, ok := c.postings(runKey{"高质量", 0, 10}, build(100)); !ok || len(p.docs) != 100 {
				t.Errorf("postings = %d docs, %v", len(p.docs), ok)
			}
		})
	}
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Errorf("8 concurrent lookups built %d times, want once", n)
	}
	if _, ok := c.postings(runKey{"失败了", 0, 10}, func() ([]uint32, []uint8, bool) { return nil, nil, false }); ok {
		t.Error("a failed build was reported built")
	}
	if _, ok := c.postings(runKey{"失败了", 0, 10}, build(1)); !ok {
		t.Error("a failed build was kept: the next lookup did not build")
	}
	stems := []string{"甲", "乙", "丙", "丁", "戊", "己", "庚", "辛", "壬", "癸"}
	for i, stem := range stems {
		c.postings(runKey{stem + "乙丙", 0, 10}, build(100))
		if c.bytes > c.budget {
			t.Fatalf("after %d runs the cache holds %d bytes, budget %d", i+1, c.bytes, c.budget)
		}
	}
	if c.lru.Len() != 3 {
		t.Errorf("cache holds %d runs, want the 3 its budget allows", c.lru.Len())
	}
	if _, ok := c.lru.Peek(runKey{"高质量", 0, 10}); ok {
		t.Error("the least recently used run was kept")
	}
	builds.Store(0)
	c.postings(runKey{"癸乙丙", 0, 10}, build(100)) // the most recent: kept
	if builds.Load() != 0 {
		t.Error("the most recently used run was rebuilt")
	}
}

// TestRecordAtKeepsRecordsUnshared checks that a record read twice (the
// second time from the kept records) is the same, and that changing the
// copy a caller got changes neither the kept record nor the next copy.
func TestRecordAtKeepsRecordsUnshared(t *testing.T) {
	idx := columnsIndex(t)
	var d uint32
	for ; d < idx.Columns().Docs; d++ {
		if a, err := idx.RecordAt(d); err == nil && len(a.Counties) > 0 && len(a.Places) > 0 {
			break
		}
	}
	if d == idx.Columns().Docs {
		t.Fatal("no record with counties and places")
	}
	first, err := idx.RecordAt(d)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := idx.snap.records.peek(d); !ok {
		t.Fatal("the record read was not kept")
	}
	want := cloneArticle(&first)
	first.Counties[0], first.Places[0].Name, first.Title = "改了", "改了", "改了"
	second, err := idx.RecordAt(d)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(second, want) {
		t.Errorf("the record read again is %+v, want %+v", second, want)
	}
	// No slice of a copy shares its array with another's (nor, so, with
	// the kept record's).
	third, err := idx.RecordAt(d)
	if err != nil {
		t.Fatal(err)
	}
	rs, rt := reflect.ValueOf(second), reflect.ValueOf(third)
	for i := range rs.NumField() {
		if f := rs.Field(i); f.Kind() == reflect.Slice && f.Len() > 0 && f.Pointer() == rt.Field(i).Pointer() {
			t.Errorf("two reads of the record share the array of %s", rs.Type().Field(i).Name)
		}
	}
	checked := false
	for e := uint32(0); e < idx.Columns().Docs && !checked; e++ {
		if _, kept := idx.snap.records.peek(e); kept || !idx.Columns().Live(e) {
			continue
		}
		if _, err := idx.recordAt(e, false); err != nil {
			t.Fatal(err)
		}
		if _, kept := idx.snap.records.peek(e); kept {
			t.Errorf("document %d read without keeping (an export's pass) was kept", e)
		}
		checked = true
	}
	if !checked {
		t.Error("every document was kept already: reading without keeping was not checked")
	}
	if _, err := idx.RecordAt(idx.Columns().Docs + 10); !errors.Is(err, ErrNotFound) {
		t.Errorf("a document past the last: %v, want ErrNotFound", err)
	}
}

// TestKeptCacheForgetsAPanickedBuild checks that a build that panics (a
// fault on a damaged segment, caught by the reader) is not kept: the next
// get builds again.
func TestKeptCacheForgetsAPanickedBuild(t *testing.T) {
	var c keptCache[int, string]
	func() {
		defer func() { _ = recover() }()
		c.get(1, 1<<20, 8, func() (string, int, bool) { panic("fault") })
	}()
	if _, ok := c.peek(1); ok {
		t.Fatal("a panicked build was kept")
	}
	v, ok := c.get(1, 1<<20, 8, func() (string, int, bool) { return "built", 5, true })
	if !ok || v != "built" || c.bytes != 5 {
		t.Errorf("after a panicked build: %q %v, %d bytes; want built, 5 bytes", v, ok, c.bytes)
	}
}
