//go:build unix

package index

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// allocOffHeap returns n bytes of zeroed memory mapped outside the Go heap:
// the garbage collector neither scans it nor counts it when it sizes the
// heap, so a large read-only table costs its size and not twice that.
// The memory must be given back with freeOffHeap.
func allocOffHeap(n int) ([]byte, error) {
	b, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return nil, fmt.Errorf("map %d bytes: %w", n, err)
	}
	return b, nil
}

// freeOffHeap unmaps memory from allocOffHeap; nothing may use it after.
func freeOffHeap(b []byte) {
	unix.Munmap(b[:cap(b)])
}
