//go:build !unix

package index

// allocOffHeap allocates on the Go heap where memory cannot be mapped.
func allocOffHeap(n int) ([]byte, error) { return make([]byte, n), nil }

// freeOffHeap leaves the memory to the garbage collector.
func freeOffHeap([]byte) {}
