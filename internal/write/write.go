// Package write applies the engine's results to disk, or compares them with
// what is there.
package write

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	udiff "github.com/aymanbagabas/go-udiff"

	"github.com/kamgen/kamgen/internal/engine"
)

// Apply writes the files that changed and removes the obsolete ones. A file
// whose content is already right is not touched.
func Apply(results []engine.Result) error {
	var errs []error
	for _, r := range results {
		switch r.Action {
		case engine.Write:
			if err := writeAtomic(r.Path, r.Content); err != nil {
				errs = append(errs, fmt.Errorf("writing %s: %w", r.Path, err))
			}
		case engine.Remove:
			if err := os.Remove(r.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("removing %s: %w", r.Path, err))
			}
		}
	}
	return errors.Join(errs...)
}

// writeAtomic writes content to a temporary file beside path and renames
// it over path: a full disk or a crash leaves the old file, or none, never
// half a file.
func writeAtomic(path string, content []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = tmp.Write(content)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}

// Diff prints a unified diff of every file that Apply would change and
// returns how many there are.
func Diff(w io.Writer, results []engine.Result) int {
	n := 0
	for _, r := range results {
		if r.Action == engine.Keep {
			continue
		}
		n++
		var want []byte
		if r.Action == engine.Write {
			want = r.Content
		}
		from, to := r.Path, r.Path
		if r.Old == nil {
			from = "/dev/null"
		}
		if r.Action == engine.Remove {
			to = "/dev/null"
		}
		fmt.Fprint(w, udiff.Unified(from, to, string(r.Old), string(want)))
	}
	return n
}
