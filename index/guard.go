package index

import (
	"fmt"
	"runtime/debug"

	"newsarchive/engine"
)

// ErrClosed is returned by a read of a generation that was closed: the
// caller held no reference to it (see package serving). It is never a
// crash.
var ErrClosed = fmt.Errorf("%w: index generation closed", engine.ErrUnavailable)

// ErrDamaged is returned when a generation's files no longer hold what was
// written at commit: a segment truncated or overwritten under the reader.
var ErrDamaged = fmt.Errorf("%w: index generation damaged", engine.ErrUnavailable)

// enter marks the start of a read of the snapshot; it fails with ErrClosed
// once the snapshot is closed. Every enter is paired with an exit, and
// close waits for the reads in progress.
func (s *snapshot) enter() error {
	s.users.RLock()
	if s.closed {
		s.users.RUnlock()
		return ErrClosed
	}
	return nil
}

// exit ends a read begun by enter.
func (s *snapshot) exit() { s.users.RUnlock() }

// catchFault is deferred by every goroutine that reads Bleve's
// memory-mapped segment files: a fault there (a file truncated under the
// server raises SIGBUS) becomes ErrDamaged in *err instead of killing the
// process. It must be called as
//
//	defer catchFault(debug.SetPanicOnFault(true), &err)
//
// so that the goroutine's setting is restored.
func catchFault(prev bool, err *error) {
	debug.SetPanicOnFault(prev)
	r := recover()
	if r == nil {
		return
	}
	if f, ok := r.(interface{ Addr() uintptr }); ok {
		*err = fmt.Errorf("%w: memory fault at %#x reading a segment file (%v)", ErrDamaged, f.Addr(), r)
		return
	}
	panic(r)
}

// guarded runs fn in the calling goroutine with a fault on a memory-mapped
// segment turned into ErrDamaged: the form for goroutines that a reader
// starts (SetPanicOnFault is a per-goroutine setting).
func guarded(fn func() error) (err error) {
	defer catchFault(debug.SetPanicOnFault(true), &err)
	return fn()
}
