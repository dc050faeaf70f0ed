//go:build !linux

package index

// releaseMapped does nothing where the process's mappings cannot be
// listed: the scanned pages stay resident until the kernel reclaims them.
func releaseMapped([]string) {}
