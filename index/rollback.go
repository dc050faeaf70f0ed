package index

import (
	"context"
	"fmt"
	"path/filepath"
	"time"
)

// Rollback makes another complete generation current: to names it, or
// when empty, the newest complete generation older than the current one.
// It takes the write lock (so it fails with ErrLocked while an index run
// writes, or waits up to wait for it to end), checks that the target is complete, opens, is of this
// program's schema and matches the file sizes recorded at its commit, and
// switches with the same atomic rename as a run. It returns the path of
// the generation now current. A server watching the directory follows.
//
// Rollback with to also repairs a bad CURRENT: missing, unreadable, or
// naming a generation that was removed or never completed. Without to,
// such a CURRENT has no "previous" generation, and Rollback says so.
func Rollback(ctx context.Context, dir, to string, wait time.Duration) (string, error) {
	lock, err := lockForWrite(ctx, dir, wait)
	if err != nil {
		return "", err
	}
	defer lock.release()
	gens, err := Generations(dir)
	if err != nil {
		return "", err
	}
	cur := -1
	for i, g := range gens {
		if g.Current && g.Complete {
			cur = i
		}
	}
	var target *Generation
	if to == "" {
		if cur < 0 {
			why := "it names no complete generation"
			if _, err := CurrentGeneration(dir); err != nil {
				why = err.Error()
			}
			return "", fmt.Errorf("rollback %q: CURRENT is not usable (%s): pass --to GEN to choose the generation (see newsarchive generations)", dir, why)
		}
		for i := cur - 1; i >= 0; i-- {
			if gens[i].Complete {
				target = &gens[i]
				break
			}
		}
		if target == nil {
			return "", fmt.Errorf("rollback %q: no complete generation older than the current %s", dir, gens[cur].Name)
		}
	} else {
		name := filepath.Base(to)
		for i := range gens {
			if gens[i].Name == name {
				target = &gens[i]
			}
		}
		if target == nil {
			return "", fmt.Errorf("rollback %q: no generation %q (see newsarchive generations)", dir, name)
		}
		if !target.Complete {
			return "", fmt.Errorf("rollback %q: generation %s is incomplete (a failed or killed run)", dir, name)
		}
		if target.Current {
			return target.Path, nil
		}
	}
	if err := checkGeneration(context.Background(), target.Path, false); err != nil {
		return "", fmt.Errorf("rollback to %s: %w", target.Name, err)
	}
	idx, err := openGeneration(target.Path)
	if err != nil {
		return "", fmt.Errorf("rollback to %s: %w", target.Name, err)
	}
	idx.Close()
	if switched, err := switchTo(dir, target.Path); !switched {
		return "", fmt.Errorf("rollback to %s: %w", target.Name, err)
	}
	return target.Path, nil
}
