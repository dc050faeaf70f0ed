//go:build linux

package index

import (
	"bufio"
	"bytes"
	"log/slog"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// releaseMapped gives back to the kernel the pages the process has read
// through its shared read-only mappings of the files (madvise
// MADV_PAGEOUT): they leave its resident set, and the page cache, and a
// later read maps them back from the file. It is for a scan that reads a
// file once (the folded-text loader reads every stored record; Bleve's
// merger reads the segments it merges), so that the scan's pages do not
// stay counted as the process's memory.
//
// MADV_PAGEOUT only advises: whatever the range holds keeps its
// contents. MADV_DONTNEED would keep the page cache too, but the
// mappings are read from /proc/self/maps before the call, and a mapping
// Bleve unmaps in between (a merged segment) could by then be memory of
// the Go heap, which MADV_DONTNEED would zero.
func releaseMapped(paths []string) {
	if len(paths) == 0 {
		return
	}
	// The mappings are known by device and inode: the paths Bleve was
	// given may be relative or go through links.
	type fileID struct{ major, minor, ino uint64 }
	want := make(map[fileID]bool, len(paths))
	for _, p := range paths {
		var st unix.Stat_t
		if unix.Stat(p, &st) == nil {
			want[fileID{uint64(unix.Major(st.Dev)), uint64(unix.Minor(st.Dev)), st.Ino}] = true
		}
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		slog.Debug("mapped pages not released", "err", err)
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	released := uint64(0)
	for sc.Scan() {
		// start-end perms offset dev inode pathname
		fields := bytes.Fields(sc.Bytes())
		if len(fields) < 6 {
			continue
		}
		perms := fields[1]
		if len(perms) < 4 || perms[1] != '-' || perms[3] != 's' {
			continue // writable or private: not ours to drop
		}
		major, minor, _ := bytes.Cut(fields[3], []byte(":"))
		maj, err1 := strconv.ParseUint(string(major), 16, 32)
		mnr, err2 := strconv.ParseUint(string(minor), 16, 32)
		ino, err3 := strconv.ParseUint(string(fields[4]), 10, 64)
		if err1 != nil || err2 != nil || err3 != nil || !want[fileID{maj, mnr, ino}] {
			continue
		}
		lo, hi, ok := bytes.Cut(fields[0], []byte("-"))
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(string(lo), 16, 64)
		end, err2 := strconv.ParseUint(string(hi), 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		if _, _, errno := unix.Syscall(unix.SYS_MADVISE, uintptr(start), uintptr(end-start), unix.MADV_PAGEOUT); errno != 0 {
			slog.Debug("mapped pages not released", "err", errno)
			continue
		}
		released += end - start
	}
	slog.Debug("mapped pages released", "files", len(paths), "bytes", released)
}
