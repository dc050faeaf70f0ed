//go:build linux

package index

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestReleaseMapped maps a file shared and read-only, as Bleve maps its
// segments, reads it whole and checks that releaseMapped takes its pages
// out of the resident set and that the mapping still reads the same bytes
// (from the file: MADV_PAGEOUT drops them from the page cache too).
func TestReleaseMapped(t *testing.T) {
	const size = 8 << 20
	data := bytes.Repeat([]byte("四平日报"), size/12+1)[:size]
	path := filepath.Join(t.TempDir(), "seg.zap")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(m)
	if !bytes.Equal(m, data) { // reads every page
		t.Fatal("the mapping does not read the file")
	}
	addr := uint64(uintptr(unsafe.Pointer(&m[0])))
	before := mappingRSS(t, addr)
	if before < size/2 {
		t.Fatalf("after reading the whole mapping its resident set is %d bytes, want most of %d", before, size)
	}
	releaseMapped([]string{filepath.Join(filepath.Dir(path), ".", "seg.zap")})
	if after := mappingRSS(t, addr); after > size/16 {
		t.Errorf("after releaseMapped the mapping's resident set is %d bytes (was %d), want about 0", after, before)
	}
	if !bytes.Equal(m, data) {
		t.Error("after releaseMapped the mapping reads other bytes")
	}
	// A file that is not mapped, and none at all, are no error.
	releaseMapped([]string{filepath.Join(t.TempDir(), "missing.zap")})
	releaseMapped(nil)
}

// mappingRSS is the Rss of the mapping starting at addr in
// /proc/self/smaps, in bytes.
func mappingRSS(t *testing.T, addr uint64) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	start := fmt.Sprintf("%x-", addr)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, start) { // the mapping's header: its Rss line follows
			in = true
			continue
		}
		if in && strings.HasPrefix(line, "Rss:") {
			kb, err := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no mapping at %x in /proc/self/smaps", addr)
	return 0
}
