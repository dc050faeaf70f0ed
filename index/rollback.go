package index

import (
	"fmt"
	"path/filepath"
)

// Rollback makes an earlier complete generation current again: to names
// it, or when empty, the newest complete generation older than the current
// one. It takes the write lock, so it fails while an index run writes, and
// switches with the same atomic rename as a run. It returns the path of
// the generation now current. A server watching the directory follows.
func Rollback(dir, to string) (string, error) {
	lock, err := lockForWrite(dir)
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
		if g.Current {
			cur = i
		}
	}
	if cur < 0 {
		return "", fmt.Errorf("rollback %q: %w", dir, ErrNoIndex)
	}
	var target *Generation
	if to == "" {
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
	idx, err := openGeneration(target.Path)
	if err != nil {
		return "", fmt.Errorf("rollback to %s: %w", target.Name, err)
	}
	idx.Close()
	if err := switchTo(dir, target.Path); err != nil {
		return "", fmt.Errorf("rollback to %s: %w", target.Name, err)
	}
	return target.Path, nil
}
